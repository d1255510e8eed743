import type { CompartmentSize } from '../config/types.js';
import type { Db } from './database.js';

/**
 * A door of the ledger: a locker compartment, or a package room's door (./storage-areas.ts has the
 * room's shelves). Desks have no door and are only in ./storage-areas.ts.
 */
export type DoorKind = 'locker' | 'room';

export interface Compartment {
  id: string;
  kind: DoorKind;
  size: CompartmentSize;
  board: string;
  lock: number;
  accessible: boolean;
  /** Why it is out of service, or null when in service. */
  outOfService: string | null;
}

interface Row {
  id: string;
  kind: DoorKind;
  size: CompartmentSize;
  board: string;
  lock: number;
  accessible: number;
  out_of_service: string | null;
}

const fromRow = (r: Row): Compartment => ({
  id: r.id,
  kind: r.kind,
  size: r.size,
  board: r.board,
  lock: r.lock,
  accessible: r.accessible === 1,
  outOfService: r.out_of_service,
});

export interface CompartmentWithOccupancy extends Compartment {
  /** The (oldest) parcel reserved for or waiting in this compartment, if any. */
  parcelId: string | null;
  /** How many parcels are reserved for or waiting in it: more than one when it is shared. */
  parcels: number;
}

export class CompartmentStore {
  readonly #all;
  readonly #get;
  readonly #byLock;
  readonly #upsert;
  readonly #setOos;
  readonly #free;
  readonly #occupancy;
  readonly #doors;

  constructor(db: Db) {
    // Lockers only, unless the method says doors: every caller before rooms existed meant lockers.
    this.#all = db.prepare("SELECT * FROM compartments WHERE kind = 'locker' ORDER BY id");
    this.#doors = db.prepare("SELECT * FROM compartments WHERE kind IN ('locker','room') ORDER BY id");
    this.#get = db.prepare<[string]>("SELECT * FROM compartments WHERE id = ? AND kind IN ('locker','room')");
    this.#byLock = db.prepare<[string, number]>('SELECT * FROM compartments WHERE board = ? AND lock = ?');
    this.#upsert = db.prepare<[string, string, string, number, number]>(
      `INSERT INTO compartments (id, kind, size, board, lock, accessible) VALUES (?, 'locker', ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET size = excluded.size, board = excluded.board, lock = excluded.lock, accessible = excluded.accessible`,
    );
    this.#setOos = db.prepare<[string | null, string]>('UPDATE compartments SET out_of_service = ? WHERE id = ?');
    this.#free = db.prepare(
      `SELECT c.* FROM compartments c
       WHERE c.kind = 'locker' AND c.out_of_service IS NULL
         AND NOT EXISTS (SELECT 1 FROM parcels p WHERE p.compartment_id = c.id AND p.state IN ('reserved','deposited'))
         AND NOT EXISTS (SELECT 1 FROM door_operations d WHERE d.compartment_id = c.id AND d.state IN ('intent','opened'))
       ORDER BY c.id`,
    );
    this.#occupancy = db.prepare(
      // One row per compartment, however many parcels share it.
      `SELECT c.*, min(p.id) AS parcel_id, count(p.id) AS parcels FROM compartments c
       LEFT JOIN parcels p ON p.compartment_id = c.id AND p.state IN ('reserved','deposited')
       WHERE c.kind = 'locker'
       GROUP BY c.id ORDER BY c.id`,
    );
  }

  /** The locker compartments. */
  all(): Compartment[] {
    return (this.#all.all() as Row[]).map(fromRow);
  }

  /** Every door the boards drive: the lockers and the package rooms' doors. */
  doors(): Compartment[] {
    return (this.#doors.all() as Row[]).map(fromRow);
  }

  /** A locker or a room door. */
  get(id: string): Compartment | undefined {
    const r = this.#get.get(id) as Row | undefined;
    return r && fromRow(r);
  }

  atLock(board: string, lock: number): Compartment | undefined {
    const r = this.#byLock.get(board, lock) as Row | undefined;
    return r && fromRow(r);
  }

  upsert(c: Omit<Compartment, 'outOfService' | 'kind'>): void {
    this.#upsert.run(c.id, c.size, c.board, c.lock, c.accessible ? 1 : 0);
  }

  setOutOfService(id: string, reason: string | null): void {
    this.#setOos.run(reason, id);
  }

  /** Lockers in service, empty, and no door operation under way. */
  free(): Compartment[] {
    return (this.#free.all() as Row[]).map(fromRow);
  }

  withOccupancy(): CompartmentWithOccupancy[] {
    return (this.#occupancy.all() as (Row & { parcel_id: string | null; parcels: number })[]).map((r) => ({ ...fromRow(r), parcelId: r.parcel_id, parcels: r.parcels }));
  }
}
