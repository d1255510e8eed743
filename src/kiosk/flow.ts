import type { Key } from '../../drivers/contracts.js';
import type { LockerdConfig } from '../config/types.js';
import type { DoorPurpose } from '../ledger/door-operations.js';
import type { LimitedLog } from '../../drivers/log-limit.js';
import type { Logger } from '../log.js';
import type { LockerService } from '../locker/locker-service.js';
import type { ScanResult } from '../barcode/index.js';
import type { StaffMember } from '../ledger/staff.js';
import type { Courier } from '../ledger/people.js';
import type { PickupResult } from '../locker/pickups.js';
import type { KioskState } from './kiosk-state.js';
import type { MessageId, MessageParams } from './messages.js';
import type { ChoiceSpec } from './screen-model.js';
import type { ScreenDoor, ScreenPanel, ScreenStep, Tone } from './screen.js';

/**
 * What the kiosk session lends a flow: the one way to speak, to move between states and to run a
 * door operation. A flow never keeps a state of its own: the session's state says where it is.
 */
export interface KioskFlowContext {
  readonly config: LockerdConfig;
  readonly log: Logger;
  /** Lines a flood of input may repeat go through here. */
  readonly limited: LimitedLog;
  readonly locker: LockerService;
  /** The session's state now. */
  readonly state: KioskState;
  /** Shows and says a prompt (screen, display, log). */
  say<Id extends MessageId>(id: Id, params: MessageParams<Id>, tone?: Tone, step?: ScreenStep): void;
  /** Moves to a state: the entry is cleared and the session's timer restarts. */
  to(state: KioskState): void;
  /** The person is done (logout, all doors shut): back to idle, the next person starts afresh. */
  endSession(): void;
  /** The doors on screen for this flow, in the order they were opened. */
  readonly doors: Map<string, ScreenDoor['state']>;
  /**
   * The flow lets go of its person: the session ends and this entry (`#` pressed) or scan is
   * handled as at the welcome screen (the next resident's code keyed over the previous one's list).
   */
  handOver(input: { entry: string } | { scan: string }): Promise<void>;
  /** Runs a door operation of this session: its unlocks are shown as they happen, input waits. */
  doorsOf<T>(purpose: DoorPurpose, operation: () => Promise<T>): Promise<T>;
}

/**
 * A kiosk flow: the states it owns and what keys and scans mean in them. The session handles
 * what is common to every state (typing, `*` clearing an entry, the timeout, the language) and
 * hands the rest to the flow that owns the current state.
 */
export interface KioskFlow {
  owns(state: KioskState): boolean;
  /** `#` with the entry typed (possibly empty). */
  submit(ctx: KioskFlowContext, entry: string): void | Promise<void>;
  /** `*` with nothing typed. */
  cancel(ctx: KioskFlowContext): void | Promise<void>;
  /** A scan (already parsed and not refused). */
  scan?(ctx: KioskFlowContext, scan: ScanResult, text: string): void | Promise<void>;
  /** The keys that do something now, in the flow's own states (the session sorts them). */
  choices(state: KioskState, typing: boolean): ChoiceSpec[];
  /** A staff member logged in at the welcome screen (PIN or badge): the staff flow takes over. */
  staffLoggedIn?(ctx: KioskFlowContext, staff: StaffMember): void;
  /** The session timed out in one of this flow's states (`state`); the session then goes idle. */
  timedOut?(ctx: KioskFlowContext, state: KioskState): void;
  /** Door events of the locker while in this flow's states. */
  onDoorClosed?(ctx: KioskFlowContext, compartmentId: string): void | Promise<void>;
  /**
   * The keys that start this flow from a state the session owns (the welcome screen, a courier's
   * prompt) with nothing typed: shown there as choices; pressing one calls start().
   */
  startChoices?(state: KioskState): ChoiceSpec[];
  start?(ctx: KioskFlowContext, key: Key): void | Promise<void>;
  /** A list or pad the screen shows beside the prompt in this state (the desk's places, a signature pad). */
  panel?(state: KioskState): ScreenPanel | undefined;
  /** A signature from the screen's pad (`strokes`) or `lockerctl sim sign` (`path`), not yet checked. */
  signature?(ctx: KioskFlowContext, signature: SignatureInput): void | Promise<void>;
  /** A courier logged in at the welcome screen: a flow may take the session over (the package room's). True: it did. */
  courierLoggedIn?(ctx: KioskFlowContext, courier: Courier, credential: 'pin' | 'badge'): boolean | Promise<boolean>;
  /** The resident's code covers parcels in a room or at a desk (`elsewhere`): the flow of that storage kind hands them over. */
  pickupElsewhere?(ctx: KioskFlowContext, result: Extract<PickupResult, { ok: true }>): void | Promise<void>;
  /** A scan at the welcome screen the session has no use for (a parcel label): true when the flow took it. */
  scanAtWelcome?(ctx: KioskFlowContext, scan: ScanResult, text: string): boolean | Promise<boolean>;
  /** A letter key (A-D) with nothing typed in one of this flow's states: true when it means something here. */
  key?(ctx: KioskFlowContext, key: Key): boolean | Promise<boolean>;
  /** How long a session in this flow's state lasts without input; undefined: `kiosk.sessionTimeoutMs`. */
  sessionMs?(state: KioskState): number | undefined;
}

/** What the pad sent (strokes of [x, y] points), or a path keyed for a simulation. */
export type SignatureInput = { strokes: unknown } | { path: unknown };
