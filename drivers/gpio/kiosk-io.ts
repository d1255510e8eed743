/**
 * The cabinet's GPIO: tamper switch and UPS power-fail inputs (KioskSignals), buzzer and status
 * lights (KioskFeedback), by name, over any GpioBackend. Hardware is disposable: a line that
 * cannot be opened is reported (health, log) and the rest keeps working.
 */
import { EventEmitter } from 'node:events';
import type { FeedbackTone, KioskFeedback, KioskSignals, PowerSignal, TamperSignal } from '../contracts.js';
import { errorText, type DriverLog } from '../io/log.js';
import { sleep, type GpioBackend, type GpioBias, type GpioInput, type GpioOutput } from './types.js';

export interface InputLineConfig {
  line: number;
  activeLow: boolean;
  bias: GpioBias;
  /** A change must hold this long before it counts. */
  debounceMs: number;
}

export interface OutputLineConfig {
  line: number;
  activeLow: boolean;
}

export interface KioskGpioConfig {
  tamper?: InputLineConfig;
  powerFail?: InputLineConfig;
  buzzer?: OutputLineConfig;
  lights?: { ok?: OutputLineConfig; error?: OutputLineConfig; busy?: OutputLineConfig };
}

export type NamedInput = 'tamper' | 'powerFail';
export type NamedOutput = 'buzzer' | 'lights.ok' | 'lights.error' | 'lights.busy';

export interface GpioLineState {
  name: string;
  line: number;
  direction: 'in' | 'out';
  activeLow: boolean;
  /** Logical value (true = active), null when unreadable. */
  active: boolean | null;
  error?: string;
}

/** A debounced input: reports a new stable value once it has held for `ms`. */
class Debounced {
  #stable: boolean | null = null;
  #latest: boolean | null = null;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ms: number,
    private readonly onStable: (value: boolean) => void,
  ) {}

  get value(): boolean | null {
    return this.#stable;
  }

  init(value: boolean): void {
    this.#stable = value;
    this.#latest = value;
  }

  feed(value: boolean): void {
    this.#latest = value;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.#latest !== null && this.#latest !== this.#stable) {
        this.#stable = this.#latest;
        this.onStable(this.#latest);
      }
    }, this.ms);
    this.#timer.unref?.();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}

export interface KioskGpioOptions {
  backend: () => Promise<GpioBackend>;
  config: KioskGpioConfig;
  log: DriverLog;
  /** Buzzer timings. */
  goodBeepMs?: number;
  errorBeepMs?: number;
  /** How long the ok/error light stays on after a beep. */
  lightMs?: number;
}

/** Both sides of the cabinet's GPIO, plus the technician's view of its lines. */
export class KioskGpio extends EventEmitter implements KioskSignals, KioskFeedback {
  readonly #o: KioskGpioOptions;
  #backend: GpioBackend | undefined;
  readonly #inputs = new Map<NamedInput, { cfg: InputLineConfig; input?: GpioInput; debounced: Debounced; unwatch?: () => void; error?: string }>();
  readonly #outputs = new Map<NamedOutput, { cfg: OutputLineConfig; output?: GpioOutput; error?: string }>();
  #started = false;
  #pattern: Promise<void> = Promise.resolve();
  #patternRunning = false;
  #lightTimers = new Map<NamedOutput, NodeJS.Timeout>();
  #backendError: string | undefined;

  constructor(options: KioskGpioOptions) {
    super();
    this.#o = options;
    const c = options.config;
    const input = (name: NamedInput, cfg: InputLineConfig | undefined) => {
      if (!cfg) return;
      this.#inputs.set(name, { cfg, debounced: new Debounced(cfg.debounceMs, (v) => this.#emitSignal(name, v)) });
    };
    input('tamper', c.tamper);
    input('powerFail', c.powerFail);
    const output = (name: NamedOutput, cfg: OutputLineConfig | undefined) => cfg && this.#outputs.set(name, { cfg });
    output('buzzer', c.buzzer);
    output('lights.ok', c.lights?.ok);
    output('lights.error', c.lights?.error);
    output('lights.busy', c.lights?.busy);
  }

  /** Whether any line is configured at all. */
  get configured(): boolean {
    return this.#inputs.size + this.#outputs.size > 0;
  }

  get backend(): GpioBackend | undefined {
    return this.#backend;
  }

  async start(): Promise<void> {
    if (this.#started || !this.configured) return;
    this.#started = true;
    try {
      this.#backend = await this.#o.backend();
    } catch (err) {
      this.#backendError = errorText(err);
      this.#o.log.error({ err: this.#backendError }, 'GPIO unavailable: tamper, power-fail, buzzer and lights do not work; the kiosk works without them');
      return;
    }
    for (const [name, entry] of this.#inputs) {
      try {
        const input = await this.#backend.openInput(entry.cfg.line, { activeLow: entry.cfg.activeLow, bias: entry.cfg.bias, debounceMs: entry.cfg.debounceMs });
        entry.input = input;
        entry.unwatch = input.watch((v) => entry.debounced.feed(v));
        entry.debounced.init(await input.read());
      } catch (err) {
        entry.error = errorText(err);
        this.#o.log.error({ input: name, line: entry.cfg.line, err: entry.error }, 'GPIO input cannot be used');
      }
    }
    for (const [name, entry] of this.#outputs) {
      try {
        entry.output = await this.#backend.openOutput(entry.cfg.line, { activeLow: entry.cfg.activeLow, initial: false });
      } catch (err) {
        entry.error = errorText(err);
        this.#o.log.error({ output: name, line: entry.cfg.line, err: entry.error }, 'GPIO output cannot be used');
      }
    }
    this.#o.log.info({ backend: this.#backend.describe(), inputs: [...this.#inputs.keys()], outputs: [...this.#outputs.keys()] }, 'GPIO ready');
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    for (const t of this.#lightTimers.values()) clearTimeout(t);
    this.#lightTimers.clear();
    await this.#pattern.catch(() => undefined);
    for (const entry of this.#inputs.values()) {
      entry.debounced.stop();
      entry.unwatch?.();
      await entry.input?.close().catch(() => undefined);
      entry.input = undefined;
    }
    for (const entry of this.#outputs.values()) {
      await entry.output?.write(false).catch(() => undefined);
      await entry.output?.close().catch(() => undefined);
      entry.output = undefined;
    }
  }

  // --- KioskSignals -----------------------------------------------------------------------

  state(): { tamperOpen: boolean | null; powerLost: boolean | null } {
    return { tamperOpen: this.#inputs.get('tamper')?.debounced.value ?? null, powerLost: this.#inputs.get('powerFail')?.debounced.value ?? null };
  }

  override on(event: 'tamper', listener: (signal: TamperSignal) => void): this;
  override on(event: 'power', listener: (signal: PowerSignal) => void): this;
  override on(event: string, listener: (...args: any[]) => void): this {
    return super.on(event, listener);
  }

  override off(event: 'tamper', listener: (signal: TamperSignal) => void): this;
  override off(event: 'power', listener: (signal: PowerSignal) => void): this;
  override off(event: string, listener: (...args: any[]) => void): this {
    return super.off(event, listener);
  }

  #emitSignal(name: NamedInput, value: boolean): void {
    const at = new Date();
    if (name === 'tamper') this.emit('tamper', { open: value, at } satisfies TamperSignal);
    else this.emit('power', { lost: value, at } satisfies PowerSignal);
  }

  // --- KioskFeedback ----------------------------------------------------------------------

  beep(tone: FeedbackTone): void {
    if (!this.#started) return;
    this.#flashLight(tone === 'good' ? 'lights.ok' : 'lights.error');
    const buzzer = this.#outputs.get('buzzer')?.output;
    if (!buzzer || this.#patternRunning) return; // one pattern at a time; extra beeps are dropped
    const good = this.#o.goodBeepMs ?? 80;
    const bad = this.#o.errorBeepMs ?? 120;
    const steps = tone === 'good' ? [good] : [bad, bad, bad];
    this.#patternRunning = true;
    this.#pattern = (async () => {
      try {
        for (let i = 0; i < steps.length; i++) {
          await buzzer.write(true);
          await sleep(steps[i]!);
          await buzzer.write(false);
          if (i < steps.length - 1) await sleep(steps[i]!);
        }
      } catch (err) {
        this.#o.log.warn({ err: errorText(err) }, 'buzzer write failed');
      } finally {
        this.#patternRunning = false;
      }
    })();
  }

  busy(on: boolean): void {
    if (!this.#started) return;
    void this.#outputs.get('lights.busy')?.output?.write(on).catch((err: unknown) => this.#o.log.warn({ err: errorText(err) }, 'busy light write failed'));
  }

  #flashLight(name: NamedOutput): void {
    const out = this.#outputs.get(name)?.output;
    if (!out) return;
    clearTimeout(this.#lightTimers.get(name));
    void out.write(true).catch(() => undefined);
    const t = setTimeout(() => void out.write(false).catch(() => undefined), this.#o.lightMs ?? 1500);
    t.unref?.();
    this.#lightTimers.set(name, t);
  }

  // --- technicians ------------------------------------------------------------------------

  async lines(): Promise<{ backend: string | null; error?: string; lines: GpioLineState[] }> {
    const lines: GpioLineState[] = [];
    for (const [name, e] of this.#inputs) {
      let active: boolean | null = null;
      let error = e.error;
      if (e.input) {
        try {
          active = await e.input.read();
        } catch (err) {
          error = errorText(err);
        }
      }
      lines.push({ name, line: e.cfg.line, direction: 'in', activeLow: e.cfg.activeLow, active, ...(error ? { error } : {}) });
    }
    for (const [name, e] of this.#outputs) {
      lines.push({ name, line: e.cfg.line, direction: 'out', activeLow: e.cfg.activeLow, active: e.output ? e.output.value : null, ...(e.error ? { error: e.error } : {}) });
    }
    return { backend: this.#backend?.describe() ?? null, ...(this.#backendError ? { error: this.#backendError } : {}), lines };
  }

  outputNames(): NamedOutput[] {
    return [...this.#outputs.keys()];
  }

  inputLine(name: string): InputLineConfig | undefined {
    return this.#inputs.get(name as NamedInput)?.cfg;
  }

  /** Drives one output active for `ms`, then inactive (technician test). */
  async pulse(name: string, ms: number): Promise<void> {
    const e = this.#outputs.get(name as NamedOutput);
    if (!e) throw new Error(`no GPIO output named "${name}" (configured: ${[...this.#outputs.keys()].join(', ') || 'none'})`);
    if (!e.output) throw new Error(`GPIO output "${name}" is not usable: ${e.error ?? this.#backendError ?? 'not started'}`);
    await e.output.write(true);
    try {
      await sleep(ms);
    } finally {
      await e.output.write(false);
    }
  }
}
