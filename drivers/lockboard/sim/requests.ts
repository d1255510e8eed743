/**
 * What a lock board hears: the master's requests of each family, framed from the byte stream
 * the way a board's firmware would (hunt for the header, check the checksum, drop the rest).
 * Used by the simulators only.
 */
import { sum8 } from '../kerong-cu16/codec.js';
import { xor8 } from '../clone-8a/codec.js';
import { crcHolds } from '../modbus-rtu/crc16.js';
import type { ProtocolName } from '../families.js';

export type SimRequest =
  | { family: 'kerong-cu16'; cmd: number; addr: number; raw: Buffer }
  | { family: 'clone-8a'; hdr: number; board: number; lock: number; fn: number; raw: Buffer }
  | { family: 'modbus-rtu'; unit: number; fc: number; a: number; b: number; raw: Buffer };

type Judge = { kind: 'more' } | { kind: 'skip' } | { kind: 'frame'; length: number; request: SimRequest };

const MORE: Judge = { kind: 'more' };
const SKIP: Judge = { kind: 'skip' };

function judgeCu16(buf: Buffer, p: number, end: number): Judge {
  if (buf[p] !== 0x02) return SKIP;
  if (end - p < 5) return MORE;
  const cmd = buf[p + 2]!;
  if (cmd < 0x30 || cmd > 0x33 || buf[p + 3] !== 0x03) return SKIP;
  if (buf[p + 4] !== sum8(buf, p, p + 4)) return SKIP;
  return { kind: 'frame', length: 5, request: { family: 'kerong-cu16', cmd, addr: buf[p + 1]!, raw: Buffer.from(buf.subarray(p, p + 5)) } };
}

function judge8a(buf: Buffer, p: number, end: number): Judge {
  const hdr = buf[p]!;
  if (hdr !== 0x8a && hdr !== 0x80) return SKIP;
  if (end - p < 5) return MORE;
  const fn = buf[p + 3]!;
  if ((hdr === 0x8a && fn !== 0x11) || (hdr === 0x80 && fn !== 0x33)) return SKIP;
  if (buf[p + 4] !== xor8(buf, p, p + 4)) return SKIP;
  return {
    kind: 'frame', length: 5,
    request: { family: 'clone-8a', hdr, board: buf[p + 1]!, lock: buf[p + 2]!, fn, raw: Buffer.from(buf.subarray(p, p + 5)) },
  };
}

function judgeModbus(buf: Buffer, p: number, end: number): Judge {
  // Requests the simulated boards understand are all 8 bytes: FC 01, 02, 03, 04, 05, 06.
  if (end - p < 2) return MORE;
  const fc = buf[p + 1]!;
  if (fc < 1 || fc > 6) return SKIP;
  if (end - p < 8) return MORE;
  if (!crcHolds(buf, p, p + 8)) return SKIP;
  const raw = Buffer.from(buf.subarray(p, p + 8));
  return { kind: 'frame', length: 8, request: { family: 'modbus-rtu', unit: raw[0]!, fc, a: raw.readUInt16BE(2), b: raw.readUInt16BE(4), raw } };
}

const JUDGES: Record<ProtocolName, (buf: Buffer, p: number, end: number) => Judge> = {
  'kerong-cu16': judgeCu16,
  'clone-8a': judge8a,
  'modbus-rtu': judgeModbus,
};

const MAX_BUFFER = 64;

/** Incremental request framer; bytes that form no request are dropped. */
export class RequestFramer {
  readonly #judge: (buf: Buffer, p: number, end: number) => Judge;
  readonly #buf = Buffer.alloc(MAX_BUFFER);
  #len = 0;
  /** Bytes dropped while hunting. */
  discarded = 0;

  constructor(protocol: ProtocolName) {
    this.#judge = JUDGES[protocol];
  }

  /** A silence long enough to end a frame (Modbus 3.5 characters): forget any partial request. */
  breakFrame(): void {
    this.discarded += this.#len;
    this.#len = 0;
  }

  push(chunk: Uint8Array): SimRequest[] {
    const out: SimRequest[] = [];
    for (const byte of chunk) {
      if (this.#len === MAX_BUFFER) {
        this.#buf.copyWithin(0, 1, this.#len);
        this.#len--;
        this.discarded++;
      }
      this.#buf[this.#len++] = byte;
      this.#scan(out);
    }
    return out;
  }

  #scan(out: SimRequest[]): void {
    let p = 0;
    while (p < this.#len) {
      const j = this.#judge(this.#buf, p, this.#len);
      if (j.kind === 'more') break;
      if (j.kind === 'skip') {
        p++;
        this.discarded++;
        continue;
      }
      out.push(j.request);
      p += j.length;
    }
    if (p > 0) {
      this.#buf.copyWithin(0, p, this.#len);
      this.#len -= p;
    }
  }
}
