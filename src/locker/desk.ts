/**
 * The front desk (`storage: "desk"`): staff log parcels in to a storage place and hand them over
 * against the resident's code or QR and their signature. No door: a parcel is `deposited` the
 * moment staff log it in, and `picked_up` the moment the resident's signature is stored. The
 * screen flow is src/kiosk/flows/desk.ts; the format of a signature is ./desk-signature.ts.
 */
import type { CompartmentSize, DeskConfig, LockerdConfig } from '../config/types.js';
import type { PickupAuthorisation } from '../ledger/authorisations.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Parcel } from '../ledger/parcels.js';
import type { StaffMember } from '../ledger/staff.js';
import type { Place } from '../ledger/storage-areas.js';
import { uuidv7 } from '../ledger/uuidv7.js';
import type { Logger } from '../log.js';
import { choosePlace } from './allocation.js';
import type { Credentials } from './credentials.js';
import { recordDeposit } from './deposit-record.js';
import { checkPath, checkStrokes, signatureHash, type SignatureCheck } from './desk-signature.js';
import type { PickupResult } from './pickups.js';
import type { RefusalRecorder } from './refusals.js';

export type DeskLoginResult =
  | { ok: true; staff: StaffMember }
  /** A courier's PIN or badge: right, but a desk is run by staff. */
  | { ok: false; reason: 'not_staff' }
  | { ok: false; reason: 'wrong_pin' }
  | { ok: false; reason: 'throttled'; waitMs: number };

export interface IntakeRequest {
  staff: StaffMember;
  tracking: string;
  carrier: string | null;
  unit: string;
  /** A place chosen on the screen or scanned; null: the default (choosePlace). */
  placeId: string | null;
}

export type IntakeResult =
  | { ok: true; parcelId: string; placeId: string; size: CompartmentSize; codeId: number; newCode: boolean }
  | { ok: false; reason: 'unknown_unit' | 'no_place' }
  | { ok: false; reason: 'unknown_place' }
  | { ok: false; reason: 'place_full'; placeId: string }
  | { ok: false; reason: 'duplicate'; where: string };

/** A parcel waiting at the desk, as staff see it at pickup. */
export interface DeskParcel {
  parcelId: string;
  placeId: string;
  carrier: string | null;
  tracking: string | null;
}

export type DeskPickupFound =
  /** `via`: keyed code or scanned QR, kept with the pickup for the proof of delivery. */
  | { ok: true; unit: string; codeId: number; via: 'code' | 'qr'; parcels: DeskParcel[]; collectors: PickupAuthorisation[] }
  | { ok: false; reason: 'wrong_code' | 'nothing_waiting' | 'hold_ended' }
  | { ok: false; reason: 'throttled'; waitMs: number };

export interface SignedPickupRequest {
  staff: StaffMember;
  unit: string;
  codeId: number;
  /** How the resident proved who they are: their code keyed, or their QR scanned. */
  via: 'code' | 'qr';
  parcelIds: readonly string[];
  /** The authorised collector staff chose; null: the resident. */
  collector: PickupAuthorisation | null;
}

export type SignedPickupResult =
  | { ok: true; signatureId: number; sha256: string; parcels: string[] }
  | { ok: false; reason: 'bad_signature'; message: string }
  /** The parcels are no longer all waiting (picked up, cancelled meanwhile): staff look the code up again. */
  | { ok: false; reason: 'not_waiting' };

/** The one desk this station runs, if it is a desk station. */
export function stationDesk(config: LockerdConfig): DeskConfig | undefined {
  return config.storage === 'desk' ? config.desks[0] : undefined;
}

export class Desk {
  readonly #ledger: Ledger;
  readonly #config: LockerdConfig;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #random: ((max: number) => number) | undefined;
  readonly #credentials: Credentials;
  readonly #refusals: RefusalRecorder;
  readonly #pickup: (credential: string | { qrToken: string }) => Promise<PickupResult>;

  constructor(deps: { ledger: Ledger; config: LockerdConfig; log: Logger; now: () => number; random?: (max: number) => number; credentials: Credentials; refusals: RefusalRecorder; pickup: (credential: string | { qrToken: string }) => Promise<PickupResult> }) {
    this.#ledger = deps.ledger;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#now = deps.now;
    this.#random = deps.random;
    this.#credentials = deps.credentials;
    this.#refusals = deps.refusals;
    this.#pickup = deps.pickup;
  }

  /** The desk of this station; a desk flow on another station is a wiring mistake. */
  get desk(): DeskConfig {
    const desk = stationDesk(this.#config);
    if (!desk) throw new Error('this station is not a front desk (storage is not "desk")');
    return desk;
  }

  /**
   * Only staff log in at a desk. A courier's PIN or badge is refused and audited (`desk.login_refused`);
   * a wrong PIN counts against the guessing throttle exactly as at a locker's welcome screen.
   */
  login(credential: string | { badgeToken: string }): DeskLoginResult {
    const waitMs = this.#credentials.waitMs('pin');
    if (waitMs > 0) return { ok: false, reason: 'throttled', waitMs };
    const hashed = typeof credential === 'string' ? this.#ledger.hasher.hash('pin', credential) : this.#ledger.hasher.hash('token', credential.badgeToken);
    const how = typeof credential === 'string' ? 'pin' : 'badge';
    const staff = typeof credential === 'string' ? this.#ledger.staff.byPinHash(hashed) : this.#ledger.staff.byBadgeHash(hashed);
    if (staff) {
      this.#ledger.transaction(() => this.#ledger.audit.record({ at: this.#now(), actor: `staff:${staff.id}`, action: 'staff.logged_in', detail: { credential: how, desk: this.desk.id } }));
      return { ok: true, staff };
    }
    const courier = typeof credential === 'string' ? this.#ledger.people.courierByPinHash(hashed) : this.#ledger.people.courierByBadgeHash(hashed);
    if (courier) {
      this.#refusals.record(`courier:${courier.id}`, 'desk.login_refused', { reason: 'a front desk is run by staff', credential: how });
      return { ok: false, reason: 'not_staff' };
    }
    this.#credentials.recordFailure('pin', 'kiosk', 'desk.login_refused');
    return { ok: false, reason: 'wrong_pin' };
  }

  /** The desk's places, active ones, with what is on them. */
  places(): Place[] {
    return this.#ledger.storage.places(this.desk.id).filter((p) => p.active);
  }

  /** The place staff would be offered for the next parcel. */
  defaultPlace(): Place | null {
    return choosePlace(this.places(), null);
  }

  unit(id: string): boolean {
    return this.#ledger.people.unit(id) !== undefined;
  }

  expectedUnit(tracking: string): string | undefined {
    return this.#ledger.expectedDeliveries.unitFor(tracking, this.#now());
  }

  /** A tracking number already in the building (locker, room or desk): where, or null. Audited when refused. */
  refuseDuplicate(staff: StaffMember, tracking: string): string | null {
    const inside = this.#ledger.parcels.activeWithTracking(tracking);
    if (!inside) return null;
    const where = inside.placeId ?? inside.compartmentId;
    this.#refusals.record(`staff:${staff.id}`, 'desk.intake_refused_duplicate', { tracking, parcelId: inside.id, where });
    return where;
  }

  /**
   * Logs a parcel in: reserved and deposited at once on its place (no door to wait for), the
   * unit's code issued or reused, the resident notified (`parcel.deposited` with `placeId`). One
   * transaction. An unknown or full place is refused and audited; nothing is stored.
   */
  intake(req: IntakeRequest): IntakeResult {
    const actor = `staff:${req.staff.id}`;
    if (!this.unit(req.unit)) {
      this.#refusals.record(actor, 'desk.unit_unknown', { length: req.unit.length });
      return { ok: false, reason: 'unknown_unit' };
    }
    const duplicate = this.refuseDuplicate(req.staff, req.tracking);
    if (duplicate !== null) return { ok: false, reason: 'duplicate', where: duplicate };
    let place: Place | null;
    if (req.placeId !== null) {
      place = this.places().find((p) => p.id === req.placeId) ?? null;
      if (!place) {
        this.#refusals.record(actor, 'desk.place_unknown', { place: req.placeId.slice(0, 32), desk: this.desk.id });
        return { ok: false, reason: 'unknown_place' };
      }
      if (place.parcels >= place.capacity) {
        this.#refusals.record(actor, 'desk.place_full', { place: place.id, capacity: place.capacity });
        return { ok: false, reason: 'place_full', placeId: place.id };
      }
    } else {
      place = this.defaultPlace();
      if (!place) {
        this.#refusals.record(actor, 'desk.full', { desk: this.desk.id });
        return { ok: false, reason: 'no_place' };
      }
    }
    const chosen = place;
    const at = this.#now();
    const parcelId = uuidv7(at);
    const recorded = this.#ledger.transaction(() => {
      this.#ledger.parcels.reserve({ id: parcelId, unit: req.unit, size: chosen.size, compartmentId: this.desk.id, carrier: req.carrier, tracking: req.tracking, courierId: null, reservedAt: at, placeId: chosen.id });
      const parcel = this.#ledger.parcels.get(parcelId)!;
      return recordDeposit(this.#ledger, this.#config, { parcel, compartmentId: this.desk.id, size: chosen.size, at, actor, detail: { desk: this.desk.id, placeId: chosen.id, intake: true }, ...(this.#random ? { random: this.#random } : {}) });
    });
    this.#log.info({ parcelId, desk: this.desk.id, placeId: chosen.id, unit: req.unit, tracking: req.tracking, staff: req.staff.id, newCode: recorded.newCode }, 'parcel logged in at the desk');
    return { ok: true, parcelId, placeId: chosen.id, size: chosen.size, codeId: recorded.codeId, newCode: recorded.newCode };
  }

  /**
   * Staff key the resident's code or scan their QR: the parcels waiting at this desk for it, and
   * who else may collect them. The code is checked by the locker's pickup (guessing throttle,
   * holds); nothing changes until the signature.
   */
  async find(credential: string | { qrToken: string }): Promise<DeskPickupFound> {
    const result = await this.#pickup(credential);
    if (!result.ok) {
      if (result.reason === 'throttled') return result;
      if (result.reason === 'doors_open') return { ok: false, reason: 'nothing_waiting' };
      return { ok: false, reason: result.reason };
    }
    const here = result.elsewhere.filter((e) => e.areaId === this.desk.id).flatMap((e) => e.parcels);
    if (here.length === 0) return { ok: false, reason: 'nothing_waiting' };
    const parcels = here.map(({ parcelId, placeId }) => {
      const p = this.#ledger.parcels.get(parcelId)!;
      return { parcelId, placeId, carrier: p.carrier, tracking: p.tracking };
    });
    const ids = new Set(parcels.map((p) => p.parcelId));
    const collectors = this.#ledger.authorisations.liveForUnit(result.unit, this.#now()).filter((a) => a.parcelId === null || ids.has(a.parcelId));
    return { ok: true, unit: result.unit, codeId: result.codeId, via: result.via, parcels, collectors };
  }

  /** The page's strokes, checked and encoded (./desk-signature.ts). */
  checkStrokes(strokes: unknown): SignatureCheck {
    return checkStrokes(strokes);
  }

  /** A path keyed for `lockerctl sim sign`: decoded and checked like the page's strokes. */
  checkPath(path: unknown): SignatureCheck {
    return checkPath(path);
  }

  /**
   * The resident signed: the signature is stored with its hash, and the parcels are `picked_up`
   * naming it (and the collector, if staff chose one), each with its audit row and its
   * `parcel.picked_up` event, the code used once nothing waits on it, the authorisation used:
   * one transaction. A signature that fails the checks changes nothing.
   */
  signedPickup(req: SignedPickupRequest, signature: SignatureCheck): SignedPickupResult {
    const actor = `staff:${req.staff.id}`;
    if (!signature.ok) {
      this.#refusals.record(actor, 'desk.signature_refused', { reason: signature.reason, unit: req.unit });
      return { ok: false, reason: 'bad_signature', message: signature.reason };
    }
    const desk = this.desk;
    const at = this.#now();
    const collector = req.collector?.collector ?? null;
    const result = this.#ledger.transaction((): SignedPickupResult => {
      const parcels = req.parcelIds.map((id) => this.#ledger.parcels.get(id));
      if (parcels.length === 0 || parcels.some((p) => !isWaitingAt(p, desk.id, req.codeId))) return { ok: false, reason: 'not_waiting' };
      // A collector authorised for one parcel takes that one only (the flow lists only it).
      if (req.collector && (req.collector.unit !== req.unit || (req.collector.parcelId !== null && req.parcelIds.some((id) => id !== req.collector!.parcelId)))) return { ok: false, reason: 'not_waiting' };
      if (req.collector && !this.#ledger.authorisations.markUsed(req.collector.id, at)) return { ok: false, reason: 'not_waiting' };
      const record = { desk: desk.id, staffId: req.staff.id, unit: req.unit, collector, at, parcels: [...req.parcelIds].sort(), statement: desk.statement, path: signature.path };
      const sha256 = signatureHash(record);
      const signatureId = this.#ledger.signatures.append({ ...record, sha256 });
      this.#ledger.audit.record({ at, actor, action: 'desk.signed', compartmentId: desk.id, detail: { signatureId, sha256, unit: req.unit, parcels: record.parcels, collector, authorisationId: req.collector?.id ?? null } });
      for (const parcel of parcels as Parcel[]) {
        this.#ledger.parcels.end(parcel.id, 'deposited', 'picked_up', at);
        this.#ledger.signatures.attach(parcel.id, signatureId, collector);
        this.#ledger.audit.record({ at, actor, action: 'parcel.picked_up', compartmentId: desk.id, parcelId: parcel.id, detail: { signatureId, placeId: parcel.placeId, collector, via: req.via } });
        this.#ledger.outbox.append('parcel.picked_up', at, {
          parcelId: parcel.id,
          compartmentId: desk.id,
          ...(parcel.placeId !== null ? { placeId: parcel.placeId } : {}),
          unit: parcel.unit,
          codeId: req.codeId,
          waitedSeconds: parcel.depositedAt ? Math.round((at - parcel.depositedAt) / 1000) : null,
          signatureId,
          collector,
        });
      }
      if (this.#ledger.parcels.waitingForCode(req.codeId).length === 0) this.#ledger.codes.end(req.codeId, 'used', at);
      return { ok: true, signatureId, sha256, parcels: record.parcels };
    });
    if (result.ok) this.#log.info({ desk: desk.id, unit: req.unit, parcels: result.parcels, signatureId: result.signatureId, collector: collector !== null, staff: req.staff.id }, 'parcels handed over at the desk, signed');
    else this.#log.info({ desk: desk.id, unit: req.unit }, 'signed pickup refused: the parcels are no longer all waiting');
    return result;
  }
}

function isWaitingAt(p: Parcel | undefined, desk: string, codeId: number): p is Parcel {
  return p !== undefined && p.state === 'deposited' && p.compartmentId === desk && p.codeId === codeId && p.placeId !== null;
}
