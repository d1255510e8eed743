/**
 * Cross-checks of the storage kinds (./storage-schema.ts): one namespace for compartments, rooms,
 * desks, shelves and places (a scanned label or a parcel record names any of them); a room door
 * on a configured board, on a lock no compartment uses; the station's kind matching what exists;
 * overflow pointing at a room or desk.
 */
import type { LockerdConfig } from './types.js';

export interface KnownLocks {
  /** Configured boards and their lock counts. */
  boards: ReadonlyMap<string, { locks: number }>;
  /** `board\0lock` of every compartment, with its index. */
  lockUsers: ReadonlyMap<string, number>;
}

export function storageCrossCheck(config: LockerdConfig, known: KnownLocks): string[] {
  const problems: string[] = [];
  const names = new Map<string, string>();
  const claim = (id: string, where: string): void => {
    const first = names.get(id);
    if (first !== undefined) problems.push(`${where}: "${id}" is already used by ${first}; compartments, rooms, desks, shelves and places share one set of names`);
    else names.set(id, where);
  };
  config.compartments.forEach((c, i) => names.set(c.id, `compartments[${i}]`));
  const knownBoards = [...known.boards.keys()].join(', ');
  const roomLocks = new Map<string, string>();
  config.rooms.forEach((room, i) => {
    claim(room.id, `rooms[${i}].id`);
    room.shelves.forEach((s, j) => claim(s.id, `rooms[${i}].shelves[${j}].id`));
    const board = known.boards.get(room.board);
    if (!board) problems.push(`rooms[${i}].board: "${room.board}" is not a configured board (known boards: ${knownBoards || 'none'})`);
    else if (room.lock > board.locks) problems.push(`rooms[${i}].lock: ${room.lock} is above the ${board.locks} locks of board "${room.board}"`);
    const key = `${room.board}\u0000${room.lock}`;
    const compartment = known.lockUsers.get(key);
    if (compartment !== undefined) problems.push(`rooms[${i}]: the room door and compartments[${compartment}] ("${config.compartments[compartment]!.id}") are both on board "${room.board}" lock ${room.lock}; each lock opens one door`);
    const otherRoom = roomLocks.get(key);
    if (otherRoom !== undefined) problems.push(`rooms[${i}]: the room door is on board "${room.board}" lock ${room.lock}, like ${otherRoom}'s; each lock opens one door`);
    else roomLocks.set(key, `rooms[${i}]`);
  });
  config.desks.forEach((desk, i) => {
    claim(desk.id, `desks[${i}].id`);
    desk.places.forEach((p, j) => claim(p.id, `desks[${i}].places[${j}].id`));
  });

  if (config.storage === 'lockers' && config.compartments.length === 0) {
    problems.push('compartments: none are configured; the locker needs at least one compartment (or set "storage" to "room" or "desk")');
  }
  if (config.storage === 'room' && config.rooms.length !== 1) {
    problems.push(`storage: "room" serves one package room, and rooms has ${config.rooms.length}; declare exactly one room (a second room needs its own kiosk)`);
  }
  if (config.storage === 'desk' && config.desks.length !== 1) {
    problems.push(`storage: "desk" serves one front desk, and desks has ${config.desks.length}; declare exactly one desk`);
  }
  if (config.storage === 'desk' && config.staff.length === 0) {
    problems.push('staff: a front desk is run by staff, and none are configured; add at least one staff member');
  }
  const areas = new Set([...config.rooms.map((r) => r.id), ...config.desks.map((d) => d.id)]);
  config.allocation.overflow.forEach((o, i) => {
    if (!areas.has(o.to)) problems.push(`allocation.overflow[${i}].to: "${o.to}" is not a configured room or desk (known: ${[...areas].join(', ') || 'none'})`);
    // A parcel overflowing to a desk would leave the courier at the locker with it: no handover flow exists (docs/front-desk.md).
    else if (config.desks.some((d) => d.id === o.to)) problems.push(`allocation.overflow[${i}].to: "${o.to}" is a front desk; lockers overflow only into a package room (a desk takes parcels from staff at the desk, not from a locker's courier)`);
  });
  if (config.allocation.overflow.length > 0 && config.storage !== 'lockers') {
    problems.push(`allocation.overflow: only a locker bank overflows; this station is a ${config.storage}`);
  }
  return problems;
}
