/**
 * Every control command, by feature: each module under this directory builds the handlers of one
 * feature (mirroring src/cli/commands/), and this registry is what src/app.ts serves. The
 * read-only ones are built from a `LedgerContext` alone, so ../offline.ts answers them with the
 * same code when the daemon is stopped.
 */
import { selfTestCommand } from '../selftest.js';
import type { CommandHandler } from '../server.js';
import { auditCommands } from './audit.js';
import { climateCommands } from './climate.js';
import { compartmentReadCommands, compartmentServiceCommands } from './compartments.js';
import type { DaemonContext, LedgerContext } from './context.js';
import { doorCommands } from './doors.js';
import { gpioCommands } from './gpio.js';
import { inputCommands, inputHealth } from './input.js';
import { ledgerCommands } from './ledger.js';
import { outboxCommands } from './outbox.js';
import { parcelCommands, parcelListCommands } from './parcels.js';
import { reportCommands } from './report.js';
import { roomCommands, roomReadCommands } from './rooms.js';
import { screenCommands } from './screen.js';
import { simCommands } from './sim.js';
import { simNoticeCommands } from './sim-notices.js';
import { statusCommands } from './status.js';
import { storageCommands } from './storage.js';
import { throttleCommands } from './throttle.js';
import { upstreamCommands } from './upstream.js';

export type { DaemonContext, DaemonParts, LedgerContext } from './context.js';

/** The commands that only read the ledger: served by the daemon, and from the ledger when it is stopped. */
export function readOnlyCommands(ctx: LedgerContext): Map<string, CommandHandler> {
  return new Map([
    ...statusCommands(ctx),
    ...compartmentReadCommands(ctx),
    ...parcelListCommands(ctx),
    ...parcelCommands(ctx),
    ...outboxCommands(ctx),
    ...auditCommands(ctx),
    ...reportCommands(ctx),
    ...storageCommands(ctx),
    ...roomReadCommands(ctx),
  ]);
}

/** Every command the running daemon answers. */
export function controlCommands(ctx: DaemonContext): Map<string, CommandHandler> {
  const { config, ledger, now, daemon } = ctx;
  const { locker, router, sim, doors, sync } = daemon;
  const handlers = new Map<string, CommandHandler>([
    ...readOnlyCommands(ctx),
    ...compartmentServiceCommands(ctx),
    ...doorCommands(ctx),
    ...ledgerCommands(ctx),
    ...simCommands(ctx),
    ...simNoticeCommands(ctx),
    ...inputCommands({ config, ledger, router, sim, now }),
    ...gpioCommands({ ledger, gpio: daemon.gpio, now }),
    ...climateCommands({ ledger, climate: daemon.climate, now }),
    ...upstreamCommands({ config }),
    ...throttleCommands({ locker }),
    ...roomCommands({ locker }),
    ...screenCommands({ config, screen: daemon.screen }),
    selfTestCommand({ config, ledger, locker, sync, now, boards: () => doors.health(), inputs: () => router.devices.map(inputHealth(sim)), serviceManager: { underSystemd: daemon.underSystemd }, climate: () => (daemon.climate?.enabled ? daemon.climate.status() : null) }),
  ]);
  return handlers;
}
