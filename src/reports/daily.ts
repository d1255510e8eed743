/**
 * `report.daily`: once per local day, after midnight, the previous day's summary goes upstream,
 * so a fleet dashboard needs no raw-event crunching. The last day reported is kept in the
 * ledger's meta table, written in the same transaction as the outbox event: a restart, a crash
 * between the two, or a clock set back never sends a day twice; days before the ledger existed
 * are never sent.
 */
import type { Ledger } from '../ledger/ledger.js';
import type { Logger } from '../log.js';
import { buildReportSliced, periodOfDay } from './build.js';
import { Calendar } from './calendar.js';
import type { KindFigures, Report, SizeMap, StationKind } from './report.js';

/** meta key: the local date (YYYY-MM-DD) of the last day reported. */
export const LAST_REPORTED_DAY = 'report_daily_last_day';
/** After an outage, at most this many missed days are sent (older ones are skipped, and logged). */
export const MAX_CATCH_UP_DAYS = 7;
/** How often the unit looks at the clock: the event leaves at most this long after midnight. */
export const DAILY_CHECK_MS = 10 * 60_000;

/**
 * The local days to report now, oldest first: those after the last reported (or only yesterday,
 * the first time), never before the ledger's first day, at most MAX_CATCH_UP_DAYS. Pure.
 */
export function daysToReport(now: number, lastReported: number | null, ledgerSince: number | null, cal: Calendar): number[] {
  if (ledgerSince === null) return [];
  const yesterday = cal.dayOf(now) - 1;
  const first = Math.max(lastReported === null ? yesterday : lastReported + 1, cal.dayOf(ledgerSince), yesterday - MAX_CATCH_UP_DAYS + 1);
  const days: number[] = [];
  for (let d = first; d <= yesterday; d++) days.push(d);
  return days;
}

/** The data of a `report.daily` event (its schema: src/sync/contract.ts). */
export interface DailySummary {
  date: string;
  timeZone: string;
  from: string;
  to: string;
  deliveries: number;
  pickups: number;
  returns: number;
  byCarrier: { carrier: string | null; deliveries: number }[];
  peakHour: { hour: number; deliveries: number } | null;
  dwellSeconds: { p50: number | null; p90: number | null };
  occupancyHighWater: SizeMap<{ highWater: number; capacity: number }>;
  overflow: { total: number; bySize: SizeMap<number>; unsized: number };
  doorIncidents: number;
  storage: { kinds: Pick<KindFigures, 'kind' | 'id' | 'capacity' | 'deliveries' | 'overflowIn' | 'pickups' | 'highWater'>[]; overflowParcels: number };
}

/** The event's data from one day's Report. */
export function dailySummary(r: Report, date: string): DailySummary {
  const hours = new Array<number>(24).fill(0);
  for (const row of r.peakHours.deposits) row.forEach((n, h) => (hours[h]! += n));
  let peakHour: { hour: number; deliveries: number } | null = null;
  hours.forEach((n, hour) => {
    if (n > 0 && (peakHour === null || n > peakHour.deliveries)) peakHour = { hour, deliveries: n };
  });
  const size = (s: 'S' | 'M' | 'L' | 'XL') => {
    const x = r.sizing.sizes.find((z) => z.size === s)!;
    return { highWater: x.highWater, capacity: x.capacity };
  };
  return {
    date,
    timeZone: r.timeZone,
    from: r.period.from,
    to: r.period.to,
    deliveries: r.totals.deliveries,
    pickups: r.totals.pickups,
    returns: r.totals.returns,
    byCarrier: r.carriers.map((c) => ({ carrier: c.carrier, deliveries: c.deliveries })),
    peakHour,
    dwellSeconds: { p50: r.dwell.all.p50, p90: r.dwell.all.p90 },
    occupancyHighWater: { S: size('S'), M: size('M'), L: size('L'), XL: size('XL') },
    overflow: { total: r.totals.overflow, bySize: { ...r.overflow.bySize }, unsized: r.overflow.unsized },
    doorIncidents: r.totals.doorIncidents,
    storage: {
      kinds: r.storage.kinds.map((k) => ({ kind: k.kind, id: k.id, capacity: k.capacity, deliveries: k.deliveries, overflowIn: k.overflowIn, pickups: k.pickups, highWater: k.highWater })),
      overflowParcels: r.storage.overflow.parcels,
    },
  };
}

export interface DailyReportDeps {
  ledger: Ledger;
  kioskId: string;
  now: () => number;
  log: Logger;
  calendar?: Calendar;
  checkEveryMs?: number;
  /** What the station's kiosk serves (config `storage`; default lockers): tells overflow from a room's own deliveries. */
  station?: StationKind;
}

/** Sends the report.daily events due; start() looks now and then every DAILY_CHECK_MS. */
export class DailyReportUnit {
  readonly #d: DailyReportDeps;
  readonly #cal: Calendar;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: DailyReportDeps) {
    this.#d = deps;
    this.#cal = deps.calendar ?? new Calendar();
  }

  start(): void {
    this.#check();
    this.#timer = setInterval(() => this.#check(), this.#d.checkEveryMs ?? DAILY_CHECK_MS);
    this.#timer.unref();
  }

  /** Stops looking; a check under way stops at its next slice (the ledger may close next). */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stop.abort();
  }

  readonly #stop = new AbortController();

  #running: Promise<string[]> | undefined;

  #check(): void {
    if (this.#running) return;
    this.#running = this.reportDue()
      .catch((err: unknown) => {
        if (this.#stop.signal.aborted) return [];
        this.#d.log.error({ err }, 'could not write the daily report event; will try again in a few minutes');
        return [];
      })
      .finally(() => (this.#running = undefined));
  }

  /** The check under way, if any (tests wait for it). */
  get running(): Promise<string[]> | undefined {
    return this.#running;
  }

  /**
   * Writes the events due now; returns their dates. Each day's figures are read a slice per turn
   * of the event loop (the kiosk shares it); the event and the day's mark are then written in one
   * transaction, which first checks the day was not sent meanwhile.
   */
  async reportDue(): Promise<string[]> {
    const { ledger } = this.#d;
    const now = this.#d.now();
    const lastOf = (): number | null => Calendar.dayOfDate(ledger.meta.get(LAST_REPORTED_DAY) ?? '');
    const since = ledger.db.prepare('SELECT at FROM audit ORDER BY id LIMIT 1').pluck().get() as number | undefined;
    const due = daysToReport(now, lastOf(), since ?? null, this.#cal);
    const yesterday = this.#cal.dayOf(now) - 1;
    const last = lastOf();
    if (last !== null && due.length > 0 && due[0]! > last + 1) this.#d.log.warn({ from: Calendar.dateOf(last + 1), to: Calendar.dateOf(due[0]! - 1) }, 'daily reports of days this long ago are not sent (the daemon was down); lockerctl report --days covers them');
    const sent: string[] = [];
    for (const day of due) {
      const date = Calendar.dateOf(day);
      const report = await buildReportSliced(ledger, { period: periodOfDay(day, this.#cal), calendar: this.#cal, kioskId: this.#d.kioskId, now, station: this.#d.station ?? 'lockers' }, this.#stop.signal);
      ledger.transaction(() => {
        // Asked again inside the transaction: nothing else may have sent it meanwhile.
        const current = lastOf();
        if (current !== null && current >= day) return;
        ledger.outbox.append('report.daily', now, { ...dailySummary(report, date) });
        ledger.meta.set(LAST_REPORTED_DAY, date);
        sent.push(date);
      });
    }
    if (sent.length > 0) this.#d.log.info({ days: sent, yesterday: Calendar.dateOf(yesterday) }, 'daily report sent upstream');
    return sent;
  }
}
