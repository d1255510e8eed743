/**
 * Simulated "0x8A / 0x80" clone boards: unlock `8A BOARD LOCK 11 XOR` (lock 0: all), query
 * `80 BOARD LOCK 33 XOR` (lock 0: query all), framed as the firmware does, and their replies.
 */
import type { SimFamily, SimRequest } from '../sim/family.js';
import * as a8 from './codec.js';

export interface Clone8aRequest extends SimRequest {
  hdr: number;
  board: number;
  lock: number;
  fn: number;
}

export const clone8aSimulator: SimFamily<Clone8aRequest> = {
  judge(buf, p, end) {
    const hdr = buf[p]!;
    if (hdr !== 0x8a && hdr !== 0x80) return { kind: 'skip' };
    if (end - p < 5) return { kind: 'more' };
    const fn = buf[p + 3]!;
    if ((hdr === 0x8a && fn !== 0x11) || (hdr === 0x80 && fn !== 0x33)) return { kind: 'skip' };
    if (buf[p + 4] !== a8.xor8(buf, p, p + 4)) return { kind: 'skip' };
    return { kind: 'frame', length: 5, request: { hdr, board: buf[p + 1]!, lock: buf[p + 2]!, fn, raw: Buffer.from(buf.subarray(p, p + 5)) } };
  },
  defaultUnlockReply: 'ack',
  defaults: { locks: a8.QUERY_ALL_LOCKS, baudRate: 9600 },
  handle(r, bus) {
    const board = bus.board(r.board);
    if (!board) return;
    if (r.hdr === a8.HDR_UNLOCK) {
      if (r.lock === 0) {
        for (let l = 1; l <= board.locks.length; l++) bus.fire(board, l, board.pulseMs);
        if (board.unlockReply !== 'none') bus.reply(board, a8.encodeReply('unlock', board.address, 0, false));
        return;
      }
      if (r.lock > board.locks.length) return;
      bus.fire(board, r.lock, board.pulseMs);
      if (board.unlockReply !== 'none') bus.reply(board, a8.encodeReply('unlock', board.address, r.lock, bus.latchBit(board, r.lock)));
      return;
    }
    if (r.lock === 0) {
      bus.reply(board, a8.encodeQueryAllReply(board.address, bus.latchBits(board).slice(0, a8.QUERY_ALL_LOCKS)));
    } else if (r.lock <= board.locks.length) {
      bus.reply(board, a8.encodeReply('query', board.address, r.lock, bus.latchBit(board, r.lock)));
    }
  },
};
