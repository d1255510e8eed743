/**
 * What the door controller needs from each lock-board family, on top of its pure codec: the
 * requests for status and unlock, and what a decoded frame means as the reply to one of them.
 * Each family fills it in in its own folder (`<family>/family.ts`); ./families.ts lists them.
 */
import type { LatchPolarity, ReplyDecoder } from './codec.js';
import type { ProtocolName } from './families.js';

export interface ModbusBoardOptions {
  /** Where the door (latch feedback) bits are read: discrete inputs (FC 02) or coils (FC 01). */
  feedback: 'inputs' | 'coils';
  /** Address of the feedback bit of lock 1; lock n is at feedbackStart + n - 1. */
  feedbackStart: number;
  /** Relay channel of lock 1; lock n is channel relayStart + n - 1. */
  relayStart: number;
  /**
   * `board`: one FC 05 to coil 0x0200 + channel with the pulse length (the board switches the
   * relay off by itself: a host that dies mid-pulse cannot leave a lock powered).
   * `host`: coil on, wait pulseMs, coil off.
   */
  pulse: 'board' | 'host';
}

/** One board as the door controller drives it. */
export interface BoardSpec {
  /** Board id from the config (compartments name it). */
  id: string;
  protocol: ProtocolName;
  /** Address on the bus: CU16 0..15, 0x8A 1..32, Modbus unit 1..247. */
  address: number;
  locks: number;
  polarity: LatchPolarity;
  /** Lock pulse: how long the lock is powered, and when its latch is read back. */
  pulseMs: number;
  /** Locks sharing a power supply fire one at a time. */
  powerGroup: string;
  /** The board has item-present sensors (CU16 infrared) and they are wired. */
  sensors: boolean;
  modbus: ModbusBoardOptions;
}

/** Raw bits of one status reply; index k is lock k + 1. Polarity is applied by the controller. */
export interface StatusReading {
  latches: boolean[];
  sensors: boolean[] | null;
}

/** What a decoded frame says as the reply to the request it answered. */
export type ReplyMeaning =
  | { kind: 'status'; reading: StatusReading }
  /** One lock's raw latch bit (0x8A unlock reply). */
  | { kind: 'lock-state'; lock: number; latch: boolean }
  /** The board took the command. */
  | { kind: 'ack' }
  /** The board answered with a refusal (Modbus exception). */
  | { kind: 'refused'; reason: string }
  /**
   * The board answered a write with something other than the echo of it (Modbus FC 05): it did
   * not do what was asked (a board without timed pulses answers the pulse `00 00`).
   */
  | { kind: 'not_echoed'; reason: string };

export type RequestKind = 'status' | 'unlock' | 'relay-off';

export interface Family<N extends string = ProtocolName> {
  /** The `protocol` of the config: the folder's name. */
  name: N;
  addressMin: number;
  addressMax: number;
  maxLocks: number;
  /** Quiet time before each request when the config does not set one. */
  defaultGapMs(baudRate: number): number;
  newDecoder(): ReplyDecoder<unknown>;
  statusRequest(b: BoardSpec): Buffer;
  unlockRequest(b: BoardSpec, lock: number): Buffer;
  /**
   * Who ends a lock's pulse. Absent, or null for board `b`: the board times it itself. Otherwise
   * the host does: this is the request that switches the lock's relay off, which the controller
   * sends `pulseMs` after the unlock, insisting until the board echoes it (Modbus `pulse: "host"`).
   */
  relayOffRequest?(b: BoardSpec, lock: number): Buffer | null;
  /**
   * What a technician can do about an unlock board `b` refused, or answered without its echo:
   * the end of the error log line, starting with ": ". Absent: check the address and lock count.
   */
  refusalHint?(b: BoardSpec, kind: 'refused' | 'not_echoed'): string;
  /** The meaning of `frame` as the reply to our `kind` request to board `b` (lock for unlocks), or null if it answers something else. */
  interpret(b: BoardSpec, kind: RequestKind, lock: number, frame: unknown): ReplyMeaning | null;
  /** Scan: a harmless request to `address`, and whether a frame answers it. */
  probe(address: number): { request: Buffer; answers: (frame: unknown) => boolean };
  /** Locks a board found by a scan has, when the protocol says (null: unknown). */
  scanLocks: number | null;
}
