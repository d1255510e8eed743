import { COMPARTMENT_SIZES, type CompartmentSize } from '../config/types.js';
import type { Compartment } from '../ledger/compartments.js';
import type { Place } from '../ledger/storage-areas.js';

export interface AllocationRequest {
  /** The size the courier asked for; `auto` starts from the smallest. */
  size: CompartmentSize | 'auto';
  /** The unit's residents need low compartments: only accessible ones will do. */
  accessibleOnly: boolean;
  /** Compartments already tried in this deposit (their door did not open). */
  exclude?: ReadonlySet<string>;
}

export type AllocationResult =
  | { ok: true; compartment: Compartment }
  | { ok: false; fullSizes: CompartmentSize[] };

/**
 * Picks the smallest free compartment of the requested size, then the next size up. Accessible
 * (low) compartments are kept for the residents who need them: others get one only when no
 * ordinary compartment of the requested size or any bigger one is free, because refusing a
 * parcel is worse than using a low door (and a bigger ordinary door is better than either).
 * Within a size the lowest id wins, so the choice is predictable for technicians.
 */
export function chooseCompartment(free: readonly Compartment[], request: AllocationRequest): AllocationResult {
  const start = request.size === 'auto' ? 0 : COMPARTMENT_SIZES.indexOf(request.size);
  const sizes = COMPARTMENT_SIZES.slice(start);
  const usable = free.filter((c) => sizes.includes(c.size) && c.outOfService === null && !request.exclude?.has(c.id));
  // Accessible units: low compartments only. Others: every ordinary size first, then the low ones.
  const passes = request.accessibleOnly ? [true] : [false, true];
  for (const accessible of passes) {
    for (const size of sizes) {
      const chosen = usable.filter((c) => c.size === size && c.accessible === accessible).sort((a, b) => a.id.localeCompare(b.id))[0];
      if (chosen) return { ok: true, compartment: chosen };
    }
  }
  return { ok: false, fullSizes: [...sizes] };
}

/** A compartment holding parcels, and what is inside, as the sharing policy needs it. */
export interface OccupiedCompartment {
  compartment: Compartment;
  /** Every parcel reserved for or waiting in it. */
  parcels: readonly { unit: string; state: string; direction: string; codeId: number | null }[];
  /** A door operation on it is under way (a deposit or a pickup): nothing joins it now. */
  busy: boolean;
  /** Its lock board answers. */
  answering: boolean;
}

export interface ShareRequest {
  unit: string;
  /** The unit's live retrieval code: a parcel joins the compartment of parcels waiting on it. */
  liveCodeId: number | null;
  /** `allocation.shareCompartments`. */
  sizes: readonly CompartmentSize[];
}

/**
 * The compartment a new parcel for `unit` may share, if any: one of a shareable size, in service,
 * on a board that answers, with no door operation under way, whose every parcel is an inbound
 * parcel deposited for this unit under its live code (so the one code opens it once for all of
 * them, and no other resident's parcel is ever behind the same door). The lowest id wins, like
 * chooseCompartment. Whether the parcel fits is the courier's call at the door: the kiosk offers,
 * it never decides.
 */
export function chooseSharedCompartment(occupied: readonly OccupiedCompartment[], request: ShareRequest): Compartment | null {
  if (request.liveCodeId === null || request.sizes.length === 0) return null;
  const candidates = occupied.filter(
    (o) =>
      request.sizes.includes(o.compartment.size) &&
      o.compartment.outOfService === null &&
      o.answering &&
      !o.busy &&
      o.parcels.length > 0 &&
      o.parcels.every((p) => p.unit === request.unit && p.state === 'deposited' && p.direction === 'inbound' && p.codeId === request.liveCodeId),
  );
  return candidates.map((o) => o.compartment).sort((a, b) => a.id.localeCompare(b.id))[0] ?? null;
}

/**
 * The place a parcel of `size` goes to in an area: active, taking that size, with room left, the
 * lowest id first (like compartments), so the courier and a technician can predict it and shelves
 * fill one after another. `size` null: any place with room.
 */
export function choosePlace(places: readonly Place[], size: CompartmentSize | null): Place | null {
  const fits = places.filter((p) => p.active && p.parcels < p.capacity && (size === null || COMPARTMENT_SIZES.indexOf(p.size) >= COMPARTMENT_SIZES.indexOf(size)));
  return fits.sort((a, b) => a.id.localeCompare(b.id))[0] ?? null;
}
