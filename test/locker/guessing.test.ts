import { describe, expect, it } from 'vitest';
import {
  assessBudget, emptyBudget, expectedYearsToAHit, MAX_UNALARMED_WAIT_MS, MIN_YEARS_TO_A_HIT, parseGuessingState, recordFailure, requiredCodeLength,
  serializeGuessingState, SUSPICION_QUIET_MS, worstCaseGuessesPerDay, type GuessingBudget, type GuessingPolicy,
} from '../../src/locker/guessing.js';
import { prng } from '../helpers/prng.js';

/** The schema's defaults (src/config/schema.ts). */
const policy: GuessingPolicy = { freeFailures: 10, baseLockoutMs: 30_000, maxLockoutMs: 60_000, alarmFailuresPerHour: 10, alarmFailuresPerDay: 50, suspectedLockoutMs: 900_000 };
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TYPING_MS = 2_000; // keying a code and # takes about 2 s
const LARGEST_LOCKER = 512; // the schema's maximum compartment count: at most one live code each

/** When, after `t`, the next failure leaves the last hour, the last day or the quiet period. */
function nextExpiry(b: GuessingBudget, t: number): number {
  const due = b.failures.flatMap((f) => [f + HOUR, f + DAY, f + SUSPICION_QUIET_MS]).filter((x) => x > t);
  return due.length ? Math.min(...due) + 1 : t + HOUR;
}

/** An attacker's plan: the earliest time at or after `t` it wants to key its next guess. */
type Strategy = (b: GuessingBudget, t: number) => number;

const every = (ms: number): Strategy => (_b, t) => Math.ceil(t / ms) * ms;

const strategies: Record<string, (seed: number) => Strategy> = {
  // Keys again the moment the kiosk allows it.
  greedy: () => (_b, t) => t,
  // Paces just below the hourly alarm.
  'below the hourly alarm': () => every(Math.ceil(HOUR / (policy.alarmFailuresPerHour - 1)) + 1),
  // Paces just below the daily alarm.
  'below the daily alarm': () => every(Math.ceil(DAY / (policy.alarmFailuresPerDay - 1)) + 1),
  // Knows the policy: guesses whenever one more failure would not raise the alarm.
  'adaptive, never alarmed': () => (b, t) => {
    for (let c = t; ; ) {
      const a = assessBudget(b, c, policy);
      if (a.waitMs > 0) c += a.waitMs;
      else if (a.suspected || recordFailure(b, c, policy).alarm) c = nextExpiry(b, c);
      else return c;
    }
  },
  // Spends the un-alarmed budget, takes the alarm, then hides until it clears and starts again.
  'burst and hide': () => (b, t) => {
    let c = t;
    while (assessBudget(b, c, policy).suspected) c = nextExpiry(b, c);
    return c;
  },
  // Spends the un-alarmed budget first, then keeps on through the alarm regime.
  'quiet first, then greedy': () => (b, t) => {
    for (let c = t; ; ) {
      const a = assessBudget(b, c, policy);
      if (a.waitMs > 0) c += a.waitMs;
      else if (!a.suspected && recordFailure(b, c, policy).alarm && a.failuresLastDay < policy.alarmFailuresPerDay - 1) c = nextExpiry(b, c);
      else return c;
    }
  },
  // Random pauses, from seconds to hours.
  random: (seed) => {
    const r = prng(seed);
    return (_b, t) => t + Math.floor(r.next() ** 3 * 3 * HOUR);
  },
  // Switches plans at random.
  mixed: (seed) => {
    const r = prng(seed);
    const plans = ['greedy', 'adaptive, never alarmed', 'burst and hide', 'below the hourly alarm'].map((n) => strategies[n]!(seed));
    let plan = plans[0]!;
    return (b, t) => {
      if (r.next() < 0.05) plan = plans[r.int(plans.length)]!;
      return plan(b, t);
    };
  },
};

interface Run {
  failures: number[];
  /** The most failures any 24 h held. */
  worstDay: number;
  /** Failures per day over the second half of the run (the long-run rate). */
  longRunPerDay: number;
  alarms: number;
  /** The longest wait the kiosk imposed on anyone while the alarm regime did not hold. */
  longestUnalarmedWait: number;
}

/**
 * Runs an attacker on a simulated clock. The kiosk checks a guess only when the throttle allows
 * it; a refused one ("try again in N s") sends the attacker back N s later. Meanwhile a resident
 * with a correct code may arrive at any moment: right after each failure and at random times,
 * the test asks how long they would wait.
 */
function attack(strategy: Strategy, days: number, seed = 1): Run {
  const r = prng(seed);
  let b = emptyBudget();
  const failures: number[] = [];
  let alarms = 0;
  let longestUnalarmedWait = 0;
  const resident = (t: number): void => {
    const a = assessBudget(b, t, policy);
    if (!a.suspected) longestUnalarmedWait = Math.max(longestUnalarmedWait, a.waitMs);
  };
  for (let t = 0; ; ) {
    t = Math.max(t, strategy(b, t));
    if (t >= days * DAY) break;
    // Somewhere between the last failure and the attacker's next try.
    const last = failures.at(-1) ?? 0;
    resident(last + r.int(Math.max(1, t - last)));
    const a = assessBudget(b, t, policy);
    if (a.waitMs > 0) {
      t += a.waitMs;
      continue;
    }
    const rec = recordFailure(b, t, policy);
    b = rec.budget;
    failures.push(t);
    if (rec.alarm) alarms++;
    resident(t + 1);
    t += TYPING_MS;
  }
  let worstDay = 0;
  for (let i = 0, j = 0; i < failures.length; i++) {
    while (failures[j]! <= failures[i]! - DAY) j++;
    worstDay = Math.max(worstDay, i - j + 1);
  }
  const half = (days / 2) * DAY;
  return { failures, worstDay, longRunPerDay: failures.filter((f) => f >= half).length / (days / 2), alarms, longestUnalarmedWait };
}

describe('the guessing policy', () => {
  it('lets the free failures through, then waits 30 s, then at most 60 s before the alarm', () => {
    let b = emptyBudget();
    let t = 0;
    // Seven minutes apart: never 10 within an hour, never 50 within a day, so no alarm.
    const fail = (): void => {
      t += 7 * MIN;
      const r = recordFailure(b, t, policy);
      expect(r.alarm).toBe(false);
      b = r.budget;
    };
    for (let i = 0; i < 10; i++) fail();
    expect(assessBudget(b, t, policy).waitMs).toBe(0);
    fail();
    expect(assessBudget(b, t, policy).waitMs).toBe(30_000);
    fail();
    expect(assessBudget(b, t, policy).waitMs).toBe(60_000);
    for (let i = 0; i < 20; i++) fail();
    expect(assessBudget(b, t, policy)).toEqual({ waitMs: 60_000, suspected: false, failuresLastHour: 9, failuresLastDay: 32 });
    expect(assessBudget(b, t + 59_000, policy).waitMs).toBe(1_000);
    // A day of seen time later everything is forgotten.
    expect(assessBudget(b, t + DAY, policy)).toEqual({ waitMs: 0, suspected: false, failuresLastHour: 0, failuresLastDay: 0 });
  });

  it('raises the alarm at 10 failures within an hour; then each failure costs 15 min until guessing stops for an hour', () => {
    let b = emptyBudget();
    const alarms: number[] = [];
    for (let i = 1; i <= 10; i++) {
      const r = recordFailure(b, i * TYPING_MS, policy);
      b = r.budget;
      if (r.alarm) alarms.push(i);
    }
    expect(alarms).toEqual([10]);
    const t = 10 * TYPING_MS;
    expect(assessBudget(b, t, policy)).toMatchObject({ suspected: true, waitMs: 900_000 });
    // Still suspected while failures keep coming, even after the hourly count fell.
    b = recordFailure(b, t + 900_000, policy).budget;
    b = recordFailure(b, t + 1_800_000, policy).budget;
    b = recordFailure(b, t + 2_700_000, policy).budget;
    expect(assessBudget(b, t + 3_600_000, policy)).toMatchObject({ suspected: true, failuresLastHour: 3 });
    // An hour without failures ends it (fewer than 50 in the day): the wait is back to at most 60 s.
    const quiet = t + 2_700_000 + SUSPICION_QUIET_MS;
    expect(assessBudget(b, quiet, policy)).toMatchObject({ suspected: false, waitMs: 0 });
    const r = recordFailure(b, quiet, policy);
    expect(r.alarm).toBe(false);
    expect(r.budget.suspectedSince).toBeNull();
    expect(assessBudget(r.budget, quiet, policy).waitMs).toBeLessThanOrEqual(MAX_UNALARMED_WAIT_MS);
  });

  it('raises the alarm on an attacker pacing below the hourly threshold: 50 within 24 h', () => {
    let b = emptyBudget();
    const alarms: number[] = [];
    for (let i = 1; i <= 60; i++) {
      const r = recordFailure(b, i * 7 * MIN, policy);
      b = r.budget;
      if (r.alarm) alarms.push(i);
    }
    expect(alarms).toEqual([50]);
    // Once the day holds 50, the regime lasts until it holds fewer (an hour of quiet is not enough).
    expect(assessBudget(b, 60 * 7 * MIN + 2 * HOUR, policy).suspected).toBe(true);
  });

  it('holds every attacker to the worst case of the arithmetic, and a correct code never waits more than 60 s before the alarm', () => {
    const bound = worstCaseGuessesPerDay(policy);
    expect(bound).toBe(147); // 50 un-alarmed + 96 at 15 min + 1
    const runs = Object.entries(strategies).map(([name, make]) => ({ name, ...attack(make(7), 60, 7) }));
    for (const r of runs) {
      expect({ name: r.name, worstDay: r.worstDay <= bound }).toEqual({ name: r.name, worstDay: true });
      expect({ name: r.name, waitOk: r.longestUnalarmedWait <= MAX_UNALARMED_WAIT_MS }).toEqual({ name: r.name, waitOk: true });
    }
    // The alarm goes upstream when guessing starts and at most every 6 hours while it goes on.
    for (const r of runs) expect(r.alarms).toBeLessThanOrEqual(60 * 4 + 1);
    const byName = Object.fromEntries(runs.map((r) => [r.name, r]));
    // The attacker who never raises the alarm gets at most 49 a day; whoever goes on regardless, about 96.
    expect(byName['adaptive, never alarmed']!.alarms).toBe(0);
    expect(byName['adaptive, never alarmed']!.longRunPerDay).toBeLessThanOrEqual(policy.alarmFailuresPerDay - 1);
    expect(byName['below the daily alarm']!.alarms).toBe(0);
    expect(byName.greedy!.longRunPerDay).toBeGreaterThan(90);
    expect(byName.greedy!.longRunPerDay).toBeLessThanOrEqual(97);
    expect(byName.greedy!.alarms).toBeGreaterThan(0);

    // The figures of docs/security.md: the best long-run rate any plan reached, and what it buys at
    // the largest locker the schema allows with the code length the config check demands there.
    const best = Math.max(...runs.map((r) => r.longRunPerDay));
    expect(best).toBeLessThanOrEqual(bound);
    const length = requiredCodeLength(LARGEST_LOCKER, policy)!;
    expect(length).toBe(9);
    expect(expectedYearsToAHit(length, LARGEST_LOCKER, best)).toBeGreaterThan(50);
    expect(expectedYearsToAHit(length, LARGEST_LOCKER, bound)).toBeGreaterThan(36);
    expect(expectedYearsToAHit(length, LARGEST_LOCKER, bound)).toBeGreaterThanOrEqual(MIN_YEARS_TO_A_HIT);
  });

  it('keeps the wait for a correct code within 60 s under random failures that do not raise the alarm', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const run = attack(strategies['adaptive, never alarmed']!(seed), 10, seed);
      expect(run.alarms).toBe(0);
      expect(run.longestUnalarmedWait).toBeLessThanOrEqual(MAX_UNALARMED_WAIT_MS);
      const random = attack(strategies.random!(seed), 10, seed);
      expect(random.longestUnalarmedWait).toBeLessThanOrEqual(MAX_UNALARMED_WAIT_MS);
    }
  });

  it('was a lockout of 15 min for everyone at one wrong entry per 15 minutes; now the alarm says so first', () => {
    // The audit's case: one wrong entry every 15 minutes. Before the alarm nobody waits more than
    // 60 s; the 50th within 24 h (12.5 h in) raises it, and only then does the strict regime apply.
    let b = emptyBudget();
    for (let i = 1; i <= 49; i++) {
      const r = recordFailure(b, i * 15 * MIN, policy);
      expect(r.alarm).toBe(false);
      b = r.budget;
      expect(assessBudget(b, i * 15 * MIN, policy).waitMs).toBeLessThanOrEqual(60_000);
    }
    expect(recordFailure(b, 50 * 15 * MIN, policy).alarm).toBe(true);
  });

  it('sizes the code length from the compartment count', () => {
    expect(requiredCodeLength(28, policy)).toBe(8);
    expect(requiredCodeLength(186, policy)).toBe(8);
    expect(requiredCodeLength(187, policy)).toBe(9);
    expect(requiredCodeLength(512, policy)).toBe(9);
    expect(expectedYearsToAHit(8, 28, 147)).toBeCloseTo(66.5, 0);
    expect(expectedYearsToAHit(9, 512, 147)).toBeCloseTo(36.4, 0);
    expect(expectedYearsToAHit(8, 512, 147)).toBeCloseTo(3.6, 0);
  });

  it('reads back what it wrote, carries the old format into both budgets, and starts afresh from garbage', () => {
    const b = recordFailure(emptyBudget(), 5, policy).budget;
    const state = { clock: 9, code: b, pin: emptyBudget() };
    expect(parseGuessingState(serializeGuessingState(state))).toEqual(state);
    expect(parseGuessingState('{"failures":[3,1,"x",null]}')).toEqual({ clock: null, code: { ...emptyBudget(), failures: [1, 3] }, pin: { ...emptyBudget(), failures: [1, 3] } });
    expect(parseGuessingState('not json')).toEqual({ clock: null, code: emptyBudget(), pin: emptyBudget() });
    expect(parseGuessingState('null')).toEqual({ clock: null, code: emptyBudget(), pin: emptyBudget() });
    expect(parseGuessingState('{"v":2,"clock":"x","code":{"failures":[2],"suspectedSince":"y","alarmedAt":4}}')).toEqual({ clock: null, code: { failures: [2], suspectedSince: null, alarmedAt: 4 }, pin: emptyBudget() });
  });
});
