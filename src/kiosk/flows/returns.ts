/**
 * Returns at the kiosk. A resident presses B ("send a return") at the welcome screen, scans the
 * return label (or keys its tracking number), keys their unit, picks a size; a door opens and its
 * close stores the return. A courier whose carrier has returns waiting is told so at login and
 * presses C to collect them: one door at a time, each confirmed with # ("taken") before it is
 * shut. `*` cancels at every step of the drop-off and stops a collection after the open door.
 */
import type { Key } from '../../../drivers/contracts.js';
import { COMPARTMENT_SIZES, type CompartmentSize } from '../../config/types.js';
import type { Courier } from '../../ledger/people.js';
import { parseScan, type ScanResult } from '../../barcode/index.js';
import type { LockerService } from '../../locker/locker-service.js';
import type { LabelCheck, ReturnLabel } from '../../locker/returns.js';
import type { KioskFlow, KioskFlowContext } from '../flow.js';
import type { KioskState } from '../kiosk-state.js';
import { SIZE_CHOICES, type ChoiceSpec } from '../screen-model.js';

/** The welcome screen's key for "send a return" (A is the language key). */
export const SEND_RETURN_KEY: Key = 'B';
/** The courier prompt's key for "collect returns". */
export const COLLECT_RETURNS_KEY: Key = 'C';

type ReturnState = Extract<KioskState, { name: 'return_label' | 'return_unit' | 'return_size' | 'return_door' | 'return_collect' }>;
type Collecting = Extract<KioskState, { name: 'return_collect' }>;

const NAMES: ReadonlySet<string> = new Set(['return_label', 'return_unit', 'return_size', 'return_door', 'return_collect']);

const CLEAR_OR_ENTER: ChoiceSpec[] = [
  { key: '*', labelId: 'choice.clear' },
  { key: '#', labelId: 'choice.enter' },
];

export class ReturnsFlow implements KioskFlow {
  /**
   * The locker tells the courier's prompt whether returns wait (its choices are asked for often:
   * one small indexed query). `atLockers`: returns go into compartments, so only a locker bank's
   * kiosk offers them (a package room's or desk's has none to put them in).
   */
  constructor(
    private readonly locker: Pick<LockerService, 'returnsWaitingFor'>,
    private readonly atLockers = true,
  ) {}

  owns(state: KioskState): state is ReturnState {
    return NAMES.has(state.name);
  }

  startChoices(state: KioskState): ChoiceSpec[] {
    if (!this.atLockers) return [];
    if (state.name === 'idle') return [{ key: SEND_RETURN_KEY, labelId: 'choice.sendReturn' }];
    // The courier's prompt offers C only while returns wait for their carrier.
    if (state.name === 'courier_scan' && this.locker.returnsWaitingFor(state.courier) > 0) return [{ key: COLLECT_RETURNS_KEY, labelId: 'choice.collectReturns' }];
    return [];
  }

  async start(ctx: KioskFlowContext, key: Key): Promise<void> {
    const s = ctx.state;
    if (key === SEND_RETURN_KEY && s.name === 'idle') {
      ctx.to({ name: 'return_label' });
      return ctx.say('returns.scanLabel', {});
    }
    if (key === COLLECT_RETURNS_KEY && s.name === 'courier_scan') return this.#collectNext(ctx, s.courier, 0, new Set());
  }

  choices(state: KioskState, typing: boolean): ChoiceSpec[] {
    const cancel: ChoiceSpec = { key: '*', labelId: 'choice.cancel' };
    switch (state.name) {
      case 'return_label':
      case 'return_unit':
        return typing ? CLEAR_OR_ENTER : [cancel];
      case 'return_size':
        return typing ? CLEAR_OR_ENTER : [...SIZE_CHOICES.map((c) => ({ ...c, sequence: [c.key, '#'] as Key[] })), cancel, { key: '#', labelId: 'choice.size.auto' }];
      case 'return_door':
        return typing ? [{ key: '*', labelId: 'choice.clear' }] : [cancel];
      case 'return_collect':
        if (typing) return [{ key: '*', labelId: 'choice.clear' }];
        return [...(state.confirmed ? [] : [{ key: '#' as Key, labelId: 'choice.returnTaken' as const }]), ...(state.stopping ? [] : [{ key: '*' as Key, labelId: 'choice.stopCollecting' as const }])];
      default:
        return [];
    }
  }

  async scan(ctx: KioskFlowContext, scan: ScanResult): Promise<void> {
    if (ctx.state.name !== 'return_label') return ctx.say('door.closeFirst', {});
    return this.#label(ctx, scan, false);
  }

  async submit(ctx: KioskFlowContext, entry: string): Promise<void> {
    const s = ctx.state;
    switch (s.name) {
      case 'return_label': {
        if (entry === '') return ctx.say('returns.scanLabel', {});
        // Exactly a code's digits: most likely the resident's retrieval code, keyed at the wrong
        // prompt. Nothing of it is logged, audited or taken for a tracking number.
        if (entry.length === ctx.config.codes.length && /^[0-9]+$/.test(entry)) return ctx.say('scan.notATrackingNumber', {}, 'error');
        const scan = parseScan(entry, { maxLength: ctx.config.kiosk.maxScanLength });
        if (scan.kind === 'refused') return ctx.say('scan.notATrackingNumber', {}, 'error');
        return this.#label(ctx, scan, true);
      }
      case 'return_unit': {
        if (!/^[0-9]{1,8}$/.test(entry) || !ctx.locker.unit(entry)) {
          // Its length and why, never the digits: it may be a code.
          ctx.locker.recordRefusal('kiosk', 'return.unit_unknown', { length: entry.length, reason: /^[0-9]{1,8}$/.test(entry) ? 'no such unit' : 'not a unit number' });
          return ctx.say('returns.unitUnknown', {}, 'error');
        }
        ctx.to({ name: 'return_size', label: s.label, carrier: s.carrier, unit: entry });
        return ctx.say('returns.chooseSize', {});
      }
      case 'return_size': {
        let size: CompartmentSize | 'auto';
        if (entry === '') size = 'auto';
        else if (/^[1-4]$/.test(entry)) size = COMPARTMENT_SIZES[Number(entry) - 1]!;
        else return ctx.say('courier.badSize', {}, 'error');
        return this.#dropOff(ctx, s, size);
      }
      case 'return_collect': {
        if (entry !== '' || s.confirmed) return s.confirmed ? ctx.say('returns.takenCloseDoor', { door: s.compartmentId }) : ctx.say('door.closeFirst', {});
        if (!ctx.locker.confirmReturnTaken(s.parcelId, s.courier)) return ctx.say('door.closeFirst', {});
        ctx.to({ ...s, confirmed: true });
        return ctx.say('returns.takenCloseDoor', { door: s.compartmentId }, 'success');
      }
      default:
        return ctx.say('door.closeFirst', {});
    }
  }

  cancel(ctx: KioskFlowContext): void {
    const s = ctx.state;
    switch (s.name) {
      case 'return_door':
        ctx.locker.cancelReturn(s.parcelId);
        ctx.endSession();
        return ctx.say('returns.cancelledAtDoor', { door: s.compartmentId }, 'info', 'goodbye');
      case 'return_collect':
        // The open door still counts (its close collects a confirmed return); no other opens.
        if (!s.stopping) ctx.to({ ...s, stopping: true });
        return ctx.say('returns.stopping', { door: s.compartmentId });
      default:
        ctx.endSession();
        return ctx.say('returns.cancelled', {}, 'info', 'goodbye');
    }
  }

  async onDoorClosed(ctx: KioskFlowContext, compartmentId: string): Promise<void> {
    const s = ctx.state;
    if (s.name === 'return_door' && s.compartmentId === compartmentId) {
      if (ctx.locker.returnState(s.parcelId) !== 'deposited') return;
      ctx.endSession();
      return ctx.say('returns.thankYou', { door: compartmentId, carrier: s.carrier }, 'success', 'goodbye');
    }
    if (s.name === 'return_collect' && s.compartmentId === compartmentId) {
      if (ctx.locker.returnState(s.parcelId) !== 'collected') {
        ctx.to({ name: 'courier_scan', courier: s.courier });
        return ctx.say('returns.notCollected', { door: compartmentId }, 'error');
      }
      const collected = s.collected + 1;
      if (s.stopping) return this.#done(ctx, s.courier, collected);
      return this.#collectNext(ctx, s.courier, collected, s.tried);
    }
  }

  /** A label scanned or keyed at the label prompt. */
  async #label(ctx: KioskFlowContext, scan: ScanResult, keyed: boolean): Promise<void> {
    if (scan.kind !== 'parcel' || !scan.tracking) {
      // What it was taken for and how long, never its text: it may be a pickup QR or a badge.
      ctx.locker.recordRefusal('kiosk', 'return.refused', { reason: 'not_a_label', kind: scan.kind, keyed });
      return ctx.say(keyed ? 'scan.notATrackingNumber' : 'returns.notALabel', {}, 'error');
    }
    if (!scan.valid) {
      ctx.locker.recordRefusal('kiosk', 'scan.check_digit_failed', { carrier: scan.carrier, length: scan.tracking.length, keyed });
      return ctx.say(keyed ? 'scan.checkDigitKeyed' : 'scan.checkDigit', {}, 'error');
    }
    const label: ReturnLabel = { tracking: scan.tracking, carrier: scan.carrier && scan.carrier !== 'unknown' ? scan.carrier : null, keyed };
    const check = ctx.locker.checkReturnLabel(label);
    if (!check.ok) return this.#refused(ctx, check);
    ctx.to({ name: 'return_unit', label, carrier: check.carrier });
    return ctx.say('returns.keyUnit', { carrier: check.carrier });
  }

  #refused(ctx: KioskFlowContext, check: Exclude<LabelCheck, { ok: true }>): void {
    if (check.reason === 'own_delivery') return ctx.say('returns.ownDelivery', {}, 'error');
    if (check.reason === 'already_inside') return ctx.say('returns.alreadyInside', { door: check.compartmentId }, 'error');
    return ctx.say('returns.unknownCarrier', {}, 'error');
  }

  async #dropOff(ctx: KioskFlowContext, s: Extract<KioskState, { name: 'return_size' }>, size: CompartmentSize | 'auto'): Promise<void> {
    ctx.doors.clear();
    const result = await ctx.doorsOf('return_deposit', () => ctx.locker.depositReturn({ unit: s.unit, size, label: s.label }));
    if (result.ok) {
      ctx.doors.clear();
      ctx.doors.set(result.compartmentId, 'open');
      ctx.to({ name: 'return_door', parcelId: result.parcelId, compartmentId: result.compartmentId, carrier: s.carrier });
      return ctx.say('returns.doorOpen', { door: result.compartmentId }, 'success');
    }
    if ('refused' in result) {
      ctx.endSession();
      return this.#refused(ctx, result);
    }
    if (result.reason === 'full') return ctx.say('returns.full', { sizes: result.fullSizes.join(', ') }, 'error');
    if (result.reason === 'unknown_unit') {
      ctx.to({ name: 'return_unit', label: s.label, carrier: s.carrier });
      return ctx.say('returns.unitUnknown', {}, 'error');
    }
    ctx.endSession();
    return ctx.say('returns.doorsFailed', {}, 'error');
  }

  /** Opens the next return's door for this courier, or ends the collection. */
  async #collectNext(ctx: KioskFlowContext, courier: Courier, collected: number, tried: ReadonlySet<string>): Promise<void> {
    ctx.doors.clear();
    const result = await ctx.doorsOf('return_collect', () => ctx.locker.collectReturn(courier, tried));
    if (result.ok) {
      ctx.doors.clear();
      ctx.doors.set(result.compartmentId, 'open');
      ctx.to({ name: 'return_collect', courier, parcelId: result.parcelId, compartmentId: result.compartmentId, confirmed: false, stopping: false, collected, tried: new Set([...tried, ...result.failed, result.parcelId]) });
      return ctx.say('returns.collectDoorOpen', { door: result.compartmentId, tracking: result.tracking ?? '-', remaining: result.remaining }, 'success');
    }
    if (collected > 0) return this.#done(ctx, courier, collected);
    ctx.to({ name: 'courier_scan', courier });
    if (result.reason === 'none_waiting') return ctx.say('returns.noneWaiting', { courier: courier.carrier }, 'error');
    return ctx.say('returns.collectDoorsFailed', {}, 'error');
  }

  #done(ctx: KioskFlowContext, courier: Courier, collected: number): void {
    ctx.to({ name: 'courier_scan', courier });
    ctx.say('returns.collectDone', { count: collected }, 'success');
  }
}
