/** Kerong CU16 boards as the door controller drives them (codec: ./codec.ts). */
import { charTimeMs } from '../timing.js';
import type { Family } from '../family.js';
import * as cu16 from './codec.js';

export const kerongCu16: Family<'kerong-cu16'> = {
  name: 'kerong-cu16',
  addressMin: 0,
  addressMax: cu16.BOARD_MAX,
  maxLocks: cu16.LOCKS_PER_BOARD,
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
