/**
 * The climate rules, pure: examples of each rule, then properties over random weather with
 * random nonsense readings (seeded, so a failure reproduces from its seed).
 */
import { describe, expect, it } from 'vitest';
import { REJECT_REASONS, type SensorReading } from '../../drivers/climate/types.js';
import { initialState, persisted, policyProblems, step, type ClimateAction, type ClimatePolicySettings, type ClimateState } from '../../src/cabinet/climate-policy.js';
import { prng } from '../helpers/prng.js';

const MIN = 60_000;
const SETTINGS: ClimatePolicySettings = {
  heater: { onBelowC: 5, offAboveC: 10, minOnMs: 5 * MIN, minOffMs: 5 * MIN },
  fan: { onAboveC: 40, offBelowC: 35, minOnMs: 2 * MIN, minOffMs: 2 * MIN },
  alarms: { tooColdBelowC: -10, tooHotAboveC: 55, hysteresisC: 3 },
  sensorLost: { afterRejected: 3, afterMs: 5 * MIN },
};

const good = (sensor: string, value: number, at: number): SensorReading => ({ ok: true, value, sensor, quantity: 'temperature', at });
const bad = (sensor: string, at: number, reason: SensorReading extends infer R ? (R extends { ok: false; reason: infer X } ? X : never) : never = 'power_on_value'): SensorReading => ({ ok: false, reason, detail: 'test', sensor, quantity: 'temperature', at });

/** Runs readings through the policy, one poll each `pollMs`; returns the actions with their time. */
function run(settings: ClimatePolicySettings, temps: (number | null)[], pollMs = 10_000, state0?: ClimateState) {
  let state = state0 ?? initialState([{ id: 'top', quantity: 'temperature' }], 0);
  const log: { at: number; a: ClimateAction }[] = [];
  temps.forEach((t, i) => {
    const at = (i + 1) * pollMs;
    const r = step(settings, state, [t === null ? bad('top', at) : good('top', t, at)], at);
    state = r.state;
    for (const a of r.actions) log.push({ at, a });
  });
  return { state, log, kinds: log.map(({ a }) => (a.kind === 'switch' ? `${a.output}:${a.on ? 'on' : 'off'}` : a.kind === 'alarm' || a.kind === 'alarm_cleared' ? `${a.kind}:${a.alarm}` : a.kind)) };
}

describe('heater and fan', () => {
  it('switches the heater on below onBelowC and off above offAboveC, not in between', () => {
    const { kinds } = run(SETTINGS, [8, 6, 4.9, 6, 9, 10, 10.1]);
    expect(kinds).toEqual(['heater:on']); // 10.1 comes within the 5 minutes of min-on time
    const later = run(SETTINGS, [4, ...Array(30).fill(7), 10.5]);
    expect(later.kinds).toEqual(['heater:on', 'heater:off']);
  });

  it('holds the heater on for minOnMs and off for minOffMs', () => {
    // On at 10 s; 12 °C from then on: off only once 5 min have passed.
    const temps = [4, ...Array(40).fill(12), ...Array(5).fill(3), ...Array(40).fill(3)];
    const { log } = run(SETTINGS, temps);
    const switches = log.filter(({ a }) => a.kind === 'switch');
    expect(switches.map(({ a, at }) => [a.kind === 'switch' && a.on, at])).toEqual([
      [true, 10_000],
      [false, 10_000 + 5 * MIN],
      [true, 10_000 + 10 * MIN],
    ]);
  });

  it('runs the fan above onAboveC until below offBelowC', () => {
    const { kinds } = run(SETTINGS, [30, 41, ...Array(20).fill(36), 34.9]);
    expect(kinds).toEqual(['fan:on', 'fan:off']);
  });

  it('switches the heater off at once when too hot, min-on time or not', () => {
    const { log } = run(SETTINGS, [4, 56]);
    expect(log.map(({ a }) => a.kind === 'switch' && `${a.output}:${a.on}`).filter(Boolean)).toEqual(['heater:true', 'heater:false', 'fan:true']);
  });
});

describe('alarms', () => {
  it('raises too_cold once while the temperature hovers at the threshold, and clears it once', () => {
    const hover = Array.from({ length: 200 }, (_, i) => -10 + (i % 2 === 0 ? -0.1 : 0.1));
    const { kinds } = run(SETTINGS, [0, ...hover, -7.5, -7.1, -7]);
    expect(kinds.filter((k) => k.includes('alarm'))).toEqual(['alarm:too_cold', 'alarm_cleared:too_cold']);
  });

  it('raises too_hot above tooHotAboveC and clears it hysteresisC below', () => {
    const { kinds } = run(SETTINGS, [50, 55, 55.1, 54, 52.1, 52]);
    expect(kinds.filter((k) => k.includes('alarm'))).toEqual(['alarm:too_hot', 'alarm_cleared:too_hot']);
  });

  it('keeps alarms across a restart through the persisted state', () => {
    const first = run(SETTINGS, [-12]);
    expect(first.state.tooCold).toBe(true);
    const saved = JSON.parse(JSON.stringify(persisted(first.state)));
    const again = run(SETTINGS, [-12, -11, -6], 10_000, initialState([{ id: 'top', quantity: 'temperature' }], 0, saved));
    expect(again.kinds.filter((k) => k.includes('alarm'))).toEqual(['alarm_cleared:too_cold']);
  });
});

describe('nonsense readings and lost sensors', () => {
  it('ignores a rejected reading: the last good value stands and nothing switches', () => {
    const { state, kinds } = run(SETTINGS, [20, null, null]);
    expect(state.sensors.top!.value).toBe(20);
    expect(kinds).toEqual(['rejected', 'rejected']);
  });

  it('a lone 85 °C on a cold night does not stop the heater or raise too_hot', () => {
    const { kinds } = run(SETTINGS, [2, null, 2.5, null, 3]);
    expect(kinds.filter((k) => k !== 'rejected')).toEqual(['heater:on']);
  });

  it('loses a sensor after afterRejected in a row, fails safe, and brings it back at a good reading', () => {
    const { log, state } = run(SETTINGS, [4, null, null, null, null, 4, ...Array(30).fill(4)]);
    const kinds = log.filter(({ a }) => a.kind !== 'rejected').map(({ a, at }) => `${at / 1000}s ${a.kind}${a.kind === 'switch' ? `:${a.output}:${a.on}` : ''}`);
    // Lost at the third rejected reading in a row (40 s): heater off, fan on at once. Back at
    // 60 s; the min times of those fail-safe switches then hold: the fan runs its 2 minutes, the
    // heater waits its 5.
    expect(kinds).toEqual(['10s switch:heater:true', '40s sensor_lost', '40s switch:heater:false', '40s switch:fan:true', '60s sensor_back', '160s switch:fan:false', '340s switch:heater:true']);
    expect(log.find(({ a }) => a.kind === 'sensor_lost')!.a).toMatchObject({ sensor: 'top', reason: 'power_on_value', rejectedInARow: 3, lastGoodAt: 10_000 });
    expect(state.blind).toBe(false);
  });

  it('loses a sensor that gives no good reading for afterMs', () => {
    let state = initialState([{ id: 'top', quantity: 'temperature' }], 0);
    state = step(SETTINGS, state, [good('top', 20, 0)], 0).state;
    const quiet = step(SETTINGS, state, [], 5 * MIN - 1);
    expect(quiet.actions).toEqual([]);
    const lost = step(SETTINGS, quiet.state, [], 5 * MIN);
    expect(lost.actions[0]).toMatchObject({ kind: 'sensor_lost', sensor: 'top', reason: 'no_reading', lastGoodAt: 0 });
    expect(lost.state.blind).toBe(true);
  });

  it('with two sensors, losing one keeps control on the other, not blind', () => {
    let state = initialState([{ id: 'a', quantity: 'temperature' }, { id: 'b', quantity: 'temperature' }], 0);
    for (let i = 1; i <= 4; i++) state = step(SETTINGS, state, [bad('a', i * 1000, 'disconnected'), good('b', 3, i * 1000)], i * 1000).state;
    expect(state.sensors.a!.lost).toBe(true);
    expect(state.blind).toBe(false);
    expect(state.heater.on).toBe(true);
    expect(state.fan.on).toBe(false);
  });
});

describe('settings that cannot work', () => {
  it('names each problem', () => {
    expect(policyProblems(SETTINGS)).toEqual([]);
    const broken: ClimatePolicySettings = { ...SETTINGS, heater: { ...SETTINGS.heater!, onBelowC: 10, offAboveC: 10.2 }, fan: { ...SETTINGS.fan!, onAboveC: 12, offBelowC: 9 } };
    expect(policyProblems(broken)).toEqual([
      'cabinet.heater: offAboveC (10.2) must be at least 0.5 °C above onBelowC (10); without that band the heater would switch at every poll',
      'cabinet.heater.offAboveC (10.2) must be below cabinet.fan.offBelowC (9): the heater\'s and the fan\'s bands overlap, so they would fight each other',
    ]);
    expect(policyProblems({ ...SETTINGS, alarms: { tooColdBelowC: 20, tooHotAboveC: 22, hysteresisC: 3 } })).toHaveLength(3);
  });
});

describe('properties over random weather', () => {
  for (let seed = 1; seed <= 25; seed++) {
    it(`seed ${seed}: min times hold, alarms alternate, rejected readings change nothing, blind is heater off fan on`, () => {
      const rnd = prng(seed);
      const sensors = [{ id: 'a', quantity: 'temperature' as const }, { id: 'b', quantity: 'temperature' as const }];
      let state = initialState(sensors, 0);
      let temp = rnd.next() * 60 - 20;
      const lastSwitch: Record<string, { at: number; on: boolean } | undefined> = {};
      const lastAlarm: Record<string, string | undefined> = {};
      const dead = { a: 0, b: 0 } as Record<string, number>;
      for (let i = 1; i <= 4000; i++) {
        const at = i * 10_000;
        temp += (rnd.next() - 0.5) * 1.5;
        temp = Math.max(-40, Math.min(80, temp));
        const readings: SensorReading[] = [];
        for (const s of sensors) {
          if (dead[s.id]! > 0) dead[s.id]!--;
          else if (rnd.next() < 0.002) dead[s.id] = rnd.int(60);
          const skip = rnd.next() < 0.05;
          if (skip) continue;
          if (dead[s.id]! > 0 || rnd.next() < 0.05) readings.push(bad(s.id, at, REJECT_REASONS[rnd.int(REJECT_REASONS.length)]!));
          else readings.push(good(s.id, Math.round((temp + rnd.next()) * 1000) / 1000, at));
        }
        const before = state;
        const r = step(SETTINGS, state, readings, at);
        state = r.state;
        // A rejected reading never changes a sensor's value (unless it is lost, then null).
        for (const rd of readings) {
          if (rd.ok) continue;
          const t = state.sensors[rd.sensor]!;
          expect(t.value).toBe(t.lost ? null : before.sensors[rd.sensor]!.value);
        }
        for (const a of r.actions) {
          if (a.kind === 'switch') {
            const prev = lastSwitch[a.output];
            const safety = /fail-safe|at once/.test(a.why);
            if (prev && !safety) {
              const min = a.output === 'heater' ? (prev.on ? SETTINGS.heater!.minOnMs : SETTINGS.heater!.minOffMs) : prev.on ? SETTINGS.fan!.minOnMs : SETTINGS.fan!.minOffMs;
              expect(at - prev.at, `${a.output} switched after ${at - prev.at} ms`).toBeGreaterThanOrEqual(min);
            }
            expect(prev?.on).not.toBe(a.on);
            lastSwitch[a.output] = { at, on: a.on };
          }
          if (a.kind === 'alarm' || a.kind === 'alarm_cleared') {
            expect(lastAlarm[a.alarm] ?? 'alarm_cleared', `${a.alarm} twice in a row`).not.toBe(a.kind);
            lastAlarm[a.alarm] = a.kind;
          }
        }
        if (state.blind) {
          expect(state.heater.on).toBe(false);
          expect(state.fan.on).toBe(true);
        }
        // Both never on together outside a min-on hold.
        if (state.heater.on && state.fan.on) expect(at - Math.max(state.heater.since!, state.fan.since!)).toBeLessThan(5 * MIN);
      }
    });
  }
});
