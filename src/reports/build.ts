/**
 * Builds a Report: the ledger's reads (ledger-reads.ts) over one period, aggregated here. The
 * aggregation (`assembleReport`) is pure: rows in, Report out.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { COMPARTMENT_SIZES, type CompartmentSize } from '../config/types.js';
import type { Ledger } from '../ledger/ledger.js';
import { Calendar, MS_PER_HOUR } from './calendar.js';
import { AREA_FULL_ACTIONS, DOOR_ACTIONS, ReportReads, type AreaRow, type AuditIncident, type CompartmentRow, type ParcelSpan, type PlaceRow } from './ledger-reads.js';
import type { DayCounts, DoorAttention, DwellPercentiles, OccupancySample, Report, SizeMap, StationKind } from './report.js';
import { HEADROOM_PERCENT, sizeSizing, sizingSummary } from './sizing.js';
import { LOCKERS, storageKinds, storageKeys, storageOverflow } from './storage-kinds.js';

/** The longest period a report covers (days). */
export const MAX_REPORT_DAYS = 730;
export const DEFAULT_REPORT_DAYS = 30;
/** About this many occupancy samples at most: hourly up to 45 days, then coarser. */
const MAX_SAMPLES = 1080;

export interface Period {
  from: number;
  to: number;
}

/** The last `days` local days, today (up to `now`) included. */
export function periodOfDays(days: number, now: number, calendar: Calendar): Period {
  return { from: calendar.startOfDay(calendar.dayOf(now) - days + 1), to: now };
}

/** One whole local day. */
export function periodOfDay(day: number, calendar: Calendar): Period {
  return { from: calendar.startOfDay(day), to: calendar.startOfDay(day + 1) };
}

export interface ReportOptions {
  period: Period;
  calendar: Calendar;
  kioskId: string;
  now: number;
  /** What the station's kiosk serves (config `storage`; default lockers): a locker bank's parcels in a room or desk are its overflow. */
  station?: StationKind;
}

/** The whole Report at once (the daily event, tests, the benchmark). */
export function buildReport(ledger: Ledger, o: ReportOptions): Report {
  const reads = new ReportReads(ledger);
  const { from, to } = o.period;
  return assembleReport({
    ...o,
    parcels: [...reads.parcelSlices(from, to)].flat(),
    incidents: [...reads.incidentSlices(from, to)].flat(),
    compartments: reads.compartments(),
    areas: reads.areas(),
    places: reads.places(),
    ledgerSince: reads.ledgerSince(),
  });
}

/**
 * The same, read a slice per turn of the event loop: the kiosk shares the loop, and a year's
 * report reads every parcel and audit row (see bench:report for the longest turn it takes).
 */
export async function buildReportSliced(ledger: Ledger, o: ReportOptions, signal?: AbortSignal): Promise<Report> {
  const reads = new ReportReads(ledger);
  const { from, to } = o.period;
  const parcels: ParcelSpan[] = [];
  const incidents: AuditIncident[] = [];
  for (const slice of reads.parcelSlices(from, to)) {
    parcels.push(...slice);
    await nextTurn();
    signal?.throwIfAborted();
  }
  for (const slice of reads.incidentSlices(from, to)) {
    incidents.push(...slice);
    await nextTurn();
    signal?.throwIfAborted();
  }
  return assembleReport({ ...o, parcels, incidents, compartments: reads.compartments(), areas: reads.areas(), places: reads.places(), ledgerSince: reads.ledgerSince() });
}

export interface ReportInput extends ReportOptions {
  parcels: readonly ParcelSpan[];
  incidents: readonly AuditIncident[];
  /** The locker compartments in the config. */
  compartments: readonly CompartmentRow[];
  /** Rooms and desks with their places (none at a plain locker bank). */
  areas?: readonly AreaRow[];
  places?: readonly PlaceRow[];
  ledgerSince: number | null;
}

const sizeMap = <T>(f: (s: CompartmentSize) => T): SizeMap<T> => ({ S: f('S'), M: f('M'), L: f('L'), XL: f('XL') });
const iso = (ms: number): string => new Date(ms).toISOString();
const isSize = (v: unknown): v is CompartmentSize => typeof v === 'string' && (COMPARTMENT_SIZES as readonly string[]).includes(v);

/** Nearest-rank percentile of ascending `sorted`; null when empty. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

function percentiles(values: number[]): DwellPercentiles {
  values.sort((a, b) => a - b);
  return { parcels: values.length, p50: nearestRank(values, 50), p90: nearestRank(values, 90), p99: nearestRank(values, 99) };
}

/**
 * The size a refused parcel needed: the smallest of the fitting sizes that were all full
 * (`fullSizes`), else the size asked for; null when none applies (a courier turned away at login,
 * or a parcel too big for any compartment).
 */
export function refusedSize(detail: Record<string, unknown> | null): CompartmentSize | null {
  const full = Array.isArray(detail?.fullSizes) ? detail.fullSizes.filter(isSize) : [];
  if (full.length > 0) return COMPARTMENT_SIZES.find((s) => full.includes(s))!;
  return null;
}

/** How many refusals one audit row stands for (a windowed summary row says, src/locker/refusals.ts). */
const countOf = (detail: Record<string, unknown> | null): number => (typeof detail?.count === 'number' && detail.count > 0 ? detail.count : 1);

export function assembleReport(input: ReportInput): Report {
  const { calendar: cal, period, parcels, incidents } = input;
  const areas = input.areas ?? [];
  const places = input.places ?? [];
  // Which kind of storage holds each parcel: LOCKERS, or its room's or desk's id.
  const keyOf = storageKeys(areas);
  const { from, to } = period;
  const inPeriod = (t: number | null): t is number => t !== null && t >= from && t < to;
  const firstDay = cal.dayOf(from);
  const lastDay = cal.dayOf(Math.max(from, to - 1));
  const days: DayCounts[] = [];
  for (let d = firstDay; d <= lastDay; d++) days.push({ date: Calendar.dateOf(d), deliveries: 0, pickups: 0, overflow: 0 });
  const dayIndex = (t: number): number => cal.dayOf(t) - firstDay;

  const heat = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  const carriers = new Map<string | null, number>();
  const dwellAll: number[] = [];
  const dwellBySize = sizeMap<number[]>(() => []);
  let deliveries = 0;
  let pickups = 0;
  let returns = 0;
  let waitingNow = 0;
  for (const p of parcels) {
    if (inPeriod(p.depositedAt)) {
      if (p.direction === 'outbound') returns++;
      else {
        deliveries++;
        days[dayIndex(p.depositedAt)]!.deliveries++;
        heat[cal.weekdayOf(p.depositedAt)]![cal.hourOf(p.depositedAt)]!++;
        carriers.set(p.carrier, (carriers.get(p.carrier) ?? 0) + 1);
      }
    }
    if (p.state === 'picked_up' && inPeriod(p.endedAt)) {
      pickups++;
      days[dayIndex(p.endedAt)]!.pickups++;
      const seconds = Math.max(0, Math.round((p.endedAt - p.depositedAt) / 1000));
      dwellAll.push(seconds);
      // Per compartment size: the lockers' (a room's shelves take any size).
      if (keyOf(p) === LOCKERS) dwellBySize[p.size].push(seconds);
    }
    if (p.endedAt === null || p.endedAt >= to) waitingNow++;
  }

  // Overflow and doors, from the audit trail.
  const overflowBySize = sizeMap(() => 0);
  const overflowBySizeDay = sizeMap(() => new Map<number, number>());
  let unsized = 0;
  let atLogin = 0;
  let overflow = 0;
  const doors = new Map<string, DoorAttention>();
  let doorIncidents = 0;
  /** Parcels a full room or desk could not take, by its id. */
  const turnedAway = new Map<string, number>();
  for (const i of incidents) {
    if ((AREA_FULL_ACTIONS as readonly string[]).includes(i.action)) {
      const area = typeof i.detail?.roomId === 'string' ? i.detail.roomId : typeof i.detail?.desk === 'string' ? i.detail.desk : null;
      if (area !== null) turnedAway.set(area, (turnedAway.get(area) ?? 0) + countOf(i.detail));
      continue;
    }
    if ((DOOR_ACTIONS as readonly string[]).includes(i.action)) {
      if (i.compartmentId === null) continue;
      let d = doors.get(i.compartmentId);
      if (!d) doors.set(i.compartmentId, (d = { compartmentId: i.compartmentId, failedOpens: 0, jammed: 0, forced: 0, leftOpen: 0, lastAt: iso(i.at), outOfServiceNow: null }));
      if (i.action === 'door.unlock_failed') d.failedOpens++;
      else if (i.action === 'deposit.door_did_not_open') d.jammed++;
      else if (i.action === 'door.forced_open') d.forced++;
      else d.leftOpen++;
      if (i.at > Date.parse(d.lastAt)) d.lastAt = iso(i.at);
      doorIncidents++;
      continue;
    }
    const n = countOf(i.detail);
    overflow += n;
    days[dayIndex(i.at)]!.overflow += n;
    if (i.action === 'deposit.refused_full_at_login') atLogin += n;
    const size = i.action === 'deposit.refused_full_at_login' ? null : refusedSize(i.detail);
    if (size === null) unsized += n;
    else {
      overflowBySize[size] += n;
      const day = dayIndex(i.at);
      overflowBySizeDay[size].set(day, (overflowBySizeDay[size].get(day) ?? 0) + n);
    }
  }
  // A room's door is a door too: its incidents name the room.
  const oosNow = new Map([...input.compartments, ...areas].map((c) => [c.id, c.outOfService]));
  for (const d of doors.values()) d.outOfServiceNow = oosNow.get(d.compartmentId) ?? null;

  const occupancy = occupancyOver(parcels, keyOf, period, lastDay - firstDay + 1);
  const station = input.station ?? 'lockers';
  const toStorage = storageOverflow({ parcels, keyOf, period, station, dayOf: dayIndex });
  const sizes = COMPARTMENT_SIZES.map((size) =>
    sizeSizing({
      size,
      capacity: input.compartments.filter((c) => c.size === size).length,
      outOfService: input.compartments.filter((c) => c.size === size && c.outOfService !== null).length,
      highWater: occupancy.highWater[size].count,
      highWaterAt: occupancy.highWater[size].at === null ? null : iso(occupancy.highWater[size].at!),
      overflow: overflowBySize[size],
      overflowWorstDay: Math.max(0, ...overflowBySizeDay[size].values()),
      toStorage: toStorage.bySize[size],
      toStorageWorstDay: toStorage.worstDay[size],
    }),
  );
  const kinds = storageKinds({
    parcels, keyOf, period, station, areas, places, lockerCapacity: input.compartments.length, turnedAway,
    highWater: occupancy.kindHighWater, sizes, headroomPercent: HEADROOM_PERCENT, percentiles,
  });

  let busiest: Report['peakHours']['busiest'] = null;
  heat.forEach((row, weekday) => row.forEach((n, hour) => {
    if (n > 0 && (busiest === null || n > busiest.deposits)) busiest = { weekday, hour, deposits: n };
  }));

  return {
    kioskId: input.kioskId,
    generatedAt: iso(input.now),
    timeZone: cal.timeZone,
    period: { from: iso(from), to: iso(to), days: days.length },
    ledgerSince: input.ledgerSince === null ? null : iso(input.ledgerSince),
    totals: { deliveries, pickups, returns, overflow, doorIncidents, waitingNow },
    days,
    carriers: [...carriers].map(([carrier, n]) => ({ carrier, deliveries: n })).sort((a, b) => b.deliveries - a.deliveries || String(a.carrier).localeCompare(String(b.carrier))),
    peakHours: { deposits: heat, busiest },
    dwell: { all: percentiles(dwellAll), bySize: sizeMap((s) => percentiles(dwellBySize[s])) },
    occupancy: { stepMinutes: occupancy.stepMs / 60_000, samples: occupancy.samples },
    overflow: { bySize: overflowBySize, unsized, atLogin },
    doors: [...doors.values()].sort((a, b) => total(b) - total(a) || a.compartmentId.localeCompare(b.compartmentId)),
    sizing: { headroom: HEADROOM_PERCENT / 100, sizes, summary: sizingSummary(sizes) },
    storage: { station, kinds, overflow: { parcels: toStorage.parcels, bySize: toStorage.bySize, byArea: toStorage.byArea } },
  };
}

const total = (d: DoorAttention): number => d.failedOpens + d.jammed + d.forced + d.leftOpen;

/**
 * Locker compartments occupied per size over the period, reconstructed from deposit and end
 * times: a compartment is occupied from its first parcel's deposit to its last parcel's end (a
 * shared compartment holds several). Per kind too: the lockers in compartments, each room and
 * desk in parcels. Each sample is the most occupied at once within its interval, so the chart's
 * peaks are the real high-water marks.
 */
function occupancyOver(parcels: readonly ParcelSpan[], keyOf: (p: ParcelSpan) => string, period: Period, days: number): {
  stepMs: number;
  samples: OccupancySample[];
  highWater: SizeMap<{ count: number; at: number | null }>;
  kindHighWater: Map<string, { count: number; at: number | null }>;
} {
  const { from, to } = period;
  const stepMs = Math.max(1, Math.ceil((days * 24) / MAX_SAMPLES)) * MS_PER_HOUR;
  // +1 at a deposit, -1 at an end; ends first at equal times (a door freed and refilled at once is not two).
  const events: { t: number; delta: 1 | -1; p: ParcelSpan; key: string }[] = [];
  for (const p of parcels) {
    const key = keyOf(p);
    events.push({ t: p.depositedAt, delta: 1, p, key });
    if (p.endedAt !== null && p.endedAt < to) events.push({ t: p.endedAt, delta: -1, p, key });
  }
  events.sort((a, b) => a.t - b.t || a.delta - b.delta);
  const inside = new Map<string, number>();
  const occupied = sizeMap(() => 0);
  const highWater = sizeMap<{ count: number; at: number | null }>(() => ({ count: 0, at: null }));
  const kinds = new Map<string, number>([[LOCKERS, 0]]);
  const kindHighWater = new Map<string, { count: number; at: number | null }>();
  const samples: OccupancySample[] = [];
  let k = 0;
  /** Applies one event; returns the kind whose count changed, if any. */
  const apply = (e: (typeof events)[number]): string | null => {
    if (e.key !== LOCKERS) {
      kinds.set(e.key, (kinds.get(e.key) ?? 0) + e.delta);
      return e.key;
    }
    const n = (inside.get(e.p.compartmentId) ?? 0) + e.delta;
    if (n <= 0) inside.delete(e.p.compartmentId);
    else inside.set(e.p.compartmentId, n);
    let changed = false;
    if (e.delta === 1 && n === 1) (occupied[e.p.size]++, (changed = true));
    if (e.delta === -1 && n === 0) (occupied[e.p.size]--, (changed = true));
    if (changed) kinds.set(LOCKERS, kinds.get(LOCKERS)! + e.delta);
    return changed ? LOCKERS : null;
  };
  const raise = (key: string, at: number): void => {
    const v = kinds.get(key)!;
    if (v > (kindHighWater.get(key)?.count ?? 0)) kindHighWater.set(key, { count: v, at });
  };
  // What was inside when the period began.
  while (k < events.length && events[k]!.t < from) apply(events[k++]!);
  for (const s of COMPARTMENT_SIZES) if (occupied[s] > 0) highWater[s] = { count: occupied[s], at: from };
  for (const key of kinds.keys()) raise(key, from);
  for (let start = from; start < to; start += stepMs) {
    const end = Math.min(to, start + stepMs);
    const peak = { ...occupied };
    const kindPeak = Object.fromEntries(kinds);
    while (k < events.length && events[k]!.t < end) {
      const e = events[k++]!;
      const key = apply(e);
      const size = e.p.size;
      if (key === LOCKERS) {
        if (occupied[size] > peak[size]) peak[size] = occupied[size];
        if (occupied[size] > highWater[size].count) highWater[size] = { count: occupied[size], at: e.t };
      }
      if (key !== null) {
        if (kinds.get(key)! > (kindPeak[key] ?? 0)) kindPeak[key] = kinds.get(key)!;
        raise(key, e.t);
      }
    }
    samples.push({ at: iso(start), sizes: peak, kinds: kindPeak });
  }
  return { stepMs, samples, highWater, kindHighWater };
}
