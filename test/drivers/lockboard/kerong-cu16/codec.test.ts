import { describe, expect, it } from 'vitest';
import { latchOpen, MAX_PENDING } from '../../../../drivers/lockboard/codec.js';
import {
  Cu16Decoder, encodeStatusReply, encodeStatusRequest, encodeUnlock, encodeUnlockAll, sum8,
} from '../../../../drivers/lockboard/kerong-cu16/codec.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const bits = (...set: number[]): boolean[] => Array.from({ length: 16 }, (_, k) => set.includes(k + 1));
const STATUS_B0_LOCK1 = '02 00 35 01 00 00 00 03 3B';

describe('CU16 encoding (LOCKBOARDS.md examples)', () => {
  it('status request for a board', () => {
    expect(encodeStatusRequest(0)).toEqual(hex('02 00 30 03 35'));
    expect(encodeStatusRequest(1)).toEqual(hex('02 10 30 03 45'));
  });

  it('unlock one lock: ADDR = board << 4 | lock - 1', () => {
    expect(encodeUnlock(0, 1)).toEqual(hex('02 00 31 03 36'));
    expect(encodeUnlock(0, 16)).toEqual(hex('02 0F 31 03 45'));
    expect(encodeUnlock(1, 1)).toEqual(hex('02 10 31 03 46'));
  });

  it('unlock all locks of a board', () => {
    expect(encodeUnlockAll(0)).toEqual(hex('02 00 33 03 38'));
  });

  it('checksum is the sum of all preceding bytes mod 256 (broadcast example)', () => {
    expect(sum8(hex('02 F0 32 03'))).toBe(0x27);
    expect(sum8(hex('02 F0 35 FF FF FF FF 03'))).toBe((0x02 + 0xf0 + 0x35 + 4 * 0xff + 0x03) & 0xff);
  });

  it('status reply as a board sends it', () => {
    expect(encodeStatusReply(0, bits(1))).toEqual(hex(STATUS_B0_LOCK1));
  });

  it('rejects out-of-range arguments with a RangeError naming the range', () => {
    expect(() => encodeStatusRequest(16)).toThrow(RangeError);
    expect(() => encodeStatusRequest(16)).toThrow(/CU16 board must be an integer from 0 to 15, got 16/);
    expect(() => encodeStatusRequest(-1)).toThrow(/from 0 to 15/);
    expect(() => encodeStatusRequest(1.5)).toThrow(RangeError);
    expect(() => encodeUnlock(0, 0)).toThrow(/CU16 lock must be an integer from 1 to 16, got 0/);
    expect(() => encodeUnlock(0, 17)).toThrow(RangeError);
    expect(() => encodeUnlockAll(Number.NaN)).toThrow(RangeError);
    expect(() => encodeStatusReply(0, new Array<boolean>(17).fill(false))).toThrow(RangeError);
  });
});

describe('CU16 decoding', () => {
  it('decodes the documented status reply into raw bits', () => {
    const d = new Cu16Decoder();
    const [reply, ...rest] = d.push(hex(STATUS_B0_LOCK1));
    expect(rest).toEqual([]);
    expect(reply).toEqual({
      kind: 'status', board: 0, latches: bits(1), sensors: bits(), broadcast: false, raw: hex(STATUS_B0_LOCK1),
    });
    expect(d.stats).toEqual({ frames: 1, checksumErrors: 0, discardedBytes: 0, unsolicited: 0, echoes: 0 });
  });

  it('maps L2 to locks 9..16, S1/S2 to sensors and the ADDR high nibble to the board', () => {
    // board 3; L1 = 0, L2 = 0x81 (locks 9 and 16); S1 = 0x02 (sensor 2); S2 = 0x40 (sensor 15)
    const frame = Buffer.from([0x02, 0x30, 0x35, 0x00, 0x81, 0x02, 0x40, 0x03, 0]);
    frame[8] = sum8(frame, 0, 8);
    const [reply] = new Cu16Decoder().push(frame);
    expect(reply).toMatchObject({ kind: 'status', board: 3, latches: bits(9, 16), sensors: bits(2, 15) });
    expect(encodeStatusReply(3, bits(9, 16), bits(2, 15))).toEqual(frame);
  });

  it('leaves polarity to latchOpen: raw bit 1 is closed or open depending on the board', () => {
    const [reply] = new Cu16Decoder().push(hex(STATUS_B0_LOCK1));
    if (reply?.kind !== 'status') throw new Error('expected a status reply');
    expect(latchOpen(reply.latches[0]!, 'one-is-closed')).toBe(false);
    expect(latchOpen(reply.latches[0]!, 'one-is-open')).toBe(true);
    expect(latchOpen(reply.latches[1]!, 'one-is-closed')).toBe(true);
  });

  it('decodes the broadcast 36 reply and tolerates an unlock acknowledgement', () => {
    const broadcast = Buffer.from([0x02, 0x20, 0x36, 0xff, 0x00, 0x00, 0x00, 0x03, 0]);
    broadcast[8] = sum8(broadcast, 0, 8);
    const replies = new Cu16Decoder().push(Buffer.concat([broadcast, hex('02 0F 31 03 45'), hex('02 00 33 03 38')]));
    expect(replies).toMatchObject([
      { kind: 'status', board: 2, broadcast: true, latches: bits(1, 2, 3, 4, 5, 6, 7, 8) },
      { kind: 'unlock-ack', board: 0, lock: 16 },
      { kind: 'unlock-ack', board: 0, lock: 'all' },
    ]);
  });

  it('assembles a frame pushed byte by byte', () => {
    const d = new Cu16Decoder();
    const frame = hex(STATUS_B0_LOCK1);
    for (let i = 0; i < frame.length - 1; i++) {
      expect(d.push(frame.subarray(i, i + 1))).toEqual([]);
    }
    expect(d.pending).toBe(frame.length - 1);
    expect(d.push(frame.subarray(frame.length - 1))).toHaveLength(1);
    expect(d.pending).toBe(0);
  });

  it('finds several frames in one push, with garbage before, between and after', () => {
    const a = encodeStatusReply(1, bits(1, 2));
    const b = encodeStatusReply(2, bits(16), bits(16));
    const d = new Cu16Decoder();
    const replies = d.push(Buffer.concat([hex('FF 00 13 37'), a, hex('55 AA'), b, hex('00 01')]));
    expect(replies.map((r) => r.raw)).toEqual([a, b]);
    expect(d.stats.discardedBytes).toBe(8);
  });

  it('resyncs one byte after a rejected header, so a frame behind a partial header is found', () => {
    const d = new Cu16Decoder();
    // "02 00 35" looks like the start of a status reply, but its ETX slot holds 00.
    const replies = d.push(Buffer.concat([hex('02 00 35'), hex(STATUS_B0_LOCK1)]));
    expect(replies.map((r) => r.raw)).toEqual([hex(STATUS_B0_LOCK1)]);
    expect(d.stats).toMatchObject({ frames: 1, checksumErrors: 0, discardedBytes: 3 });
  });

  it('rejects and counts a bad checksum, then finds the frame that began inside it', () => {
    const d = new Cu16Decoder();
    // Candidate 02 00 35 00 00 00 00 03 | 02: its "SUM" byte is the STX of the real frame.
    const replies = d.push(Buffer.concat([hex('02 00 35 00 00 00 00 03'), hex(STATUS_B0_LOCK1)]));
    expect(replies.map((r) => r.raw)).toEqual([hex(STATUS_B0_LOCK1)]);
    expect(d.stats).toMatchObject({ frames: 1, checksumErrors: 1, discardedBytes: 8 });
  });

  it('never emits a frame whose checksum fails', () => {
    const d = new Cu16Decoder();
    const bad = hex('02 00 35 01 00 00 00 03 3C');
    expect(d.push(bad)).toEqual([]);
    expect(d.stats.checksumErrors).toBe(1);
  });

  it('drops our echoed request once; a second identical frame is a reply', () => {
    const request = encodeUnlock(0, 1);
    const d = new Cu16Decoder();
    d.expectEcho(request);
    const replies = d.push(Buffer.concat([request, request]));
    expect(replies).toMatchObject([{ kind: 'unlock-ack', board: 0, lock: 1 }]);
    expect(d.stats).toMatchObject({ echoes: 1, frames: 1, discardedBytes: 0 });
  });

  it('drops an echoed status request split across pushes, then decodes the reply', () => {
    const request = encodeStatusRequest(0);
    const d = new Cu16Decoder();
    d.expectEcho(request);
    const stream = Buffer.concat([request, hex(STATUS_B0_LOCK1)]);
    const replies = [];
    for (const byte of stream) replies.push(...d.push(Buffer.from([byte])));
    expect(replies).toHaveLength(1);
    expect(d.stats).toMatchObject({ echoes: 1, frames: 1, discardedBytes: 0 });
  });

  it('without expectEcho an echoed status request is just discarded bytes', () => {
    const d = new Cu16Decoder();
    const replies = d.push(Buffer.concat([encodeStatusRequest(0), hex(STATUS_B0_LOCK1)]));
    expect(replies).toHaveLength(1);
    expect(d.stats).toMatchObject({ echoes: 0, discardedBytes: 5 });
  });

  it('reset drops pending bytes and the echo expectation, counting the bytes', () => {
    const d = new Cu16Decoder();
    d.expectEcho(encodeUnlock(0, 1));
    d.push(hex('02 00 35 01'));
    d.reset();
    expect(d.pending).toBe(0);
    expect(d.stats.discardedBytes).toBe(4);
    expect(d.push(encodeUnlock(0, 1))).toHaveLength(1);
    expect(d.stats.echoes).toBe(0);
  });

  it('keeps its buffer bounded and still finds a frame at the end of a huge chunk', () => {
    const d = new Cu16Decoder();
    const noise = Buffer.alloc(10_000, 0x55);
    d.push(noise);
    expect(d.pending).toBeLessThanOrEqual(MAX_PENDING);
    const replies = d.push(Buffer.concat([noise, hex(STATUS_B0_LOCK1)]));
    expect(replies).toHaveLength(1);
    expect(d.stats.discardedBytes).toBe(20_000);
  });
});
