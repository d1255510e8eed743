import type { UnlockOutcome } from '../../drivers/contracts.js';
import type { LockerdConfig } from '../config/types.js';
import type { Compartment } from '../ledger/compartments.js';
import type { DoorOperation } from '../ledger/door-operations.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Parcel } from '../ledger/parcels.js';
import type { StaffMember } from '../ledger/staff.js';
import { uuidv7 } from '../ledger/uuidv7.js';
import type { Logger } from '../log.js';
import { LockerAdministration, Refusal } from './administration.js';
import type { Credentials } from './credentials.js';
import type { ClosedDoor, DoorOperator } from './door-operator.js';
import type { ThrottleResetResult } from './guessing-throttle.js';

export type { StaffMember } from '../ledger/staff.js';

/** Why staff open a given compartment: the staff menu's short list (key 1..4), in this order. */
export const OPEN_REASONS = ['parcel_stuck', 'cleaning', 'inspection', 'resident_assistance'] as const;
export type OpenReason = (typeof OPEN_REASONS)[number];

/** Why staff take a compartment out of service: the staff menu's list (key 1..4), in this order. */
export const SERVICE_REASONS = ['door_fault', 'cleaning', 'inspection', 'other'] as const;
export type ServiceReason = (typeof SERVICE_REASONS)[number];

/** What staff did with a recalled parcel: kept at the office (`recalled`) or to go back to its sender (`returned`). */
export type RecallDisposition = 'recalled' | 'returned';

/** A staff action refused, changing nothing: why, in a word the kiosk turns into a sentence. */
export type StaffRefusal =
  | { ok: false; reason: 'unknown_compartment' }
  | { ok: false; reason: 'busy'; compartmentId: string }
  | { ok: false; reason: 'not_waiting'; parcelId: string }
  | { ok: false; reason: 'not_expired'; parcel: Parcel }
  | { ok: false; reason: 'refused'; message: string };

export type StaffDoorResult = { ok: true; outcome: UnlockOutcome; operation: number } | StaffRefusal;

/** How an audit walk went, counted by the kiosk as staff answer. */
export interface AuditTally {
  checked: number;
  present: number;
  missing: number;
  skipped: number;
}

/** Why an interrupted recall takes its compartment out of service. */
export const RECALL_INTERRUPTED = 'a restart interrupted a staff recall: check whether the parcel is still inside (audit walk), then put the compartment back in service';
/** Why a recall staff never answered (the session timed out) takes its compartment out of service. */
export const RECALL_UNANSWERED = 'a staff recall was left unanswered: check whether the parcel is still inside (audit walk), then put the compartment back in service';

const actorOf = (staff: StaffMember): string => `staff:${staff.id}`;

/**
 * What staff do at the kiosk's staff menu: open a given compartment with a reason, recall expired
 * parcels one by one, walk the occupied compartments for an audit, take compartments out of
 * service or back, and reset the guessing throttle. Every door goes through the door operator;
 * every action and every refusal is audited with the staff member (and the reason), the actions
 * are sent upstream, and a refusal changes nothing else.
 */
export class Staff {
  readonly #ledger: Ledger;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #doors: DoorOperator;
  readonly #credentials: Credentials;
  readonly #admin: LockerAdministration;
  /** Recall operations of this run: a close of any other one is a recall a restart interrupted. */
  readonly #recallsOfThisRun = new Set<number>();

  constructor(deps: { ledger: Ledger; config: LockerdConfig; log: Logger; now: () => number; doors: DoorOperator; credentials: Credentials }) {
    this.#ledger = deps.ledger;
    this.#log = deps.log;
    this.#now = deps.now;
    this.#doors = deps.doors;
    this.#credentials = deps.credentials;
    this.#admin = new LockerAdministration(deps.ledger, deps.config, deps.now);
    deps.doors.handle('staff', { announcesClose: true });
    // An audit walk's open changes no parcel: a restart in the middle loses nothing but the walk.
    deps.doors.handle('audit', { announcesClose: true });
    deps.doors.handle('recall', {
      announcesClose: true,
      closed: (door) => this.#recallClosed(door),
      abandoned: (op, compartment, at) => this.#recallInterrupted(op, compartment, at),
    });
  }

  /**
   * The compartment staff keyed: its id as printed when the keypad has its characters ("A07" is
   * keyed A 0 7), or its number in the locker's list sorted by id (1 = the first).
   */
  compartment(entry: string): Compartment | undefined {
    const all = this.#ledger.compartments.all();
    const byId = all.find((c) => c.id.toUpperCase() === entry.toUpperCase());
    if (byId) return byId;
    if (!/^[0-9]{1,4}$/.test(entry)) return undefined;
    return all[Number(entry) - 1];
  }

  /** The staff member ended their session with * (audited; a timeout is not). */
  loggedOut(staff: StaffMember): void {
    this.#ledger.transaction(() => this.#ledger.audit.record({ at: this.#now(), actor: actorOf(staff), action: 'staff.logged_out' }));
  }

  parcel(parcelId: string): Parcel | undefined {
    return this.#ledger.parcels.get(parcelId);
  }

  /**
   * Refuses (audited, as `action`) an action on a compartment whose door is in use, before staff
   * are asked for a reason they would give for nothing; null when the door is free.
   */
  refuseIfBusy(staff: StaffMember, action: 'staff.open_refused' | 'staff.service_refused', compartmentId: string): StaffRefusal | null {
    return this.#doors.busy(compartmentId) ? this.#refuse(staff, action, { ok: false, reason: 'busy', compartmentId }, compartmentId) : null;
  }

  // --- open a given compartment --------------------------------------------------------------

  /** Opens one door for staff with the reason chosen; the parcel inside (if any) stays where it is. */
  async openCompartment(staff: StaffMember, compartmentId: string, reason: OpenReason): Promise<StaffDoorResult> {
    const compartment = this.#ledger.compartments.get(compartmentId);
    if (!compartment) return { ok: false, reason: 'unknown_compartment' };
    if (this.#doors.busy(compartmentId)) return this.#refuse(staff, 'staff.open_refused', { ok: false, reason: 'busy', compartmentId }, compartmentId);
    const parcel = this.#ledger.parcels.activeIn(compartmentId);
    return this.#open(staff, compartment, 'open', parcel?.id ?? null, reason);
  }

  // --- recall ------------------------------------------------------------------------------

  /**
   * The parcels staff should recall: waiting and past their hold, longest expired first. The same
   * list as `lockerctl parcels --state expired`: a hold has ended once holds.ts says so (it waits
   * for a sane clock), not merely because the wall clock passed `expires_at`.
   */
  expired(): Parcel[] {
    return this.#ledger.parcels.holdEnded(1000);
  }

  /** The waiting parcel in a compartment (what staff recall when they key one). */
  waitingIn(compartmentId: string): Parcel | undefined {
    const p = this.#ledger.parcels.activeIn(compartmentId);
    // A resident's return waits for its carrier's courier, not for a recall.
    return p?.state === 'deposited' && p.direction === 'inbound' ? p : undefined;
  }

  /**
   * Opens a parcel's door to recall it. A parcel still within its hold is refused (audited) unless
   * staff confirmed they want it anyway (`confirmNotExpired`). The parcel changes only when staff
   * confirm what they did with it (confirmRecall).
   */
  async openForRecall(staff: StaffMember, parcelId: string, confirmNotExpired = false): Promise<StaffDoorResult> {
    const parcel = this.#ledger.parcels.get(parcelId);
    if (!parcel || parcel.state !== 'deposited') return this.#refuse(staff, 'staff.recall_refused', { ok: false, reason: 'not_waiting', parcelId }, parcel?.compartmentId, parcelId);
    if (this.#doors.busy(parcel.compartmentId)) return this.#refuse(staff, 'staff.recall_refused', { ok: false, reason: 'busy', compartmentId: parcel.compartmentId }, parcel.compartmentId, parcelId);
    const expired = this.#isExpired(parcel);
    if (!expired && !confirmNotExpired) return this.#refuse(staff, 'staff.recall_refused', { ok: false, reason: 'not_expired', parcel }, parcel.compartmentId, parcelId);
    const compartment = this.#ledger.compartments.get(parcel.compartmentId)!;
    return this.#open(staff, compartment, 'recall', parcelId, expired ? 'expired' : 'not expired, confirmed by staff');
  }

  /**
   * Staff took the parcel out: it is `recalled` (kept at the office) or `returned` (to its sender);
   * its code no longer opens it. Refused when the parcel is no longer waiting.
   */
  confirmRecall(staff: StaffMember, parcelId: string, disposition: RecallDisposition): { ok: true } | StaffRefusal {
    const at = this.#now();
    return this.#ledger.transaction(() => {
      const parcel = this.#ledger.parcels.get(parcelId);
      if (!parcel || !this.#ledger.parcels.end(parcelId, 'deposited', disposition, at)) {
        return this.#refuse(staff, 'staff.recall_refused', { ok: false as const, reason: 'not_waiting' as const, parcelId }, parcel?.compartmentId, parcelId);
      }
      if (parcel.codeId !== null && this.#ledger.parcels.waitingForCode(parcel.codeId).length === 0) this.#ledger.codes.end(parcel.codeId, 'revoked', at);
      const expired = this.#isExpired(parcel);
      const expiresAt = parcel.expiresAt === null ? null : new Date(parcel.expiresAt).toISOString();
      this.#ledger.audit.record({ at, actor: actorOf(staff), action: disposition === 'recalled' ? 'parcel.recalled' : 'parcel.returned', compartmentId: parcel.compartmentId, parcelId, detail: { disposition, expired } });
      this.#ledger.outbox.append('parcel.recalled', at, { parcelId, compartmentId: parcel.compartmentId, unit: parcel.unit, staffId: staff.id, disposition, expiresAt, expired });
      this.#log.info({ parcelId, compartmentId: parcel.compartmentId, staff: staff.id, disposition, expired }, 'parcel recalled by staff');
      return { ok: true as const };
    });
  }

  /**
   * The session ended (timeout) with a recall door opened and nothing keyed: whether the parcel
   * was taken is unknown, as after a restart (#recallInterrupted).
   */
  recallUnanswered(staff: StaffMember, parcelId: string): void {
    const parcel = this.#ledger.parcels.get(parcelId);
    if (parcel?.state !== 'deposited') return;
    this.#ledger.transaction(() => this.#unknownWhetherTaken(parcel.compartmentId, parcelId, RECALL_UNANSWERED, 'recall.unanswered', actorOf(staff), { by: actorOf(staff) }));
  }

  /** Staff left the parcel inside (it was not there to take, or they changed their mind): audited, nothing changes. */
  recallLeftInside(staff: StaffMember, parcelId: string): void {
    const parcel = this.#ledger.parcels.get(parcelId);
    this.#ledger.transaction(() => this.#ledger.audit.record({ at: this.#now(), actor: actorOf(staff), action: 'staff.recall_left_inside', compartmentId: parcel?.compartmentId ?? null, parcelId }));
  }

  // --- audit walk --------------------------------------------------------------------------

  /** Starts an audit walk: the compartments holding waiting parcels, in id order. */
  startAuditWalk(staff: StaffMember): { walkId: string; compartments: string[] } {
    const at = this.#now();
    const compartments = [...new Set(this.#ledger.parcels.allInside().filter((p) => p.state === 'deposited').map((p) => p.compartmentId))];
    const walkId = uuidv7(at);
    this.#ledger.transaction(() => {
      this.#ledger.audit.record({ at, actor: actorOf(staff), action: 'audit_walk.started', detail: { walkId, compartments: compartments.length } });
      this.#ledger.outbox.append('audit_walk.started', at, { walkId, staffId: staff.id, compartments: compartments.length });
    });
    return { walkId, compartments };
  }

  /** The waiting parcels of a compartment (several when they share it). */
  parcelsIn(compartmentId: string): Parcel[] {
    return this.#ledger.parcels.allInside().filter((p) => p.compartmentId === compartmentId && p.state === 'deposited');
  }

  /** Opens the next compartment of an audit walk; a busy one is refused (audited) and skipped. */
  async openForAudit(staff: StaffMember, walkId: string, compartmentId: string): Promise<StaffDoorResult> {
    const compartment = this.#ledger.compartments.get(compartmentId);
    if (!compartment) return { ok: false, reason: 'unknown_compartment' };
    if (this.#doors.busy(compartmentId)) return this.#refuse(staff, 'audit_walk.compartment_skipped', { ok: false, reason: 'busy', compartmentId }, compartmentId, null, { walkId });
    const parcel = this.parcelsIn(compartmentId)[0];
    return this.#open(staff, compartment, 'audit', parcel?.id ?? null, null, walkId);
  }

  /**
   * Staff say whether the compartment's parcels are there. Missing ones are recorded and sent
   * upstream; they stay waiting in the ledger (nobody knows where they went) and the compartment is
   * out of service so that nothing is put in with them, until someone puts it back.
   */
  confirmAudit(staff: StaffMember, walkId: string, compartmentId: string, present: boolean): void {
    const at = this.#now();
    const parcels = this.parcelsIn(compartmentId);
    this.#ledger.transaction(() => {
      const detail = { walkId, parcelIds: parcels.map((p) => p.id) };
      if (present) {
        this.#ledger.audit.record({ at, actor: actorOf(staff), action: 'audit_walk.parcel_present', compartmentId, detail });
        return;
      }
      this.#ledger.audit.record({ at, actor: actorOf(staff), action: 'audit_walk.parcel_missing', compartmentId, parcelId: parcels[0]?.id ?? null, detail });
      if (parcels.length === 0) return; // Collected meanwhile: nothing is missing.
      this.#ledger.compartments.setOutOfService(compartmentId, `parcel missing at the audit walk of ${new Date(at).toISOString()}`);
      this.#ledger.outbox.append('audit_walk.parcel_missing', at, { walkId, staffId: staff.id, compartmentId, parcelIds: parcels.map((p) => p.id), units: [...new Set(parcels.map((p) => p.unit))] });
    });
    if (!present) this.#log.warn({ walkId, compartmentId, staff: staff.id, parcels: parcels.length }, 'parcel missing at an audit walk');
  }

  finishAuditWalk(staff: StaffMember, walkId: string, tally: AuditTally, complete: boolean): void {
    const at = this.#now();
    this.#ledger.transaction(() => {
      this.#ledger.audit.record({ at, actor: actorOf(staff), action: 'audit_walk.finished', detail: { walkId, ...tally, complete } });
      this.#ledger.outbox.append('audit_walk.finished', at, { walkId, staffId: staff.id, ...tally, complete });
    });
  }

  // --- service and throttle ----------------------------------------------------------------

  /** Takes a compartment out of service (with the reason) or puts it back; refused while its door is in use. */
  setService(staff: StaffMember, compartmentId: string, inService: boolean, reason: ServiceReason | null): { ok: true } | StaffRefusal {
    if (!this.#ledger.compartments.get(compartmentId)) return { ok: false, reason: 'unknown_compartment' };
    if (this.#doors.busy(compartmentId)) return this.#refuse(staff, 'staff.service_refused', { ok: false, reason: 'busy', compartmentId }, compartmentId);
    try {
      this.#admin.setService(compartmentId, inService, inService ? null : `staff: ${reason ?? 'other'}`, actorOf(staff), null);
      return { ok: true };
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      return this.#refuse(staff, 'staff.service_refused', { ok: false, reason: 'refused', message: err.message }, compartmentId);
    }
  }

  /** Clears the guessing throttle (audited, upstream hears `kiosk.throttle_reset`); null when there was nothing to clear. */
  resetThrottle(staff: StaffMember): ThrottleResetResult | null {
    return this.#credentials.resetThrottle('reset at the kiosk staff menu', actorOf(staff));
  }

  // --- internals ---------------------------------------------------------------------------

  #isExpired(parcel: Parcel): boolean {
    return parcel.expiredAt !== null;
  }

  async #open(staff: StaffMember, compartment: Compartment, purpose: 'open' | 'recall' | 'audit', parcelId: string | null, reason: string | null, walkId?: string): Promise<StaffDoorResult> {
    const actor = actorOf(staff);
    const [pending] = this.#doors.intend([{ compartment, purpose: purpose === 'open' ? 'staff' : purpose, parcelId, actor, credential: 'staff', detail: { reason, ...(walkId ? { walkId } : {}) } }]);
    const operation = pending!.operation;
    // Known before the lock fires: its close may come before fire() returns.
    if (purpose === 'recall') this.#recallsOfThisRun.add(operation);
    const outcome = await this.#doors.fire(pending!, {
        // Upstream hears of every staff open, whether the door opened or not (its close follows).
        settled: (result, at) =>
          this.#ledger.outbox.append('staff.door_opened', at, { compartmentId: compartment.id, staffId: staff.id, purpose, reason, outcome: result, parcelId, ...(walkId ? { walkId } : {}) }),
    });
    if (outcome !== 'confirmed_open') this.#recallsOfThisRun.delete(operation);
    this.#log.info({ compartmentId: compartment.id, outcome, staff: staff.id, purpose, reason }, 'staff door open');
    return { ok: true, outcome, operation };
  }

  /** Audits a refusal (with why) and returns it; nothing else changes. */
  #refuse<R extends StaffRefusal>(staff: StaffMember, action: string, refusal: R, compartmentId?: string | null, parcelId?: string | null, extra: Record<string, unknown> = {}): R {
    const detail: Record<string, unknown> = { reason: refusal.reason, ...extra };
    if (refusal.reason === 'refused') detail.message = refusal.message;
    if (refusal.reason === 'not_expired' && refusal.parcel.expiresAt !== null) detail.expiresAt = new Date(refusal.parcel.expiresAt).toISOString();
    this.#ledger.transaction(() => this.#ledger.audit.record({ at: this.#now(), actor: actorOf(staff), action, compartmentId: compartmentId ?? null, parcelId: parcelId ?? null, detail }));
    this.#log.info({ staff: staff.id, action, reason: refusal.reason, compartmentId }, 'staff action refused');
    return refusal;
  }

  /** A recall door shut. One of this run: staff confirm at the kiosk. One a restart interrupted: nobody confirmed. */
  #recallClosed(door: ClosedDoor): void {
    this.#doors.closedAudit(door);
    if (this.#recallsOfThisRun.delete(door.op.id)) return;
    this.#recallInterrupted(door.op, door.compartment, door.at);
  }

  /**
   * A restart came between a recall's open and staff's confirmation: nobody knows whether the
   * parcel was taken. It stays waiting in the ledger; the compartment goes out of service and
   * upstream is told to have it checked (an audit walk settles it). Inside the close's transaction.
   */
  #recallInterrupted(op: DoorOperation, compartment: Compartment, at: number): void {
    if (!op.parcelId || this.#ledger.parcels.get(op.parcelId)?.state !== 'deposited') return; // Confirmed before the restart.
    this.#unknownWhetherTaken(compartment.id, op.parcelId, RECALL_INTERRUPTED, 'recall.interrupted', 'system', { operation: op.id, by: op.actor }, at);
  }

  /** The parcel stays waiting; its compartment is out of service and upstream asked to have it checked. Inside the caller's transaction. */
  #unknownWhetherTaken(compartmentId: string, parcelId: string, reason: string, action: string, actor: string, detail: Record<string, unknown>, at = this.#now()): void {
    if (this.#ledger.compartments.get(compartmentId)?.outOfService === null) this.#ledger.compartments.setOutOfService(compartmentId, reason);
    this.#ledger.audit.record({ at, actor, action, compartmentId, parcelId, detail });
    this.#ledger.outbox.append('compartment.needs_inspection', at, { compartmentId, reason, parcelId });
    this.#log.warn({ compartmentId, parcelId, action }, 'staff recall unconfirmed: compartment out of service until checked');
  }
}
