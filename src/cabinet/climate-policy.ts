/**
 * The cabinet's climate rules, pure: (settings, state, this poll's readings, now) -> (new state,
 * actions). No I/O and no clock of its own, so a night and an afternoon run in a test in
 * milliseconds and every rule is checked by properties over random weather.
 *
 * - Heater: on when the coldest sensor is below `onBelowC`, off when it is above `offAboveC`.
 * - Fan: on when the hottest sensor is above `onAboveC`, off when it is below `offBelowC`.
 * - Each stays on at least `minOnMs` and off at least `minOffMs` (relays and fans wear with every
 *   switch; a heater cycling every poll at the threshold would be the result otherwise).
 * - Alarms: `too_cold` below `tooColdBelowC`, cleared at `tooColdBelowC + hysteresisC`;
 *   `too_hot` above `tooHotAboveC`, cleared at `tooHotAboveC - hysteresisC`: raised once and
 *   cleared once however the temperature hovers at the threshold.
 * - A sensor is lost after `afterRejected` rejected readings in a row or no good reading for
 *   `afterMs`; one good reading brings it back. A rejected reading of a sensor not yet lost is
 *   ignored: its last good value stands.
 * - Blind (no temperature sensor left): heater OFF and fan ON at once, min times ignored. A
 *   heater running with nobody measuring can overheat a closed cabinet in the sun; a fan running
 *   in the cold costs a little warmth and power; heat, not cold, is what kills the SD card and
 *   the Pi. Alarms keep their state (nothing is known either way) until a sensor is back.
 *   Likewise the heater goes off at once, min-on time or not, when the cabinet is too hot.
 */
import type { Quantity, RejectReason, SensorReading } from '../../drivers/climate/types.js';

export interface HeaterSettings {
  onBelowC: number;
  offAboveC: number;
  minOnMs: number;
  minOffMs: number;
}

export interface FanSettings {
  onAboveC: number;
  offBelowC: number;
  minOnMs: number;
  minOffMs: number;
}

export interface ClimatePolicySettings {
  /** Unset: no heater wired. */
  heater?: HeaterSettings;
  /** Unset: no fan wired. */
  fan?: FanSettings;
  alarms: { tooColdBelowC: number; tooHotAboveC: number; hysteresisC: number };
  sensorLost: { afterRejected: number; afterMs: number };
}

/** What the policy knows of one sensor. */
export interface SensorTrack {
  quantity: Quantity;
  /** The last good value; null before the first or once lost. */
  value: number | null;
  lastGoodAt: number | null;
  /** When tracking began (the start): a sensor that never answers is lost `afterMs` after it. */
  since: number;
  rejectedInARow: number;
  lastReason: RejectReason | null;
  lastDetail: string | null;
  lost: boolean;
}

export interface SwitchState {
  on: boolean;
  /** When it last switched; null: not since the start (min times do not hold it). */
  since: number | null;
}

export interface ClimateState {
  sensors: Record<string, SensorTrack>;
  heater: SwitchState;
  fan: SwitchState;
  tooCold: boolean;
  tooHot: boolean;
  /** No temperature sensor is left: the fail-safe is in force. */
  blind: boolean;
}

export type Output = 'heater' | 'fan';
export type ClimateAlarm = 'too_cold' | 'too_hot';

export type ClimateAction =
  | { kind: 'switch'; output: Output; on: boolean; why: string }
  | { kind: 'alarm'; alarm: ClimateAlarm; temperatureC: number; thresholdC: number; sensor: string }
  | { kind: 'alarm_cleared'; alarm: ClimateAlarm; temperatureC: number; sensor: string }
  | { kind: 'sensor_lost'; sensor: string; quantity: Quantity; reason: RejectReason | 'no_reading'; detail: string; rejectedInARow: number; lastGoodAt: number | null }
  | { kind: 'sensor_back'; sensor: string; quantity: Quantity; value: number }
  /** For the log: a rejected reading, `first` when it starts a streak or its reason changed. */
  | { kind: 'rejected'; sensor: string; reason: RejectReason; detail: string; first: boolean };

/** What survives a restart (ledger meta): the alarms on record and the sensors reported lost. */
export interface PersistedAlarms {
  tooCold: boolean;
  tooHot: boolean;
  lost: string[];
}

export function initialState(sensors: readonly { id: string; quantity: Quantity }[], now: number, persisted?: PersistedAlarms): ClimateState {
  const lost = new Set(persisted?.lost ?? []);
  return {
    sensors: Object.fromEntries(
      sensors.map((s) => [s.id, { quantity: s.quantity, value: null, lastGoodAt: null, since: now, rejectedInARow: 0, lastReason: null, lastDetail: null, lost: lost.has(s.id) } satisfies SensorTrack]),
    ),
    heater: { on: false, since: null },
    fan: { on: false, since: null },
    tooCold: persisted?.tooCold ?? false,
    tooHot: persisted?.tooHot ?? false,
    blind: false,
  };
}

export function persisted(state: ClimateState): PersistedAlarms {
  return { tooCold: state.tooCold, tooHot: state.tooHot, lost: Object.entries(state.sensors).filter(([, t]) => t.lost).map(([id]) => id).sort() };
}

/** Settings that cannot work together; one sentence each, naming the config keys under `prefix`. */
export function policyProblems(s: ClimatePolicySettings, prefix = 'cabinet'): string[] {
  const problems: string[] = [];
  const MIN_BAND = 0.5;
  if (s.heater && s.heater.offAboveC - s.heater.onBelowC < MIN_BAND) {
    problems.push(`${prefix}.heater: offAboveC (${s.heater.offAboveC}) must be at least ${MIN_BAND} °C above onBelowC (${s.heater.onBelowC}); without that band the heater would switch at every poll`);
  }
  if (s.fan && s.fan.onAboveC - s.fan.offBelowC < MIN_BAND) {
    problems.push(`${prefix}.fan: onAboveC (${s.fan.onAboveC}) must be at least ${MIN_BAND} °C above offBelowC (${s.fan.offBelowC}); without that band the fan would switch at every poll`);
  }
  if (s.heater && s.fan && s.heater.offAboveC >= s.fan.offBelowC) {
    problems.push(`${prefix}.heater.offAboveC (${s.heater.offAboveC}) must be below ${prefix}.fan.offBelowC (${s.fan.offBelowC}): the heater's and the fan's bands overlap, so they would fight each other`);
  }
  const a = s.alarms;
  if (a.tooHotAboveC - a.hysteresisC <= a.tooColdBelowC + a.hysteresisC) {
    problems.push(`${prefix}.alarms: tooHotAboveC (${a.tooHotAboveC}) minus hysteresisC must stay above tooColdBelowC (${a.tooColdBelowC}) plus hysteresisC (${a.hysteresisC}), or an alarm could never clear`);
  }
  if (s.heater && a.tooColdBelowC >= s.heater.onBelowC) {
    problems.push(`${prefix}.alarms.tooColdBelowC (${a.tooColdBelowC}) must be below ${prefix}.heater.onBelowC (${s.heater.onBelowC}): the alarm is for a cold the heater could not stop`);
  }
  if (s.fan && a.tooHotAboveC <= s.fan.onAboveC) {
    problems.push(`${prefix}.alarms.tooHotAboveC (${a.tooHotAboveC}) must be above ${prefix}.fan.onAboveC (${s.fan.onAboveC}): the alarm is for a heat the fan could not stop`);
  }
  return problems;
}

function clone(state: ClimateState): ClimateState {
  return {
    ...state,
    sensors: Object.fromEntries(Object.entries(state.sensors).map(([k, v]) => [k, { ...v }])),
    heater: { ...state.heater },
    fan: { ...state.fan },
  };
}

/** The coldest and hottest temperature known, with the sensor that has it. */
export function extremes(state: ClimateState): { min: { c: number; sensor: string }; max: { c: number; sensor: string } } | null {
  let min: { c: number; sensor: string } | null = null;
  let max: { c: number; sensor: string } | null = null;
  for (const [id, t] of Object.entries(state.sensors)) {
    if (t.quantity !== 'temperature' || t.lost || t.value === null) continue;
    if (!min || t.value < min.c) min = { c: t.value, sensor: id };
    if (!max || t.value > max.c) max = { c: t.value, sensor: id };
  }
  return min && max ? { min, max } : null;
}

function held(sw: SwitchState, minOnMs: number, minOffMs: number, now: number): boolean {
  if (sw.since === null) return false;
  return now - sw.since < (sw.on ? minOnMs : minOffMs);
}

/** One poll: the readings taken (any subset of the sensors), at `now`. */
export function step(settings: ClimatePolicySettings, previous: ClimateState, readings: readonly SensorReading[], now: number): { state: ClimateState; actions: ClimateAction[] } {
  const state = clone(previous);
  const actions: ClimateAction[] = [];

  for (const r of readings) {
    const t = (state.sensors[r.sensor] ??= { quantity: r.quantity, value: null, lastGoodAt: null, since: now, rejectedInARow: 0, lastReason: null, lastDetail: null, lost: false });
    if (r.ok) {
      t.value = r.value;
      t.lastGoodAt = r.at;
      t.rejectedInARow = 0;
      if (t.lost) {
        t.lost = false;
        actions.push({ kind: 'sensor_back', sensor: r.sensor, quantity: t.quantity, value: r.value });
      }
    } else {
      const first = t.rejectedInARow === 0 || t.lastReason !== r.reason;
      t.rejectedInARow++;
      t.lastReason = r.reason;
      t.lastDetail = r.detail;
      actions.push({ kind: 'rejected', sensor: r.sensor, reason: r.reason, detail: r.detail, first });
    }
  }

  const { afterRejected, afterMs } = settings.sensorLost;
  for (const [id, t] of Object.entries(state.sensors)) {
    if (t.lost) continue;
    const silentMs = now - (t.lastGoodAt ?? t.since);
    if (t.rejectedInARow >= afterRejected || silentMs >= afterMs) {
      t.lost = true;
      t.value = null;
      const byCount = t.rejectedInARow >= afterRejected;
      actions.push({
        kind: 'sensor_lost', sensor: id, quantity: t.quantity,
        reason: byCount && t.lastReason ? t.lastReason : 'no_reading',
        detail: byCount ? `${t.rejectedInARow} rejected readings in a row; the last: ${t.lastDetail ?? 'none'}` : `no good reading for ${Math.round(silentMs / 1000)} s`,
        rejectedInARow: t.rejectedInARow, lastGoodAt: t.lastGoodAt,
      });
    }
  }

  const hasTemperatureSensor = Object.values(state.sensors).some((t) => t.quantity === 'temperature');
  const known = extremes(state);
  // Before the first reading of a sensor that is not lost yet there is nothing to act on, but
  // nothing is wrong either: blind means every temperature sensor is lost.
  state.blind = hasTemperatureSensor && !known && Object.values(state.sensors).every((t) => t.quantity !== 'temperature' || t.lost);

  const turn = (output: Output, on: boolean, why: string): void => {
    const sw = state[output];
    if (sw.on === on) return;
    sw.on = on;
    sw.since = now;
    actions.push({ kind: 'switch', output, on, why });
  };

  const a = settings.alarms;
  if (settings.heater) {
    const h = settings.heater;
    if (state.blind) turn('heater', false, 'no temperature sensor left: heater off (fail-safe)');
    else if (known && known.max.c > a.tooHotAboveC) turn('heater', false, `${known.max.c} °C at ${known.max.sensor} is too hot: heater off at once`);
    else if (known && !held(state.heater, h.minOnMs, h.minOffMs, now)) {
      if (!state.heater.on && known.min.c < h.onBelowC) turn('heater', true, `${known.min.c} °C at ${known.min.sensor} is below ${h.onBelowC} °C`);
      else if (state.heater.on && known.min.c > h.offAboveC) turn('heater', false, `${known.min.c} °C at ${known.min.sensor} is above ${h.offAboveC} °C`);
    }
  }
  if (settings.fan) {
    const f = settings.fan;
    if (state.blind) turn('fan', true, 'no temperature sensor left: fan on (fail-safe)');
    else if (known && !held(state.fan, f.minOnMs, f.minOffMs, now)) {
      if (!state.fan.on && known.max.c > f.onAboveC) turn('fan', true, `${known.max.c} °C at ${known.max.sensor} is above ${f.onAboveC} °C`);
      else if (state.fan.on && known.max.c < f.offBelowC) turn('fan', false, `${known.max.c} °C at ${known.max.sensor} is below ${f.offBelowC} °C`);
    }
  }

  if (known) {
    if (!state.tooCold && known.min.c < a.tooColdBelowC) {
      state.tooCold = true;
      actions.push({ kind: 'alarm', alarm: 'too_cold', temperatureC: known.min.c, thresholdC: a.tooColdBelowC, sensor: known.min.sensor });
    } else if (state.tooCold && known.min.c >= a.tooColdBelowC + a.hysteresisC) {
      state.tooCold = false;
      actions.push({ kind: 'alarm_cleared', alarm: 'too_cold', temperatureC: known.min.c, sensor: known.min.sensor });
    }
    if (!state.tooHot && known.max.c > a.tooHotAboveC) {
      state.tooHot = true;
      actions.push({ kind: 'alarm', alarm: 'too_hot', temperatureC: known.max.c, thresholdC: a.tooHotAboveC, sensor: known.max.sensor });
    } else if (state.tooHot && known.max.c <= a.tooHotAboveC - a.hysteresisC) {
      state.tooHot = false;
      actions.push({ kind: 'alarm_cleared', alarm: 'too_hot', temperatureC: known.max.c, sensor: known.max.sensor });
    }
  }
  return { state, actions };
}
