/**
 * The report's reads from the ledger: plain scans, no index of their own (every index costs
 * SD-card writes on each parcel; a report runs rarely and may scan). Read-only.
 *
 * What is durable: parcels (never deleted) and the audit trail (append-only, triggers forbid
 * UPDATE and DELETE). The outbox is pruned once upstream has the events, so refusals and door
 * incidents are read from the audit trail, never from the outbox.
 */
import type { CompartmentSize } from '../config/types.js';
import type { Ledger } from '../ledger/ledger.js';
import { NOT_IN_CONFIG } from '../locker/apply-config.js';

export interface ParcelSpan {
  compartmentId: string;
  /** The shelf or desk place of a parcel in a room or at a desk; null in a locker. */
  placeId: string | null;
  size: CompartmentSize;
  state: string;
  direction: 'inbound' | 'outbound';
  carrier: string | null;
  depositedAt: number;
  endedAt: number | null;
}

/** An audit row the report counts: a refusal for want of room, or a door that needed attention. */
export interface AuditIncident {
  at: number;
  action: string;
  compartmentId: string | null;
  detail: Record<string, unknown> | null;
}

export interface CompartmentRow {
  id: string;
  size: CompartmentSize;
  outOfService: string | null;
}

/** A package room or front desk, in the config or dropped from it (parcels still name it). */
export interface AreaRow {
  id: string;
  kind: 'room' | 'desk';
  outOfService: string | null;
}

/** A shelf or desk place, with its area. */
export interface PlaceRow {
  id: string;
  area: string;
  capacity: number;
  active: boolean;
}

/** Audit actions of couriers turned away for want of a free compartment (src/locker/deposits.ts). */
export const OVERFLOW_ACTIONS = ['deposit.refused_full', 'deposit.refused_too_big', 'deposit.refused_full_at_login'] as const;
/** Audit actions of couriers or staff turned away by a full package room or front desk (src/locker/room.ts, desk.ts). */
export const AREA_FULL_ACTIONS = ['room.full', 'desk.full'] as const;
/** Audit actions of doors that needed attention (src/locker/door-operator.ts, deposits.ts). */
export const DOOR_ACTIONS = ['door.unlock_failed', 'deposit.door_did_not_open', 'door.forced_open', 'door.left_open'] as const;

const inList = (xs: readonly string[]): string => xs.map((x) => `'${x}'`).join(',');

type ParcelRow = [string, string | null, CompartmentSize, string, 'inbound' | 'outbound', string | null, number, number | null];
type IncidentRow = { at: number; action: string; compartmentId: string | null; detail: string | null };

/** Rows looked at per slice: a slice is one short statement, so the caller may yield between them. */
export const PARCELS_PER_SLICE = 2_000;
export const AUDIT_ROWS_PER_SLICE = 10_000;

/**
 * Reads in slices by primary key (parcel ids, audit row ids), each slice a statement of its own
 * that has finished before the next begins: a caller on the kiosk's event loop yields between them
 * (better-sqlite3 allows no other statement on the connection while one is being iterated).
 */
export class ReportReads {
  readonly #parcelBound;
  readonly #parcelsRange;
  readonly #parcelsTail;
  readonly #incidents;
  readonly #maxAuditId;
  readonly #compartments;
  readonly #since;
  readonly #areas;
  readonly #places;

  constructor(ledger: Ledger) {
    const db = ledger.db;
    // Every parcel that was in a compartment at some time in [from, to): deposited before `to`
    // and not gone before `from`.
    const inPeriod = 'deposited_at IS NOT NULL AND deposited_at < @to AND (ended_at IS NULL OR ended_at >= @from)';
    const columns = 'compartment_id, place_id, size, state, direction, carrier, deposited_at, ended_at';
    this.#parcelBound = db.prepare<[{ after: string; skip: number }]>('SELECT id FROM parcels WHERE id > @after ORDER BY id LIMIT 1 OFFSET @skip').pluck();
    // Arrays (raw): better-sqlite3 builds a row object at twice the cost of doing it here.
    this.#parcelsRange = db.prepare<[{ from: number; to: number; after: string; upTo: string }]>(`SELECT ${columns} FROM parcels WHERE id > @after AND id <= @upTo AND ${inPeriod}`).raw();
    this.#parcelsTail = db.prepare<[{ from: number; to: number; after: string }]>(`SELECT ${columns} FROM parcels WHERE id > @after AND ${inPeriod}`).raw();
    this.#incidents = db.prepare<[{ from: number; to: number; lo: number; hi: number }]>(
      `SELECT at, action, compartment_id AS compartmentId, detail FROM audit
        WHERE id > @lo AND id <= @hi AND at >= @from AND at < @to AND action IN (${inList([...OVERFLOW_ACTIONS, ...DOOR_ACTIONS, ...AREA_FULL_ACTIONS])}) ORDER BY id`,
    );
    this.#maxAuditId = db.prepare('SELECT max(id) FROM audit').pluck();
    this.#compartments = db.prepare("SELECT id, size, out_of_service AS outOfService FROM compartments WHERE kind = 'locker' ORDER BY id");
    // The first row ever written: applyConfig's, at the ledger's first start.
    this.#since = db.prepare('SELECT at FROM audit ORDER BY id LIMIT 1').pluck();
    this.#areas = db.prepare("SELECT id, kind, out_of_service AS outOfService FROM compartments WHERE kind IN ('room','desk') ORDER BY id");
    this.#places = db.prepare('SELECT id, area, capacity, active FROM places ORDER BY id');
  }

  /** Every room and desk, those dropped from the config too (out of service NOT_IN_CONFIG). */
  areas(): AreaRow[] {
    return this.#areas.all() as AreaRow[];
  }

  /** Every shelf and desk place, active or not. */
  places(): PlaceRow[] {
    return (this.#places.all() as (Omit<PlaceRow, 'active'> & { active: number })[]).map((p) => ({ ...p, active: p.active === 1 }));
  }

  /** The parcels in a compartment at some time in [from, to), a slice at a time (in id order). */
  *parcelSlices(from: number, to: number, perSlice = PARCELS_PER_SLICE): Generator<ParcelSpan[]> {
    let after = '';
    for (;;) {
      const upTo = this.#parcelBound.get({ after, skip: perSlice - 1 }) as string | undefined;
      const rows = (upTo === undefined ? this.#parcelsTail.all({ from, to, after }) : this.#parcelsRange.all({ from, to, after, upTo })) as ParcelRow[];
      yield rows.map((r) => ({ compartmentId: r[0], placeId: r[1], size: r[2], state: r[3], direction: r[4], carrier: r[5], depositedAt: r[6], endedAt: r[7] }));
      if (upTo === undefined) return;
      after = upTo;
    }
  }

  /** Refusals for want of room and door incidents in [from, to), a slice of the trail at a time (in id order). */
  *incidentSlices(from: number, to: number, perSlice = AUDIT_ROWS_PER_SLICE): Generator<AuditIncident[]> {
    const max = (this.#maxAuditId.get() as number | null) ?? 0;
    for (let lo = 0; lo < max; lo += perSlice) {
      yield (this.#incidents.all({ from, to, lo, hi: lo + perSlice }) as IncidentRow[]).map((r) => ({ ...r, detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null }));
    }
  }

  /** The locker compartments the config has (those dropped from it are left out: they hold nothing new). */
  compartments(): CompartmentRow[] {
    return (this.#compartments.all() as CompartmentRow[]).filter((c) => c.outOfService !== NOT_IN_CONFIG);
  }

  /** When the ledger's history begins, or null for an empty one. */
  ledgerSince(): number | null {
    return (this.#since.get() as number | undefined) ?? null;
  }
}
