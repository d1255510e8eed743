/**
 * Refusals that change nothing else (a bad scan, an unknown unit, a stray key) land in the audit
 * trail, but a flood of identical ones must not grow the ledger without bound.
 *
 * Policy: the first refusal of a kind (same actor, action and `detail.reason`, numbers in it aside) is written at once,
 * so the trail never misses that it happened. Identical refusals within `windowMs` after it are
 * only counted; when the window closes one summary row of the same action says how many there
 * were (`detail.count`, with `detail.since`, the first repeat's time), so every row of an action
 * stands for `detail.count ?? 1` refusals. The summary is written in one transaction.
 *
 * Why counted in memory and not by updating a row per refusal: the audit trail is append-only
 * (triggers forbid UPDATE), and a durable counter would still cost one synchronous commit, a WAL
 * frame of a whole page, per refusal: the very write load a flood must not cause. What a power cut
 * can lose is the count of repeats in the one window still open, never the first refusal of a kind.
 */
import type { Ledger } from '../ledger/ledger.js';
import type { Logger } from '../log.js';

export interface Refusal {
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

export interface RefusalSummary extends Refusal {
  /** The last repeat's time: the summary row's `at`. */
  at: number;
}

/** Kinds of refusal tracked at once; beyond this the oldest window is closed early (memory stays bounded). */
export const MAX_OPEN_WINDOWS = 256;

interface Window {
  opensAt: number;
  first: Refusal;
  repeats: number;
  firstRepeatAt: number;
  lastAt: number;
}

export type RefusalDecision = { write: 'now'; summaries: RefusalSummary[] } | { write: 'counted'; summaries: RefusalSummary[] };

/** The pure part: decides which refusals are written and which are counted into a summary. */
export class RefusalWindows {
  readonly #open = new Map<string, Window>();

  /** `windowMs` 0 writes every refusal (the behaviour before windows). */
  constructor(readonly windowMs: number) {}

  /**
   * Identical means same actor, action and reason, numbers aside: "scan too long: 9000
   * characters" and "... 700 characters" are one kind, or random junk would open a window each.
   */
  static keyOf(r: Refusal): string {
    const reason = r.detail['reason'];
    const kind = typeof reason === 'string' ? reason.slice(0, 200).replace(/[0-9]+/g, '#') : typeof reason === 'number' ? '#' : null;
    return JSON.stringify([r.actor, r.action, kind]);
  }

  /** A refusal at `at`; `summaries` are windows closed by it, to be written before it. */
  offer(r: Refusal, at: number): RefusalDecision {
    const summaries = this.due(at);
    if (this.windowMs <= 0) return { write: 'now', summaries };
    const key = RefusalWindows.keyOf(r);
    const open = this.#open.get(key);
    // A clock that went back must not hold a window open for ever: it closes, as if expired.
    if (open && at >= open.opensAt && at < open.opensAt + this.windowMs) {
      if (open.repeats === 0) open.firstRepeatAt = at;
      open.repeats++;
      open.lastAt = at;
      return { write: 'counted', summaries };
    }
    if (open) {
      this.#open.delete(key);
      const s = summaryOf(open);
      if (s) summaries.push(s);
    }
    if (this.#open.size >= MAX_OPEN_WINDOWS) {
      const [oldestKey, oldest] = this.#open.entries().next().value as [string, Window];
      this.#open.delete(oldestKey);
      const s = summaryOf(oldest);
      if (s) summaries.push(s);
    }
    this.#open.set(key, { opensAt: at, first: r, repeats: 0, firstRepeatAt: at, lastAt: at });
    return { write: 'now', summaries };
  }

  /** Closes the windows that have ended by `at` (or whose clock went back) and returns their summaries. */
  due(at: number): RefusalSummary[] {
    const out: RefusalSummary[] = [];
    for (const [key, w] of this.#open) {
      if (at >= w.opensAt && at < w.opensAt + this.windowMs) continue;
      this.#open.delete(key);
      const s = summaryOf(w);
      if (s) out.push(s);
    }
    return out;
  }

  /** Closes every window (at shutdown). */
  drain(): RefusalSummary[] {
    const out = [...this.#open.values()].map(summaryOf).filter((s): s is RefusalSummary => s !== null);
    this.#open.clear();
    return out;
  }

  /** When the earliest open window with repeats ends, if any: the writer wakes then. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const w of this.#open.values()) {
      if (w.repeats === 0) continue;
      const end = w.opensAt + this.windowMs;
      if (next === undefined || end < next) next = end;
    }
    return next;
  }
}

function summaryOf(w: Window): RefusalSummary | null {
  if (w.repeats === 0) return null;
  const reason = w.first.detail['reason'];
  return {
    actor: w.first.actor,
    action: w.first.action,
    at: w.lastAt,
    detail: { ...(reason !== undefined ? { reason } : {}), count: w.repeats, since: new Date(w.firstRepeatAt).toISOString() },
  };
}

export interface RefusalRecorderDeps {
  ledger: Ledger;
  now: () => number;
  windowMs: number;
  log: Logger;
}

/** The thin writer: puts what `RefusalWindows` decides into the audit trail, one transaction per call. */
export class RefusalRecorder {
  readonly #deps: RefusalRecorderDeps;
  readonly #windows: RefusalWindows;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: RefusalRecorderDeps) {
    this.#deps = deps;
    this.#windows = new RefusalWindows(deps.windowMs);
  }

  record(actor: string, action: string, detail: Record<string, unknown>): void {
    const at = this.#deps.now();
    const decision = this.#windows.offer({ actor, action, detail }, at);
    if (decision.write === 'now' || decision.summaries.length > 0) {
      this.#deps.ledger.transaction(() => {
        for (const s of decision.summaries) this.#write(s);
        if (decision.write === 'now') this.#deps.ledger.audit.record({ at, actor, action, detail });
      });
    }
    this.#arm();
  }

  /** Writes the summaries of the windows that have ended. */
  flushDue(): void {
    this.#writeAll(this.#windows.due(this.#deps.now()));
    this.#arm();
  }

  /** Writes every open window's summary now (at shutdown: the counts survive a clean stop). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#writeAll(this.#windows.drain());
  }

  #writeAll(summaries: RefusalSummary[]): void {
    if (summaries.length === 0) return;
    this.#deps.ledger.transaction(() => {
      for (const s of summaries) this.#write(s);
    });
  }

  #write(s: RefusalSummary): void {
    this.#deps.ledger.audit.record({ at: s.at, actor: s.actor, action: s.action, detail: s.detail });
  }

  /** One timer for the earliest window to close, so a summary is written even when the flood stops. */
  #arm(): void {
    if (this.#timer) return;
    const due = this.#windows.nextDue();
    if (due === undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      try {
        this.flushDue();
      } catch (err) {
        this.#deps.log.error({ err }, 'could not write a refusal summary to the audit trail; will try again at the next refusal');
      }
    }, Math.max(0, due - this.#deps.now()) + 1);
    this.#timer.unref();
  }
}

/** A flooding input device muted (see src/hardware/input-flood.ts): its audit row and upstream event, in one transaction. */
export function recordInputMuted(ledger: Ledger, at: number, m: { device: string; inputsPerSecond: number; mutedForMs: number; until: number }): void {
  const data = { device: m.device, inputsPerSecond: m.inputsPerSecond, mutedForMs: m.mutedForMs, until: new Date(m.until).toISOString() };
  ledger.transaction(() => {
    ledger.audit.record({ at, actor: 'system', action: 'input.muted', detail: data });
    ledger.outbox.append('input.muted', at, data);
  });
}

export function recordInputUnmuted(ledger: Ledger, at: number, u: { device: string; droppedInputs: number; mutedForMs: number }): void {
  const data = { device: u.device, droppedInputs: u.droppedInputs, mutedForMs: u.mutedForMs };
  ledger.transaction(() => {
    ledger.audit.record({ at, actor: 'system', action: 'input.unmuted', detail: data });
    ledger.outbox.append('input.unmuted', at, data);
  });
}
