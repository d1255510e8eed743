import type { LockerdConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { DepositRequest, DepositResult } from './deposits.js';
import type { PackageRooms } from './room.js';

/**
 * Overflow from the lockers (allocation.overflow): when no compartment fits a parcel, the list is
 * tried in order; a room listed for the parcel's size (`auto`: S, the smallest) reserves it on a
 * shelf and opens its door. A desk target is the front desk's business and not available from a
 * locker kiosk here: it is skipped with a log line. Null: nothing took it, the deposit is refused as full.
 */
export function overflowIntoRooms(config: LockerdConfig, rooms: PackageRooms, log: Logger): (req: DepositRequest, unit: string) => Promise<DepositResult | null> {
  return async (req, unit) => {
    const size = req.size === 'auto' ? 'S' : req.size;
    let doorFailed: string | null = null;
    for (const target of config.allocation.overflow) {
      if (!target.sizes.includes(size)) continue;
      if (!rooms.room(target.to)) {
        log.info({ to: target.to, size }, 'overflow to a front desk is not available at a locker kiosk; trying the next target');
        continue;
      }
      const result = await rooms.overflow(target.to, { courier: req.courier, unit, size, carrier: req.carrier, tracking: req.tracking, ...(req.credential ? { credential: req.credential } : {}) });
      if (!result.ok) {
        log.info({ to: target.to, size, reason: result.reason }, 'overflow room cannot take the parcel; trying the next target');
        continue;
      }
      if (result.outcome === 'confirmed_open') return { ok: true, parcelId: result.parcelId, compartmentId: result.compartmentId, size: result.size, placeId: result.placeId };
      doorFailed = target.to;
    }
    return doorFailed !== null ? { ok: false, reason: 'doors_failed', tried: [doorFailed] } : null;
  };
}
