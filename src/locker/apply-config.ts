import type { LockerdConfig } from '../config/types.js';
import type { Ledger } from '../ledger/ledger.js';

/** Why a compartment dropped from the config is out of service; only the config brings it back. */
export const NOT_IN_CONFIG = 'not in the config';

/**
 * Brings the ledger's compartments, units and couriers in line with the config, in one
 * transaction. Units and couriers that upstream manages are left alone. A compartment dropped from the config is taken out of service, never deleted:
 * its history (and maybe a parcel) stays.
 */
export function applyConfig(ledger: Ledger, config: LockerdConfig, now: number): void {
  ledger.transaction(() => {
    const configured = new Set(config.compartments.map((c) => c.id));
    for (const c of config.compartments) {
      ledger.compartments.upsert(c);
      if (ledger.compartments.get(c.id)?.outOfService === NOT_IN_CONFIG) ledger.compartments.setOutOfService(c.id, null);
    }
    for (const c of ledger.compartments.all()) {
      if (!configured.has(c.id) && c.outOfService === null) ledger.compartments.setOutOfService(c.id, NOT_IN_CONFIG);
    }
    applyStorageAreas(ledger, config);
    ledger.people.replaceFromConfig(
      config.units,
      config.couriers.map((c) => ({ id: c.id, carrier: c.carrier, pinHash: ledger.hasher.hash('pin', c.pin), badgeHash: null })),
    );
    ledger.staff.replaceFromConfig(
      config.staff.map((m) => ({ id: m.id, name: m.name ?? null, pinHash: ledger.hasher.hash('pin', m.pin), badgeHash: m.badge ? ledger.hasher.hash('token', m.badge) : null })),
    );
    ledger.audit.record({
      at: now,
      actor: 'system',
      action: 'config.applied',
      detail: { compartments: config.compartments.length, rooms: config.rooms.length, desks: config.desks.length, units: config.units.length, couriers: config.couriers.length, staff: config.staff.length },
    });
  });
}

/**
 * Rooms, desks and their places as the config has them. A room, desk or place dropped from the
 * config is kept (parcels and history name it): the area goes out of service, the place inactive.
 */
function applyStorageAreas(ledger: Ledger, config: LockerdConfig): void {
  const areas = new Set<string>();
  const places = new Set<string>();
  for (const room of config.rooms) {
    ledger.storage.upsertRoom(room);
    areas.add(room.id);
    for (const shelf of room.shelves) {
      ledger.storage.upsertPlace({ ...shelf, area: room.id });
      places.add(shelf.id);
    }
  }
  for (const desk of config.desks) {
    ledger.storage.upsertDesk(desk);
    areas.add(desk.id);
    for (const place of desk.places) {
      ledger.storage.upsertPlace({ ...place, area: desk.id });
      places.add(place.id);
    }
  }
  for (const area of ledger.storage.areas()) {
    if (!areas.has(area.id) && area.outOfService === null) ledger.storage.setOutOfService(area.id, NOT_IN_CONFIG);
    else if (areas.has(area.id) && area.outOfService === NOT_IN_CONFIG) ledger.storage.setOutOfService(area.id, null);
  }
  for (const place of ledger.storage.places()) {
    if (!places.has(place.id) && place.active) ledger.storage.deactivatePlace(place.id);
  }
}
