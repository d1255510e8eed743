import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listSysfsChips, SysfsGpio } from '../../../drivers/gpio/sysfs.js';
import { GpioError } from '../../../drivers/gpio/types.js';
import { tempDir } from '../../helpers/fixtures.js';
import { waitFor } from '../../helpers/socat.js';
import { FakeSysfs } from './fake-sysfs.js';

describe('sysfs GPIO against a fake /sys/class/gpio', () => {
  let dir: string;
  let cleanup: () => void;
  let sys: FakeSysfs;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('lockerd-sysfs-'));
    sys = new FakeSysfs(join(dir, 'gpio'));
  });

  afterEach(() => {
    sys.stop();
    cleanup();
  });

  it('finds the Pi header chip by its label and adds its base (6.6+ kernels)', async () => {
    expect(await listSysfsChips(sys.root)).toEqual([
      { name: 'gpiochip512', label: 'pinctrl-bcm2711', base: 512, ngpio: 58 },
      { name: 'gpiochip570', label: 'raspberrypi-exp-gpio', base: 570, ngpio: 8 },
    ]);
    const gpio = new SysfsGpio({ root: sys.root, pollMs: 5 });
    expect(await gpio.sysfsNumber(17)).toBe(529);
    expect(gpio.describe()).toContain('base 512');
    const byLabel = new SysfsGpio({ root: sys.root, chip: 'raspberrypi-exp-gpio' });
    expect(await byLabel.sysfsNumber(2)).toBe(572);
    const byName = new SysfsGpio({ root: sys.root, chip: 'gpiochip570' });
    expect(await byName.sysfsNumber(7)).toBe(577);
    await expect(byName.sysfsNumber(8)).rejects.toThrow(/line 8 does not exist on gpiochip570 \[raspberrypi-exp-gpio\], which has lines 0 to 7/);
  });

  it('reads and watches an input, inverting active-low in software, and unexports it on close', async () => {
    const gpio = new SysfsGpio({ root: sys.root, pollMs: 5 });
    const tamper = await gpio.openInput(17, { activeLow: true });
    expect(sys.exports).toEqual([529]);
    expect(sys.file(529, 'direction')).toBe('in');
    expect(sys.file(529, 'active_low')).toBe('0');
    expect(await tamper.read()).toBe(true); // low = active when active-low
    sys.setLevel(529, true);
    expect(await tamper.read()).toBe(false);
    // Watching reports changes since the line was opened: none is lost before polling starts.
    const seen: boolean[] = [];
    const off = tamper.watch((v) => seen.push(v));
    await waitFor(() => seen.length === 1, 2000, 'change since open');
    sys.setLevel(529, false);
    await waitFor(() => seen.length === 2, 2000, 'change seen');
    sys.setLevel(529, true);
    await waitFor(() => seen.length === 3, 2000, 'second change seen');
    expect(seen).toEqual([false, true, false]);
    off();
    await tamper.close();
    await waitFor(() => !sys.exported(529), 2000, 'unexport');
    expect(sys.unexports).toEqual([529]);
  });

  it('drives an output glitch-free from its first value, and leaves lines it did not export', async () => {
    sys.exportNow(534); // line 22, exported before we came
    const gpio = new SysfsGpio({ root: sys.root });
    const buzzer = await gpio.openOutput(22, { activeLow: false });
    expect(sys.file(534, 'direction')).toBe('low');
    await buzzer.write(true);
    expect(sys.file(534, 'value')).toBe('1');
    expect(buzzer.value).toBe(true);
    const light = await gpio.openOutput(5, { activeLow: true }); // 517
    expect(sys.file(517, 'direction')).toBe('high'); // inactive = high for active-low
    await light.write(true);
    expect(sys.file(517, 'value')).toBe('0');
    await buzzer.close();
    await light.close();
    await waitFor(() => !sys.exported(517), 2000, 'unexport of the line we exported');
    expect(sys.exported(534)).toBe(true);
    expect(sys.exports).toEqual([517]);
  });

  it('explains what is wrong: no sysfs, unknown chip, failed export, export that never appears', async () => {
    await expect(new SysfsGpio({ root: join(dir, 'nope') }).openInput(17)).rejects.toThrow(/no \/sys\/class\/gpio: use "gpio.backend": "gpiod"/);
    await expect(new SysfsGpio({ root: sys.root, chip: 'pinctrl-rp1' }).openInput(17)).rejects.toThrow(
      /no GPIO chip "pinctrl-rp1" under .* \(found: gpiochip512 \[pinctrl-bcm2711\], gpiochip570 \[raspberrypi-exp-gpio\]\)/,
    );
    const slow = new SysfsGpio({ root: sys.root, exportTimeoutMs: 100 });
    sys.stop(); // the "kernel" ignores the export
    const err = await slow.openInput(3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpioError);
    expect(String(err)).toMatch(/did not become writable within 100 ms/);
    rmSync(join(sys.root, 'export'));
    mkdirSync(join(sys.root, 'export'));
    await expect(new SysfsGpio({ root: sys.root }).openInput(4)).rejects.toThrow(/cannot export GPIO line 4 \(sysfs 516\)/);
  });
});
