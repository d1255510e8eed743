import type { DoorHardware, UnlockOutcome } from '../../drivers/contracts.js';
import type { LockerdConfig } from '../config/types.js';
import type { Compartment } from '../ledger/compartments.js';
import type { DoorCredential, DoorOperation, DoorPurpose } from '../ledger/door-operations.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Logger } from '../log.js';
import type { BoardStatus } from './board-status.js';
import { DoorMonitor } from './door-monitor.js';
import type { LockerBus } from './locker-events.js';
import { clearReleased, markReleased, releasedDoor, releasedDoors } from './released-doors.js';
import { clearReported, markReported, reportedDoors, reportsOf } from './reported-doors.js';

/** One door to open, and on whose behalf. `detail` joins the intent's audit row. */
export interface DoorRequest {
  compartment: Compartment;
  purpose: DoorPurpose;
  parcelId: string | null;
  actor: string;
  /** How the person proved who they are (kept with the operation: the proof of delivery shows it). */
  credential?: DoorCredential;
  detail?: Record<string, unknown>;
}

/** A door whose intent is durable and whose lock has not fired yet. */
export interface PendingDoor {
  operation: number;
  request: DoorRequest;
}

/** A commanded door that was seen open has shut: what the flow that opened it makes of that. */
export interface ClosedDoor {
  op: DoorOperation;
  compartment: Compartment;
  at: number;
  openedAt: number;
}

/** What the flow that owns a purpose does when one of its doors shuts. */
export interface PurposeHandler {
  /** Upstream heard this door open (technician, remote, staff): it hears of the close too. */
  announcesClose: boolean;
  /**
   * Runs inside the close's transaction, after the operation has ended; writes what the close
   * means (a deposit, a pickup...) with its audit row. Without it, the close is audited as
   * `door.closed`. The function it returns runs once the transaction has committed.
   */
  closed?(door: ClosedDoor): (() => void) | void;
  /** A previous run's operation whose door is shut and was never seen open; inside its transaction. */
  abandoned?(op: DoorOperation, compartment: Compartment, at: number): void;
}

/** What to write, in one transaction with the end of a failed unlock or after a confirmed one. */
export interface FireOptions {
  /** The door did not open: runs with the operation's end and its `door.unlock_failed` row. */
  failed?(outcome: UnlockOutcome, at: number): void;
  /** Whatever the outcome (technician and remote opens tell upstream either way). */
  settled?(outcome: UnlockOutcome, at: number): void;
}

/** How soon a board that missed the read settling its doors is read again (if it still counts as online). */
const SETTLE_RETRY_MS = 5_000;

/**
 * The one place a door is opened (DESIGN principle 1): a durable intent with its audit row, then
 * the unlock, then the confirmation, or the failure, each in a transaction. It also gives every
 * latch report its meaning: the close of a commanded door goes to the flow that opened it, a door
 * nobody asked for is forced open, a door open too long is left open; and what the previous run
 * left unfinished is settled from the doors as they are now. Flows never fire a lock themselves.
 */
export class DoorOperator {
  readonly #ledger: Ledger;
  readonly #doors: DoorHardware;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #bus: LockerBus;
  readonly #boards: BoardStatus;
  readonly #monitor: DoorMonitor;
  readonly #handlers = new Map<DoorPurpose, PurposeHandler>();
  /** Operations whose unlock is in flight: a latch report now belongs to them. */
  readonly #unlocking = new Set<number>();
  /** Operations, and released and reported doors (by compartment), the previous run left unfinished. */
  readonly #leftByLastRun: { operations: Set<number>; released: Set<string>; reported: Set<string> } = { operations: new Set(), released: new Set(), reported: new Set() };
  /** Boards whose read failed while settling though they count as online: asked again soon. */
  readonly #settleRetries = new Map<string, NodeJS.Timeout>();

  constructor(deps: { ledger: Ledger; doors: DoorHardware; config: LockerdConfig; log: Logger; now: () => number; bus: LockerBus; boards: BoardStatus }) {
    this.#ledger = deps.ledger;
    this.#doors = deps.doors;
    this.#log = deps.log;
    this.#now = deps.now;
    this.#bus = deps.bus;
    this.#boards = deps.boards;
    this.#monitor = new DoorMonitor(deps.doors, deps.ledger.compartments.doors(), deps.config.doors.leftOpenMs, deps.log, deps.now);
    this.#monitor.on('opened', (c, at) => this.#onOpened(c, at));
    this.#monitor.on('closed', (c, at, openedAt) => this.#onClosed(c, at, openedAt));
    this.#monitor.on('leftOpen', (c, openedAt) => this.#onLeftOpen(c, openedAt));
    // What the last run left unfinished on a board that comes back is settled now, as start() would have.
    deps.boards.onBack((board) => {
      this.#settleLeftByLastRun(board).catch((err: unknown) => this.#log.error({ err, board }, 'could not settle the door operations of a board that came back; they settle when it next comes back'));
    });
  }

  /** The flow that owns `purpose` gives its doors' closes their meaning. */
  handle(purpose: DoorPurpose, handler: PurposeHandler): void {
    this.#handlers.set(purpose, handler);
  }

  /** Starts watching the doors and settles every operation a previous run left unfinished. */
  async start(): Promise<void> {
    this.#monitor.start();
    for (const op of this.#ledger.doorOperations.allActive()) this.#leftByLastRun.operations.add(op.id);
    for (const compartmentId of Object.keys(releasedDoors(this.#ledger.meta))) this.#leftByLastRun.released.add(compartmentId);
    // Doors upstream heard of as forced or left open: a close while we were down is reported too.
    for (const compartmentId of reportedDoors(this.#ledger.meta)) this.#leftByLastRun.reported.add(compartmentId);
    await this.#settleLeftByLastRun();
  }

  stop(): void {
    for (const t of this.#settleRetries.values()) clearTimeout(t);
    this.#settleRetries.clear();
    this.#monitor.stop();
  }

  openDoors(): { compartmentId: string; since: number }[] {
    return this.#monitor.openDoors();
  }

  /** A door operation on this compartment is under way (intent written, not yet ended). */
  busy(compartmentId: string): boolean {
    return this.#ledger.doorOperations.activeFor(compartmentId).length > 0;
  }

  // --- opening ---------------------------------------------------------------------------

  /**
   * Writes the intents of `requests`, each with its `door.unlock_requested` audit row, in one
   * transaction together with `prepare` (a reservation...). Nothing fires yet: see fire().
   */
  intend(requests: readonly DoorRequest[], prepare?: () => void): PendingDoor[] {
    const now = this.#now();
    return this.#ledger.transaction(() => {
      prepare?.();
      return requests.map((request) => {
        const { compartment, purpose, parcelId, actor, detail, credential } = request;
        const operation = this.#ledger.doorOperations.intent(compartment.id, purpose, parcelId, actor, now, credential ?? null);
        this.#ledger.audit.record({ at: now, actor, action: 'door.unlock_requested', compartmentId: compartment.id, parcelId, detail: { purpose, operation, ...detail } });
        return { operation, request };
      });
    });
  }

  /**
   * Fires the lock of a pending door. A door that did not open ends its operation as failed, with
   * its audit row and whatever `options.failed` writes, in one transaction; a confirmed open
   * completes when the door shuts again (the purpose's handler).
   */
  async fire(pending: PendingDoor, options: FireOptions = {}): Promise<UnlockOutcome> {
    const { compartment, purpose, parcelId, actor } = pending.request;
    const opId = pending.operation;
    this.#unlocking.add(opId);
    this.#bus.tell('doorUnlocking', { compartmentId: compartment.id, purpose });
    let outcome: UnlockOutcome = 'no_response';
    try {
      outcome = (await this.#doors.unlock(compartment)).outcome;
    } catch (err) {
      this.#log.error({ err, compartmentId: compartment.id }, 'unlock failed with an error from the lock-board driver');
    } finally {
      this.#unlocking.delete(opId);
    }
    const failed = outcome !== 'confirmed_open';
    if (failed || options.settled) {
      const at = this.#now();
      this.#ledger.transaction(() => {
        if (failed) {
          this.#ledger.doorOperations.end(opId, 'failed', outcome, null, at);
          this.#ledger.audit.record({ at, actor, action: 'door.unlock_failed', compartmentId: compartment.id, parcelId, detail: { outcome, operation: opId } });
          options.failed?.(outcome, at);
        }
        options.settled?.(outcome, at);
      });
    }
    this.#bus.tell('doorUnlocked', { compartmentId: compartment.id, purpose, outcome });
    return outcome;
  }

  /** intend() and fire() for one door. */
  async open(request: DoorRequest, options: FireOptions & { prepare?: () => void } = {}): Promise<{ operation: number; outcome: UnlockOutcome }> {
    const [pending] = this.intend([request], options.prepare);
    const outcome = await this.fire(pending!, options);
    return { operation: pending!.operation, outcome };
  }

  /**
   * Ends an operation whose door still stands open without completing it (the parcel did not fit
   * a deposit door): the door is remembered as released, so its opening and closing (after a
   * restart too) belong to that operation's actor, never a forced door. Inside the caller's transaction.
   */
  release(op: DoorOperation, at: number, reason: string): void {
    const openSince = this.#monitor.openDoors().find((d) => d.compartmentId === op.compartmentId)?.since ?? null;
    this.#ledger.doorOperations.end(op.id, 'abandoned', reason, openSince, at);
    if (openSince !== null) markReleased(this.#ledger.meta, op.compartmentId, { operation: op.id, actor: op.actor, parcelId: op.parcelId });
  }

  // --- what a latch report means ------------------------------------------------------------

  #onOpened(compartment: Compartment, at: number): void {
    // A commanded door: its operation completes when it closes.
    if (this.busy(compartment.id)) return;
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
    // No intent in the ledger: nobody asked for this door. Written at once; it is an alarm. The
    // event names one parcel (the oldest, when several share the compartment: all for one unit).
    const parcel = this.#ledger.parcels.activeIn(compartment.id);
    this.#ledger.transaction(() => {
      markReported(this.#ledger.meta, compartment.id, 'forced', at);
      this.#ledger.audit.record({ at, actor: 'unknown', action: 'door.forced_open', compartmentId: compartment.id, parcelId: parcel?.id ?? null });
      this.#ledger.outbox.append('door.forced_open', at, { compartmentId: compartment.id, parcelId: parcel?.id ?? null });
    });
    this.#log.warn({ compartmentId: compartment.id, parcelId: parcel?.id }, 'door opened without a command: forced open');
  }

  #onClosed(compartment: Compartment, at: number, openedAt: number | null): void {
    const after = this.#closed(compartment, at, openedAt);
    after?.();
    // A door never seen open (a start-up reading, a latch not yet released) did not "close".
    if (openedAt !== null) this.#bus.tell('doorClosed', { compartmentId: compartment.id });
  }

  #closed(compartment: Compartment, at: number, openedAt: number | null): (() => void) | void {
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
        if ((wasForced || wasLeftOpen) && openedSince !== null) this.doorClosedEvent(compartment, at, openedSince, actor);
      });
      return;
    }
    if (openedAt === null && this.#unlocking.has(op.id)) return; // The latch has not released yet: not news.
    const handler = this.#handlers.get(op.purpose);
    return this.#ledger.transaction(() => {
      if (released) clearReleased(this.#ledger.meta, compartment.id);
      if (wasLeftOpen) clearReported(this.#ledger.meta, compartment.id);
      if (openedAt === null) return this.#abandon(op, compartment, at, handler);
      this.#ledger.doorOperations.end(op.id, 'closed', 'confirmed_open', openedAt, at);
      const after = handler?.closed ? handler.closed({ op, compartment, at, openedAt }) : this.closedAudit({ op, compartment, at, openedAt });
      // Upstream hears the close of a door it heard open (technician, remote...) or heard left open.
      if (wasLeftOpen || handler?.announcesClose !== false) this.doorClosedEvent(compartment, at, openedAt, op.actor);
      return after;
    });
  }

  /** The audit row of a commanded door's close that means nothing more. Inside the caller's transaction. */
  closedAudit({ op, compartment, at, openedAt }: ClosedDoor): void {
    this.#ledger.audit.record({ at, actor: op.actor, action: 'door.closed', compartmentId: compartment.id, detail: { operation: op.id, openedAt } });
  }

  /** `door.closed` upstream; runs inside the caller's transaction. */
  doorClosedEvent(compartment: Compartment, at: number, openedAt: number, actor: string): void {
    this.#ledger.outbox.append('door.closed', at, { compartmentId: compartment.id, openForMs: Math.max(0, at - openedAt), actor: actor.slice(0, 200) });
  }

  /**
   * An operation from before a restart whose door is closed now and was never seen open. What that
   * means for its parcel is the purpose's business (a deposit cannot know whether the parcel went in).
   */
  #abandon(op: DoorOperation, compartment: Compartment, at: number, handler: PurposeHandler | undefined): void {
    this.#ledger.doorOperations.end(op.id, 'abandoned', 'not confirmed before restart', null, at);
    this.#ledger.audit.record({ at, actor: 'system', action: 'door.operation_abandoned', compartmentId: compartment.id, parcelId: op.parcelId, detail: { operation: op.id, purpose: op.purpose } });
    handler?.abandoned?.(op, compartment, at);
    this.#log.warn({ compartmentId: compartment.id, operation: op.id, purpose: op.purpose }, 'door operation abandoned: not confirmed before the restart');
  }

  #onLeftOpen(compartment: Compartment, openedAt: number): void {
    const at = this.#now();
    // Reported before a restart and still open: the screen asks again, upstream already knows.
    if (reportsOf(this.#ledger.meta, compartment.id).leftOpen !== null) {
      this.#bus.tell('doorLeftOpen', { compartmentId: compartment.id, openedAt });
      return;
    }
    this.#ledger.transaction(() => {
      markReported(this.#ledger.meta, compartment.id, 'leftOpen', openedAt);
      this.#ledger.audit.record({ at, actor: 'system', action: 'door.left_open', compartmentId: compartment.id, detail: { openedAt } });
      this.#ledger.outbox.append('door.left_open', at, { compartmentId: compartment.id, openSince: new Date(openedAt).toISOString() });
    });
    this.#log.warn({ compartmentId: compartment.id, openForMs: at - openedAt }, 'door left open');
    this.#bus.tell('doorLeftOpen', { compartmentId: compartment.id, openedAt });
  }

  // --- what the last run left --------------------------------------------------------------

  /**
   * Settles what the previous run left unfinished (operations still under way, doors released
   * while open, doors reported forced or left open) from the doors as they are now: an open door
   * is watched until it shuts, a shut one ends what was pending. Runs at start for every board,
   * and again for one board whenever it comes back (offline at start, or gone meanwhile): one
   * path, so a board that was unplugged at boot never needs a restart. Operations of this run are
   * not touched: they are watched.
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
        if (!this.#boards.isOffline(compartment.board)) this.#settleAgainLater(compartment.board);
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
}
