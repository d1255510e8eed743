import { EventEmitter } from 'node:events';
import type { BoardHealth, DoorHardware, UnlockOutcome } from '../../drivers/contracts.js';
import { COMPARTMENT_SIZES, type CompartmentSize, type LockerdConfig } from '../config/types.js';
import type { Compartment } from '../ledger/compartments.js';
import type { DoorOperation, DoorPurpose } from '../ledger/door-operations.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Courier } from '../ledger/people.js';
import { uuidv7 } from '../ledger/uuidv7.js';
import type { Logger } from '../log.js';
import { chooseCompartment, type AllocationResult } from './allocation.js';
import { DoorMonitor } from './door-monitor.js';
import type { GuessKind } from './guessing.js';
import { GuessingThrottle, type ThrottleResetResult, type ThrottleStatus } from './guessing-throttle.js';
import { issueCode } from './code-issuer.js';
import { RefusalRecorder } from './refusals.js';
import { clearReleased, markReleased, releasedDoor, releasedDoors } from './released-doors.js';
import { clearReported, markReported, reportedDoors, reportsOf } from './reported-doors.js';

export interface DepositRequest {
  courier: Courier;
  unit: string;
  size: CompartmentSize | 'auto';
  carrier: string | null;
  tracking: string | null;
}

export type DepositResult =
  | { ok: true; parcelId: string; compartmentId: string; size: CompartmentSize }
  | { ok: false; reason: 'unknown_unit' }
  /** A parcel with the same tracking number is still in the locker (reserved or deposited). */
  | { ok: false; reason: 'duplicate'; compartmentId: string }
  | { ok: false; reason: 'full'; fullSizes: CompartmentSize[] }
  | { ok: false; reason: 'doors_failed'; tried: string[] };

export type PickupResult =
  | { ok: true; doors: { compartmentId: string; parcelId: string; outcome: UnlockOutcome }[] }
  | { ok: false; reason: 'wrong_code' | 'nothing_waiting' }
  /** Every door for this code is already open (the code was keyed again): nothing to fire. */
  | { ok: false; reason: 'doors_open'; compartments: string[] }
  | { ok: false; reason: 'throttled'; waitMs: number };

export type CourierLoginResult = { ok: true; courier: Courier } | { ok: false; reason: 'wrong_pin' } | { ok: false; reason: 'throttled'; waitMs: number };

export interface LockerEvents {
  deposited: [{ parcelId: string; compartmentId: string }];
  pickedUp: [{ parcelId: string; compartmentId: string }];
  /** A lock is about to fire (its intent is durable), and how that went: the kiosk screen shows the door opening. */
  doorUnlocking: [{ compartmentId: string; purpose: DoorPurpose }];
  doorUnlocked: [{ compartmentId: string; purpose: DoorPurpose; outcome: UnlockOutcome }];
  /** A door seen open was reported shut (after what its closing means has been written). */
  doorClosed: [{ compartmentId: string }];
  /** A door stayed open longer than `doors.leftOpenMs` (recorded and sent upstream): "Please close door A07". */
  doorLeftOpen: [{ compartmentId: string; openedAt: number }];
}

export interface LockerServiceDeps {
  ledger: Ledger;
  doors: DoorHardware;
  config: LockerdConfig;
  log: Logger;
  now?: () => number;
  /** A monotonic clock (ms) for the guessing throttle; default performance.now(). */
  monotonic?: () => number;
  random?: (max: number) => number;
}

/** How often waiting parcels are checked for an expired hold. */
const HOLD_CHECK_MS = 10 * 60_000;
const DAY_MS = 86_400_000;
/** How soon a board that missed the read settling its doors is read again (if it still counts as online). */
const SETTLE_RETRY_MS = 5_000;

/**
 * The locker's rules: who may open which door, and what a door movement means for the parcels.
 * Every door movement follows DESIGN principle 1: a durable intent, then the unlock, then the
 * confirmation (the close that completes the operation is written with the time it opened).
 */
export class LockerService extends EventEmitter<LockerEvents> {
  readonly #ledger: Ledger;
  readonly #doors: DoorHardware;
  readonly #config: LockerdConfig;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #random: ((max: number) => number) | undefined;
  readonly #monitor: DoorMonitor;
  readonly #refusals: RefusalRecorder;
  readonly #throttle: GuessingThrottle;
  #holdTimer: NodeJS.Timeout | undefined;
  /** Parcels whose duplicate tracking number upstream already heard of (once each is enough). */
  readonly #duplicateReported = new Set<string>();
  /** Operations, and released doors (by compartment), the previous run left unfinished. */
  readonly #leftByLastRun: { operations: Set<number>; released: Set<string>; reported: Set<string> } = { operations: new Set(), released: new Set(), reported: new Set() };
  /** Boards whose read failed while settling though they count as online: asked again soon. */
  readonly #settleRetries = new Map<string, NodeJS.Timeout>();
  /** Operations whose unlock is in flight: a latch report now belongs to them. */
  readonly #unlocking = new Set<number>();

  constructor(deps: LockerServiceDeps) {
    super();
    this.#ledger = deps.ledger;
    this.#doors = deps.doors;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#now = deps.now ?? Date.now;
    this.#random = deps.random;
    this.#refusals = new RefusalRecorder({ ledger: deps.ledger, now: this.#now, windowMs: deps.config.flood.refusalWindowMs, log: deps.log });
    this.#throttle = new GuessingThrottle({ ledger: deps.ledger, policy: deps.config.guessing, now: this.#now, monotonic: deps.monotonic ?? (() => performance.now()), log: deps.log });
    this.#monitor = new DoorMonitor(deps.doors, this.#ledger.compartments.all(), deps.config.doors.leftOpenMs, deps.log, this.#now);
    this.#monitor.on('opened', (c, at) => this.#onOpened(c, at));
    this.#monitor.on('closed', (c, at, openedAt) => this.#onClosed(c, at, openedAt));
    this.#monitor.on('leftOpen', (c, openedAt) => this.#onLeftOpen(c, openedAt));
  }

  /** Boards that stopped answering: their compartments take no new deposits. */
  readonly #offlineBoards = new Set<string>();
  readonly #onBoard = (health: BoardHealth): void => {
    const wasOffline = this.#offlineBoards.has(health.board);
    if (health.online === !wasOffline) return;
    if (health.online) this.#offlineBoards.delete(health.board);
    else this.#offlineBoards.add(health.board);
    const at = this.#now();
    const type = health.online ? 'board.online' : 'board.offline';
    this.#ledger.transaction(() => {
      this.#ledger.audit.record({ at, actor: 'system', action: type, detail: { board: health.board, detail: health.detail } });
      this.#ledger.outbox.append(type, at, { board: health.board, detail: health.detail.slice(0, 200) });
    });
    this.#log[health.online ? 'info' : 'warn']({ board: health.board, detail: health.detail }, health.online ? 'lock board answers again' : 'lock board offline: its compartments take no deposits');
    // What the last run left unfinished on this board is settled now, as start() would have.
    if (health.online) {
      this.#settleLeftByLastRun(health.board).catch((err: unknown) => this.#log.error({ err, board: health.board }, 'could not settle the door operations of a board that came back; they settle when it next comes back'));
    }
  };

  /** Starts watching the doors and settles every operation a previous run left unfinished. */
  async start(): Promise<void> {
    this.#doors.on('board', this.#onBoard);
    for (const h of this.#doors.health()) if (!h.online) this.#offlineBoards.add(h.board);
    this.#monitor.start();
    this.reportExpiredHolds();
    this.#holdTimer = setInterval(() => {
      try {
        this.reportExpiredHolds();
      } catch (err) {
        this.#log.error({ err }, 'could not report expired holds; will try again');
      }
    }, HOLD_CHECK_MS);
    this.#holdTimer.unref();
    for (const op of this.#ledger.doorOperations.allActive()) this.#leftByLastRun.operations.add(op.id);
    for (const compartmentId of Object.keys(releasedDoors(this.#ledger.meta))) this.#leftByLastRun.released.add(compartmentId);
    // Doors upstream heard of as forced or left open: a close while we were down is reported too.
    for (const compartmentId of reportedDoors(this.#ledger.meta)) this.#leftByLastRun.reported.add(compartmentId);
    await this.#settleLeftByLastRun();
  }

  /**
   * Settles what the previous run left unfinished (operations still under way, doors released
   * while open) from the doors as they are now: an open door is watched until it shuts, a shut
   * one ends what was pending. Runs at start for every board, and again for one board whenever
   * it comes back (offline at start, or gone meanwhile): one path, so a board that was unplugged
   * at boot never needs a restart. Operations of this run are not touched: they are watched.
   */
  async #settleLeftByLastRun(board?: string): Promise<void> {
    const pending = this.#leftByLastRun;
    // Forget what has been settled since (the sets only ever shrink after start).
    const stillActive = this.#ledger.doorOperations.allActive().filter((op) => pending.operations.has(op.id));
    pending.operations = new Set(stillActive.map((op) => op.id));
    const active = new Map(stillActive.map((op) => [op.compartmentId, op]));
    const released = releasedDoors(this.#ledger.meta);
    for (const id of pending.released) if (!Object.hasOwn(released, id) || active.has(id)) pending.released.delete(id);
    const reported = new Set(reportedDoors(this.#ledger.meta));
    for (const id of pending.reported) if (!reported.has(id) || active.has(id)) pending.reported.delete(id);
    for (const compartmentId of new Set([...active.keys(), ...pending.released, ...pending.reported])) {
      const compartment = this.#ledger.compartments.get(compartmentId);
      if (!compartment || (board !== undefined && compartment.board !== board)) continue;
      const op = active.get(compartmentId);
      const what = op ? { operation: op.id, purpose: op.purpose } : { releasedOperation: released[compartmentId]?.operation };
      const status = await this.#doors.read(compartment);
      if (status === null) {
        this.#log.warn({ compartmentId, ...what }, 'left unfinished by the last run; its board does not answer, so it is settled when the board answers again');
        // A board still counted online that missed this read sends no "back" event: ask again.
        if (!this.#offlineBoards.has(compartment.board)) this.#settleAgainLater(compartment.board);
        continue;
      }
      // Settled meanwhile (a door event came first)? Then this reading is stale news: drop it.
      const activeNow = this.#ledger.doorOperations.activeFor(compartmentId);
      const noted = releasedDoor(this.#ledger.meta, compartmentId) !== undefined || reportedDoors(this.#ledger.meta).includes(compartmentId);
      const stillPending = op ? activeNow.some((o) => o.id === op.id) : activeNow.length === 0 && noted;
      if (!stillPending) continue;
      this.#log.info({ compartmentId, ...what, doorOpen: status.open }, 'settling a door left unfinished by the last run');
      this.#monitor.observe(compartment, status.open);
    }
  }

  #settleAgainLater(board: string): void {
    if (this.#settleRetries.has(board)) return;
    const timer = setTimeout(() => {
      this.#settleRetries.delete(board);
      this.#settleLeftByLastRun(board).catch((err: unknown) => this.#log.error({ err, board }, 'could not settle the door operations left by the last run; trying again when the board next comes back'));
    }, SETTLE_RETRY_MS);
    timer.unref();
    this.#settleRetries.set(board, timer);
  }

  stop(): void {
    this.#refusals.flush();
    clearInterval(this.#holdTimer);
    for (const t of this.#settleRetries.values()) clearTimeout(t);
    this.#settleRetries.clear();
    this.#throttle.stop();
    this.#doors.off('board', this.#onBoard);
    this.#monitor.stop();
  }

  offlineBoards(): string[] {
    return [...this.#offlineBoards];
  }

  openDoors(): { compartmentId: string; since: number }[] {
    return this.#monitor.openDoors();
  }

  // --- guessing throttle -------------------------------------------------------------------

  /**
   * How long the kiosk must wait before it may check another code (`'code'`: codes and pickup
   * QRs) or PIN (`'pin'`: PINs and badges), 0 = now. Without `kind`, the longer of the two.
   */
  guessingWaitMs(kind?: GuessKind): number {
    return this.#throttle.waitMs(kind);
  }

  /** Both budgets: wait, alarm regime, failures in the last hour and day. */
  throttleStatus(): ThrottleStatus {
    return this.#throttle.status();
  }

  /** A technician clears the throttle (audited, sent upstream); null when there was nothing to clear. */
  resetThrottle(reason: string, actor = 'technician'): ThrottleResetResult | null {
    return this.#throttle.reset(reason, actor);
  }

  /** Records a wrong code or PIN with its audit row, in one transaction; may raise the alarm. */
  #recordFailedGuess(actor: string, action: string, kind: GuessKind): void {
    this.#throttle.recordFailure(kind, actor, action);
  }

  // --- couriers and deposits ---------------------------------------------------------------

  /** A courier logs in with the keypad PIN, or by scanning a badge (`{ badgeToken }`). */
  courierLogin(credential: string | { badgeToken: string }): CourierLoginResult {
    const waitMs = this.guessingWaitMs('pin');
    if (waitMs > 0) return { ok: false, reason: 'throttled', waitMs };
    const courier =
      typeof credential === 'string'
        ? this.#ledger.people.courierByPinHash(this.#ledger.hasher.hash('pin', credential))
        : this.#ledger.people.courierByBadgeHash(this.#ledger.hasher.hash('token', credential.badgeToken));
    if (!courier) {
      this.#recordFailedGuess('kiosk', 'courier.login_refused', 'pin');
      return { ok: false, reason: 'wrong_pin' };
    }
    this.#ledger.transaction(() => this.#ledger.audit.record({ at: this.#now(), actor: `courier:${courier.id}`, action: 'courier.logged_in' }));
    return { ok: true, courier };
  }

  /** Compartments that could take a parcel now (in service, empty, board answering). */
  freeCompartments(): number {
    return this.#ledger.compartments.free().filter((c) => !this.#offlineBoards.has(c.board)).length;
  }

  /** The unit upstream announced for this tracking number, if any. */
  expectedUnit(tracking: string): string | undefined {
    return this.#ledger.expectedDeliveries.unitFor(tracking, this.#now());
  }

  unit(id: string): { id: string; accessible: boolean } | undefined {
    return this.#ledger.people.unit(id);
  }

  /**
   * Records a refusal that changes nothing else (bad scan, unknown unit, stray key...). Identical
   * ones within `flood.refusalWindowMs` share one summary row (./refusals.ts).
   */
  recordRefusal(actor: string, action: string, detail: Record<string, unknown>): void {
    this.#refusals.record(actor, action, detail);
  }

  /**
   * Refuses a tracking number that is already in the locker (its parcel reserved or deposited):
   * the same label twice is a re-scan or a carrier's mistake, and a second parcel under it would
   * confuse the resident's notice and the audit. Returns the compartment holding the first, or
   * null when the number is free to deposit. The first refusal per parcel goes upstream
   * (`deposit.refused`, reason `duplicate`); repeats are recorded in the audit trail only.
   */
  refuseDuplicateTracking(courier: Courier, tracking: string, keyed: boolean): { compartmentId: string } | null {
    const inside = this.#ledger.parcels.activeWithTracking(tracking);
    if (!inside) return null;
    const actor = `courier:${courier.id}`;
    const detail = { tracking, keyed, compartmentId: inside.compartmentId, parcelId: inside.id };
    if (this.#duplicateReported.has(inside.id)) {
      this.recordRefusal(actor, 'deposit.refused_duplicate', detail);
    } else {
      const now = this.#now();
      this.#ledger.transaction(() => {
        this.#ledger.audit.record({ at: now, actor, action: 'deposit.refused_duplicate', compartmentId: inside.compartmentId, parcelId: inside.id, detail });
        this.#ledger.outbox.append('deposit.refused', now, { reason: 'duplicate', tracking, courierId: courier.id, carrier: courier.carrier, parcelId: inside.id, compartmentId: inside.compartmentId });
      });
      // Bounded: at most one entry per compartment matters; older ones only cost a second event.
      if (this.#duplicateReported.size >= 1000) this.#duplicateReported.clear();
      this.#duplicateReported.add(inside.id);
    }
    this.#log.info({ tracking, compartmentId: inside.compartmentId, parcelId: inside.id, courier: courier.id }, 'deposit refused: this tracking number is already in the locker');
    return { compartmentId: inside.compartmentId };
  }

  /**
   * Reserves a compartment and opens it. A door that does not open is taken out of service and
   * the next compartment is tried, up to `doors.maxAllocationAttempts`.
   */
  async deposit(req: DepositRequest): Promise<DepositResult> {
    const actor = `courier:${req.courier.id}`;
    const unit = this.#ledger.people.unit(req.unit);
    if (!unit) {
      this.recordRefusal(actor, 'deposit.unit_unknown', { length: req.unit.length, reason: 'no such unit' }); // never the entry itself: it may be a code
      return { ok: false, reason: 'unknown_unit' };
    }
    // The kiosk asks at the scan already; asked again here so no path can store a number twice.
    const duplicate = req.tracking !== null ? this.refuseDuplicateTracking(req.courier, req.tracking, false) : null;
    if (duplicate) return { ok: false, reason: 'duplicate', compartmentId: duplicate.compartmentId };
    const tried: string[] = [];
    for (let attempt = 0; attempt < this.#config.doors.maxAllocationAttempts; attempt++) {
      const free = this.#ledger.compartments.free().filter((c) => !this.#offlineBoards.has(c.board));
      const choice = chooseCompartment(free, { size: req.size, accessibleOnly: unit.accessible, exclude: new Set(tried) });
      if (!choice.ok) {
        if (tried.length > 0) break;
        const now = this.#now();
        this.#ledger.transaction(() => {
          const data = { unit: unit.id, size: req.size, fullSizes: choice.fullSizes, courierId: req.courier.id, carrier: req.carrier };
          this.#ledger.audit.record({ at: now, actor, action: 'deposit.refused_full', detail: data });
          this.#ledger.outbox.append('deposit.refused', now, { ...data, reason: 'full' });
        });
        this.#log.info({ unit: unit.id, size: req.size, fullSizes: choice.fullSizes, courier: req.courier.id }, 'deposit refused: no free compartment of a fitting size');
        return { ok: false, reason: 'full', fullSizes: choice.fullSizes };
      }
      const compartment = choice.compartment;
      tried.push(compartment.id);
      const parcelId = uuidv7(this.#now());
      const now = this.#now();
      const opId = this.#ledger.transaction(() => {
        this.#ledger.parcels.reserve({
          id: parcelId, unit: unit.id, size: compartment.size, compartmentId: compartment.id,
          carrier: req.carrier, tracking: req.tracking, courierId: req.courier.id, reservedAt: now,
        });
        const id = this.#ledger.doorOperations.intent(compartment.id, 'deposit', parcelId, actor, now);
        this.#ledger.audit.record({ at: now, actor, action: 'door.unlock_requested', compartmentId: compartment.id, parcelId, detail: { purpose: 'deposit', operation: id } });
        return id;
      });
      const outcome = await this.#unlock(opId, compartment, 'deposit');
      if (outcome === 'confirmed_open') {
        this.#log.info({ compartmentId: compartment.id, parcelId, unit: unit.id, courier: req.courier.id, tracking: req.tracking }, 'deposit door open');
        return { ok: true, parcelId, compartmentId: compartment.id, size: compartment.size };
      }
      this.#failDeposit(opId, compartment, parcelId, outcome, actor);
    }
    return { ok: false, reason: 'doors_failed', tried };
  }

  /**
   * The parcel does not fit the open compartment: it moves to the smallest free compartment of a
   * bigger size, whose door opens; the first door's operation ends and that door closes empty.
   * When nothing bigger is free the reservation is released and the courier keeps the parcel.
   */
  async biggerDoor(parcelId: string, courier: Courier): Promise<DepositResult> {
    const actor = `courier:${courier.id}`;
    const parcel = this.#ledger.parcels.get(parcelId);
    if (!parcel || parcel.state !== 'reserved') return { ok: false, reason: 'doors_failed', tried: [] };
    const unit = this.#ledger.people.unit(parcel.unit);
    const oldOp = this.#ledger.doorOperations.activeFor(parcel.compartmentId).find((o) => o.parcelId === parcelId);
    const bigger = COMPARTMENT_SIZES[COMPARTMENT_SIZES.indexOf(parcel.size) + 1];
    const free = this.#ledger.compartments.free().filter((c) => !this.#offlineBoards.has(c.board));
    const choice: AllocationResult = bigger ? chooseCompartment(free, { size: bigger, accessibleOnly: unit?.accessible ?? false }) : { ok: false, fullSizes: [] };
    const now = this.#now();
    if (!choice.ok) {
      this.#ledger.transaction(() => {
        if (oldOp) this.#release(oldOp, now);
        this.#ledger.parcels.end(parcelId, 'reserved', 'cancelled', now);
        const data = { unit: parcel.unit, size: parcel.size, fullSizes: choice.fullSizes, courierId: courier.id, carrier: parcel.carrier };
        this.#ledger.audit.record({ at: now, actor, action: 'deposit.refused_too_big', compartmentId: parcel.compartmentId, parcelId, detail: data });
        this.#ledger.outbox.append('deposit.refused', now, { ...data, reason: 'full' });
      });
      this.#log.info({ parcelId, size: parcel.size }, 'parcel too big and no bigger compartment free; courier keeps it');
      return { ok: false, reason: 'full', fullSizes: choice.fullSizes };
    }
    const target = choice.compartment;
    const opId = this.#ledger.transaction(() => {
      if (oldOp) this.#release(oldOp, now);
      this.#ledger.parcels.moveReserved(parcelId, target.id, target.size);
      const id = this.#ledger.doorOperations.intent(target.id, 'deposit', parcelId, actor, now);
      this.#ledger.audit.record({ at: now, actor, action: 'door.unlock_requested', compartmentId: target.id, parcelId, detail: { purpose: 'deposit', operation: id, reason: `did not fit ${parcel.compartmentId}` } });
      return id;
    });
    const outcome = await this.#unlock(opId, target, 'deposit');
    if (outcome === 'confirmed_open') return { ok: true, parcelId, compartmentId: target.id, size: target.size };
    this.#failDeposit(opId, target, parcelId, outcome, actor);
    return { ok: false, reason: 'doors_failed', tried: [target.id] };
  }

  /**
   * Ends the operation of a deposit door the parcel did not fit. Its door still stands open: it is
   * remembered as released, so its opening and closing (after a restart too) are that courier's,
   * never a forced door. Runs inside the caller's transaction.
   */
  #release(op: DoorOperation, at: number): void {
    const openSince = this.#monitor.openDoors().find((d) => d.compartmentId === op.compartmentId)?.since ?? null;
    this.#ledger.doorOperations.end(op.id, 'abandoned', 'parcel too big', openSince, at);
    if (openSince !== null) markReleased(this.#ledger.meta, op.compartmentId, { operation: op.id, actor: op.actor, parcelId: op.parcelId });
  }

  #failDeposit(opId: number, compartment: Compartment, parcelId: string, outcome: UnlockOutcome, actor: string): void {
    const now = this.#now();
    const reason = `door did not open for a deposit (${outcome})`;
    this.#ledger.transaction(() => {
      this.#ledger.doorOperations.end(opId, 'failed', outcome, null, now);
      this.#ledger.parcels.end(parcelId, 'reserved', 'cancelled', now);
      this.#ledger.compartments.setOutOfService(compartment.id, reason);
      this.#ledger.audit.record({ at: now, actor, action: 'door.unlock_failed', compartmentId: compartment.id, parcelId, detail: { outcome, operation: opId } });
      this.#ledger.outbox.append('compartment.fault', now, { compartmentId: compartment.id, reason, outcome });
    });
    this.#log.warn({ compartmentId: compartment.id, outcome }, 'door did not open; compartment taken out of service, trying another');
  }

  // --- residents and pickups ---------------------------------------------------------------

  /**
   * Checks a retrieval code (keyed) or the token of its pickup QR (scanned) and opens, one after
   * another, every door holding parcels for it. Both count against the same guessing throttle.
   */
  async pickup(credential: string | { qrToken: string }): Promise<PickupResult> {
    const waitMs = this.guessingWaitMs('code');
    if (waitMs > 0) return { ok: false, reason: 'throttled', waitMs };
    const record =
      typeof credential === 'string'
        ? this.#ledger.codes.findLive(this.#ledger.hasher.hash('code', credential))
        : this.#ledger.codes.findLiveByQr(this.#ledger.hasher.hash('token', credential.qrToken));
    if (!record) {
      this.#recordFailedGuess('kiosk', typeof credential === 'string' ? 'pickup.code_rejected' : 'pickup.qr_rejected', 'code');
      return { ok: false, reason: 'wrong_code' };
    }
    const actor = `resident:${record.unit}`;
    const busy = new Set(this.#ledger.doorOperations.allActive().map((o) => o.compartmentId));
    const waiting = this.#ledger.parcels.waitingForCode(record.id);
    const parcels = waiting.filter((p) => !busy.has(p.compartmentId));
    if (parcels.length === 0) return waiting.length > 0 ? { ok: false, reason: 'doors_open', compartments: waiting.map((p) => p.compartmentId) } : { ok: false, reason: 'nothing_waiting' };
    const now = this.#now();
    const ops = this.#ledger.transaction(() =>
      parcels.map((p) => {
        const id = this.#ledger.doorOperations.intent(p.compartmentId, 'pickup', p.id, actor, now);
        this.#ledger.audit.record({ at: now, actor, action: 'door.unlock_requested', compartmentId: p.compartmentId, parcelId: p.id, detail: { purpose: 'pickup', operation: id } });
        return { id, parcel: p };
      }),
    );
    const doors: { compartmentId: string; parcelId: string; outcome: UnlockOutcome }[] = [];
    for (const { id, parcel } of ops) {
      const compartment = this.#ledger.compartments.get(parcel.compartmentId)!;
      const outcome = await this.#unlock(id, compartment, 'pickup');
      doors.push({ compartmentId: compartment.id, parcelId: parcel.id, outcome });
      if (outcome !== 'confirmed_open') {
        const at = this.#now();
        this.#ledger.transaction(() => {
          this.#ledger.doorOperations.end(id, 'failed', outcome, null, at);
          this.#ledger.audit.record({ at, actor, action: 'door.unlock_failed', compartmentId: compartment.id, parcelId: parcel.id, detail: { outcome, operation: id } });
          this.#ledger.outbox.append('compartment.fault', at, { compartmentId: compartment.id, reason: `door did not open for a pickup (${outcome})`, outcome, parcelId: parcel.id });
        });
        this.#log.warn({ compartmentId: compartment.id, outcome, parcelId: parcel.id }, 'pickup door did not open; the parcel stays and the code stays valid');
      }
    }
    return { ok: true, doors };
  }

  // --- holds ------------------------------------------------------------------------------

  /**
   * Reports every waiting parcel whose hold ran out, once each (`parcel.hold_expired`). The parcel
   * stays where it is and its code keeps working: a resident late by a day still gets it.
   */
  reportExpiredHolds(): number {
    const now = this.#now();
    let reported = 0;
    for (;;) {
      const due = this.#ledger.parcels.holdDue(now, 100);
      if (due.length === 0) return reported;
      this.#ledger.transaction(() => {
        for (const p of due) {
          if (!this.#ledger.parcels.markExpiryReported(p.id, now)) continue;
          const expiresAt = new Date(p.expiresAt!).toISOString();
          this.#ledger.audit.record({ at: now, actor: 'system', action: 'parcel.hold_expired', compartmentId: p.compartmentId, parcelId: p.id, detail: { expiresAt } });
          this.#ledger.outbox.append('parcel.hold_expired', now, { parcelId: p.id, compartmentId: p.compartmentId, unit: p.unit, expiresAt });
          reported++;
        }
      });
    }
  }

  // --- technicians ------------------------------------------------------------------------

  /**
   * Opens one door for a technician, with the reason in the audit trail. Refused while another
   * operation on that door is under way. The parcel inside (if any) is not touched: a technician
   * opening a door is not a pickup.
   */
  async openForTechnician(compartmentId: string, reason: string, actor = 'technician'): Promise<{ ok: true; outcome: UnlockOutcome } | { ok: false; reason: 'unknown_compartment' | 'busy' }> {
    const compartment = this.#ledger.compartments.get(compartmentId);
    if (!compartment) return { ok: false, reason: 'unknown_compartment' };
    if (this.#ledger.doorOperations.activeFor(compartmentId).length > 0) return { ok: false, reason: 'busy' };
    const parcel = this.#ledger.parcels.activeIn(compartmentId);
    const now = this.#now();
    const opId = this.#ledger.transaction(() => {
      const id = this.#ledger.doorOperations.intent(compartmentId, 'technician', parcel?.id ?? null, actor, now);
      this.#ledger.audit.record({ at: now, actor, action: 'door.unlock_requested', compartmentId, parcelId: parcel?.id ?? null, detail: { purpose: 'technician', operation: id, reason } });
      return id;
    });
    const outcome = await this.#unlock(opId, compartment, 'technician');
    const at = this.#now();
    this.#ledger.transaction(() => {
      if (outcome !== 'confirmed_open') {
        this.#ledger.doorOperations.end(opId, 'failed', outcome, null, at);
        this.#ledger.audit.record({ at, actor, action: 'door.unlock_failed', compartmentId, detail: { outcome, operation: opId } });
      }
      // Upstream hears of every technician open, whether the door opened or not (its close follows).
      this.#ledger.outbox.append('door.technician_opened', at, { compartmentId, reason: reason.slice(0, 200), actor: actor.slice(0, 200), outcome, parcelId: parcel?.id ?? null });
    });
    this.#log.info({ compartmentId, outcome, reason, actor }, 'technician door open');
    return { ok: true, outcome };
  }

  /**
   * Why a remote door open would be refused now, or null when it would go ahead. The command inbox
   * asks before it acks `accepted`, so a refusal is the command's only ack; openForRemote asks the
   * same question, so the two can never disagree.
   */
  remoteOpenRefusal(compartmentId: string, staffRecall: boolean): string | null {
    if (!this.#ledger.compartments.get(compartmentId)) return `unknown compartment ${compartmentId}`;
    if (this.#ledger.doorOperations.activeFor(compartmentId).length > 0) return `a door operation on ${compartmentId} is under way`;
    if (this.#ledger.parcels.activeIn(compartmentId) && !staffRecall) return `${compartmentId} holds a parcel for another person; send staffRecall: true to take it back`;
    return null;
  }

  /**
   * A remote door open from upstream. Refused when the compartment holds a parcel, unless staff
   * are recalling it (the parcel is then `returned` when the door shuts).
   */
  async openForRemote(compartmentId: string, reason: string, staffRecall: boolean, commandId: string): Promise<{ ok: true; outcome: UnlockOutcome } | { ok: false; reason: string }> {
    const refusal = this.remoteOpenRefusal(compartmentId, staffRecall);
    if (refusal !== null) return { ok: false, reason: refusal };
    const compartment = this.#ledger.compartments.get(compartmentId)!;
    const parcel = this.#ledger.parcels.activeIn(compartmentId);
    const actor = `remote:${commandId}`;
    const now = this.#now();
    const opId = this.#ledger.transaction(() => {
      const id = this.#ledger.doorOperations.intent(compartmentId, 'remote', parcel?.id ?? null, actor, now);
      this.#ledger.audit.record({ at: now, actor, action: 'door.unlock_requested', compartmentId, parcelId: parcel?.id ?? null, detail: { purpose: 'remote', operation: id, reason, staffRecall } });
      return id;
    });
    const outcome = await this.#unlock(opId, compartment, 'remote');
    const at = this.#now();
    this.#ledger.transaction(() => {
      if (outcome !== 'confirmed_open') {
        this.#ledger.doorOperations.end(opId, 'failed', outcome, null, at);
        this.#ledger.audit.record({ at, actor, action: 'door.unlock_failed', compartmentId, detail: { outcome, operation: opId } });
      }
      this.#ledger.outbox.append('door.remote_opened', at, { compartmentId, commandId, outcome, staffRecall });
    });
    this.#log.info({ compartmentId, outcome, commandId, staffRecall }, 'remote door open');
    return { ok: true, outcome };
  }

  // --- doors -------------------------------------------------------------------------------

  async #unlock(opId: number, compartment: Compartment, purpose: DoorPurpose): Promise<UnlockOutcome> {
    this.#unlocking.add(opId);
    this.#tell('doorUnlocking', { compartmentId: compartment.id, purpose });
    let outcome: UnlockOutcome = 'no_response';
    try {
      outcome = (await this.#doors.unlock(compartment)).outcome;
    } catch (err) {
      this.#log.error({ err, compartmentId: compartment.id }, 'unlock failed with an error from the lock-board driver');
    } finally {
      this.#unlocking.delete(opId);
    }
    this.#tell('doorUnlocked', { compartmentId: compartment.id, purpose, outcome });
    return outcome;
  }

  /** Tells listeners (the kiosk screen) what a door did; a listener's failure never stops a door operation. */
  #tell<E extends 'doorUnlocking' | 'doorUnlocked' | 'doorClosed' | 'doorLeftOpen'>(event: E, ...payload: LockerEvents[E]): void {
    try {
      (this.emit as (e: E, ...p: LockerEvents[E]) => boolean)(event, ...payload);
    } catch (err) {
      this.#log.error({ err, event }, 'a listener of door events failed; the door operation goes on');
    }
  }

  #onOpened(compartment: Compartment, at: number): void {
    // A commanded door: its operation completes when it closes.
    if (this.#ledger.doorOperations.activeFor(compartment.id).length > 0) return;
    // Released while it stood open (a parcel too big for it), seen again after a restart: commanded too.
    const released = releasedDoor(this.#ledger.meta, compartment.id);
    if (released) {
      this.#log.info({ compartmentId: compartment.id, operation: released.operation, actor: released.actor }, 'door released by a bigger-door request is still open; it closes quietly');
      return;
    }
    // Reported before a restart and still open: upstream knows; it hears of the close.
    if (reportsOf(this.#ledger.meta, compartment.id).forced !== null) {
      this.#log.warn({ compartmentId: compartment.id }, 'door forced open before the restart is still open');
      return;
    }
    // No intent in the ledger: nobody asked for this door. Written at once; it is an alarm.
    const parcel = this.#ledger.parcels.activeIn(compartment.id);
    this.#ledger.transaction(() => {
      markReported(this.#ledger.meta, compartment.id, 'forced', at);
      this.#ledger.audit.record({ at, actor: 'unknown', action: 'door.forced_open', compartmentId: compartment.id, parcelId: parcel?.id ?? null });
      this.#ledger.outbox.append('door.forced_open', at, { compartmentId: compartment.id, parcelId: parcel?.id ?? null });
    });
    this.#log.warn({ compartmentId: compartment.id, parcelId: parcel?.id }, 'door opened without a command: forced open');
  }

  #onClosed(compartment: Compartment, at: number, openedAt: number | null): void {
    this.#closed(compartment, at, openedAt);
    // A door never seen open (a start-up reading, a latch not yet released) did not "close".
    if (openedAt !== null) this.#tell('doorClosed', { compartmentId: compartment.id });
  }

  #closed(compartment: Compartment, at: number, openedAt: number | null): void {
    const reported = reportsOf(this.#ledger.meta, compartment.id);
    const wasLeftOpen = reported.leftOpen !== null;
    // A reported door that shut while the daemon was down is seen closed at start (openedAt null):
    // its close still goes upstream, timed from when it was reported open.
    const openedSince = openedAt ?? reported.forced ?? reported.leftOpen;
    const op = this.#ledger.doorOperations.activeFor(compartment.id)[0];
    // A released door's close spends the release, whatever else this close means: a later opening
    // is news again (the compartment may even have been given to another deposit meanwhile).
    const released = releasedDoor(this.#ledger.meta, compartment.id);
    if (!op) {
      const wasForced = reported.forced !== null;
      if (openedAt === null && !released && !wasForced && !wasLeftOpen) return;
      // A forced door's closing goes upstream, as does that of a door reported left open; a door
      // whose operation was released (a parcel too big for it) closes in its courier's name, in
      // the audit trail only, unless it was left open.
      const actor = wasForced ? 'unknown' : released?.actor ?? 'system';
      this.#ledger.transaction(() => {
        if (released) clearReleased(this.#ledger.meta, compartment.id);
        if (wasForced || wasLeftOpen) clearReported(this.#ledger.meta, compartment.id);
        this.#ledger.audit.record({ at, actor, action: 'door.closed', compartmentId: compartment.id, detail: { openedAt, ...(released ? { operation: released.operation, released: true } : {}) } });
        if ((wasForced || wasLeftOpen) && openedSince !== null) this.#doorClosedEvent(compartment, at, openedSince, actor);
      });
      return;
    }
    if (openedAt === null && this.#unlocking.has(op.id)) return; // The latch has not released yet: not news.
    this.#ledger.transaction(() => {
      if (released) clearReleased(this.#ledger.meta, compartment.id);
      if (wasLeftOpen) clearReported(this.#ledger.meta, compartment.id);
      if (openedAt === null) return this.#abandon(op, compartment, at);
      // Upstream hears the close of a door it heard open (technician, remote) or heard left open.
      const closeUpstream = wasLeftOpen || op.purpose === 'technician' || op.purpose === 'remote';
      if (op.purpose === 'deposit') return this.#completeDeposit(op, compartment, at, openedAt, closeUpstream);
      if (op.purpose === 'pickup') return this.#completePickup(op, compartment, at, openedAt, closeUpstream);
      this.#ledger.doorOperations.end(op.id, 'closed', 'confirmed_open', openedAt, at);
      this.#ledger.audit.record({ at, actor: op.actor, action: 'door.closed', compartmentId: compartment.id, detail: { operation: op.id, openedAt } });
      if (closeUpstream) this.#doorClosedEvent(compartment, at, openedAt, op.actor);
      // A remote open that recalled a parcel: staff took it.
      const parcel = op.purpose === 'remote' && op.parcelId ? this.#ledger.parcels.get(op.parcelId) : undefined;
      if (parcel?.state === 'deposited' && this.#ledger.parcels.end(parcel.id, 'deposited', 'returned', at)) {
        if (parcel.codeId !== null && this.#ledger.parcels.waitingForCode(parcel.codeId).length === 0) this.#ledger.codes.end(parcel.codeId, 'revoked', at);
        this.#ledger.audit.record({ at, actor: op.actor, action: 'parcel.returned', compartmentId: compartment.id, parcelId: parcel.id });
        this.#ledger.outbox.append('parcel.returned', at, { parcelId: parcel.id, compartmentId: compartment.id, unit: parcel.unit });
      }
    });
  }

  /** `door.closed` upstream; runs inside the caller's transaction. */
  #doorClosedEvent(compartment: Compartment, at: number, openedAt: number, actor: string): void {
    this.#ledger.outbox.append('door.closed', at, { compartmentId: compartment.id, openForMs: Math.max(0, at - openedAt), actor: actor.slice(0, 200) });
  }

  /**
   * An operation from before a restart whose door is closed now and was never seen open. For a
   * deposit we cannot know whether a parcel went in: the compartment waits for a technician.
   */
  #abandon(op: DoorOperation, compartment: Compartment, at: number): void {
    const reason = 'a restart interrupted a door operation; check the compartment';
    this.#ledger.transaction(() => {
      this.#ledger.doorOperations.end(op.id, 'abandoned', 'not confirmed before restart', null, at);
      this.#ledger.audit.record({ at, actor: 'system', action: 'door.operation_abandoned', compartmentId: compartment.id, parcelId: op.parcelId, detail: { operation: op.id, purpose: op.purpose } });
      if (op.purpose === 'deposit' && op.parcelId) {
        this.#ledger.parcels.end(op.parcelId, 'reserved', 'cancelled', at);
        this.#ledger.compartments.setOutOfService(compartment.id, reason);
        this.#ledger.outbox.append('compartment.needs_inspection', at, { compartmentId: compartment.id, reason, parcelId: op.parcelId });
      }
    });
    this.#log.warn({ compartmentId: compartment.id, operation: op.id, purpose: op.purpose }, 'door operation abandoned: not confirmed before the restart');
  }

  #completeDeposit(op: DoorOperation, compartment: Compartment, at: number, openedAt: number, closeUpstream: boolean): void {
    const parcel = op.parcelId ? this.#ledger.parcels.get(op.parcelId) : undefined;
    if (!parcel) throw new Error(`deposit operation ${op.id} has no parcel: the ledger is inconsistent`);
    const expiresAt = at + this.#config.codes.holdDays * DAY_MS;
    const issued = this.#ledger.transaction(() => {
      // One code covers every parcel waiting for the same unit: reuse the live one if there is one.
      const live = this.#ledger.codes.liveForUnit(parcel.unit);
      const fresh = live ? null : issueCode(this.#ledger, parcel.unit, at, this.#config.codes.length, this.#config.kioskId, this.#random);
      const codeId = live ? live.id : fresh!.codeId;
      const code = fresh?.code ?? null;
      this.#ledger.doorOperations.end(op.id, 'closed', 'confirmed_open', openedAt, at);
      this.#ledger.parcels.markDeposited(parcel.id, codeId, at, expiresAt);
      this.#ledger.audit.record({ at, actor: op.actor, action: 'parcel.deposited', compartmentId: compartment.id, parcelId: parcel.id, detail: { operation: op.id, openedAt, codeId, newCode: code !== null } });
      this.#ledger.outbox.append('parcel.deposited', at, {
        parcelId: parcel.id,
        compartmentId: compartment.id,
        size: compartment.size,
        unit: parcel.unit,
        carrier: parcel.carrier,
        tracking: parcel.tracking,
        courierId: parcel.courierId,
        codeId,
        // Only a new code travels; a parcel joining a live code refers to it by id.
        ...(fresh ? { code: fresh.code, pickupQr: fresh.pickupQr } : {}),
        expiresAt: new Date(expiresAt).toISOString(),
      });
      if (closeUpstream) this.#doorClosedEvent(compartment, at, openedAt, op.actor);
      return { codeId, newCode: code !== null };
    });
    this.#log.info({ compartmentId: compartment.id, parcelId: parcel.id, unit: parcel.unit, codeId: issued.codeId, newCode: issued.newCode }, 'parcel deposited');
    this.emit('deposited', { parcelId: parcel.id, compartmentId: compartment.id });
  }

  #completePickup(op: DoorOperation, compartment: Compartment, at: number, openedAt: number, closeUpstream: boolean): void {
    const parcel = op.parcelId ? this.#ledger.parcels.get(op.parcelId) : undefined;
    if (!parcel || parcel.codeId === null) throw new Error(`pickup operation ${op.id} has no deposited parcel: the ledger is inconsistent`);
    this.#ledger.transaction(() => {
      this.#ledger.doorOperations.end(op.id, 'closed', 'confirmed_open', openedAt, at);
      this.#ledger.parcels.end(parcel.id, 'deposited', 'picked_up', at);
      if (this.#ledger.parcels.waitingForCode(parcel.codeId!).length === 0) this.#ledger.codes.end(parcel.codeId!, 'used', at);
      this.#ledger.audit.record({ at, actor: op.actor, action: 'parcel.picked_up', compartmentId: compartment.id, parcelId: parcel.id, detail: { operation: op.id, openedAt } });
      this.#ledger.outbox.append('parcel.picked_up', at, {
        parcelId: parcel.id,
        compartmentId: compartment.id,
        unit: parcel.unit,
        codeId: parcel.codeId,
        waitedSeconds: parcel.depositedAt ? Math.round((at - parcel.depositedAt) / 1000) : null,
      });
      if (closeUpstream) this.#doorClosedEvent(compartment, at, openedAt, op.actor);
    });
    this.#log.info({ compartmentId: compartment.id, parcelId: parcel.id, unit: parcel.unit }, 'parcel picked up');
    this.emit('pickedUp', { parcelId: parcel.id, compartmentId: compartment.id });
  }

  #onLeftOpen(compartment: Compartment, openedAt: number): void {
    const at = this.#now();
    // Reported before a restart and still open: the screen asks again, upstream already knows.
    if (reportsOf(this.#ledger.meta, compartment.id).leftOpen !== null) {
      this.#tell('doorLeftOpen', { compartmentId: compartment.id, openedAt });
      return;
    }
    this.#ledger.transaction(() => {
      markReported(this.#ledger.meta, compartment.id, 'leftOpen', openedAt);
      this.#ledger.audit.record({ at, actor: 'system', action: 'door.left_open', compartmentId: compartment.id, detail: { openedAt } });
      this.#ledger.outbox.append('door.left_open', at, { compartmentId: compartment.id, openSince: new Date(openedAt).toISOString() });
    });
    this.#log.warn({ compartmentId: compartment.id, openForMs: at - openedAt }, 'door left open');
    this.#tell('doorLeftOpen', { compartmentId: compartment.id, openedAt });
  }
}
