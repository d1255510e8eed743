/** The screen's brightness, pure: the schedule's wrap over midnight and the light curve's interpolation and bounds. */
import { describe, expect, it } from 'vitest';
import { curvePercent, localMinuteOfDay, scheduledPercent } from '../../src/cabinet/brightness.js';

describe('the brightness schedule', () => {
  const schedule = [{ from: '21:00', percent: 30 }, { from: '07:00', percent: 100 }, { from: '12:30', percent: 80 }];

  it('takes the latest entry not after the time, in any order, and yesterday\'s last before the first', () => {
    expect(scheduledPercent(schedule, 0)).toBe(30);
    expect(scheduledPercent(schedule, 6 * 60 + 59)).toBe(30);
    expect(scheduledPercent(schedule, 7 * 60)).toBe(100);
    expect(scheduledPercent(schedule, 12 * 60 + 29)).toBe(100);
    expect(scheduledPercent(schedule, 12 * 60 + 30)).toBe(80);
    expect(scheduledPercent(schedule, 23 * 60 + 59)).toBe(30);
    expect(scheduledPercent([], 600)).toBeNull();
    expect(scheduledPercent([{ from: '08:00', percent: 55 }], 60)).toBe(55);
  });

  it('reads the minute of the day in local time', () => {
    expect(localMinuteOfDay(new Date(2026, 5, 1, 13, 45, 59).getTime())).toBe(13 * 60 + 45);
  });
});

describe('the light curve', () => {
  const curve = [{ lux: 1000, percent: 100 }, { lux: 10, percent: 20 }];

  it('joins the points with straight lines, flat beyond the ends, within min and max', () => {
    expect(curvePercent(curve, 0, 10, 100)).toBe(20);
    expect(curvePercent(curve, 10, 10, 100)).toBe(20);
    expect(curvePercent(curve, 505, 10, 100)).toBe(60);
    expect(curvePercent(curve, 1000, 10, 100)).toBe(100);
    expect(curvePercent(curve, 50_000, 10, 100)).toBe(100);
    expect(curvePercent(curve, 50_000, 10, 90)).toBe(90);
    expect(curvePercent(curve, 0, 25, 100)).toBe(25);
  });

  it('is monotonic for a rising curve, whatever the lux', () => {
    let last = -1;
    for (let lux = 0; lux <= 2000; lux += 7) {
      const p = curvePercent(curve, lux, 0, 100);
      expect(p).toBeGreaterThanOrEqual(last);
      last = p;
    }
  });
});
