/**
 * The GPIO matrix keypad over the simulated GPIO backend, with the keypad's wiring simulated at
 * the line level: a pressed key connects its row to its column, so the row reads low while that
 * column is driven low (rows have pull-ups; everything active-low).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KioskInput } from '../../../drivers/contracts.js';
import { GpioMatrixKeypad } from '../../../drivers/keypad/gpio-matrix-keypad.js';
import { SimGpio } from '../../../drivers/gpio/sim.js';
import { SILENT_LOG } from '../../../drivers/io/log.js';
import { waitFor } from '../../helpers/socat.js';

const ROWS = [5, 6, 13, 19];
const COLS = [12, 16, 20];
const LAYOUT = ['123', '456', '789', '*0#'];

class Wiring {
  readonly pressed = new Set<string>();
  constructor(readonly sim: SimGpio) {}
  async attach(): Promise<void> {
    // Probe the column lines: every write to a column re-evaluates the rows.
    for (const c of COLS) (await this.sim.openInput(c)).watch(() => this.update());
  }
  update(): void {
    ROWS.forEach((row, r) => {
      const low = COLS.some((col, c) => this.pressed.has(`${r},${c}`) && this.sim.level(col) === false);
      this.sim.setLevel(row, !low);
    });
  }
  down(key: string): void {
    const r = LAYOUT.findIndex((row) => row.includes(key));
    this.pressed.add(`${r},${LAYOUT[r]!.indexOf(key)}`);
    this.update();
  }
  up(key?: string): void {
    if (key === undefined) this.pressed.clear();
    else {
      const r = LAYOUT.findIndex((row) => row.includes(key));
      this.pressed.delete(`${r},${LAYOUT[r]!.indexOf(key)}`);
    }
    this.update();
  }
}

describe('GPIO matrix keypad', () => {
  const keypads: GpioMatrixKeypad[] = [];
  afterEach(async () => {
    for (const k of keypads.splice(0)) await k.stop();
  });

  async function setup(debounceMs = 20) {
    const sim = new SimGpio();
    for (const r of ROWS) sim.setLevel(r, true); // pull-ups
    const wiring = new Wiring(sim);
    const keypad = new GpioMatrixKeypad({ name: 'matrix', backend: async () => sim, rows: ROWS, columns: COLS, layout: LAYOUT, debounceMs, scanIntervalMs: 2, activeLow: true, log: SILENT_LOG });
    keypads.push(keypad);
    const got: KioskInput[] = [];
    keypad.on('input', (i) => got.push(i));
    await keypad.start();
    await wiring.attach();
    return { sim, wiring, keypad, got };
  }

  const keys = (got: KioskInput[]) => got.map((i) => (i.kind === 'key' ? i.key : '?'));

  it('emits each key held for the debounce time, once per press, including repeats', async () => {
    const { wiring, got, keypad } = await setup();
    expect(keypad.health()).toMatchObject({ online: true, type: 'gpio-matrix', kind: 'keypad' });
    for (const [i, k] of ['1', '1', '5', '#', '0'].entries()) {
      wiring.down(k);
      await waitFor(() => got.length === i + 1, 2000, `key ${k}`);
      wiring.up();
      await waitFor(() => !keypad.scanning, 2000, 'release');
    }
    expect(keys(got)).toEqual(['1', '1', '5', '#', '0']);
  });

  // (Touches shorter than the debounce time: see the debouncer's own tests, with exact clocks.)
  it('ignores a chord until all keys are released', async () => {
    const { wiring, got } = await setup(40);
    wiring.down('2');
    wiring.down('9');
    await new Promise((r) => setTimeout(r, 120));
    wiring.up();
    await new Promise((r) => setTimeout(r, 80));
    wiring.down('3');
    await waitFor(() => got.length === 1, 2000, 'the clean press');
    wiring.up();
    expect(keys(got)).toEqual(['3']);
  });

  it('is idle (no scanning) when no key is down', async () => {
    const { keypad, wiring } = await setup();
    await new Promise((r) => setTimeout(r, 50));
    const before = keypad.health().counters.scans ?? 0;
    await new Promise((r) => setTimeout(r, 100));
    expect(keypad.health().counters.scans ?? 0).toBe(before);
    wiring.down('4');
    await waitFor(() => (keypad.health().counters.keys ?? 0) === 1, 2000, 'key 4');
    wiring.up();
    expect(keypad.health().counters.scans ?? 0).toBeGreaterThan(before);
  });
});
