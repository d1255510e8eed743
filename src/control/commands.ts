import { existsSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import type { BusScanRange, DoorHardware, Key } from '../../drivers/contracts.js';
import { KEYS } from '../../drivers/contracts.js';
import type { SimInput } from '../../drivers/sim/input.js';
import type { SimLockBoards } from '../../drivers/sim/lock-boards.js';
import { MAX_BOARD_ADDRESS } from '../config/schema.js';
import { COMPARTMENT_SIZES, type LockerdConfig } from '../config/types.js';
import type { ScreenState } from '../kiosk/screen.js';
import type { Display, KioskSession } from '../kiosk/session.js';
import type { Ledger } from '../ledger/ledger.js';
import type { ParcelState } from '../ledger/parcels.js';
import { Refusal, type LockerAdministration } from '../locker/administration.js';
import { formatDuration } from '../locker/hold-policy.js';
import type { LockerService } from '../locker/locker-service.js';
import { containsCredentials, reveal } from '../secrets/redact.js';
import { returnsWaiting } from '../sync/snapshots.js';
import type { SyncService } from '../sync/sync-service.js';
import { CommandError } from './protocol.js';
import type { CommandHandler } from './server.js';

/** What the config asks to simulate: the keypad and scanner with `simulator.keypad|scanner`, lock boards with a sim bus. */
export interface SimHardware {
  boards?: SimLockBoards;
  keypad?: SimInput;
  scanner?: SimInput;
}

export interface ControlContext {
  config: LockerdConfig;
  ledger: Ledger;
  locker: LockerService;
  admin: LockerAdministration;
  kiosk: KioskSession;
  doors: DoorHardware;
  sim: SimHardware;
  sync?: SyncService;
  startedAt: number;
  version: string;
}

const PARCEL_STATES: readonly ParcelState[] = ['reserved', 'deposited', 'picked_up', 'cancelled', 'expired', 'returned', 'recalled', 'collected'];
const MAX_SIM_KEYS = 256;
/** Screen states one sim command returns at most (the newest). */
const MAX_SIM_SCREENS = 32;

function str(args: Record<string, unknown>, name: string, max = 1024): string {
  const v = args[name];
  if (typeof v !== 'string' || v.length === 0) throw new CommandError(`missing argument "${name}"`, 'usage');
  if (v.length > max) throw new CommandError(`argument "${name}" is longer than ${max} characters`, 'usage');
  return v;
}

function limit(args: Record<string, unknown>, fallback: number): number {
  const v = args.limit;
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 10_000) throw new CommandError('"limit" must be a whole number from 1 to 10000', 'usage');
  return v;
}

/** The optional address range of a bus scan: both ends or neither, 0 to 247, in order. */
function scanRange(args: Record<string, unknown>): BusScanRange | undefined {
  if (args.from === undefined && args.to === undefined) return undefined;
  const end = (name: 'from' | 'to'): number => {
    const v = args[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_BOARD_ADDRESS) throw new CommandError(`"${name}" must be a bus address from 0 to ${MAX_BOARD_ADDRESS}`, 'usage');
    return v;
  };
  const range = { from: end('from'), to: end('to') };
  if (range.from > range.to) throw new CommandError(`the scan range ${range.from}-${range.to} is backwards; give the lower address first`, 'usage');
  return range;
}

/** `after`: an outbox seq, the oldest one of the page shown before (see the outbox handler). */
function afterSeq(args: Record<string, unknown>): number | undefined {
  const v = args.after;
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new CommandError('"after" must be an outbox seq: a whole number of at least 1', 'usage');
  return v;
}

/** Builds the handlers of every lockerctl command. */
export function controlCommands(ctx: ControlContext): Map<string, CommandHandler> {
  const { ledger, locker, kiosk } = ctx;
  const handlers = new Map<string, CommandHandler>();

  /** One audit row in its own transaction, for what a technician did that the locker does not record itself. */
  const audit = (actor: string, action: string, detail: Record<string, unknown>, compartmentId: string | null = null): void => {
    ledger.transaction(() => ledger.audit.record({ at: Date.now(), actor, action, compartmentId, detail }));
  };

  /** The simulated keypad or scanner, or a refusal naming the config key that would create it. */
  const requireSimInput = (kind: 'keypad' | 'scanner'): SimInput => {
    const device = ctx.sim[kind];
    if (!device) {
      throw new CommandError(
        `this locker has no simulated ${kind}: "sim ${kind === 'keypad' ? 'keys' : 'scan'}" needs simulator.${kind}: true in the config (for a demo or test locker only: it lets anyone who may use lockerctl type at the kiosk)`,
      );
    }
    return device;
  };

  const requireSimBoards = (): SimLockBoards => {
    if (!ctx.sim.boards) throw new CommandError('this locker has no simulated lock boards: "sim door" needs a config with a bus of type "sim" (use the lock-board simulator\'s own controls for an RS-485 bus)', 'unavailable');
    return ctx.sim.boards;
  };

  /**
   * Runs a simulated action and returns what the kiosk said meanwhile (`displays`), the screen
   * states it showed (`screens`: the last MAX_SIM_SCREENS of them) and the state it ended in.
   */
  const withDisplays = async (action: () => void | Promise<void>): Promise<{ displays: Display[]; screens: ScreenState[]; screensDropped: number; state: string }> => {
    const displays: Display[] = [];
    const screens: ScreenState[] = [];
    let screensDropped = 0;
    const onDisplay = (d: Display): void => {
      displays.push(d);
    };
    const onScreen = (s: ScreenState): void => {
      screens.push(s);
      // 256 keys make 256 states: the answer keeps the newest, the last one is what a technician reads.
      if (screens.length > MAX_SIM_SCREENS) {
        screens.shift();
        screensDropped++;
      }
    };
    kiosk.on('display', onDisplay);
    kiosk.on('screen', onScreen);
    try {
      await action();
      // Door events are handled synchronously; the kiosk reacts through its queue.
      await new Promise((r) => setImmediate(r));
      await kiosk.idle();
    } finally {
      kiosk.off('display', onDisplay);
      kiosk.off('screen', onScreen);
    }
    return { displays, screens, screensDropped, state: kiosk.state };
  };

  handlers.set('status', () => {
    const compartments = ledger.compartments.withOccupancy();
    const bySize = Object.fromEntries(
      COMPARTMENT_SIZES.map((size) => {
        const of = compartments.filter((c) => c.size === size);
        // Compartments and parcels counted apart: a shared compartment holds several parcels.
        return [size, { total: of.length, free: of.filter((c) => !c.parcelId && !c.outOfService).length, occupied: of.filter((c) => c.parcelId).length, outOfService: of.filter((c) => c.outOfService).length, parcels: of.reduce((n, c) => n + c.parcels, 0) }];
      }),
    );
    return {
      kioskId: ctx.config.kioskId,
      version: ctx.version,
      uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
      bootCount: ledger.bootCount,
      simulated: ctx.sim.boards !== undefined,
      kiosk: { state: kiosk.state, display: kiosk.lastDisplay?.text ?? null },
      compartments: bySize,
      // Returns take compartments too (counted as occupied above): how many, of what size and for which carrier.
      returns: returnsWaiting(ledger),
      openDoors: locker.openDoors().map((d) => ({ compartmentId: d.compartmentId, since: new Date(d.since).toISOString() })),
      boards: ctx.doors.health(),
      outbox: ledger.outbox.depth(),
      upstream: ctx.sync?.state() ?? null,
      guessingWaitMs: locker.guessingWaitMs(),
      throttle: locker.throttleStatus(),
      ledger: { path: ledger.path, bytes: ledger.sizeBytes() },
    };
  });

  handlers.set('compartments', () => {
    const open = new Set(locker.openDoors().map((d) => d.compartmentId));
    return ledger.compartments.withOccupancy().map((c) => ({ ...c, doorOpen: open.has(c.id) }));
  });

  handlers.set('parcels', (args) => {
    const state = args.state;
    if (state !== undefined && !PARCEL_STATES.includes(state as ParcelState)) {
      throw new CommandError(`unknown parcel state "${String(state)}" (one of ${PARCEL_STATES.join(', ')})`, 'usage');
    }
    // The parcels whose hold ended: still inside, so their ledger state stays `deposited` (src/locker/holds.ts).
    if (state === 'expired') {
      return locker.expiredParcels(limit(args, 100)).map((p) => ({
        id: p.parcelId,
        state: 'expired',
        unit: p.unit,
        compartmentId: p.compartmentId,
        size: p.size,
        carrier: p.carrier,
        tracking: p.tracking,
        depositedAt: p.depositedAt && new Date(p.depositedAt).toISOString(),
        expiresAt: new Date(p.expiresAt).toISOString(),
        expiredAt: new Date(p.expiredAt).toISOString(),
        overdueSeconds: Math.floor(p.overdueMs / 1000),
        overdue: formatDuration(p.overdueMs),
        codeStopped: p.codeStopped,
      }));
    }
    return ledger.parcels.list({ state: state as ParcelState | undefined, limit: limit(args, 100) }).map((p) => ({
      ...p,
      reservedAt: new Date(p.reservedAt).toISOString(),
      depositedAt: p.depositedAt && new Date(p.depositedAt).toISOString(),
      expiresAt: p.expiresAt && new Date(p.expiresAt).toISOString(),
      endedAt: p.endedAt && new Date(p.endedAt).toISOString(),
    }));
  });

  // Newest first, like audit and parcels. `after` pages back through history: the events listed
  // after seq N in this order, i.e. older than N; `next` is the seq to pass for the page after this one.
  // The control server hides every credential in the answer; a reveal is audited, with the seqs shown.
  handlers.set('outbox', (args, { actor }) => {
    const wanted = limit(args, 100);
    const page = ledger.outbox.history({ beforeSeq: afterSeq(args), limit: wanted + 1, unsentOnly: args.unsentOnly === true });
    const events = page.slice(0, wanted);
    const lastAckAt = ledger.outbox.lastAckAt();
    const result = {
      depth: ledger.outbox.depth(),
      ackedSeq: ledger.outbox.ackedSeq,
      confirmedSeq: ledger.outbox.confirmedSeq,
      lastAckAt: lastAckAt === null ? null : new Date(lastAckAt).toISOString(),
      upstream: ctx.sync?.state() ?? null,
      events: events.map((e) => ({ seq: e.seq, id: e.id, type: e.type, at: new Date(e.at).toISOString(), sent: e.sent, data: e.data })),
      next: page.length > wanted ? events.at(-1)!.seq : null,
    };
    const revealed = args.revealCodes === true ? events.filter((e) => containsCredentials(e.data)).map((e) => e.seq) : [];
    if (revealed.length === 0) return result;
    ledger.transaction(() => ledger.audit.record({ at: Date.now(), actor, action: 'outbox.codes_revealed', detail: { events: revealed } }));
    return reveal(result);
  });

  handlers.set('audit', (args) => ledger.audit.recent(limit(args, 50)).map((a) => ({ ...a, at: new Date(a.at).toISOString() })));

  handlers.set('lock.open', async (args, { actor }) => {
    const id = str(args, 'compartment', 64);
    const reason = str(args, 'reason', 200);
    const result = await locker.openForTechnician(id, reason, actor);
    if (!result.ok) {
      throw new CommandError(result.reason === 'unknown_compartment' ? `unknown compartment "${id}"; see lockerctl compartments` : `a door operation on ${id} is under way; wait for the door to close`, result.reason === 'unknown_compartment' ? 'not_found' : 'refused');
    }
    return { compartment: id, outcome: result.outcome };
  });

  handlers.set('compartment.service', (args, { actor }) => {
    const id = str(args, 'compartment', 64);
    if (typeof args.inService !== 'boolean') throw new CommandError('"inService" must be true (back in service) or false (out of service)', 'usage');
    const reason = args.reason === undefined ? null : str(args, 'reason', 200);
    if (!args.inService && reason === null) throw new CommandError('taking a compartment out of service needs a reason (it goes into the audit trail and upstream)', 'usage');
    if (!ledger.compartments.get(id)) throw new CommandError(`unknown compartment "${id}"; see lockerctl compartments`, 'not_found');
    try {
      ctx.admin.setService(id, args.inService, reason, actor, null);
    } catch (err) {
      if (err instanceof Refusal) throw new CommandError(err.message);
      throw err;
    }
    return { compartment: id, inService: args.inService, reason: args.inService ? null : reason };
  });

  handlers.set('ledger.backup', async (args, { actor }) => {
    const path = str(args, 'path', 4096);
    if (!isAbsolute(path)) throw new CommandError(`"${path}" is not an absolute path (the daemon's working directory is not yours)`, 'usage');
    if (existsSync(path)) throw new CommandError(`${path} exists; give a new file name (a backup never overwrites)`);
    if (!existsSync(dirname(path))) throw new CommandError(`the directory ${dirname(path)} does not exist`);
    const started = Date.now();
    let bytes: number;
    try {
      ({ bytes } = await ledger.backupTo(path));
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new CommandError(`cannot write ${path} (${why}); the lockerd user must be able to write to ${dirname(path)}`, 'permission');
    }
    ledger.transaction(() => ledger.audit.record({ at: Date.now(), actor, action: 'ledger.backed_up', detail: { path, bytes } }));
    return { path, bytes, seconds: (Date.now() - started) / 1000 };
  });

  handlers.set('bus.scan', async (args) => {
    if (!ctx.doors.scanBus) throw new CommandError('these lock boards cannot be scanned');
    const range = scanRange(args);
    return range ? ctx.doors.scanBus(range) : ctx.doors.scanBus();
  });

  handlers.set('doors', async () => {
    const open = new Map(locker.openDoors().map((d) => [d.compartmentId, d.since]));
    const compartments = ledger.compartments.withOccupancy();
    const doors = await Promise.all(
      compartments.map(async (c) => {
        const status = await ctx.doors.read(c).catch(() => null);
        return {
          compartment: c.id, board: c.board, lock: c.lock,
          door: status === null ? 'unknown' : status.open ? 'open' : 'closed',
          itemPresent: status?.itemPresent ?? null,
          openSince: open.has(c.id) ? new Date(open.get(c.id)!).toISOString() : null,
          parcelId: c.parcelId, outOfService: c.outOfService,
        };
      }),
    );
    return { doors, boards: ctx.doors.health() };
  });

  handlers.set('sim.scan', async (args, { actor }) => {
    const scanner = requireSimInput('scanner');
    const text = str(args, 'text', 100_000);
    // Who scanned and how much, never what: the text may be a pickup QR.
    audit(actor, 'sim.scanned', { length: text.length });
    return withDisplays(() => {
      scanner.scan(text);
    });
  });

  handlers.set('sim.keys', async (args, { actor }) => {
    const keypad = requireSimInput('keypad');
    const keys = str(args, 'keys', MAX_SIM_KEYS);
    const bad = [...keys].filter((k) => !KEYS.includes(k as Key));
    if (bad.length > 0) {
      locker.recordRefusal(actor, 'sim.keys_refused', { badKeys: [...new Set(bad)].slice(0, 8).map((k) => JSON.stringify(k)) });
      throw new CommandError(`not on the keypad: ${[...new Set(bad)].map((k) => JSON.stringify(k)).join(', ')} (keys are 0-9 * # A B C D); nothing was pressed`);
    }
    // Who typed and how many keys, never which: they may be a resident's code.
    audit(actor, 'sim.keys_pressed', { keys: keys.length });
    return withDisplays(() => {
      for (const k of keys) keypad.press(k as Key);
    });
  });

  handlers.set('sim.door', async (args, { actor }) => {
    const boards = requireSimBoards();
    const id = str(args, 'compartment', 64);
    const action = str(args, 'action', 16);
    if (action !== 'open' && action !== 'close') throw new CommandError(`door action must be "open" or "close", not "${action}"`, 'usage');
    const compartment = ledger.compartments.get(id);
    if (!compartment) throw new CommandError(`unknown compartment "${id}"; see lockerctl compartments`, 'not_found');
    let changed = false;
    audit(actor, 'sim.door_set', { door: action === 'open' ? 'open' : 'closed' }, id);
    const result = await withDisplays(() => {
      changed = boards.setDoor(compartment, action === 'open').changed;
    });
    return { compartment: id, door: action === 'open' ? 'open' : 'closed', changed, ...result };
  });

  return handlers;
}
