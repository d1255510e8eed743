import { Refusal } from '../../locker/administration.js';
import { countArea } from '../../locker/storage-inventory.js';
import { CommandError } from '../protocol.js';
import type { CommandHandler } from '../server.js';
import { compartmentArg, str } from './args.js';
import type { DaemonContext, LedgerContext } from './context.js';

/**
 * `compartments`: every compartment with its parcels; `doorOpen` is null when the daemon is
 * stopped (unknown), and for a desk (no door). Lockers first (`capacity` null: a door, not a
 * count), then the rooms and desks, whose `capacity` is their active places' in parcels.
 */
export function compartmentReadCommands(ctx: LedgerContext): Map<string, CommandHandler> {
  return new Map<string, CommandHandler>([
    [
      'compartments',
      () => {
        const open = ctx.daemon ? new Set(ctx.daemon.locker.openDoors().map((d) => d.compartmentId)) : null;
        const lockers = ctx.ledger.compartments.withOccupancy().map((c) => ({ ...c, capacity: null, doorOpen: open ? open.has(c.id) : null }));
        const places = ctx.ledger.storage.places();
        const areas = ctx.ledger.storage.areas().map((a) => {
          const n = countArea(a, places);
          return { id: a.id, kind: a.kind, size: null, board: a.board, lock: a.lock, accessible: null, outOfService: a.outOfService, parcelId: null, parcels: n.parcels, capacity: n.capacity, doorOpen: open && a.kind === 'room' ? open.has(a.id) : null };
        });
        return [...lockers, ...areas];
      },
    ],
  ]);
}

/**
 * `compartment.service`: out of service (with a reason) or back in. Asking for the state it is
 * already in succeeds and writes nothing (`unchanged: true`, and `note` says so), so a script may
 * repeat it; an existing out-of-service keeps its reason.
 */
export function compartmentServiceCommands(ctx: DaemonContext): Map<string, CommandHandler> {
  return new Map<string, CommandHandler>([
    [
      'compartment.service',
      (args, { actor }) => {
        const id = str(args, 'compartment', 64);
        if (typeof args.inService !== 'boolean') throw new CommandError('"inService" must be true (back in service) or false (out of service)', 'usage');
        const inService = args.inService;
        const reason = args.reason === undefined ? null : str(args, 'reason', 200);
        if (!inService && reason === null) throw new CommandError('taking a compartment out of service needs a reason (it goes into the audit trail and upstream)', 'usage');
        const compartment = compartmentArg(ctx.ledger, args);
        if (inService && compartment.outOfService === null) {
          return { compartment: id, inService, reason: null, unchanged: true, note: `${id} was already in service` };
        }
        if (!inService && compartment.outOfService !== null) {
          return { compartment: id, inService, reason: compartment.outOfService, unchanged: true, note: `${id} was already out of service: ${compartment.outOfService}` };
        }
        try {
          ctx.daemon.admin.setService(id, inService, reason, actor, null);
        } catch (err) {
          if (err instanceof Refusal) throw new CommandError(err.message, 'refused');
          throw err;
        }
        return { compartment: id, inService, reason: inService ? null : reason };
      },
    ],
  ]);
}
