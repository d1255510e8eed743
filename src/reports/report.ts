/**
 * The report a property manager reads (lockerctl report): what the locker did over a period,
 * computed from the ledger alone. Times are ISO 8601 (UTC); days and hours are the locker's local
 * ones (`timeZone`). Durations are whole seconds. Plain data: the control socket sends it as JSON,
 * the CLI and src/reports/html.ts render it.
 */
import type { CompartmentSize } from '../config/types.js';

export type SizeMap<T> = Record<CompartmentSize, T>;

export interface DwellPercentiles {
  /** Parcels picked up in the period (deposit to pickup). */
  parcels: number;
  /** Nearest-rank percentiles in seconds; null when no parcel was picked up. */
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export interface DayCounts {
  /** Local date, YYYY-MM-DD. */
  date: string;
  deliveries: number;
  pickups: number;
  /** Couriers turned away for want of a free compartment. */
  overflow: number;
}

export interface OccupancySample {
  /** The start of the sample's interval. */
  at: string;
  /** The most locker compartments of each size occupied at once within the interval. */
  sizes: SizeMap<number>;
  /**
   * Per storage kind (`lockers`, or a room's or desk's id): the most occupied at once within the
   * interval, lockers in compartments, rooms and desks in parcels.
   */
  kinds: Record<string, number>;
}

export type SizingVerdict = 'ok' | 'tight' | 'short' | 'none_installed';

export interface SizeSizing {
  size: CompartmentSize;
  /** Compartments of this size in the config (out of service or not). */
  capacity: number;
  /** Out of service now. */
  outOfService: number;
  /** The most compartments of this size occupied at once in the period. */
  highWater: number;
  highWaterAt: string | null;
  /** highWater / capacity, 0..1 (0 without capacity). */
  peakShare: number;
  /** Couriers turned away for this size in the period, and on the worst day. */
  overflow: number;
  overflowWorstDay: number;
  /** Parcels of this size that went to a room or desk (allocation.overflow) for want of a compartment, in the period and on the worst day. */
  toStorage: number;
  toStorageWorstDay: number;
  /** highWater plus the worst day's refusals and parcels sent to a room or desk: what the busiest moment would have needed. */
  peakDemand: number;
  /** Compartments that would keep `headroom` free at peakDemand: ceil(peakDemand / (1 - headroom)). */
  needed: number;
  /** max(0, needed - capacity): compartments of this size to add. */
  add: number;
  verdict: SizingVerdict;
}

/** What a station's kiosk serves (config `storage`): a locker bank, a package room or a front desk. */
export type StationKind = 'lockers' | 'room' | 'desk';

/**
 * One kind of storage over the period: the lockers as one bank (counted in compartments), or one
 * package room or front desk (counted in parcels against its places' capacity).
 */
export interface KindFigures {
  kind: StationKind;
  /** The room or desk; null for the lockers. */
  id: string | null;
  /** What capacity and occupancy count. */
  counts: 'compartments' | 'parcels';
  /** Lockers: compartments in the config; a room or desk: the parcels its active places hold. */
  capacity: number;
  /** A room or desk out of service now, and why; null in service (lockers: see sizing.sizes). */
  outOfServiceNow: string | null;
  /** Parcels delivered to it in the period (returns left out). */
  deliveries: number;
  /** Of those, parcels it took because the lockers were full (a room or desk of a locker bank). */
  overflowIn: number;
  /** Parcels a full room or desk could not take: the courier or staff were told it is full (0 for the lockers: see sizing). */
  turnedAway: number;
  pickups: number;
  /** Parcels in it at the end of the period. */
  waitingNow: number;
  /** The most occupied at once in the period, and when. */
  highWater: number;
  highWaterAt: string | null;
  /** highWater / capacity (0 without capacity). */
  peakShare: number;
  dwell: DwellPercentiles;
  /** Capacity that keeps the headroom free at the peak: lockers, the sum of the sizes'; a room or desk, ceil(highWater / (1 - headroom)). */
  needed: number;
  add: number;
  /** Lockers: the worst of the sizes'; a room or desk: short when it held more than its capacity. */
  verdict: SizingVerdict;
}

export interface DoorAttention {
  compartmentId: string;
  /** The door did not open when commanded (the board did not confirm, or did not answer). */
  failedOpens: number;
  /** A courier reported that the door did not open though the board confirmed (stuck, jammed). */
  jammed: number;
  /** Opened without any command. */
  forced: number;
  /** Stayed open longer than doors.leftOpenMs. */
  leftOpen: number;
  lastAt: string;
  /** Out of service now, and why (null when in service). */
  outOfServiceNow: string | null;
}

export interface Report {
  kioskId: string;
  generatedAt: string;
  timeZone: string;
  period: { from: string; to: string; days: number };
  /** When the ledger's history begins (its first audit row), if it has any. */
  ledgerSince: string | null;
  totals: {
    deliveries: number;
    pickups: number;
    /** Residents' returns dropped off. */
    returns: number;
    overflow: number;
    doorIncidents: number;
    /** Parcels waiting at the end of the period. */
    waitingNow: number;
  };
  days: DayCounts[];
  /** Deliveries per carrier, most first (carrier null: a courier without one). */
  carriers: { carrier: string | null; deliveries: number }[];
  /** Deposits by local weekday (0 Monday .. 6 Sunday) and hour (0..23): deposits[weekday][hour]. */
  peakHours: { deposits: number[][]; busiest: { weekday: number; hour: number; deposits: number } | null };
  /** Deposit to pickup, of the parcels picked up in the period. */
  dwell: { all: DwellPercentiles; bySize: SizeMap<DwellPercentiles> };
  occupancy: { stepMinutes: number; samples: OccupancySample[] };
  overflow: {
    bySize: SizeMap<number>;
    /** Refused without a size: a courier logged in to a locker with no free compartment at all, or a parcel too big for any. */
    unsized: number;
    /** Of all refusals, those at login (full_at_login). */
    atLogin: number;
  };
  doors: DoorAttention[];
  sizing: { headroom: number; sizes: SizeSizing[]; summary: string };
  /**
   * Per storage kind. `overflow`: parcels a locker bank sent to a room or desk for want of a
   * compartment (at a room or desk station, its own deposits are not overflow).
   */
  storage: {
    station: StationKind;
    kinds: KindFigures[];
    overflow: { parcels: number; bySize: SizeMap<number>; byArea: { id: string; parcels: number }[] };
  };
}
