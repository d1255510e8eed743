/** Doors, locks and lock-board buses: live door states, a technician's lock pulse, a bus scan. */
import { CommandError } from '../protocol.js';
import type { CommandHandler } from '../server.js';
import { scanRange, str } from './args.js';
import type { DaemonContext } from './context.js';

export function doorCommands(ctx: DaemonContext): Map<string, CommandHandler> {
  const { ledger } = ctx;
  const { locker, doors } = ctx.daemon;
  const handlers = new Map<string, CommandHandler>();

  handlers.set('lock.open', async (args, { actor }) => {
    const id = str(args, 'compartment', 64);
    const reason = str(args, 'reason', 200);
    const result = await locker.openForTechnician(id, reason, actor);
    if (!result.ok) {
      if (result.reason === 'unknown_compartment') throw new CommandError(`unknown compartment "${id}"; see lockerctl compartments`, 'not_found');
      throw new CommandError(`a door operation on ${id} is under way; wait for the door to close`, 'refused');
    }
    return { compartment: id, outcome: result.outcome };
  });

  handlers.set('bus.scan', async (args) => {
    if (!doors.scanBus) throw new CommandError('these lock boards cannot be scanned', 'unavailable');
    const range = scanRange(args);
    return range ? doors.scanBus(range) : doors.scanBus();
  });

  handlers.set('doors', async () => {
    const open = new Map(locker.openDoors().map((d) => [d.compartmentId, d.since]));
    // Every door the boards drive: the lockers' and a package room's (its parcels are on shelves: lockerctl storage).
    const parcelIn = new Map(ledger.compartments.withOccupancy().map((c) => [c.id, c.parcelId]));
    const states = await Promise.all(
      ledger.compartments.doors().map(async (c) => {
        const status = await doors.read(c).catch(() => null);
        return {
          compartment: c.id, kind: c.kind, board: c.board, lock: c.lock,
          door: status === null ? 'unknown' : status.open ? 'open' : 'closed',
          itemPresent: status?.itemPresent ?? null,
          openSince: open.has(c.id) ? new Date(open.get(c.id)!).toISOString() : null,
          parcelId: parcelIn.get(c.id) ?? null, outOfService: c.outOfService,
        };
      }),
    );
    return { doors: states, boards: doors.health() };
  });

  return handlers;
}
