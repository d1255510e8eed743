/**
 * The core's reaction to the cabinet's signals, on a real ledger: tamper and power loss become
 * audit rows and contract-valid outbox events in one transaction; power loss checkpoints the
 * ledger and asks for a clean shutdown, once; kiosk tones drive the buzzer and lights.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KioskGpio } from '../../../drivers/gpio/kiosk-io.js';
import { SimGpio } from '../../../drivers/gpio/sim.js';
import { SILENT_LOG } from '../../../drivers/io/log.js';
import type { Display } from '../../../src/kiosk/session.js';
import { KioskSignalsUnit } from '../../../src/kiosk/signals.js';
import { Ledger } from '../../../src/ledger/ledger.js';
import { EVENT_DATA, type EventType } from '../../../src/sync/contract.js';
import { captureLogger, tempDir } from '../../helpers/fixtures.js';
import { waitFor } from '../../helpers/socat.js';

const TAMPER = 17;
const POWER = 27;
const BUZZER = 22;
const BUSY = 13;

class FakeKiosk extends EventEmitter {
  state = 'idle';
  say(text: string, tone: Display['tone'], state: string): void {
    this.state = state;
    this.emit('display', { text, tone, at: Date.now() });
  }
}

const ajv = new Ajv();
function contractValid(type: string, data: unknown): boolean {
  return ajv.compile(EVENT_DATA[type as EventType].schema as object)(data);
}

describe('cabinet signals in the core', () => {
  let dir: string;
  let cleanup: () => void;
  let ledger: Ledger;
  let sim: SimGpio;
  let units: KioskSignalsUnit[];

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('lockerd-signals-'));
    ledger = Ledger.open({ path: join(dir, 'l.db'), keyFile: join(dir, 'l.key') });
    sim = new SimGpio();
    sim.setLevel(TAMPER, false);
    sim.setLevel(POWER, false);
    units = [];
  });

  afterEach(async () => {
    for (const u of units) await u.stop();
    ledger.close();
    cleanup();
  });

  function unit(kiosk = new FakeKiosk()) {
    const gpio = new KioskGpio({
      backend: async () => sim,
      config: {
        tamper: { line: TAMPER, activeLow: false, bias: 'as-is', debounceMs: 10 },
        powerFail: { line: POWER, activeLow: false, bias: 'as-is', debounceMs: 150 },
        buzzer: { line: BUZZER, activeLow: false },
        lights: { busy: { line: BUSY, activeLow: false } },
      },
      log: SILENT_LOG,
      goodBeepMs: 5,
      errorBeepMs: 5,
    });
    const shutdown = vi.fn();
    const { log, text } = captureLogger();
    const u = new KioskSignalsUnit({ ledger, kiosk, signals: gpio, feedback: gpio, log, requestShutdown: shutdown });
    units.push(u);
    return { u, shutdown, kiosk, text };
  }

  const events = () => ledger.outbox.list({ afterSeq: 0, limit: 100 }).map((e) => ({ type: e.type, data: e.data }));
  const actions = () => ledger.audit.recent(100).map((a) => a.action).reverse();

  it('records every tamper change once, as audit and a contract-valid kiosk.tamper event', async () => {
    const { u } = unit();
    await u.start();
    expect(events()).toEqual([]); // a closed cabinet at start is not an event
    sim.setLevel(TAMPER, true);
    await waitFor(() => events().length === 1, 2000, 'tamper opened');
    sim.setLevel(TAMPER, false);
    await waitFor(() => events().length === 2, 2000, 'tamper closed');
    expect(events()).toEqual([{ type: 'kiosk.tamper', data: { open: true } }, { type: 'kiosk.tamper', data: { open: false } }]);
    for (const e of events()) expect(contractValid(e.type, e.data)).toBe(true);
    expect(actions()).toEqual(['kiosk.tamper_opened', 'kiosk.tamper_closed']);

    // Opened while the daemon was down: recorded at the next start, and only once.
    await u.stop();
    sim.setLevel(TAMPER, true);
    const again = unit();
    await again.u.start();
    await again.u.stop();
    const third = unit();
    await third.u.start();
    expect(events().map((e) => e.data)).toEqual([{ open: true }, { open: false }, { open: true }]);
  });

  it('on power loss: records kiosk.power_lost, checkpoints the ledger, asks for shutdown once', async () => {
    const checkpoint = vi.spyOn(ledger, 'checkpoint');
    const { u, shutdown, text } = unit();
    await u.start();
    sim.setLevel(POWER, true);
    sim.setLevel(POWER, false); // a blip shorter than the debounce: nothing
    await new Promise((r) => setTimeout(r, 250));
    expect(shutdown).not.toHaveBeenCalled();
    sim.setLevel(POWER, true);
    await waitFor(() => shutdown.mock.calls.length === 1, 2000, 'shutdown request');
    expect(events()).toEqual([{ type: 'kiosk.power_lost', data: {} }]);
    expect(contractValid('kiosk.power_lost', {})).toBe(true);
    expect(actions()).toEqual(['kiosk.power_lost']);
    expect(checkpoint).toHaveBeenCalledTimes(1);
    // The event was committed before the checkpoint and the shutdown request.
    expect(checkpoint.mock.invocationCallOrder[0]!).toBeLessThan(shutdown.mock.invocationCallOrder[0]!);
    expect(text()).toContain('shutting down cleanly');

    // systemd restarts the daemon while the power is still out: no second event, no second shutdown.
    await u.stop();
    const restarted = unit();
    await restarted.u.start();
    expect(restarted.shutdown).not.toHaveBeenCalled();
    expect(events()).toHaveLength(1);
    expect(restarted.text()).toContain('running on UPS battery');
    // Power comes back: audited (no upstream event type exists for it).
    sim.setLevel(POWER, false);
    await waitFor(() => actions().includes('kiosk.power_restored'), 2000, 'power restored');
    expect(events()).toHaveLength(1);
  });

  it('records a power loss found at start without shutting down (systemd would only restart it)', async () => {
    sim.setLevel(POWER, true);
    const { u, shutdown } = unit();
    await u.start();
    expect(events()).toEqual([{ type: 'kiosk.power_lost', data: {} }]);
    expect(shutdown).not.toHaveBeenCalled();
  });

  it('beeps for success and error tones and keeps the busy light on while a session runs', async () => {
    const kiosk = new FakeKiosk();
    const { u } = unit(kiosk);
    await u.start();
    const buzz = () => sim.writes.filter((w) => w.line === BUZZER && w.level).length;
    kiosk.say('Hello UPS', 'success', 'courier_scan');
    await waitFor(() => buzz() === 1, 1000, 'good beep');
    expect(sim.level(BUSY)).toBe(true);
    await new Promise((r) => setTimeout(r, 30));
    kiosk.say('Wrong PIN', 'error', 'idle');
    await waitFor(() => buzz() === 4, 1000, 'error beep (three)');
    await waitFor(() => sim.level(BUSY) === false, 1000, 'busy light off');
    kiosk.say('Scan a parcel', 'info', 'idle');
    await new Promise((r) => setTimeout(r, 30));
    expect(buzz()).toBe(4);
  });
});
