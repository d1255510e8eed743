/**
 * The kiosk-wide throttle on wrong codes and PINs. Pure: state in, state out, time passed in.
 * The arithmetic behind the defaults is in docs/security.md.
 */
export interface GuessingPolicy {
  freeFailures: number;
  baseLockoutMs: number;
  maxLockoutMs: number;
  alarmFailuresPerHour: number;
}

export interface GuessingState {
  /** Times (ms) of failed attempts within the last day, oldest first. */
  failures: number[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_REMEMBERED = 5_000;

export const emptyGuessingState = (): GuessingState => ({ failures: [] });

function recent(state: GuessingState, now: number, window: number): number[] {
  return state.failures.filter((t) => t > now - window && t <= now);
}

/** Milliseconds to wait before the next attempt may be checked; 0 when it may be checked now. */
export function waitBeforeNextAttempt(state: GuessingState, now: number, policy: GuessingPolicy): number {
  const day = recent(state, now, DAY);
  const excess = day.length - policy.freeFailures;
  if (excess <= 0) return 0;
  const lockout = Math.min(policy.maxLockoutMs, policy.baseLockoutMs * 2 ** Math.min(excess - 1, 30));
  const last = day[day.length - 1]!;
  return Math.max(0, last + lockout - now);
}

/** Records one failure. `alarm` is true when this failure makes the last hour's count reach a multiple of the alarm threshold. */
export function recordFailure(state: GuessingState, now: number, policy: GuessingPolicy): { state: GuessingState; alarm: boolean; failuresLastHour: number } {
  const failures = [...recent(state, now, DAY), now].slice(-MAX_REMEMBERED);
  const failuresLastHour = failures.filter((t) => t > now - HOUR).length;
  const alarm = policy.alarmFailuresPerHour > 0 && failuresLastHour % policy.alarmFailuresPerHour === 0;
  return { state: { failures }, alarm, failuresLastHour };
}

/** Parses the persisted state; anything unreadable starts the day afresh rather than crashing. */
export function parseGuessingState(text: string | undefined): GuessingState {
  if (!text) return emptyGuessingState();
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && Array.isArray((v as GuessingState).failures)) {
      return { failures: (v as GuessingState).failures.filter((t) => typeof t === 'number' && Number.isFinite(t)).slice(-MAX_REMEMBERED) };
    }
  } catch {
    // fall through
  }
  return emptyGuessingState();
}
