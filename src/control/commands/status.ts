import { COMPARTMENT_SIZES } from '../../config/types.js';
import { storageInventory } from '../../locker/storage-inventory.js';
import { returnsWaiting } from '../../sync/snapshots.js';
import type { CommandHandler } from '../server.js';
import type { LedgerContext } from './context.js';

/** What only the running daemon knows; said in the offline answer instead of guessed. */
export const UNKNOWN_OFFLINE = 'lockerd is not running: the kiosk, the doors, the boards, the upstream link and the keypad throttle are unknown';

/** `status`: the locker at a glance. From the ledger alone when the daemon is stopped (`running: false`). */
export function statusCommands(ctx: LedgerContext): Map<string, CommandHandler> {
  const { ledger, config } = ctx;
  return new Map<string, CommandHandler>([
    [
      'status',
      () => {
        const compartments = ledger.compartments.withOccupancy();
        const bySize = Object.fromEntries(
          COMPARTMENT_SIZES.map((size) => {
            const of = compartments.filter((c) => c.size === size);
            // Compartments and parcels counted apart: a shared compartment holds several parcels.
            return [size, { total: of.length, free: of.filter((c) => !c.parcelId && !c.outOfService).length, occupied: of.filter((c) => c.parcelId).length, outOfService: of.filter((c) => c.outOfService).length, parcels: of.reduce((n, c) => n + c.parcels, 0) }];
          }),
        );
        const inventory = storageInventory(ledger);
        const ledgerPart = {
          compartments: bySize,
          // Per kind: lockers in compartments, rooms and desks in parcels against their places' capacity (lockerctl storage lists the places).
          storage: { lockers: inventory.lockers, rooms: inventory.rooms.map(({ places: _, ...a }) => a), desks: inventory.desks.map(({ places: _, ...a }) => a) },
          // Returns take compartments too (counted as occupied above): how many, of what size and for which carrier.
          returns: returnsWaiting(ledger),
          outbox: ledger.outbox.depth(),
          ledger: { path: ledger.path, bytes: ledger.sizeBytes() },
        };
        const d = ctx.daemon;
        if (!d) {
          return {
            kioskId: config.kioskId, running: false, unknown: UNKNOWN_OFFLINE, bootCount: ledger.bootCount,
            simulated: config.buses.some((b) => b.type === 'sim'),
            ...ledgerPart,
          };
        }
        const { locker, kiosk } = d;
        return {
          kioskId: config.kioskId,
          running: true,
          version: d.version,
          uptimeSeconds: Math.round((ctx.now() - d.startedAt) / 1000),
          bootCount: ledger.bootCount,
          simulated: d.sim.boards !== undefined,
          kiosk: { state: kiosk.state, display: kiosk.lastDisplay?.text ?? null },
          compartments: ledgerPart.compartments,
          storage: ledgerPart.storage,
          returns: ledgerPart.returns,
          openDoors: locker.openDoors().map((o) => ({ compartmentId: o.compartmentId, since: new Date(o.since).toISOString() })),
          boards: d.doors.health(),
          outbox: ledgerPart.outbox,
          upstream: d.sync?.state() ?? null,
          guessingWaitMs: locker.guessingWaitMs(),
          throttle: locker.throttleStatus(),
          ledger: ledgerPart.ledger,
        };
      },
    ],
  ]);
}
