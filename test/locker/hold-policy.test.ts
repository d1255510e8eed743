import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { durationMs, formatDuration, HoldPolicy } from '../../src/locker/hold-policy.js';
import { testConfigJson } from '../helpers/fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function parse(overrides: Record<string, unknown>): ReturnType<typeof parseConfig> {
  return parseConfig(JSON.stringify({ ...testConfigJson('/tmp/x'), ...overrides }), 'x.json');
}

function problems(overrides: Record<string, unknown>): string[] {
  try {
    parse(overrides);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('the config was accepted');
}

describe('hold config', () => {
  it('reads durations in minutes, hours and days', () => {
    expect([durationMs('90m'), durationMs('36h'), durationMs('7d')]).toEqual([90 * 60_000, 36 * HOUR, 7 * DAY]);
    expect(durationMs('7 days')).toBeNaN();
    expect(formatDuration(DAY + 90 * 60_000)).toBe('1d1h30m');
  });

  it('keeps codes.holdDays working: it becomes holds.length', () => {
    const c = parse({ codes: { holdDays: 5 } });
    expect(c.holds.length).toBe('5d');
    expect(c.codes).toEqual({ length: 8 });
    expect(parse({}).holds).toEqual({ length: '7d', lengthBySize: {}, reminders: [], atEnd: 'code_keeps_working' });
    expect(problems({ codes: { holdDays: 5 }, holds: { length: '3d' } })).toEqual([
      'codes.holdDays: 5 is set together with holds.length ("3d"); keep holds.length only (codes.holdDays is its older name, in days)',
    ]);
  });

  it('refuses durations it cannot read, or too long', () => {
    expect(problems({ holds: { length: '7 days' } })).toEqual([
      'holds.length: "7 days" is not valid: expected a duration: a whole number followed by m (minutes), h (hours) or d (days), e.g. "7d", "36h" or "90m"',
    ]);
    expect(problems({ holds: { lengthBySize: { XL: '400d' } } })).toEqual(['holds.lengthBySize.XL: "400d" is longer than 365 days']);
  });

  it('refuses reminders outside the hold, out of order, or neither before nor after', () => {
    expect(problems({ holds: { length: '3d', lengthBySize: { XL: '1d' }, reminders: [{ after: '2d' }] } })).toEqual([
      'holds.reminders[0]: "2d after the deposit" is not inside the hold of size XL compartments (1d); a reminder must fall after the deposit and before the end',
    ]);
    expect(problems({ holds: { length: '3d', reminders: [{ before: '12h' }, { after: '1d' }] } })).toEqual([
      'holds.reminders[1]: "1d after the deposit" falls at 1d into the hold of size S compartments, not after holds.reminders[0] (2d12h); list reminders in the order they fall, each at its own time',
      'holds.reminders[1]: "1d after the deposit" falls at 1d into the hold of size M compartments, not after holds.reminders[0] (2d12h); list reminders in the order they fall, each at its own time',
      'holds.reminders[1]: "1d after the deposit" falls at 1d into the hold of size L compartments, not after holds.reminders[0] (2d12h); list reminders in the order they fall, each at its own time',
      'holds.reminders[1]: "1d after the deposit" falls at 1d into the hold of size XL compartments, not after holds.reminders[0] (2d12h); list reminders in the order they fall, each at its own time',
    ]);
    expect(problems({ holds: { reminders: [{ before: '1d', after: '1d' }, {}] } })).toEqual([
      'holds.reminders[0]: give exactly one of "before" (before the end of the hold) or "after" (after the deposit), e.g. {"before": "24h"}',
      'holds.reminders[1]: give exactly one of "before" (before the end of the hold) or "after" (after the deposit), e.g. {"before": "24h"}',
    ]);
    expect(parse({ holds: { length: '3d', reminders: [{ after: '1d' }, { before: '12h' }], atEnd: 'code_stops' } }).holds.reminders).toHaveLength(2);
  });

  it('gives the reminder due: the latest one not yet dealt with', () => {
    const policy = new HoldPolicy({ length: '3d', lengthBySize: { XL: '2d' }, reminders: [{ after: '1d' }, { before: '12h' }], atEnd: 'code_stops' });
    expect(policy.holdMs('S')).toBe(3 * DAY);
    expect(policy.holdMs('XL')).toBe(2 * DAY);
    const hold = { depositedAt: 0, expiresAt: 3 * DAY, remindedThrough: null };
    expect(policy.reminderDue(hold, DAY - 1)).toBeNull();
    expect(policy.reminderDue(hold, DAY)).toEqual({ reminder: 1, dueAt: DAY });
    expect(policy.reminderDue({ ...hold, remindedThrough: DAY }, 2 * DAY)).toBeNull();
    expect(policy.reminderDue(hold, 2.6 * DAY)).toEqual({ reminder: 2, dueAt: 2.5 * DAY });
    // An extended hold (to 5d at 3.5d, reminders through 3.5d dealt with): only "12h before" is ahead.
    expect(policy.reminderDue({ depositedAt: 0, expiresAt: 5 * DAY, remindedThrough: 3.5 * DAY }, 4.5 * DAY)).toEqual({ reminder: 2, dueAt: 4.5 * DAY });
  });
});
