/**
 * What the station holds, counted per storage kind: the lockers (compartments, each one door),
 * and each package room and front desk (parcels on shelves or places, each with a capacity in
 * parcels). lockerctl status/storage, the MQTT inventory snapshot and the screen count with it,
 * so they agree. `countStorage` is pure; `storageInventory` reads the ledger for it.
 */
import type { CompartmentWithOccupancy } from '../ledger/compartments.js';
import type { Ledger } from '../ledger/ledger.js';
import type { AreaKind, Place, StorageArea } from '../ledger/storage-areas.js';

/** Lockers: counted in compartments (a shared one holds several parcels). */
export interface LockerCount {
  total: number;
  free: number;
  occupied: number;
  outOfService: number;
  parcels: number;
}

export interface PlaceCount {
  id: string;
  capacity: number;
  size: Place['size'];
  active: boolean;
  parcels: number;
  /** Room left for parcels: 0 when inactive, or when its area is out of service. */
  free: number;
}

/** A room or a desk: counted in parcels against its places' capacity. */
export interface AreaCount {
  id: string;
  kind: AreaKind;
  outOfService: string | null;
  /** Parcels the active places hold at most. */
  capacity: number;
  /** Parcels reserved for or waiting on any of its places (inactive ones included). */
  parcels: number;
  /** Room left on the active places, in parcels; 0 out of service. */
  free: number;
  places: PlaceCount[];
}

export interface StorageCounts {
  lockers: LockerCount;
  rooms: AreaCount[];
  desks: AreaCount[];
}

export function countLockers(compartments: readonly CompartmentWithOccupancy[]): LockerCount {
  return {
    total: compartments.length,
    free: compartments.filter((c) => !c.parcelId && !c.outOfService).length,
    occupied: compartments.filter((c) => c.parcelId).length,
    outOfService: compartments.filter((c) => c.outOfService).length,
    parcels: compartments.reduce((n, c) => n + c.parcels, 0),
  };
}

export function countArea(area: StorageArea, places: readonly Place[]): AreaCount {
  const mine = places.filter((p) => p.area === area.id);
  const counted = mine.map((p) => ({
    id: p.id,
    capacity: p.capacity,
    size: p.size,
    active: p.active,
    parcels: p.parcels,
    free: p.active && area.outOfService === null ? Math.max(0, p.capacity - p.parcels) : 0,
  }));
  return {
    id: area.id,
    kind: area.kind,
    outOfService: area.outOfService,
    capacity: counted.filter((p) => p.active).reduce((n, p) => n + p.capacity, 0),
    parcels: counted.reduce((n, p) => n + p.parcels, 0),
    free: counted.reduce((n, p) => n + p.free, 0),
    places: counted,
  };
}

export function countStorage(compartments: readonly CompartmentWithOccupancy[], areas: readonly StorageArea[], places: readonly Place[]): StorageCounts {
  const counted = areas.map((a) => countArea(a, places));
  return { lockers: countLockers(compartments), rooms: counted.filter((a) => a.kind === 'room'), desks: counted.filter((a) => a.kind === 'desk') };
}

/** The ledger's storage now, per kind. */
export function storageInventory(ledger: Ledger): StorageCounts {
  return countStorage(ledger.compartments.withOccupancy(), ledger.storage.areas(), ledger.storage.places());
}

/** `lockers 28 (12 free), room ROOM 7/20 parcels, desk DESK 0/30`: one line for a person. */
export function storageLine(s: StorageCounts): string {
  const areas = [...s.rooms, ...s.desks].map((a) => `${a.kind} ${a.id} ${a.parcels}/${a.capacity} parcels${a.outOfService ? ' (out of service)' : ''}`);
  return [`lockers ${s.lockers.total} (${s.lockers.free} free)`, ...areas].join(', ');
}
