/**
 * The screen's brightness, pure: by a daily schedule in the locker's local time, or by a light
 * sensor's lux through a curve. The unit writes the backlight only when the answer changes.
 */

export interface ScheduleEntry {
  /** "HH:MM", local time. */
  from: string;
  percent: number;
}

export interface CurvePoint {
  lux: number;
  percent: number;
}

export const HHMM_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** The entry in force at `minuteOfDay` (0..1439): the latest `from` not after it, else (before the first) the day's last, still on from yesterday. */
export function scheduledPercent(schedule: readonly ScheduleEntry[], minuteOfDay: number): number | null {
  if (schedule.length === 0) return null;
  const sorted = [...schedule].sort((a, b) => minutes(a.from) - minutes(b.from));
  let current = sorted[sorted.length - 1]!;
  for (const e of sorted) if (minutes(e.from) <= minuteOfDay) current = e;
  return current.percent;
}

/** Linear between the curve's points, flat beyond its ends, then kept within min..max. */
export function curvePercent(curve: readonly CurvePoint[], lux: number, minPercent: number, maxPercent: number): number {
  const clamp = (p: number) => Math.min(maxPercent, Math.max(minPercent, Math.round(p)));
  if (curve.length === 0) return maxPercent;
  const sorted = [...curve].sort((a, b) => a.lux - b.lux);
  if (lux <= sorted[0]!.lux) return clamp(sorted[0]!.percent);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (lux <= b.lux) return clamp(b.lux === a.lux ? b.percent : a.percent + ((lux - a.lux) / (b.lux - a.lux)) * (b.percent - a.percent));
  }
  return clamp(sorted[sorted.length - 1]!.percent);
}

/** Minute of the day in the system's zone (TZ or /etc/localtime), which is the locker's local time. */
export function localMinuteOfDay(ms: number): number {
  const d = new Date(ms);
  return d.getHours() * 60 + d.getMinutes();
}
