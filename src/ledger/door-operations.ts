import type { Db } from './database.js';

export type DoorPurpose = 'deposit' | 'pickup' | 'technician' | 'remote' | 'staff' | 'recall' | 'audit' | 'return_deposit' | 'return_collect'
  /** A package room's door: a courier's session (or an overflow parcel carried in), a resident let in to collect. */
  | 'room_deposit' | 'room_pickup';
/** How the person who asked for a door proved who they are (the proof of delivery shows it). */
export type DoorCredential = 'code' | 'qr' | 'pin' | 'badge' | 'staff';
export type DoorOperationState = 'intent' | 'opened' | 'closed' | 'failed' | 'abandoned';

export interface DoorOperation {
  id: number;
  compartmentId: string;
  purpose: DoorPurpose;
  parcelId: string | null;
  actor: string;
  state: DoorOperationState;
  outcome: string | null;
  requestedAt: number;
  openedAt: number | null;
  endedAt: number | null;
  credential: DoorCredential | null;
}

interface Row {
  id: number;
  compartment_id: string;
  purpose: DoorPurpose;
  parcel_id: string | null;
  actor: string;
  state: DoorOperationState;
  outcome: string | null;
  requested_at: number;
  opened_at: number | null;
  ended_at: number | null;
  credential: DoorCredential | null;
}

const fromRow = (r: Row): DoorOperation => ({
  id: r.id,
  compartmentId: r.compartment_id,
  purpose: r.purpose,
  parcelId: r.parcel_id,
  actor: r.actor,
  state: r.state,
  outcome: r.outcome,
  requestedAt: r.requested_at,
  openedAt: r.opened_at,
  endedAt: r.ended_at,
  credential: r.credential,
});

/** Door movements the locker commanded: the durable intent that precedes every unlock. */
export class DoorOperationStore {
  readonly #insert;
  readonly #active;
  readonly #allActive;
  readonly #end;
  readonly #get;
  readonly #inCompartment;

  constructor(db: Db) {
    this.#insert = db.prepare<[string, string, string | null, string, number, DoorCredential | null]>(
      `INSERT INTO door_operations (compartment_id, purpose, parcel_id, actor, state, requested_at, credential) VALUES (?, ?, ?, ?, 'intent', ?, ?)`,
    );
    this.#active = db.prepare<[string]>(`SELECT * FROM door_operations WHERE compartment_id = ? AND state IN ('intent','opened') ORDER BY id`);
    // INDEXED BY: left to itself SQLite walks the whole table in id order (seconds on a cold SD card
    // with a million parcels) rather than read the small partial index and sort.
    this.#allActive = db.prepare(`SELECT * FROM door_operations INDEXED BY door_operations_active WHERE state IN ('intent','opened') ORDER BY id`);
    this.#end = db.prepare<[string, string | null, number | null, number, number]>(
      `UPDATE door_operations SET state = ?, outcome = ?, opened_at = coalesce(?, opened_at), ended_at = ? WHERE id = ? AND state IN ('intent','opened')`,
    );
    this.#get = db.prepare<[number]>('SELECT * FROM door_operations WHERE id = ?');
    this.#inCompartment = db.prepare<[string, number, number]>(
      'SELECT * FROM door_operations WHERE compartment_id = ? AND requested_at >= ? AND requested_at <= ? ORDER BY requested_at, id',
    );
  }

  intent(compartmentId: string, purpose: DoorPurpose, parcelId: string | null, actor: string, at: number, credential: DoorCredential | null = null): number {
    return Number(this.#insert.run(compartmentId, purpose, parcelId, actor, at, credential).lastInsertRowid);
  }

  get(id: number): DoorOperation | undefined {
    const r = this.#get.get(id) as Row | undefined;
    return r && fromRow(r);
  }

  activeFor(compartmentId: string): DoorOperation[] {
    return (this.#active.all(compartmentId) as Row[]).map(fromRow);
  }

  /** Every operation on one door requested from `from` to `to` (ms, inclusive), in time order (index door_operations_compartment_time). */
  inCompartment(compartmentId: string, from: number, to: number): DoorOperation[] {
    return (this.#inCompartment.all(compartmentId, from, to) as Row[]).map(fromRow);
  }

  allActive(): DoorOperation[] {
    return (this.#allActive.all() as Row[]).map(fromRow);
  }

  /**
   * Ends an operation. `openedAt` is recorded here rather than in a commit of its own: the intent
   * is already durable and, after a power cut, the board's status tells whether the door opened.
   */
  end(id: number, state: 'closed' | 'failed' | 'abandoned', outcome: string | null, openedAt: number | null, at: number): boolean {
    return this.#end.run(state, outcome, openedAt, at, id).changes === 1;
  }
}
