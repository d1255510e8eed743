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
  /** When its hold ended (`parcel.hold_expired` recorded); null while the hold runs. The parcel stays `deposited`. */
  expiredAt: number | null;
  /** Every reminder of the current hold due by this time was dealt with; null: none yet. */
  remindedThrough: number | null;
  /** The shelf or storage place of a parcel in a room or at a desk (`compartmentId` is the room or desk); null in a locker. */
  placeId: string | null;
  /** A room pickup not scanned out in time was flagged for staff at this time. */
  pickupFlaggedAt: number | null;
  /** The front-desk signature of its pickup (./signatures.ts). */
  signatureId: number | null;
  /** Who collected it on the resident's behalf (an authorised collector), by name. */
  collector: string | null;
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
  expiry_reported_at: number | null;
  reminded_through: number | null;
  place_id: string | null;
  pickup_flagged_at: number | null;
  signature_id: number | null;
  collector: string | null;
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
  expiredAt: r.expiry_reported_at,
  remindedThrough: r.reminded_through,
  placeId: r.place_id,
  pickupFlaggedAt: r.pickup_flagged_at,
  signatureId: r.signature_id,
  collector: r.collector,
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
  /** A shelf or storage place (`compartmentId` is then its room or desk). */
  placeId?: string | null;
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
  readonly #insertReturn;
  readonly #depositReturn;
  readonly #returnsWaiting;
  readonly #returnsInside;
  readonly #inboundWithTracking;
  readonly #collectReturn;
  readonly #depositedIn;
  readonly #holding;
  readonly #markReminded;
  readonly #holdEnded;
  readonly #reservedBetween;

  constructor(db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO parcels (id, unit, size, compartment_id, state, carrier, tracking, courier_id, reserved_at, place_id)
       VALUES (@id, @unit, @size, @compartmentId, 'reserved', @carrier, @tracking, @courierId, @reservedAt, @placeId)`,
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
    // A new hold: an ended one runs again (its code too), it is reported again when it ends, and
    // only its reminders after the extension are still to come.
    this.#setExpiry = db.prepare<[number, number, string]>(`UPDATE parcels SET expires_at = ?, expiry_reported_at = NULL, reminded_through = ? WHERE id = ? AND state = 'deposited'`);
    this.#move = db.prepare<[string, string, string]>(`UPDATE parcels SET compartment_id = ?, size = ? WHERE id = ? AND state = 'reserved'`);
    this.#holdDue = db.prepare<[number, number]>(`SELECT * FROM parcels WHERE state = 'deposited' AND expiry_reported_at IS NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?`);
    // Staff recall (src/locker/staff.ts): past their hold, whether or not reported yet.
    this.#depositedIn = db.prepare(`SELECT * FROM parcels INDEXED BY parcels_active_compartment WHERE state IN ('reserved','deposited') ORDER BY compartment_id, id`);
    this.#markExpiryReported = db.prepare<[number, string]>(`UPDATE parcels SET expiry_reported_at = ? WHERE id = ? AND expiry_reported_at IS NULL`);
    // Paged by id: at most one page of the parcels inside (bounded by the compartments) in memory.
    // INDEXED BY: left to itself SQLite walks the primary key, every parcel ever, to honour the
    // ORDER BY (0.3 s warm, 1.8 s more at a cold start on a million parcels; bench:ledger). The
    // partial index holds only the parcels waiting, which the sort then orders.
    this.#holding = db.prepare<[string, number]>(`SELECT * FROM parcels INDEXED BY parcels_hold_due WHERE state = 'deposited' AND expiry_reported_at IS NULL AND expires_at IS NOT NULL AND id > ? ORDER BY id LIMIT ?`);
    this.#markReminded = db.prepare<[number, string, number]>(`UPDATE parcels SET reminded_through = ? WHERE id = ? AND state = 'deposited' AND expiry_reported_at IS NULL AND coalesce(reminded_through, -1) < ?`);
    this.#holdEnded = db.prepare<[number]>(`SELECT * FROM parcels WHERE state = 'deposited' AND expiry_reported_at IS NOT NULL ORDER BY expires_at LIMIT ?`);
    // Paged by id (UUIDv7: time order) through the primary key; never an OFFSET, which rereads every page before.
    this.#reservedBetween = db.prepare<[string, number, number, number]>('SELECT * FROM parcels WHERE id > ? AND reserved_at >= ? AND reserved_at <= ? ORDER BY id LIMIT ?');
    // Returns (outbound): no code, no hold; they wait for a courier of their carrier.
    this.#insertReturn = db.prepare(
      `INSERT INTO parcels (id, unit, size, compartment_id, state, carrier, tracking, courier_id, reserved_at, direction)
       VALUES (@id, @unit, @size, @compartmentId, 'reserved', @carrier, @tracking, NULL, @reservedAt, 'outbound')`,
    );
    this.#depositReturn = db.prepare<[number, string]>(`UPDATE parcels SET state = 'deposited', deposited_at = ? WHERE id = ? AND state = 'reserved' AND direction = 'outbound'`);
    // The parcels inside are few (one or a few per compartment): read them through their small index.
    this.#returnsWaiting = db.prepare<[string]>(
      `SELECT * FROM parcels INDEXED BY parcels_active_compartment
       WHERE state IN ('reserved','deposited') AND state = 'deposited' AND direction = 'outbound' AND carrier = ? COLLATE NOCASE
       ORDER BY deposited_at, id`,
    );
    this.#returnsInside = db.prepare(`SELECT * FROM parcels INDEXED BY parcels_active_compartment WHERE state IN ('reserved','deposited') AND state = 'deposited' AND direction = 'outbound' ORDER BY deposited_at, id`);
    this.#collectReturn = db.prepare<[number, string, string]>(`UPDATE parcels SET state = 'collected', ended_at = ?, courier_id = ? WHERE id = ? AND state = 'deposited' AND direction = 'outbound'`);
    // No index on tracking: a full scan, done once per return label scanned (README, Returns).
    this.#inboundWithTracking = db.prepare<[string]>(`SELECT * FROM parcels WHERE tracking = ? AND direction = 'inbound' ORDER BY id DESC LIMIT 1`);
  }

  /** Moves every parcel waiting on one code to another (a reissued code). */
  moveToCode(fromCodeId: number, toCodeId: number): number {
    return this.#setCode.run(toCodeId, fromCodeId).changes;
  }

  /** A new end for a waiting parcel's hold, set at `at`: an ended hold runs again; reminders due by `at` count as dealt with. */
  setExpiry(id: string, expiresAt: number, at: number): boolean {
    return this.#setExpiry.run(expiresAt, at, id).changes === 1;
  }

  /** Waiting parcels whose hold still runs, by id after `afterId` ('' for the first page). */
  holding(afterId: string, limit: number): Parcel[] {
    return (this.#holding.all(afterId, limit) as Row[]).map(fromRow);
  }

  /** Records that the reminders of a running hold due by `through` were dealt with; false if they already were (or the hold ended). */
  markReminded(id: string, through: number): boolean {
    return this.#markReminded.run(through, id, through).changes === 1;
  }

  /** Waiting parcels whose hold ended, oldest end first: the staff's list (they still occupy their compartments). */
  holdEnded(limit: number): Parcel[] {
    return (this.#holdEnded.all(limit) as Row[]).map(fromRow);
  }

  /** Moves a reserved parcel to another compartment (it did not fit the first). */
  moveReserved(id: string, compartmentId: string, size: string): boolean {
    return this.#move.run(compartmentId, size, id).changes === 1;
  }

  /** Waiting parcels whose hold ran out by `now` and that were not reported yet, oldest first. */
  holdDue(now: number, limit: number): Parcel[] {
    return (this.#holdDue.all(now, limit) as Row[]).map(fromRow);
  }


  /** Every parcel inside the locker (reserved or deposited), by compartment: the audit walk's list. */
  allInside(): Parcel[] {
    return (this.#depositedIn.all() as Row[]).map(fromRow);
  }

  markExpiryReported(id: string, at: number): boolean {
    return this.#markExpiryReported.run(at, id).changes === 1;
  }

  reserve(p: NewParcel): void {
    this.#insert.run({ ...p, placeId: p.placeId ?? null });
  }

  /** A resident's return (outbound): reserved with no code and no courier until a courier collects it. */
  reserveReturn(p: Omit<NewParcel, 'courierId'>): void {
    this.#insertReturn.run(p);
  }

  /** The return's door shut: it waits for its carrier. False when it was not a reserved return. */
  markReturnDeposited(id: string, at: number): boolean {
    return this.#depositReturn.run(at, id).changes === 1;
  }

  /** A courier took the return away: it is theirs now (`courierId`, for the proof of collection). */
  markReturnCollected(id: string, courierId: string, at: number): boolean {
    return this.#collectReturn.run(at, courierId, id).changes === 1;
  }

  /** Returns waiting for a courier of `carrier` (case does not matter), oldest first. */
  returnsWaitingFor(carrier: string): Parcel[] {
    return (this.#returnsWaiting.all(carrier) as Row[]).map(fromRow);
  }

  /** Every return waiting for its carrier, oldest first. */
  returnsWaiting(): Parcel[] {
    return (this.#returnsInside.all() as Row[]).map(fromRow);
  }

  /** The newest delivery (inbound, any state) with this tracking number, if this locker ever had one. */
  inboundWithTracking(tracking: string): Parcel | undefined {
    const r = this.#inboundWithTracking.get(tracking) as Row | undefined;
    return r && fromRow(r);
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

  /**
   * Parcels reserved from `from` to `to` (ms, inclusive), oldest first, `limit` at a time: the next
   * page starts after the last id of this one. `afterId` starts the first page (uuidv7Floor(from)).
   */
  reservedBetween(afterId: string, from: number, to: number, limit: number): Parcel[] {
    return (this.#reservedBetween.all(afterId, from, to, limit) as Row[]).map(fromRow);
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
