import { COMPARTMENT_SIZES, type CompartmentSize, type LockerdConfig } from '../config/types.js';
import type { Compartment } from '../ledger/compartments.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Courier } from '../ledger/people.js';
import type { Parcel } from '../ledger/parcels.js';
import { uuidv7 } from '../ledger/uuidv7.js';
import type { Logger } from '../log.js';
import { chooseCompartment, chooseSharedCompartment, type AllocationResult } from './allocation.js';
import type { BoardStatus } from './board-status.js';
import { recordDeposit } from './deposit-record.js';
import type { ClosedDoor, DoorOperator } from './door-operator.js';
import type { LockerBus } from './locker-events.js';
import type { RefusalRecorder } from './refusals.js';

export interface DepositRequest {
  courier: Courier;
  unit: string;
  size: CompartmentSize | 'auto';
  carrier: string | null;
  tracking: string | null;
  /**
   * The courier pressed "add to A11" (the compartment shareableFor() offered): the parcel joins
   * the unit's parcels there. Should that no longer be possible, or its door not open, the parcel
   * gets a compartment of its own of that size or bigger, as for any deposit.
   */
  shareWith?: string;
  /** How the courier logged in (PIN or badge), kept with the door operation for the proof of delivery. */
  credential?: 'pin' | 'badge';
}

export type DepositResult =
  /** `shared`: the parcel joins the unit's parcels already in that compartment. `placeId`: no compartment was free, the parcel overflowed onto this shelf of the room `compartmentId`. */
  | { ok: true; parcelId: string; compartmentId: string; size: CompartmentSize; shared?: boolean; placeId?: string }
  | { ok: false; reason: 'unknown_unit' }
  /** A parcel with the same tracking number is still in the locker (reserved or deposited). */
  | { ok: false; reason: 'duplicate'; compartmentId: string }
  | { ok: false; reason: 'full'; fullSizes: CompartmentSize[] }
  | { ok: false; reason: 'doors_failed'; tried: string[] };

/** Tries allocation.overflow for a parcel no compartment fits: a result when a room took it (or its door failed), null to refuse it as full. */
export type OverflowHook = (req: DepositRequest, unit: string) => Promise<DepositResult | null>;

/** Compartments a parcel may go into now: in service, empty, no door operation under way, board answering. */
export function freeCompartmentsNow(ledger: Ledger, boards: BoardStatus): Compartment[] {
  return boards.answering(ledger.compartments.free());
}

/**
 * A door that did not open for a parcel on its way in (a deposit or a resident's return): the
 * reservation ends, the compartment goes out of service, upstream hears of the fault. Inside the
 * failure's transaction (DoorOperator.fire's `failed`).
 */
export function endFailedReservation(ledger: Ledger, compartmentId: string, parcelId: string, reason: string, outcome: string, at: number): void {
  ledger.parcels.end(parcelId, 'reserved', 'cancelled', at);
  ledger.compartments.setOutOfService(compartmentId, reason);
  ledger.outbox.append('compartment.fault', at, { compartmentId, reason, outcome, parcelId });
}

/**
 * Couriers' deposits: a compartment is reserved and its door opened; the parcel is deposited, and
 * the resident's code issued, when that door shuts.
 */
export class Deposits {
  readonly #ledger: Ledger;
  readonly #config: LockerdConfig;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #random: ((max: number) => number) | undefined;
  readonly #doors: DoorOperator;
  readonly #boards: BoardStatus;
  readonly #bus: LockerBus;
  readonly #refusals: RefusalRecorder;
  /** Where a parcel goes when no compartment fits it (allocation.overflow, ./room-overflow.ts). */
  readonly #overflow: OverflowHook | undefined;
  /** Parcels whose duplicate tracking number upstream already heard of (once each is enough). */
  readonly #duplicateReported = new Set<string>();

  constructor(deps: { ledger: Ledger; config: LockerdConfig; log: Logger; now: () => number; random?: (max: number) => number; doors: DoorOperator; boards: BoardStatus; bus: LockerBus; refusals: RefusalRecorder; overflow?: OverflowHook }) {
    this.#overflow = deps.overflow;
    this.#ledger = deps.ledger;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#now = deps.now;
    this.#random = deps.random;
    this.#doors = deps.doors;
    this.#boards = deps.boards;
    this.#bus = deps.bus;
    this.#refusals = deps.refusals;
    deps.doors.handle('deposit', {
      announcesClose: false,
      closed: (door) => this.#completed(door),
      // A restart interrupted the deposit: nobody knows whether the parcel went in.
      abandoned: (op, compartment, at) => {
        if (!op.parcelId) return;
        const reason = 'a restart interrupted a door operation; check the compartment';
        this.#ledger.parcels.end(op.parcelId, 'reserved', 'cancelled', at);
        this.#ledger.compartments.setOutOfService(compartment.id, reason);
        this.#ledger.outbox.append('compartment.needs_inspection', at, { compartmentId: compartment.id, reason, parcelId: op.parcelId });
      },
    });
  }

  /** Compartments that could take a parcel now (in service, empty, board answering). */
  freeCompartments(): number {
    return freeCompartmentsNow(this.#ledger, this.#boards).length;
  }

  unit(id: string): { id: string; accessible: boolean } | undefined {
    return this.#ledger.people.unit(id);
  }

  /**
   * The compartment a new parcel for `unit` may join (allocation.shareCompartments): one of a
   * shareable size holding only parcels waiting for this unit under its live code. The kiosk
   * offers it as "add to A11"; whether the parcel fits is the courier's call (./allocation.ts).
   */
  shareableFor(unit: string, only?: string): Compartment | null {
    const sizes = this.#config.allocation.shareCompartments;
    if (sizes.length === 0) return null;
    const live = this.#ledger.codes.liveForUnit(unit);
    if (!live) return null;
    const ids = new Set(this.#ledger.parcels.waitingForCode(live.id).map((p) => p.compartmentId).filter((id) => only === undefined || id === only));
    const occupied = [...ids].flatMap((id) => {
      const compartment = this.#ledger.compartments.get(id);
      if (!compartment || !sizes.includes(compartment.size)) return [];
      return [{ compartment, parcels: this.#ledger.parcels.allIn(id), busy: this.#doors.busy(id), answering: this.#boards.answering([compartment]).length === 1 }];
    });
    return chooseSharedCompartment(occupied, { unit, liveCodeId: live.id, sizes });
  }

  /** The unit upstream announced for this tracking number, if any. */
  expectedUnit(tracking: string): string | undefined {
    return this.#ledger.expectedDeliveries.unitFor(tracking, this.#now());
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
      this.#refusals.record(actor, 'deposit.refused_duplicate', detail);
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
      this.#refusals.record(actor, 'deposit.unit_unknown', { length: req.unit.length, reason: 'no such unit' }); // never the entry itself: it may be a code
      return { ok: false, reason: 'unknown_unit' };
    }
    // The kiosk asks at the scan already; asked again here so no path can store a number twice.
    const duplicate = req.tracking !== null ? this.refuseDuplicateTracking(req.courier, req.tracking, false) : null;
    if (duplicate) return { ok: false, reason: 'duplicate', compartmentId: duplicate.compartmentId };
    const tried: string[] = [];
    // Asked again now: the offer was made at the size prompt, and things may have moved since.
    const shared = req.shareWith !== undefined ? this.#sharedTarget(unit.id, req.shareWith) : null;
    let size = req.size;
    if (req.shareWith !== undefined && !shared) this.#log.info({ compartmentId: req.shareWith, unit: unit.id }, 'compartment can no longer be shared; the parcel gets one of its own');
    for (let attempt = 0; attempt < this.#config.doors.maxAllocationAttempts; attempt++) {
      const free = freeCompartmentsNow(this.#ledger, this.#boards);
      const choice: AllocationResult = attempt === 0 && shared ? { ok: true, compartment: shared } : chooseCompartment(free, { size, accessibleOnly: unit.accessible, exclude: new Set(tried) });
      if (!choice.ok) {
        if (tried.length > 0) break;
        // No compartment fits: a room of allocation.overflow may take it (before any refusal is written).
        const overflowed = this.#overflow ? await this.#overflow(req, unit.id) : null;
        if (overflowed) return overflowed;
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
      // A shared door that does not open: a compartment of that size or bigger of the parcel's own.
      if (compartment === shared) size = shared.size;
      const now = this.#now();
      const parcelId = uuidv7(now);
      const { outcome } = await this.#doors.open(
        { compartment, purpose: 'deposit', parcelId, actor, ...(req.credential ? { credential: req.credential } : {}), ...(compartment === shared ? { detail: { shared: true } } : {}) },
        {
          prepare: () =>
            this.#ledger.parcels.reserve({
              id: parcelId, unit: unit.id, size: compartment.size, compartmentId: compartment.id,
              carrier: req.carrier, tracking: req.tracking, courierId: req.courier.id, reservedAt: now,
            }),
          failed: (result, at) => endFailedReservation(this.#ledger, compartment.id, parcelId, `door did not open for a deposit (${result})`, result, at),
        },
      );
      if (outcome === 'confirmed_open') {
        this.#log.info({ compartmentId: compartment.id, parcelId, unit: unit.id, courier: req.courier.id, tracking: req.tracking, shared: compartment === shared }, 'deposit door open');
        return { ok: true, parcelId, compartmentId: compartment.id, size: compartment.size, shared: compartment === shared };
      }
      this.#log.warn({ compartmentId: compartment.id, outcome }, 'door did not open; compartment taken out of service, trying another');
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
    // A shared compartment with no room left: a compartment of its own, of that size or bigger.
    const shared = this.#ledger.parcels.allIn(parcel.compartmentId).some((p) => p.id !== parcelId);
    const bigger = shared ? parcel.size : COMPARTMENT_SIZES[COMPARTMENT_SIZES.indexOf(parcel.size) + 1];
    const free = freeCompartmentsNow(this.#ledger, this.#boards);
    const choice: AllocationResult = bigger ? chooseCompartment(free, { size: bigger, accessibleOnly: unit?.accessible ?? false, exclude: new Set([parcel.compartmentId]) }) : { ok: false, fullSizes: [] };
    const now = this.#now();
    if (!choice.ok) {
      this.#ledger.transaction(() => {
        if (oldOp) this.#doors.release(oldOp, now, 'parcel too big');
        this.#ledger.parcels.end(parcelId, 'reserved', 'cancelled', now);
        const data = { unit: parcel.unit, size: parcel.size, fullSizes: choice.fullSizes, courierId: courier.id, carrier: parcel.carrier };
        this.#ledger.audit.record({ at: now, actor, action: 'deposit.refused_too_big', compartmentId: parcel.compartmentId, parcelId, detail: data });
        this.#ledger.outbox.append('deposit.refused', now, { ...data, reason: 'full' });
      });
      this.#log.info({ parcelId, size: parcel.size }, 'parcel too big and no bigger compartment free; courier keeps it');
      return { ok: false, reason: 'full', fullSizes: choice.fullSizes };
    }
    const target = choice.compartment;
    const { outcome } = await this.#doors.open(
      { compartment: target, purpose: 'deposit', parcelId, actor, ...(oldOp?.credential ? { credential: oldOp.credential } : {}), detail: { reason: `did not fit ${parcel.compartmentId}` } },
      {
        prepare: () => {
          if (oldOp) this.#doors.release(oldOp, now, 'parcel too big');
          this.#ledger.parcels.moveReserved(parcelId, target.id, target.size);
        },
        failed: (result, at) => endFailedReservation(this.#ledger, target.id, parcelId, `door did not open for a deposit (${result})`, result, at),
      },
    );
    if (outcome === 'confirmed_open') return { ok: true, parcelId, compartmentId: target.id, size: target.size };
    this.#log.warn({ compartmentId: target.id, outcome }, 'bigger door did not open; compartment taken out of service');
    return { ok: false, reason: 'doors_failed', tried: [target.id] };
  }

  /**
   * The courier says the deposit door did not open, though the board confirmed the unlock (a latch
   * that released and a door that stuck): that compartment goes out of service with a fault, as a
   * door the board reports jammed does, and the parcel moves to another compartment of its size
   * (or bigger), whose door opens. The first door's operation ends as abandoned; should that door
   * be open after all, it is remembered as released, so its close is quiet (no forced door).
   * Nothing else free: the reservation is released and the courier keeps the parcel.
   */
  async anotherDoor(parcelId: string, courier: Courier): Promise<DepositResult> {
    const actor = `courier:${courier.id}`;
    const parcel = this.#ledger.parcels.get(parcelId);
    if (!parcel || parcel.state !== 'reserved') return { ok: false, reason: 'doors_failed', tried: [] };
    const stuck = parcel.compartmentId;
    const unit = this.#ledger.people.unit(parcel.unit);
    const oldOp = this.#ledger.doorOperations.activeFor(stuck).find((o) => o.parcelId === parcelId);
    const reason = 'the courier reported that the door did not open';
    const markStuck = (at: number): void => {
      if (oldOp) this.#doors.release(oldOp, at, 'door did not open (courier)');
      this.#ledger.compartments.setOutOfService(stuck, reason);
      this.#ledger.audit.record({ at, actor, action: 'deposit.door_did_not_open', compartmentId: stuck, parcelId, detail: { operation: oldOp?.id ?? null } });
      this.#ledger.outbox.append('compartment.fault', at, { compartmentId: stuck, reason, outcome: 'reported_by_courier', parcelId });
    };
    const free = freeCompartmentsNow(this.#ledger, this.#boards);
    const choice = chooseCompartment(free, { size: parcel.size, accessibleOnly: unit?.accessible ?? false, exclude: new Set([stuck]) });
    const now = this.#now();
    if (!choice.ok) {
      this.#ledger.transaction(() => {
        markStuck(now);
        this.#ledger.parcels.end(parcelId, 'reserved', 'cancelled', now);
        const data = { unit: parcel.unit, size: parcel.size, fullSizes: choice.fullSizes, courierId: courier.id, carrier: parcel.carrier };
        this.#ledger.audit.record({ at: now, actor, action: 'deposit.refused_full', compartmentId: stuck, parcelId, detail: data });
        this.#ledger.outbox.append('deposit.refused', now, { ...data, reason: 'full' });
      });
      this.#log.warn({ compartmentId: stuck, parcelId }, 'courier says the door did not open; compartment out of service and no other free, courier keeps the parcel');
      return { ok: false, reason: 'full', fullSizes: choice.fullSizes };
    }
    const target = choice.compartment;
    const { outcome } = await this.#doors.open(
      { compartment: target, purpose: 'deposit', parcelId, actor, ...(oldOp?.credential ? { credential: oldOp.credential } : {}), detail: { reason: `door of ${stuck} did not open` } },
      {
        prepare: () => {
          markStuck(now);
          this.#ledger.parcels.moveReserved(parcelId, target.id, target.size);
        },
        failed: (result, at) => endFailedReservation(this.#ledger, target.id, parcelId, `door did not open for a deposit (${result})`, result, at),
      },
    );
    this.#log.warn({ from: stuck, to: target.id, outcome }, 'courier says the door did not open; compartment out of service, another opened');
    if (outcome === 'confirmed_open') return { ok: true, parcelId, compartmentId: target.id, size: target.size };
    return { ok: false, reason: 'doors_failed', tried: [target.id] };
  }

  /**
   * A courier logged in while no compartment at all is free: every parcel they brought is refused
   * (`deposit.refused`, reason `full_at_login`), recorded once per login so overflow counts see it.
   */
  refuseFullAtLogin(courier: Courier): void {
    const now = this.#now();
    this.#ledger.transaction(() => {
      this.#ledger.audit.record({ at: now, actor: `courier:${courier.id}`, action: 'deposit.refused_full_at_login', detail: { courierId: courier.id, carrier: courier.carrier } });
      this.#ledger.outbox.append('deposit.refused', now, { reason: 'full_at_login', courierId: courier.id, carrier: courier.carrier });
    });
    this.#log.info({ courier: courier.id }, 'courier logged in to a full locker: deposit refused');
  }

  /** The compartment `shareWith` names, if it may still be shared by a parcel for this unit. */
  #sharedTarget(unit: string, shareWith: string): Compartment | null {
    return this.shareableFor(unit, shareWith);
  }


  /** The deposit door shut: the parcel is in, and its unit's code covers it. Inside the close's transaction. */
  #completed({ op, compartment, at, openedAt }: ClosedDoor): () => void {
    const parcel = op.parcelId ? this.#ledger.parcels.get(op.parcelId) : undefined;
    if (!parcel) throw new Error(`deposit operation ${op.id} has no parcel: the ledger is inconsistent`);
    return completeDeposit(this.#completion, parcel, { at, actor: op.actor, size: compartment.size, detail: { operation: op.id, openedAt } });
  }

  /** What completeDeposit() needs of this module. */
  get #completion(): DepositCompletion {
    return { ledger: this.#ledger, config: this.#config, log: this.#log, random: this.#random, bus: this.#bus };
  }
}

/** What completing a deposit needs: the ledger, the code and hold rules, who to tell. */
export interface DepositCompletion {
  ledger: Ledger;
  config: LockerdConfig;
  log: Logger;
  random: ((max: number) => number) | undefined;
  bus: LockerBus;
}

/**
 * A reserved parcel is in (its door shut, or a room courier put it on its shelf): it is
 * `deposited`, its unit's code covers it (the live one, or a new one), its hold starts, and the
 * audit row and `parcel.deposited` (with its shelf, if any) are written. Inside the caller's
 * transaction; the function it returns runs once that has committed. `size` sets the hold (the
 * compartment's, or the parcel's own on a shelf).
 */
export function completeDeposit(deps: DepositCompletion, parcel: Parcel, how: { at: number; actor: string; size: CompartmentSize; detail: Record<string, unknown> }): () => void {
  const compartmentId = parcel.compartmentId;
  const placeId = parcel.placeId;
  const { codeId, newCode } = recordDeposit(deps.ledger, deps.config, { parcel, compartmentId, size: how.size, at: how.at, actor: how.actor, detail: how.detail, ...(deps.random ? { random: deps.random } : {}) });
  return () => {
    deps.log.info({ compartmentId, parcelId: parcel.id, unit: parcel.unit, codeId, newCode, ...(placeId !== null ? { placeId } : {}) }, 'parcel deposited');
    deps.bus.tell('deposited', { parcelId: parcel.id, compartmentId });
  };
}
