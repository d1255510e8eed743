/**
 * The package room's staff commands (docs/package-room.md): the parcels flagged because their
 * resident did not scan them out in time (a read, answered from the ledger too), and resolving one.
 */
import { RoomNotes } from '../../locker/room-flags.js';
import type { LockerService } from '../../locker/locker-service.js';
import { CommandError } from '../protocol.js';
import type { CommandHandler } from '../server.js';
import { limit } from './args.js';
import type { LedgerContext } from './context.js';
import { parcelIdArg } from './parcels.js';

const OUTCOMES = { taken: 'taken', 'still-there': 'still_there' } as const;

/** `parcels.flagged`: waiting room parcels flagged for staff, oldest flag first. A read. */
export function roomReadCommands(ctx: Pick<LedgerContext, 'ledger'>): Map<string, CommandHandler> {
  const notes = new RoomNotes(ctx.ledger);
  return new Map<string, CommandHandler>([
    [
      'parcels.flagged',
      (args) =>
        notes.flagged(limit(args, 100)).map((p) => ({
          id: p.id,
          unit: p.unit,
          roomId: p.compartmentId,
          placeId: p.placeId,
          carrier: p.carrier,
          tracking: p.tracking,
          depositedAt: p.depositedAt && new Date(p.depositedAt).toISOString(),
          flaggedAt: new Date(p.pickupFlaggedAt!).toISOString(),
        })),
    ],
  ]);
}

/** `parcel.resolve`: staff say whether a flagged parcel was taken or is still on its shelf. */
export function roomCommands(ctx: { locker: LockerService }): Map<string, CommandHandler> {
  return new Map<string, CommandHandler>([
    [
      'parcel.resolve',
      (args, { actor }) => {
        const id = parcelIdArg(args);
        const outcome = OUTCOMES[args.outcome as keyof typeof OUTCOMES];
        if (typeof args.outcome !== 'string' || outcome === undefined) throw new CommandError('"outcome" must be "taken" (it is gone from its shelf) or "still-there" (it is on its shelf)', 'usage');
        const parcel = ctx.locker.rooms.resolve(id, outcome, actor);
        if (!parcel) throw new CommandError(`parcel ${id} is not a flagged parcel waiting in a package room; see lockerctl parcels --flagged`, 'not_found');
        return { parcel: parcel.id, outcome: args.outcome, state: parcel.state, placeId: parcel.placeId };
      },
    ],
  ]);
}
