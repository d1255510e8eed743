import type { CompartmentSize } from '../config/types.js';
import type { Db } from './database.js';

/** A package room (one door, shelves inside) or a front desk (no door, storage places). */
export type AreaKind = 'room' | 'desk';

export interface StorageArea {
  id: string;
  kind: AreaKind;
  /** The room door's lock; null for a desk. */
  board: string | null;
  lock: number | null;
  outOfService: string | null;
}

/** A shelf of a room or a storage place of a desk, with what is on it now. */
export interface Place {
  id: string;
  area: string;
  capacity: number;
  /** The biggest parcel it takes. */
  size: CompartmentSize;
  /** Still in the config; an inactive place keeps its history and takes nothing new. */
  active: boolean;
  /** Parcels reserved for it or on it. */
  parcels: number;
}

interface AreaRow { id: string; kind: AreaKind; board: string | null; lock: number | null; out_of_service: string | null }
interface PlaceRow { id: string; area: string; capacity: number; size: CompartmentSize; active: number; parcels: number }

const areaFromRow = (r: AreaRow): StorageArea => ({ id: r.id, kind: r.kind, board: r.board, lock: r.lock, outOfService: r.out_of_service });
const placeFromRow = (r: PlaceRow): Place => ({ id: r.id, area: r.area, capacity: r.capacity, size: r.size, active: r.active === 1, parcels: r.parcels });

const PLACES_WITH_COUNT = `SELECT pl.*, (SELECT count(*) FROM parcels p WHERE p.place_id = pl.id AND p.state IN ('reserved','deposited')) AS parcels FROM places pl`;

/**
 * Rooms and desks, and their shelves and places. Rooms and desks are rows of `compartments` (kind
 * `room`/`desk`), so parcels, door operations and the audit trail name them as they name lockers;
 * a parcel in one carries its place in `parcels.place_id`.
 */
export class StorageAreaStore {
  readonly #areas;
  readonly #area;
  readonly #upsertArea;
  readonly #places;
  readonly #placesOf;
  readonly #place;
  readonly #upsertPlace;
  readonly #deactivatePlace;
  readonly #setOos;

  constructor(db: Db) {
    this.#areas = db.prepare("SELECT id, kind, board, lock, out_of_service FROM compartments WHERE kind IN ('room','desk') ORDER BY id");
    this.#area = db.prepare<[string]>("SELECT id, kind, board, lock, out_of_service FROM compartments WHERE id = ? AND kind IN ('room','desk')");
    // Rooms and desks take any size: their places say what fits.
    this.#upsertArea = db.prepare<[string, AreaKind, string | null, number | null]>(
      `INSERT INTO compartments (id, kind, size, board, lock, accessible) VALUES (?, ?, 'XL', ?, ?, 1)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, board = excluded.board, lock = excluded.lock`,
    );
    this.#places = db.prepare(`${PLACES_WITH_COUNT} ORDER BY pl.id`);
    this.#placesOf = db.prepare<[string]>(`${PLACES_WITH_COUNT} WHERE pl.area = ? ORDER BY pl.id`);
    this.#place = db.prepare<[string]>(`${PLACES_WITH_COUNT} WHERE pl.id = ?`);
    this.#upsertPlace = db.prepare<[string, string, number, CompartmentSize]>(
      `INSERT INTO places (id, area, capacity, size, active) VALUES (?, ?, ?, ?, 1)
       ON CONFLICT (id) DO UPDATE SET area = excluded.area, capacity = excluded.capacity, size = excluded.size, active = 1`,
    );
    this.#deactivatePlace = db.prepare<[string]>('UPDATE places SET active = 0 WHERE id = ?');
    this.#setOos = db.prepare<[string | null, string]>("UPDATE compartments SET out_of_service = ? WHERE id = ? AND kind IN ('room','desk')");
  }

  areas(): StorageArea[] {
    return (this.#areas.all() as AreaRow[]).map(areaFromRow);
  }

  area(id: string): StorageArea | undefined {
    const r = this.#area.get(id) as AreaRow | undefined;
    return r && areaFromRow(r);
  }

  upsertRoom(r: { id: string; board: string; lock: number }): void {
    this.#upsertArea.run(r.id, 'room', r.board, r.lock);
  }

  upsertDesk(d: { id: string }): void {
    this.#upsertArea.run(d.id, 'desk', null, null);
  }

  setOutOfService(id: string, reason: string | null): void {
    this.#setOos.run(reason, id);
  }

  /** Every place, active or not, with its parcels. */
  places(area?: string): Place[] {
    const rows = (area === undefined ? this.#places.all() : this.#placesOf.all(area)) as PlaceRow[];
    return rows.map(placeFromRow);
  }

  place(id: string): Place | undefined {
    const r = this.#place.get(id) as PlaceRow | undefined;
    return r && placeFromRow(r);
  }

  upsertPlace(p: { id: string; area: string; capacity: number; size: CompartmentSize }): void {
    this.#upsertPlace.run(p.id, p.area, p.capacity, p.size);
  }

  deactivatePlace(id: string): void {
    this.#deactivatePlace.run(id);
  }
}
