/**
 * The package room at the kiosk (docs/package-room.md). At a room station (`storage: "room"`) a
 * courier's login unlocks the room door for the session; for each parcel they scan its label,
 * key the unit (or upstream announced it), and put it on the shelf the kiosk names (#) or on
 * another whose label they scan: it is deposited at once. C unlocks the door again, * logs out.
 * A resident whose code covers room parcels (at a room station, or at a locker kiosk for its
 * overflow) is let in and scans each label on the way out (or presses # with `pickupConfirm: done`).
 */
import type { Key } from '../../../drivers/contracts.js';
import type { LockerdConfig, RoomConfig } from '../../config/types.js';
import type { Courier } from '../../ledger/people.js';
import { parseShelfLabel } from '../../locker/room-labels.js';
import type { PickupResult } from '../../locker/pickups.js';
import { parseScan, type ScanResult } from '../../barcode/index.js';
import type { KioskFlow, KioskFlowContext } from '../flow.js';
import type { KioskState, RoomParcel } from '../kiosk-state.js';
import type { ChoiceSpec } from '../screen-model.js';
import type { ScreenPanel } from '../screen.js';

/** The courier's key for "unlock the room door again". */
export const ROOM_DOOR_KEY: Key = 'C';

type RoomState = Extract<KioskState, { name: 'room_scan' | 'room_unit' | 'room_shelf' | 'room_resident' }>;
type CourierState = Extract<KioskState, { name: 'room_scan' | 'room_unit' | 'room_shelf' }>;

const NAMES: ReadonlySet<string> = new Set(['room_scan', 'room_unit', 'room_shelf', 'room_resident']);

/** The resident's list: "R-A (1Z999AA10123456784), R-B (...)". Tracking numbers are on the labels: not secret. */
export function parcelList(parcels: readonly RoomParcel[]): string {
  return parcels.map((p) => `${p.placeId} (${p.tracking ?? 'no tracking number'})`).join(', ');
}

export class RoomFlow implements KioskFlow {
  /** This station's room (`storage: "room"`); null at a locker kiosk, where only residents meet the flow (overflow parcels). */
  private readonly room: RoomConfig | null;
  readonly #rooms: readonly RoomConfig[];

  constructor(config: Pick<LockerdConfig, 'storage' | 'rooms'>) {
    this.room = config.storage === 'room' ? (config.rooms[0] ?? null) : null;
    this.#rooms = config.rooms;
  }

  owns(state: KioskState): state is RoomState {
    return NAMES.has(state.name);
  }

  /**
   * A room station lists the resident's parcels still to scan out beside the prompt, shelf by
   * shelf, shrinking as each is scanned. Not at a locker kiosk: there the map shows the locker
   * doors that opened for the same code, and the panel would hide it.
   */
  panel(state: KioskState): ScreenPanel | undefined {
    if (state.name !== 'room_resident' || !this.room) return undefined;
    return { kind: 'parcels', unit: state.unit, parcels: state.parcels.map((p) => ({ placeId: p.placeId, carrier: null, tracking: p.tracking })), collectors: [], collector: null };
  }

  sessionMs(state: KioskState): number | undefined {
    if (!this.owns(state)) return undefined;
    const room = this.#roomOf(state);
    // A resident may take a while among the shelves; a courier's session ends after sessionMs without a scan.
    if (!room) return undefined;
    return state.name === 'room_resident' ? room.scanOutWithinMs : room.sessionMs;
  }

  choices(state: KioskState, typing: boolean): ChoiceSpec[] {
    if (typing) return [{ key: '*', labelId: 'choice.clear' }, { key: '#', labelId: 'choice.enter' }];
    switch (state.name) {
      case 'room_scan':
        return [{ key: '*', labelId: 'choice.logOut' }, { key: ROOM_DOOR_KEY, labelId: 'choice.roomDoor' }];
      case 'room_unit':
        return [{ key: '*', labelId: 'choice.back' }];
      case 'room_shelf':
        return [{ key: '*', labelId: 'choice.back' }, { key: '#', labelId: 'choice.enter' }];
      case 'room_resident':
        return [{ key: '*', labelId: 'choice.cancel' }, ...(this.#roomOf(state)?.pickupConfirm === 'done' ? [{ key: '#' as Key, labelId: 'choice.pickupDone' as const }] : [])];
      default:
        return [];
    }
  }

  // --- couriers ------------------------------------------------------------------------------

  async courierLoggedIn(ctx: KioskFlowContext, courier: Courier, credential: 'pin' | 'badge'): Promise<boolean> {
    if (!this.room) return false;
    ctx.to({ name: 'room_scan', courier, roomId: this.room.id, credential });
    const outcome = await ctx.doorsOf('room_deposit', () => ctx.locker.rooms.openForCourier(this.room!.id, courier, credential));
    this.#showDoor(ctx, outcome);
    if (outcome === 'confirmed_open' || outcome === 'busy') ctx.say('room.courierIn', { courier: courier.carrier }, 'success');
    else ctx.say('room.doorFailed', {}, 'error');
    return true;
  }


  async submit(ctx: KioskFlowContext, entry: string): Promise<void> {
    const s = ctx.state;
    // Exactly a code's digits in a courier's session: most likely a resident's code (not an
    // existing unit at the unit prompt). Nothing of it is logged, audited or shown; * then logs out.
    if ((s.name === 'room_scan' || s.name === 'room_unit' || s.name === 'room_shelf') && entry.length === ctx.config.codes.length && /^[0-9]+$/.test(entry) && !(s.name === 'room_unit' && ctx.locker.unit(entry))) {
      ctx.to({ name: 'room_scan', courier: s.courier, roomId: s.roomId, credential: s.credential });
      return ctx.say('courier.sessionOpen', {}, 'error');
    }
    switch (s.name) {
      case 'room_scan':
        if (entry !== '') return this.#parcel(ctx, s, entry, true);
        return ctx.say('room.courierIn', { courier: s.courier.carrier });
      case 'room_unit': {
        if (!/^[0-9]{1,8}$/.test(entry) || !ctx.locker.unit(entry)) {
          // Might be a PIN or a code: its length and why, never the digits.
          ctx.locker.recordRefusal(`courier:${s.courier.id}`, 'deposit.unit_unknown', { length: entry.length, reason: /^[0-9]{1,8}$/.test(entry) ? 'no such unit' : 'not a unit number' });
          return ctx.say('courier.unitUnknown', {}, 'error');
        }
        return this.#nameShelf(ctx, s, entry);
      }
      case 'room_shelf':
        if (entry !== '') return ctx.say('room.shelfFirst', { shelf: s.shelf }, 'error');
        return this.#store(ctx, s, undefined);
      case 'room_resident': {
        // Someone's code (the next resident, or this one again): the welcome screen's rules take it.
        if (entry.length === ctx.config.codes.length && /^[0-9]+$/.test(entry)) return ctx.handOver({ entry });
        const room = this.#roomOf(s);
        if (entry !== '' || room?.pickupConfirm !== 'done') return ctx.say(this.#residentPrompt(s), { list: parcelList(s.parcels) });
        const count = ctx.locker.rooms.confirmAll(s.roomId, { unit: s.unit, codeId: s.codeId }, s.parcels.map((p) => p.parcelId));
        ctx.endSession();
        return ctx.say('room.doneConfirmed', { count }, 'success', 'goodbye');
      }
      default:
        return ctx.say('door.closeFirst', {});
    }
  }

  async cancel(ctx: KioskFlowContext): Promise<void> {
    const s = ctx.state;
    switch (s.name) {
      case 'room_scan':
        ctx.log.info({ courier: s.courier.id }, 'courier logged out of the package room');
        ctx.endSession();
        return ctx.say('courier.loggedOut', {}, 'success', 'goodbye');
      case 'room_unit':
        ctx.to({ name: 'room_scan', courier: s.courier, roomId: s.roomId, credential: s.credential });
        return ctx.say('room.courierIn', { courier: s.courier.carrier });
      case 'room_shelf':
        ctx.to({ name: 'room_unit', courier: s.courier, roomId: s.roomId, credential: s.credential, tracking: s.tracking, carrier: s.carrier });
        return ctx.say('courier.keyUnit', {});
      case 'room_resident':
        // The list leaves the screen for the next person; a label scanned at the welcome screen still scans out.
        ctx.endSession();
        return ctx.say('room.scanOnWayOut', {}, 'info', 'goodbye');
      default:
        return;
    }
  }

  /** C at the courier's prompt, nothing typed: the room door again. */
  async key(ctx: KioskFlowContext, key: Key): Promise<boolean> {
    const s = ctx.state;
    if (key !== ROOM_DOOR_KEY || s.name !== 'room_scan') return false;
    const outcome = await ctx.doorsOf('room_deposit', () => ctx.locker.rooms.openForCourier(s.roomId, s.courier, s.credential));
    this.#showDoor(ctx, outcome);
    if (outcome === 'busy') ctx.say('room.doorAlreadyUnlocked', {});
    else if (outcome === 'confirmed_open') ctx.say('room.doorUnlocked', {}, 'success');
    else ctx.say('room.doorFailed', {}, 'error');
    return true;
  }

  async scan(ctx: KioskFlowContext, scan: ScanResult, text: string): Promise<void> {
    const s = ctx.state;
    switch (s.name) {
      case 'room_scan': {
        if (this.#shelfLabel(s.roomId, ctx, text)) return ctx.say('room.parcelFirst', {}, 'error');
        return this.#parcelScan(ctx, s, scan, false);
      }
      case 'room_unit':
        if (this.#shelfLabel(s.roomId, ctx, text)) return ctx.say('room.parcelFirst', {}, 'error');
        return ctx.say('courier.keyUnit', {}, 'error');
      case 'room_shelf': {
        const label = this.#shelfLabel(s.roomId, ctx, text);
        if (!label) return ctx.say('room.shelfFirst', { shelf: s.shelf }, 'error');
        if (!label.known) {
          ctx.locker.recordRefusal(`courier:${s.courier.id}`, 'room.shelf_unknown', { roomId: s.roomId, length: label.shelf.length });
          return ctx.say('room.unknownShelf', { shelf: s.shelf }, 'error');
        }
        return this.#store(ctx, s, label.shelf);
      }
      case 'room_resident':
        // A pickup QR: the next resident (or this one again), as at the welcome screen.
        if (scan.kind === 'pickup') return ctx.handOver({ scan: text });
        return this.#scanOut(ctx, s, scan);
      default:
        return ctx.say('door.closeFirst', {});
    }
  }

  // --- residents -----------------------------------------------------------------------------

  async pickupElsewhere(ctx: KioskFlowContext, result: Extract<PickupResult, { ok: true }>): Promise<void> {
    const area = result.elsewhere.find((a) => a.kind === 'room' && ctx.locker.rooms.room(a.areaId));
    if (!area) return;
    const parcels: RoomParcel[] = area.parcels.map((p) => ({ parcelId: p.parcelId, placeId: p.placeId, tracking: ctx.locker.rooms.tracking(p.parcelId) }));
    const resident = { unit: result.unit, codeId: result.codeId, via: result.via };
    const lockerDoors = new Map(ctx.doors);
    const outcome = await ctx.doorsOf('room_pickup', () => ctx.locker.rooms.letIn(area.areaId, resident, parcels.map((p) => p.parcelId)));
    if (outcome !== 'confirmed_open' && outcome !== 'busy') {
      ctx.doors.set(area.areaId, 'failed');
      return ctx.say('room.residentDoorFailed', {}, 'error');
    }
    const state: KioskState = { name: 'room_resident', roomId: area.areaId, unit: result.unit, codeId: result.codeId, parcels };
    ctx.to(state);
    // The locker doors opened for this code stay on screen beside the room door.
    for (const [id, st] of lockerDoors) ctx.doors.set(id, st);
    ctx.doors.set(area.areaId, 'open');
    const list = parcelList(parcels);
    if (outcome === 'busy') return ctx.say('room.residentDoorBusy', { list });
    if (lockerDoors.size > 0) return ctx.say('room.lockerAndRoom', { list }, 'success');
    return ctx.say(this.#residentPrompt(state), { list }, 'success');
  }

  /** A parcel label at the welcome screen of a room station: a resident scanning out after their session ended. */
  async scanAtWelcome(ctx: KioskFlowContext, scan: ScanResult): Promise<boolean> {
    if (scan.kind !== 'parcel' || !scan.tracking) return false;
    // At a locker kiosk, a label of a parcel in one of its overflow rooms; anything else is the session's.
    const roomId = this.room?.id ?? ctx.locker.rooms.roomOfTracking(scan.tracking);
    if (!roomId) return false;
    const result = ctx.locker.rooms.scanOut(roomId, scan.tracking, null);
    if (result.ok) ctx.say('room.scanOutThanks', { shelf: result.placeId }, 'success', 'goodbye');
    else if (result.reason === 'wrong_pickup') ctx.say('room.wrongPickup', { shelf: result.placeId }, 'error');
    else ctx.say('room.notInRoom', {}, 'error');
    return true;
  }

  async #scanOut(ctx: KioskFlowContext, s: Extract<KioskState, { name: 'room_resident' }>, scan: ScanResult): Promise<void> {
    if (scan.kind !== 'parcel' || !scan.tracking) return ctx.say('room.notALabel', {}, 'error');
    const result = ctx.locker.rooms.scanOut(s.roomId, scan.tracking, { unit: s.unit, codeId: s.codeId });
    if (!result.ok) {
      if (result.reason === 'wrong_pickup') return ctx.say('room.wrongPickup', { shelf: result.placeId }, 'error');
      return ctx.say('room.notInRoom', {}, 'error');
    }
    const parcels = s.parcels.filter((p) => p.parcelId !== result.parcelId);
    if (parcels.length === 0) {
      ctx.endSession();
      return ctx.say('pickup.done', {}, 'success', 'goodbye');
    }
    ctx.to({ ...s, parcels });
    return ctx.say('room.scannedOut', { shelf: result.placeId, list: parcelList(parcels) }, 'success');
  }

  #residentPrompt(s: Extract<KioskState, { name: 'room_resident' }>): 'room.residentIn' | 'room.residentInDone' {
    return this.#roomOf(s)?.pickupConfirm === 'done' ? 'room.residentInDone' : 'room.residentIn';
  }

  // --- couriers' parcels ---------------------------------------------------------------------

  /** A tracking number keyed at the courier's prompt (a label that will not scan). */
  async #parcel(ctx: KioskFlowContext, s: Extract<KioskState, { name: 'room_scan' }>, entry: string, keyed: boolean): Promise<void> {
    return this.#parcelScan(ctx, s, parseScan(entry, { maxLength: ctx.config.kiosk.maxScanLength }), keyed);
  }

  /** A parcel label at the courier's prompt: the locker's barcode rules and duplicate refusal. */
  #parcelScan(ctx: KioskFlowContext, s: Extract<KioskState, { name: 'room_scan' }>, scan: ScanResult, keyed: boolean): void {
    if (scan.kind !== 'parcel' || !scan.tracking) return ctx.say(keyed ? 'scan.notATrackingNumber' : 'scan.notAParcel', {}, 'error');
    if (!scan.valid) {
      ctx.locker.recordRefusal(`courier:${s.courier.id}`, 'scan.check_digit_failed', { carrier: scan.carrier, length: scan.tracking.length, keyed });
      return ctx.say(keyed ? 'scan.checkDigitKeyed' : 'scan.checkDigit', {}, 'error');
    }
    const duplicate = ctx.locker.refuseDuplicateTracking(s.courier, scan.tracking, keyed);
    if (duplicate) return ctx.say('room.alreadyStored', { shelf: ctx.locker.rooms.placeOf(scan.tracking) ?? duplicate.compartmentId }, 'error');
    const carrier = scan.carrier && scan.carrier !== 'unknown' ? scan.carrier : null;
    const next = { courier: s.courier, roomId: s.roomId, credential: s.credential, tracking: scan.tracking, carrier };
    const expected = ctx.locker.expectedUnit(scan.tracking);
    if (expected) return this.#nameShelf(ctx, next, expected);
    ctx.to({ name: 'room_unit', ...next });
    if (carrier) return ctx.say('courier.keyUnitForCarrier', { carrier });
    return ctx.say('courier.keyUnit', {});
  }

  /** The unit is known: the kiosk names the shelf (the first with room, choosePlace). */
  #nameShelf(ctx: KioskFlowContext, s: Omit<Extract<KioskState, { name: 'room_unit' }>, 'name'>, unit: string): void {
    const shelf = ctx.locker.rooms.nextShelf(s.roomId);
    if (!shelf) {
      ctx.locker.recordRefusal(`courier:${s.courier.id}`, 'room.full', { roomId: s.roomId });
      ctx.to({ name: 'room_scan', courier: s.courier, roomId: s.roomId, credential: s.credential });
      return ctx.say('room.full', {}, 'error');
    }
    ctx.to({ name: 'room_shelf', courier: s.courier, roomId: s.roomId, credential: s.credential, tracking: s.tracking, carrier: s.carrier, unit, shelf: shelf.id });
    return ctx.say('room.putOnShelf', { unit, shelf: shelf.id });
  }

  /** # (the named shelf) or a shelf label scanned: the parcel is deposited on it now. */
  #store(ctx: KioskFlowContext, s: Extract<KioskState, { name: 'room_shelf' }>, shelf: string | undefined): void {
    const result = ctx.locker.rooms.depositOnShelf({ roomId: s.roomId, courier: s.courier, unit: s.unit, tracking: s.tracking, carrier: s.carrier ?? s.courier.carrier, ...(shelf !== undefined ? { shelf } : {}) });
    const back: CourierState = { name: 'room_scan', courier: s.courier, roomId: s.roomId, credential: s.credential };
    if (result.ok) {
      ctx.to(back);
      return ctx.say('room.stored', { shelf: result.placeId }, 'success');
    }
    switch (result.reason) {
      case 'unknown_shelf':
        return ctx.say('room.unknownShelf', { shelf: s.shelf }, 'error');
      case 'shelf_full': {
        const next = ctx.locker.rooms.nextShelf(s.roomId);
        if (!next) {
          ctx.to(back);
          return ctx.say('room.full', {}, 'error');
        }
        ctx.to({ ...s, shelf: next.id });
        return ctx.say('room.shelfFull', { full: result.placeId, shelf: next.id }, 'error');
      }
      case 'room_full':
        ctx.to(back);
        return ctx.say('room.full', {}, 'error');
      case 'duplicate':
        ctx.to(back);
        return ctx.say('room.alreadyStored', { shelf: result.compartmentId }, 'error');
      case 'unknown_unit':
        ctx.to({ name: 'room_unit', courier: s.courier, roomId: s.roomId, credential: s.credential, tracking: s.tracking, carrier: s.carrier });
        return ctx.say('courier.unitUnknown', {}, 'error');
    }
  }

  #shelfLabel(roomId: string, ctx: KioskFlowContext, text: string): ReturnType<typeof parseShelfLabel> {
    return parseShelfLabel(text, ctx.locker.rooms.shelves(roomId).map((p) => p.id));
  }

  #roomOf(state: RoomState): RoomConfig | undefined {
    return this.#rooms.find((r) => r.id === state.roomId);
  }

  #showDoor(ctx: KioskFlowContext, outcome: string): void {
    const id = this.room?.id;
    if (!id) return;
    ctx.doors.clear();
    ctx.doors.set(id, outcome === 'confirmed_open' || outcome === 'busy' ? 'open' : 'failed');
  }
}
