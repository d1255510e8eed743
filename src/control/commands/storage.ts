import { storageInventory } from '../../locker/storage-inventory.js';
import type { CommandHandler } from '../server.js';
import type { LedgerContext } from './context.js';

/**
 * `storage`: the station's rooms and desks, each place with its parcels against its capacity,
 * and what is out of service or inactive; the lockers counted beside them. A read: answered from
 * the ledger when the daemon is stopped too. No parcel ids or units: `lockerctl parcels` has those.
 */
export function storageCommands(ctx: LedgerContext): Map<string, CommandHandler> {
  return new Map<string, CommandHandler>([
    ['storage', () => ({ station: ctx.config.storage, ...storageInventory(ctx.ledger) })],
  ]);
}
