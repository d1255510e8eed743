/**
 * The built daemon on config/examples/outdoor-cabinet.json (its files moved to a temp dir, the
 * simulated keypad and scanner added so a courier and a resident can be typed): lockerctl drives
 * the simulated climate through a cold snap, a DS18B20 power-on value, an unplugged sensor and a
 * heat wave, and reads it back with `lockerctl climate`; the outbox carries the alarms; a deposit
 * and a pickup still work meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon, jsonCtl, lockerctl } from '../helpers/daemon.js';
import { exampleConfig, exampleJson, tempDir } from '../helpers/fixtures.js';

describe('the outdoor cabinet example, driven with lockerctl', () => {
  let dir: string;
  let cleanup: () => void;
  let configPath: string;
  let daemon: Daemon;
  const ctl = (...args: string[]) => lockerctl(['--config', configPath, ...args]);
  const { json } = jsonCtl(() => configPath);
  const outboxTypes = async (): Promise<string[]> => (await json('outbox', '--limit', '200')).events.map((e: { type: string }) => e.type).reverse();

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('lockerd-e2e-cabinet-'));
    const example = exampleJson('outdoor-cabinet.json');
    configPath = exampleConfig('outdoor-cabinet.json', dir, {
      simulator: { keypad: true, scanner: true },
      // Polls come from lockerctl in this test: the daemon's own timer stays out of the way.
      cabinet: { ...example.cabinet, pollMs: 3_600_000, sensorLost: { afterRejected: 3, afterMs: 7_200_000 }, telemetryMs: 3_600_000 },
    });
    daemon = Daemon.spawn(configPath);
    await daemon.ready();
  });

  afterAll(async () => {
    await daemon?.stop();
    cleanup?.();
  });

  it('shows the climate, heats a cold cabinet and raises too_cold once', async () => {
    const start = await json('climate');
    expect(start).toMatchObject({ enabled: true, heater: { wired: true, line: 5, on: false }, fan: { wired: true, line: 6, on: false }, alarms: { tooCold: false, tooHot: false, blind: false } });
    expect(start.sensors.map((s: { id: string; value: number }) => [s.id, s.value])).toEqual([['cabinet-top', 18], ['cabinet-humidity', 60]]);
    expect(start.brightness).toMatchObject({ mode: 'schedule', backlight: 'simulated backlight' });
    expect([100, 60, 25]).toContain(start.brightness.percent);

    const cold = await json('sim', 'climate', '--temp', '-15');
    expect(cold).toMatchObject({ heater: { on: true }, fan: { on: false }, alarms: { tooCold: true } });
    await json('sim', 'climate', '--temp', '-14');
    expect((await outboxTypes()).filter((t) => t === 'cabinet.too_cold')).toHaveLength(1);

    const human = await ctl('climate');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('heater: ON (GPIO 5');
    expect(human.stdout).toContain('alarms: TOO COLD');
    // The technician's self-test says it too (selftest exits 0: a warning, not a failure).
    const selftest = await json('selftest');
    expect(selftest.checks.find((c: { check: string }) => c.check === 'cabinet climate')).toEqual({ check: 'cabinet climate', verdict: 'warn', detail: 'the cabinet is too cold (lockerctl climate)' });
  });

  it("refuses a DS18B20's 85 °C with its reason, and changes nothing", async () => {
    const before = await outboxTypes();
    const r = await json('sim', 'climate', '--reading', '85');
    const top = r.sensors.find((s: { id: string }) => s.id === 'cabinet-top');
    expect(top).toMatchObject({ lost: false, value: -14, rejectedInARow: 1, lastReason: 'power_on_value' });
    expect(r.heater.on).toBe(true);
    expect(r.alarms.tooHot).toBe(false);
    expect(await outboxTypes()).toEqual(before);
    expect((await ctl('climate')).stdout).toMatch(/power_on_value: 85\.000 °C is the DS18B20 power-on value/);
  });

  it('an unplugged sensor: lost after three polls, heater off and fan on, back when plugged in', async () => {
    for (let i = 0; i < 3; i++) await json('sim', 'climate', '--sensor-lost');
    const lost = await json('climate');
    expect(lost).toMatchObject({ heater: { on: false }, fan: { on: true }, alarms: { blind: true, lost: ['cabinet-humidity', 'cabinet-top'] } });
    const back = await json('sim', 'climate', '--sensor-back');
    expect(back.alarms).toMatchObject({ blind: false, lost: [] });
    const types = await outboxTypes();
    expect(types.filter((t) => t === 'cabinet.sensor_lost')).toHaveLength(2);
    expect(types.filter((t) => t === 'cabinet.sensor_back')).toHaveLength(2);
  });

  it('a heat wave: too_hot once, the heater off, then climate_ok', async () => {
    await json('sim', 'climate', '--temp', '60');
    const hot = await json('sim', 'climate', '--temp', '61');
    expect(hot).toMatchObject({ heater: { on: false }, fan: { on: true }, alarms: { tooHot: true, tooCold: false } });
    await json('sim', 'climate', '--temp', '20');
    const types = await outboxTypes();
    expect(types.filter((t) => t === 'cabinet.too_hot')).toHaveLength(1);
    expect(types.filter((t) => t === 'cabinet.climate_ok')).toHaveLength(2); // too_cold cleared by the heat, then too_hot
    const audit = (await json('audit', '--limit', '100')).map((a: { action: string }) => a.action);
    expect(audit).toContain('cabinet.too_hot');
    expect(audit).toContain('sim.climate_set');
  });

  it('refuses bad lockerctl input with a clear message and exit 64', async () => {
    const notNumber = await ctl('sim', 'climate', '--temp', 'hot');
    expect(notNumber).toMatchObject({ code: 64, stdout: '' });
    expect(notNumber.stderr).toContain('--temp takes a temperature in °C');
    const nothing = await ctl('sim', 'climate');
    expect(nothing.code).toBe(64);
    expect(nothing.stderr).toContain('say what to simulate');
    const far = await ctl('sim', 'climate', '--temp', '500');
    expect(far.code).toBe(64);
    expect(far.stderr).toContain('from -100 to 200');
    expect((await ctl('climate', 'now')).code).toBe(64);
  });

  it('still takes a deposit and a pickup', async () => {
    expect((await json('sim', 'keys', '111111#')).displays[0].text).toBe('Hello UPS. Scan a parcel, or press * to log out.');
    expect((await json('sim', 'scan', '1Z999AA10123456784')).state).toBe('courier_unit');
    expect((await json('sim', 'keys', '101#')).state).toBe('courier_size');
    const opened = await json('sim', 'keys', '#');
    const compartment = /^Door (\w+) is open/.exec(opened.displays[0].text)![1]!;
    expect((await json('sim', 'door', compartment, 'close')).displays[0].text).toBe(`Parcel stored in ${compartment}. Scan the next parcel, or press * to log out.`);
    await json('sim', 'keys', '*');
    const code: string = (await json('outbox', '--reveal-codes', '--limit', '200')).events.find((e: { type: string }) => e.type === 'parcel.deposited').data.code;
    expect((await json('sim', 'keys', `${code}#`)).displays[0].text).toBe(`Door ${compartment} is open. Take your parcel and close the door.`);
    expect((await json('sim', 'door', compartment, 'close')).displays[0].text).toBe('Thank you. All your parcels are collected.');
    expect((await json('parcels'))[0]).toMatchObject({ state: 'picked_up', unit: '101', compartmentId: compartment });
    expect(daemon.output).not.toContain(code);
  }, 45_000);
});
