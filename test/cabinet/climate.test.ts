/**
 * The climate unit on a real ledger, with the simulated climate and simulated GPIO, on a
 * simulated clock: a cold night and a hot afternoon. What is checked is what the cabinet and
 * upstream see: the heater's and fan's GPIO levels (their timing against the min on/off times),
 * the outbox events (each valid against the MQTT contract), the audit rows, the ledger commits.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimGpio } from '../../drivers/gpio/sim.js';
import { ClimateUnit } from '../../src/cabinet/climate.js';
import { buildClimateHardware } from '../../src/hardware/cabinet.js';
import type { LockerdConfig } from '../../src/config/types.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { describeErrors, validators } from '../../src/sync/validate.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';

const MIN = 60_000;
const HEATER = 5;
const FAN = 6;

/** The contract's verdict on an outbox event's data: null when valid. */
function contractProblem(type: string, data: unknown): string | null {
  const v = validators.eventData.get(type)!;
  return v(data) ? null : describeErrors(v, type);
}

function cabinetConfig(dir: string, over: Record<string, unknown> = {}): LockerdConfig {
  return testConfig(dir, {
    gpio: { backend: 'sim' },
    cabinet: {
      enabled: true,
      pollMs: 10_000,
      telemetryMs: 15 * MIN,
      sensors: [
        { id: 'top', kind: 'sim' },
        { id: 'humidity', kind: 'sim', quantity: 'humidity' },
      ],
      heater: { line: HEATER, onBelowC: 5, offAboveC: 10, minOnMs: 5 * MIN, minOffMs: 5 * MIN },
      fan: { line: FAN, onAboveC: 40, offBelowC: 35, minOnMs: 2 * MIN, minOffMs: 2 * MIN },
      alarms: { tooColdBelowC: -10, tooHotAboveC: 55, hysteresisC: 3 },
      simulation: { ambientC: 15, heaterCPerMin: 0.5, fanCPerMin: 1, leakPerMin: 0.05 },
      brightness: { mode: 'schedule', backlight: 'sim', schedule: [{ from: '07:00', percent: 100 }, { from: '21:00', percent: 30 }] },
      ...over,
    } as never,
  });
}

describe('the cabinet climate unit', () => {
  let dir: string;
  let cleanup: () => void;
  let ledger: Ledger;
  let gpio: SimGpio;
  let t: number;
  let units: ClimateUnit[];
  let commits: number;
  const logs = captureLogger();

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('lockerd-climate-'));
    ledger = Ledger.open({ path: join(dir, 'l.db'), keyFile: join(dir, 'l.key') });
    gpio = new SimGpio();
    t = new Date(2026, 0, 15, 18, 0, 0).getTime(); // local 18:00
    units = [];
    commits = 0;
    ledger.on('committed', () => commits++);
  });

  afterEach(async () => {
    for (const u of units) await u.stop();
    ledger.close();
    cleanup();
  });

  async function unit(config = cabinetConfig(dir)): Promise<ClimateUnit> {
    const u = new ClimateUnit({
      config: config.cabinet, ledger, log: logs.log, now: () => t, timers: false,
      hardware: () => buildClimateHardware(config.cabinet, async () => gpio, () => t),
    });
    units.push(u);
    await u.start();
    return u;
  }

  const events = (type?: string) => ledger.outbox.list({ limit: 10_000 }).filter((e) => type === undefined || e.type === type);
  const level = (line: number) => gpio.level(line) === true;

  /** Polls every pollMs for `ms`, recording each change of the heater's and fan's lines. */
  async function live(u: ClimateUnit, ms: number, changes: { line: number; on: boolean; at: number }[] = []) {
    for (let end = t + ms; t < end; ) {
      t += 10_000;
      const before = [level(HEATER), level(FAN)];
      await u.poll();
      if (level(HEATER) !== before[0]) changes.push({ line: HEATER, on: level(HEATER), at: t });
      if (level(FAN) !== before[1]) changes.push({ line: FAN, on: level(FAN), at: t });
    }
    return changes;
  }

  function respectsMinTimes(changes: { line: number; on: boolean; at: number }[], line: number, minOnMs: number, minOffMs: number) {
    const mine = changes.filter((c) => c.line === line);
    for (let i = 1; i < mine.length; i++) {
      const held = mine[i]!.at - mine[i - 1]!.at;
      expect(held, `line ${line} switched after ${held} ms`).toBeGreaterThanOrEqual(mine[i - 1]!.on ? minOnMs : minOffMs);
    }
  }

  it('keeps a cold night out: heater on and off within its min times, too_cold raised once and cleared once, telemetry every 15 min', async () => {
    const u = await unit();
    const sim = u.sim!;
    const changes: { line: number; on: boolean; at: number }[] = [];
    // Evening: it cools down to 2 °C outside; the heater keeps the cabinet between 5 and 10 °C.
    sim.setAmbient(2);
    await live(u, 3 * 60 * MIN, changes);
    const heaterChanges = changes.filter((c) => c.line === HEATER);
    expect(heaterChanges.length).toBeGreaterThanOrEqual(3);
    expect(heaterChanges[0]).toMatchObject({ on: true });
    respectsMinTimes(changes, HEATER, 5 * MIN, 5 * MIN);
    expect(sim.temperatureC).toBeGreaterThan(3);
    expect(sim.temperatureC).toBeLessThan(12);
    expect(events('cabinet.too_cold')).toHaveLength(0);

    // Deep night: -30 °C outside, more than the heater can make up (it adds 10 °C at most).
    sim.setAmbient(-30);
    await live(u, 3 * 60 * MIN, changes);
    expect(level(HEATER)).toBe(true);
    expect(events('cabinet.too_cold')).toHaveLength(1);
    // Morning.
    sim.setAmbient(5);
    await live(u, 3 * 60 * MIN, changes);
    respectsMinTimes(changes, HEATER, 5 * MIN, 5 * MIN);
    expect(changes.some((c) => c.line === FAN)).toBe(false);
    expect(events('cabinet.too_cold')).toHaveLength(1);
    expect(events('cabinet.climate_ok')).toHaveLength(1);
    expect(events('cabinet.climate_ok')[0]!.data).toMatchObject({ cleared: 'too_cold', sensor: 'top' });
    expect(ledger.audit.recent(100).filter((a) => a.action.startsWith('cabinet.')).map((a) => a.action)).toEqual(['cabinet.climate_ok', 'cabinet.too_cold']);

    // 9 hours: 36 telemetry events, each with the heater's on-time; every event fits the contract.
    const telemetry = events('cabinet.climate');
    expect(telemetry).toHaveLength(36);
    expect(telemetry.every((e) => e.data.periodSeconds === 900)).toBe(true);
    const onSeconds = telemetry.map((e) => (e.data.heater as { onSeconds: number }).onSeconds);
    expect(Math.max(...onSeconds)).toBe(900); // a quarter-hour of the deep night: on throughout
    expect(telemetry[0]!.data.sensors).toEqual([
      { sensor: 'top', quantity: 'temperature', value: expect.any(Number), lost: false, rejected: 0, lastReason: null },
      { sensor: 'humidity', quantity: 'humidity', value: 60, lost: false, rejected: 0, lastReason: null },
    ]);
    for (const e of events()) expect(contractProblem(e.type, e.data)).toBeNull();
  });

  it('cools a hot afternoon: fan within its min times, too_hot once, the heater never on', async () => {
    const u = await unit();
    const sim = u.sim!;
    const changes: { line: number; on: boolean; at: number }[] = [];
    sim.setAmbient(45); // sun on the cabinet
    await live(u, 2 * 60 * MIN, changes);
    expect(level(FAN)).toBe(true);
    sim.setAmbient(62);
    await live(u, 2 * 60 * MIN, changes);
    expect(events('cabinet.too_hot')).toHaveLength(1);
    expect(events('cabinet.too_hot')[0]!.data).toMatchObject({ sensor: 'top', thresholdC: 55 });
    sim.setAmbient(25); // evening
    await live(u, 3 * 60 * MIN, changes);
    expect(level(FAN)).toBe(false);
    expect(events('cabinet.too_hot')).toHaveLength(1);
    expect(events('cabinet.climate_ok').map((e) => e.data.cleared)).toEqual(['too_hot']);
    respectsMinTimes(changes, FAN, 2 * MIN, 2 * MIN);
    expect(changes.some((c) => c.line === HEATER)).toBe(false);
  });

  it('writes nothing to the ledger between telemetry events while nothing happens', async () => {
    const u = await unit();
    await live(u, 60 * MIN);
    // An hour of polls every 10 s (360 of them): the 4 telemetry commits, nothing else.
    expect(commits).toBe(4);
    expect(events().map((e) => e.type)).toEqual(Array(4).fill('cabinet.climate'));
  });

  it("refuses a DS18B20's 85 °C and -127 °C with their reasons and changes nothing", async () => {
    const u = await unit();
    u.sim!.setAmbient(2);
    await live(u, 30 * MIN);
    expect(level(HEATER)).toBe(true);
    const before = commits;
    // Each between good readings: none of them makes the sensor lost (3 in a row would).
    for (const text of ['85000\n', '-127000\n', '85000\n']) {
      u.sim!.inject(text, 1);
      await live(u, 20_000);
    }
    expect(events().filter((e) => e.type !== 'cabinet.climate')).toEqual([]);
    expect(commits).toBe(before); // no event, no write
    expect(level(HEATER)).toBe(true);
    const top = u.status().sensors.find((s) => s.id === 'top')!;
    expect(top).toMatchObject({ lost: false, rejected: 3, rejectedInARow: 0, lastReason: 'power_on_value', lastDetail: expect.stringContaining('power-on value') });
    expect(top.value).toBeGreaterThan(0);
    expect(u.status().alarms).toMatchObject({ tooHot: false, tooCold: false });
    expect(logs.text()).toContain('climate reading rejected and ignored');
    // The telemetry tells upstream how many were refused, and why.
    await live(u, 15 * MIN);
    const last = events('cabinet.climate').at(-1)!;
    expect((last.data.sensors as { sensor: string; rejected: number; lastReason: string }[])[0]).toMatchObject({ sensor: 'top', rejected: 3, lastReason: 'power_on_value' });
  });

  it('a lost sensor: sensor_lost once, heater off and fan on (fail-safe), sensor_back once', async () => {
    const u = await unit();
    u.sim!.setAmbient(0);
    await live(u, 30 * MIN);
    expect(level(HEATER)).toBe(true);
    u.sim!.setLost(true);
    await live(u, 30_000);
    // Both simulated sensors are unplugged: each is reported.
    expect(events('cabinet.sensor_lost').map((e) => e.data.sensor)).toEqual(['top', 'humidity']);
    expect(events('cabinet.sensor_lost')[0]!.data).toMatchObject({ sensor: 'top', quantity: 'temperature', reason: 'missing', rejectedInARow: 3 });
    expect(level(HEATER)).toBe(false);
    expect(level(FAN)).toBe(true);
    expect(u.status().alarms).toMatchObject({ blind: true });
    await live(u, 30 * MIN);
    expect(events('cabinet.sensor_lost')).toHaveLength(2);
    u.sim!.setLost(false);
    await live(u, 10_000);
    expect(events('cabinet.sensor_back').map((e) => e.data.sensor)).toEqual(['top', 'humidity']);
    expect(u.status().alarms).toMatchObject({ blind: false });
    for (const e of events()) expect(contractProblem(e.type, e.data)).toBeNull();
  });

  it('keeps its alarms across a restart: no second too_cold, one climate_ok', async () => {
    const config = cabinetConfig(dir, { simulation: { ambientC: -30, startC: undefined, heaterCPerMin: 0.5, fanCPerMin: 1, leakPerMin: 0.05 } });
    const first = await unit(config);
    await live(first, 2 * 60 * MIN);
    expect(events('cabinet.too_cold')).toHaveLength(1);
    await first.stop();
    expect(level(HEATER)).toBe(false); // a stopped daemon leaves no heater on
    const second = await unit(config);
    expect(second.status().alarms.tooCold).toBe(true);
    await live(second, 60 * MIN);
    expect(events('cabinet.too_cold')).toHaveLength(1);
    second.sim!.setAmbient(10);
    await live(second, 2 * 60 * MIN);
    expect(events('cabinet.climate_ok')).toHaveLength(1);
  });

  it('sets the backlight by the schedule in local time, only when it changes', async () => {
    const u = await unit();
    await live(u, 10_000);
    expect(u.status().brightness).toMatchObject({ mode: 'schedule', percent: 100, backlight: 'simulated backlight' });
    t = new Date(2026, 0, 15, 20, 59, 50).getTime();
    await live(u, 10_000);
    expect(u.status().brightness.percent).toBe(30);
    await live(u, 60 * MIN);
    t = new Date(2026, 0, 16, 6, 59, 0).getTime();
    await live(u, 10_000);
    expect(u.status().brightness.percent).toBe(30);
    t = new Date(2026, 0, 16, 7, 0, 0).getTime();
    await live(u, 10_000);
    expect(u.status().brightness.percent).toBe(100);
    const lines = logs.lines.filter((l) => l.includes('screen brightness set')).map((l) => JSON.parse(l).percent);
    expect(lines.slice(-3)).toEqual([100, 30, 100]);
  });

  it('follows a light sensor through its curve, and goes bright when the sensor is lost', async () => {
    const config = cabinetConfig(dir, {
      sensors: [{ id: 'top', kind: 'sim' }, { id: 'light', kind: 'sim', quantity: 'illuminance' }],
      brightness: { mode: 'light', backlight: 'sim', light: { sensor: 'light', curve: [{ lux: 10, percent: 20 }, { lux: 1000, percent: 100 }] }, minPercent: 10, maxPercent: 90 },
    });
    const u = await unit(config);
    u.sim!.setLux(5);
    await live(u, 10_000);
    expect(u.status().brightness.percent).toBe(20);
    u.sim!.setLux(505);
    await live(u, 10_000);
    expect(u.status().brightness.percent).toBe(60);
    u.sim!.setLux(20_000);
    await live(u, 10_000);
    expect(u.status().brightness.percent).toBe(90);
    u.sim!.setLux(5);
    u.sim!.setLost(true);
    await live(u, 40_000);
    expect(u.status().sensors.find((s) => s.id === 'light')!.lost).toBe(true);
    expect(u.status().brightness.percent).toBe(90);
  });

  it('keeps working when the heater line cannot be opened, and says why', async () => {
    const config = cabinetConfig(dir);
    const u = new ClimateUnit({
      config: config.cabinet, ledger, log: logs.log, now: () => t, timers: false,
      hardware: () => buildClimateHardware(config.cabinet, async () => { throw new Error('gpio.backend "auto" found no GPIO interface'); }, () => t),
    });
    units.push(u);
    await u.start();
    u.sim!.setAmbient(-5);
    await live(u, 30 * MIN);
    expect(u.status().heater).toMatchObject({ wired: true, on: null, error: expect.stringContaining('found no GPIO interface') });
    expect(u.status().sensors[0]!.value).toBeLessThan(5);
    expect(logs.text()).toContain("the cabinet's heater cannot be switched");
  });
});
