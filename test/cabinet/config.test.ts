/** The cabinet section: defaults (off), the shipped example, and settings that cannot work refused with a sentence naming the keys. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cabinetConfigProblems } from '../../src/cabinet/config.js';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { ROOT, testConfig, testConfigJson } from '../helpers/fixtures.js';

function problemsOf(cabinet: Record<string, unknown>, extra: Record<string, unknown> = {}): string[] {
  try {
    parseConfig(JSON.stringify({ ...testConfigJson('/tmp/x'), ...extra, cabinet }), 'c.json');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('the cabinet config', () => {
  it('is off by default and the example turns it on with a simulated climate', () => {
    expect(testConfig('/tmp/x').cabinet.enabled).toBe(false);
    const example = loadConfig(join(ROOT, 'config', 'examples', 'outdoor-cabinet.json'));
    expect(example.cabinet).toMatchObject({ enabled: true, heater: { line: 5 }, fan: { line: 6 }, brightness: { mode: 'schedule', backlight: 'sim' } });
    expect(example.cabinet.sensors.map((s) => s.kind)).toEqual(['sim', 'sim']);
    expect(cabinetConfigProblems(example)).toEqual([]);
  });

  it('refuses bands without hysteresis, overlapping bands and a shared line, naming the keys', () => {
    expect(problemsOf({ heater: { line: 5, onBelowC: 10, offAboveC: 10 }, fan: { line: 5, onAboveC: 30, offBelowC: 8 } })).toEqual([
      'cabinet.heater: offAboveC (10) must be at least 0.5 °C above onBelowC (10); without that band the heater would switch at every poll',
      "cabinet.heater.offAboveC (10) must be below cabinet.fan.offBelowC (8): the heater's and the fan's bands overlap, so they would fight each other",
      'cabinet.fan.line: 5 is also cabinet.heater.line; each needs its own GPIO line',
    ]);
    expect(problemsOf({ fan: { line: 17 } }, { gpio: { tamper: { line: 17 } } })).toEqual(['cabinet.fan.line: 17 is already gpio.tamper; each output needs its own GPIO line']);
  });

  it('refuses sensors and brightness that do not fit', () => {
    expect(
      problemsOf({
        sensors: [{ id: 'a', kind: 'ds18b20', quantity: 'humidity' }, { id: 'a', kind: 'sim' }],
        brightness: { mode: 'light', light: { sensor: 'a' } },
        sensorLost: { afterMs: 60_000 },
        pollMs: 60_000,
      }),
    ).toEqual([
      'cabinet.sensors[0]: a DS18B20 measures temperature only, not humidity',
      'cabinet.sensors[1].id: "a" is already used by cabinet.sensors[0]',
      'cabinet.sensorLost.afterMs (60000) must be longer than cabinet.pollMs (60000), or every sensor is lost between two polls',
      'cabinet.brightness.light.sensor: "a" measures humidity, not illuminance',
    ]);
    expect(problemsOf({ brightness: { mode: 'schedule', schedule: [{ from: '25:00', percent: 50 }] } })[0]).toMatch(/^cabinet\.brightness\.schedule\[0\]\.from: "25:00" is not valid: expected a time of day as HH:MM/);
    expect(problemsOf({ sensors: [{ id: 'x', kind: 'thermistor' }] })[0]).toMatch(/^cabinet\.sensors\[0\]\.kind/);
  });
});
