import { describe, expect, it } from 'vitest';
import { emptyGuessingState, parseGuessingState, recordFailure, waitBeforeNextAttempt, type GuessingPolicy } from '../../src/locker/guessing.js';

const policy: GuessingPolicy = { freeFailures: 10, baseLockoutMs: 30_000, maxLockoutMs: 900_000, alarmFailuresPerHour: 10 };
const HOUR = 3_600_000;

/** An attacker who tries again the moment the kiosk allows it, on a simulated clock. */
function attack(durationMs: number): { attempts: number; alarms: number } {
  let state = emptyGuessingState();
  let now = 0;
  let attempts = 0;
  let alarms = 0;
  while (now < durationMs) {
    now += Math.max(waitBeforeNextAttempt(state, now, policy), 2_000); // typing a code takes ~2 s
    const r = recordFailure(state, now, policy);
    state = r.state;
    attempts++;
    if (r.alarm) alarms++;
  }
  return { attempts, alarms };
}

describe('the guessing throttle', () => {
  it('lets the free failures through, then doubles the wait up to the cap', () => {
    let state = emptyGuessingState();
    const t = 1_000_000;
    for (let i = 0; i < 10; i++) state = recordFailure(state, t, policy).state;
    expect(waitBeforeNextAttempt(state, t, policy)).toBe(0);
    state = recordFailure(state, t, policy).state;
    expect(waitBeforeNextAttempt(state, t, policy)).toBe(30_000);
    state = recordFailure(state, t, policy).state;
    expect(waitBeforeNextAttempt(state, t, policy)).toBe(60_000);
    for (let i = 0; i < 20; i++) state = recordFailure(state, t, policy).state;
    expect(waitBeforeNextAttempt(state, t, policy)).toBe(900_000);
    expect(waitBeforeNextAttempt(state, t + 899_000, policy)).toBe(1_000);
  });

  it('forgets failures after a day', () => {
    let state = emptyGuessingState();
    for (let i = 0; i < 30; i++) state = recordFailure(state, 0, policy).state;
    expect(waitBeforeNextAttempt(state, 24 * HOUR + 1, policy)).toBe(0);
  });

  it('holds a sustained attacker to about 100 guesses a day and raises the alarm within the first hour', () => {
    // The figures docs/security.md builds on: 10 free + the ramp + one per 15 minutes.
    const day = attack(24 * HOUR);
    expect(day.attempts).toBeLessThanOrEqual(112);
    expect(day.attempts).toBeGreaterThan(90);
    const year = attack(365 * 24 * HOUR);
    expect(year.attempts).toBeLessThanOrEqual(365 * 97);
    const hour = attack(HOUR);
    expect(hour.alarms).toBeGreaterThanOrEqual(1);
  });

  it('reads back what it wrote, and starts afresh from garbage', () => {
    const s = recordFailure(emptyGuessingState(), 5, policy).state;
    expect(parseGuessingState(JSON.stringify(s))).toEqual(s);
    expect(parseGuessingState('not json')).toEqual(emptyGuessingState());
    expect(parseGuessingState('{"failures":["x",1,null]}')).toEqual({ failures: [1] });
  });
});
