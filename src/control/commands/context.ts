/**
 * What the command modules are given. The read-only commands need only the config, the ledger
 * and the clock (`LedgerContext`), so they also answer from the ledger when the daemon is stopped
 * (../offline.ts); what only the running daemon knows (doors, kiosk, upstream link) is under
 * `daemon`, absent then. The commands that change or drive something take a `DaemonContext`.
 */
import type { DoorHardware } from '../../../drivers/contracts.js';
import type { KioskGpio } from '../../../drivers/gpio/kiosk-io.js';
import type { ClimateUnit } from '../../cabinet/climate.js';
import type { LockerdConfig } from '../../config/types.js';
import type { SimHardware } from '../../hardware/index.js';
import type { InputRouter } from '../../hardware/inputs.js';
import type { KioskSession } from '../../kiosk/session.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { LockerAdministration } from '../../locker/administration.js';
import type { ExpiredParcel } from '../../locker/holds.js';
import type { LockerService } from '../../locker/locker-service.js';
import type { ScreenServer } from '../../screen/server.js';
import type { SyncService } from '../../sync/sync-service.js';

/** The running daemon's parts. */
export interface DaemonParts {
  locker: LockerService;
  admin: LockerAdministration;
  kiosk: KioskSession;
  doors: DoorHardware;
  sim: SimHardware;
  sync?: SyncService;
  router: InputRouter;
  gpio: KioskGpio;
  /** The outdoor cabinet's climate (does nothing unless cabinet.enabled). */
  climate?: ClimateUnit;
  screen: ScreenServer | undefined;
  startedAt: number;
  version: string;
  /** Whether systemd runs the daemon (NOTIFY_SOCKET set): the self-test then requires the notify addon. */
  underSystemd: boolean;
}

export interface LedgerContext {
  config: LockerdConfig;
  ledger: Ledger;
  now: () => number;
  /** The parcels whose hold ended, oldest first (src/locker/holds.ts). */
  expiredParcels: (limit: number) => ExpiredParcel[];
  /** Absent when answering from the ledger with the daemon stopped. */
  daemon?: DaemonParts;
}

export interface DaemonContext extends LedgerContext {
  daemon: DaemonParts;
}

/** One audit row in its own transaction, for what a technician did that the locker does not record itself. */
export function recordAudit(ctx: LedgerContext, actor: string, action: string, detail: Record<string, unknown>, compartmentId: string | null = null): void {
  ctx.ledger.transaction(() => ctx.ledger.audit.record({ at: ctx.now(), actor, action, compartmentId, detail }));
}

/** An instant of the ledger (ms) as the answers show it. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
