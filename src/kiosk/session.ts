import { EventEmitter } from 'node:events';
import type { Key, KioskInput } from '../../drivers/contracts.js';
import { COMPARTMENT_SIZES, type CompartmentSize, type LockerdConfig } from '../config/types.js';
import type { Courier } from '../ledger/people.js';
import type { Logger } from '../log.js';
import type { LockerService } from '../locker/locker-service.js';
import { MESSAGES } from './messages.js';
import { describeScanForLog, parseScan, type ScanResult } from '../barcode/index.js';
import { LimitedLog } from '../../drivers/log-limit.js';

export type Tone = 'info' | 'success' | 'error';

export interface Display {
  text: string;
  tone: Tone;
  at: number;
}

type State =
  | { name: 'idle' }
  | { name: 'courier_scan'; courier: Courier }
  | { name: 'courier_unit'; courier: Courier; tracking: string; carrier: string | null }
  | { name: 'courier_size'; courier: Courier; tracking: string; carrier: string | null; unit: string }
  | { name: 'courier_door'; courier: Courier; parcelId: string; compartmentId: string }
  | { name: 'resident_doors'; waiting: Set<string> };

export interface KioskSessionDeps {
  locker: LockerService;
  config: LockerdConfig;
  log: Logger;
  /** The clock of the log budget (tests and benchmarks simulate it). */
  now?: () => number;
}

/**
 * One kiosk, one person at a time: turns scans and keypresses into locker operations and tells the
 * person what to do next (`display` events). Inputs are handled strictly one after another.
 */
export class KioskSession extends EventEmitter<{ display: [Display] }> {
  #state: State = { name: 'idle' };
  #entry = '';
  #timer: NodeJS.Timeout | undefined;
  #queue: Promise<void> = Promise.resolve();
  #last: Display | undefined;
  /** Lines a flood of input repeats (refusals, prompts) go through here: `flood.logLinesPerMinute` each. */
  readonly #limited: LimitedLog;
  /** The kiosk said "A courier session is open: press * to end it": the next `*` does. */
  #cancelEndsSession = false;

  constructor(private readonly deps: KioskSessionDeps) {
    super();
    this.#limited = new LimitedLog(deps.log, { linesPerWindow: deps.config.flood.logLinesPerMinute, windowMs: 60_000, now: deps.now });
    deps.locker.on('deposited', (e) => this.#enqueue(() => this.#onDeposited(e.parcelId, e.compartmentId)));
    deps.locker.on('pickedUp', (e) => this.#enqueue(() => this.#onPickedUp(e.compartmentId)));
  }

  get state(): string {
    return this.#state.name;
  }

  get lastDisplay(): Display | undefined {
    return this.#last;
  }

  /** Queues an input; the promise settles once it (and everything before it) has been handled. */
  handle(input: KioskInput): Promise<void> {
    return this.#enqueue(() => (input.kind === 'key' ? this.#onKey(input.key) : this.#onScan(input.text)));
  }

  /** Resolves when every queued input has been handled. */
  idle(): Promise<void> {
    return this.#queue;
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  #enqueue(task: () => void | Promise<void>): Promise<void> {
    const run = this.#queue.then(task).catch((err: unknown) => {
      // A bug in one input must not wedge the kiosk: log it, reset, keep serving.
      this.deps.log.error({ err }, 'kiosk input handling failed; session reset');
      this.#reset();
      this.#say(MESSAGES.welcome, 'error');
    });
    this.#queue = run;
    return run;
  }

  #say(text: string, tone: Tone = 'info'): void {
    this.#last = { text, tone, at: Date.now() };
    this.#limited.info({ state: this.#state.name, tone }, `kiosk: ${text}`);
    this.emit('display', this.#last);
  }

  #to(state: State): void {
    this.#state = state;
    this.#entry = '';
    this.#cancelEndsSession = false;
    this.#touch();
  }

  /** Any input counts as activity: restart the abandonment timer. */
  #touch(): void {
    clearTimeout(this.#timer);
    if (this.#state.name !== 'idle') {
      this.#timer = setTimeout(() => this.#enqueue(() => this.#timeout()), this.deps.config.kiosk.sessionTimeoutMs);
      this.#timer.unref();
    }
  }

  #reset(): void {
    this.#to({ name: 'idle' });
  }

  #timeout(): void {
    if (this.#state.name === 'idle') return;
    this.deps.log.info({ state: this.#state.name }, 'kiosk session timed out');
    this.#reset();
    this.#say(MESSAGES.sessionTimedOut);
  }

  async #onKey(key: Key): Promise<void> {
    this.#touch();
    const cancel = key === '*' || key === 'cancel';
    const submit = key === '#' || key === 'enter';
    if (cancel) return this.#onCancel();
    if (submit) {
      const entry = this.#entry;
      this.#entry = '';
      return this.#onSubmit(entry);
    }
    if (this.#entry.length >= this.deps.config.kiosk.maxEntryLength) {
      this.#entry = '';
      this.#say(MESSAGES.entryTooLong, 'error');
      return;
    }
    this.#entry += key;
  }

  async #onCancel(): Promise<void> {
    const s = this.#state;
    if (this.#entry !== '') {
      this.#entry = '';
      this.#say(MESSAGES.entryCleared);
      return;
    }
    if (this.#cancelEndsSession && atCourierPrompt(s)) {
      this.deps.log.info({ courier: s.courier.id }, 'courier session ended by whoever tried a code in it');
      this.#reset();
      this.#say(MESSAGES.loggedOut, 'success');
      return;
    }
    switch (s.name) {
      case 'courier_scan':
        this.deps.log.info({ courier: s.courier.id }, 'courier logged out');
        this.#reset();
        this.#say(MESSAGES.loggedOut, 'success');
        return;
      case 'courier_unit':
        this.#to({ name: 'courier_scan', courier: s.courier });
        this.#say(MESSAGES.scanParcel(s.courier.carrier));
        return;
      case 'courier_size':
        this.#to({ name: 'courier_unit', courier: s.courier, tracking: s.tracking, carrier: s.carrier });
        this.#say(MESSAGES.keyUnit);
        return;
      case 'courier_door':
        return this.#biggerDoor(s.courier, s.parcelId, s.compartmentId);
      case 'resident_doors':
        this.#say(MESSAGES.waitForDoor);
        return;
      case 'idle':
        this.#say(MESSAGES.welcome);
        return;
    }
  }

  /** Exactly the digits of a retrieval code: keyed in a courier session, most likely a resident's code. */
  #hasCodeLength(entry: string): boolean {
    return entry.length === this.deps.config.codes.length && /^[0-9]+$/.test(entry);
  }

  async #onSubmit(entry: string): Promise<void> {
    const s = this.#state;
    this.#cancelEndsSession = false;
    // A resident keying their code into a session a courier left open (it lasts until the timeout):
    // nothing about the entry is logged, audited or shown, whatever the prompt (an existing unit of
    // that length still counts as a unit at the unit prompt).
    if (atCourierPrompt(s) && this.#hasCodeLength(entry) && !(s.name === 'courier_unit' && this.deps.locker.unit(entry))) {
      this.#cancelEndsSession = true;
      return this.#say(MESSAGES.courierSessionOpen, 'error');
    }
    switch (s.name) {
      case 'idle':
        if (entry === '') return this.#say(MESSAGES.welcome);
        if (!/^[0-9]+$/.test(entry)) return this.#say(MESSAGES.wrongCodeOrPin(this.deps.config.codes.length), 'error');
        // Codes and PINs have different lengths (the config enforces it): the length says which.
        return this.#hasCodeLength(entry) ? this.#pickup(entry) : this.#login(entry);
      case 'courier_unit': {
        if (!/^[0-9]{1,8}$/.test(entry) || !this.deps.locker.unit(entry)) {
          // Might be a PIN or a code: its length and why, never the digits.
          const reason = /^[0-9]{1,8}$/.test(entry) ? 'no such unit' : 'not a unit number';
          this.deps.locker.recordRefusal(`courier:${s.courier.id}`, 'deposit.unit_unknown', { length: entry.length, reason });
          return this.#say(MESSAGES.unitUnknown, 'error');
        }
        this.#to({ name: 'courier_size', courier: s.courier, tracking: s.tracking, carrier: s.carrier, unit: entry });
        return this.#say(MESSAGES.chooseSize);
      }
      case 'courier_size': {
        let size: CompartmentSize | 'auto';
        if (entry === '') size = 'auto';
        else if (/^[1-4]$/.test(entry)) size = COMPARTMENT_SIZES[Number(entry) - 1]!;
        else return this.#say(MESSAGES.badSize, 'error');
        return this.#deposit(s.courier, s.tracking, s.carrier, s.unit, size);
      }
      case 'courier_scan':
        // A label that will not scan can be keyed (digit-only tracking numbers: USPS, FedEx, DHL...).
        if (entry !== '') return this.#onScan(entry, true);
        return this.#say(MESSAGES.scanParcel(s.courier.carrier));
      case 'courier_door':
      case 'resident_doors':
        return this.#say(MESSAGES.waitForDoor);
    }
  }

  async #onScan(text: string, keyed = false): Promise<void> {
    const s = this.#state;
    const scan = parseScan(text, { maxLength: this.deps.config.kiosk.maxScanLength });
    const actor = s.name === 'courier_scan' ? `courier:${s.courier.id}` : 'kiosk';
    this.#touch();
    // A keyed entry that is not taken as a tracking number may be someone's code or PIN: logged by length.
    const forLog = (): unknown => (keyed ? keyedForLog(scan, text.length) : describeScanForLog(scan));
    if (scan.kind === 'refused') {
      this.deps.locker.recordRefusal(actor, 'scan.refused', { reason: scan.reason ?? 'unreadable', length: text.length });
      this.#limited.info({ scan: forLog(), keyed }, 'scan refused');
      return this.#say(MESSAGES.scanRefused, 'error');
    }
    if (s.name === 'idle' && scan.kind === 'pickup' && scan.pickup) {
      if (scan.pickup.kioskId !== this.deps.config.kioskId) return this.#say(MESSAGES.otherLocker, 'error');
      return this.#pickup({ qrToken: scan.pickup.token });
    }
    if (s.name === 'idle' && scan.kind === 'badge' && scan.badge) return this.#login({ badgeToken: scan.badge.token });
    // A resident's pickup QR in a session a courier left open: like a keyed code, say how to end it.
    if (scan.kind === 'pickup' && atCourierPrompt(s)) {
      this.#cancelEndsSession = true;
      return this.#say(MESSAGES.courierSessionOpen, 'error');
    }
    if (s.name !== 'courier_scan') {
      return this.#say(s.name === 'idle' ? MESSAGES.scanFirst : MESSAGES.waitForDoor);
    }
    if (scan.kind !== 'parcel' || !scan.tracking) {
      this.#limited.info({ scan: forLog(), keyed }, 'not a parcel label');
      return this.#say(keyed ? MESSAGES.notATrackingNumber : MESSAGES.notAParcel, 'error');
    }
    if (!scan.valid) {
      this.deps.locker.recordRefusal(actor, 'scan.check_digit_failed', { carrier: scan.carrier, length: text.length, keyed });
      this.#limited.info({ scan: forLog(), keyed }, 'parcel number refused: check digit');
      return this.#say(keyed ? MESSAGES.checkDigitKeyed : MESSAGES.checkDigit, 'error');
    }
    this.deps.log.info({ scan: describeScanForLog(scan), keyed }, keyed ? 'tracking number keyed' : 'parcel scanned');
    const carrier = scan.carrier && scan.carrier !== 'unknown' ? scan.carrier : null;
    const duplicate = this.deps.locker.refuseDuplicateTracking(s.courier, scan.tracking, keyed);
    if (duplicate) return this.#say(MESSAGES.alreadyInLocker(duplicate.compartmentId), 'error');
    // Upstream announced this delivery: the unit is known, skip keying it.
    const expectedUnit = this.deps.locker.expectedUnit(scan.tracking);
    if (expectedUnit) {
      this.#to({ name: 'courier_size', courier: s.courier, tracking: scan.tracking, carrier, unit: expectedUnit });
      return this.#say(`${MESSAGES.expectedFor(expectedUnit)} ${MESSAGES.chooseSize}`);
    }
    this.#to({ name: 'courier_unit', courier: s.courier, tracking: scan.tracking, carrier });
    this.#say(MESSAGES.keyUnit);
  }

  #login(credential: string | { badgeToken: string }): void {
    const result = this.deps.locker.courierLogin(credential);
    if (!result.ok) {
      if (result.reason === 'throttled') return this.#say(MESSAGES.throttled(Math.ceil(result.waitMs / 1000)), 'error');
      this.deps.log.info(typeof credential === 'string' ? 'courier login refused: wrong PIN' : 'courier login refused: unknown badge');
      return this.#say(typeof credential === 'string' ? MESSAGES.wrongCodeOrPin(this.deps.config.codes.length) : MESSAGES.unknownBadge, 'error');
    }
    this.deps.log.info({ courier: result.courier.id, carrier: result.courier.carrier }, 'courier logged in');
    this.#to({ name: 'courier_scan', courier: result.courier });
    // A full locker says so at once, before the courier scans a whole trolley of parcels.
    if (this.deps.locker.freeCompartments() === 0) return this.#say(MESSAGES.lockerFull(result.courier.carrier), 'error');
    this.#say(MESSAGES.scanParcel(result.courier.carrier), 'success');
  }

  /** `carrier` is the one the label names, when it names one; otherwise the courier's own. */
  async #deposit(courier: Courier, tracking: string, carrier: string | null, unit: string, size: CompartmentSize | 'auto'): Promise<void> {
    const result = await this.deps.locker.deposit({ courier, unit, size, tracking, carrier: carrier ?? courier.carrier });
    if (result.ok) {
      this.#to({ name: 'courier_door', courier, parcelId: result.parcelId, compartmentId: result.compartmentId });
      return this.#say(MESSAGES.depositDoorOpen(result.compartmentId), 'success');
    }
    this.#to({ name: 'courier_scan', courier });
    if (result.reason === 'full') return this.#say(MESSAGES.full(result.fullSizes), 'error');
    if (result.reason === 'unknown_unit') return this.#say(MESSAGES.unitUnknown, 'error');
    if (result.reason === 'duplicate') return this.#say(MESSAGES.alreadyInLocker(result.compartmentId), 'error');
    return this.#say(MESSAGES.doorsFailed, 'error');
  }

  /** `*` while the deposit door is open: the parcel does not fit. */
  async #biggerDoor(courier: Courier, parcelId: string, from: string): Promise<void> {
    const result = await this.deps.locker.biggerDoor(parcelId, courier);
    if (result.ok) {
      this.#to({ name: 'courier_door', courier, parcelId, compartmentId: result.compartmentId });
      return this.#say(MESSAGES.biggerDoorOpen(from, result.compartmentId), 'success');
    }
    this.#to({ name: 'courier_scan', courier });
    return this.#say(result.reason === 'full' ? MESSAGES.noBiggerDoor(from) : MESSAGES.doorsFailed, 'error');
  }

  async #pickup(credential: string | { qrToken: string }): Promise<void> {
    const result = await this.deps.locker.pickup(credential);
    if (!result.ok) {
      if (result.reason === 'throttled') return this.#say(MESSAGES.throttled(Math.ceil(result.waitMs / 1000)), 'error');
      if (result.reason === 'nothing_waiting') return this.#say(MESSAGES.nothingWaiting, 'error');
      if (result.reason === 'doors_open') return this.#say(MESSAGES.alreadyOpen(result.compartments), 'info');
      this.deps.log.info('pickup refused: wrong code');
      return this.#say(typeof credential === 'string' ? MESSAGES.wrongCode : MESSAGES.wrongQr, 'error');
    }
    const opened = result.doors.filter((d) => d.outcome === 'confirmed_open');
    for (const d of result.doors) {
      if (d.outcome === 'confirmed_open') this.#say(MESSAGES.pickupDoorOpen(d.compartmentId), 'success');
      else this.#say(MESSAGES.pickupDoorFailed(d.compartmentId), 'error');
    }
    if (opened.length === 0) return this.#reset();
    this.#to({ name: 'resident_doors', waiting: new Set(opened.map((d) => d.compartmentId)) });
  }

  #onDeposited(_parcelId: string, compartmentId: string): void {
    const s = this.#state;
    if (s.name === 'courier_door' && s.compartmentId === compartmentId) {
      this.#to({ name: 'courier_scan', courier: s.courier });
      this.#say(MESSAGES.deposited(compartmentId), 'success');
    }
  }

  #onPickedUp(compartmentId: string): void {
    const s = this.#state;
    if (s.name !== 'resident_doors' || !s.waiting.has(compartmentId)) return;
    s.waiting.delete(compartmentId);
    if (s.waiting.size === 0) {
      this.#reset();
      this.#say(MESSAGES.pickedUp, 'success');
    }
  }
}

/** A courier is logged in and the kiosk waits for their input (no door of theirs is open). */
function atCourierPrompt(s: State): s is Extract<State, { name: 'courier_scan' | 'courier_unit' | 'courier_size' }> {
  return s.name === 'courier_scan' || s.name === 'courier_unit' || s.name === 'courier_size';
}

/** What may be logged of a keyed entry: what it was taken for and its length, never its characters. */
function keyedForLog(scan: ScanResult, length: number): Record<string, unknown> {
  return { kind: scan.kind, ...(scan.carrier !== undefined ? { carrier: scan.carrier } : {}), valid: scan.valid, length, ...(scan.reason !== undefined ? { reason: scan.reason } : {}) };
}
