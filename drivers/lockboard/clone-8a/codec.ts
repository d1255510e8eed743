/**
 * Codec of the "0x8A / 0x80" lock boards (many Chinese clones): `HDR BOARD LOCK FN XOR`, XOR =
 * xor of the first four bytes; the query-all reply is 7 bytes, `80 BOARD B3 B2 B1 33 XOR`, with
 * the lock bytes in reversed order (B1 = locks 1..8). Unsolicited `82` reports are dropped.
 * Latch values are handed out raw (ST 0x11 and bit 1 = true); polarity is per-board
 * configuration (see latchOpen: under 'one-is-closed', true means closed).
 */
import {
  BAD_CHECKSUM, HuntingDecoder, MORE, NOT_A_FRAME, bitsOf, byteOf, checkInt, type Match,
} from '../codec.js';

export const HDR_UNLOCK = 0x8a;
export const HDR_QUERY = 0x80;
/** Unsolicited state report of some models; recognised and dropped. */
export const HDR_REPORT = 0x82;
const FN_UNLOCK = 0x11;
const FN_QUERY = 0x33;
const ST_LOW = 0x00;
const ST_HIGH = 0x11;

export const BOARD_MIN = 1;
export const BOARD_MAX = 32;
/** Boards drive up to 24 locks, some variants 48 or 50. */
export const LOCK_MAX = 50;
export const QUERY_ALL_LOCKS = 24;
const FRAME_LENGTH = 5;
const QUERY_ALL_REPLY_LENGTH = 7;

export interface Clone8aUnlockReply {
  kind: 'unlock';
  board: number;
  lock: number;
  /** Raw: true for ST 0x11 ("still closed" under the usual wiring), false for 0x00. */
  latch: boolean;
  raw: Buffer;
}

/** The reply to unlock-all (`8A B 00 11 X`), sent after the board fired its locks one by one. */
export interface Clone8aUnlockAllReply {
  kind: 'unlock-all';
  board: number;
  latch: boolean;
  raw: Buffer;
}

export interface Clone8aQueryReply {
  kind: 'query';
  board: number;
  lock: number;
  latch: boolean;
  raw: Buffer;
}

export interface Clone8aQueryAllReply {
  kind: 'query-all';
  board: number;
  /** Raw bits, index k = lock k+1 (already put back in order from the reversed wire bytes). */
  latches: boolean[];
  raw: Buffer;
}

export type Clone8aReply =
  | Clone8aUnlockReply | Clone8aUnlockAllReply | Clone8aQueryReply | Clone8aQueryAllReply;

/** Xor of `bytes[start..end)`. */
export function xor8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let x = 0;
  for (let i = start; i < end; i++) x ^= bytes[i]!;
  return x;
}

function frame5(hdr: number, board: number, lock: number, fn: number): Buffer {
  const f = Buffer.from([hdr, board, lock, fn, 0]);
  f[4] = xor8(f, 0, 4);
  return f;
}

function checkBoard(board: number): void {
  checkInt('0x8A board', board, BOARD_MIN, BOARD_MAX);
}

function checkLock(lock: number): void {
  checkInt('0x8A lock', lock, 1, LOCK_MAX);
}

/** Pulse one lock: `8A B L 11 X`. */
export function encodeUnlock(board: number, lock: number): Buffer {
  checkBoard(board);
  checkLock(lock);
  return frame5(HDR_UNLOCK, board, lock, FN_UNLOCK);
}

/** Fire every lock one after another (takes seconds): `8A B 00 11 X`. */
export function encodeUnlockAll(board: number): Buffer {
  checkBoard(board);
  return frame5(HDR_UNLOCK, board, 0, FN_UNLOCK);
}

/** Latch state of one lock: `80 B L 33 X`. */
export function encodeQuery(board: number, lock: number): Buffer {
  checkBoard(board);
  checkLock(lock);
  return frame5(HDR_QUERY, board, lock, FN_QUERY);
}

/** Latch states of locks 1..24: `80 B 00 33 X`. */
export function encodeQueryAll(board: number): Buffer {
  checkBoard(board);
  return frame5(HDR_QUERY, board, 0, FN_QUERY);
}

/** A board's reply to unlock (lock 0 = unlock-all) or query, for simulators and tests. */
export function encodeReply(kind: 'unlock' | 'query', board: number, lock: number, latch: boolean): Buffer {
  checkBoard(board);
  checkInt('0x8A lock', lock, kind === 'unlock' ? 0 : 1, LOCK_MAX);
  return frame5(kind === 'unlock' ? HDR_UNLOCK : HDR_QUERY, board, lock, latch ? ST_HIGH : ST_LOW);
}

/** A board's 7-byte query-all reply (bytes reversed on the wire), for simulators and tests. */
export function encodeQueryAllReply(board: number, latches: readonly boolean[]): Buffer {
  checkBoard(board);
  checkInt('0x8A latch count', latches.length, 0, QUERY_ALL_LOCKS);
  const f = Buffer.from([
    HDR_QUERY, board, byteOf(latches, 16), byteOf(latches, 8), byteOf(latches, 0), FN_QUERY, 0,
  ]);
  f[6] = xor8(f, 0, 6);
  return f;
}

/**
 * Incremental decoder of 0x8A/0x80 replies. A 5-byte `80` query reply and a 7-byte query-all
 * reply share their header, and the first five bytes of a query-all reply can pass as a query
 * reply (e.g. `80 01 01 00 80 33 33` reads as query reply `80 01 01 00 80`); `expect(request)` with our query-all request makes the
 * decoder try the 7-byte shape first. Without it the 5-byte shape wins when both fit.
 */
export class Clone8aDecoder extends HuntingDecoder<Clone8aReply> {
  private queryAllBoard: number | null = null;

  expect(request: Uint8Array): void {
    const isQueryAll = request.length === FRAME_LENGTH && request[0] === HDR_QUERY
      && request[2] === 0 && request[3] === FN_QUERY;
    this.queryAllBoard = isQueryAll ? request[1]! : null;
  }

  protected clearExpectation(): void {
    this.queryAllBoard = null;
  }

  protected isHeader(byte: number): boolean {
    return byte === HDR_UNLOCK || byte === HDR_QUERY || byte === HDR_REPORT;
  }

  protected match(buf: Buffer, p: number, end: number): Match<Clone8aReply> {
    if (end - p < 2) return MORE;
    const hdr = buf[p]!;
    const board = buf[p + 1]!;
    if (board < BOARD_MIN || board > BOARD_MAX) return NOT_A_FRAME;
    if (hdr === HDR_REPORT) return this.matchReport(buf, p, end);
    if (hdr === HDR_UNLOCK) return this.matchShort(buf, p, end);
    // Try the expected shape first; fall back to the other one only if it is ruled out.
    const [first, second] = this.queryAllBoard === board
      ? [this.matchQueryAll, this.matchShort]
      : [this.matchShort, this.matchQueryAll];
    const a = first.call(this, buf, p, end);
    if (a.kind !== 'skip') return a;
    const b = second.call(this, buf, p, end);
    if (b.kind !== 'skip') return b;
    return a.checksumError || b.checksumError ? BAD_CHECKSUM : NOT_A_FRAME;
  }

  /** `82 B L ST X`: shape assumed like the other 5-byte frames (sources give no layout). */
  private matchReport(buf: Buffer, p: number, end: number): Match<Clone8aReply> {
    if (end - p < FRAME_LENGTH) return MORE;
    if (buf[p + 4] !== xor8(buf, p, p + 4)) return BAD_CHECKSUM;
    return { kind: 'unsolicited', length: FRAME_LENGTH };
  }

  /** `8A B L ST X` (L = 0: unlock-all) or `80 B L ST X` (L >= 1), ST 00 or 11. */
  private matchShort(buf: Buffer, p: number, end: number): Match<Clone8aReply> {
    const hdr = buf[p]!;
    if (end - p < 3) return MORE;
    const lock = buf[p + 2]!;
    if (lock > LOCK_MAX || (lock === 0 && hdr !== HDR_UNLOCK)) return NOT_A_FRAME;
    if (end - p < 4) return MORE;
    const st = buf[p + 3]!;
    if (st !== ST_LOW && st !== ST_HIGH) return NOT_A_FRAME;
    if (end - p < FRAME_LENGTH) return MORE;
    if (buf[p + 4] !== xor8(buf, p, p + 4)) return BAD_CHECKSUM;

    const raw = Buffer.from(buf.subarray(p, p + FRAME_LENGTH));
    const board = raw[1]!;
    const latch = st === ST_HIGH;
    const frame: Clone8aReply = hdr === HDR_QUERY
      ? { kind: 'query', board, lock, latch, raw }
      : lock === 0
        ? { kind: 'unlock-all', board, latch, raw }
        : { kind: 'unlock', board, lock, latch, raw };
    return { kind: 'frame', length: FRAME_LENGTH, frame };
  }

  /** `80 B B3 B2 B1 33 X`. */
  private matchQueryAll(buf: Buffer, p: number, end: number): Match<Clone8aReply> {
    if (end - p < 6) return MORE;
    if (buf[p + 5] !== FN_QUERY) return NOT_A_FRAME;
    if (end - p < QUERY_ALL_REPLY_LENGTH) return MORE;
    if (buf[p + 6] !== xor8(buf, p, p + 6)) return BAD_CHECKSUM;

    const raw = Buffer.from(buf.subarray(p, p + QUERY_ALL_REPLY_LENGTH));
    const latches: boolean[] = [];
    bitsOf(raw[4]!, latches); // B1: locks 1..8
    bitsOf(raw[3]!, latches); // B2: locks 9..16
    bitsOf(raw[2]!, latches); // B3: locks 17..24
    const frame: Clone8aQueryAllReply = { kind: 'query-all', board: raw[1]!, latches, raw };
    return { kind: 'frame', length: QUERY_ALL_REPLY_LENGTH, frame };
  }
}
