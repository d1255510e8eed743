import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gpiodArgs, GpiodTools, parseGpiodetect, parseGpiodVersion, parseMonitorLine } from '../../../drivers/gpio/gpiod.js';
import type { GpioInput, GpioOutput } from '../../../drivers/gpio/types.js';
import { tempDir } from '../../helpers/fixtures.js';
import { waitFor } from '../../helpers/socat.js';
import { FakeGpiod } from './fake-gpiod.js';

describe('libgpiod tool arguments and output, v1.6 vs v2', () => {
  it('builds the arguments of each version', () => {
    expect(gpiodArgs.get(1, 'gpiochip0', 17)).toEqual(['gpiochip0', '17']);
    expect(gpiodArgs.get(1, 'gpiochip0', 17, 'pull-up')).toEqual(['-B', 'pull-up', 'gpiochip0', '17']);
    expect(gpiodArgs.get(2, 'gpiochip0', 17, 'disable')).toEqual(['--numeric', '-c', 'gpiochip0', '-b', 'disabled', '17']);
    expect(gpiodArgs.hold(1, 'gpiochip0', 22, true)).toEqual(['-m', 'wait', 'gpiochip0', '22=1']);
    expect(gpiodArgs.hold(2, 'gpiochip0', 22, false)).toEqual(['-c', 'gpiochip0', '22=0']);
    expect(gpiodArgs.monitor(1, 'gpiochip0', 27, 'as-is', 50)).toEqual(['-b', '-F', '%e %o', 'gpiochip0', '27']); // v1.6 has no debounce
    expect(gpiodArgs.monitor(2, 'gpiochip0', 27, 'pull-up', 50)).toEqual(['-F', '%e %o', '-c', 'gpiochip0', '-b', 'pull-up', '-p', '50ms', '27']);
  });

  it('reads versions, gpiodetect and monitor lines', () => {
    expect(parseGpiodVersion('gpioget (libgpiod) v1.6.3\nCopyright')).toBe(1);
    expect(parseGpiodVersion('gpioget (libgpiod) v2.1.2')).toBe(2);
    expect(parseGpiodVersion('gpioget 0.1')).toBeNull();
    expect(parseGpiodetect('gpiochip0 [pinctrl-bcm2711] (58 lines)\ngpiochip1 [raspberrypi-exp-gpio] (8 lines)\n')).toEqual([
      { name: 'gpiochip0', label: 'pinctrl-bcm2711', lines: 58 },
      { name: 'gpiochip1', label: 'raspberrypi-exp-gpio', lines: 8 },
    ]);
    expect(parseMonitorLine(1, '1 17')).toEqual({ line: 17, level: true });
    expect(parseMonitorLine(1, '0 17')).toEqual({ line: 17, level: false });
    expect(parseMonitorLine(2, '2 17')).toEqual({ line: 17, level: false });
    expect(parseMonitorLine(2, '0 17')).toBeNull(); // not an edge type in v2
    expect(parseMonitorLine(1, '2 17')).toBeNull();
    expect(parseMonitorLine(2, 'event: RISING EDGE offset: 17')).toBeNull();
  });
});

describe.each([1, 2] as const)('libgpiod tools v%d (fake tools)', (version) => {
  let dir: string;
  let cleanup: () => void;
  let tools: FakeGpiod;
  const open: (GpioInput | GpioOutput)[] = [];

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('lockerd-gpiod-'));
    tools = new FakeGpiod(join(dir, 'bin'), version);
  });

  afterEach(async () => {
    for (const l of open.splice(0)) await l.close();
    // Last resort: no fake tool outlives its test, whatever failed.
    for (const pid of tools.alive()) process.kill(pid, 'SIGKILL');
    cleanup();
  });

  it('finds the header chip by label and reads an input with the right arguments', async () => {
    const gpio = new GpiodTools({ toolsDir: tools.dir });
    tools.setLevel(17, true);
    const input = await gpio.openInput(17, { activeLow: true, bias: 'pull-up' });
    open.push(input);
    expect(await input.read()).toBe(false);
    tools.setLevel(17, false);
    expect(await input.read()).toBe(true);
    expect(gpio.describe()).toContain(`v${version} tools, chip gpiochip0`);
    const get = tools.calls('gpioget').filter((c) => c.args[0] !== '--version');
    expect(get[0]!.args).toEqual(version === 1 ? ['-B', 'pull-up', 'gpiochip0', '17'] : ['--numeric', '-c', 'gpiochip0', '-b', 'pull-up', '17']);
    const byLabel = new GpiodTools({ toolsDir: tools.dir, chip: 'raspberrypi-exp-gpio' });
    expect((await byLabel.setup()).chip).toBe('gpiochip1');
    await expect(new GpiodTools({ toolsDir: tools.dir, chip: 'pinctrl-rp1' }).setup()).rejects.toThrow(/no GPIO chip "pinctrl-rp1" \(gpiodetect found: gpiochip0 \[pinctrl-bcm2711\], gpiochip1 \[raspberrypi-exp-gpio\]\)/);
  });

  it('watches an input with gpiomon, tracking its value from the edges, and restarts gpiomon if it dies', async () => {
    const gpio = new GpiodTools({ toolsDir: tools.dir, restartMs: 50 });
    const input = await gpio.openInput(27, { debounceMs: 20 });
    open.push(input);
    const seen: boolean[] = [];
    input.watch((v) => seen.push(v));
    await waitFor(() => tools.calls('gpiomon').length === 1, 3000, 'gpiomon started');
    const mon = tools.calls('gpiomon')[0]!;
    expect(mon.args).toEqual(version === 1 ? ['-b', '-F', '%e %o', 'gpiochip0', '27'] : ['-F', '%e %o', '-c', 'gpiochip0', '-p', '20ms', '27']);
    await waitFor(() => existsSync(join(tools.state, `mon-ready-${mon.pid}`)), 3000, 'gpiomon up');
    tools.setLevel(27, true);
    await waitFor(() => seen.length === 1, 3000, 'rising edge');
    const gets = tools.calls('gpioget').length;
    expect(await input.read()).toBe(true); // from the events: the line is held by gpiomon
    expect(tools.calls('gpioget').length).toBe(gets);
    process.kill(mon.pid, 'SIGKILL'); // gpiomon dies
    await waitFor(() => tools.calls('gpiomon').length === 2, 3000, 'gpiomon restarted');
    const mon2 = tools.calls('gpiomon')[1]!;
    await waitFor(() => existsSync(join(tools.state, `mon-ready-${mon2.pid}`)), 3000, 'gpiomon up again');
    tools.setLevel(27, false);
    await waitFor(() => seen.length === 2, 3000, 'falling edge after the restart');
    expect(seen).toEqual([true, false]);
    await input.close();
    open.length = 0;
    await waitFor(() => tools.alive().length === 0, 3000, 'no tool process left');
  });

  it('holds an output with one gpioset, replaced on each write, and leaves no process behind', async () => {
    // The fake tools are node scripts: under load they start slowly, so levels are awaited.
    const gpio = new GpiodTools({ toolsDir: tools.dir });
    const buzzer = await gpio.openOutput(22, { activeLow: true });
    open.push(buzzer); // closed by afterEach even if an assertion fails
    await waitFor(() => tools.level(22), 3000, 'inactive = high for active-low');
    await buzzer.write(true);
    await waitFor(() => !tools.level(22), 3000, 'active = low');
    await Promise.all([buzzer.write(false), buzzer.write(true), buzzer.write(false)]); // serialised, never EBUSY
    expect(buzzer.value).toBe(false);
    // Exactly one gpioset holds the line, with the last value. (A gpioset replaced while still
    // starting up may never have logged its call: the fake tools are slow node scripts.)
    const holders = () => tools.calls('gpioset').filter((c) => tools.alive().includes(c.pid));
    await waitFor(() => holders().length === 1 && holders()[0]!.args.at(-1) === '22=1' && tools.level(22), 3000, 'last write held');
    const sets = tools.calls('gpioset');
    expect(sets.length).toBeGreaterThanOrEqual(3);
    expect(sets.length).toBeLessThanOrEqual(5);
    expect(sets[1]!.args).toEqual(version === 1 ? ['-m', 'wait', 'gpiochip0', '22=0'] : ['-c', 'gpiochip0', '22=0']);
    await buzzer.close();
    open.length = 0;
    await waitFor(() => tools.alive().length === 0, 3000, 'gpioset gone');
  });

  it('reports a busy line and missing tools clearly', async () => {
    // A failing gpioset exits at once; the window is wide here because the fake tools start slowly.
    const gpio = new GpiodTools({ toolsDir: tools.dir, confirmMs: 1500 });
    const holder = await gpio.openOutput(5);
    open.push(holder);
    await expect(gpio.openOutput(5)).rejects.toThrow(/Device or resource busy/);
    await expect(new GpiodTools({ toolsDir: join(dir, 'nothing') }).openInput(1)).rejects.toThrow(/libgpiod tools are not installed in .* \(apt-get install gpiod\)/);
  });
});
