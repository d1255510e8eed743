/**
 * The kiosk-wide throttle on wrong codes and PINs. Pure: state in, state out, time passed in.
 * Times are throttle-clock times (./throttle-clock.ts), which never go back. The arithmetic
 * behind the defaults, and why this shape, is in docs/security.md.
 *
 * Two regimes per budget (codes and PINs are separate budgets):
 * - normal: the first `freeFailures` failures of the last 24 h cost nothing; then each failure
 *   makes the next check wait `baseLockoutMs`, doubling, at most `maxLockoutMs` (at most 60 s:
 *   that is the longest a resident with a correct code waits because of other people's typos);
 * - suspected: `alarmFailuresPerHour` failures within an hour, or `alarmFailuresPerDay` within
 *   24 h, raise `kiosk.guessing_suspected`; from then on every failure makes the next check
 *   wait `suspectedLockoutMs`, until no failure came for an hour and the last 24 h hold fewer
 *   than `alarmFailuresPerDay`. The daily threshold is what bounds an attacker who paces
 *   guesses just below the alarm: at most `alarmFailuresPerDay` un-alarmed failures a day.
 */
export interface GuessingPolicy {
  freeFailures: number;
  baseLockoutMs: number;
  maxLockoutMs: number;
  alarmFailuresPerHour: number;
  alarmFailuresPerDay: number;
  suspectedLockoutMs: number;
}

/** What is being guessed: retrieval codes and pickup QR tokens, or courier PINs and badges. */
export type GuessKind = 'code' | 'pin';
export const GUESS_KINDS: readonly GuessKind[] = ['code', 'pin'];

export interface GuessingBudget {
  /** Throttle-clock times of failures within the last 24 h, oldest first. */
  failures: number[];
  /** When the alarm regime began (throttle clock), or null. */
  suspectedSince: number | null;
  /** When `kiosk.guessing_suspected` was last raised for this budget (throttle clock), or null. */
  alarmedAt: number | null;
}

export interface GuessingState {
  /** The throttle clock when this state was written: the next start's clock never starts below it. */
  clock: number | null;
  code: GuessingBudget;
  pin: GuessingBudget;
}

export interface BudgetAssessment {
  waitMs: number;
  suspected: boolean;
  failuresLastHour: number;
  failuresLastDay: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const YEAR = 365.25 * DAY;
/** Guessing stops "for a while" when no failure came for this long. */
export const SUSPICION_QUIET_MS = HOUR;
/** While guessing goes on, the alarm is raised again at most this often (bounds the events upstream). */
export const ALARM_REPEAT_MS = 6 * HOUR;
/** The throttle must hold a sustained attacker to at least this long, on average, before any hit. */
export const MIN_YEARS_TO_A_HIT = 10;
/** A correct code never waits longer than this because of other people's failures, until the alarm. */
export const MAX_UNALARMED_WAIT_MS = 60_000;
/** Bounds the state even under an absurd config; far above what the policy lets through in a day. */
const MAX_REMEMBERED = 20_000;

export const emptyBudget = (): GuessingBudget => ({ failures: [], suspectedSince: null, alarmedAt: null });
export const emptyGuessingState = (): GuessingState => ({ clock: null, code: emptyBudget(), pin: emptyBudget() });

function lastDay(b: GuessingBudget, t: number): number[] {
  return b.failures.filter((f) => f > t - DAY);
}

function isSuspected(b: GuessingBudget, day: number[], t: number, p: GuessingPolicy): boolean {
  if (b.suspectedSince === null) return false;
  const last = day[day.length - 1];
  const quiet = last === undefined || t - last >= SUSPICION_QUIET_MS;
  return !(quiet && day.length < p.alarmFailuresPerDay);
}

/** How long the next check must wait, and whether the alarm regime holds. */
export function assessBudget(b: GuessingBudget, t: number, p: GuessingPolicy): BudgetAssessment {
  const day = lastDay(b, t);
  const failuresLastHour = day.filter((f) => f > t - HOUR).length;
  const suspected = isSuspected(b, day, t, p);
  const last = day[day.length - 1];
  let lockout = 0;
  if (last !== undefined) {
    if (suspected) lockout = p.suspectedLockoutMs;
    else if (day.length > p.freeFailures) lockout = Math.min(p.maxLockoutMs, p.baseLockoutMs * 2 ** Math.min(day.length - p.freeFailures - 1, 30));
  }
  const waitMs = last === undefined ? 0 : Math.max(0, last + lockout - t);
  return { waitMs, suspected, failuresLastHour, failuresLastDay: day.length };
}

/**
 * Records one failure at `t`. `alarm` is true when it raises the alarm regime, or finds it
 * holding, and no alarm was raised within ALARM_REPEAT_MS: at most 4 events a day per budget.
 */
export function recordFailure(b: GuessingBudget, t: number, p: GuessingPolicy): { budget: GuessingBudget; alarm: boolean; failuresLastHour: number; failuresLastDay: number } {
  const before = lastDay(b, t);
  const wasSuspected = isSuspected(b, before, t, p);
  const failures = [...before, t].slice(-MAX_REMEMBERED);
  const failuresLastHour = failures.filter((f) => f > t - HOUR).length;
  const failuresLastDay = failures.length;
  const suspected = wasSuspected || failuresLastHour >= p.alarmFailuresPerHour || failuresLastDay >= p.alarmFailuresPerDay;
  const alarm = suspected && (b.alarmedAt === null || t - b.alarmedAt >= ALARM_REPEAT_MS);
  const suspectedSince = suspected ? (wasSuspected ? b.suspectedSince : t) : null;
  return { budget: { failures, suspectedSince, alarmedAt: alarm ? t : b.alarmedAt }, alarm, failuresLastHour, failuresLastDay };
}

// --- the arithmetic (docs/security.md) -----------------------------------------------------

/**
 * The most failures any 24 h of seen time can hold, whatever the attacker's pacing: up to the
 * last failure checked outside the alarm regime, at most `alarmFailuresPerDay` (outside the
 * regime the last 24 h hold fewer); after it, one per `suspectedLockoutMs` (docs/security.md).
 */
export function worstCaseGuessesPerDay(p: GuessingPolicy): number {
  return p.alarmFailuresPerDay + Math.floor(DAY / p.suspectedLockoutMs) + 1;
}

/** Mean years of non-stop guessing to a first hit, with one live code per compartment. */
export function expectedYearsToAHit(codeLength: number, compartments: number, guessesPerDay: number): number {
  return 10 ** codeLength / (Math.max(1, compartments) * guessesPerDay * (YEAR / DAY));
}

/** The shortest code length (6..12) that holds an attacker off MIN_YEARS_TO_A_HIT years; null if none does. */
export function requiredCodeLength(compartments: number, p: GuessingPolicy): number | null {
  const perDay = worstCaseGuessesPerDay(p);
  for (let n = 6; n <= 12; n++) if (expectedYearsToAHit(n, compartments, perDay) >= MIN_YEARS_TO_A_HIT) return n;
  return null;
}

// --- persistence ---------------------------------------------------------------------------

const times = (v: unknown): number[] => (Array.isArray(v) ? v.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)).slice(-MAX_REMEMBERED) : []);

function parseBudget(v: unknown): GuessingBudget {
  if (!v || typeof v !== 'object') return emptyBudget();
  const o = v as Record<string, unknown>;
  const time = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  return { failures: times(o.failures).sort((a, b) => a - b), suspectedSince: time(o.suspectedSince), alarmedAt: time(o.alarmedAt) };
}

/**
 * Parses the persisted state. The format before the throttle clock (`{failures}`, wall-clock
 * times of codes and PINs together) is carried into both budgets. Anything unreadable starts
 * afresh rather than crashing (only lockerd writes it).
 */
export function parseGuessingState(text: string | undefined): GuessingState {
  if (!text) return emptyGuessingState();
  try {
    const v = JSON.parse(text) as Record<string, unknown> | null;
    if (!v || typeof v !== 'object') return emptyGuessingState();
    if (v.v === 2) {
      const clock = typeof v.clock === 'number' && Number.isFinite(v.clock) ? v.clock : null;
      return { clock, code: parseBudget(v.code), pin: parseBudget(v.pin) };
    }
    if (Array.isArray(v.failures)) {
      const legacy = times(v.failures).sort((a, b) => a - b);
      return { clock: null, code: { ...emptyBudget(), failures: legacy }, pin: { ...emptyBudget(), failures: [...legacy] } };
    }
  } catch {
    // fall through
  }
  return emptyGuessingState();
}

export function serializeGuessingState(s: GuessingState): string {
  return JSON.stringify({ v: 2, clock: s.clock, code: s.code, pin: s.pin });
}
