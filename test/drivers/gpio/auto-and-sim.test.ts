import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseGpioBackend } from '../../../drivers/gpio/auto.js';
import { KioskGpio } from '../../../drivers/gpio/kiosk-io.js';
import { SimGpio } from '../../../drivers/gpio/sim.js';
import type { PowerSignal, TamperSignal } from '../../../drivers/contracts.js';
import { SILENT_LOG } from '../../../drivers/io/log.js';
import { tempDir } from '../../helpers/fixtures.js';
import { waitFor } from '../../helpers/socat.js';

describe('gpio backend "auto"', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('lockerd-gpio-auto-')));
  afterEach(() => cleanup());

  const make = (o: { chardev?: boolean; tools?: boolean; sysfs?: boolean }) => {
    const dev = join(dir, 'dev');
    const bin = join(dir, 'bin');
    const sys = join(dir, 'sys');
    mkdirSync(dev, { recursive: true });
    mkdirSync(bin, { recursive: true });
    if (o.chardev) writeFileSync(join(dev, 'gpiochip0'), '');
    if (o.tools) {
      writeFileSync(join(bin, 'gpioget'), '#!/bin/sh\n');
      chmodSync(join(bin, 'gpioget'), 0o755);
    }
    if (o.sysfs) {
      mkdirSync(sys, { recursive: true });
      writeFileSync(join(sys, 'export'), '');
    }
    return { devDir: dev, toolsDir: bin, sysfsRoot: sys };
  };

  it('prefers the character device with the libgpiod tools, then sysfs, else says why not', async () => {
    expect(await chooseGpioBackend(make({ chardev: true, tools: true, sysfs: true }))).toMatchObject({ backend: 'gpiod' });
    cleanup();
    ({ dir, cleanup } = tempDir('lockerd-gpio-auto-'));
    expect(await chooseGpioBackend(make({ chardev: true, sysfs: true }))).toMatchObject({ backend: 'sysfs', reason: expect.stringContaining('apt-get install gpiod') });
    cleanup();
    ({ dir, cleanup } = tempDir('lockerd-gpio-auto-'));
    expect(await chooseGpioBackend(make({ chardev: true }))).toMatchObject({ backend: null, reason: expect.stringContaining('apt-get install gpiod') });
    cleanup();
    ({ dir, cleanup } = tempDir('lockerd-gpio-auto-'));
    expect(await chooseGpioBackend(make({}))).toMatchObject({ backend: null, reason: expect.stringContaining('neither /dev/gpiochip*') });
  });
});

describe('cabinet GPIO (tamper, power-fail, buzzer, lights) on the simulated backend', () => {
  const config = {
    tamper: { line: 17, activeLow: true, bias: 'as-is' as const, debounceMs: 100 },
    powerFail: { line: 27, activeLow: false, bias: 'as-is' as const, debounceMs: 100 },
    buzzer: { line: 22, activeLow: false },
    lights: { ok: { line: 5, activeLow: false }, error: { line: 6, activeLow: true }, busy: { line: 13, activeLow: false } },
  };
  let sim: SimGpio;
  let gpio: KioskGpio;

  beforeEach(async () => {
    sim = new SimGpio();
    gpio = new KioskGpio({ backend: async () => sim, config, log: SILENT_LOG, goodBeepMs: 20, errorBeepMs: 10, lightMs: 50 });
    await gpio.start();
  });
  afterEach(() => gpio.stop());

  it('reports debounced tamper changes and ignores bounces shorter than the debounce', async () => {
    expect(gpio.state()).toEqual({ tamperOpen: false, powerLost: false });
    const seen: TamperSignal[] = [];
    gpio.on('tamper', (s) => seen.push(s));
    sim.setLevel(17, false); // active-low: open
    sim.setLevel(17, true); // bounce back at once
    await new Promise((r) => setTimeout(r, 150));
    expect(seen).toEqual([]);
    sim.setLevel(17, false);
    await waitFor(() => seen.length === 1, 1000, 'tamper');
    expect(seen[0]!.open).toBe(true);
    expect(gpio.state().tamperOpen).toBe(true);
  });

  it('reports power lost only once it has held for the debounce time', async () => {
    const seen: PowerSignal[] = [];
    gpio.on('power', (s) => seen.push(s));
    const t0 = Date.now();
    sim.setLevel(27, true);
    await waitFor(() => seen.length === 1, 1000, 'power lost');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
    expect(seen[0]!.lost).toBe(true);
  });

  it('beeps once for good, three times for an error, lights the matching light, and shows busy', async () => {
    const buzz = () => sim.writes.filter((w) => w.line === 22).map((w) => w.level);
    gpio.beep('good');
    await waitFor(() => buzz().length === 3, 1000, 'good beep');
    expect(buzz()).toEqual([false, true, false]); // initial, on, off
    await waitFor(() => sim.writes.filter((w) => w.line === 5).length === 3, 1000, 'ok light off again after lightMs');
    expect(sim.writes.filter((w) => w.line === 5).map((w) => w.level)).toEqual([false, true, false]);
    gpio.beep('error');
    gpio.beep('error'); // while a pattern runs, extra beeps are dropped
    await waitFor(() => buzz().length === 9, 1000, 'error beeps');
    await new Promise((r) => setTimeout(r, 50));
    expect(buzz()).toEqual([false, true, false, true, false, true, false, true, false]);
    expect(sim.writes.filter((w) => w.line === 6).map((w) => w.level).slice(0, 2)).toEqual([true, false]); // active-low light: on = low
    gpio.busy(true);
    await waitFor(() => sim.level(13) === true, 1000, 'busy on');
    gpio.busy(false);
    await waitFor(() => sim.level(13) === false, 1000, 'busy off');
  });

  it('lists its lines for technicians and pulses an output', async () => {
    sim.setLevel(27, true);
    const { lines, backend } = await gpio.lines();
    expect(backend).toBe('simulated GPIO');
    expect(lines.map((l) => [l.name, l.line, l.direction, l.active])).toEqual([
      ['tamper', 17, 'in', false],
      ['powerFail', 27, 'in', true],
      ['buzzer', 22, 'out', false],
      ['lights.ok', 5, 'out', false],
      ['lights.error', 6, 'out', false],
      ['lights.busy', 13, 'out', false],
    ]);
    await gpio.pulse('lights.busy', 20);
    expect(sim.writes.filter((w) => w.line === 13).map((w) => w.level)).toEqual([false, true, false]);
    await expect(gpio.pulse('siren', 10)).rejects.toThrow(/no GPIO output named "siren"/);
  });

  it('keeps working without the lines it cannot open, and without any backend at all', async () => {
    const broken = new KioskGpio({ backend: async () => { throw new Error('gpio.backend "auto" found no GPIO interface'); }, config, log: SILENT_LOG });
    await expect(broken.start()).resolves.toBeUndefined();
    broken.beep('good');
    broken.busy(true);
    expect(broken.state()).toEqual({ tamperOpen: null, powerLost: null });
    expect((await broken.lines()).error).toMatch(/found no GPIO interface/);
    await broken.stop();
  });
});
