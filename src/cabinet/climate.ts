/**
 * The outdoor cabinet's climate unit: every `pollMs` it reads the sensors, applies the policy
 * (./climate-policy.ts), switches the heater and fan, sets the screen's brightness, and records:
 *
 * - alarms and their clears (`cabinet.too_cold`, `cabinet.too_hot`, `cabinet.climate_ok`,
 *   `cabinet.sensor_lost`, `cabinet.sensor_back`): audit rows, outbox events and the alarm state
 *   in the ledger's meta, all of one poll in one transaction, so a restart neither repeats nor
 *   misses one;
 * - telemetry (`cabinet.climate`) every `telemetryMs`: one commit.
 *
 * Nothing else reaches the ledger: a poll with no alarm change writes nothing (the SD card,
 * docs/sd-card.md). Rejected readings are logged when a streak starts or its reason changes,
 * counted for `lockerctl climate` and the telemetry, and ignored: the last good value stands
 * until the sensor counts as lost.
 */
import type { SimClimate } from '../../drivers/climate/sim.js';
import type { GpioSwitch } from '../../drivers/climate/switch.js';
import type { Backlight, ClimateSensor, ParsedValue, Quantity, RejectReason, SensorReading } from '../../drivers/climate/types.js';
import type { CabinetConfig } from '../config/types.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Logger } from '../log.js';
import { curvePercent, localMinuteOfDay, scheduledPercent } from './brightness.js';
import { initialState, persisted, step, type ClimateAction, type ClimateState, type Output, type PersistedAlarms } from './climate-policy.js';
import { policySettings } from './config.js';

export const ALARMS_KEY = 'cabinet.climate_alarms';

/** What the unit drives: built from the config by src/hardware/cabinet.ts, simulated or real. */
export interface ClimateHardware {
  sensors: ClimateSensor[];
  heater?: GpioSwitch;
  fan?: GpioSwitch;
  backlight?: Backlight;
  /** Why there is no backlight although `brightness.mode` asks for one. */
  backlightError?: string;
  /** Present when a sensor is of kind `sim`. */
  sim?: SimClimate;
}

export interface ClimateUnitDeps {
  config: CabinetConfig;
  ledger: Ledger;
  log: Logger;
  hardware: () => Promise<ClimateHardware>;
  now?: () => number;
  /** Poll on a timer (the daemon); tests call `poll()` on a simulated clock instead. */
  timers?: boolean;
}

export interface SensorStatus {
  id: string;
  quantity: Quantity;
  source: string;
  value: number | null;
  at: string | null;
  lost: boolean;
  rejectedInARow: number;
  /** Rejected readings since the start. */
  rejected: number;
  lastReason: RejectReason | null;
  lastDetail: string | null;
}

export interface SwitchStatus {
  wired: boolean;
  line: number | null;
  on: boolean | null;
  since: string | null;
  error?: string;
}

export interface ClimateStatus {
  enabled: boolean;
  lastPollAt: string | null;
  sensors: SensorStatus[];
  heater: SwitchStatus;
  fan: SwitchStatus;
  alarms: { tooCold: boolean; tooHot: boolean; blind: boolean; lost: string[] };
  brightness: { mode: CabinetConfig['brightness']['mode']; backlight: string | null; percent: number | null; error?: string };
  telemetry: { everyMs: number; nextAt: string | null };
  sim: { temperatureC: number; ambientC: number; sensorLost: boolean } | null;
}

type TelemetryCounter = { count: number; lastReason: RejectReason | null };

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const round = (v: number): number => Math.round(v * 100) / 100;

export class ClimateUnit {
  readonly #d: ClimateUnitDeps;
  readonly #now: () => number;
  #hw: ClimateHardware | undefined;
  #state: ClimateState | undefined;
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #polling: Promise<void> | undefined;
  #lastPollAt: number | null = null;
  #lastTelemetryAt = 0;
  readonly #rejectedTotal = new Map<string, number>();
  #rejectedPeriod = new Map<string, TelemetryCounter>();
  /** On-time since the last telemetry, and since when an output that is on has been counted. */
  readonly #onMs: Record<Output, number> = { heater: 0, fan: 0 };
  readonly #onSince: Partial<Record<Output, number>> = {};
  readonly #switches: Record<Output, number> = { heater: 0, fan: 0 };
  readonly #switchError: Partial<Record<Output, string>> = {};
  #backlightError: string | undefined;

  constructor(deps: ClimateUnitDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.#d.config.enabled;
  }

  /** The simulated climate, when a sensor is of kind `sim` (after start). */
  get sim(): SimClimate | undefined {
    return this.#hw?.sim;
  }

  get state(): ClimateState | undefined {
    return this.#state;
  }

  async start(): Promise<void> {
    if (this.#started || !this.enabled) return;
    this.#started = true;
    const { log } = this.#d;
    this.#hw = await this.#d.hardware();
    const now = this.#now();
    const recorded = this.#recordedAlarms();
    this.#state = initialState(this.#hw.sensors.map((s) => ({ id: s.id, quantity: s.quantity })), now, recorded);
    this.#lastTelemetryAt = now;
    for (const sw of [this.#hw.heater, this.#hw.fan]) {
      if (sw && !(await sw.open())) log.error({ output: sw.name, line: sw.line, err: sw.error }, `the cabinet's ${sw.name} cannot be switched: its GPIO line cannot be used (see gpio.backend and gpio.chip)`);
    }
    if (this.#hw.backlightError) log.warn({ err: this.#hw.backlightError }, 'no backlight to set the screen brightness on');
    if (this.#hw.sensors.length === 0) log.warn(`no climate sensor: none listed in cabinet.sensors and no DS18B20 under ${this.#d.config.sysfsRoot}/bus/w1/devices; the heater and fan stay off`);
    log.info({ sensors: this.#hw.sensors.map((s) => `${s.id} (${s.quantity}): ${s.describe()}`), heater: this.#hw.heater?.line ?? null, fan: this.#hw.fan?.line ?? null, alarms: recorded ?? null }, 'cabinet climate watch started');
    if (this.#d.timers !== false) this.#schedule(0);
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    clearTimeout(this.#timer);
    await this.#polling?.catch(() => undefined);
    // Off and released: a heater must not stay on with nobody watching.
    await this.#hw?.heater?.close();
    await this.#hw?.fan?.close();
  }

  #schedule(ms: number): void {
    this.#timer = setTimeout(() => {
      void this.poll().finally(() => this.#started && this.#schedule(this.#d.config.pollMs));
    }, ms);
    this.#timer.unref?.();
  }

  #recordedAlarms(): PersistedAlarms | undefined {
    const raw = this.#d.ledger.meta.get(ALARMS_KEY);
    if (raw === undefined) return undefined;
    try {
      const v = JSON.parse(raw) as PersistedAlarms;
      return { tooCold: v.tooCold === true, tooHot: v.tooHot === true, lost: Array.isArray(v.lost) ? v.lost.filter((x): x is string => typeof x === 'string') : [] };
    } catch {
      this.#d.log.warn({ key: ALARMS_KEY }, 'the recorded cabinet alarm state is unreadable; starting with none');
      return undefined;
    }
  }

  /** One poll now (after the one in progress, if any). Never throws: failures are logged. */
  poll(): Promise<void> {
    const run = async (): Promise<void> => {
      try {
        await this.#pollOnce();
      } catch (err) {
        this.#d.log.error({ err }, 'cabinet climate poll failed; retried at the next poll');
      }
    };
    const next = (this.#polling ?? Promise.resolve()).then(run);
    this.#polling = next;
    return next;
  }

  async #read(sensor: ClimateSensor): Promise<SensorReading> {
    const ms = this.#d.config.readTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ParsedValue>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, reason: 'timeout', detail: `no answer within ${ms} ms` }), ms);
    });
    const value = await Promise.race([sensor.read().catch((err: unknown): ParsedValue => ({ ok: false, reason: 'read_error', detail: String(err) })), timeout]);
    clearTimeout(timer);
    return { ...value, sensor: sensor.id, quantity: sensor.quantity, at: this.#now() };
  }

  async #pollOnce(): Promise<void> {
    const hw = this.#hw;
    if (!this.#started || !hw || !this.#state) return;
    const readings: SensorReading[] = [];
    for (const s of hw.sensors) readings.push(await this.#read(s));
    const now = this.#now();
    this.#lastPollAt = now;
    const before = this.#state;
    const { state, actions } = step(policySettings(this.#d.config), before, readings, now);
    this.#state = state;
    for (const r of readings) {
      if (r.ok) continue;
      this.#rejectedTotal.set(r.sensor, (this.#rejectedTotal.get(r.sensor) ?? 0) + 1);
      const c = this.#rejectedPeriod.get(r.sensor) ?? { count: 0, lastReason: null };
      this.#rejectedPeriod.set(r.sensor, { count: c.count + 1, lastReason: r.reason });
    }
    for (const a of actions) if (a.kind === 'switch') await this.#switch(a.output, a.on, a.why, before, now);
    this.#record(actions, now);
    this.#log(actions);
    await this.#brightness(now);
    if (now - this.#lastTelemetryAt >= this.#d.config.telemetryMs) this.#telemetry(now);
  }

  async #switch(output: Output, on: boolean, why: string, before: ClimateState, now: number): Promise<void> {
    const sw = this.#hw?.[output];
    const state = this.#state!;
    if (!sw) return;
    try {
      await sw.set(on);
      delete this.#switchError[output];
    } catch (err) {
      // The state stays as the hardware is, so the next poll tries again.
      state[output] = { ...before[output] };
      const msg = (err as Error).message;
      if (this.#switchError[output] !== msg) this.#d.log.error({ output, on, err: msg }, `the cabinet's ${output} could not be switched ${on ? 'on' : 'off'}; retried at the next poll`);
      this.#switchError[output] = msg;
      return;
    }
    if (on) this.#onSince[output] = now;
    else this.#accumulate(output, now);
    this.#switches[output]++;
    this.#d.log.info({ output, on, why }, `cabinet ${output} ${on ? 'on' : 'off'}`);
  }

  #accumulate(output: Output, now: number): void {
    const since = this.#onSince[output];
    if (since === undefined) return;
    this.#onMs[output] += Math.max(0, now - since);
    if (this.#hw?.[output]?.on === true) this.#onSince[output] = now;
    else delete this.#onSince[output];
  }

  /** Every alarm change of the poll, and the alarm state it leaves, in one transaction. */
  #record(actions: readonly ClimateAction[], now: number): void {
    const changes = actions.filter((a) => a.kind === 'alarm' || a.kind === 'alarm_cleared' || a.kind === 'sensor_lost' || a.kind === 'sensor_back');
    if (changes.length === 0) return;
    const { ledger } = this.#d;
    const alarms = persisted(this.#state!);
    ledger.transaction(() => {
      ledger.meta.set(ALARMS_KEY, JSON.stringify(alarms));
      for (const a of changes) {
        const event = this.#event(a);
        if (!event) continue;
        ledger.audit.record({ at: now, actor: 'system', action: event.type, detail: event.data });
        ledger.outbox.append(event.type, now, event.data);
      }
    });
  }

  #event(a: ClimateAction): { type: 'cabinet.too_cold' | 'cabinet.too_hot' | 'cabinet.climate_ok' | 'cabinet.sensor_lost' | 'cabinet.sensor_back'; data: Record<string, unknown> } | undefined {
    switch (a.kind) {
      case 'alarm':
        return { type: a.alarm === 'too_cold' ? 'cabinet.too_cold' : 'cabinet.too_hot', data: { sensor: a.sensor, temperatureC: round(a.temperatureC), thresholdC: a.thresholdC } };
      case 'alarm_cleared':
        return { type: 'cabinet.climate_ok', data: { cleared: a.alarm, sensor: a.sensor, temperatureC: round(a.temperatureC) } };
      case 'sensor_lost':
        return { type: 'cabinet.sensor_lost', data: { sensor: a.sensor, quantity: a.quantity, reason: a.reason, detail: a.detail.slice(0, 300), rejectedInARow: a.rejectedInARow, lastGoodAt: iso(a.lastGoodAt) } };
      case 'sensor_back':
        return { type: 'cabinet.sensor_back', data: { sensor: a.sensor, quantity: a.quantity, value: round(a.value) } };
      default:
        return undefined;
    }
  }

  #log(actions: readonly ClimateAction[]): void {
    const { log } = this.#d;
    for (const a of actions) {
      switch (a.kind) {
        case 'rejected':
          if (this.#state?.sensors[a.sensor]?.lost) log.debug({ sensor: a.sensor, reason: a.reason }, 'climate sensor still lost');
          else if (a.first) log.warn({ sensor: a.sensor, reason: a.reason, detail: a.detail }, 'climate reading rejected and ignored (the last good value stands)');
          else log.debug({ sensor: a.sensor, reason: a.reason }, 'climate reading rejected again');
          break;
        case 'sensor_lost':
          log.error({ sensor: a.sensor, reason: a.reason, detail: a.detail }, `climate sensor lost; sent upstream${this.#state?.blind ? '; no temperature sensor is left: heater off, fan on (fail-safe)' : ''}`);
          break;
        case 'sensor_back':
          log.info({ sensor: a.sensor, value: a.value }, 'climate sensor back');
          break;
        case 'alarm':
          log.warn({ sensor: a.sensor, temperatureC: a.temperatureC, thresholdC: a.thresholdC }, `cabinet ${a.alarm === 'too_cold' ? 'too cold' : 'too hot'}; alarm sent upstream`);
          break;
        case 'alarm_cleared':
          log.info({ sensor: a.sensor, temperatureC: a.temperatureC }, `cabinet no longer ${a.alarm === 'too_cold' ? 'too cold' : 'too hot'}`);
          break;
        default:
          break;
      }
    }
  }

  #targetBrightness(now: number): number | null {
    const b = this.#d.config.brightness;
    const clamp = (p: number) => Math.min(b.maxPercent, Math.max(b.minPercent, p));
    if (b.mode === 'schedule') {
      const p = scheduledPercent(b.schedule, localMinuteOfDay(now));
      return p === null ? null : clamp(p);
    }
    if (b.mode === 'light' && b.light) {
      const t = this.#state?.sensors[b.light.sensor];
      // A lost light sensor: bright enough to read in sunlight rather than dark in it.
      if (!t || t.lost || t.value === null) return b.maxPercent;
      return curvePercent(b.light.curve, t.value, b.minPercent, b.maxPercent);
    }
    return null;
  }

  async #brightness(now: number): Promise<void> {
    const backlight = this.#hw?.backlight;
    const target = this.#targetBrightness(now);
    if (!backlight || target === null || backlight.percent === target) return;
    try {
      await backlight.set(target);
      this.#backlightError = undefined;
      this.#d.log.info({ percent: target }, 'screen brightness set');
    } catch (err) {
      const msg = (err as Error).message;
      if (this.#backlightError !== msg) this.#d.log.error({ err: msg, backlight: backlight.describe() }, 'the screen brightness could not be set; retried at the next poll');
      this.#backlightError = msg;
    }
  }

  #telemetry(now: number): void {
    const state = this.#state!;
    const hw = this.#hw!;
    for (const o of ['heater', 'fan'] as const) this.#accumulate(o, now);
    const switchData = (o: Output) => ({ wired: hw[o] !== undefined, on: hw[o]?.on === true, onSeconds: Math.round(this.#onMs[o] / 1000), switches: this.#switches[o] });
    const data = {
      periodSeconds: Math.round((now - this.#lastTelemetryAt) / 1000),
      sensors: hw.sensors.slice(0, 8).map((s) => {
        const t = state.sensors[s.id];
        const r = this.#rejectedPeriod.get(s.id);
        return { sensor: s.id, quantity: s.quantity, value: t?.value === null || t === undefined ? null : round(t.value), lost: t?.lost === true, rejected: r?.count ?? 0, lastReason: r?.lastReason ?? null };
      }),
      heater: switchData('heater'),
      fan: switchData('fan'),
      alarms: [...(state.tooCold ? ['too_cold'] : []), ...(state.tooHot ? ['too_hot'] : []), ...(state.blind ? ['blind'] : [])],
      brightnessPercent: hw.backlight?.percent ?? null,
    };
    const { ledger } = this.#d;
    ledger.transaction(() => ledger.outbox.append('cabinet.climate', now, data));
    this.#lastTelemetryAt = now;
    this.#rejectedPeriod = new Map();
    this.#onMs.heater = 0;
    this.#onMs.fan = 0;
    this.#switches.heater = 0;
    this.#switches.fan = 0;
  }

  status(): ClimateStatus {
    const c = this.#d.config;
    const hw = this.#hw;
    const state = this.#state;
    const sw = (o: Output): SwitchStatus => {
      const s: GpioSwitch | undefined = hw?.[o];
      const cfg = c[o];
      const error = this.#switchError[o] ?? s?.error;
      return { wired: cfg !== undefined, line: cfg?.line ?? null, on: s ? s.on : null, since: iso(state?.[o].since ?? null), ...(error ? { error } : {}) };
    };
    const sim = hw?.sim;
    return {
      enabled: c.enabled,
      lastPollAt: iso(this.#lastPollAt),
      sensors: (hw?.sensors ?? []).map((s) => {
        const t = state?.sensors[s.id];
        return {
          id: s.id, quantity: s.quantity, source: s.describe(), value: t?.value ?? null, at: iso(t?.lastGoodAt ?? null), lost: t?.lost ?? false,
          rejectedInARow: t?.rejectedInARow ?? 0, rejected: this.#rejectedTotal.get(s.id) ?? 0, lastReason: t?.lastReason ?? null, lastDetail: t?.lastDetail ?? null,
        };
      }),
      heater: sw('heater'),
      fan: sw('fan'),
      alarms: { tooCold: state?.tooCold ?? false, tooHot: state?.tooHot ?? false, blind: state?.blind ?? false, lost: state ? persisted(state).lost : [] },
      brightness: {
        mode: c.brightness.mode, backlight: hw?.backlight?.describe() ?? null, percent: hw?.backlight?.percent ?? null,
        ...(this.#backlightError ?? hw?.backlightError ? { error: this.#backlightError ?? hw?.backlightError } : {}),
      },
      telemetry: { everyMs: c.telemetryMs, nextAt: this.#started ? iso(this.#lastTelemetryAt + c.telemetryMs) : null },
      sim: sim ? { temperatureC: round(sim.temperatureC), ambientC: sim.ambientC, sensorLost: sim.lost } : null,
    };
  }
}
