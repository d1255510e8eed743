import type { LockerdConfig } from '../config/types.js';
import { CLOCK_BACK_TOLERANCE_MS } from '../ledger/audit.js';
import type { Ledger } from '../ledger/ledger.js';
import type { OutboxRawRow } from '../ledger/outbox.js';
import type { Logger } from '../log.js';
import { LockerAdministration, Refusal } from '../locker/administration.js';
import type { LockerService } from '../locker/locker-service.js';
import { authorisePickup, revokePickupAuthorisation } from '../locker/desk-authorisations.js';
import { confirmationRefusal, replayRefusal } from './replay.js';
import { describeErrors, validators } from './validate.js';
import { redactCredentials } from '../secrets/redact.js';

/**
 * A command issued further ahead of the kiosk's clock than this shows one of the two clocks is
 * wrong. Expiry is judged by the kiosk's clock, so a kiosk running behind (a Pi without RTC or
 * NTP) would take a stale command for a fresh one: refuse rather than trust it.
 */
export const MAX_CLOCK_AHEAD_MS = 5 * 60_000;

export interface Ack {
  commandId: string;
  status: 'accepted' | 'done' | 'failed' | 'rejected';
  reason?: string;
  at: string;
}

interface Envelope {
  id: string;
  type: string;
  issuedAt: string;
  expiresAt: string;
  data: Record<string, unknown>;
}

export interface CommandInboxDeps {
  ledger: Ledger;
  locker: LockerService;
  admin: LockerAdministration;
  config: LockerdConfig;
  log: Logger;
  sendAck: (ack: Ack) => void;
  /** Publishes outbox rows to `<root>/events` again; resolves once the broker acknowledged them all, rejects with a reason otherwise. */
  republish?: (rows: OutboxRawRow[]) => Promise<void>;
  now?: () => number;
}

/**
 * Commands from upstream: bounded, parsed, validated against the contract, refused when expired
 * or seen before (ids are remembered durably), then carried out through the locker's rules and
 * acknowledged. A refused command changes nothing but the record that it was refused.
 */
export class CommandInbox {
  readonly #now: () => number;
  #replaying = false;

  constructor(private readonly d: CommandInboxDeps) {
    this.#now = d.now ?? Date.now;
  }

  #ack(commandId: string, status: Ack['status'], reason?: string): void {
    this.d.sendAck({ commandId, status, ...(reason !== undefined ? { reason: redactCredentials(reason).slice(0, 300) } : {}), at: new Date(this.#now()).toISOString() });
  }

  #reject(commandId: string, type: string | null, refusal: string, remember: boolean): void {
    const reason = redactCredentials(refusal); // a reason never carries a token upstream or into the ledger
    this.d.log.warn({ commandId, type, reason }, 'command rejected');
    if (remember) {
      try {
        this.d.ledger.transaction(() => this.d.ledger.commands.record(commandId, type ?? 'unknown', this.#now(), 'rejected', reason));
      } catch (err) {
        this.d.log.error({ err, commandId }, 'could not record a rejected command');
      }
    }
    this.#ack(commandId, 'rejected', reason);
  }

  async handle(payload: Buffer): Promise<void> {
    const max = this.d.config.mqtt.maxCommandBytes;
    if (payload.length > max) return this.#reject('unknown', null, `command is ${payload.length} bytes, more than the ${max} accepted`, false);
    let value: unknown;
    try {
      value = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.#reject('unknown', null, 'command is not valid JSON', false);
    }
    const rawId = (value as { id?: unknown } | null)?.id;
    const idForAck = typeof rawId === 'string' && rawId.length > 0 && rawId.length <= 128 ? rawId : 'unknown';
    if (!validators.commandEnvelope(value)) return this.#reject(idForAck, null, describeErrors(validators.commandEnvelope, 'command'), false);
    const cmd = value as Envelope;
    const now = this.#now();
    const seen = this.d.ledger.commands.seen(cmd.id);
    if (seen !== undefined) return this.#reject(cmd.id, cmd.type, `duplicate: command ${cmd.id} was already received (${seen})`, false);
    const issuedAt = Date.parse(cmd.issuedAt);
    const expiresAt = Date.parse(cmd.expiresAt);
    if (expiresAt <= now) return this.#reject(cmd.id, cmd.type, `expired at ${new Date(expiresAt).toISOString()}`, true);
    // Clock refusals are about the kiosk, not the command: not remembered, so the same command
    // sent again once the clocks agree is carried out (still at most once, still before expiry).
    const latest = this.d.ledger.audit.latestAt();
    if (latest !== null && latest - now > CLOCK_BACK_TOLERANCE_MS) {
      const behind = Math.round((latest - now) / 1000);
      this.d.log.warn({ commandId: cmd.id, type: cmd.type, behindSeconds: behind }, 'command refused: the kiosk clock is behind its own ledger; check NTP');
      return this.#reject(cmd.id, cmd.type, `the kiosk's clock (${new Date(now).toISOString()}) is ${behind} s behind its own ledger: expiry cannot be judged; check NTP on the kiosk`, false);
    }
    if (issuedAt - now > MAX_CLOCK_AHEAD_MS) {
      const ahead = Math.round((issuedAt - now) / 1000);
      this.d.log.warn({ commandId: cmd.id, type: cmd.type, aheadSeconds: ahead }, 'command issued ahead of the kiosk clock: check NTP on the kiosk and on upstream');
      return this.#reject(cmd.id, cmd.type, `issued ${ahead} s ahead of the kiosk's clock (${new Date(now).toISOString()}): one of the clocks is wrong; check NTP`, false);
    }
    if (expiresAt - issuedAt > this.d.config.mqtt.maxCommandTtlMs) {
      return this.#reject(cmd.id, cmd.type, `lives longer than the ${this.d.config.mqtt.maxCommandTtlMs} ms a command may`, true);
    }
    const validateData = validators.commandData.get(cmd.type);
    if (!validateData) return this.#reject(cmd.id, cmd.type, `unknown command type "${cmd.type.slice(0, 64)}"`, true);
    if (!validateData(cmd.data)) return this.#reject(cmd.id, cmd.type, describeErrors(validateData, 'data'), true);
    // Log the type and id only: some commands carry credentials.
    this.d.log.info({ commandId: cmd.id, type: cmd.type }, 'command received');
    try {
      if (cmd.type === 'door.open') return await this.#openDoor(cmd);
      if (cmd.type === 'events.replay') return await this.#replay(cmd);
      this.d.ledger.transaction(() => {
        this.#apply(cmd);
        this.d.ledger.commands.record(cmd.id, cmd.type, now, 'done');
      });
      this.#ack(cmd.id, 'done');
    } catch (err) {
      if (err instanceof Refusal) return this.#reject(cmd.id, cmd.type, err.message, true);
      this.d.log.error({ err, commandId: cmd.id, type: cmd.type }, 'command failed');
      this.#reject(cmd.id, cmd.type, 'internal error; see the locker log', true);
    }
  }

  /** Carries out a synchronous command; runs inside the caller's transaction. */
  #apply(cmd: Envelope): void {
    const a = this.d.admin;
    const actor = `remote:${cmd.id}`;
    // The data was validated against the command's schema just before: its fields have the types named there.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const d = cmd.data as Record<string, any>;
    switch (cmd.type) {
      case 'unit.upsert':
        return a.upsertUnit(d.unit, d.accessible ?? false, actor);
      case 'unit.remove':
        return a.removeUnit(d.unit, actor);
      case 'resident.upsert':
        return a.upsertResident(d.residentId, d.unit, d.accessible ?? false, actor);
      case 'resident.remove':
        return a.removeResident(d.residentId, actor);
      case 'courier.set':
        return a.setCourier({ courierId: d.courierId, carrier: d.carrier, pin: d.pin, badge: d.badge }, actor);
      case 'courier.remove':
        return a.removeCourier(d.courierId, actor);
      case 'staff.set':
        return a.setStaff({ staffId: d.staffId, name: d.name, pin: d.pin, badge: d.badge }, actor);
      case 'staff.remove':
        return a.removeStaff(d.staffId, actor);
      case 'delivery.expect':
        return a.expectDelivery(d.tracking, d.unit, d.expiresAt ? Date.parse(d.expiresAt) : undefined, actor);
      case 'parcel.cancel':
        return a.cancelParcel(d.parcelId, d.reason, actor, cmd.id);
      case 'parcel.extend_hold':
        return a.extendHold(d.parcelId, Date.parse(d.until), actor, cmd.id);
      case 'code.reissue':
        a.reissueCode(d.unit, actor, cmd.id);
        return;
      case 'pickup.authorise':
        return authorisePickup(this.d.ledger, { authorisationId: d.authorisationId, unit: d.unit, collector: d.collector, parcelId: d.parcelId, expiresAt: d.expiresAt }, this.#now(), actor, cmd.id);
      case 'pickup.revoke':
        return revokePickupAuthorisation(this.d.ledger, d.authorisationId, this.#now(), actor, cmd.id);
      case 'compartment.set_service':
        return a.setService(d.compartmentId, d.inService, d.reason ?? null, actor, cmd.id);
      case 'events.ack': {
        const outbox = this.d.ledger.outbox;
        const refusal = confirmationRefusal(d.throughSeq, outbox.newestSeq());
        if (refusal) throw new Refusal(refusal);
        const erased = outbox.confirmThrough(d.throughSeq, this.#now());
        this.d.log.info({ commandId: cmd.id, throughSeq: d.throughSeq, codesErased: erased }, 'upstream confirmed events');
        return;
      }
      default:
        throw new Refusal(`command type "${cmd.type}" cannot be carried out here`);
    }
  }

  /** Checked before it is accepted; one at a time, so what is in flight stays bounded. */
  async #replay(cmd: Envelope): Promise<void> {
    const { fromSeq, toSeq } = cmd.data as { fromSeq: number; toSeq: number };
    const outbox = this.d.ledger.outbox;
    // Not remembered: the same command sent again once the other replay is over is carried out.
    if (this.#replaying) return this.#reject(cmd.id, cmd.type, 'another events.replay is under way: send this one again once it is done', false);
    const refusal = replayRefusal(fromSeq, toSeq, { newestSeq: outbox.newestSeq(), oldestHeldSeq: outbox.oldestHeldSeq(), heldInRange: outbox.heldIn(fromSeq, toSeq) });
    if (refusal) return this.#reject(cmd.id, cmd.type, refusal, true);
    if (!this.d.republish) return this.#reject(cmd.id, cmd.type, 'this kiosk has no upstream link to replay events on', true);
    this.#replaying = true;
    try {
      this.d.ledger.transaction(() => this.d.ledger.commands.record(cmd.id, cmd.type, this.#now(), 'accepted'));
      this.#ack(cmd.id, 'accepted');
      const rows = outbox.range(this.d.config.kioskId, fromSeq, toSeq);
      this.d.log.info({ commandId: cmd.id, fromSeq, toSeq, events: rows.length }, 'replaying events at upstream\'s request');
      try {
        await this.d.republish(rows);
      } catch (err) {
        const reason = `${(err as Error).message}; send events.replay again`;
        this.d.ledger.transaction(() => this.d.ledger.commands.update(cmd.id, 'failed', reason));
        this.d.log.warn({ commandId: cmd.id, reason }, 'event replay failed');
        return this.#ack(cmd.id, 'failed', reason);
      }
      this.d.ledger.transaction(() => this.d.ledger.commands.update(cmd.id, 'done', null));
      this.#ack(cmd.id, 'done');
    } finally {
      this.#replaying = false;
    }
  }

  /**
   * Executed at most once: the id is recorded as accepted before the lock fires. A door the locker
   * would refuse (unknown, busy, holding a parcel) is rejected before anything is accepted: the
   * contract allows `rejected` only as a command's one and only ack.
   */
  async #openDoor(cmd: Envelope): Promise<void> {
    const d = cmd.data as { compartmentId: string; reason: string; staffRecall?: boolean };
    const staffRecall = d.staffRecall ?? false;
    const refusal = this.d.locker.remoteOpenRefusal(d.compartmentId, staffRecall);
    if (refusal !== null) return this.#reject(cmd.id, cmd.type, refusal, true);
    this.d.ledger.transaction(() => this.d.ledger.commands.record(cmd.id, cmd.type, this.#now(), 'accepted'));
    this.#ack(cmd.id, 'accepted');
    // Nothing awaits between the check and openForRemote's own: it cannot refuse now. Should it
    // ever, the command already said `accepted`, so it ends `failed`, never `rejected`.
    const result = await this.d.locker.openForRemote(d.compartmentId, d.reason, staffRecall, cmd.id);
    if (!result.ok) {
      this.d.ledger.transaction(() => this.d.ledger.commands.update(cmd.id, 'failed', result.reason));
      this.d.log.error({ commandId: cmd.id, reason: result.reason }, 'remote door open refused after it was accepted');
      return this.#ack(cmd.id, 'failed', result.reason);
    }
    const status = result.outcome === 'confirmed_open' ? 'done' : 'failed';
    this.d.ledger.transaction(() => this.d.ledger.commands.update(cmd.id, status, status === 'failed' ? result.outcome : null));
    this.#ack(cmd.id, status, status === 'failed' ? `the door did not open (${result.outcome})` : undefined);
  }
}
