import { BADGE_PREFIX, parseBadge } from '../barcode/badge.js';
import type { LockerdConfig } from '../config/types.js';
import type { Ledger } from '../ledger/ledger.js';
import { NOT_IN_CONFIG } from './apply-config.js';
import { issueCode } from './code-issuer.js';

/** A command that cannot be carried out as asked; the message says why, for the ack. Changes nothing. */
export class Refusal extends Error {
  override name = 'Refusal';
}

const OUT_OF_SERVICE_CANCELLED = 'holds a cancelled parcel: remove it, then put the compartment back in service';

/**
 * Changes upstream asks for: units, residents, couriers, expected deliveries, parcels, codes and
 * compartments. Each method is one ledger transaction with its audit row and outbox event, and
 * throws Refusal (changing nothing) when the request does not fit the ledger's state. Callers may
 * wrap a call in their own transaction (it then becomes a savepoint).
 */
export class LockerAdministration {
  constructor(
    private readonly ledger: Ledger,
    private readonly config: LockerdConfig,
    private readonly now: () => number = Date.now,
    private readonly random?: (max: number) => number,
  ) {}

  #audit(actor: string, action: string, detail: Record<string, unknown>, compartmentId?: string | null, parcelId?: string | null): void {
    this.ledger.audit.record({ at: this.now(), actor, action, detail, compartmentId, parcelId });
  }

  upsertUnit(unit: string, accessible: boolean, actor: string): void {
    this.ledger.transaction(() => {
      this.ledger.people.upsertUnit({ id: unit, accessible }, 'remote');
      this.#audit(actor, 'unit.upserted', { unit, accessible });
    });
  }

  removeUnit(unit: string, actor: string): void {
    this.ledger.transaction(() => {
      if (!this.ledger.people.removeUnit(unit)) throw new Refusal(`unit ${unit} does not exist`);
      this.#audit(actor, 'unit.removed', { unit });
    });
  }

  upsertResident(residentId: string, unit: string, accessible: boolean, actor: string): void {
    this.ledger.transaction(() => {
      if (!this.ledger.people.unit(unit)) throw new Refusal(`unit ${unit} does not exist; create it first (unit.upsert)`);
      this.ledger.people.upsertResident(residentId, unit, accessible);
      this.#audit(actor, 'resident.upserted', { residentId, unit, accessible });
    });
  }

  removeResident(residentId: string, actor: string): void {
    this.ledger.transaction(() => {
      if (!this.ledger.people.removeResident(residentId)) throw new Refusal(`resident ${residentId} does not exist`);
      this.#audit(actor, 'resident.removed', { residentId });
    });
  }

  /** Stores the PIN (and badge token) only as keyed hashes; neither appears in any message. */
  setCourier(c: { courierId: string; carrier: string; pin: string; badge?: string }, actor: string): void {
    if (c.pin.length === this.config.codes.length) {
      throw new Refusal(`a courier PIN must not have ${this.config.codes.length} digits: that is the length of retrieval codes`);
    }
    // Judged by the scanner's own decoder: a token it would not read could never log anyone in.
    if (c.badge !== undefined && parseBadge(`${BADGE_PREFIX}${c.badge}`) === null) {
      throw new Refusal('the badge token would never scan: it must be 26 characters of canonical RFC 4648 base32 (A-Z, 2-7; the last one A, E, I, M, Q, U, Y or 4, as 128 random bits encode); issue a new one');
    }
    const pinHash = this.ledger.hasher.hash('pin', c.pin);
    const badgeHash = c.badge ? this.ledger.hasher.hash('token', c.badge) : null;
    this.ledger.transaction(() => {
      const holder = this.ledger.people.courierByPinHash(pinHash);
      if (holder && holder.id !== c.courierId) throw new Refusal('another courier already has this PIN; choose another');
      if (this.ledger.staff.byPinHash(pinHash)) throw new Refusal('a staff member already has this PIN; choose another');
      if (badgeHash) {
        const badgeHolder = this.ledger.people.courierByBadgeHash(badgeHash);
        if (badgeHolder && badgeHolder.id !== c.courierId) throw new Refusal('another courier already has this badge');
        if (this.ledger.staff.byBadgeHash(badgeHash)) throw new Refusal('a staff member already has this badge');
      }
      this.ledger.people.upsertCourier({ id: c.courierId, carrier: c.carrier, pinHash, badgeHash }, 'remote');
      this.#audit(actor, 'courier.set', { courierId: c.courierId, carrier: c.carrier, badge: badgeHash !== null });
    });
  }

  removeCourier(courierId: string, actor: string): void {
    this.ledger.transaction(() => {
      if (!this.ledger.people.removeCourier(courierId)) throw new Refusal(`courier ${courierId} does not exist`);
      this.#audit(actor, 'courier.removed', { courierId });
    });
  }

  /**
   * A staff member of the kiosk's staff menu: PIN (and badge) stored only as keyed hashes, never
   * in a message. Refused like a courier's: a PIN of the codes' length, or one someone else has.
   */
  setStaff(m: { staffId: string; name?: string; pin: string; badge?: string }, actor: string): void {
    if (m.pin.length === this.config.codes.length) {
      throw new Refusal(`a staff PIN must not have ${this.config.codes.length} digits: that is the length of retrieval codes`);
    }
    if (m.badge !== undefined && parseBadge(`${BADGE_PREFIX}${m.badge}`) === null) {
      throw new Refusal('the badge token would never scan: it must be 26 characters of canonical RFC 4648 base32 (A-Z, 2-7; the last one A, E, I, M, Q, U, Y or 4, as 128 random bits encode); issue a new one');
    }
    const pinHash = this.ledger.hasher.hash('pin', m.pin);
    const badgeHash = m.badge ? this.ledger.hasher.hash('token', m.badge) : null;
    this.ledger.transaction(() => {
      const holder = this.ledger.staff.byPinHash(pinHash);
      if (holder && holder.id !== m.staffId) throw new Refusal('another staff member already has this PIN; choose another');
      if (this.ledger.people.courierByPinHash(pinHash)) throw new Refusal('a courier already has this PIN; choose another');
      if (badgeHash) {
        const badgeHolder = this.ledger.staff.byBadgeHash(badgeHash);
        if ((badgeHolder && badgeHolder.id !== m.staffId) || this.ledger.people.courierByBadgeHash(badgeHash)) throw new Refusal('someone else already has this badge');
      }
      this.ledger.staff.upsert({ id: m.staffId, name: m.name ?? null, pinHash, badgeHash }, 'remote');
      this.#audit(actor, 'staff.set', { staffId: m.staffId, badge: badgeHash !== null });
    });
  }

  removeStaff(staffId: string, actor: string): void {
    this.ledger.transaction(() => {
      if (!this.ledger.staff.remove(staffId)) throw new Refusal(`staff member ${staffId} does not exist`);
      this.#audit(actor, 'staff.removed', { staffId });
    });
  }

  expectDelivery(tracking: string, unit: string, expiresAt: number | undefined, actor: string): void {
    const now = this.now();
    const until = expiresAt ?? now + 30 * 86_400_000;
    if (until <= now) throw new Refusal('expiresAt is in the past');
    this.ledger.transaction(() => {
      if (!this.ledger.people.unit(unit)) throw new Refusal(`unit ${unit} does not exist`);
      this.ledger.expectedDeliveries.upsert(tracking.toUpperCase(), unit, until, now);
      this.#audit(actor, 'delivery.expected', { tracking: tracking.toUpperCase(), unit });
    });
  }

  /**
   * Cancels a waiting parcel: its code no longer opens it (and dies if it covered nothing else).
   * The parcel is still inside, so the compartment is out of service until someone removes it.
   */
  cancelParcel(parcelId: string, reason: string, actor: string, commandId: string): void {
    const at = this.now();
    this.ledger.transaction(() => {
      const parcel = this.ledger.parcels.get(parcelId);
      if (!parcel) throw new Refusal(`parcel ${parcelId} does not exist`);
      if (parcel.state !== 'deposited') throw new Refusal(`parcel ${parcelId} is ${parcel.state}; only a waiting (deposited) parcel can be cancelled`);
      if (this.ledger.doorOperations.activeFor(parcel.compartmentId).length > 0) throw new Refusal(`the door of ${parcel.compartmentId} is in use; try again when it is shut`);
      this.ledger.parcels.end(parcelId, 'deposited', 'cancelled', at);
      if (parcel.codeId !== null && this.ledger.parcels.waitingForCode(parcel.codeId).length === 0) this.ledger.codes.end(parcel.codeId, 'revoked', at);
      this.ledger.compartments.setOutOfService(parcel.compartmentId, OUT_OF_SERVICE_CANCELLED);
      this.#audit(actor, 'parcel.cancelled', { reason, commandId }, parcel.compartmentId, parcelId);
      this.ledger.outbox.append('parcel.cancelled', at, { parcelId, compartmentId: parcel.compartmentId, unit: parcel.unit, reason, commandId });
    });
  }

  extendHold(parcelId: string, until: number, actor: string, commandId: string): void {
    const at = this.now();
    this.ledger.transaction(() => {
      const parcel = this.ledger.parcels.get(parcelId);
      if (!parcel) throw new Refusal(`parcel ${parcelId} does not exist`);
      if (parcel.state !== 'deposited') throw new Refusal(`parcel ${parcelId} is ${parcel.state}; only a waiting parcel has a hold`);
      if (until <= at) throw new Refusal('until is in the past');
      if (parcel.expiresAt !== null && until <= parcel.expiresAt) throw new Refusal(`the parcel is already held until ${new Date(parcel.expiresAt).toISOString()}`);
      this.ledger.parcels.setExpiry(parcelId, until);
      this.#audit(actor, 'parcel.hold_extended', { until: new Date(until).toISOString(), commandId }, parcel.compartmentId, parcelId);
      this.ledger.outbox.append('parcel.hold_extended', at, { parcelId, expiresAt: new Date(until).toISOString(), commandId });
    });
  }

  /** A new code (and QR) for the unit's waiting parcels; the old one dies in the same transaction. */
  reissueCode(unit: string, actor: string, commandId: string): { codeId: number } {
    const at = this.now();
    return this.ledger.transaction(() => {
      const old = this.ledger.codes.liveForUnit(unit);
      if (!old) throw new Refusal(`unit ${unit} has no parcel waiting`);
      const parcels = this.ledger.parcels.waitingForCode(old.id);
      this.ledger.codes.end(old.id, 'revoked', at);
      const fresh = issueCode(this.ledger, unit, at, this.config.codes.length, this.config.kioskId, this.random);
      this.ledger.parcels.moveToCode(old.id, fresh.codeId);
      this.#audit(actor, 'code.reissued', { unit, codeId: fresh.codeId, previousCodeId: old.id, commandId });
      this.ledger.outbox.append('code.reissued', at, {
        unit, codeId: fresh.codeId, code: fresh.code, pickupQr: fresh.pickupQr, previousCodeId: old.id, parcelIds: parcels.map((p) => p.id), commandId,
      });
      return { codeId: fresh.codeId };
    });
  }

  setService(compartmentId: string, inService: boolean, reason: string | null, actor: string, commandId: string | null): void {
    const at = this.now();
    this.ledger.transaction(() => {
      const c = this.ledger.compartments.get(compartmentId);
      if (!c) throw new Refusal(`compartment ${compartmentId} does not exist`);
      if (inService && c.outOfService === null) throw new Refusal(`compartment ${compartmentId} is already in service`);
      if (inService && c.outOfService === NOT_IN_CONFIG) throw new Refusal(`compartment ${compartmentId} is not in the config file (no lock is wired to it); add it there and restart lockerd`);
      const why = inService ? null : reason ?? 'taken out of service upstream';
      this.ledger.compartments.setOutOfService(compartmentId, why);
      this.#audit(actor, inService ? 'compartment.back_in_service' : 'compartment.out_of_service', { reason: why, commandId }, compartmentId);
      this.ledger.outbox.append('compartment.service_changed', at, { compartmentId, inService, reason: why, commandId, actor });
    });
  }
}
