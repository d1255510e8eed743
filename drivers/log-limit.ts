/**
 * Rate-limited logging, the one mechanism for every line a flood of input can repeat (refused
 * scans, kiosk prompts, drivers' decoding failures). Dependency-free like ./contracts.ts, so both
 * the drivers and the core use it.
 *
 * Each distinct message (its level and text, which name the reason; numbers in it aside) may be written
 * `linesPerWindow` times per `windowMs`; further ones are counted, and when the window closes one
 * line says how many were suppressed: `1234 similar lines suppressed: scan refused`.
 */
// Type only: nothing of drivers/io is loaded with this file. pino's Logger fits DriverLog.
import type { DriverLog } from './io/log.js';

/** Drivers do not see the config: their input-driven lines use this budget (the kiosk's default). */
export const DRIVER_LINES_PER_MINUTE = 10;

export type LineLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LineBudgetSettings {
  /** Lines per message per window; 0 never limits. */
  linesPerWindow: number;
  windowMs: number;
}

export interface Suppressed {
  level: LineLevel;
  msg: string;
  count: number;
  /** When the window of these lines opened. */
  since: number;
}

/** Distinct messages tracked at once; beyond this they share one budget. */
const MAX_KEYS = 256;

interface Budget {
  level: LineLevel;
  msg: string;
  opensAt: number;
  written: number;
  suppressed: number;
}

/** The pure part: which lines to write, and which suppressed counts are due. */
export class LineBudget {
  readonly #budgets = new Map<string, Budget>();

  constructor(readonly settings: LineBudgetSettings) {}

  /** True: write this line. `due` are summaries of closed windows, to be written first. */
  take(level: LineLevel, msg: string, at: number): { write: boolean; due: Suppressed[] } {
    const due = this.due(at);
    if (this.settings.linesPerWindow <= 0) return { write: true, due };
    // Numbers aside: "Unit 1 does not exist" and "Unit 2 does not exist" are the same line.
    let key = `${level}\u0000${msg.slice(0, 200).replace(/[0-9]+/g, '#')}`;
    let b = this.#budgets.get(key);
    if (!b && this.#budgets.size >= MAX_KEYS) {
      // Too many distinct lines at once: the rest share one budget, so the total stays bounded.
      key = `${level}\u0000\u0000other`;
      b = this.#budgets.get(key);
      msg = 'other repeated lines';
    }
    if (!b) {
      b = { level, msg, opensAt: at, written: 0, suppressed: 0 };
      this.#budgets.set(key, b);
    }
    if (b.written < this.settings.linesPerWindow) {
      b.written++;
      return { write: true, due };
    }
    b.suppressed++;
    return { write: false, due };
  }

  /** Closes the windows ended by `at` (or whose clock went back); returns those that suppressed lines. */
  due(at: number): Suppressed[] {
    const out: Suppressed[] = [];
    for (const [key, b] of this.#budgets) {
      if (at >= b.opensAt && at < b.opensAt + this.settings.windowMs) continue;
      this.#budgets.delete(key);
      if (b.suppressed > 0) out.push({ level: b.level, msg: b.msg, count: b.suppressed, since: b.opensAt });
    }
    return out;
  }

  /** When the earliest window holding suppressed lines closes. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const b of this.#budgets.values()) {
      if (b.suppressed === 0) continue;
      const end = b.opensAt + this.settings.windowMs;
      if (next === undefined || end < next) next = end;
    }
    return next;
  }
}

export interface LimitedLogOptions extends LineBudgetSettings {
  now?: () => number;
}

/**
 * A logger that writes through `log` within a LineBudget, and writes the "N similar lines
 * suppressed" line when a window closes (at the next line, or from an unref'd timer when the
 * flood has stopped).
 */
export class LimitedLog implements DriverLog {
  readonly #log: DriverLog;
  readonly #budget: LineBudget;
  readonly #now: () => number;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(log: DriverLog, options: LimitedLogOptions) {
    this.#log = log;
    this.#budget = new LineBudget(options);
    this.#now = options.now ?? Date.now;
  }

  debug(obj: object, msg: string): void {
    this.#line('debug', obj, msg);
  }

  info(obj: object, msg: string): void {
    this.#line('info', obj, msg);
  }

  warn(obj: object, msg: string): void {
    this.#line('warn', obj, msg);
  }

  error(obj: object, msg: string): void {
    this.#line('error', obj, msg);
  }

  /** Writes the summaries of every window that has closed (tests and shutdown). */
  flushDue(): void {
    this.#summarise(this.#budget.due(this.#now()));
    this.#arm();
  }

  #line(level: LineLevel, obj: object, msg: string): void {
    const { write, due } = this.#budget.take(level, msg, this.#now());
    this.#summarise(due);
    if (write) this.#log[level](obj, msg);
    else this.#arm();
  }

  #summarise(due: Suppressed[]): void {
    for (const s of due) {
      this.#log[s.level]({ suppressed: s.count, since: new Date(s.since).toISOString() }, `${s.count} similar lines suppressed: ${s.msg}`);
    }
  }

  #arm(): void {
    if (this.#timer) return;
    const due = this.#budget.nextDue();
    if (due === undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flushDue();
    }, Math.max(0, due - this.#now()) + 1);
    (this.#timer as { unref?: () => void }).unref?.();
  }
}
