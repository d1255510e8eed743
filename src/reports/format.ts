/** Words and numbers as the report shows them (page and terminal). Pure. */

/** Text safe inside HTML and attribute values: carrier names come from barcodes. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A duration in seconds as a person says it: 45 s, 12 min, 2 h 10 min, 3 d 4 h. */
export function duration(seconds: number | null): string {
  if (seconds === null) return 'n/a';
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

export const hourLabel = (h: number): string => `${String(h).padStart(2, '0')}:00`;

/** `1 Dec 2026` / `1 Dec 2026, 18:05` in the locker's time zone. */
export function localDate(iso: string, timeZone: string, withTime = false): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'short', year: 'numeric', ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}) }).format(new Date(iso));
}

/** `1 Dec` of a moment, in the locker's time zone. */
export function localShortDate(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'short' }).format(new Date(iso));
}

/** `1 Dec` of a YYYY-MM-DD local date. */
export function shortDate(date: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' }).format(new Date(`${date}T00:00:00Z`));
}

export const carrierName = (c: string | null): string => c ?? 'no carrier';

export const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** A share 0..1 as a whole percentage: `83%`. */
export const percent = (share: number): string => `${Math.round(share * 100)}%`;
