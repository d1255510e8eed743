/**
 * The map of the locker the screen draws, so a person finds the door that opened. Pure: from the
 * config (already cross-checked by src/config/load.ts) to cells on a grid.
 *
 * Where a door is, in order of precedence:
 * 1. `column`/`row` on every compartment;
 * 2. `screen.layout.columns`: each column's compartment ids from the top down;
 * 3. otherwise one column per lock board, in the order the boards are configured, doors from the
 *    top down in lock order (a board usually drives one cabinet column, wired from the top).
 */
import type { CompartmentSize, LockerdConfig, PlaceConfig } from '../config/types.js';

export interface MapCell {
  id: string;
  column: number;
  row: number;
  size: CompartmentSize;
  /** Low enough for a wheelchair user: marked on the map. */
  accessible: boolean;
}

export interface LockerMap {
  columns: number;
  rows: number;
  cells: MapCell[];
}

/** No doors to find: a package room's or front desk's screen draws no locker map. */
const NO_MAP: LockerMap = { columns: 0, rows: 0, cells: [] };

export function lockerMap(config: LockerdConfig): LockerMap {
  // A package room station has one door, the room's: the map shows it alone (docs/package-room.md).
  const room = config.storage === 'room' ? config.rooms[0] : undefined;
  if (room) return { columns: 1, rows: 1, cells: [{ id: room.id, column: 1, row: 1, size: 'XL', accessible: false }] };
  if (config.storage !== 'lockers') return NO_MAP;
  const byId = new Map(config.compartments.map((c) => [c.id, c]));
  let cells: MapCell[];
  if (config.compartments.length > 0 && config.compartments.every((c) => c.column !== undefined && c.row !== undefined)) {
    cells = config.compartments.map((c) => ({ id: c.id, column: c.column!, row: c.row!, size: c.size, accessible: c.accessible }));
  } else if (config.screen.layout) {
    cells = config.screen.layout.columns.flatMap((ids, i) =>
      ids.flatMap((id, j) => {
        const c = byId.get(id);
        return c ? [{ id, column: i + 1, row: j + 1, size: c.size, accessible: c.accessible }] : [];
      }),
    );
  } else {
    const boards = config.buses.flatMap((b) => b.boards.map((board) => board.id));
    cells = boards.flatMap((board, i) =>
      config.compartments
        .filter((c) => c.board === board)
        .sort((a, b) => a.lock - b.lock)
        .map((c, j) => ({ id: c.id, column: i + 1, row: j + 1, size: c.size, accessible: c.accessible })),
    );
    // Columns of boards without compartments collapse: renumber the used ones 1..n.
    const used = [...new Set(cells.map((c) => c.column))].sort((a, b) => a - b);
    cells = cells.map((c) => ({ ...c, column: used.indexOf(c.column) + 1 }));
  }
  return {
    columns: Math.max(0, ...cells.map((c) => c.column)),
    rows: Math.max(0, ...cells.map((c) => c.row)),
    cells,
  };
}

/** A room or desk as the screen counts it: never a door on the map. */
export interface StorageAreaCount {
  id: string;
  name: string;
  /** Shelves (a room) or storage places (a desk). */
  places: number;
  /** Parcels they hold at most. */
  capacity: number;
}

/** What the station has, per kind, for the screen's count line. Pure: from the config. */
export interface StorageCount {
  /** What this station's kiosk serves. */
  station: LockerdConfig['storage'];
  lockers: number;
  rooms: StorageAreaCount[];
  desks: StorageAreaCount[];
}

const area = (a: { id: string; name?: string }, places: readonly PlaceConfig[]): StorageAreaCount => ({
  id: a.id, name: a.name ?? a.id, places: places.length, capacity: places.reduce((n, p) => n + p.capacity, 0),
});

export function storageCount(config: LockerdConfig): StorageCount {
  return {
    station: config.storage,
    lockers: config.compartments.length,
    rooms: config.rooms.map((r) => area(r, r.shelves)),
    desks: config.desks.map((d) => area(d, d.places)),
  };
}
