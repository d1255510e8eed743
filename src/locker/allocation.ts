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
