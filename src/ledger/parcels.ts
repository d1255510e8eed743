import type { CompartmentSize } from '../config/types.js';
import type { Db } from './database.js';

export type ParcelState = 'reserved' | 'deposited' | 'picked_up' | 'cancelled' | 'expired' | 'returned' | 'recalled' | 'collected';
/** A delivery for a resident (inbound), or a resident's return waiting for its carrier (outbound). */
export type ParcelDirection = 'inbound' | 'outbound';

export interface Parcel {
  id: string;
  unit: string;
  size: CompartmentSize;
  compartmentId: string;
  state: ParcelState;
  carrier: string | null;
  tracking: string | null;
  courierId: string | null;
  codeId: number | null;
  reservedAt: number;
  depositedAt: number | null;
  expiresAt: number | null;
  endedAt: number | null;
  direction: ParcelDirection;
}

interface Row {
  id: string;
  unit: string;
  size: CompartmentSize;
  compartment_id: string;
  state: ParcelState;
  carrier: string | null;
  tracking: string | null;
  courier_id: string | null;
  code_id: number | null;
  reserved_at: number;
  deposited_at: number | null;
  expires_at: number | null;
  ended_at: number | null;
  direction: ParcelDirection;
}

const fromRow = (r: Row): Parcel => ({
  id: r.id,
  unit: r.unit,
  size: r.size,
  compartmentId: r.compartment_id,
  state: r.state,
  carrier: r.carrier,
  tracking: r.tracking,
  courierId: r.courier_id,
  codeId: r.code_id,
  reservedAt: r.reserved_at,
  depositedAt: r.deposited_at,
  expiresAt: r.expires_at,
  endedAt: r.ended_at,
  direction: r.direction,
});

export interface NewParcel {
  id: string;
  unit: string;
  size: CompartmentSize;
  compartmentId: string;
  carrier: string | null;
  tracking: string | null;
  courierId: string | null;
  reservedAt: number;
}

export class ParcelStore {
  readonly #insert;
  readonly #get;
  readonly #deposit;
  readonly #end;
  readonly #waitingForCode;
  readonly #activeIn;
  readonly #allIn;
  readonly #activeWithTracking;
  readonly #list;
  readonly #listState;
  readonly #setCode;
  readonly #setExpiry;
  readonly #holdDue;
  readonly #move;
  readonly #markExpiryReported;
  readonly #expiredWaiting;
  readonly #depositedIn;

  constructor(db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO parcels (id, unit, size, compartment_id, state, carrier, tracking, courier_id, reserved_at)
       VALUES (@id, @unit, @size, @compartmentId, 'reserved', @carrier, @tracking, @courierId, @reservedAt)`,
    );
    this.#get = db.prepare<[string]>('SELECT * FROM parcels WHERE id = ?');
    this.#deposit = db.prepare<[number, number, number, string]>(
      `UPDATE parcels SET state = 'deposited', code_id = ?, deposited_at = ?, expires_at = ? WHERE id = ? AND state = 'reserved'`,
    );
    this.#end = db.prepare<[string, number, string, string]>(`UPDATE parcels SET state = ?, ended_at = ? WHERE id = ? AND state = ?`);
    this.#waitingForCode = db.prepare<[number]>(`SELECT * FROM parcels WHERE code_id = ? AND state = 'deposited' ORDER BY compartment_id`);
    // A shareable compartment (allocation.shareCompartments) holds several: the oldest first.
    this.#activeIn = db.prepare<[string]>(`SELECT * FROM parcels WHERE compartment_id = ? AND state IN ('reserved','deposited') ORDER BY id LIMIT 1`);
    this.#allIn = db.prepare<[string]>(`SELECT * FROM parcels WHERE compartment_id = ? AND state IN ('reserved','deposited') ORDER BY id`);
    // The parcels inside are a few per compartment at most: read them through their small index.
    this.#activeWithTracking = db.prepare<[string]>(`SELECT * FROM parcels INDEXED BY parcels_active_compartment WHERE state IN ('reserved','deposited') AND tracking = ? LIMIT 1`);
    // Ids are UUIDv7, which sort by creation time: newest first needs no index of its own.
    this.#list = db.prepare<[number]>('SELECT * FROM parcels ORDER BY id DESC LIMIT ?');
    this.#listState = db.prepare<[string, number]>('SELECT * FROM parcels WHERE state = ? ORDER BY id DESC LIMIT ?');
    this.#setCode = db.prepare<[number, number]>(`UPDATE parcels SET code_id = ? WHERE code_id = ? AND state = 'deposited'`);
    // A new hold is reported again when it too runs out.
    this.#setExpiry = db.prepare<[number, string]>(`UPDATE parcels SET expires_at = ?, expiry_reported_at = NULL WHERE id = ? AND state = 'deposited'`);
    this.#move = db.prepare<[string, string, string]>(`UPDATE parcels SET compartment_id = ?, size = ? WHERE id = ? AND state = 'reserved'`);
    this.#holdDue = db.prepare<[number, number]>(`SELECT * FROM parcels WHERE state = 'deposited' AND expiry_reported_at IS NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?`);
    // Staff recall (src/locker/staff.ts): past their hold, whether or not reported yet.
    this.#expiredWaiting = db.prepare<[number, number]>(`SELECT * FROM parcels WHERE state = 'deposited' AND expires_at <= ? ORDER BY expires_at, id LIMIT ?`);
    this.#depositedIn = db.prepare(`SELECT * FROM parcels INDEXED BY parcels_active_compartment WHERE state IN ('reserved','deposited') ORDER BY compartment_id, id`);
    this.#markExpiryReported = db.prepare<[number, string]>(`UPDATE parcels SET expiry_reported_at = ? WHERE id = ? AND expiry_reported_at IS NULL`);
  }

  /** Moves every parcel waiting on one code to another (a reissued code). */
  moveToCode(fromCodeId: number, toCodeId: number): number {
    return this.#setCode.run(toCodeId, fromCodeId).changes;
  }

  setExpiry(id: string, expiresAt: number): boolean {
    return this.#setExpiry.run(expiresAt, id).changes === 1;
  }

  /** Moves a reserved parcel to another compartment (it did not fit the first). */
  moveReserved(id: string, compartmentId: string, size: string): boolean {
    return this.#move.run(compartmentId, size, id).changes === 1;
  }

  /** Waiting parcels whose hold ran out by `now` and that were not reported yet, oldest first. */
  holdDue(now: number, limit: number): Parcel[] {
    return (this.#holdDue.all(now, limit) as Row[]).map(fromRow);
  }

  /** Waiting parcels whose hold ended by `now` (`expires_at <= now`), longest expired first: what staff recall. */
  expiredWaiting(now: number, limit = 1000): Parcel[] {
    return (this.#expiredWaiting.all(now, limit) as Row[]).map(fromRow);
  }

  /** Every parcel inside the locker (reserved or deposited), by compartment: the audit walk's list. */
  allInside(): Parcel[] {
    return (this.#depositedIn.all() as Row[]).map(fromRow);
  }

  markExpiryReported(id: string, at: number): boolean {
    return this.#markExpiryReported.run(at, id).changes === 1;
  }

  reserve(p: NewParcel): void {
    this.#insert.run(p);
  }

  get(id: string): Parcel | undefined {
    const r = this.#get.get(id) as Row | undefined;
    return r && fromRow(r);
  }

  /** Returns false when the parcel was not reserved (already handled): callers treat that as a bug. */
  markDeposited(id: string, codeId: number, at: number, expiresAt: number): boolean {
    return this.#deposit.run(codeId, at, expiresAt, id).changes === 1;
  }

  /** Moves a parcel from `from` to a final state; false when it was not in `from`. */
  end(id: string, from: ParcelState, to: ParcelState, at: number): boolean {
    return this.#end.run(to, at, id, from).changes === 1;
  }

  waitingForCode(codeId: number): Parcel[] {
    return (this.#waitingForCode.all(codeId) as Row[]).map(fromRow);
  }

  /** The parcel with this tracking number that is in the locker now (reserved or deposited), if any. */
  activeWithTracking(tracking: string): Parcel | undefined {
    const r = this.#activeWithTracking.get(tracking) as Row | undefined;
    return r && fromRow(r);
  }

  /**
   * The oldest parcel reserved for or waiting in a compartment, if any. A shared compartment holds
   * several: callers that act on what is inside use allIn().
   */
  activeIn(compartmentId: string): Parcel | undefined {
    const r = this.#activeIn.get(compartmentId) as Row | undefined;
    return r && fromRow(r);
  }

  /** Every parcel reserved for or waiting in a compartment, oldest first (several when it is shared). */
  allIn(compartmentId: string): Parcel[] {
    return (this.#allIn.all(compartmentId) as Row[]).map(fromRow);
  }

  list(options: { state?: ParcelState; limit?: number } = {}): Parcel[] {
    const limit = options.limit ?? 100;
    const rows = options.state ? this.#listState.all(options.state, limit) : this.#list.all(limit);
    return (rows as Row[]).map(fromRow);
  }
}
