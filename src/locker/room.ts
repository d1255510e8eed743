import type { UnlockOutcome } from '../../drivers/contracts.js';
import type { CompartmentSize, LockerdConfig, RoomConfig } from '../config/types.js';
import type { Compartment } from '../ledger/compartments.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Parcel } from '../ledger/parcels.js';
import type { Courier } from '../ledger/people.js';
import type { Place } from '../ledger/storage-areas.js';
import { uuidv7 } from '../ledger/uuidv7.js';
import type { Logger } from '../log.js';
import { choosePlace } from './allocation.js';
import { completeDeposit, endFailedReservation, type DepositCompletion } from './deposits.js';
import type { DoorOperator } from './door-operator.js';
import type { LockerBus } from './locker-events.js';
import type { RefusalRecorder } from './refusals.js';
import { RoomNotes } from './room-flags.js';

/** A parcel put on a shelf by a courier in the room (no door per parcel). */
export interface ShelfDeposit {
  roomId: string;
  courier: Courier;
  unit: string;
  tracking: string | null;
  carrier: string | null;
  /** The shelf the courier chose by scanning its label; absent: the shelf the kiosk named. */
  shelf?: string;
}

export type ShelfDepositResult =
  | { ok: true; parcelId: string; placeId: string }
  | { ok: false; reason: 'unknown_unit' | 'room_full' }
  | { ok: false; reason: 'duplicate'; compartmentId: string }
  /** The shelf is not one of this room's (or not in service). */
  | { ok: false; reason: 'unknown_shelf' }
  | { ok: false; reason: 'shelf_full'; placeId: string };

/** A label scanned on the way out of the room. */
export type ScanOutResult =
  | { ok: true; parcelId: string; placeId: string; remaining: number }
  /** Someone else's parcel: nothing changed; it goes back on `placeId`. */
  | { ok: false; reason: 'wrong_pickup'; placeId: string }
  | { ok: false; reason: 'not_in_room' };

/** Who is scanning out: the resident let in by this code, or (null) a label scanned at the welcome screen. */
export interface RoomResident {
  unit: string;
  codeId: number;
}

/** An overflow parcel reserved on a shelf, its room door opened. */
export type OverflowResult =
  | { ok: true; parcelId: string; compartmentId: string; placeId: string; size: CompartmentSize; outcome: UnlockOutcome }
  | { ok: false; reason: 'no_place' | 'not_available' };

/**
 * The package room (docs/package-room.md): a courier's session door (`room_deposit`, no parcel),
 * parcels put on shelves, a resident let in by their code (`room_pickup`) who scans each label out,
 * the deadline of that scan-out (flag for staff), and the overflow of a locker bank into a room
 * (`room_deposit` with its parcel: deposited when the room door shuts, like a locker deposit).
 * Each state change, its audit row and its event in one transaction.
 */
export class PackageRooms {
  readonly #ledger: Ledger;
  readonly #config: LockerdConfig;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #doors: DoorOperator;
  readonly #refusals: RefusalRecorder;
  readonly #completion: DepositCompletion;
  readonly #notes: RoomNotes;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: { ledger: Ledger; config: LockerdConfig; log: Logger; now: () => number; random?: (max: number) => number; doors: DoorOperator; bus: LockerBus; refusals: RefusalRecorder }) {
    this.#ledger = deps.ledger;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#now = deps.now;
    this.#doors = deps.doors;
    this.#refusals = deps.refusals;
    this.#completion = { ledger: deps.ledger, config: deps.config, log: deps.log, random: deps.random, bus: deps.bus };
    this.#notes = new RoomNotes(deps.ledger);
    deps.doors.handle('room_deposit', {
      announcesClose: false,
      // The courier's session door means nothing more than its close; an overflow parcel is in.
      closed: (door) => {
        const parcel = door.op.parcelId ? this.#ledger.parcels.get(door.op.parcelId) : undefined;
        if (!parcel) {
          this.#ledger.audit.record({ at: door.at, actor: door.op.actor, action: 'door.closed', compartmentId: door.compartment.id, detail: { operation: door.op.id, openedAt: door.openedAt, purpose: 'room_deposit' } });
          return;
        }
        return completeDeposit(this.#completion, parcel, { at: door.at, actor: door.op.actor, size: parcel.size, detail: { operation: door.op.id, openedAt: door.openedAt } });
      },
      abandoned: (op, compartment, at) => {
        if (!op.parcelId) return;
        // Nobody knows whether the parcel went onto its shelf: staff look (the room stays in service).
        const reason = 'a restart interrupted an overflow deposit into the room; check the shelf';
        this.#ledger.parcels.end(op.parcelId, 'reserved', 'cancelled', at);
        this.#ledger.outbox.append('compartment.needs_inspection', at, { compartmentId: compartment.id, reason, parcelId: op.parcelId });
      },
    });
    deps.doors.handle('room_pickup', {
      announcesClose: false,
      closed: (door) => {
        this.#ledger.audit.record({ at: door.at, actor: door.op.actor, action: 'door.closed', compartmentId: door.compartment.id, detail: { operation: door.op.id, openedAt: door.openedAt, purpose: 'room_pickup' } });
      },
    });
  }

  /** Rebuilds the scan-out deadline from the ledger (a restart loses no flag). */
  start(): void {
    this.checkScanOuts();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  /** The configured room of that id. */
  room(id: string): RoomConfig | undefined {
    return this.#config.rooms.find((r) => r.id === id);
  }

  /** The room's compartments row (its door), if it is one of this station's rooms. */
  #door(roomId: string): Compartment | undefined {
    return this.room(roomId) ? this.#ledger.compartments.get(roomId) : undefined;
  }

  /** The room's shelves now (active ones, with what is on them). */
  shelves(roomId: string): Place[] {
    return this.#ledger.storage.places(roomId).filter((p) => p.active);
  }

  /** The shelf the kiosk names for the next parcel: `choosePlace` (size unknown: any with room). */
  nextShelf(roomId: string, size: CompartmentSize | null = null): Place | null {
    return choosePlace(this.shelves(roomId), size);
  }

  /** A parcel's tracking number (the resident's list shows it: it is printed on the label). */
  tracking(parcelId: string): string | null {
    return this.#ledger.parcels.get(parcelId)?.tracking ?? null;
  }

  /** The shelf of the parcel with this tracking number, while it waits on one. */
  placeOf(tracking: string): string | null {
    return this.#ledger.parcels.activeWithTracking(tracking)?.placeId ?? null;
  }

  /** The configured room a waiting parcel with this tracking number is in, if any. */
  roomOfTracking(tracking: string): string | null {
    const parcel = this.#ledger.parcels.activeWithTracking(tracking);
    return parcel && parcel.placeId !== null && this.room(parcel.compartmentId) ? parcel.compartmentId : null;
  }

  /** A door operation on the room is under way (the door is unlocked or open). */
  doorBusy(roomId: string): boolean {
    return this.#doors.busy(roomId);
  }

  // --- couriers --------------------------------------------------------------------------

  /** Unlocks the room door for a courier's session (again, if they ask). */
  async openForCourier(roomId: string, courier: Courier, credential: 'pin' | 'badge'): Promise<UnlockOutcome | 'busy' | 'unknown_room'> {
    const compartment = this.#door(roomId);
    if (!compartment) return 'unknown_room';
    if (this.#doors.busy(roomId)) return 'busy';
    const { outcome } = await this.#doors.open({ compartment, purpose: 'room_deposit', parcelId: null, actor: `courier:${courier.id}`, credential, detail: { session: true } });
    if (outcome !== 'confirmed_open') this.#log.warn({ roomId, outcome }, 'the room door did not open for a courier');
    return outcome;
  }

  /**
   * A courier put a parcel on a shelf (the one named, or the one whose label they scanned): it is
   * deposited at once, its code issued or joined, `parcel.deposited` with its shelf.
   */
  depositOnShelf(req: ShelfDeposit): ShelfDepositResult {
    const actor = `courier:${req.courier.id}`;
    const unit = this.#ledger.people.unit(req.unit);
    if (!unit) {
      this.#refusals.record(actor, 'deposit.unit_unknown', { length: req.unit.length, reason: 'no such unit' });
      return { ok: false, reason: 'unknown_unit' };
    }
    if (req.tracking !== null) {
      const inside = this.#ledger.parcels.activeWithTracking(req.tracking);
      if (inside) return { ok: false, reason: 'duplicate', compartmentId: inside.placeId ?? inside.compartmentId };
    }
    const shelves = this.shelves(req.roomId);
    let place: Place | null;
    if (req.shelf !== undefined) {
      place = shelves.find((p) => p.id === req.shelf) ?? null;
      if (!place) {
        this.#refusals.record(actor, 'room.shelf_unknown', { roomId: req.roomId, length: req.shelf.length });
        return { ok: false, reason: 'unknown_shelf' };
      }
      if (place.parcels >= place.capacity) {
        this.#refusals.record(actor, 'room.shelf_full', { roomId: req.roomId, placeId: place.id });
        return { ok: false, reason: 'shelf_full', placeId: place.id };
      }
    } else {
      place = choosePlace(shelves, null);
      if (!place) {
        this.#refusals.record(actor, 'room.full', { roomId: req.roomId });
        return { ok: false, reason: 'room_full' };
      }
    }
    const now = this.#now();
    const parcelId = uuidv7(now);
    const chosen = place;
    const after = this.#ledger.transaction(() => {
      this.#ledger.parcels.reserve({ id: parcelId, unit: unit.id, size: chosen.size, compartmentId: req.roomId, placeId: chosen.id, carrier: req.carrier, tracking: req.tracking, courierId: req.courier.id, reservedAt: now });
      const parcel = this.#ledger.parcels.get(parcelId)!;
      return completeDeposit(this.#completion, parcel, { at: now, actor, size: chosen.size, detail: { shelfChosenBy: req.shelf !== undefined ? 'label' : 'kiosk' } });
    });
    after();
    return { ok: true, parcelId, placeId: chosen.id };
  }

  // --- overflow from lockers ---------------------------------------------------------------

  /**
   * The lockers had no compartment for this parcel: it is reserved on a shelf of `roomId` and the
   * room door opens for it; the parcel is deposited when that door shuts (a durable intent like a
   * locker deposit; a door that does not open ends the reservation).
   */
  async overflow(roomId: string, req: { courier: Courier; unit: string; size: CompartmentSize; carrier: string | null; tracking: string | null; credential?: 'pin' | 'badge' }): Promise<OverflowResult> {
    const compartment = this.#door(roomId);
    if (!compartment || compartment.outOfService !== null || this.#doors.busy(roomId)) return { ok: false, reason: 'not_available' };
    const place = choosePlace(this.shelves(roomId), req.size);
    if (!place) return { ok: false, reason: 'no_place' };
    const now = this.#now();
    const parcelId = uuidv7(now);
    const actor = `courier:${req.courier.id}`;
    const { outcome } = await this.#doors.open(
      { compartment, purpose: 'room_deposit', parcelId, actor, ...(req.credential ? { credential: req.credential } : {}), detail: { overflow: true, placeId: place.id } },
      {
        prepare: () =>
          this.#ledger.parcels.reserve({ id: parcelId, unit: req.unit, size: req.size, compartmentId: roomId, placeId: place.id, carrier: req.carrier, tracking: req.tracking, courierId: req.courier.id, reservedAt: now }),
        failed: (result, at) => endFailedReservation(this.#ledger, roomId, parcelId, `room door did not open for an overflow deposit (${result})`, result, at),
      },
    );
    this.#log.info({ roomId, placeId: place.id, parcelId, outcome }, 'overflow parcel reserved on a shelf of the package room');
    return { ok: true, parcelId, compartmentId: roomId, placeId: place.id, size: req.size, outcome };
  }

  // --- residents -----------------------------------------------------------------------------

  /**
   * Lets a resident in to fetch `parcels` (their code's, Pickups.pickup's `elsewhere`): the room
   * door opens (`room_pickup`) and each parcel's scan-out deadline starts. A door already under
   * way (the resident keyed their code again) is not fired twice: `busy`.
   */
  async letIn(roomId: string, resident: RoomResident & { via: 'code' | 'qr' }, parcelIds: readonly string[]): Promise<UnlockOutcome | 'busy' | 'unknown_room'> {
    const compartment = this.#door(roomId);
    if (!compartment) return 'unknown_room';
    const now = this.#now();
    const entries = parcelIds.map((parcelId) => ({ parcelId, roomId, letInAt: now }));
    if (this.#doors.busy(roomId)) {
      // Already unlocked or open (keyed again, or the locker kiosk's overflow door): the deadline runs all the same.
      this.#ledger.transaction(() => this.#notes.addLetIn(entries));
      this.#schedule();
      return 'busy';
    }
    const { outcome } = await this.#doors.open(
      { compartment, purpose: 'room_pickup', parcelId: parcelIds[0] ?? null, actor: `resident:${resident.unit}`, credential: resident.via, detail: { parcels: parcelIds.length } },
      {
        prepare: () => this.#notes.addLetIn(entries),
        failed: (result, at) => {
          this.#notes.removeLetIn(parcelIds);
          this.#ledger.outbox.append('compartment.fault', at, { compartmentId: roomId, reason: `room door did not open for a pickup (${result})`, outcome: result, parcelId: parcelIds[0] ?? null });
        },
      },
    );
    this.#schedule();
    return outcome;
  }

  /**
   * A label scanned on the way out. The resident's own parcel is picked up (`confirmedBy: scan`);
   * someone else's waiting in this room raises `parcel.wrong_pickup` and changes nothing else; a
   * label of no parcel waiting in the room is refused. `resident` null (the welcome screen): a
   * parcel whose resident was let in and has not scanned it out yet counts as theirs.
   */
  scanOut(roomId: string, tracking: string, resident: RoomResident | null): ScanOutResult {
    const parcel = this.#ledger.parcels.activeWithTracking(tracking);
    if (!parcel || parcel.compartmentId !== roomId || parcel.state !== 'deposited' || parcel.placeId === null) {
      this.#refusals.record(resident ? `resident:${resident.unit}` : 'kiosk', 'room.scan_out_not_in_room', { roomId, length: tracking.length });
      return { ok: false, reason: 'not_in_room' };
    }
    const letIn = this.#notes.letIn().some((e) => e.parcelId === parcel.id);
    const theirs = resident ? parcel.codeId === resident.codeId : letIn;
    if (!theirs) {
      const now = this.#now();
      const byUnit = resident?.unit ?? null;
      this.#ledger.transaction(() => {
        this.#ledger.audit.record({ at: now, actor: byUnit ? `resident:${byUnit}` : 'kiosk', action: 'parcel.wrong_pickup', compartmentId: roomId, parcelId: parcel.id, detail: { placeId: parcel.placeId, unit: parcel.unit, byUnit } });
        this.#ledger.outbox.append('parcel.wrong_pickup', now, { parcelId: parcel.id, compartmentId: roomId, placeId: parcel.placeId!, unit: parcel.unit, byUnit });
      });
      this.#log.warn({ roomId, parcelId: parcel.id, placeId: parcel.placeId }, 'wrong pickup in the package room: someone else\'s parcel scanned out');
      return { ok: false, reason: 'wrong_pickup', placeId: parcel.placeId };
    }
    const remaining = this.#pickedUp([parcel], parcel.codeId!, resident ? `resident:${resident.unit}` : `resident:${parcel.unit}`, 'scan');
    return { ok: true, parcelId: parcel.id, placeId: parcel.placeId, remaining };
  }

  /** `pickupConfirm: done`: the resident says they took every listed parcel. Returns how many. */
  confirmAll(roomId: string, resident: RoomResident, parcelIds: readonly string[]): number {
    const parcels = parcelIds.flatMap((id) => {
      const p = this.#ledger.parcels.get(id);
      return p && p.state === 'deposited' && p.compartmentId === roomId && p.codeId === resident.codeId ? [p] : [];
    });
    if (parcels.length > 0) this.#pickedUp(parcels, resident.codeId, `resident:${resident.unit}`, 'done');
    return parcels.length;
  }

  /** Room parcels of this code still waiting (the kiosk's list). */
  waiting(roomId: string, codeId: number): Parcel[] {
    return this.#ledger.parcels.waitingForCode(codeId).filter((p) => p.compartmentId === roomId && p.placeId !== null);
  }

  /** Picks parcels up, ends their deadline and, once nothing waits on it, the code. Returns the code's parcels still waiting. */
  #pickedUp(parcels: readonly Parcel[], codeId: number, actor: string, confirmedBy: 'scan' | 'done' | 'staff'): number {
    const now = this.#now();
    const remaining = this.#ledger.transaction(() => {
      for (const parcel of parcels) {
        if (!this.#ledger.parcels.end(parcel.id, 'deposited', 'picked_up', now)) continue;
        this.#ledger.audit.record({ at: now, actor, action: 'parcel.picked_up', compartmentId: parcel.compartmentId, parcelId: parcel.id, detail: { placeId: parcel.placeId, confirmedBy } });
        this.#ledger.outbox.append('parcel.picked_up', now, {
          parcelId: parcel.id,
          compartmentId: parcel.compartmentId,
          ...(parcel.placeId !== null ? { placeId: parcel.placeId } : {}),
          unit: parcel.unit,
          codeId,
          waitedSeconds: parcel.depositedAt ? Math.round((now - parcel.depositedAt) / 1000) : null,
          confirmedBy,
        });
      }
      this.#notes.removeLetIn(parcels.map((p) => p.id));
      const left = this.#ledger.parcels.waitingForCode(codeId).length;
      if (left === 0) this.#ledger.codes.end(codeId, 'used', now);
      return left;
    });
    for (const p of parcels) this.#log.info({ compartmentId: p.compartmentId, placeId: p.placeId, parcelId: p.id, unit: p.unit, confirmedBy }, 'parcel picked up');
    this.#schedule();
    return remaining;
  }

  // --- the scan-out deadline and staff -----------------------------------------------------

  /** Flags every parcel whose scan-out deadline passed; re-arms the timer for the next. Returns how many were flagged. */
  checkScanOuts(): number {
    const now = this.#now();
    const due: { parcel: Parcel; letInAt: number }[] = [];
    const gone: string[] = [];
    for (const e of this.#notes.letIn()) {
      const parcel = this.#ledger.parcels.get(e.parcelId);
      if (!parcel || parcel.state !== 'deposited') {
        gone.push(e.parcelId);
        continue;
      }
      if (now >= e.letInAt + this.#scanOutWithin(e.roomId)) due.push({ parcel, letInAt: e.letInAt });
    }
    if (due.length > 0 || gone.length > 0) {
      this.#ledger.transaction(() => {
        for (const { parcel, letInAt } of due) {
          if (!this.#notes.flag(parcel.id, now)) continue;
          this.#ledger.audit.record({ at: now, actor: 'system', action: 'parcel.pickup_unconfirmed', compartmentId: parcel.compartmentId, parcelId: parcel.id, detail: { placeId: parcel.placeId, letInAt } });
          this.#ledger.outbox.append('parcel.pickup_unconfirmed', now, { parcelId: parcel.id, compartmentId: parcel.compartmentId, placeId: parcel.placeId!, unit: parcel.unit, letInAt: new Date(letInAt).toISOString() });
        }
        this.#notes.removeLetIn([...gone, ...due.map((d) => d.parcel.id)]);
      });
      for (const { parcel } of due) this.#log.warn({ parcelId: parcel.id, placeId: parcel.placeId }, 'room parcel not scanned out in time: flagged for staff');
    }
    this.#schedule();
    return due.length;
  }

  /** Waiting room parcels flagged for staff. */
  flagged(limit = 100): Parcel[] {
    return this.#notes.flagged(limit);
  }

  /**
   * Staff resolve a flagged parcel: `taken` (gone from the shelf: picked up, confirmed by staff) or
   * `still_there` (it waits on, unflagged). Returns null when the parcel is not a flagged room parcel.
   */
  resolve(parcelId: string, outcome: 'taken' | 'still_there', actor: string): Parcel | null {
    const parcel = this.#ledger.parcels.get(parcelId);
    if (!parcel || parcel.state !== 'deposited' || parcel.placeId === null || parcel.pickupFlaggedAt === null) return null;
    const now = this.#now();
    const write = (): void => {
      this.#ledger.audit.record({ at: now, actor, action: 'parcel.pickup_resolved', compartmentId: parcel.compartmentId, parcelId, detail: { placeId: parcel.placeId, outcome } });
      this.#ledger.outbox.append('parcel.pickup_resolved', now, { parcelId, compartmentId: parcel.compartmentId, placeId: parcel.placeId!, unit: parcel.unit, outcome, actor });
    };
    if (outcome === 'still_there') {
      this.#ledger.transaction(() => {
        this.#notes.unflag(parcelId);
        write();
      });
    } else {
      this.#ledger.transaction(() => {
        write();
        this.#pickedUp([parcel], parcel.codeId!, actor, 'staff');
      });
    }
    return this.#ledger.parcels.get(parcelId)!;
  }

  #scanOutWithin(roomId: string): number {
    // A room dropped from the config: its parcels are flagged at once, staff handle them.
    return this.room(roomId)?.scanOutWithinMs ?? 0;
  }

  /** Arms the timer for the earliest deadline still running. */
  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const entries = this.#notes.letIn();
    if (entries.length === 0) return;
    const next = Math.min(...entries.map((e) => e.letInAt + this.#scanOutWithin(e.roomId)));
    // At most a minute at a time: a clock set forward is noticed soon.
    const delay = Math.min(60_000, Math.max(0, next - this.#now()));
    this.#timer = setTimeout(() => {
      try {
        this.checkScanOuts();
      } catch (err) {
        this.#log.error({ err }, 'could not check the package room scan-out deadlines; trying again in a minute');
        this.#timer = setTimeout(() => this.#schedule(), 60_000);
        this.#timer.unref();
      }
    }, delay + 5);
    this.#timer.unref();
  }
}
