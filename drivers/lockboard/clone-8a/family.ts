/** The "0x8A / 0x80" clone boards as the door controller drives them (codec: ./codec.ts). */
import { charTimeMs } from '../timing.js';
import type { Family } from '../family.js';
import * as a8 from './codec.js';

export const clone8a: Family<'clone-8a'> = {
  name: 'clone-8a',
  addressMin: a8.BOARD_MIN,
  addressMax: a8.BOARD_MAX,
  // The 7-byte query-all reply covers 24 locks; the layout for 48/50-lock boards is not known.
  maxLocks: a8.QUERY_ALL_LOCKS,
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
