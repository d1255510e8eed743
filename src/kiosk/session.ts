import { EventEmitter } from 'node:events';
import type { Key, KioskInput } from '../../drivers/contracts.js';
import { COMPARTMENT_SIZES, type CompartmentSize, type LockerdConfig } from '../config/types.js';
import type { Courier } from '../ledger/people.js';
import type { Logger } from '../log.js';
import type { LockerService } from '../locker/locker-service.js';
import { formatMessage, type MessageId, type MessageParams } from './messages.js';
import type { DoorPurpose } from '../ledger/door-operations.js';
import { LANGUAGES, type Language, type ScreenDoor, type ScreenState, type ScreenStep, type Tone } from './screen.js';
import { DOOR_DID_NOT_OPEN_KEY, LANGUAGE_KEY, SHARE_KEY, screenState, type ChoiceSpec, type ScreenFacts } from './screen-model.js';
import { describeScanForLog, parseScan, type ScanResult } from '../barcode/index.js';
import { LimitedLog } from '../../drivers/log-limit.js';
import type { KioskFlow, KioskFlowContext, SignatureInput } from './flow.js';
import type { KioskState } from './kiosk-state.js';

export type { Tone };

/** What the kiosk said: the prompt of a ScreenState that was said (not merely shown), as a sentence. */
export interface Display {
  text: string;
  tone: Tone;
  at: number;
}

type State = KioskState;

export interface KioskSessionDeps {
  locker: LockerService;
  config: LockerdConfig;
  log: Logger;
  /** The clock of the log budget (tests and benchmarks simulate it). */
  now?: () => number;
  /** The flows of ./flows/ (staff, returns...), each owning its states; courier and resident ones are built in. */
  flows?: readonly KioskFlow[];
}

/** How long a goodbye or a refusal stays on the idle screen before it shows the welcome again. */
export const BACK_TO_WELCOME_MS = 8_000;

/** What the screen shows as its prompt, and the step it belongs to. */
interface Prompt {
  id: MessageId;
  params: Record<string, string | number>;
  tone: Tone;
  step: ScreenStep;
  /** The guessing throttle's wait ends then (the `throttled` step's countdown). */
  throttleEndsAt?: number;
}

/**
 * One kiosk, one person at a time: turns scans and keypresses into locker operations and tells the
 * person what to do next. Inputs are handled strictly one after another. What it shows is one
 * model, emitted as a `screen` event (ScreenState) on every change: what it says (a prompt that
 * is said, with a tone: beeps, the log, `lockerctl sim`) is also emitted as a `display` event, the
 * same prompt as one sentence. Shown but not said: a door opening, the entry's length, countdowns,
 * attention items, the return to the welcome screen.
 */
export class KioskSession extends EventEmitter<{ display: [Display]; screen: [ScreenState] }> {
  #state: State = { name: 'idle' };
  #entry = '';
  #timer: NodeJS.Timeout | undefined;
  #queue: Promise<void> = Promise.resolve();
  #last: Display | undefined;
  /** Lines a flood of input repeats (refusals, prompts) go through here: `flood.logLinesPerMinute` each. */
  readonly #limited: LimitedLog;
  /** The kiosk said "A courier session is open: press * to end it": the next `*` does. */
  #cancelEndsSession = false;

  // --- the screen -------------------------------------------------------------------------
  readonly #defaultLanguage: Language;
  #language: Language;
  /** The session ended in a language other than the default: the next input or screen is in the default again. */
  #languageResetPending = false;
  /** The welcome prompt: a front desk's greets staff only (src/kiosk/flows/desk.ts). */
  readonly #welcome: 'welcome' | 'desk.welcome';
  #prompt: Prompt;
  /** Doors of the flow on screen, in the order they were opened. */
  #doors = new Map<string, ScreenDoor['state']>();
  /** Doors left open too long (any door, whoever opened it): "Please close door A07". */
  readonly #leftOpen = new Set<string>();
  /** Upstream has been unreachable for a while: a small banner for staff, never an alarm for residents. */
  #upstreamOffline = false;
  /** A door operation of this session is under way: its doors' unlocks are shown as they happen. */
  #busy: DoorPurpose | null = null;
  readonly #flows: readonly KioskFlow[];
  /** How the courier of the open courier session logged in (the deposit's door operation keeps it). */
  #courierCredential: 'pin' | 'badge' = 'pin';
  /** What a flow of ./flows/ may use of this session. */
  readonly #context: KioskFlowContext;
  /** When the open session times out, while one is open. */
  #deadline: number | null = null;
  #seq = 0;
  #screen: ScreenState;
  /** The last emitted state without seq and time: an unchanged state is not emitted again. */
  #screenKey = '';
  #welcomeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: KioskSessionDeps) {
    super();
    this.#flows = deps.flows ?? [];
    this.#welcome = deps.config.storage === 'desk' ? 'desk.welcome' : 'welcome';
    this.#prompt = { id: this.#welcome, params: {}, tone: 'info', step: 'welcome' };
    const session = this;
    this.#context = {
      config: deps.config,
      log: deps.log,
      get limited() {
        return session.#limited;
      },
      locker: deps.locker,
      get state() {
        return session.#state;
      },
      say: (id, params, tone, step) => this.#say(id, params, tone, step),
      to: (state) => this.#to(state),
      endSession: () => {
        this.#reset();
        this.#endSession();
      },
      get doors() {
        return session.#doors;
      },
      handOver: async (input) => {
        this.#reset();
        this.#endSession();
        return 'entry' in input ? this.#onSubmit(input.entry) : this.#onScan(input.scan);
      },
      doorsOf: (purpose, operation) => this.#doorsOf(purpose, operation),
    };
    this.#limited = new LimitedLog(deps.log, { linesPerWindow: deps.config.flood.logLinesPerMinute, windowMs: 60_000, now: deps.now });
    this.#defaultLanguage = deps.config.kiosk.language;
    this.#language = this.#defaultLanguage;
    this.#screen = screenState(++this.#seq, Date.now(), this.#facts());
    this.#screenKey = keyOf(this.#screen);
    deps.locker.on('deposited', (e) => this.#enqueue(() => this.#onDeposited(e.parcelId, e.compartmentId)));
    deps.locker.on('pickedUp', (e) => this.#enqueue(() => this.#onPickedUp(e.compartmentId)));
    // Unlocks happen while the session awaits its deposit or pickup: shown at once, not queued.
    deps.locker.on('doorUnlocking', (e) => this.#onUnlocking(e.compartmentId, e.purpose));
    deps.locker.on('doorUnlocked', (e) => this.#onUnlocked(e.compartmentId, e.purpose, e.outcome === 'confirmed_open'));
    deps.locker.on('doorClosed', (e) => this.#enqueue(() => this.#onDoorClosed(e.compartmentId)));
    deps.locker.on('doorLeftOpen', (e) => this.#enqueue(() => this.#onDoorLeftOpen(e.compartmentId)));
  }

  get state(): string {
    return this.#state.name;
  }

  get lastDisplay(): Display | undefined {
    return this.#last;
  }

  /** What the screen shows now (the page draws it when it connects). */
  get lastScreen(): ScreenState {
    return this.#screen;
  }

  /**
   * Queues an input; the promise settles once it (and everything before it) has been handled. A
   * key pressed while a door of this session is opening is refused at once rather than queued:
   * kept, it would be typed into whatever the operation leads to (a `*` before the door is seen
   * is no "too small", digits would start the next person's entry when no door opens).
   */
  handle(input: KioskInput): Promise<void> {
    if (input.kind === 'key' && this.#busy !== null) {
      this.#say('door.wait', {}, 'info', this.#prompt.step);
      return Promise.resolve();
    }
    return this.#enqueue(() => (input.kind === 'key' ? this.#onKey(input.key) : this.#onScan(input.text)));
  }

  /** Resolves when every queued input has been handled. */
  idle(): Promise<void> {
    return this.#queue;
  }

  /**
   * A signature from the screen's pad or `lockerctl sim sign`: handed, unchecked, to the flow of
   * the state (the desk checks it); anywhere else it is ignored, said so in the log.
   */
  sign(signature: SignatureInput): Promise<void> {
    return this.#enqueue(() => {
      const flow = this.#flowFor(this.#state);
      if (flow?.signature) {
        this.#touch();
        return flow.signature(this.#context, signature);
      }
      this.#limited.info({ state: this.#state.name }, 'signature ignored: no signature is asked for now');
    });
  }

  stop(): void {
    clearTimeout(this.#timer);
    clearTimeout(this.#welcomeTimer);
  }

  #enqueue(task: () => void | Promise<void>): Promise<void> {
    const run = this.#queue
      .then(async () => {
        await task();
        // Whatever the task changed without saying anything (the entry's length, a door) is shown.
        this.#emitScreen(false);
      })
      .catch((err: unknown) => {
        // A bug in one input must not wedge the kiosk: log it, reset, keep serving.
        this.deps.log.error({ err }, 'kiosk input handling failed; session reset');
        this.#busy = null;
        this.#reset();
        this.#say(this.#welcome, {}, 'error');
      });
    this.#queue = run;
    return run;
  }

  /** Says a prompt: shown (screen), said (display), logged. */
  #say<Id extends MessageId>(id: Id, params: MessageParams<Id>, tone: Tone = 'info', step?: ScreenStep, throttleEndsAt?: number): void {
    const screen = this.#show(id, params, tone, step, throttleEndsAt);
    this.#last = { text: screen.prompt.text, tone, at: screen.at };
    this.#limited.info({ state: this.#state.name, tone }, `kiosk: ${screen.prompt.text}`);
    this.emit('display', this.#last);
  }

  /** Shows a prompt without saying it (no beep, no log line, no display). */
  #show<Id extends MessageId>(id: Id, params: MessageParams<Id>, tone: Tone = 'info', step?: ScreenStep, throttleEndsAt?: number): ScreenState {
    this.#prompt = { id, params, tone, step: step ?? this.#stepFor(tone), ...(throttleEndsAt !== undefined ? { throttleEndsAt } : {}) };
    return this.#emitScreen(true);
  }

  /** The step of a prompt said now: the flow's own, or at the welcome screen a refusal for an error. */
  #stepFor(tone: Tone): ScreenStep {
    if (this.#state.name === 'idle') return tone === 'error' ? 'refusal' : 'welcome';
    return this.#state.name;
  }

  #facts(): ScreenFacts {
    const p = this.#prompt;
    return {
      step: p.step,
      tone: p.tone,
      language: this.#language,
      prompt: { id: p.id, params: p.params },
      flow: this.#state.name,
      entryLength: this.#entry.length,
      cancelEndsSession: this.#cancelEndsSession,
      busy: this.#busy !== null,
      doors: [...this.#doors].map(([compartmentId, state]) => ({ compartmentId, state })),
      countdown: p.throttleEndsAt !== undefined ? { kind: 'throttle', endsAt: p.throttleEndsAt } : this.#deadline !== null ? { kind: 'session', endsAt: this.#deadline } : null,
      leftOpen: [...this.#leftOpen],
      upstreamOffline: this.#upstreamOffline,
      shareOffered: this.#state.name === 'courier_size' && this.#state.share !== undefined,
      sharedDoor: this.#state.name === 'courier_door' && this.#state.shared === true,
      overflowDoor: this.#state.name === 'courier_door' && this.#state.placeId !== undefined,
      flowChoices: this.#flowFor(this.#state)?.choices(this.#state, this.#entry.length > 0),
      startChoices: this.#startChoices(),
      panel: this.#flowFor(this.#state)?.panel?.(this.#state),
    };
  }

  /** Emits the screen as it is now; unless `force`, only when something on it changed. */
  #emitScreen(force: boolean): ScreenState {
    const next = screenState(0, 0, this.#facts());
    const key = keyOf(next);
    if (!force && key === this.#screenKey) return this.#screen;
    this.#screenKey = key;
    this.#screen = { ...next, seq: ++this.#seq, at: Date.now() };
    this.emit('screen', this.#screen);
    this.#scheduleWelcome();
    return this.#screen;
  }

  /** A goodbye, a refusal or a throttle wait on the idle screen gives way to the welcome after a while. */
  #scheduleWelcome(): void {
    clearTimeout(this.#welcomeTimer);
    const p = this.#prompt;
    if (this.#state.name !== 'idle' || this.#busy !== null || p.step === 'welcome') return;
    const delay = p.throttleEndsAt !== undefined ? Math.max(0, p.throttleEndsAt - Date.now()) : BACK_TO_WELCOME_MS;
    this.#welcomeTimer = setTimeout(() => void this.#enqueue(() => this.#backToWelcome()), delay);
    this.#welcomeTimer.unref();
  }

  #backToWelcome(): void {
    if (this.#state.name !== 'idle' || this.#prompt.step === 'welcome') return;
    this.#applyLanguageReset();
    this.#doors.clear();
    this.#show(this.#welcome, {}, 'info', 'welcome');
  }

  /** The session is over (logout, pickup done, timeout): the next person starts in the default language. */
  #endSession(): void {
    clearTimeout(this.#timer);
    this.#deadline = null;
    this.#languageResetPending = this.#language !== this.#defaultLanguage;
  }

  #applyLanguageReset(): void {
    if (!this.#languageResetPending) return;
    this.#languageResetPending = false;
    this.#language = this.#defaultLanguage;
  }

  /** The language key at the welcome screen: the next language of the catalogue. */
  #switchLanguage(): void {
    this.#language = LANGUAGES[(LANGUAGES.indexOf(this.#language) + 1) % LANGUAGES.length]!;
    // Through the log budget: a key storm of A's must not flood the log.
    this.#limited.info({ language: this.#language }, 'kiosk language switched');
    this.#touch();
    this.#say(this.#welcome, {}, 'info', 'welcome');
  }

  /** What the flows of ./flows/ offer to start from this state (none while a flow owns it or keys are typed). */
  #startChoices(): ChoiceSpec[] {
    if (this.#entry !== '' || this.#flowFor(this.#state)) return [];
    return this.#flows.flatMap((f) => f.startChoices?.(this.#state) ?? []);
  }

  /** The flow of ./flows/ that owns this state, if it is not a courier's or a resident's. */
  #flowFor(state: State): KioskFlow | undefined {
    return this.#flows.find((f) => f.owns(state));
  }

  #to(state: State): void {
    this.#state = state;
    this.#entry = '';
    this.#cancelEndsSession = false;
    // Doors stay on screen while they matter (until the next parcel, or the end of the session).
    if (state.name === 'idle' || state.name === 'courier_unit' || state.name === 'courier_size') this.#doors.clear();
    this.#touch();
  }

  /**
   * Any input counts as activity: restart the abandonment timer. A language chosen at the welcome
   * screen is a session too: it returns to the default when nobody types.
   */
  #touch(): void {
    clearTimeout(this.#timer);
    this.#deadline = null;
    if (this.#state.name !== 'idle' || this.#language !== this.#defaultLanguage) {
      const ms = this.#flowFor(this.#state)?.sessionMs?.(this.#state) ?? this.deps.config.kiosk.sessionTimeoutMs;
      this.#deadline = Date.now() + ms;
      this.#timer = setTimeout(() => this.#enqueue(() => this.#timeout()), ms);
      this.#timer.unref();
    }
  }

  #reset(): void {
    this.#to({ name: 'idle' });
  }

  #timeout(): void {
    if (this.#state.name === 'idle') {
      // Only a language was chosen: back to the default, quietly.
      if (this.#language === this.#defaultLanguage) return;
      this.#endSession();
      this.#applyLanguageReset();
      this.#doors.clear();
      this.#show(this.#welcome, {}, 'info', 'welcome');
      return;
    }
    const s = this.#state;
    // A deposit door still open: the session ends all the same (nobody is left logged in at an
    // unattended kiosk); the door operation completes on its own, the parcel is stored when that
    // door shuts. The door's status, not the session, says which (README, "Courier conveniences").
    const openDoor = s.name === 'courier_door' && this.deps.locker.openDoors().some((d) => d.compartmentId === s.compartmentId) ? s.compartmentId : null;
    this.deps.log.info({ state: s.name, ...(openDoor ? { doorOpen: openDoor } : {}) }, openDoor ? 'kiosk session timed out with the deposit door open; the parcel is stored when it shuts' : 'kiosk session timed out');
    // The flow settles what its person left unfinished (a staff recall nobody answered...).
    this.#flowFor(s)?.timedOut?.(this.#context, s);
    this.#reset();
    this.#endSession();
    if (openDoor) return this.#say('session.timedOutDoorOpen', { door: openDoor }, 'info', 'goodbye');
    this.#say('session.timedOut', {}, 'info', 'goodbye');
  }

  async #onKey(key: Key): Promise<void> {
    this.#applyLanguageReset();
    // The language key at the welcome screen, before anything is typed (typed, it is part of the entry as before).
    if (key === LANGUAGE_KEY && this.#state.name === 'idle' && this.#entry === '') return this.#switchLanguage();
    this.#touch();
    // A key that starts a flow of ./flows/ here (send a return, collect returns), nothing typed.
    if (/^[A-D]$/.test(key) && this.#entry === '' && !this.#flowFor(this.#state)) {
      const starter = this.#flows.find((f) => f.start && f.startChoices?.(this.#state).some((c) => c.key === key));
      if (starter) return starter.start!(this.#context, key);
    }
    // A letter key a flow of ./flows/ gives a meaning in its own states (the package room's door).
    const owner = this.#flowFor(this.#state);
    if (/^[A-D]$/.test(key) && this.#entry === '' && owner?.key && (await owner.key(this.#context, key))) return;
    const cancel = key === '*' || key === 'cancel';
    const submit = key === '#' || key === 'enter';
    if (cancel) return this.#onCancel();
    // Courier keys that act at once, with nothing typed: "add to A11" and "the door did not open".
    const s = this.#state;
    if (this.#entry === '' && key === SHARE_KEY && s.name === 'courier_size' && s.share !== undefined) return this.#deposit(s.courier, s.tracking, s.carrier, s.unit, 'auto', s.share);
    if (this.#entry === '' && key === DOOR_DID_NOT_OPEN_KEY && s.name === 'courier_door' && s.placeId === undefined) return this.#anotherDoor(s.courier, s.parcelId, s.compartmentId);
    if (submit) {
      const entry = this.#entry;
      this.#entry = '';
      return this.#onSubmit(entry);
    }
    if (this.#entry.length >= this.deps.config.kiosk.maxEntryLength) {
      this.#entry = '';
      this.#say('entry.tooLong', {}, 'error');
      return;
    }
    this.#entry += key;
  }

  async #onCancel(): Promise<void> {
    const s = this.#state;
    if (this.#entry !== '') {
      this.#entry = '';
      this.#say('entry.cleared', {});
      return;
    }
    if (this.#cancelEndsSession && atCourierPrompt(s)) {
      this.deps.log.info({ courier: s.courier.id }, 'courier session ended by whoever tried a code in it');
      return this.#loggedOut();
    }
    const flow = this.#flowFor(s);
    if (flow) return flow.cancel(this.#context);
    switch (s.name) {
      case 'courier_scan':
        this.deps.log.info({ courier: s.courier.id }, 'courier logged out');
        return this.#loggedOut();
      case 'courier_unit':
        this.#to({ name: 'courier_scan', courier: s.courier });
        this.#say('courier.scanParcel', { courier: s.courier.carrier });
        return;
      case 'courier_size':
        this.#to({ name: 'courier_unit', courier: s.courier, tracking: s.tracking, carrier: s.carrier });
        this.#say('courier.keyUnit', {});
        return;
      case 'courier_door':
        // An overflow parcel is on its way to a shelf: no bigger door.
        if (s.placeId !== undefined) return this.#say('door.closeFirst', {});
        return this.#biggerDoor(s.courier, s.parcelId, s.compartmentId);
      case 'resident_doors':
        this.#say('door.closeFirst', {});
        return;
      case 'idle':
        this.#say('welcome', {});
        return;
    }
  }

  #loggedOut(): void {
    this.#reset();
    this.#endSession();
    this.#say('courier.loggedOut', {}, 'success', 'goodbye');
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
      return this.#say('courier.sessionOpen', {}, 'error');
    }
    const flow = this.#flowFor(s);
    if (flow) return flow.submit(this.#context, entry);
    switch (s.name) {
      case 'idle':
        if (entry === '') return this.#say('welcome', {});
        if (!/^[0-9]+$/.test(entry)) return this.#say('login.wrongCodeOrPin', { digits: this.deps.config.codes.length }, 'error');
        // Codes and PINs have different lengths (the config enforces it): the length says which.
        return this.#hasCodeLength(entry) ? this.#pickup(entry) : this.#login(entry);
      case 'courier_unit': {
        if (!/^[0-9]{1,8}$/.test(entry) || !this.deps.locker.unit(entry)) {
          // Might be a PIN or a code: its length and why, never the digits.
          const reason = /^[0-9]{1,8}$/.test(entry) ? 'no such unit' : 'not a unit number';
          this.deps.locker.recordRefusal(`courier:${s.courier.id}`, 'deposit.unit_unknown', { length: entry.length, reason });
          return this.#say('courier.unitUnknown', {}, 'error');
        }
        return this.#askSize(s.courier, s.tracking, s.carrier, entry, false);
      }
      case 'courier_size': {
        let size: CompartmentSize | 'auto';
        if (entry === '') size = 'auto';
        else if (/^[1-4]$/.test(entry)) size = COMPARTMENT_SIZES[Number(entry) - 1]!;
        else return this.#say('courier.badSize', {}, 'error');
        return this.#deposit(s.courier, s.tracking, s.carrier, s.unit, size);
      }
      case 'courier_scan':
        // A label that will not scan can be keyed (digit-only tracking numbers: USPS, FedEx, DHL...).
        if (entry !== '') return this.#onScan(entry, true);
        return this.#say('courier.scanParcel', { courier: s.courier.carrier });
      case 'courier_door':
      case 'resident_doors':
        return this.#say('door.closeFirst', {});
    }
  }

  async #onScan(text: string, keyed = false): Promise<void> {
    if (!keyed) this.#applyLanguageReset();
    const s = this.#state;
    const scan = parseScan(text, { maxLength: this.deps.config.kiosk.maxScanLength });
    const actor = s.name === 'courier_scan' ? `courier:${s.courier.id}` : 'kiosk';
    this.#touch();
    // A keyed entry that is not taken as a tracking number may be someone's code or PIN: logged by length.
    const forLog = (): unknown => (keyed ? keyedForLog(scan, text.length) : describeScanForLog(scan));
    if (scan.kind === 'refused') {
      this.deps.locker.recordRefusal(actor, 'scan.refused', { reason: scan.reason ?? 'unreadable', length: text.length });
      this.#limited.info({ scan: forLog(), keyed }, 'scan refused');
      return this.#say('scan.refused', {}, 'error');
    }
    const flow = this.#flowFor(s);
    if (flow) return flow.scan ? flow.scan(this.#context, scan, text) : this.#say('door.closeFirst', {});
    if (s.name === 'idle' && scan.kind === 'pickup' && scan.pickup) {
      if (scan.pickup.kioskId !== this.deps.config.kioskId) return this.#say('scan.otherLocker', {}, 'error');
      return this.#pickup({ qrToken: scan.pickup.token });
    }
    if (s.name === 'idle' && scan.kind === 'badge' && scan.badge) return this.#login({ badgeToken: scan.badge.token });
    // A resident's pickup QR in a session a courier left open: like a keyed code, say how to end it.
    if (scan.kind === 'pickup' && atCourierPrompt(s)) {
      this.#cancelEndsSession = true;
      return this.#say('courier.sessionOpen', {}, 'error');
    }
    // A label scanned at the welcome screen: a package room's scan-out (./flows/room.ts).
    if (s.name === 'idle') for (const f of this.#flows) if (f.scanAtWelcome && (await f.scanAtWelcome(this.#context, scan, text))) return;
    if (s.name !== 'courier_scan') {
      return this.#say(s.name === 'idle' ? 'scan.loginFirst' : 'door.closeFirst', {});
    }
    if (scan.kind !== 'parcel' || !scan.tracking) {
      this.#limited.info({ scan: forLog(), keyed }, 'not a parcel label');
      return this.#say(keyed ? 'scan.notATrackingNumber' : 'scan.notAParcel', {}, 'error');
    }
    if (!scan.valid) {
      this.deps.locker.recordRefusal(actor, 'scan.check_digit_failed', { carrier: scan.carrier, length: text.length, keyed });
      this.#limited.info({ scan: forLog(), keyed }, 'parcel number refused: check digit');
      return this.#say(keyed ? 'scan.checkDigitKeyed' : 'scan.checkDigit', {}, 'error');
    }
    this.deps.log.info({ scan: describeScanForLog(scan), keyed }, keyed ? 'tracking number keyed' : 'parcel scanned');
    const carrier = scan.carrier && scan.carrier !== 'unknown' ? scan.carrier : null;
    const duplicate = this.deps.locker.refuseDuplicateTracking(s.courier, scan.tracking, keyed);
    if (duplicate) return this.#say('courier.alreadyInLocker', { door: duplicate.compartmentId }, 'error');
    // Upstream announced this delivery: the unit is known, skip keying it.
    const expectedUnit = this.deps.locker.expectedUnit(scan.tracking);
    if (expectedUnit) return this.#askSize(s.courier, scan.tracking, carrier, expectedUnit, true);
    this.#to({ name: 'courier_unit', courier: s.courier, tracking: scan.tracking, carrier });
    // The carrier the label names is shown, so a courier sees a mis-scan (another carrier's label) at once.
    if (carrier) return this.#say('courier.keyUnitForCarrier', { carrier });
    this.#say('courier.keyUnit', {});
  }

  /**
   * The size prompt. A unit with a parcel waiting in a shareable compartment is offered to add this
   * one to it (key C): the courier, who sees the parcel, says whether it fits.
   */
  #askSize(courier: Courier, tracking: string, carrier: string | null, unit: string, unitFromUpstream: boolean): void {
    const share = this.deps.locker.shareableFor(unit) ?? undefined;
    this.#to({ name: 'courier_size', courier, tracking, carrier, unit, ...(share !== undefined ? { share } : {}) });
    if (share !== undefined) return carrier ? this.#say('courier.chooseSizeOrShareForCarrier', { carrier, unit, door: share }) : this.#say('courier.chooseSizeOrShare', { unit, door: share });
    if (!unitFromUpstream) return this.#say('courier.chooseSize', {});
    if (carrier) return this.#say('courier.chooseSizeForUnitOfCarrier', { carrier, unit });
    this.#say('courier.chooseSizeForUnit', { unit });
  }

  #throttled(waitMs: number): void {
    this.#say('throttled', { seconds: Math.ceil(waitMs / 1000) }, 'error', 'throttled', Date.now() + waitMs);
  }

  async #login(credential: string | { badgeToken: string }): Promise<void> {
    const result = this.deps.locker.login(credential);
    // A staff member's PIN or badge: the staff flow (./flows/staff.ts) takes over.
    if (result.ok && 'staff' in result) {
      this.deps.log.info({ staff: result.staff.id }, 'staff logged in');
      return this.#flows.find((f) => f.staffLoggedIn)?.staffLoggedIn?.(this.#context, result.staff);
    }
    if (!result.ok) {
      if (result.reason === 'throttled') return this.#throttled(result.waitMs);
      this.deps.log.info(typeof credential === 'string' ? 'courier login refused: wrong PIN' : 'courier login refused: unknown badge');
      return typeof credential === 'string' ? this.#say('login.wrongCodeOrPin', { digits: this.deps.config.codes.length }, 'error') : this.#say('login.unknownBadge', {}, 'error');
    }
    this.deps.log.info({ courier: result.courier.id, carrier: result.courier.carrier }, 'courier logged in');
    this.#courierCredential = typeof credential === 'string' ? 'pin' : 'badge';
    // A package room station: the room flow takes the courier's session (./flows/room.ts).
    for (const f of this.#flows) if (f.courierLoggedIn && (await f.courierLoggedIn(this.#context, result.courier, this.#courierCredential))) return;
    this.#to({ name: 'courier_scan', courier: result.courier });
    // A full locker says so at once, before the courier scans a whole trolley of parcels (unless a room takes its overflow).
    if (this.deps.locker.freeCompartments() === 0 && this.deps.config.allocation.overflow.length === 0) {
      // Recorded too (deposit.refused, full_at_login): overflow counts must see the courier turned away.
      this.deps.locker.refuseFullAtLogin(result.courier);
      return this.#say('courier.lockerFull', { courier: result.courier.carrier }, 'error');
    }
    const returns = this.deps.locker.returnsWaitingFor(result.courier);
    if (returns > 0) return this.#say('courier.scanParcelReturns', { courier: result.courier.carrier, count: returns }, 'success');
    this.#say('courier.scanParcel', { courier: result.courier.carrier }, 'success');
  }

  /** Awaits a door operation of this session; its unlocks are shown while it runs. */
  async #doorsOf<T>(kind: DoorPurpose, operation: () => Promise<T>): Promise<T> {
    this.#busy = kind;
    try {
      return await operation();
    } finally {
      this.#busy = null;
    }
  }

  /** `carrier` is the one the label names, when it names one; otherwise the courier's own. */
  async #deposit(courier: Courier, tracking: string, carrier: string | null, unit: string, size: CompartmentSize | 'auto', shareWith?: string): Promise<void> {
    this.#doors.clear();
    const result = await this.#doorsOf('deposit', () => this.deps.locker.deposit({ courier, unit, size, tracking, carrier: carrier ?? courier.carrier, credential: this.#courierCredential, ...(shareWith !== undefined ? { shareWith } : {}) }));
    if (result.ok) {
      // Doors that failed before this one are staff's business, not the courier's.
      this.#doors = new Map([[result.compartmentId, 'open']]);
      this.#to({ name: 'courier_door', courier, parcelId: result.parcelId, compartmentId: result.compartmentId, ...(result.shared ? { shared: true } : {}), ...(result.placeId !== undefined ? { placeId: result.placeId } : {}) });
      if (result.placeId !== undefined) return this.#say('courier.overflowToRoom', { shelf: result.placeId }, 'success');
      if (result.shared) return this.#say('courier.sharedDoorOpen', { door: result.compartmentId }, 'success');
      return this.#say('courier.doorOpen', { door: result.compartmentId }, 'success');
    }
    this.#to({ name: 'courier_scan', courier });
    if (result.reason === 'full') return this.#say('courier.full', { sizes: result.fullSizes.join(', ') }, 'error');
    if (result.reason === 'unknown_unit') return this.#say('courier.unitUnknown', {}, 'error');
    if (result.reason === 'duplicate') return this.#say('courier.alreadyInLocker', { door: result.compartmentId }, 'error');
    return this.#say('courier.doorsFailed', {}, 'error');
  }

  /** `*` while the deposit door is open: the parcel does not fit. */
  async #biggerDoor(courier: Courier, parcelId: string, from: string): Promise<void> {
    const result = await this.#doorsOf('deposit', () => this.deps.locker.biggerDoor(parcelId, courier));
    if (result.ok) {
      this.#doors.set(result.compartmentId, 'open');
      this.#to({ name: 'courier_door', courier, parcelId, compartmentId: result.compartmentId });
      return this.#say('courier.biggerDoorOpen', { from, to: result.compartmentId }, 'success');
    }
    this.#to({ name: 'courier_scan', courier });
    return result.reason === 'full' ? this.#say('courier.noBiggerDoor', { from }, 'error') : this.#say('courier.doorsFailed', {}, 'error');
  }

  /** `D` while the deposit door is open: it did not open; it is marked faulty and another opens. */
  async #anotherDoor(courier: Courier, parcelId: string, from: string): Promise<void> {
    const result = await this.#doorsOf('deposit', () => this.deps.locker.anotherDoor(parcelId, courier));
    this.#doors.set(from, 'failed');
    if (result.ok) {
      this.#doors.set(result.compartmentId, 'open');
      this.#to({ name: 'courier_door', courier, parcelId, compartmentId: result.compartmentId });
      return this.#say('courier.anotherDoorOpen', { from, to: result.compartmentId }, 'success');
    }
    this.#to({ name: 'courier_scan', courier });
    return result.reason === 'full' ? this.#say('courier.noOtherDoor', { from }, 'error') : this.#say('courier.doorsFailed', {}, 'error');
  }

  async #pickup(credential: string | { qrToken: string }): Promise<void> {
    this.#doors.clear();
    const result = await this.#doorsOf('pickup', () => this.deps.locker.pickup(credential));
    if (!result.ok) {
      if (result.reason === 'throttled') return this.#throttled(result.waitMs);
      if (result.reason === 'nothing_waiting') return this.#say('pickup.nothingWaiting', {}, 'error');
      if (result.reason === 'hold_ended') return this.#say('pickup.holdEnded', {}, 'error');
      if (result.reason === 'doors_open') {
        this.#doors = new Map(result.compartments.map((id) => [id, 'open']));
        return this.#say('pickup.alreadyOpen', { doors: result.compartments.join(', ') }, 'info', 'resident_doors');
      }
      this.deps.log.info('pickup refused: wrong code');
      return typeof credential === 'string' ? this.#say('pickup.wrongCode', {}, 'error') : this.#say('pickup.wrongQr', {}, 'error');
    }
    const opened = result.doors.filter((d) => d.outcome === 'confirmed_open');
    if (opened.length === 0) this.#reset();
    else this.#to({ name: 'resident_doors', waiting: new Set(opened.map((d) => d.compartmentId)), ...(result.holdEnded ? { holdEnded: true } : {}) });
    this.#doors = new Map(result.doors.map((d) => [d.compartmentId, d.outcome === 'confirmed_open' ? 'open' : 'failed']));
    for (const d of result.doors) {
      if (d.outcome === 'confirmed_open') this.#say('pickup.doorOpen', { door: d.compartmentId }, 'success');
      else this.#say('pickup.doorFailed', { door: d.compartmentId }, 'error');
    }
    if (result.holdEnded) this.#say('pickup.someHoldEnded', {}, 'info');
    // Parcels at a front desk: nothing opens for them; the resident is sent there.
    const atDesk = result.elsewhere.filter((e) => e.kind === 'desk').reduce((n, e) => n + e.parcels.length, 0);
    if (atDesk > 0) this.#say('pickup.atDesk', { count: atDesk }, 'info', opened.length === 0 ? 'goodbye' : undefined);
    // Parcels in a room or at a desk: the flow of that kind lists them and lets the resident in.
    if (result.elsewhere.length > 0) for (const f of this.#flows) await f.pickupElsewhere?.(this.#context, result);
  }

  #onDeposited(_parcelId: string, compartmentId: string): void {
    const s = this.#state;
    if (this.#doors.has(compartmentId)) this.#doors.set(compartmentId, 'closed');
    if (s.name === 'courier_door' && s.compartmentId === compartmentId) {
      this.#to({ name: 'courier_scan', courier: s.courier });
      if (s.placeId !== undefined) return this.#say('courier.storedOnShelf', { shelf: s.placeId }, 'success');
      this.#say('courier.deposited', { door: compartmentId }, 'success');
    }
  }

  #onPickedUp(compartmentId: string): void {
    const s = this.#state;
    if (this.#doors.has(compartmentId)) this.#doors.set(compartmentId, 'closed');
    if (s.name !== 'resident_doors' || !s.waiting.has(compartmentId)) return;
    s.waiting.delete(compartmentId);
    if (s.waiting.size === 0) {
      this.#reset();
      this.#endSession();
      this.#say(s.holdEnded ? 'pickup.doneSomeHoldEnded' : 'pickup.done', {}, 'success', 'goodbye');
    }
  }

  #onUnlocking(compartmentId: string, purpose: DoorPurpose): void {
    if (this.#busy === null || this.#busy !== purpose) return;
    this.#doors.set(compartmentId, 'opening');
    const step: ScreenStep = purpose === 'deposit' ? 'courier_door' : purpose === 'pickup' ? 'resident_doors' : this.#stepFor('info');
    this.#show('door.opening', { door: compartmentId }, 'info', step);
  }

  #onUnlocked(compartmentId: string, purpose: DoorPurpose, open: boolean): void {
    if (this.#busy === null || this.#busy !== purpose || this.#doors.get(compartmentId) !== 'opening') return;
    this.#doors.set(compartmentId, open ? 'open' : 'failed');
    this.#emitScreen(false);
  }

  #onDoorClosed(compartmentId: string): void | Promise<void> {
    if (this.#doors.get(compartmentId) === 'open') this.#doors.set(compartmentId, 'closed');
    this.#leftOpen.delete(compartmentId);
    return this.#flowFor(this.#state)?.onDoorClosed?.(this.#context, compartmentId);
  }

  /** Shows or clears the staff banner "offline" (src/kiosk/upstream-notice.ts decides when). */
  setUpstreamOffline(offline: boolean): Promise<void> {
    return this.#enqueue(() => {
      this.#upstreamOffline = offline;
    });
  }

  #onDoorLeftOpen(compartmentId: string): void {
    this.#leftOpen.add(compartmentId);
  }
}

/** A state's content, without its seq and time. */
function keyOf(s: ScreenState): string {
  return JSON.stringify({ ...s, seq: 0, at: 0 });
}

/** A courier is logged in and the kiosk waits for their input (no door of theirs is open). */
function atCourierPrompt(s: State): s is Extract<State, { name: 'courier_scan' | 'courier_unit' | 'courier_size' }> {
  return s.name === 'courier_scan' || s.name === 'courier_unit' || s.name === 'courier_size';
}

/** What may be logged of a keyed entry: what it was taken for and its length, never its characters. */
function keyedForLog(scan: ScanResult, length: number): Record<string, unknown> {
  return { kind: scan.kind, ...(scan.carrier !== undefined ? { carrier: scan.carrier } : {}), valid: scan.valid, length, ...(scan.reason !== undefined ? { reason: scan.reason } : {}) };
}
