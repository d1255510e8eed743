import type { DoorHardware } from '../../drivers/contracts.js';
import type { LockerdConfig } from '../config/types.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Courier } from '../ledger/people.js';
import type { Logger } from '../log.js';
import { AuthorisedOpens, type RemoteOpenResult, type TechnicianOpenResult } from './authorised-opens.js';
import { BoardStatus } from './board-status.js';
import { Credentials, type CourierLoginResult, type KioskLoginResult } from './credentials.js';
import { Deposits, type DepositRequest, type DepositResult } from './deposits.js';
import { Desk } from './desk.js';
import { DoorOperator } from './door-operator.js';
import type { GuessKind } from './guessing.js';
import type { ThrottleResetResult, ThrottleStatus } from './guessing-throttle.js';
import { Holds, type ExpiredParcel, type HoldCheck } from './holds.js';
import { LockerBus, type LockerEvents } from './locker-events.js';
import { Pickups, type PickupResult } from './pickups.js';
import { RefusalRecorder } from './refusals.js';
import { Returns, type LabelCheck, type ReturnCollectResult, type ReturnDepositRequest, type ReturnDepositResult, type ReturnLabel } from './returns.js';
import { Staff } from './staff.js';
import { PackageRooms } from './room.js';
import { overflowIntoRooms } from './room-overflow.js';

export type { DepositRequest, DepositResult } from './deposits.js';
export type { PickupResult } from './pickups.js';
export type { ExpiredParcel, HoldCheck } from './holds.js';
export type { CourierLoginResult, KioskLoginResult } from './credentials.js';
export type { LockerEvents } from './locker-events.js';
export type { LabelCheck, ReturnCollectResult, ReturnDepositResult, ReturnLabel } from './returns.js';

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

/**
 * The locker's rules, as one object for the kiosk, the control socket and the sync: a thin facade
 * over one module per flow. Every door goes through the door operator (./door-operator.ts): a
 * durable intent, then the unlock, then the confirmation (DESIGN principle 1); the flows give a
 * door's close its meaning (./deposits.ts, ./pickups.ts, ./authorised-opens.ts).
 */
export class LockerService {
  /** What the flows did, once recorded (the kiosk session and the screen listen). */
  readonly events: LockerBus;
  readonly #boards: BoardStatus;
  readonly #doors: DoorOperator;
  readonly #refusals: RefusalRecorder;
  readonly #credentials: Credentials;
  readonly #deposits: Deposits;
  readonly #pickups: Pickups;
  readonly #holds: Holds;
  readonly #opens: AuthorisedOpens;
  readonly #returns: Returns;
  /** The kiosk's staff menu (./staff.ts): used directly by the staff flow. */
  readonly staff: Staff;
  /** The front desk (./desk.ts): used directly by the desk flow, on a `storage: "desk"` station. */
  readonly desk: Desk;
  /** Package rooms (./room.ts): used directly by the room flow and lockerctl. */
  readonly rooms: PackageRooms;

  constructor(deps: LockerServiceDeps) {
    const { ledger, config, log } = deps;
    const now = deps.now ?? Date.now;
    const monotonic = deps.monotonic ?? (() => performance.now());
    this.events = new LockerBus(log);
    this.#refusals = new RefusalRecorder({ ledger, now, windowMs: config.flood.refusalWindowMs, log });
    this.#boards = new BoardStatus({ ledger, doors: deps.doors, log, now });
    this.#doors = new DoorOperator({ ledger, doors: deps.doors, config, log, now, bus: this.events, boards: this.#boards });
    this.#credentials = new Credentials({ ledger, config, log, now, monotonic });
    this.rooms = new PackageRooms({ ledger, config, log, now, random: deps.random, doors: this.#doors, bus: this.events, refusals: this.#refusals });
    const overflow = config.allocation.overflow.length > 0 ? overflowIntoRooms(config, this.rooms, log) : undefined;
    this.#deposits = new Deposits({ ledger, config, log, now, random: deps.random, doors: this.#doors, boards: this.#boards, bus: this.events, refusals: this.#refusals, ...(overflow ? { overflow } : {}) });
    this.#holds = new Holds({ ledger, config, log, now, monotonic });
    this.#pickups = new Pickups({ ledger, log, now, doors: this.#doors, credentials: this.#credentials, bus: this.events, holds: this.#holds, refusals: this.#refusals });
    this.#opens = new AuthorisedOpens({ ledger, log, doors: this.#doors });
    this.#returns = new Returns({ ledger, config, log, now, doors: this.#doors, boards: this.#boards, refusals: this.#refusals });
    this.staff = new Staff({ ledger, config, log, now, doors: this.#doors, credentials: this.#credentials });
    this.desk = new Desk({ ledger, config, log, now, random: deps.random, credentials: this.#credentials, refusals: this.#refusals, pickup: (c) => this.#pickups.pickup(c) });
  }

  on<E extends keyof LockerEvents>(event: E, listener: (...args: LockerEvents[E]) => void): this {
    (this.events.on as (e: E, l: (...args: LockerEvents[E]) => void) => LockerBus)(event, listener);
    return this;
  }

  /** Starts watching boards and doors and settles every operation a previous run left unfinished. */
  async start(): Promise<void> {
    this.#boards.start();
    this.#holds.start();
    await this.#doors.start();
    this.rooms.start();
  }

  stop(): void {
    this.#refusals.flush();
    this.#holds.stop();
    this.rooms.stop();
    this.#credentials.stop();
    this.#boards.stop();
    this.#doors.stop();
  }

  offlineBoards(): string[] {
    return this.#boards.offlineBoards();
  }

  openDoors(): { compartmentId: string; since: number }[] {
    return this.#doors.openDoors();
  }

  // --- credentials and the guessing throttle -----------------------------------------------

  guessingWaitMs(kind?: GuessKind): number {
    return this.#credentials.waitMs(kind);
  }

  throttleStatus(): ThrottleStatus {
    return this.#credentials.throttleStatus();
  }

  /** A technician clears the throttle (audited, sent upstream); null when there was nothing to clear. */
  resetThrottle(reason: string, actor = 'technician'): ThrottleResetResult | null {
    return this.#credentials.resetThrottle(reason, actor);
  }

  courierLogin(credential: string | { badgeToken: string }): CourierLoginResult {
    return this.#credentials.courierLogin(credential);
  }

  /** A PIN or badge at the welcome screen: a staff member's (the staff menu) or a courier's. */
  login(credential: string | { badgeToken: string }): KioskLoginResult {
    return this.#credentials.login(credential);
  }

  // --- deposits ------------------------------------------------------------------------------

  freeCompartments(): number {
    return this.#deposits.freeCompartments();
  }

  expectedUnit(tracking: string): string | undefined {
    return this.#deposits.expectedUnit(tracking);
  }

  unit(id: string): { id: string; accessible: boolean } | undefined {
    return this.#deposits.unit(id);
  }

  /**
   * Records a refusal that changes nothing else (bad scan, unknown unit, stray key...). Identical
   * ones within `flood.refusalWindowMs` share one summary row (./refusals.ts).
   */
  recordRefusal(actor: string, action: string, detail: Record<string, unknown>): void {
    this.#refusals.record(actor, action, detail);
  }

  refuseDuplicateTracking(courier: Courier, tracking: string, keyed: boolean): { compartmentId: string } | null {
    return this.#deposits.refuseDuplicateTracking(courier, tracking, keyed);
  }

  deposit(req: DepositRequest): Promise<DepositResult> {
    return this.#deposits.deposit(req);
  }

  biggerDoor(parcelId: string, courier: Courier): Promise<DepositResult> {
    return this.#deposits.biggerDoor(parcelId, courier);
  }

  /** The compartment a new parcel for `unit` may join ("add to A11"), if any (./deposits.ts). */
  shareableFor(unit: string): string | null {
    return this.#deposits.shareableFor(unit)?.id ?? null;
  }

  /** The courier says the deposit door did not open: it is marked faulty and another opens. */
  anotherDoor(parcelId: string, courier: Courier): Promise<DepositResult> {
    return this.#deposits.anotherDoor(parcelId, courier);
  }

  refuseFullAtLogin(courier: Courier): void {
    this.#deposits.refuseFullAtLogin(courier);
  }

  // --- pickups and holds -----------------------------------------------------------------

  pickup(credential: string | { qrToken: string }): Promise<PickupResult> {
    return this.#pickups.pickup(credential);
  }

  /** Sends the reminders due and ends the holds that ran out now (also run at start and every minute). */
  checkHolds(): HoldCheck {
    return this.#holds.check();
  }

  /** Waiting parcels whose hold ended, oldest first: for staff (kiosk menu, `lockerctl parcels --state expired`). */
  expiredParcels(limit?: number): ExpiredParcel[] {
    return this.#holds.expiredParcels(limit);
  }

  // --- returns (./returns.ts) ----------------------------------------------------------------

  checkReturnLabel(label: ReturnLabel): LabelCheck {
    return this.#returns.checkLabel(label);
  }

  depositReturn(req: ReturnDepositRequest): Promise<ReturnDepositResult> {
    return this.#returns.deposit(req);
  }

  cancelReturn(parcelId: string): boolean {
    return this.#returns.cancelDeposit(parcelId);
  }

  returnState(parcelId: string): ReturnType<Returns['state']> {
    return this.#returns.state(parcelId);
  }

  returnsWaitingFor(courier: Courier): number {
    return this.#returns.waitingFor(courier);
  }

  collectReturn(courier: Courier, skip?: ReadonlySet<string>): Promise<ReturnCollectResult> {
    return this.#returns.collectNext(courier, skip);
  }

  confirmReturnTaken(parcelId: string, courier: Courier): boolean {
    return this.#returns.confirmTaken(parcelId, courier);
  }

  // --- technicians and upstream ------------------------------------------------------------

  openForTechnician(compartmentId: string, reason: string, actor = 'technician'): Promise<TechnicianOpenResult> {
    return this.#opens.openForTechnician(compartmentId, reason, actor);
  }

  remoteOpenRefusal(compartmentId: string, staffRecall: boolean): string | null {
    return this.#opens.remoteOpenRefusal(compartmentId, staffRecall);
  }

  openForRemote(compartmentId: string, reason: string, staffRecall: boolean, commandId: string): Promise<RemoteOpenResult> {
    return this.#opens.openForRemote(compartmentId, reason, staffRecall, commandId);
  }
}
