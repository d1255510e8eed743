import type { CompartmentSize, HoldReminder, LockerdConfig } from '../config/types.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A config duration: a whole number of minutes, hours or days ("90m", "36h", "7d"). */
export const DURATION_PATTERN = '^[1-9][0-9]{0,5}[mhd]$';
export const DURATION_DESCRIPTION = 'a duration: a whole number followed by m (minutes), h (hours) or d (days), e.g. "7d", "36h" or "90m"';
/** The longest hold (and so the longest reminder offset) the config accepts. */
export const MAX_HOLD_MS = 365 * UNIT_MS.d;

/** Milliseconds of a duration matching DURATION_PATTERN; NaN for anything else. */
export function durationMs(text: string): number {
  const m = /^([1-9][0-9]{0,5})([mhd])$/.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : Number.NaN;
}

/** A reminder as people read it: "24h before the end", "2d after the deposit". */
export function describeReminder(r: HoldReminder): string {
  return r.before !== undefined ? `${r.before} before the end` : `${r.after ?? '?'} after the deposit`;
}

/**
 * How long parcels are held and when their residents are reminded (config `holds`), as pure
 * arithmetic on a parcel's deposit and end times. No clock and no ledger here: ./holds.ts decides
 * when to act.
 */
export class HoldPolicy {
  readonly #lengthMs: number;
  readonly #bySize: Partial<Record<CompartmentSize, number>>;
  readonly #reminders: HoldReminder[];
  /** What happens to the code at the end of the hold. */
  readonly codeStops: boolean;

  constructor(holds: LockerdConfig['holds']) {
    this.#lengthMs = durationMs(holds.length);
    this.#bySize = Object.fromEntries(Object.entries(holds.lengthBySize).map(([size, d]) => [size, durationMs(d)]));
    this.#reminders = holds.reminders;
    this.codeStops = holds.atEnd === 'code_stops';
  }

  /** How long a parcel in a compartment of this size is held. */
  holdMs(size: CompartmentSize): number {
    return this.#bySize[size] ?? this.#lengthMs;
  }

  /**
   * When each configured reminder falls for a hold from `depositedAt` to `expiresAt`, in config
   * order (1-based `reminder`). Only those strictly inside the hold: an extended hold may push an
   * "after" reminder past nothing, a shortened one may leave one outside.
   */
  reminderTimes(depositedAt: number, expiresAt: number): { reminder: number; dueAt: number }[] {
    return this.#reminders
      .map((r, i) => ({ reminder: i + 1, dueAt: r.before !== undefined ? expiresAt - durationMs(r.before) : depositedAt + durationMs(r.after!) }))
      .filter((r) => r.dueAt > depositedAt && r.dueAt < expiresAt);
  }

  /**
   * The reminder to send now for a hold whose reminders up to `remindedThrough` were dealt with:
   * the latest one due by `now` (earlier ones due at the same time are superseded by it: one
   * message, not several at once after an outage), or null.
   */
  reminderDue(p: { depositedAt: number; expiresAt: number; remindedThrough: number | null }, now: number): { reminder: number; dueAt: number } | null {
    const due = this.reminderTimes(p.depositedAt, p.expiresAt).filter((r) => r.dueAt <= now && (p.remindedThrough === null || r.dueAt > p.remindedThrough));
    return due.length === 0 ? null : due.reduce((a, b) => (b.dueAt >= a.dueAt ? b : a));
  }
}

/**
 * Config problems of `holds` (cross-checks after the schema): durations within bounds, and every
 * reminder inside the hold of every configured size, listed in the order they fall.
 */
export function holdConfigProblems(config: LockerdConfig): string[] {
  const problems: string[] = [];
  const { holds } = config;
  const tooLong = (key: string, text: string) => {
    if (durationMs(text) > MAX_HOLD_MS) problems.push(`${key}: "${text}" is longer than 365 days`);
  };
  tooLong('holds.length', holds.length);
  for (const [size, d] of Object.entries(holds.lengthBySize)) tooLong(`holds.lengthBySize.${size}`, d);
  let shapeOk = true;
  holds.reminders.forEach((r, i) => {
    const keys = Object.keys(r);
    if (keys.length !== 1) {
      shapeOk = false;
      problems.push(`holds.reminders[${i}]: give exactly one of "before" (before the end of the hold) or "after" (after the deposit), e.g. {"before": "24h"}`);
    }
  });
  if (!shapeOk || problems.length > 0) return problems;

  const policy = new HoldPolicy(holds);
  const sizes = [...new Set(config.compartments.map((c) => c.size))];
  for (const size of sizes) {
    const hold = policy.holdMs(size);
    let previous: { i: number; at: number } | undefined;
    holds.reminders.forEach((r, i) => {
      const at = r.before !== undefined ? hold - durationMs(r.before) : durationMs(r.after!);
      if (at <= 0 || at >= hold) {
        problems.push(`holds.reminders[${i}]: "${describeReminder(r)}" is not inside the hold of size ${size} compartments (${formatDuration(hold)}); a reminder must fall after the deposit and before the end`);
        return;
      }
      if (previous && at <= previous.at) {
        problems.push(`holds.reminders[${i}]: "${describeReminder(r)}" falls at ${formatDuration(at)} into the hold of size ${size} compartments, not after holds.reminders[${previous.i}] (${formatDuration(previous.at)}); list reminders in the order they fall, each at its own time`);
      }
      previous = { i, at };
    });
  }
  return [...new Set(problems)];
}

/** 90 minutes as "1h30m", 2 days as "2d": for messages. */
export function formatDuration(ms: number): string {
  const d = Math.floor(ms / UNIT_MS.d);
  const h = Math.floor((ms % UNIT_MS.d) / UNIT_MS.h);
  const m = Math.floor((ms % UNIT_MS.h) / UNIT_MS.m);
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : ''].join('');
  return parts || '0m';
}
