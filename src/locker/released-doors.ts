import type { MetaStore } from '../ledger/meta.js';

/**
 * Doors whose operation was released while they stood open: the deposit door of a parcel that
 * did not fit ("bigger door"). The door was commanded, so until it shuts its opening belongs to
 * that operation's actor, across a restart too: kept durably, in the ledger's meta table, and
 * written in the same transaction as the release and as the close. At most one per compartment.
 */
export interface ReleasedDoor {
  operation: number;
  actor: string;
  parcelId: string | null;
}

const KEY = 'released_doors';

function read(meta: MetaStore): Record<string, ReleasedDoor> {
  const raw = meta.get(KEY);
  if (raw === undefined) return {};
  try {
    const value = JSON.parse(raw) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, ReleasedDoor>) : {};
  } catch {
    return {};
  }
}

export function releasedDoors(meta: MetaStore): Record<string, ReleasedDoor> {
  return read(meta);
}

export function releasedDoor(meta: MetaStore, compartmentId: string): ReleasedDoor | undefined {
  const all = read(meta);
  return Object.hasOwn(all, compartmentId) ? all[compartmentId] : undefined;
}

/** Call inside the transaction that ends the operation. */
export function markReleased(meta: MetaStore, compartmentId: string, door: ReleasedDoor): void {
  meta.set(KEY, JSON.stringify({ ...read(meta), [compartmentId]: door }));
}

/** Call inside the transaction that records the door's close; returns what was released, if anything. */
export function clearReleased(meta: MetaStore, compartmentId: string): ReleasedDoor | undefined {
  const all = read(meta);
  if (!Object.hasOwn(all, compartmentId)) return undefined;
  const door = all[compartmentId];
  delete all[compartmentId];
  meta.set(KEY, JSON.stringify(all));
  return door;
}
