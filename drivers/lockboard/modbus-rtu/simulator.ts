/**
 * Simulated Modbus RTU relay boards: FC 01 (relay coils), FC 02 (latch inputs), FC 05 (a relay,
 * or a board-timed pulse at coil 0x0200 + channel), broadcasts to unit 0, and the exceptions a
 * board answers to what it cannot do. Requests are 8 bytes, framed by their CRC and by 3.5
 * characters of silence, as RTU firmware does.
 */
import type { SimBoard, SimFamily, SimRequest } from '../sim/family.js';
import * as mb from './codec.js';
import { crcHolds } from './crc16.js';

export interface ModbusRequest extends SimRequest {
  unit: number;
  fc: number;
  /** First 16-bit field: start address or coil. */
  a: number;
  /** Second 16-bit field: quantity or value. */
  b: number;
}

export const modbusRtuSimulator: SimFamily<ModbusRequest> = {
  judge(buf, p, end) {
    // Requests the simulated boards understand are all 8 bytes: FC 01, 02, 03, 04, 05, 06.
    if (end - p < 2) return { kind: 'more' };
    const fc = buf[p + 1]!;
    if (fc < 1 || fc > 6) return { kind: 'skip' };
    if (end - p < 8) return { kind: 'more' };
    if (!crcHolds(buf, p, p + 8)) return { kind: 'skip' };
    const raw = Buffer.from(buf.subarray(p, p + 8));
    return { kind: 'frame', length: 8, request: { unit: raw[0]!, fc, a: raw.readUInt16BE(2), b: raw.readUInt16BE(4), raw } };
  },
  frameBreakChars: 3.5,
  defaultUnlockReply: 'ack',
  defaults: { locks: 8, baudRate: 9600 },
  handle(r, bus) {
    const broadcast = r.unit === 0;
    const board = bus.board(r.unit);
    if (!broadcast && !board) return;
    const targets = broadcast ? bus.plugged() : [board!];
    const exception = (b: SimBoard, code: number): void => {
      if (!broadcast) bus.reply(b, mb.encodeException(b.address, r.fc, code));
    };
    for (const b of targets) {
      const n = b.locks.length;
      if (r.fc === mb.FC_READ_COILS || r.fc === mb.FC_READ_DISCRETE_INPUTS) {
        if (broadcast) continue;
        if (r.b < 1 || r.b > mb.READ_BITS_MAX) {
          exception(b, 3);
          continue;
        }
        if (r.a + r.b > n) {
          exception(b, 2);
          continue;
        }
        const all = r.fc === mb.FC_READ_COILS ? b.locks.map((l) => l.relay) : bus.latchBits(b);
        bus.reply(b, mb.encodeBitsReply(b.address, r.fc, all.slice(r.a, r.a + r.b)));
      } else if (r.fc === mb.FC_WRITE_SINGLE_COIL) {
        if (r.a >= mb.PULSE_COIL_BASE && r.a < mb.PULSE_COIL_BASE + n) {
          if (r.b < 1) {
            exception(b, 3);
            continue;
          }
          if (b.unlockReply === 'zero-pulse') {
            if (!broadcast) bus.reply(b, mb.encodeWriteCoilReply(b.address, r.a, mb.COIL_OFF));
            continue;
          }
          bus.fire(b, r.a - mb.PULSE_COIL_BASE + 1, r.b * 100);
        } else if (r.a < n) {
          if (r.b !== mb.COIL_ON && r.b !== mb.COIL_OFF) {
            exception(b, 3);
            continue;
          }
          bus.setRelay(b, r.a + 1, r.b === mb.COIL_ON);
        } else {
          exception(b, 2);
          continue;
        }
        if (!broadcast && b.unlockReply !== 'none') bus.reply(b, Buffer.from(r.raw));
      } else {
        exception(b, 1);
      }
    }
  },
};
