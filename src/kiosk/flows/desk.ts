/**
 * The front desk's screen (`storage: "desk"`, docs/front-desk.md). Only staff log in (PIN and #,
 * or their badge); the flow owns the welcome screen of a desk station for that. Then, with a key and #:
 *   1 log a parcel in: scan it (or key its tracking number), key the unit (skipped when upstream
 *     announced it), put it on the place the screen suggests (#), or key another place's number,
 *     or scan the place's label (its id): the parcel is deposited there at once, the resident notified;
 *   2 hand parcels over: key the resident's code or scan their QR; the screen lists the parcels and
 *     their places; # lets the resident sign (N # first: collected by the Nth authorised collector);
 *     the signature from the pad completes the pickup.
 *   * back, and at the menu log out.
 * The rules live in src/locker/desk.ts; this module turns keys, scans and the pad into its calls.
 */
import type { Key } from '../../../drivers/contracts.js';
import { parseScan, type ScanResult } from '../../barcode/index.js';
import type { DeskConfig } from '../../config/types.js';
import type { StaffMember } from '../../ledger/staff.js';
import { PAD } from '../../locker/desk-signature.js';
import type { KioskFlow, KioskFlowContext, SignatureInput } from '../flow.js';
import type { DeskHandover, KioskState } from '../kiosk-state.js';
import type { MessageId } from '../messages.js';
import type { ChoiceSpec } from '../screen-model.js';
import type { ScreenPanel } from '../screen.js';

type DeskState = Extract<KioskState, { name: `desk_${string}` }>;
type In<N extends DeskState['name']> = Extract<DeskState, { name: N }>;

const pick = (key: Key, labelId: MessageId): ChoiceSpec => ({ key, labelId, sequence: [key, '#'] });
const typingChoices: ChoiceSpec[] = [{ key: '*', labelId: 'choice.clear' }, { key: '#', labelId: 'choice.enter' }];
const back: ChoiceSpec = { key: '*', labelId: 'choice.back' };
const MENU: ChoiceSpec[] = [pick('1', 'choice.desk.intake'), pick('2', 'choice.desk.pickup'), { key: '*', labelId: 'choice.logOut' }];

/** "3" → the 3rd of a list of n (1-based keying); undefined for anything else. */
function listIndex(entry: string, n: number): number | undefined {
  if (!/^[1-9][0-9]?$/.test(entry)) return undefined;
  const i = Number(entry) - 1;
  return i < n ? i : undefined;
}

const placesOf = (h: DeskHandover): string => [...new Set(h.parcels.map((p) => p.placeId))].join(', ');

/** How long the signature pad waits for Done: a slow signer, a collector reading the statement. */
export const SIGNING_MS = 5 * 60_000;

export class DeskFlow implements KioskFlow {
  /** `desk`: this station's desk (stationDesk(config)); only at a desk station does the flow own the welcome screen. */
  constructor(private readonly desk: DeskConfig | undefined) {}

  owns(state: KioskState): boolean {
    return this.desk !== undefined && (state.name === 'idle' || state.name.startsWith('desk_'));
  }

  /**
   * Signing sends nothing to the daemon until Done, so the input that restarts the session's timer
   * never comes while a resident draws: the pad gets a longer session of its own.
   */
  sessionMs(state: KioskState): number | undefined {
    return state.name === 'desk_sign' ? SIGNING_MS : undefined;
  }

  choices(state: KioskState, typing: boolean): ChoiceSpec[] {
    if (typing) return typingChoices;
    const s = state as DeskState;
    switch (s.name) {
      case 'desk_menu':
        return MENU;
      case 'desk_scan':
      case 'desk_unit':
      case 'desk_code':
        return [back];
      case 'desk_place':
        return [back, { key: '#', labelId: 'choice.desk.defaultPlace' }];
      case 'desk_parcels':
        return [...s.collectors.slice(0, 9).map((_, i) => pick(String(i + 1) as Key, 'choice.desk.collector')), { key: '*', labelId: 'choice.cancel' }, { key: '#', labelId: 'choice.desk.sign' }];
      case 'desk_sign':
        return [{ key: '*', labelId: 'choice.desk.cancelSign' }];
      default:
        return [];
    }
  }

  panel(state: KioskState): ScreenPanel | undefined {
    const s = state as DeskState;
    if (s.name === 'desk_place') return this.#placesPanel;
    if (s.name === 'desk_parcels') {
      return {
        kind: 'parcels', unit: s.unit, collector: s.collector?.collector ?? null,
        parcels: s.parcels.map((p) => ({ placeId: p.placeId, carrier: p.carrier, tracking: p.tracking })),
        collectors: s.collectors.map((c, i) => ({ number: i + 1, name: c.collector })),
      };
    }
    if (s.name === 'desk_sign') {
      return { kind: 'signature', unit: s.unit, statement: this.desk?.statement ?? '', collector: s.collector?.collector ?? null, parcels: s.parcels.map((p) => ({ placeId: p.placeId, tracking: p.tracking })), pad: { ...PAD } };
    }
    return undefined;
  }

  /**
   * The places as listed when the place prompt was said (panel() has no ledger): the numbers
   * staff key refer to this list, so it does not change under them while they choose.
   */
  #placesPanel: ScreenPanel | undefined;

  async submit(ctx: KioskFlowContext, entry: string): Promise<void> {
    const s = ctx.state as DeskState | { name: 'idle' };
    switch (s.name) {
      case 'idle':
        if (entry === '') return ctx.say('desk.welcome', {});
        if (!/^[0-9]+$/.test(entry)) return ctx.say('desk.wrongPin', {}, 'error');
        return this.#login(ctx, entry);
      case 'desk_menu':
        if (entry === '1') return this.#askScan(ctx, s.staff);
        if (entry === '2') {
          ctx.to({ name: 'desk_code', staff: s.staff });
          return ctx.say('desk.keyCode', {});
        }
        return ctx.say('desk.badChoice', {}, 'error');
      case 'desk_scan':
        if (entry === '') return ctx.say('desk.scanParcel', {});
        return this.#parcelLabel(ctx, s, entry, true);
      case 'desk_unit':
        if (!/^[0-9]{1,8}$/.test(entry) || !ctx.locker.desk.unit(entry)) {
          ctx.locker.recordRefusal(`staff:${s.staff.id}`, 'desk.unit_unknown', { length: entry.length });
          return ctx.say('desk.unitUnknown', {}, 'error');
        }
        return this.#askPlace(ctx, { name: 'desk_place', staff: s.staff, tracking: s.tracking, carrier: s.carrier, unit: entry });
      case 'desk_place': {
        if (entry === '') return this.#intake(ctx, s, null);
        const panel = this.#placesPanel;
        const places = panel?.kind === 'places' ? panel.places : [];
        const i = listIndex(entry, places.length);
        if (i === undefined) {
          ctx.locker.recordRefusal(`staff:${s.staff.id}`, 'desk.place_unknown', { length: entry.length });
          return ctx.say('desk.placeUnknown', {}, 'error');
        }
        return this.#intake(ctx, s, places[i]!.id);
      }
      case 'desk_code':
        if (entry === '') return ctx.say('desk.keyCode', {});
        return this.#find(ctx, s.staff, entry);
      case 'desk_parcels': {
        if (entry === '') return this.#askSignature(ctx, s);
        const i = listIndex(entry, s.collectors.length);
        if (i === undefined) return ctx.say('desk.badChoice', {}, 'error');
        const collector = s.collectors[i]!;
        // An authorisation for one parcel hands over that parcel only.
        const chosen = { ...s, collector, parcels: collector.parcelId === null ? s.parcels : s.parcels.filter((p) => p.parcelId === collector.parcelId) };
        ctx.to(chosen);
        return ctx.say('desk.collectorChosen', { collector: collector.collector, unit: s.unit, count: chosen.parcels.length, places: placesOf(chosen) });
      }
      case 'desk_sign':
        return ctx.say('desk.sign', { count: s.parcels.length });
    }
  }

  async cancel(ctx: KioskFlowContext): Promise<void> {
    const s = ctx.state as DeskState | { name: 'idle' };
    switch (s.name) {
      case 'idle':
        return ctx.say('desk.welcome', {});
      case 'desk_menu':
        ctx.log.info({ staff: s.staff.id }, 'staff logged out of the desk');
        ctx.locker.staff.loggedOut(s.staff);
        ctx.endSession();
        return ctx.say('desk.loggedOut', {}, 'success', 'goodbye');
      case 'desk_scan':
      case 'desk_code':
        return this.#menu(ctx, s.staff);
      case 'desk_unit':
        return this.#askScan(ctx, s.staff);
      case 'desk_place':
        ctx.to({ name: 'desk_unit', staff: s.staff, tracking: s.tracking, carrier: s.carrier });
        return ctx.say('desk.keyUnit', {});
      case 'desk_parcels':
        return this.#menu(ctx, s.staff);
      case 'desk_sign':
        return this.#showParcels(ctx, { ...s, name: 'desk_parcels' });
    }
  }

  async scan(ctx: KioskFlowContext, scan: ScanResult, text: string): Promise<void> {
    const s = ctx.state as DeskState | { name: 'idle' };
    switch (s.name) {
      case 'idle':
        if (scan.kind === 'badge' && scan.badge) return this.#login(ctx, { badgeToken: scan.badge.token });
        // A resident's QR, a parcel: nobody but staff uses the desk's screen.
        return ctx.say('desk.staffOnly', {}, 'error');
      case 'desk_scan':
        return this.#parcelLabel(ctx, s, text, false, scan);
      case 'desk_place': {
        // A place's label is its id, as printed (docs/front-desk.md).
        const label = text.trim();
        const place = ctx.locker.desk.places().find((p) => p.id === label);
        if (!place) {
          ctx.locker.recordRefusal(`staff:${s.staff.id}`, 'desk.place_unknown', { length: label.length, scanned: true });
          return ctx.say('desk.placeUnknown', {}, 'error');
        }
        return this.#intake(ctx, s, place.id);
      }
      case 'desk_code':
        if (scan.kind === 'pickup' && scan.pickup) {
          if (scan.pickup.kioskId !== ctx.config.kioskId) return ctx.say('scan.otherLocker', {}, 'error');
          return this.#find(ctx, s.staff, { qrToken: scan.pickup.token });
        }
        return ctx.say('desk.keyCode', {}, 'error');
      default:
        return ctx.say('desk.noScan', {}, 'error');
    }
  }

  async signature(ctx: KioskFlowContext, input: SignatureInput): Promise<void> {
    const s = ctx.state;
    if (s.name !== 'desk_sign') return;
    const desk = ctx.locker.desk;
    const checked = 'strokes' in input ? desk.checkStrokes(input.strokes) : desk.checkPath(input.path);
    const result = desk.signedPickup({ staff: s.staff, unit: s.unit, codeId: s.codeId, via: s.via, parcelIds: s.parcels.map((p) => p.parcelId), collector: s.collector }, checked);
    if (!result.ok) {
      if (result.reason === 'bad_signature') return ctx.say('desk.badSignature', { why: result.message }, 'error');
      ctx.to({ name: 'desk_menu', staff: s.staff });
      return ctx.say('desk.notWaiting', {}, 'error');
    }
    ctx.to({ name: 'desk_menu', staff: s.staff });
    ctx.say('desk.signed', { count: result.parcels.length, unit: s.unit }, 'success');
  }

  // --- login and menu ----------------------------------------------------------------------

  #login(ctx: KioskFlowContext, credential: string | { badgeToken: string }): void {
    const result = ctx.locker.desk.login(credential);
    if (result.ok) {
      ctx.log.info({ staff: result.staff.id }, 'staff logged in at the desk');
      return this.#menu(ctx, result.staff, 'success');
    }
    if (result.reason === 'throttled') return ctx.say('throttled', { seconds: Math.ceil(result.waitMs / 1000) }, 'error', 'throttled');
    if (result.reason === 'not_staff') {
      ctx.log.info('desk login refused: a courier\'s credential');
      return ctx.say('desk.staffOnly', {}, 'error');
    }
    ctx.log.info(typeof credential === 'string' ? 'desk login refused: wrong PIN' : 'desk login refused: unknown badge');
    return typeof credential === 'string' ? ctx.say('desk.wrongPin', {}, 'error') : ctx.say('login.unknownBadge', {}, 'error');
  }

  #menu(ctx: KioskFlowContext, staff: StaffMember, tone: 'info' | 'success' = 'info'): void {
    ctx.to({ name: 'desk_menu', staff });
    ctx.say('desk.menu', { name: staff.name ?? staff.id }, tone);
  }

  // --- intake ------------------------------------------------------------------------------

  #askScan(ctx: KioskFlowContext, staff: StaffMember): void {
    ctx.to({ name: 'desk_scan', staff });
    ctx.say('desk.scanParcel', {});
  }

  /** A scanned or keyed label at the scan prompt: the barcode rules and the duplicate refusal of a locker's deposit. */
  #parcelLabel(ctx: KioskFlowContext, s: In<'desk_scan'>, text: string, keyed: boolean, scanned?: ScanResult): void {
    const scan = scanned ?? parseScanKeyed(ctx, text);
    if (scan.kind !== 'parcel' || !scan.tracking) return ctx.say(keyed ? 'scan.notATrackingNumber' : 'scan.notAParcel', {}, 'error');
    if (!scan.valid) {
      ctx.locker.recordRefusal(`staff:${s.staff.id}`, 'scan.check_digit_failed', { carrier: scan.carrier, length: text.length, keyed });
      return ctx.say(keyed ? 'scan.checkDigitKeyed' : 'scan.checkDigit', {}, 'error');
    }
    const carrier = scan.carrier && scan.carrier !== 'unknown' ? scan.carrier : null;
    const where = ctx.locker.desk.refuseDuplicate(s.staff, scan.tracking);
    if (where !== null) return ctx.say('desk.duplicate', { place: where }, 'error');
    const expected = ctx.locker.desk.expectedUnit(scan.tracking);
    if (expected) return this.#askPlace(ctx, { name: 'desk_place', staff: s.staff, tracking: scan.tracking, carrier, unit: expected });
    ctx.to({ name: 'desk_unit', staff: s.staff, tracking: scan.tracking, carrier });
    if (carrier) return ctx.say('desk.keyUnitForCarrier', { carrier });
    ctx.say('desk.keyUnit', {});
  }

  #askPlace(ctx: KioskFlowContext, state: In<'desk_place'>): void {
    const places = ctx.locker.desk.places();
    const suggested = ctx.locker.desk.defaultPlace();
    if (!suggested) {
      ctx.to({ name: 'desk_scan', staff: state.staff });
      ctx.locker.recordRefusal(`staff:${state.staff.id}`, 'desk.full', {});
      return ctx.say('desk.full', {}, 'error');
    }
    this.#placesPanel = { kind: 'places', places: places.map((p, i) => ({ number: i + 1, id: p.id, size: p.size, free: Math.max(0, p.capacity - p.parcels), suggested: p.id === suggested.id })) };
    ctx.to(state);
    ctx.say('desk.choosePlace', { unit: state.unit, place: suggested.id });
  }

  #intake(ctx: KioskFlowContext, s: In<'desk_place'>, placeId: string | null): void {
    const result = ctx.locker.desk.intake({ staff: s.staff, tracking: s.tracking, carrier: s.carrier, unit: s.unit, placeId });
    if (result.ok) {
      ctx.to({ name: 'desk_scan', staff: s.staff });
      return ctx.say('desk.loggedIn', { unit: s.unit, place: result.placeId }, 'success');
    }
    switch (result.reason) {
      case 'unknown_place':
        return ctx.say('desk.placeUnknown', {}, 'error');
      case 'place_full':
        // The list changed under the staff member (another parcel took the last room): shown again.
        this.#askPlace(ctx, s);
        return ctx.say('desk.placeFull', { place: result.placeId }, 'error');
      case 'no_place':
        ctx.to({ name: 'desk_scan', staff: s.staff });
        return ctx.say('desk.full', {}, 'error');
      case 'unknown_unit':
        ctx.to({ name: 'desk_unit', staff: s.staff, tracking: s.tracking, carrier: s.carrier });
        return ctx.say('desk.unitUnknown', {}, 'error');
      case 'duplicate':
        ctx.to({ name: 'desk_scan', staff: s.staff });
        return ctx.say('desk.duplicate', { place: result.where }, 'error');
    }
  }

  // --- pickup ------------------------------------------------------------------------------

  async #find(ctx: KioskFlowContext, staff: StaffMember, credential: string | { qrToken: string }): Promise<void> {
    const found = await ctx.locker.desk.find(credential);
    if (!found.ok) {
      if (found.reason === 'throttled') return ctx.say('throttled', { seconds: Math.ceil(found.waitMs / 1000) }, 'error');
      if (found.reason === 'nothing_waiting') return ctx.say('desk.nothingWaiting', {}, 'error');
      if (found.reason === 'hold_ended') return ctx.say('desk.holdEnded', {}, 'error');
      ctx.log.info('desk pickup refused: wrong code');
      return typeof credential === 'string' ? ctx.say('desk.wrongCode', {}, 'error') : ctx.say('desk.wrongQr', {}, 'error');
    }
    return this.#showParcels(ctx, { name: 'desk_parcels', staff, unit: found.unit, codeId: found.codeId, via: found.via, parcels: found.parcels, collectors: found.collectors, collector: null });
  }

  #showParcels(ctx: KioskFlowContext, state: In<'desk_parcels'>): void {
    ctx.to(state);
    if (state.collector) return ctx.say('desk.collectorChosen', { collector: state.collector.collector, unit: state.unit, count: state.parcels.length, places: placesOf(state) });
    // "or choose who collects" only when the resident authorised someone.
    ctx.say(state.collectors.length > 0 ? 'desk.parcels' : 'desk.parcelsSign', { unit: state.unit, count: state.parcels.length, places: placesOf(state) }, 'success');
  }

  #askSignature(ctx: KioskFlowContext, s: In<'desk_parcels'>): void {
    ctx.to({ ...s, name: 'desk_sign' });
    ctx.say('desk.sign', { count: s.parcels.length });
  }
}

/** A tracking number keyed at the scan prompt, read like a scanned one. */
function parseScanKeyed(ctx: KioskFlowContext, text: string): ScanResult {
  return parseScan(text, { maxLength: ctx.config.kiosk.maxScanLength });
}
