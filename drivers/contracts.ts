/**
 * The contracts between the core and the hardware drivers. Types only: the core depends on
 * these interfaces, drivers implement them, and neither imports the other's modules.
 */

/** A lock on a board, as the configuration names it. `lock` is 1-based, as printed on the board. */
export interface LockAddress {
  board: string;
  lock: number;
}

/**
 * What an unlock achieved, distinguished because the follow-up differs:
 * - `confirmed_open`: a status read after the pulse saw the latch open.
 * - `unconfirmed`: the board took the command but the latch still reads closed (jammed, or the
 *   door is held shut); the door may or may not open later.
 * - `no_response`: the board did not answer at all; nothing is known.
 */
export type UnlockOutcome = 'confirmed_open' | 'unconfirmed' | 'no_response';

export interface UnlockResult {
  outcome: UnlockOutcome;
  /** How many unlock commands were sent (more than one only after a status read said "still closed"). */
  attempts: number;
}

/** A latch (door) change seen by the board driver, or a reading of the item-present sensor. */
export interface DoorChange {
  board: string;
  lock: number;
  open: boolean;
  /** Item-present sensor, where the board has one. */
  itemPresent?: boolean;
  at: Date;
}

export interface BoardHealth {
  board: string;
  online: boolean;
  /** Free text for technicians, e.g. "simulated", "/dev/ttyUSB0 kerong-cu16 @0". */
  detail: string;
  errors: number;
  /** Named error counters for technicians (timeouts, checksum errors, echoes...). */
  counters?: Record<string, number>;
}

/** Which addresses a bus scan probes; each family's own range is the outer limit. */
export interface BusScanRange {
  from: number;
  to: number;
}

/** What answered on one bus during a technician's scan. */
export interface BusScanResult {
  bus: string;
  /** Serial device path, when the bus is a serial port. */
  path?: string;
  found: { address: number; protocol: string; locks: number; board?: string }[];
  /** Why the scan could not run (port down, ...). */
  error?: string;
}

export interface DoorStatus {
  board: string;
  lock: number;
  open: boolean;
  itemPresent?: boolean;
}

export interface DoorHardwareEvents {
  door: (change: DoorChange) => void;
  board: (health: BoardHealth) => void;
}

/** All the lock boards of the locker, whatever buses and protocols they sit on. */
export interface DoorHardware {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Pulse one lock and report what is known afterwards. Never resends blindly. */
  unlock(address: LockAddress): Promise<UnlockResult>;
  /** Current latch state of one lock, or null when its board does not answer. */
  read(address: LockAddress): Promise<DoorStatus | null>;
  health(): BoardHealth[];
  /**
   * Probes the addresses of every bus, all of each family's or those in `range` (technician tool;
   * slow, pauses polling). Optional: the simulator answers from its config.
   */
  scanBus?(range?: BusScanRange): Promise<BusScanResult[]>;
  on<E extends keyof DoorHardwareEvents>(event: E, listener: DoorHardwareEvents[E]): this;
  off<E extends keyof DoorHardwareEvents>(event: E, listener: DoorHardwareEvents[E]): this;
}

/** Keys in the kiosk's single keypad alphabet. Named keys exist on some keypads. */
export type Key =
  | '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9'
  | '*' | '#' | 'A' | 'B' | 'C' | 'D'
  | 'cancel' | 'enter';

export const KEYS: readonly Key[] = [
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D', 'cancel', 'enter',
];

export interface ScanInput {
  kind: 'scan';
  text: string;
  /** AIM symbology identifier (e.g. "]C1") when the scanner sent one. */
  symbology?: string;
  source: string;
  at: Date;
}

export interface KeyInput {
  kind: 'key';
  key: Key;
  source: string;
  at: Date;
}

export type KioskInput = ScanInput | KeyInput;

/** A scanner or keypad: emits `input` events, survives unplugging by itself. */
export interface InputDevice {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  on(event: 'input', listener: (input: KioskInput) => void): this;
  off(event: 'input', listener: (input: KioskInput) => void): this;
}

// --- Input diagnostics (technician tools), cabinet signals and kiosk feedback ----------------

/** What a technician sees about one scanner or keypad (`lockerctl scanner test`, `keypad test`). */
export interface InputHealth {
  name: string;
  kind: 'scanner' | 'keypad';
  /** e.g. "serial", "hid-pos", "hid-keyboard", "hid", "gpio-matrix", "sim". */
  type: string;
  /** The device is open and reading. */
  online: boolean;
  /** Free text: path, USB ids, the last error, a hint ("keyboard wedge: least preferred mode"). */
  detail: string;
  /** Named counters: reopen attempts, refused bytes, rollover reports, overflows... */
  counters: Record<string, number>;
}

/** Bytes exactly as a device delivered them (serial chunk or one HID report). */
export interface RawInputChunk {
  source: string;
  bytes: Uint8Array;
  at: Date;
}

/** Optional side of an InputDevice: health and a tap on the raw bytes. Never logs content. */
export interface InputDiagnostics {
  health(): InputHealth;
  /** Subscribes to raw chunks; returns the unsubscribe function. */
  onRaw(listener: (chunk: RawInputChunk) => void): () => void;
}

/** A change of the cabinet's tamper switch: `open` true when the cabinet is opened. */
export interface TamperSignal {
  open: boolean;
  at: Date;
}

/** A change of the UPS power-fail input: `lost` true when mains power is gone. */
export interface PowerSignal {
  lost: boolean;
  at: Date;
}

/** Inputs of the cabinet itself (GPIO): tamper switch and UPS power-fail line. */
export interface KioskSignals {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Current states, or null where the input is not wired (or not readable yet). */
  state(): { tamperOpen: boolean | null; powerLost: boolean | null };
  on(event: 'tamper', listener: (signal: TamperSignal) => void): this;
  on(event: 'power', listener: (signal: PowerSignal) => void): this;
  off(event: 'tamper', listener: (signal: TamperSignal) => void): this;
  off(event: 'power', listener: (signal: PowerSignal) => void): this;
}

export type FeedbackTone = 'good' | 'error';

/** Buzzer and status lights. Fire and forget: feedback never blocks or fails the kiosk. */
export interface KioskFeedback {
  start(): Promise<void>;
  stop(): Promise<void>;
  beep(tone: FeedbackTone): void;
  /** The kiosk is serving someone (busy light on) or idle. */
  busy(on: boolean): void;
}
