/**
 * Fuzzes the bus scheduler end to end (binding-mock port, read loop, decoder, accept, deadlines)
 * with more than 100,000 random and mutated frames: random bytes, header storms, valid frames
 * for other addresses, and mutated copies of the expected reply (bit flips, truncation,
 * duplicated and dropped bytes, splices), delivered in random chunks, followed (mostly) by the
 * real reply behind a guard of non-header bytes.
 *
 * Properties: nothing throws; every frame the scheduler hands to `accept` passes an independent
 * shape and checksum check; every accepted reply answers the request; a reply that was sent
 * behind a guard is never lost. Seeded: set LOCKBOARD_FUZZ_SEED to replay.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SerialBus } from '../../../drivers/lockboard/bus.js';
import type { ReplyDecoder } from '../../../drivers/lockboard/codec.js';
import * as a8 from '../../../drivers/lockboard/clone-8a/codec.js';
import * as cu16 from '../../../drivers/lockboard/kerong-cu16/codec.js';
import * as mb from '../../../drivers/lockboard/modbus-rtu/codec.js';
import { crcHolds } from '../../../drivers/lockboard/modbus-rtu/crc16.js';
import { MockWire, resetMockPorts } from './mock-port.js';
import { mulberry32 } from '../../../drivers/sim/prng.js';

type Rng = () => number;


const SEED = process.env.LOCKBOARD_FUZZ_SEED !== undefined
  ? Number(process.env.LOCKBOARD_FUZZ_SEED) >>> 0
  : (Date.now() ^ (process.pid << 16)) >>> 0;

const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));
const bytes = (rng: Rng, n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(rng, 0, 255)));
const bits = (rng: Rng, n: number): boolean[] => Array.from({ length: n }, () => rng() < 0.5);

interface Family {
  name: string;
  /** A request to one address, the decoder, which frames answer it, and a fresh valid reply. */
  transaction(rng: Rng): {
    request: Buffer;
    address: number;
    reply: Buffer;
    otherReply: Buffer;
    answers: (frame: { raw: Buffer }) => boolean;
  };
  decoder(): ReplyDecoder<{ raw: Buffer }>;
  /** Independent check: shape and checksum of a reply of this family. */
  valid(raw: Buffer): boolean;
  isHeader(b: number, address: number): boolean;
  maxLen: number;
}

const sumOk = (raw: Buffer) => raw[raw.length - 1] === cu16.sum8(raw, 0, raw.length - 1);
const xorOk = (raw: Buffer) => raw[raw.length - 1] === a8.xor8(raw, 0, raw.length - 1);

const families: Family[] = [
  {
    name: 'kerong-cu16',
    transaction(rng) {
      const board = int(rng, 0, 15);
      const other = (board + int(rng, 1, 15)) % 16;
      return {
        request: cu16.encodeStatusRequest(board),
        address: board,
        reply: cu16.encodeStatusReply(board, bits(rng, 16), bits(rng, 16)),
        otherReply: cu16.encodeStatusReply(other, bits(rng, 16), bits(rng, 16)),
        answers: (f) => (f as cu16.Cu16Reply).kind === 'status' && (f as cu16.Cu16Status).board === board && !(f as cu16.Cu16Status).broadcast,
      };
    },
    decoder: () => new cu16.Cu16Decoder(),
    valid: (raw) => raw[0] === 0x02 && raw[raw.length - 2] === 0x03 && sumOk(raw)
      && ((raw.length === 9 && (raw[2] === 0x35 || raw[2] === 0x36)) || (raw.length === 5 && (raw[2] === 0x31 || raw[2] === 0x33))),
    isHeader: (b) => b === 0x02,
    maxLen: 9,
  },
  {
    name: 'clone-8a',
    transaction(rng) {
      const board = int(rng, 1, 32);
      const other = ((board - 1 + int(rng, 1, 31)) % 32) + 1;
      return {
        request: a8.encodeQueryAll(board),
        address: board,
        reply: a8.encodeQueryAllReply(board, bits(rng, 24)),
        otherReply: a8.encodeQueryAllReply(other, bits(rng, 24)),
        answers: (f) => (f as a8.Clone8aReply).kind === 'query-all' && (f as a8.Clone8aReply).board === board,
      };
    },
    decoder: () => new a8.Clone8aDecoder() as ReplyDecoder<{ raw: Buffer }>,
    valid: (raw) => (raw[0] === 0x80 || raw[0] === 0x8a) && raw[1]! >= 1 && raw[1]! <= 32 && xorOk(raw)
      && (raw.length === 5 || (raw.length === 7 && raw[0] === 0x80 && raw[5] === 0x33)),
    isHeader: (b) => b === 0x80 || b === 0x8a || b === 0x82,
    maxLen: 7,
  },
  {
    name: 'modbus-rtu',
    transaction(rng) {
      const unit = int(rng, 1, 247);
      const n = int(rng, 1, 48);
      const other = ((unit - 1 + int(rng, 1, 246)) % 247) + 1;
      return {
        request: mb.encodeReadDiscreteInputs(unit, int(rng, 0, 100), n),
        address: unit,
        reply: mb.encodeBitsReply(unit, mb.FC_READ_DISCRETE_INPUTS, bits(rng, n)),
        otherReply: mb.encodeBitsReply(other, mb.FC_READ_DISCRETE_INPUTS, bits(rng, n)),
        answers: (f) => (f as mb.ModbusReply).kind === 'bits' && (f as mb.ModbusReply).unit === unit && (f as mb.ModbusBitsReply).bits.length === n,
      };
    },
    decoder: () => new mb.ModbusRtuDecoder() as ReplyDecoder<{ raw: Buffer }>,
    valid: (raw) => raw.length >= 5 && crcHolds(raw, 0, raw.length)
      && ((raw[1] === 0x02 && raw[2] === raw.length - 5) || (raw[1] === 0x82 && raw.length === 5)),
    isHeader: (b, address) => b === address,
    maxLen: 5 + 6,
  },
];

/** A corrupted copy of `frame`. */
function mutate(rng: Rng, frame: Buffer): Buffer {
  const f = Buffer.from(frame);
  switch (int(rng, 0, 4)) {
    case 0: {
      const i = int(rng, 0, f.length - 1);
      f[i] = f[i]! ^ (1 << int(rng, 0, 7));
      return f;
    }
    case 1:
      return f.subarray(0, int(rng, 1, f.length - 1));
    case 2: {
      const i = int(rng, 0, f.length - 1);
      return Buffer.concat([f.subarray(0, i + 1), f.subarray(i)]);
    }
    case 3: {
      const i = int(rng, 0, f.length - 1);
      return Buffer.concat([f.subarray(0, i), f.subarray(i + 1)]);
    }
    default:
      return Buffer.concat([f.subarray(0, int(rng, 1, f.length - 1)), bytes(rng, int(rng, 1, 6))]);
  }
}

/** Bytes that cannot start a candidate for this request: the guard before the real reply. */
function guard(rng: Rng, fam: Family, address: number): Buffer {
  const out: number[] = [];
  while (out.length < fam.maxLen + 1) {
    const b = int(rng, 0, 255);
    if (!fam.isHeader(b, address)) out.push(b);
  }
  return Buffer.from(out);
}

describe('bus scheduler fuzz (seed ' + SEED + ')', () => {
  afterAll(() => resetMockPorts());

  it('survives >100,000 random and mutated frames; accepts only valid replies that answer the request', async () => {
    const rng = mulberry32(SEED);
    let frames = 0;
    let transactions = 0;
    let expectedOk = 0;
    let gotOk = 0;
    let checksumErrors = 0;
    const failures: string[] = [];

    for (const [fi, fam] of families.entries()) {
      for (const echo of fi === 0 ? [false, true] : [false]) {
        const wire = new MockWire();
        let script: Buffer[] = [];
        let sent: Promise<void> = Promise.resolve();
        wire.respond({
          receive(request, reply) {
            // The echo first, as an adapter without direction control would hand it back.
            if (echo) reply(request);
            // Then the script, in chunks spread over a few event-loop turns.
            const chunks = script;
            let i = 0;
            sent = new Promise((done) => {
              const next = (): void => {
                if (i >= chunks.length) return done();
                reply(chunks[i++]!);
                if (int(rng, 0, 2) === 0) setImmediate(next);
                else next();
              };
              next();
            });
          },
        });
        const bus = new SerialBus({
          id: `fuzz-${fam.name}`, path: wire.path, baudRate: 115200, loadBinding: async () => wire.binding, echo,
          lowLatency: false, replyTimeoutMs: 3, reconnectMinMs: 20, reconnectMaxMs: 100,
        });
        await bus.start();
        const decoder = fam.decoder();
        const target = echo ? 6_000 : 34_000;
        let famFrames = 0;
        let runTransactions = 0;
        while (famFrames < target) {
          const t = fam.transaction(rng);
          const stream: Buffer[] = [];
          const n = int(rng, 3, 10);
          for (let k = 0; k < n; k++) {
            const kind = int(rng, 0, 5);
            if (kind === 0) stream.push(bytes(rng, int(rng, 1, 24)));
            else if (kind === 1) stream.push(Buffer.alloc(int(rng, 1, 12), fam.name === 'kerong-cu16' ? 0x02 : fam.name === 'clone-8a' ? 0x80 : t.address));
            else if (kind === 2) stream.push(t.otherReply);
            else stream.push(mutate(rng, t.reply));
          }
          const sendReply = rng() < 0.985;
          if (sendReply) stream.push(guard(rng, fam, t.address), t.reply);
          famFrames += n + (sendReply ? 1 : 0);
          // Re-chunk the whole stream at random boundaries.
          const all = Buffer.concat(stream);
          script = [];
          for (let p = 0; p < all.length;) {
            const len = int(rng, 1, 16);
            script.push(all.subarray(p, p + len));
            p += len;
          }
          const offered: Buffer[] = [];
          const r = await bus.transact({
            request: t.request,
            decoder,
            accept: (f) => {
              offered.push(f.raw);
              return t.answers(f);
            },
            gapMs: 0,
            // Generous when a reply comes (a loaded machine must not lose it), short when none does.
            timeoutMs: sendReply ? 2000 : 3,
          });
          // A transaction without a reply may end before its bytes are all out: let them arrive
          // (as stray bytes) before the next request, so each stream is judged on its own.
          await sent;
          await new Promise((r) => setImmediate(r));
          transactions++;
          runTransactions++;
          for (const raw of offered) {
            if (!fam.valid(raw)) failures.push(`${fam.name}: a frame failing its check reached accept: ${raw.toString('hex')}`);
          }
          if (r.status === 'ok') {
            gotOk++;
            if (!fam.valid(r.reply!.raw) || !t.answers(r.reply!)) failures.push(`${fam.name}: accepted ${r.reply!.raw.toString('hex')} for ${t.request.toString('hex')}`);
          }
          if (sendReply) {
            expectedOk++;
            if (r.status !== 'ok') failures.push(`${fam.name}${echo ? ' (echo)' : ''}: reply ${t.reply.toString('hex')} lost (${r.status}) in ${all.toString('hex')}`);
          }
          if (failures.length > 5) break;
        }
        frames += famFrames;
        checksumErrors += decoder.stats.checksumErrors;
        // Every request's echo is dropped exactly once.
        if (echo) expect(decoder.stats.echoes).toBe(runTransactions);
        await bus.stop();
        if (failures.length > 5) break;
      }
    }
    expect(failures, `seed ${SEED}`).toEqual([]);
    expect(frames).toBeGreaterThanOrEqual(100_000);
    expect(gotOk).toBeGreaterThanOrEqual(expectedOk);
    expect(checksumErrors).toBeGreaterThan(1000);
    expect(transactions).toBeGreaterThan(10_000);
  }, 60_000);
});
