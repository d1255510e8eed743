import type { DoorHardware } from '../../drivers/contracts.js';
import { COMPARTMENT_SIZES } from '../config/types.js';
import type { Ledger } from '../ledger/ledger.js';
import { storageInventory, type AreaCount } from '../locker/storage-inventory.js';

/** A room or desk upstream: its state, not the technician's reason (free text stays on the locker). */
function areaSnapshot(a: AreaCount): Record<string, unknown> {
  return {
    id: a.id,
    state: a.outOfService ? 'out_of_service' : 'in_service',
    capacity: a.capacity,
    parcels: a.parcels,
    free: a.free,
    places: a.places.map((p) => ({ id: p.id, size: p.size, active: p.active, capacity: p.capacity, parcels: p.parcels, free: p.free })),
  };
}

/**
 * `<root>/inventory`: occupancy per size and per compartment (lockers), and `storage` per kind:
 * the lockers counted in compartments, each room and desk in parcels against its places'
 * capacity, place by place (no parcel ids, no units).
 */
export function inventorySnapshot(ledger: Ledger, offlineBoards: readonly string[], now: number): Record<string, unknown> {
  const offline = new Set(offlineBoards);
  const compartments = ledger.compartments.withOccupancy().map((c) => ({
    id: c.id,
    size: c.size,
    accessible: c.accessible,
    state: c.parcelId ? ('occupied' as const) : c.outOfService || offline.has(c.board) ? ('out_of_service' as const) : ('free' as const),
    // A shared compartment (allocation.shareCompartments) holds several: parcels and compartments are counted apart.
    parcels: c.parcels,
  }));
  const sizes = Object.fromEntries(
    COMPARTMENT_SIZES.map((size) => {
      const of = compartments.filter((c) => c.size === size);
      return [size, { total: of.length, free: of.filter((c) => c.state === 'free').length, occupied: of.filter((c) => c.state === 'occupied').length, outOfService: of.filter((c) => c.state === 'out_of_service').length, parcels: of.reduce((n, c) => n + c.parcels, 0) }];
    }),
  );
  const storage = storageInventory(ledger);
  const lockers = { total: compartments.length, free: compartments.filter((c) => c.state === 'free').length, occupied: compartments.filter((c) => c.state === 'occupied').length, outOfService: compartments.filter((c) => c.state === 'out_of_service').length, parcels: compartments.reduce((n, c) => n + c.parcels, 0) };
  return { at: new Date(now).toISOString(), sizes, compartments, returns: returnsWaiting(ledger), storage: { lockers, rooms: storage.rooms.map(areaSnapshot), desks: storage.desks.map(areaSnapshot) } };
}

/** Returns waiting for their carrier: how many of the occupied compartments they take, per size and carrier. */
export function returnsWaiting(ledger: Ledger): { waiting: number; bySize: Record<string, number>; byCarrier: Record<string, number> } {
  const waiting = ledger.parcels.returnsWaiting();
  const bySize = Object.fromEntries(COMPARTMENT_SIZES.map((size) => [size, waiting.filter((p) => p.size === size).length]));
  const byCarrier: Record<string, number> = {};
  for (const p of waiting) byCarrier[p.carrier ?? 'unknown'] = (byCarrier[p.carrier ?? 'unknown'] ?? 0) + 1;
  return { waiting: waiting.length, bySize, byCarrier };
}

/** `<root>/telemetry`: periodic health. */
export function telemetrySnapshot(ledger: Ledger, doors: DoorHardware, startedAt: number, now: number): Record<string, unknown> {
  const depth = ledger.outbox.depth();
  return {
    at: new Date(now).toISOString(),
    uptimeSeconds: Math.max(0, Math.round((now - startedAt) / 1000)),
    outbox: { unsent: depth.unsent, oldestUnsentAgeSeconds: depth.oldestUnsentAt === null ? null : Math.max(0, Math.round((now - depth.oldestUnsentAt) / 1000)) },
    boards: doors.health().map((b) => ({ board: b.board, online: b.online, errors: b.errors })),
    ledgerBytes: ledger.sizeBytes(),
  };
}
