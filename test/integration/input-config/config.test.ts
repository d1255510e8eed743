/** The input keys of the configuration: defaults, refusals with clear sentences, and what gets built. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../../src/config/load.js';
import { buildInputs, buildKioskGpio, gpioBackend } from '../../../src/hardware/inputs.js';
import { SimGpio } from '../../../drivers/gpio/sim.js';
import { captureLogger, defaultConfigJson, ROOT } from '../../helpers/fixtures.js';

function problems(over: Record<string, unknown>): string[] {
  try {
    parseConfig(JSON.stringify({ ...defaultConfigJson(), ...over }), 'c.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('scanner, keypad and gpio configuration', () => {
  it('defaults to no real input hardware: only the simulated keypad and scanner, no GPIO line', () => {
    const config = parseConfig(JSON.stringify(defaultConfigJson()), 'default.json');
    expect(config.scanners).toEqual([]);
    expect(config.keypads).toEqual([]);
    expect(config.gpio).toEqual({ backend: 'auto', chip: 'auto', sysfsRoot: '/sys/class/gpio', toolsDir: '/usr/bin', pollMs: 20 });
    const { inputs } = buildInputs(config, captureLogger().log);
    expect(inputs.map((i) => i.name)).toEqual(['sim-keypad', 'sim-scanner']);
    expect(buildKioskGpio(config, captureLogger().log).configured).toBe(false);
  });

  it('builds no simulated keypad or scanner unless the config asks for one: a real locker has none', () => {
    for (const name of ['kerong-cu16', 'clone-8a', 'modbus-rtu', 'systemd-paths']) {
      const config = loadConfig(join(ROOT, 'config', 'examples', `${name}.json`));
      expect(config.simulator, name).toEqual({ keypad: false, scanner: false });
      const { inputs, simKeypad, simScanner } = buildInputs(config, captureLogger().log);
      expect(inputs.map((i) => i.name).filter((n) => n.startsWith('sim-')), name).toEqual([]);
      expect(simKeypad ?? simScanner, name).toBeUndefined();
    }
    const hardware = parseConfig(JSON.stringify({ ...defaultConfigJson(), simulator: undefined, keypads: [{ type: 'hid', vendorId: '04d9', productId: '1203' }] }), 'c.json');
    expect(buildInputs(hardware, captureLogger().log).inputs.map((i) => i.name)).toEqual(['keypad-1']);
    const keypadOnly = parseConfig(JSON.stringify({ ...defaultConfigJson(), simulator: { keypad: true } }), 'c.json');
    expect(buildInputs(keypadOnly, captureLogger().log).inputs.map((i) => i.name)).toEqual(['sim-keypad']);
    // Asked for on real boards (a bench demo): built, with a warning at start.
    const bench = loadConfig(join(ROOT, 'config', 'examples', 'kerong-cu16.json'));
    const logs = captureLogger();
    expect(buildInputs({ ...bench, simulator: { keypad: true, scanner: true } }, logs.log).inputs.map((i) => i.name)).toEqual(['sim-keypad', 'sim-scanner']);
    expect(logs.text()).toContain('simulated inputs on a locker with real lock boards');
    const demoLogs = captureLogger();
    buildInputs(parseConfig(JSON.stringify(defaultConfigJson()), 'default.json'), demoLogs.log);
    expect(demoLogs.text()).not.toContain('simulated inputs');
  });

  it('builds every configured device with its defaults and names', () => {
    const config = parseConfig(
      JSON.stringify({
        ...defaultConfigJson(),
        scanners: [
          { type: 'serial', path: '/dev/serial/by-id/usb-Honeywell-if00' },
          { type: 'hid-pos', name: 'pos', vendorId: '0c2e', productId: '0b61' },
          { type: 'hid-keyboard', hidraw: '/dev/hidraw3' },
        ],
        keypads: [
          { type: 'serial', path: '/dev/ttyUSB0', carriageReturn: 'enter' },
          { type: 'hid', vendorId: '04D9', productId: '1203' },
          { type: 'gpio-matrix', rows: [5, 6, 13, 19], columns: [12, 16, 20] },
        ],
        gpio: { backend: 'sim', tamper: { line: 17 }, powerFail: { line: 27, activeLow: true }, lights: { busy: { line: 4 } } },
      }),
      'c.json',
    );
    expect(config.scanners[0]).toEqual({ type: 'serial', path: '/dev/serial/by-id/usb-Honeywell-if00', baudRate: 9600, reopenMinMs: 500, reopenMaxMs: 30000 });
    expect(config.keypads[2]).toMatchObject({ layout: ['123', '456', '789', '*0#'], debounceMs: 30, scanIntervalMs: 10, activeLow: true });
    expect(config.gpio.tamper).toEqual({ line: 17, activeLow: false, bias: 'as-is', debounceMs: 50 });
    expect(config.gpio.powerFail).toEqual({ line: 27, activeLow: true, bias: 'as-is', debounceMs: 2000 });
    const { inputs } = buildInputs(config, captureLogger().log);
    expect(inputs.map((i) => [i.name, (i as unknown as { type?: string }).type ?? 'sim'])).toEqual([
      ['sim-keypad', 'sim'], ['sim-scanner', 'sim'],
      ['scanner-1', 'serial'], ['pos', 'hid-pos'], ['scanner-3', 'hid-keyboard'],
      ['keypad-1', 'serial'], ['keypad-2', 'hid'], ['keypad-3', 'gpio-matrix'],
    ]);
  });

  it('shares one GPIO backend between the matrix keypad and the cabinet signals', async () => {
    const config = parseConfig(JSON.stringify({ ...defaultConfigJson(), gpio: { backend: 'sim' } }), 'c.json');
    const a = await gpioBackend(config)();
    expect(a).toBeInstanceOf(SimGpio);
    expect(await gpioBackend(config)()).toBe(a);
  });

  it('refuses bad input settings, one sentence each', () => {
    expect(problems({ scanners: [{ type: 'usb', path: '/dev/x' }] })).toEqual([expect.stringMatching(/^scanners\[0\]\.type: "usb" is not one of serial, hid-pos, hid-keyboard/)]);
    expect(problems({ scanners: [{ type: 'serial' }] })).toEqual(['scanners[0]: missing required key "path"']);
    expect(problems({ scanners: [{ type: 'hid-pos', vendorId: '0c2e' }] })).toEqual([
      'scanners[0]: a USB HID scanner needs "vendorId" and "productId" (as lsusb prints them, e.g. "0c2e") or a "hidraw" path',
    ]);
    expect(problems({ scanners: [{ type: 'hid-pos', vendorId: '0x0c2e', productId: '0b61' }] })[0]).toMatch(/^scanners\[0\]\.vendorId: .*4 hexadecimal digits/);
    expect(problems({ keypads: [{ type: 'gpio-matrix', rows: [1, 2], columns: [3, 4, 5], layout: ['123', '45'], debounceMs: 5 }] })).toEqual([
      'keypads[0].debounceMs: 5 is below the minimum 20',
    ]);
    expect(problems({ keypads: [{ type: 'gpio-matrix', rows: [1, 2], columns: [3, 4, 5], layout: ['123', '45'] }] })).toEqual(['keypads[0].layout[1]: "45" has 2 key(s) for 3 column line(s)']);
    expect(problems({ keypads: [{ type: 'gpio-matrix', rows: [1, 2], columns: [3, 4], layout: ['1x', '23'] }] })[0]).toMatch(/^keypads\[0\]\.layout\[0\]: "1x" is not valid: expected one string per row/);
  });

  it('cross-checks names, serial paths and GPIO lines', () => {
    expect(
      problems({
        scanners: [{ type: 'serial', path: '/dev/ttyACM0', name: 'front' }, { type: 'serial', path: '/dev/ttyACM0', name: 'sim-keypad' }],
        keypads: [{ type: 'serial', path: '/dev/ttyUSB0', name: 'front' }, { type: 'gpio-matrix', rows: [17, 6], columns: [7, 8, 9], layout: ['123', '456'] }],
        gpio: { tamper: { line: 17 }, buzzer: { line: 9 } },
      }),
    ).toEqual([
      'scanners[1].name: "sim-keypad" is already used by the simulated keypad; every scanner and keypad needs a name of its own',
      'scanners[1].path: "/dev/ttyACM0" is already used by scanners[0]; one serial port serves one device',
      'keypads[0].name: "front" is already used by scanners[0]; every scanner and keypad needs a name of its own',
      'gpio.tamper.line: GPIO line 17 is already used by keypads[1].rows[0]',
      'gpio.buzzer.line: GPIO line 9 is already used by keypads[1].columns[2]',
    ]);
  });
});
