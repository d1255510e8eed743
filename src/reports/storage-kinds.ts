/**
 * The report per kind of storage: the lockers as one bank, and each package room and front desk.
 * Which kind holds a parcel is read from the ledger (its compartment is a room or desk, or it
 * names a place), whichever flow put it there. Overflow: at a locker bank (config `storage:
 * lockers`), every parcel delivered to a room or desk went there because no compartment took it
 * (only a locker bank overflows: src/config/storage-checks.ts); at a room or desk station the
 * parcels in its own area are its deliveries, never overflow. Pure.
 */
import { COMPARTMENT_SIZES } from '../config/types.js';
import { NOT_IN_CONFIG } from '../locker/apply-config.js';
import type { AreaRow, ParcelSpan, PlaceRow } from './ledger-reads.js';
import type { DwellPercentiles, KindFigures, SizeMap, SizeSizing, SizingVerdict, StationKind } from './report.js';
import { areaSizing } from './sizing.js';

/** The key of the lockers among the kinds (rooms and desks are keyed by their ids, which never clash: one namespace). */
export const LOCKERS = 'lockers';

/**
 * A parcel's kind: the id of the room or desk its record names, else LOCKERS. (A parcel in a
 * locker that names a place is a ledger problem the self-test reports: it is in the locker.)
 */
export function storageKeys(areas: readonly AreaRow[]): (p: ParcelSpan) => string {
  const areaIds = new Set(areas.map((a) => a.id));
  return (p) => (areaIds.has(p.compartmentId) ? p.compartmentId : LOCKERS);
}

export interface StorageOverflow {
  parcels: number;
  bySize: SizeMap<number>;
  /** The most sent on one local day, per size (for the sizing's peak demand). */
  worstDay: SizeMap<number>;
  byArea: { id: string; parcels: number }[];
}

interface Common {
  parcels: readonly ParcelSpan[];
  keyOf: (p: ParcelSpan) => string;
  period: { from: number; to: number };
  station: StationKind;
}

const isOverflow = (c: Common, p: ParcelSpan, key: string): boolean =>
  c.station === 'lockers' && key !== LOCKERS && p.direction === 'inbound' && p.depositedAt >= c.period.from && p.depositedAt < c.period.to;

/** Parcels a locker bank sent to its rooms and desks in the period. */
export function storageOverflow(c: Common & { dayOf: (t: number) => number }): StorageOverflow {
  const bySize: SizeMap<number> = { S: 0, M: 0, L: 0, XL: 0 };
  const days: SizeMap<Map<number, number>> = { S: new Map(), M: new Map(), L: new Map(), XL: new Map() };
  const byArea = new Map<string, number>();
  let parcels = 0;
  for (const p of c.parcels) {
    const key = c.keyOf(p);
    if (!isOverflow(c, p, key)) continue;
    parcels++;
    bySize[p.size]++;
    const day = c.dayOf(p.depositedAt);
    days[p.size].set(day, (days[p.size].get(day) ?? 0) + 1);
    byArea.set(key, (byArea.get(key) ?? 0) + 1);
  }
  const worstDay = Object.fromEntries(COMPARTMENT_SIZES.map((s) => [s, Math.max(0, ...days[s].values())])) as SizeMap<number>;
  return { parcels, bySize, worstDay, byArea: [...byArea].map(([id, n]) => ({ id, parcels: n })).sort((a, b) => a.id.localeCompare(b.id)) };
}

export interface KindInput extends Common {
  areas: readonly AreaRow[];
  places: readonly PlaceRow[];
  lockerCapacity: number;
  highWater: ReadonlyMap<string, { count: number; at: number | null }>;
  /** The lockers' sizing, per size: the lockers' verdict is the worst of them. */
  sizes: readonly SizeSizing[];
  headroomPercent: number;
  percentiles: (seconds: number[]) => DwellPercentiles;
  /** Parcels each full room or desk could not take (its `room.full`, `desk.full` audit rows). */
  turnedAway?: ReadonlyMap<string, number>;
}

const WORST: readonly SizingVerdict[] = ['short', 'tight', 'ok', 'none_installed'];

/** The figures of each kind: the lockers first (if the station has any), then rooms and desks by id. */
export function storageKinds(c: KindInput): KindFigures[] {
  const tally = new Map<string, { deliveries: number; overflowIn: number; pickups: number; waitingNow: number; dwell: number[] }>();
  const of = (key: string) => {
    let t = tally.get(key);
    if (!t) tally.set(key, (t = { deliveries: 0, overflowIn: 0, pickups: 0, waitingNow: 0, dwell: [] }));
    return t;
  };
  const { from, to } = c.period;
  for (const p of c.parcels) {
    const key = c.keyOf(p);
    const t = of(key);
    if (p.direction === 'inbound' && p.depositedAt >= from && p.depositedAt < to) t.deliveries++;
    if (isOverflow(c, p, key)) t.overflowIn++;
    if (p.state === 'picked_up' && p.endedAt !== null && p.endedAt >= from && p.endedAt < to) {
      t.pickups++;
      t.dwell.push(Math.max(0, Math.round((p.endedAt - p.depositedAt) / 1000)));
    }
    if (p.endedAt === null || p.endedAt >= to) t.waitingNow++;
  }
  const figures = (kind: StationKind, id: string | null, capacity: number, outOfServiceNow: string | null): Omit<KindFigures, 'needed' | 'add' | 'verdict' | 'peakShare'> => {
    const t = of(id ?? LOCKERS);
    const hw = c.highWater.get(id ?? LOCKERS);
    return {
      kind, id, counts: id === null ? 'compartments' : 'parcels', capacity, outOfServiceNow,
      deliveries: t.deliveries, overflowIn: t.overflowIn, turnedAway: id === null ? 0 : c.turnedAway?.get(id) ?? 0, pickups: t.pickups, waitingNow: t.waitingNow,
      highWater: hw?.count ?? 0, highWaterAt: hw?.at == null ? null : new Date(hw.at).toISOString(),
      dwell: c.percentiles(t.dwell),
    };
  };
  const out: KindFigures[] = [];
  if (c.lockerCapacity > 0 || tally.has(LOCKERS)) {
    const f = figures('lockers', null, c.lockerCapacity, null);
    const verdict = WORST.find((v) => c.sizes.some((s) => s.verdict === v)) ?? 'none_installed';
    out.push({ ...f, peakShare: f.capacity > 0 ? f.highWater / f.capacity : 0, needed: c.sizes.reduce((n, s) => n + s.needed, 0), add: c.sizes.reduce((n, s) => n + s.add, 0), verdict });
  }
  for (const a of c.areas) {
    // Dropped from the config and idle in the period: not part of this station any more.
    if (a.outOfService === NOT_IN_CONFIG && !tally.has(a.id)) continue;
    const capacity = c.places.filter((p) => p.area === a.id && p.active).reduce((n, p) => n + p.capacity, 0);
    const f = figures(a.kind, a.id, capacity, a.outOfService);
    out.push({ ...f, ...areaSizing(capacity, f.highWater, c.headroomPercent, f.turnedAway) });
  }
  return out;
}

