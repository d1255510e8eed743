/**
 * The system's zone (no name given) is read from Date's local time, a named zone from Intl: both
 * must place every moment in the same local day and hour, DST and odd offsets included.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Calendar } from '../../src/reports/calendar.js';
import { systemTimeZone } from '../../src/reports/system-zone.js';

const HOUR = 3_600_000;
const before = process.env.TZ;

describe('the calendar of the system zone', () => {
  afterEach(() => {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  });

  for (const zone of ['Europe/Berlin', 'America/St_Johns', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'UTC']) {
    it(`agrees with Intl hour by hour through 2026 in ${zone}, and names it`, () => {
      process.env.TZ = zone; // Node applies a changed TZ to Date at once
      const system = new Calendar();
      const named = new Calendar(zone);
      const start = Date.UTC(2026, 0, 1);
      for (let ms = start; ms < start + 366 * 24 * HOUR; ms += HOUR + 7 * 60_000) {
        expect(system.offsetAt(ms)).toBe(named.offsetAt(ms));
      }
      for (let day = 20454; day < 20454 + 366; day += 5) expect(system.startOfDay(day)).toBe(named.startOfDay(day));
      expect(system.timeZone).toBe(zone);
    });
  }

  it('names the zone from TZ, and refuses a TZ that is not a zone name for Intl to answer', () => {
    expect(systemTimeZone({ TZ: 'Europe/Berlin' })).toBe('Europe/Berlin');
    expect(systemTimeZone({ TZ: ':America/New_York' })).toBe('America/New_York');
    expect(systemTimeZone({ TZ: '../../etc/passwd' })).toBe(new Intl.DateTimeFormat().resolvedOptions().timeZone);
  });
});
