/**
 * Simulated Kerong CU16 boards: requests `02 ADDR CMD 03 SUM` (status 30, unlock 31, unlock all
 * 33, broadcast status 32), framed as the firmware does, and their replies.
 */
import type { SimBoard, SimBus, SimFamily, SimRequest } from '../sim/family.js';
import * as cu16 from './codec.js';

export interface Cu16Request extends SimRequest {
  cmd: number;
  /** Board in the high nibble, lock index in the low one. */
  addr: number;
}

function status(bus: SimBus, address: number, board: SimBoard): Buffer {
  return cu16.encodeStatusReply(address, bus.latchBits(board).slice(0, 16), bus.sensorBits(board).slice(0, 16));
}

export const kerongCu16Simulator: SimFamily<Cu16Request> = {
  judge(buf, p, end) {
    if (buf[p] !== 0x02) return { kind: 'skip' };
    if (end - p < 5) return { kind: 'more' };
    const cmd = buf[p + 2]!;
    if (cmd < 0x30 || cmd > 0x33 || buf[p + 3] !== 0x03) return { kind: 'skip' };
    if (buf[p + 4] !== cu16.sum8(buf, p, p + 4)) return { kind: 'skip' };
    return { kind: 'frame', length: 5, request: { cmd, addr: buf[p + 1]!, raw: Buffer.from(buf.subarray(p, p + 5)) } };
  },
  defaultUnlockReply: 'none',
  defaults: { locks: cu16.LOCKS_PER_BOARD, baudRate: 19200 },
  handle(r, bus) {
    if (r.cmd === 0x32) {
      // Broadcast status: every board answers (on a real bus they collide; here they queue).
      for (const b of bus.plugged()) {
        const f = status(bus, b.address & 0x0f, b);
        f[2] = cu16.CMD_BROADCAST_STATUS_REPLY;
        f[8] = cu16.sum8(f, 0, 8);
        bus.reply(b, f);
      }
      return;
    }
    const board = bus.board(r.addr >> 4);
    if (!board) return;
    const lockIndex = r.addr & 0x0f;
    if (r.cmd === cu16.CMD_STATUS) {
      bus.reply(board, status(bus, board.address, board));
    } else if (r.cmd === cu16.CMD_UNLOCK) {
      if (lockIndex < board.locks.length) bus.fire(board, lockIndex + 1, board.pulseMs);
      if (board.unlockReply === 'ack') bus.reply(board, Buffer.from(r.raw));
      else if (board.unlockReply === 'status') bus.reply(board, status(bus, board.address, board));
    } else if (r.cmd === cu16.CMD_UNLOCK_ALL) {
      for (let l = 1; l <= board.locks.length; l++) bus.fire(board, l, board.pulseMs);
      if (board.unlockReply === 'ack') bus.reply(board, Buffer.from(r.raw));
    }
  },
};
