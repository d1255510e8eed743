/**
 * Kerong CU16 codec: `02 ADDR CMD 03 SUM`, ADDR = (board << 4) | lockIndex, SUM = sum of all
 * preceding bytes mod 256. Status replies are `02 ADDR 35 L1 L2 S1 S2 03 SUM`.
 * Latch bits are handed out raw; polarity is per-board configuration (see latchOpen).
 */
import {
  BAD_CHECKSUM, HuntingDecoder, MORE, NOT_A_FRAME, bitsOf, byteOf, checkInt, type Match,
} from '../codec.js';

const STX = 0x02;
const ETX = 0x03;
export const CMD_STATUS = 0x30;
export const CMD_UNLOCK = 0x31;
export const CMD_UNLOCK_ALL = 0x33;
export const CMD_STATUS_REPLY = 0x35;
/** Reply of every board to the broadcast status `02 F0 32 03 27`; never sent by us, decoded anyway. */
export const CMD_BROADCAST_STATUS_REPLY = 0x36;

export const BOARD_MAX = 15;
export const LOCKS_PER_BOARD = 16;
export const STATUS_REPLY_LENGTH = 9;
const SHORT_FRAME_LENGTH = 5;

export interface Cu16Status {
  kind: 'status';
  board: number;
  /** Raw latch bits, index k = lock k+1. Apply the board's polarity with latchOpen. */
  latches: boolean[];
  /** Raw infrared "item present" bits, same layout (all false on boards without sensors). */
  sensors: boolean[];
  /** True for the `36` reply to a broadcast status request. */
  broadcast: boolean;
  raw: Buffer;
}

/** The short reply some units send to an unlock; never rely on it (confirm with a status read). */
export interface Cu16UnlockAck {
  kind: 'unlock-ack';
  board: number;
  /** 1..16, or 'all' for the reply to unlock-all. */
  lock: number | 'all';
  raw: Buffer;
}

export type Cu16Reply = Cu16Status | Cu16UnlockAck;

/** Sum of `bytes[start..end)` mod 256. */
export function sum8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let s = 0;
  for (let i = start; i < end; i++) s += bytes[i]!;
  return s & 0xff;
}

function shortFrame(addr: number, cmd: number): Buffer {
  const f = Buffer.from([STX, addr, cmd, ETX, 0]);
  f[4] = sum8(f, 0, 4);
  return f;
}

/** Status request for one board: `02 B0 30 03 SUM`. */
export function encodeStatusRequest(board: number): Buffer {
  checkInt('CU16 board', board, 0, BOARD_MAX);
  return shortFrame(board << 4, CMD_STATUS);
}

/** Pulse one lock (1..16): `02 (board<<4 | lock-1) 31 03 SUM`. */
export function encodeUnlock(board: number, lock: number): Buffer {
  checkInt('CU16 board', board, 0, BOARD_MAX);
  checkInt('CU16 lock', lock, 1, LOCKS_PER_BOARD);
  return shortFrame((board << 4) | (lock - 1), CMD_UNLOCK);
}

/** Pulse every lock of a board: `02 B0 33 03 SUM`. */
export function encodeUnlockAll(board: number): Buffer {
  checkInt('CU16 board', board, 0, BOARD_MAX);
  return shortFrame(board << 4, CMD_UNLOCK_ALL);
}

/** A status reply as a board sends it (for simulators and tests). Missing bits are 0. */
export function encodeStatusReply(
  board: number,
  latches: readonly boolean[],
  sensors: readonly boolean[] = [],
): Buffer {
  checkInt('CU16 board', board, 0, BOARD_MAX);
  checkInt('CU16 latch count', latches.length, 0, LOCKS_PER_BOARD);
  checkInt('CU16 sensor count', sensors.length, 0, LOCKS_PER_BOARD);
  const f = Buffer.from([
    STX, board << 4, CMD_STATUS_REPLY,
    byteOf(latches, 0), byteOf(latches, 8), byteOf(sensors, 0), byteOf(sensors, 8),
    ETX, 0,
  ]);
  f[8] = sum8(f, 0, 8);
  return f;
}

/**
 * Incremental decoder of CU16 replies: 9-byte status (`35`, and `36` from a broadcast) and the
 * 5-byte unlock acknowledgement (`31`/`33`) some units send. Replies are self-describing, so
 * `expect` has nothing to learn. A 5-byte unlock ack is byte-identical to our unlock request:
 * on an echoing adapter call `expectEcho` or the echo is decoded as an ack.
 */
export class Cu16Decoder extends HuntingDecoder<Cu16Reply> {
  expect(_request: Uint8Array): void {
    // Nothing to learn: the CMD byte tells the reply's length.
  }

  protected clearExpectation(): void {}

  protected isHeader(byte: number): boolean {
    return byte === STX;
  }

  protected match(buf: Buffer, p: number, end: number): Match<Cu16Reply> {
    if (end - p < 3) return MORE;
    const cmd = buf[p + 2]!;
    let length: number;
    if (cmd === CMD_STATUS_REPLY || cmd === CMD_BROADCAST_STATUS_REPLY) length = STATUS_REPLY_LENGTH;
    else if (cmd === CMD_UNLOCK || cmd === CMD_UNLOCK_ALL) length = SHORT_FRAME_LENGTH;
    else return NOT_A_FRAME;
    // The ETX is checked as soon as it is here, so garbage is dropped without waiting for more.
    if (end - p < length - 1) return MORE;
    if (buf[p + length - 2] !== ETX) return NOT_A_FRAME;
    if (end - p < length) return MORE;
    if (buf[p + length - 1] !== sum8(buf, p, p + length - 1)) return BAD_CHECKSUM;

    const raw = Buffer.from(buf.subarray(p, p + length));
    const addr = raw[1]!;
    const board = addr >> 4;
    if (length === SHORT_FRAME_LENGTH) {
      const lock = cmd === CMD_UNLOCK ? (addr & 0x0f) + 1 : 'all';
      return { kind: 'frame', length, frame: { kind: 'unlock-ack', board, lock, raw } };
    }
    const latches: boolean[] = [];
    const sensors: boolean[] = [];
    bitsOf(raw[3]!, latches);
    bitsOf(raw[4]!, latches);
    bitsOf(raw[5]!, sensors);
    bitsOf(raw[6]!, sensors);
    const frame: Cu16Status = {
      kind: 'status', board, latches, sensors, broadcast: cmd === CMD_BROADCAST_STATUS_REPLY, raw,
    };
    return { kind: 'frame', length, frame };
  }
}
