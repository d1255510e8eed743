/**
 * The locker's local calendar: which day and hour a moment falls in, in one IANA time zone (the
 * system's by default, as a property manager reads the building's clock). Pure, but for the
 * system zone's name, read when first asked for.
 *
 * Offsets are cached per quarter hour: a report places hundreds of thousands of moments, and every
 * zone changes its offset only on a whole quarter hour at most. The system's zone takes them from
 * Date's local time, a named zone from Intl: Intl's first use maps about 6 MB of ICU tables into
 * the daemon for good, and its daily report runs in the system's zone (./system-zone.ts).
 */
import { systemTimeZone } from './system-zone.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Offsets change on quarter hours at most; caching per quarter hour is exact. */
const SLOT = 15 * 60_000;

export class Calendar {
  /** The zone's IANA name, read when first asked for. */
  #timeZone: string | undefined;
  /** Undefined for the system's zone. */
  readonly #format: Intl.DateTimeFormat | undefined;
  readonly #offsets = new Map<number, number>();

  /** Without a name, the system's zone. Throws RangeError for a name Intl does not know. */
  constructor(timeZone?: string) {
    if (timeZone === undefined) return;
    this.#format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    this.#timeZone = this.#format.resolvedOptions().timeZone;
  }

  get timeZone(): string {
    this.#timeZone ??= systemTimeZone();
    return this.#timeZone;
  }

  /** Local time minus UTC at `ms`, in ms. */
  offsetAt(ms: number): number {
    const slot = Math.floor(ms / SLOT);
    let offset = this.#offsets.get(slot);
    if (offset === undefined) {
      const at = slot * SLOT;
      if (this.#format) {
        const p: Record<string, number> = {};
        for (const part of this.#format.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
        offset = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - at;
      } else {
        offset = 0 - new Date(at).getTimezoneOffset() * 60_000; // 0 - x: never -0 for UTC
      }
      this.#offsets.set(slot, offset);
    }
    return offset;
  }

  /** Days since 1970-01-01 in local time. */
  dayOf(ms: number): number {
    return Math.floor((ms + this.offsetAt(ms)) / DAY);
  }

  /** Local hour 0..23. */
  hourOf(ms: number): number {
    return Math.floor(((ms + this.offsetAt(ms)) % DAY + DAY) % DAY / HOUR);
  }

  /** Local weekday, Monday 0 .. Sunday 6. */
  weekdayOf(ms: number): number {
    return (((this.dayOf(ms) + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  }

  /** The moment local day `day` begins (its first instant, DST included). */
  startOfDay(day: number): number {
    const local = day * DAY;
    let guess = local - this.offsetAt(local);
    guess = local - this.offsetAt(guess);
    // A zone whose midnight is skipped (a DST jump at 00:00): the day starts at the first instant in it.
    while (this.dayOf(guess) < day) guess += SLOT;
    while (this.dayOf(guess - 1) >= day) guess -= SLOT;
    return guess;
  }

  /** `YYYY-MM-DD` of local day `day`. */
  static dateOf(day: number): string {
    return new Date(day * DAY).toISOString().slice(0, 10);
  }

  /** The local day of a `YYYY-MM-DD` date, or null. */
  static dayOfDate(date: string): number | null {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
    const ms = Date.parse(`${date}T00:00:00Z`);
    return Number.isFinite(ms) && Calendar.dateOf(ms / DAY) === date ? ms / DAY : null;
  }
}

export const MS_PER_DAY = DAY;
export const MS_PER_HOUR = HOUR;
