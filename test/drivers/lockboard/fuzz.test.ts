/**
 * Fuzzes every lock-board reply decoder with random bytes, corrupted frames (one byte flipped,
 * truncated, spliced with garbage) and valid frames, pushed in random chunks.
 *
 * Each valid frame the test must get back is preceded by a guard of at least one full frame
 * length of non-header bytes. Any candidate the decoder starts before the guard is then
 * settled (accepted or rejected) before the embedded frame begins, so recovering it is a
 * property the decoder must have, not luck. Seeded (mulberry32): set LOCKBOARD_FUZZ_SEED to
 * replay a failure; the seed is printed and is part of every failure message.
 */
import { describe, expect, it } from 'vitest';
import { MAX_PENDING, type ReplyDecoder } from '../../../drivers/lockboard/codec.js';
import * as a8 from '../../../drivers/lockboard/clone-8a/codec.js';
import * as cu16 from '../../../drivers/lockboard/kerong-cu16/codec.js';
import * as mb from '../../../drivers/lockboard/modbus-rtu/codec.js';
import { crc16Modbus, withCrc } from '../../../drivers/lockboard/modbus-rtu/crc16.js';
import { mulberry32 } from '../../../drivers/sim/prng.js';

type Rng = () => number;


const SEED = process.env.LOCKBOARD_FUZZ_SEED !== undefined
  ? Number(process.env.LOCKBOARD_FUZZ_SEED) >>> 0
  : (Date.now() ^ (process.pid << 16)) >>> 0;

/** Integer in [min, max]. */
const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));
const bytes = (rng: Rng, n: number): Buffer => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(rng, 0, 255);
  return b;
};

interface Decoded { raw: Buffer }

/** One stream's decoder, its expectation and the frames that fit it. */
interface Setup {
  decoder: ReplyDecoder<Decoded>;
  /** The request this stream answers (what an echoing adapter would hand back). */
  request: Buffer;
  /** The request's bytes also form a valid reply (CU16 unlock, 0x8A unlock, Modbus FC 05). */
  requestIsReply: boolean;
  /** Longest frame the decoder may consider here. */
  maxLen: number;
  isHeader(b: number): boolean;
  /** A valid frame the decoder must return (or, if `unsolicited`, count and drop). */
  wanted(rng: Rng): { frame: Buffer; unsolicited: boolean };
  /** Any valid frame of the family, as raw material for noise. */
  any(rng: Rng): Buffer;
  /** Independent check of a frame's checksum and shape. */
  valid(raw: Buffer): boolean;
  /** Byte length of an unsolicited frame (0 if the family has none). */
  unsolicitedLength: number;
}

interface Family { name: string; setup(rng: Rng): Setup }

// --- CU16 -------------------------------------------------------------------------------------
const sum = (b: Uint8Array, n: number): number => b.subarray(0, n).reduce((s, x) => s + x, 0) & 0xff;
function cu16Frame(rng: Rng): Buffer {
  const status = rng() < 0.8;
  const f = status
    ? Buffer.from([2, int(rng, 0, 255), rng() < 0.9 ? 0x35 : 0x36, ...bytes(rng, 4), 3, 0])
    : Buffer.from([2, int(rng, 0, 255), rng() < 0.5 ? 0x31 : 0x33, 3, 0]);
  f[f.length - 1] = sum(f, f.length - 1);
  return f;
}
const cu16Family: Family = {
  name: 'kerong-cu16',
  setup(rng) {
    const board = int(rng, 0, 15);
    const unlock = rng() < 0.5;
    return {
      decoder: new cu16.Cu16Decoder(),
      request: unlock ? cu16.encodeUnlock(board, int(rng, 1, 16)) : cu16.encodeStatusRequest(board),
      requestIsReply: unlock,
      maxLen: 9,
      isHeader: (b) => b === 0x02,
      wanted: (r) => ({ frame: cu16Frame(r), unsolicited: false }),
      any: cu16Frame,
      valid: (raw) => (raw.length === 9 || raw.length === 5) && raw[0] === 2
        && raw[raw.length - 2] === 3 && raw[raw.length - 1] === sum(raw, raw.length - 1),
      unsolicitedLength: 0,
    };
  },
};

// --- 0x8A / 0x80 ------------------------------------------------------------------------------
const xor = (b: Uint8Array, n: number): number => b.subarray(0, n).reduce((s, x) => s ^ x, 0);
function a8Short(hdr: number, board: number, lock: number, st: number): Buffer {
  const f = Buffer.from([hdr, board, lock, st, 0]);
  f[4] = xor(f, 4);
  return f;
}
const st = (rng: Rng): number => (rng() < 0.5 ? 0x00 : 0x11);
function a8QueryAll(rng: Rng, board: number): Buffer {
  const f = Buffer.from([0x80, board, ...bytes(rng, 3), 0x33, 0]);
  f[6] = xor(f, 6);
  return f;
}
/** Frames the decoder must return unambiguously given `expected` (query-all board or null). */
function a8Wanted(rng: Rng, expected: number | null): { frame: Buffer; unsolicited: boolean } {
  const otherBoard = (): number => {
    for (;;) { const b = int(rng, 1, 32); if (b !== expected) return b; }
  };
  const pick = rng();
  if (pick < 0.3) return { frame: a8Short(0x8a, int(rng, 1, 32), int(rng, 0, 50), st(rng)), unsolicited: false };
  // A query reply of the board whose query-all is expected could be read as a query-all reply.
  if (pick < 0.55) return { frame: a8Short(0x80, otherBoard(), int(rng, 1, 50), st(rng)), unsolicited: false };
  if (pick < 0.65) return { frame: a8Short(0x82, int(rng, 1, 32), int(rng, 0, 255), int(rng, 0, 255)), unsolicited: true };
  // Without an expectation a query-all reply may pass as a query reply: only wanted when expected.
  if (expected !== null) return { frame: a8QueryAll(rng, expected), unsolicited: false };
  return { frame: a8Short(0x8a, int(rng, 1, 32), int(rng, 1, 50), st(rng)), unsolicited: false };
}
function a8Any(rng: Rng): Buffer {
  const pick = rng();
  if (pick < 0.3) return a8QueryAll(rng, int(rng, 1, 32));
  if (pick < 0.4) return a8Short(0x82, int(rng, 1, 32), int(rng, 0, 255), int(rng, 0, 255));
  return a8Short(rng() < 0.5 ? 0x8a : 0x80, int(rng, 1, 32), int(rng, 1, 50), st(rng));
}
const a8Family: Family = {
  name: 'clone-8a',
  setup(rng) {
    const expected = rng() < 0.6 ? int(rng, 1, 32) : null;
    const decoder = new a8.Clone8aDecoder();
    const request = expected !== null ? a8.encodeQueryAll(expected) : a8.encodeUnlock(int(rng, 1, 32), int(rng, 1, 24));
    decoder.expect(request);
    return {
      decoder,
      request,
      requestIsReply: expected === null,
      maxLen: 7,
      isHeader: (b) => b === 0x8a || b === 0x80 || b === 0x82,
      wanted: (r) => a8Wanted(r, expected),
      any: a8Any,
      valid: (raw) => (raw.length === 5 || raw.length === 7) && raw[raw.length - 1] === xor(raw, raw.length - 1),
      unsolicitedLength: 5,
    };
  },
};

// --- Modbus RTU -------------------------------------------------------------------------------
const modbusFamily: Family = {
  name: 'modbus-rtu',
  setup(rng) {
    const unit = int(rng, 1, 247);
    const kind = rng();
    // Mostly small reads; now and then a long one, so long frames and long guards are covered.
    const quantity = rng() < 0.95 ? int(rng, 1, 64) : int(rng, 1, 2000);
    const request = kind < 0.35 ? mb.encodeReadCoils(unit, int(rng, 0, 100), quantity)
      : kind < 0.6 ? mb.encodeReadDiscreteInputs(unit, int(rng, 0, 100), quantity)
        : rng() < 0.5 ? mb.encodeWriteCoil(unit, int(rng, 0, 0xffff), rng() < 0.5) : mb.encodePulse(unit, int(rng, 0, 255), int(rng, 1, 100));
    const fc = request[1]!;
    const decoder = new mb.ModbusRtuDecoder();
    decoder.expect(request);
    const reply = (r: Rng, u: number, f: number, q: number): Buffer => {
      if (r() < 0.15) return withCrc(Buffer.from([u, f | 0x80, int(r, 1, 11)]));
      if (f === 5) return withCrc(Buffer.from([u, 5, ...bytes(r, 4)]));
      const n = Math.ceil(q / 8);
      return withCrc(Buffer.from([u, f, n, ...bytes(r, n)]));
    };
    return {
      decoder,
      request,
      requestIsReply: fc === 5,
      maxLen: fc === 5 ? 8 : Math.max(8, 5 + Math.ceil(quantity / 8)),
      isHeader: (b) => b === unit,
      wanted: (r) => ({ frame: reply(r, unit, fc, quantity), unsolicited: false }),
      any: (r) => (r() < 0.7 ? reply(r, unit, fc, quantity) : reply(r, int(r, 1, 247), [1, 2, 5][int(r, 0, 2)]!, int(r, 1, 64))),
      valid: (raw) => raw.length >= 5 && crc16Modbus(raw, 0, raw.length - 2) === raw.readUInt16LE(raw.length - 2),
      unsolicitedLength: 0,
    };
  },
};

const FAMILIES = [cu16Family, a8Family, modbusFamily];

// --- stream building --------------------------------------------------------------------------
function nonHeader(rng: Rng, s: Setup, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    let x: number;
    do x = int(rng, 0, 255); while (s.isHeader(x));
    b[i] = x;
  }
  return b;
}

/** Garbage that may contain headers, partial frames and even valid frames. */
function noise(rng: Rng, s: Setup): Buffer {
  const f = s.any(rng);
  switch (int(rng, 0, 4)) {
    case 0: return bytes(rng, int(rng, 1, 2 * s.maxLen));
    case 1: { // one byte flipped
      const g = Buffer.from(f);
      const i = int(rng, 0, g.length - 1);
      g[i] = g[i]! ^ int(rng, 1, 255);
      return g;
    }
    case 2: return f.subarray(0, int(rng, 1, f.length - 1)); // truncated
    case 3: { // spliced with garbage
      const at = int(rng, 0, f.length);
      return Buffer.concat([f.subarray(0, at), bytes(rng, int(rng, 1, 8)), f.subarray(at)]);
    }
    default: return f; // an unexpected but valid frame: may be returned, never required
  }
}

interface Stream { data: Buffer; wanted: Buffer[]; unsolicited: number; fed: number }

function buildStream(rng: Rng, s: Setup, segments: number, dirty: boolean, echo: boolean): Stream {
  const parts: Buffer[] = [];
  const wanted: Buffer[] = [];
  let unsolicited = 0;
  let fed = 0;
  if (echo) parts.push(nonHeader(rng, s, int(rng, 0, 5)), s.request);
  for (let i = 0; i < segments; i++) {
    if (dirty && rng() < 0.8) { parts.push(noise(rng, s)); fed++; }
    if (!dirty && rng() < 0.5) parts.push(nonHeader(rng, s, int(rng, 1, 20)));
    parts.push(nonHeader(rng, s, s.maxLen + int(rng, 0, 4)));
    // After the echo, a reply byte-identical to the request must still come through.
    const w = echo && s.requestIsReply && rng() < 0.3 ? { frame: s.request, unsolicited: false } : s.wanted(rng);
    parts.push(w.frame);
    fed++;
    if (w.unsolicited) unsolicited++;
    else wanted.push(w.frame);
  }
  if (rng() < 0.5) parts.push(nonHeader(rng, s, int(rng, 0, 10)));
  return { data: Buffer.concat(parts), wanted, unsolicited, fed };
}

/** Push `data` in random chunks: single bytes, small pieces, or beyond the decoder's bound. */
function pushChunked(rng: Rng, d: ReplyDecoder<Decoded>, data: Buffer, maxLen: number, ctx: string): Decoded[] {
  const out: Decoded[] = [];
  const mode = int(rng, 0, 3);
  for (let off = 0; off < data.length;) {
    const n = mode === 0 ? 1 : mode === 1 ? int(rng, 1, 16) : mode === 2 ? int(rng, 1, 600) : data.length;
    out.push(...d.push(data.subarray(off, off + n)));
    off += n;
    // Only the unfinished candidate (shorter than the longest frame) may be held back.
    if (d.pending > MAX_PENDING || d.pending >= Math.max(maxLen, 8)) {
      throw new Error(`${ctx}: ${d.pending} bytes pending after a push`);
    }
  }
  return out;
}

function check(name: string, streams: number, minSegments: number, maxSegments: number, echoShare: number): number {
  const rng = mulberry32(SEED ^ [...name].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 0x01000193), 0x811c9dc5));
  const family = FAMILIES.find((f) => f.name === name)!;
  let fed = 0;
  for (let k = 0; k < streams; k++) {
    const ctx = `${name} stream ${k} (LOCKBOARD_FUZZ_SEED=${SEED})`;
    const s = family.setup(rng);
    const echo = rng() < echoShare;
    const dirty = !echo && rng() < 0.75;
    if (echo) s.decoder.expectEcho(s.request);
    const stream = buildStream(rng, s, int(rng, minSegments, maxSegments), dirty, echo);
    fed += stream.fed;
    const out = pushChunked(rng, s.decoder, stream.data, s.maxLen, ctx);
    const raws = out.map((r) => r.raw);

    // Nothing invented: every returned frame is valid and lies, in order, in the input.
    // (Plain throws in the per-frame loops: vitest's expect costs too much a million times.)
    let from = 0;
    for (const raw of raws) {
      if (!s.valid(raw)) throw new Error(`${ctx}: invalid frame ${raw.toString('hex')}`);
      const at = stream.data.indexOf(raw, from);
      if (at < 0) throw new Error(`${ctx}: frame ${raw.toString('hex')} not found in order in the input`);
      from = at + raw.length;
    }
    // Nothing lost: the embedded frames come back in order (only them, in a clean stream).
    if (dirty) {
      let j = 0;
      for (const raw of raws) if (j < stream.wanted.length && raw.equals(stream.wanted[j]!)) j++;
      expect(j, `${ctx}: recovered ${j} of ${stream.wanted.length} embedded frames`).toBe(stream.wanted.length);
    } else {
      expect(raws, ctx).toEqual(stream.wanted);
      expect(s.decoder.stats.unsolicited, ctx).toBe(stream.unsolicited);
      expect(s.decoder.stats.checksumErrors, ctx).toBe(0);
    }
    if (echo) expect(s.decoder.stats.echoes, ctx).toBe(1);
    // Every byte is accounted for exactly once.
    const st = s.decoder.stats;
    expect(st.frames, ctx).toBe(out.length);
    const frameBytes = raws.reduce((n, r) => n + r.length, 0);
    expect(
      frameBytes + st.unsolicited * s.unsolicitedLength + st.echoes * s.request.length + st.discardedBytes + s.decoder.pending,
      `${ctx}: byte accounting`,
    ).toBe(stream.data.length);
  }
  return fed;
}

describe(`lock-board decoder fuzz (LOCKBOARD_FUZZ_SEED=${SEED})`, () => {
  for (const family of FAMILIES) {
    it(`${family.name}: at least 100,000 random, corrupted and valid frames`, () => {
      console.log(`lockboard fuzz ${family.name}: LOCKBOARD_FUZZ_SEED=${SEED}`);
      const fed = check(family.name, 1_000, 60, 140, 0.1);
      expect(fed).toBeGreaterThanOrEqual(100_000);
    });
  }

  it('pure random bytes never throw and never produce an invalid frame', () => {
    const rng = mulberry32(SEED);
    for (const family of FAMILIES) {
      for (let k = 0; k < 50; k++) {
        const s = family.setup(rng);
        const data = bytes(rng, 4096);
        const out = pushChunked(rng, s.decoder, data, s.maxLen, `${family.name} random ${k} (LOCKBOARD_FUZZ_SEED=${SEED})`);
        for (const r of out) if (!s.valid(r.raw)) throw new Error(`${family.name}: invalid frame ${r.raw.toString('hex')}`);
        const st = s.decoder.stats;
        expect(out.reduce((n, r) => n + r.raw.length, 0) + st.unsolicited * s.unsolicitedLength
          + st.discardedBytes + s.decoder.pending).toBe(data.length);
      }
    }
  });
});
