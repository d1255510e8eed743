/**
 * What the door controller needs from each lock-board family, on top of its pure codec: the
 * requests for status and unlock, and what a decoded frame means as the reply to one of them.
 */
import type { LatchPolarity, ReplyDecoder } from './codec.js';
import * as a8 from './clone-8a/codec.js';
import * as cu16 from './kerong-cu16/codec.js';
import * as mb from './modbus-rtu/codec.js';
import { charTimeMs, modbusGapMs } from './timing.js';

export const PROTOCOLS = ['kerong-cu16', 'clone-8a', 'modbus-rtu'] as const;
export type ProtocolName = (typeof PROTOCOLS)[number];

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

export interface Family {
  name: ProtocolName;
  addressMin: number;
  addressMax: number;
  maxLocks: number;
  /** Whether an unlock may be answered; the controller never depends on it. */
  unlockMayReply: boolean;
  /** Quiet time before each request when the config does not set one. */
  defaultGapMs(baudRate: number): number;
  newDecoder(): ReplyDecoder<unknown>;
  statusRequest(b: BoardSpec): Buffer;
  unlockRequest(b: BoardSpec, lock: number): Buffer;
  /** Modbus host-timed pulse only. */
  relayOffRequest?(b: BoardSpec, lock: number): Buffer;
  /** The meaning of `frame` as the reply to our `kind` request to board `b` (lock for unlocks), or null if it answers something else. */
  interpret(b: BoardSpec, kind: RequestKind, lock: number, frame: unknown): ReplyMeaning | null;
  /** Scan: a harmless request to `address`, and whether a frame answers it. */
  probe(address: number): { request: Buffer; answers: (frame: unknown) => boolean };
  /** Locks a board found by a scan has, when the protocol says (null: unknown). */
  scanLocks: number | null;
}

const MODBUS_EXCEPTIONS: Record<number, string> = {
  1: 'illegal function', 2: 'illegal data address', 3: 'illegal data value', 4: 'device failure',
  5: 'acknowledge', 6: 'device busy',
};

const kerong: Family = {
  name: 'kerong-cu16',
  addressMin: 0,
  addressMax: cu16.BOARD_MAX,
  maxLocks: cu16.LOCKS_PER_BOARD,
  unlockMayReply: true,
  defaultGapMs: (baud) => charTimeMs(baud),
  newDecoder: () => new cu16.Cu16Decoder(),
  statusRequest: (b) => cu16.encodeStatusRequest(b.address),
  unlockRequest: (b, lock) => cu16.encodeUnlock(b.address, lock),
  interpret(b, kind, lock, frame) {
    const f = frame as cu16.Cu16Reply;
    if (f.board !== b.address) return null;
    if (f.kind === 'status') {
      if (f.broadcast) return null;
      return { kind: 'status', reading: { latches: f.latches, sensors: b.sensors ? f.sensors : null } };
    }
    if (kind === 'unlock' && f.lock === lock) return { kind: 'ack' };
    return null;
  },
  probe: (address) => ({
    request: cu16.encodeStatusRequest(address),
    answers: (frame) => (frame as cu16.Cu16Reply).kind === 'status' && (frame as cu16.Cu16Status).board === address && !(frame as cu16.Cu16Status).broadcast,
  }),
  scanLocks: cu16.LOCKS_PER_BOARD,
};

const clone8a: Family = {
  name: 'clone-8a',
  addressMin: a8.BOARD_MIN,
  addressMax: a8.BOARD_MAX,
  // The 7-byte query-all reply covers 24 locks; the layout for 48/50-lock boards is not known.
  maxLocks: a8.QUERY_ALL_LOCKS,
  unlockMayReply: true,
  defaultGapMs: (baud) => charTimeMs(baud),
  newDecoder: () => new a8.Clone8aDecoder(),
  statusRequest: (b) => a8.encodeQueryAll(b.address),
  unlockRequest: (b, lock) => a8.encodeUnlock(b.address, lock),
  interpret(b, kind, lock, frame) {
    const f = frame as a8.Clone8aReply;
    if (f.board !== b.address) return null;
    if (kind === 'status') return f.kind === 'query-all' ? { kind: 'status', reading: { latches: f.latches, sensors: null } } : null;
    if (kind === 'unlock' && f.kind === 'unlock' && f.lock === lock) return { kind: 'lock-state', lock, latch: f.latch };
    return null;
  },
  probe: (address) => ({
    request: a8.encodeQueryAll(address),
    answers: (frame) => (frame as a8.Clone8aReply).kind === 'query-all' && (frame as a8.Clone8aReply).board === address,
  }),
  scanLocks: a8.QUERY_ALL_LOCKS,
};

const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

function exceptionReason(f: mb.ModbusException): string {
  return `Modbus exception ${f.code} (${MODBUS_EXCEPTIONS[f.code] ?? 'unknown'}) to function ${f.fc}`;
}

const modbus: Family = {
  name: 'modbus-rtu',
  addressMin: mb.UNIT_MIN,
  addressMax: mb.UNIT_MAX,
  maxLocks: 48,
  unlockMayReply: true,
  defaultGapMs: (baud) => modbusGapMs(baud),
  newDecoder: () => new mb.ModbusRtuDecoder(),
  statusRequest: (b) => b.modbus.feedback === 'coils'
    ? mb.encodeReadCoils(b.address, b.modbus.feedbackStart, b.locks)
    : mb.encodeReadDiscreteInputs(b.address, b.modbus.feedbackStart, b.locks),
  unlockRequest: (b, lock) => b.modbus.pulse === 'board'
    ? mb.encodePulse(b.address, b.modbus.relayStart + lock - 1, Math.max(1, Math.ceil(b.pulseMs / 100)))
    : mb.encodeWriteCoil(b.address, b.modbus.relayStart + lock - 1, true),
  relayOffRequest: (b, lock) => mb.encodeWriteCoil(b.address, b.modbus.relayStart + lock - 1, false),
  interpret(b, kind, lock, frame) {
    const f = frame as mb.ModbusReply;
    if (f.unit !== b.address) return null;
    if (f.kind === 'exception') return { kind: 'refused', reason: exceptionReason(f) };
    if (kind === 'status') {
      if (f.kind !== 'bits' || f.bits.length !== b.locks) return null;
      return { kind: 'status', reading: { latches: f.bits, sensors: null } };
    }
    if (f.kind !== 'write-coil') return null;
    const channel = b.modbus.relayStart + lock - 1;
    const expected = kind === 'relay-off'
      ? { coil: channel, value: mb.COIL_OFF }
      : b.modbus.pulse === 'board'
        ? { coil: mb.PULSE_COIL_BASE + channel, value: Math.max(1, Math.ceil(b.pulseMs / 100)) }
        : { coil: channel, value: mb.COIL_ON };
    if (f.echoed && f.coil === expected.coil && f.value === expected.value) return { kind: 'ack' };
    // The bus waits for a quiet line before each request, so this is the board's answer to it:
    // one that names another coil or value did not do what was asked.
    return { kind: 'not_echoed', reason: `FC 05 to coil ${hex4(expected.coil)} with value ${hex4(expected.value)} was answered with coil ${hex4(f.coil)} value ${hex4(f.value)}, not its echo` };
  },
  probe: (address) => ({
    request: mb.encodeReadDiscreteInputs(address, 0, 1),
    // An exception still proves a Modbus device answers at that address.
    answers: (frame) => (frame as mb.ModbusReply).unit === address,
  }),
  scanLocks: null,
};

export const FAMILIES: Record<ProtocolName, Family> = {
  'kerong-cu16': kerong,
  'clone-8a': clone8a,
  'modbus-rtu': modbus,
};
