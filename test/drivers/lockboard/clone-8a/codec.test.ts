import { describe, expect, it } from 'vitest';
import { latchOpen } from '../../../../drivers/lockboard/codec.js';
import {
  Clone8aDecoder, encodeQuery, encodeQueryAll, encodeQueryAllReply, encodeReply, encodeUnlock,
  encodeUnlockAll, xor8,
} from '../../../../drivers/lockboard/clone-8a/codec.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const bits = (n: number, ...set: number[]): boolean[] => Array.from({ length: n }, (_, k) => set.includes(k + 1));

describe('0x8A/0x80 encoding (LOCKBOARDS.md examples)', () => {
  it('unlock one, unlock all, query one, query all', () => {
    expect(encodeUnlock(1, 1)).toEqual(hex('8A 01 01 11 9B'));
    expect(encodeUnlockAll(1)).toEqual(hex('8A 01 00 11 9A'));
    expect(encodeQuery(1, 1)).toEqual(hex('80 01 01 33 B3'));
    expect(encodeQueryAll(1)).toEqual(hex('80 01 00 33 B2'));
  });

  it('xor checksum over the first bytes', () => {
    expect(xor8(hex('80 01 01 01 01 33'))).toBe(0xb3);
    expect(encodeQueryAllReply(1, bits(24, 1, 9, 17))).toEqual(hex('80 01 01 01 01 33 B3'));
  });

  it('rejects out-of-range arguments with a RangeError naming the range', () => {
    expect(() => encodeUnlock(0, 1)).toThrow(/0x8A board must be an integer from 1 to 32, got 0/);
    expect(() => encodeUnlock(33, 1)).toThrow(RangeError);
    expect(() => encodeUnlock(1, 0)).toThrow(/0x8A lock must be an integer from 1 to 50, got 0/);
    expect(() => encodeQuery(1, 51)).toThrow(RangeError);
    expect(() => encodeQueryAll(2.5)).toThrow(RangeError);
    expect(() => encodeQueryAllReply(1, bits(25))).toThrow(RangeError);
  });
});

describe('0x8A/0x80 decoding', () => {
  it('decodes unlock replies: ST 00 (open now) and 11 (still closed), raw', () => {
    const replies = new Clone8aDecoder().push(hex('8A 01 01 00 8A  8A 01 01 11 9B  8A 01 0B 00 80'));
    expect(replies).toEqual([
      { kind: 'unlock', board: 1, lock: 1, latch: false, raw: hex('8A 01 01 00 8A') },
      { kind: 'unlock', board: 1, lock: 1, latch: true, raw: hex('8A 01 01 11 9B') },
      { kind: 'unlock', board: 1, lock: 11, latch: false, raw: hex('8A 01 0B 00 80') },
    ]);
    // The documented reading (00 open, 11 closed) is the 'one-is-closed' polarity.
    expect(latchOpen(false, 'one-is-closed')).toBe(true);
    expect(latchOpen(true, 'one-is-closed')).toBe(false);
  });

  it('decodes the unlock-all reply', () => {
    expect(new Clone8aDecoder().push(hex('8A 01 00 11 9A'))).toEqual([
      { kind: 'unlock-all', board: 1, latch: true, raw: hex('8A 01 00 11 9A') },
    ]);
  });

  it('decodes query-one replies', () => {
    expect(new Clone8aDecoder().push(hex('80 01 01 00 80  80 02 18 11 8B'))).toMatchObject([
      { kind: 'query', board: 1, lock: 1, latch: false },
      { kind: 'query', board: 2, lock: 24, latch: true },
    ]);
  });

  it('decodes the documented query-all reply', () => {
    const d = new Clone8aDecoder();
    d.expect(encodeQueryAll(1));
    expect(d.push(hex('80 01 01 01 01 33 B3'))).toEqual([
      { kind: 'query-all', board: 1, latches: bits(24, 1, 9, 17), raw: hex('80 01 01 01 01 33 B3') },
    ]);
  });

  it('puts the reversed query-all bytes back in order (B1 = locks 1..8 is sent last)', () => {
    // B3 = 0x80 (lock 24), B2 = 0x02 (lock 10), B1 = 0x01 (lock 1)
    const frame = hex('80 05 80 02 01 33 00');
    frame[6] = xor8(frame, 0, 6);
    expect(encodeQueryAllReply(5, bits(24, 1, 10, 24))).toEqual(frame);
    const d = new Clone8aDecoder();
    d.expect(encodeQueryAll(5));
    expect(d.push(frame)).toMatchObject([{ kind: 'query-all', board: 5, latches: bits(24, 1, 10, 24) }]);
  });

  it('decodes a query-all reply even without expect when no 5-byte reading fits', () => {
    expect(new Clone8aDecoder().push(hex('80 01 01 01 01 33 B3'))).toMatchObject([{ kind: 'query-all' }]);
  });

  it('uses the expectation to settle a query-all reply whose first 5 bytes pass as a query reply', () => {
    // 80 01 01 00 80 is a valid query reply (lock 1, ST 00); with 33 33 it is also a valid query-all reply.
    const ambiguous = hex('80 01 01 00 80 33 33');
    const d = new Clone8aDecoder();
    d.expect(encodeQueryAll(1));
    expect(d.push(ambiguous)).toMatchObject([{ kind: 'query-all', board: 1, latches: bits(24, 8, 17) }]);

    const plain = new Clone8aDecoder();
    expect(plain.push(ambiguous)).toMatchObject([{ kind: 'query', board: 1, lock: 1, latch: false }]);
    expect(plain.stats.discardedBytes).toBe(2);
  });

  it('still decodes a query-one reply while a query-all is expected, once the next bytes rule it out', () => {
    const d = new Clone8aDecoder();
    d.expect(encodeQueryAll(1));
    expect(d.push(hex('80 01 02 11 92'))).toEqual([]);
    expect(d.push(hex('00 00'))).toMatchObject([{ kind: 'query', board: 1, lock: 2, latch: true }]);
  });

  it('recognises, drops and counts unsolicited 82 reports', () => {
    const d = new Clone8aDecoder();
    const report = hex('82 01 05 00 86');
    const replies = d.push(Buffer.concat([report, hex('8A 01 01 00 8A'), report]));
    expect(replies).toMatchObject([{ kind: 'unlock', lock: 1 }]);
    expect(d.stats).toMatchObject({ frames: 1, unsolicited: 2, discardedBytes: 0, checksumErrors: 0 });
    d.push(hex('82 01 05 00 87'));
    expect(d.stats).toMatchObject({ unsolicited: 2, checksumErrors: 1 });
  });

  it('assembles frames pushed byte by byte', () => {
    const d = new Clone8aDecoder();
    d.expect(encodeQueryAll(1));
    const out = [];
    for (const b of hex('80 01 01 01 01 33 B3')) out.push(...d.push(Buffer.from([b])));
    expect(out).toHaveLength(1);
  });

  it('finds frames in garbage and rejects bad checksums, resyncing inside them', () => {
    const d = new Clone8aDecoder();
    // 8A 01 03 00 | 8A ...: a bad candidate whose XOR byte is the header of the real frame.
    const replies = d.push(hex('00 FF 8A 01 03 00 8A 01 02 11 98 33 80 00 80 41'));
    expect(replies).toMatchObject([{ kind: 'unlock', board: 1, lock: 2, latch: true }]);
    expect(d.stats.checksumErrors).toBe(1);
    expect(d.stats.frames).toBe(1);
  });

  it('rejects a board byte outside 1..32 at once', () => {
    const d = new Clone8aDecoder();
    expect(d.push(hex('8A 21'))).toEqual([]);
    expect(d.pending).toBe(0);
    expect(d.stats.discardedBytes).toBe(2);
  });

  it('drops an echo of the unlock request once, though the reply has the same bytes', () => {
    const request = encodeUnlock(1, 1);
    const d = new Clone8aDecoder();
    d.expectEcho(request);
    // Echo, then the board's "still closed" reply, which is byte-identical to the request.
    expect(d.push(Buffer.concat([request, request]))).toMatchObject([{ kind: 'unlock', latch: true }]);
    expect(d.stats).toMatchObject({ echoes: 1, frames: 1 });
    // The expectation is spent: a later identical frame is a reply again.
    expect(d.push(request)).toHaveLength(1);
  });

  it('an echo expectation ends with the first reply (adapter did not echo after all)', () => {
    const request = encodeUnlock(1, 1);
    const d = new Clone8aDecoder();
    d.expectEcho(request);
    expect(d.push(encodeReply('unlock', 1, 1, false))).toHaveLength(1);
    // A later frame with the request's bytes is not taken for a late echo.
    expect(d.push(request)).toMatchObject([{ kind: 'unlock', latch: true }]);
    expect(d.stats.echoes).toBe(0);
  });

  it('without expectEcho an echoed unlock request reads as a "still closed" reply (why the bus must say)', () => {
    const request = encodeUnlock(1, 1);
    expect(new Clone8aDecoder().push(Buffer.concat([request, encodeReply('unlock', 1, 1, false)])))
      .toMatchObject([{ kind: 'unlock', latch: true }, { kind: 'unlock', latch: false }]);
  });

  it('drops the echo of a query-all request before the 7-byte reply', () => {
    const request = encodeQueryAll(3);
    const reply = encodeQueryAllReply(3, bits(24, 3));
    const d = new Clone8aDecoder();
    d.expect(request);
    d.expectEcho(request);
    expect(d.push(Buffer.concat([request, reply]))).toMatchObject([{ kind: 'query-all', latches: bits(24, 3) }]);
    expect(d.stats).toMatchObject({ echoes: 1, discardedBytes: 0 });
  });
});
