import { COMPARTMENT_SIZES, type CompartmentSize } from '../config/types.js';
import type { Compartment } from '../ledger/compartments.js';

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
 * (low) compartments are kept for the residents who need them: others get one only when nothing
 * else of a fitting size is free, because refusing a parcel is worse than using a low door.
 * Within a size the lowest id wins, so the choice is predictable for technicians.
 */
export function chooseCompartment(free: readonly Compartment[], request: AllocationRequest): AllocationResult {
  const start = request.size === 'auto' ? 0 : COMPARTMENT_SIZES.indexOf(request.size);
  const fullSizes: CompartmentSize[] = [];
  for (const size of COMPARTMENT_SIZES.slice(start)) {
    const fits = free
      .filter((c) => c.size === size && c.outOfService === null && !request.exclude?.has(c.id))
      .filter((c) => !request.accessibleOnly || c.accessible)
      .sort((a, b) => Number(a.accessible) - Number(b.accessible) || a.id.localeCompare(b.id));
    const chosen = fits[0];
    if (chosen) return { ok: true, compartment: chosen };
    fullSizes.push(size);
  }
  return { ok: false, fullSizes };
}
