/**
 * The staff menu at the kiosk (README "Staff mode at the kiosk"). A staff member logs in at the
 * welcome screen with their PIN and # (or their badge) and chooses with a key and #:
 *   1 open a compartment (then the reason: 1 parcel stuck, 2 cleaning, 3 inspection, 4 resident assistance)
 *   2 recall parcels (# = the expired ones one by one, or a compartment and # for its parcel)
 *   3 audit walk (the occupied compartments open one at a time: 1 present, 2 missing)
 *   4 take a compartment out of service (then the reason) or put it back
 *   5 reset the keypad's guessing throttle
 *   * log out
 * A compartment is keyed as printed when the keypad has its characters ("A07" = A 0 7 #), or by
 * its number in the locker's list sorted by id (1 = the first). The rules live in
 * src/locker/staff.ts; this module only turns keys into its calls and its answers into prompts.
 */
import type { Key } from '../../../drivers/contracts.js';
import type { StaffMember } from '../../ledger/staff.js';
import { OPEN_REASONS, SERVICE_REASONS, type AuditTally, type StaffRefusal } from '../../locker/staff.js';
import type { KioskFlow, KioskFlowContext } from '../flow.js';
import type { KioskState } from '../kiosk-state.js';
import type { MessageId } from '../messages.js';
import type { ChoiceSpec } from '../screen-model.js';

type StaffState = Extract<KioskState, { name: `staff_${string}` }>;
type In<N extends StaffState['name']> = Extract<StaffState, { name: N }>;

/** A key and # (as the size keys of a deposit): what a choice on the screen presses. */
const pick = (key: Key, labelId: MessageId): ChoiceSpec => ({ key, labelId, sequence: [key, '#'] });
const back: ChoiceSpec = { key: '*', labelId: 'choice.back' };
const typingChoices: ChoiceSpec[] = [{ key: '*', labelId: 'choice.clear' }, { key: '#', labelId: 'choice.enter' }];

const MENU: ChoiceSpec[] = [
  pick('1', 'choice.staff.open'),
  pick('2', 'choice.staff.recall'),
  pick('3', 'choice.staff.audit'),
  pick('4', 'choice.staff.service'),
  pick('5', 'choice.staff.throttle'),
  { key: '*', labelId: 'choice.logOut' },
];
const OPEN_REASON_CHOICES: ChoiceSpec[] = [
  pick('1', 'choice.staff.reason.stuck'),
  pick('2', 'choice.staff.reason.cleaning'),
  pick('3', 'choice.staff.reason.inspection'),
  pick('4', 'choice.staff.reason.assistance'),
  back,
];
const SERVICE_REASON_CHOICES: ChoiceSpec[] = [
  pick('1', 'choice.staff.reason.fault'),
  pick('2', 'choice.staff.reason.cleaning'),
  pick('3', 'choice.staff.reason.inspection'),
  pick('4', 'choice.staff.reason.other'),
  back,
];
const RECALL_ANSWERS: ChoiceSpec[] = [pick('1', 'choice.staff.takenOut'), pick('2', 'choice.staff.returnToSender'), pick('3', 'choice.staff.leftInside')];
const AUDIT_ANSWERS: ChoiceSpec[] = [pick('1', 'choice.staff.present'), pick('2', 'choice.staff.missing')];

/** "1" → 0 ... for a list of `n`; undefined for anything else. */
function choiceIndex(entry: string, n: number): number | undefined {
  if (!/^[1-9]$/.test(entry)) return undefined;
  const i = Number(entry) - 1;
  return i < n ? i : undefined;
}

export class StaffFlow implements KioskFlow {
  owns(state: KioskState): boolean {
    return state.name.startsWith('staff_');
  }

  staffLoggedIn(ctx: KioskFlowContext, staff: StaffMember): void {
    this.#menu(ctx, staff, 'success');
  }

  choices(state: KioskState, typing: boolean): ChoiceSpec[] {
    if (typing) return typingChoices;
    const s = state as StaffState;
    switch (s.name) {
      case 'staff_menu':
        return MENU;
      case 'staff_pick':
        return s.action === 'recall' ? [back, { key: '#', labelId: 'choice.staff.recallExpired' }] : [back];
      case 'staff_open_reason':
        return OPEN_REASON_CHOICES;
      case 'staff_service_reason':
        return SERVICE_REASON_CHOICES;
      case 'staff_door':
        return [];
      case 'staff_recall_confirm':
        return [pick('9', 'choice.staff.recallAnyway'), { key: '*', labelId: 'choice.staff.skip' }];
      case 'staff_recall_door':
        return s.answered ? [] : RECALL_ANSWERS;
      case 'staff_audit_door':
        return [...(s.answered ? [] : AUDIT_ANSWERS), ...(s.stopping ? [] : [{ key: '*' as Key, labelId: 'choice.staff.stop' as MessageId }])];
    }
  }

  scan(ctx: KioskFlowContext): void {
    ctx.say('staff.noScan', {}, 'error');
  }

  async submit(ctx: KioskFlowContext, entry: string): Promise<void> {
    const s = ctx.state as StaffState;
    switch (s.name) {
      case 'staff_menu':
        return this.#menuChoice(ctx, s, entry);
      case 'staff_pick':
        return this.#picked(ctx, s, entry);
      case 'staff_open_reason': {
        const i = choiceIndex(entry, OPEN_REASONS.length);
        if (i === undefined) return ctx.say('staff.badReason', {}, 'error');
        return this.#openCompartment(ctx, s.staff, s.compartmentId, OPEN_REASONS[i]!);
      }
      case 'staff_service_reason': {
        const i = choiceIndex(entry, SERVICE_REASONS.length);
        if (i === undefined) return ctx.say('staff.badReason', {}, 'error');
        const result = ctx.locker.staff.setService(s.staff, s.compartmentId, false, SERVICE_REASONS[i]!);
        return this.#serviceDone(ctx, s.staff, s.compartmentId, result, 'staff.outOfService');
      }
      case 'staff_door':
        return ctx.say('staff.closeDoor', { door: s.compartmentId }, 'error');
      case 'staff_recall_confirm':
        // The explicit confirmation a parcel within its hold needs before its door opens.
        if (entry !== '9') return ctx.say('staff.confirmNotExpired', {}, 'error');
        return this.#recall(ctx, s.staff, s.parcelId, s.queue, true);
      case 'staff_recall_door':
        return this.#recallAnswer(ctx, s, entry);
      case 'staff_audit_door':
        return this.#auditAnswer(ctx, s, entry);
    }
  }

  async cancel(ctx: KioskFlowContext): Promise<void> {
    const s = ctx.state as StaffState;
    switch (s.name) {
      case 'staff_menu':
        ctx.locker.staff.loggedOut(s.staff);
        ctx.log.info({ staff: s.staff.id }, 'staff logged out');
        ctx.endSession();
        return ctx.say('staff.loggedOut', {}, 'success', 'goodbye');
      case 'staff_pick':
      case 'staff_open_reason':
      case 'staff_service_reason':
        return this.#menu(ctx, s.staff);
      case 'staff_door':
        return ctx.say('staff.closeDoor', { door: s.compartmentId }, 'error');
      case 'staff_recall_confirm':
        // Skipped: nothing opened, nothing changed.
        return s.queue ? this.#recallNext(ctx, s.staff, s.queue) : this.#menu(ctx, s.staff);
      case 'staff_recall_door':
        return s.answered ? ctx.say('staff.closeDoor', { door: s.compartmentId }, 'error') : ctx.say('staff.recallAnswer', {}, 'error');
      case 'staff_audit_door':
        if (s.stopping) return ctx.say(s.answered ? 'staff.closeDoor' : 'staff.auditAnswer', { door: s.compartmentId }, 'error');
        ctx.to({ ...s, stopping: true });
        return ctx.say('staff.auditStopping', { door: s.compartmentId });
    }
  }

  /**
   * Nobody answered: a recall door's parcel is unconfirmed (handled as a recall a restart
   * interrupted), and an audit walk ends incomplete.
   */
  timedOut(ctx: KioskFlowContext, state: KioskState): void {
    const s = state as StaffState;
    if (s.name === 'staff_recall_door' && !s.answered) ctx.locker.staff.recallUnanswered(s.staff, s.parcelId);
    if (s.name === 'staff_audit_door') ctx.locker.staff.finishAuditWalk(s.staff, s.walkId, s.tally, false);
  }

  onDoorClosed(ctx: KioskFlowContext, compartmentId: string): void | Promise<void> {
    const s = ctx.state as StaffState;
    if (!('compartmentId' in s) || s.compartmentId !== compartmentId) return;
    switch (s.name) {
      case 'staff_door':
        return this.#menu(ctx, s.staff, 'info', { id: 'staff.doorClosed', door: compartmentId });
      case 'staff_recall_door':
        if (s.answered) return this.#afterRecall(ctx, s.staff, s.queue);
        ctx.to({ ...s, closed: true });
        return ctx.say('staff.recallDoorShut', { door: compartmentId });
      case 'staff_audit_door':
        if (s.answered) return this.#auditNext(ctx, s.staff, s.walkId, s.remaining, s.tally, s.stopping);
        ctx.to({ ...s, closed: true });
        return ctx.say('staff.auditDoorShut', { door: compartmentId });
    }
  }

  // --- the menu ----------------------------------------------------------------------------

  /** The menu again, said after what just ended (a door shut, a recall done). */
  #menu(ctx: KioskFlowContext, staff: StaffMember, tone: 'info' | 'success' = 'info', before?: { id: 'staff.doorClosed'; door: string } | { id: 'staff.recallDone' }): void {
    ctx.to({ name: 'staff_menu', staff });
    ctx.doors.clear();
    if (before?.id === 'staff.doorClosed') ctx.say(before.id, { door: before.door });
    else if (before) ctx.say(before.id, {});
    ctx.say('staff.menu', { name: staff.name ?? staff.id, expired: ctx.locker.staff.expired().length }, tone);
  }

  #menuChoice(ctx: KioskFlowContext, s: In<'staff_menu'>, entry: string): void | Promise<void> {
    const { staff } = s;
    switch (entry) {
      case '1':
        ctx.to({ name: 'staff_pick', staff, action: 'open' });
        return ctx.say('staff.keyCompartment', {});
      case '2':
        ctx.to({ name: 'staff_pick', staff, action: 'recall' });
        return ctx.say('staff.keyRecallCompartment', { expired: ctx.locker.staff.expired().length });
      case '3':
        return this.#startAuditWalk(ctx, staff);
      case '4':
        ctx.to({ name: 'staff_pick', staff, action: 'service' });
        return ctx.say('staff.keyServiceCompartment', {});
      case '5': {
        const result = ctx.locker.staff.resetThrottle(staff);
        if (!result) return ctx.say('staff.throttleClear', {});
        return ctx.say('staff.throttleReset', { codes: result.cleared.code.failuresLastDay, pins: result.cleared.pin.failuresLastDay }, 'success');
      }
      default:
        return ctx.say('staff.badChoice', {}, 'error');
    }
  }

  /** A compartment keyed after 1, 2 or 4 (or # alone after 2: the expired parcels). */
  #picked(ctx: KioskFlowContext, s: In<'staff_pick'>, entry: string): void | Promise<void> {
    const { staff } = s;
    if (s.action === 'recall' && entry === '') {
      const queue = ctx.locker.staff.expired().map((p) => p.id);
      if (queue.length === 0) return ctx.say('staff.noneExpired', {}, 'error');
      return this.#recallNext(ctx, staff, queue);
    }
    const compartment = entry === '' ? undefined : ctx.locker.staff.compartment(entry);
    if (!compartment) {
      // The entry is not shown or logged: it is only a compartment's id, but it costs nothing to be careful.
      ctx.locker.recordRefusal(`staff:${staff.id}`, 'staff.compartment_unknown', { length: entry.length, action: s.action });
      return ctx.say('staff.unknownCompartment', {}, 'error');
    }
    if (s.action !== 'recall') {
      const busy = ctx.locker.staff.refuseIfBusy(staff, s.action === 'open' ? 'staff.open_refused' : 'staff.service_refused', compartment.id);
      if (busy) return this.#refused(ctx, staff, busy);
    }
    switch (s.action) {
      case 'open':
        ctx.to({ name: 'staff_open_reason', staff, compartmentId: compartment.id });
        return ctx.say('staff.openReason', { door: compartment.id });
      case 'service':
        if (compartment.outOfService === null) {
          ctx.to({ name: 'staff_service_reason', staff, compartmentId: compartment.id });
          return ctx.say('staff.serviceReason', { door: compartment.id });
        }
        return this.#serviceDone(ctx, staff, compartment.id, ctx.locker.staff.setService(staff, compartment.id, true, null), 'staff.backInService');
      case 'recall': {
        const parcel = ctx.locker.staff.waitingIn(compartment.id);
        if (!parcel) {
          ctx.locker.recordRefusal(`staff:${staff.id}`, 'staff.recall_refused', { reason: 'no parcel waiting', compartmentId: compartment.id });
          return ctx.say('staff.nothingIn', { door: compartment.id }, 'error');
        }
        return this.#recall(ctx, staff, parcel.id, null, false);
      }
    }
  }

  // --- open a compartment ------------------------------------------------------------------

  async #openCompartment(ctx: KioskFlowContext, staff: StaffMember, compartmentId: string, reason: (typeof OPEN_REASONS)[number]): Promise<void> {
    ctx.doors.clear();
    const result = await ctx.doorsOf('staff', () => ctx.locker.staff.openCompartment(staff, compartmentId, reason));
    if (!result.ok) return this.#refused(ctx, staff, result);
    if (result.outcome !== 'confirmed_open') {
      ctx.doors.set(compartmentId, 'failed');
      ctx.to({ name: 'staff_menu', staff });
      return ctx.say('staff.doorFailed', { door: compartmentId }, 'error');
    }
    ctx.to({ name: 'staff_door', staff, compartmentId });
    ctx.doors.set(compartmentId, 'open');
    ctx.say('staff.doorOpen', { door: compartmentId }, 'success');
  }

  /** A refusal said as it is, then the menu again (the refusal is audited by the Staff module). */
  #refused(ctx: KioskFlowContext, staff: StaffMember, r: StaffRefusal): void {
    ctx.to({ name: 'staff_menu', staff });
    switch (r.reason) {
      case 'busy':
        return ctx.say('staff.busy', { door: r.compartmentId }, 'error');
      case 'unknown_compartment':
        return ctx.say('staff.unknownCompartment', {}, 'error');
      case 'not_waiting':
        return ctx.say('staff.nothingIn', { door: ctx.locker.staff.parcel(r.parcelId)?.compartmentId ?? '?' }, 'error');
      case 'not_expired':
        return ctx.say('staff.confirmNotExpired', {}, 'error');
      case 'refused':
        return ctx.say('staff.serviceRefused', { door: '', why: r.message }, 'error');
    }
  }

  // --- service -----------------------------------------------------------------------------

  #serviceDone(ctx: KioskFlowContext, staff: StaffMember, compartmentId: string, result: { ok: true } | StaffRefusal, done: 'staff.outOfService' | 'staff.backInService'): void {
    ctx.to({ name: 'staff_menu', staff });
    if (result.ok) return ctx.say(done, { door: compartmentId }, 'success');
    if (result.reason === 'refused') return ctx.say('staff.serviceRefused', { door: compartmentId, why: result.message }, 'error');
    return this.#refused(ctx, staff, result);
  }

  // --- recall ------------------------------------------------------------------------------

  /** Opens the door of one parcel to recall it; a parcel within its hold asks for 9 first. */
  async #recall(ctx: KioskFlowContext, staff: StaffMember, parcelId: string, queue: string[] | null, confirmNotExpired: boolean): Promise<void> {
    ctx.doors.clear();
    const result = await ctx.doorsOf('recall', () => ctx.locker.staff.openForRecall(staff, parcelId, confirmNotExpired));
    if (!result.ok) {
      if (result.reason === 'not_expired') {
        const p = result.parcel;
        ctx.to({ name: 'staff_recall_confirm', staff, parcelId, compartmentId: p.compartmentId, queue });
        return ctx.say('staff.notExpired', { door: p.compartmentId, unit: p.unit, until: p.expiresAt === null ? '-' : `${new Date(p.expiresAt).toISOString().slice(0, 16).replace('T', ' ')} UTC` });
      }
      if (queue && (result.reason === 'busy' || result.reason === 'not_waiting')) {
        if (result.reason === 'busy') ctx.say('staff.skipped', { door: result.compartmentId }, 'error');
        return this.#recallNext(ctx, staff, queue);
      }
      return this.#refused(ctx, staff, result);
    }
    const parcel = ctx.locker.staff.parcel(parcelId)!;
    if (result.outcome !== 'confirmed_open') {
      ctx.doors.set(parcel.compartmentId, 'failed');
      ctx.say('staff.skipped', { door: parcel.compartmentId }, 'error');
      return queue ? this.#recallNext(ctx, staff, queue) : this.#menu(ctx, staff);
    }
    ctx.to({ name: 'staff_recall_door', staff, parcelId, unit: parcel.unit, compartmentId: parcel.compartmentId, queue, answered: false, closed: false });
    ctx.doors.set(parcel.compartmentId, 'open');
    ctx.say('staff.recallDoorOpen', { door: parcel.compartmentId, unit: parcel.unit }, 'success');
  }

  #recallNext(ctx: KioskFlowContext, staff: StaffMember, queue: string[]): Promise<void> | void {
    const [next, ...rest] = queue;
    if (next === undefined) return this.#menu(ctx, staff, 'info', { id: 'staff.recallDone' });
    return this.#recall(ctx, staff, next, rest, false);
  }

  #recallAnswer(ctx: KioskFlowContext, s: In<'staff_recall_door'>, entry: string): void | Promise<void> {
    if (s.answered) return ctx.say('staff.closeDoor', { door: s.compartmentId }, 'error');
    const params = { door: s.compartmentId, unit: s.unit };
    if (entry === '3') {
      ctx.locker.staff.recallLeftInside(s.staff, s.parcelId);
      if (s.closed) return this.#afterRecall(ctx, s.staff, s.queue, { id: 'staff.leftInside', ...params });
      ctx.to({ ...s, answered: true });
      return ctx.say('staff.leftInside', params);
    }
    if (entry !== '1' && entry !== '2') return ctx.say('staff.recallAnswer', {}, 'error');
    const disposition = entry === '1' ? 'recalled' : 'returned';
    const result = ctx.locker.staff.confirmRecall(s.staff, s.parcelId, disposition);
    const said = { id: result.ok ? (disposition === 'recalled' ? 'staff.recalled' : 'staff.returned') : 'staff.nothingIn', ...params } as const;
    if (s.closed) return this.#afterRecall(ctx, s.staff, s.queue, said);
    ctx.to({ ...s, answered: true });
    ctx.say(said.id, params, result.ok ? 'success' : 'error');
  }

  /** The recalled parcel's door is shut and staff answered: the next expired parcel, or the menu. */
  #afterRecall(ctx: KioskFlowContext, staff: StaffMember, queue: string[] | null, said?: { id: 'staff.recalled' | 'staff.returned' | 'staff.leftInside' | 'staff.nothingIn'; door: string; unit: string }): Promise<void> | void {
    if (said) ctx.say(said.id, { door: said.door, unit: said.unit }, said.id === 'staff.nothingIn' ? 'error' : 'success');
    return queue ? this.#recallNext(ctx, staff, queue) : this.#menu(ctx, staff, 'info', { id: 'staff.recallDone' });
  }

  // --- audit walk --------------------------------------------------------------------------

  #startAuditWalk(ctx: KioskFlowContext, staff: StaffMember): Promise<void> | void {
    const { walkId, compartments } = ctx.locker.staff.startAuditWalk(staff);
    return this.#auditNext(ctx, staff, walkId, compartments, { checked: 0, present: 0, missing: 0, skipped: 0 }, false);
  }

  async #auditNext(ctx: KioskFlowContext, staff: StaffMember, walkId: string, remaining: string[], tally: AuditTally, stop: boolean): Promise<void> {
    for (let i = 0; i < remaining.length && !stop; i++) {
      const compartmentId = remaining[i]!;
      if (ctx.locker.staff.parcelsIn(compartmentId).length === 0) continue; // Collected since the walk began.
      ctx.doors.clear();
      const result = await ctx.doorsOf('audit', () => ctx.locker.staff.openForAudit(staff, walkId, compartmentId));
      if (!result.ok || result.outcome !== 'confirmed_open') {
        tally = { ...tally, skipped: tally.skipped + 1 };
        ctx.say('staff.skipped', { door: compartmentId }, 'error');
        continue;
      }
      const parcels = ctx.locker.staff.parcelsIn(compartmentId);
      ctx.to({ name: 'staff_audit_door', staff, walkId, compartmentId, remaining: remaining.slice(i + 1), tally, answered: false, closed: false, stopping: false });
      ctx.doors.set(compartmentId, 'open');
      return ctx.say('staff.auditDoorOpen', { door: compartmentId, count: parcels.length, units: [...new Set(parcels.map((p) => p.unit))].join(', ') }, 'success');
    }
    const complete = !stop;
    if (tally.checked === 0 && tally.skipped === 0 && complete) ctx.say('staff.auditEmpty', {});
    ctx.locker.staff.finishAuditWalk(staff, walkId, tally, complete);
    ctx.to({ name: 'staff_menu', staff });
    ctx.doors.clear();
    ctx.say('staff.auditDone', { ...tally }, 'success');
    ctx.say('staff.menu', { name: staff.name ?? staff.id, expired: ctx.locker.staff.expired().length });
  }

  #auditAnswer(ctx: KioskFlowContext, s: In<'staff_audit_door'>, entry: string): void | Promise<void> {
    if (s.answered) return ctx.say('staff.closeDoor', { door: s.compartmentId }, 'error');
    if (entry !== '1' && entry !== '2') return ctx.say('staff.auditAnswer', {}, 'error');
    const present = entry === '1';
    ctx.locker.staff.confirmAudit(s.staff, s.walkId, s.compartmentId, present);
    const tally = { ...s.tally, checked: s.tally.checked + 1, present: s.tally.present + (present ? 1 : 0), missing: s.tally.missing + (present ? 0 : 1) };
    if (s.closed) return this.#auditNext(ctx, s.staff, s.walkId, s.remaining, tally, s.stopping);
    ctx.to({ ...s, tally, answered: true });
    ctx.say('staff.auditNoted', { door: s.compartmentId });
  }
}
