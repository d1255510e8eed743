import type { Db } from './database.js';

export interface AuditEntry {
  at: number;
  /** Who or what: `courier:ups-1`, `resident:unit-1204`, `technician`, `system`, `kiosk`. Never a secret. */
  actor: string;
  /** What happened, as `noun.verb`: `door.unlock_requested`, `pickup.code_rejected`, ... */
  action: string;
  compartmentId?: string | null;
  parcelId?: string | null;
  /** Why, and what the sensors said. Never codes, PINs or tokens. */
  detail?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  id: number;
}

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  compartment_id: string | null;
  parcel_id: string | null;
  detail: string | null;
}

const fromRow = (r: AuditRow): AuditRecord => ({
  id: r.id,
  at: r.at,
  actor: r.actor,
  action: r.action,
  compartmentId: r.compartment_id,
  parcelId: r.parcel_id,
  detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : undefined,
});

/**
 * The trail's latest entry this far ahead of the clock shows the clock went back (a Pi without
 * RTC or NTP): the self-test fails and remote commands are refused until it is right.
 */
export const CLOCK_BACK_TOLERANCE_MS = 60_000;

/** The append-only trail of every door movement and every refusal (triggers forbid UPDATE and DELETE). */
export class AuditTrail {
  readonly #insert;
  readonly #recent;
  readonly #latestAt;
  readonly #forParcel;
  readonly #forCompartment;

  constructor(db: Db) {
    this.#insert = db.prepare<[number, string, string, string | null, string | null, string | null]>(
      'INSERT INTO audit (at, actor, action, compartment_id, parcel_id, detail) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#recent = db.prepare<[number]>('SELECT * FROM audit ORDER BY id DESC LIMIT ?');
    this.#latestAt = db.prepare<[number]>('SELECT max(at) AS at FROM (SELECT at FROM audit ORDER BY id DESC LIMIT ?)');
    this.#forParcel = db.prepare<[string]>('SELECT * FROM audit WHERE parcel_id = ? ORDER BY id');
    this.#forCompartment = db.prepare<[string, number, number]>('SELECT * FROM audit WHERE compartment_id = ? AND at >= ? AND at <= ? ORDER BY at, id');
  }

  record(e: AuditEntry): void {
    this.#insert.run(e.at, e.actor, e.action, e.compartmentId ?? null, e.parcelId ?? null, e.detail ? JSON.stringify(e.detail) : null);
  }

  /**
   * The latest time among the last `window` rows. A clock that went back shows as rows written
   * before this one with a later time (a full max(at) would scan the whole trail).
   */
  latestAt(window = 1000): number | null {
    return (this.#latestAt.get(window) as { at: number | null }).at;
  }

  recent(limit = 50): AuditRecord[] {
    return (this.#recent.all(limit) as AuditRow[]).map(fromRow);
  }

  /** Every row about one parcel, oldest first (index audit_parcel). */
  forParcel(parcelId: string): AuditRecord[] {
    return (this.#forParcel.all(parcelId) as AuditRow[]).map(fromRow);
  }

  /** Every row about one compartment from `from` to `to` (ms, inclusive), in time order (index audit_compartment_time). */
  forCompartment(compartmentId: string, from: number, to: number): AuditRecord[] {
    return (this.#forCompartment.all(compartmentId, from, to) as AuditRow[]).map(fromRow);
  }
}
