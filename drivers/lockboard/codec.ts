/**
 * What every lock-board codec shares: the shape of an incremental reply decoder, the hunting
 * machinery behind it, argument checks for encoders and the latch polarity helper.
 * Pure: no I/O, no timers. The bus scheduler owns the port, the timing and the deadlines.
 */

/** Counters a technician reads to tell a noisy bus from a wrong baud rate from a dead board. */
export interface DecodeStats {
  /** Valid frames handed out by `push`. */
  frames: number;
  /** Candidates whose shape fitted but whose checksum did not. */
  checksumErrors: number;
  /** Bytes thrown away while hunting (noise, rejected headers, overflow, `reset`). */
  discardedBytes: number;
  /** Valid frames the board sent on its own and that we drop on purpose. */
  unsolicited: number;
  /** Copies of our own request that an echoing adapter handed back, skipped. */
  echoes: number;
}

/**
 * Turns a serial byte stream into reply frames. `push` takes chunks of any size and any
 * boundaries; a frame is returned once all its bytes arrived and its checksum holds.
 */
export interface ReplyDecoder<R> {
  push(chunk: Uint8Array): R[];
  /**
   * Tell the decoder the request just sent. Families whose reply shape depends on the request
   * (Modbus, the 0x80 query-all) need it; self-describing families ignore it.
   */
  expect(request: Uint8Array): void;
  /**
   * The adapter echoes what we send: skip exactly one copy of `request` seen before the next
   * reply. Call it only when the bus is configured as echoing: a reply identical to the request
   * (0x8A unlock with ST 0x11, Modbus FC 05) would otherwise be taken for the echo.
   */
  expectEcho(request: Uint8Array): void;
  /** Drop pending bytes (counted as discarded) and any expectation or echo; stats are kept. */
  reset(): void;
  /** Bytes held back while waiting for the rest of a candidate frame; never above MAX_PENDING. */
  readonly pending: number;
  readonly stats: Readonly<DecodeStats>;
}

/** Upper bound of buffered bytes. The longest frame of any family (Modbus FC 01, 2000 coils) is 255. */
export const MAX_PENDING = 256;

/** How a family's matcher judges the bytes at a header position. */
export type Match<R> =
  | { readonly kind: 'more' }
  | { readonly kind: 'skip'; readonly checksumError: boolean }
  | { readonly kind: 'frame'; readonly length: number; readonly frame: R }
  | { readonly kind: 'unsolicited'; readonly length: number };

/** Could still become a frame: wait for more bytes. */
export const MORE: Match<never> = { kind: 'more' };
/** Not a frame here (wrong shape): drop the header byte and hunt on from the next byte. */
export const NOT_A_FRAME: Match<never> = { kind: 'skip', checksumError: false };
/** Right shape, wrong checksum: same as NOT_A_FRAME, but counted. */
export const BAD_CHECKSUM: Match<never> = { kind: 'skip', checksumError: true };

/**
 * Header hunting, resync and echo skipping, shared by all families. A family says which bytes
 * may start a frame and judges a candidate; this class buffers, discards and counts.
 * After a rejected candidate the hunt restarts one byte after its header, so a real frame
 * that started inside the rejected bytes is still found.
 */
export abstract class HuntingDecoder<R> implements ReplyDecoder<R> {
  private readonly counters: DecodeStats = {
    frames: 0, checksumErrors: 0, discardedBytes: 0, unsolicited: 0, echoes: 0,
  };
  private readonly buf = Buffer.alloc(MAX_PENDING);
  private len = 0;
  private echo: Buffer | null = null;

  protected abstract isHeader(byte: number): boolean;
  /** Judge the candidate at `buf[start]` (a header byte); bytes up to `end` (exclusive) are valid. */
  protected abstract match(buf: Buffer, start: number, end: number): Match<R>;
  /** Forget family-specific expectations. */
  protected abstract clearExpectation(): void;
  abstract expect(request: Uint8Array): void;

  get stats(): Readonly<DecodeStats> {
    return this.counters;
  }

  get pending(): number {
    return this.len;
  }

  push(chunk: Uint8Array): R[] {
    const out: R[] = [];
    let off = 0;
    // Feed in slices that fit, so a huge chunk neither grows the buffer nor loses frames.
    while (off < chunk.length) {
      const n = Math.min(MAX_PENDING - this.len, chunk.length - off);
      this.buf.set(chunk.subarray(off, off + n), this.len);
      this.len += n;
      off += n;
      this.scan(out);
      while (this.len === MAX_PENDING) {
        // No candidate can be this long: give up on the oldest byte so the hunt moves on.
        this.drop(1);
        this.counters.discardedBytes++;
        this.scan(out);
      }
    }
    return out;
  }

  expectEcho(request: Uint8Array): void {
    if (request.length === 0 || request.length > MAX_PENDING) {
      throw new RangeError(`echo must be 1 to ${MAX_PENDING} bytes long, got ${request.length}`);
    }
    this.echo = Buffer.from(request);
  }

  reset(): void {
    this.counters.discardedBytes += this.len;
    this.len = 0;
    this.echo = null;
    this.clearExpectation();
  }

  private scan(out: R[]): void {
    const buf = this.buf;
    const end = this.len;
    const c = this.counters;
    let p = 0;
    while (p < end) {
      if (this.echo !== null) {
        const e = this.echoAt(p, end);
        if (e === 'full') {
          p += this.echo.length;
          this.echo = null;
          c.echoes++;
          continue;
        }
        if (e === 'partial') break;
      }
      if (!this.isHeader(buf[p]!)) {
        p++;
        c.discardedBytes++;
        continue;
      }
      const m = this.match(buf, p, end);
      if (m.kind === 'more') break;
      if (m.kind === 'skip') {
        if (m.checksumError) c.checksumErrors++;
        c.discardedBytes++;
        p++;
      } else if (m.kind === 'frame') {
        out.push(m.frame);
        c.frames++;
        // An echo always arrives before the reply: once a reply is here, none will follow.
        this.echo = null;
        p += m.length;
      } else {
        c.unsolicited++;
        p += m.length;
      }
    }
    this.drop(p);
  }

  /** Does the expected echo start at `p`: wholly, as far as the bytes go, or not at all? */
  private echoAt(p: number, end: number): 'full' | 'partial' | 'no' {
    const echo = this.echo!;
    const n = Math.min(echo.length, end - p);
    for (let i = 0; i < n; i++) {
      if (this.buf[p + i] !== echo[i]) return 'no';
    }
    return n === echo.length ? 'full' : 'partial';
  }

  private drop(n: number): void {
    if (n === 0) return;
    this.buf.copyWithin(0, n, this.len);
    this.len -= n;
  }
}

/** Throw a RangeError naming the argument and its allowed range unless `value` is an integer in it. */
export function checkInt(what: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

/** Boolean bits of `byte`, least significant first (bit k is element k). */
export function bitsOf(byte: number, into: boolean[]): void {
  for (let k = 0; k < 8; k++) into.push(((byte >> k) & 1) === 1);
}

/** Byte whose bit k is `bits[offset + k]` (missing elements are 0). */
export function byteOf(bits: readonly boolean[], offset: number): number {
  let byte = 0;
  for (let k = 0; k < 8; k++) if (bits[offset + k] === true) byte |= 1 << k;
  return byte;
}

/**
 * How a board's latch feedback bit reads; sources disagree per board variant and per switch
 * wiring, so it is per-board configuration and never applied inside a codec.
 */
export type LatchPolarity = 'one-is-closed' | 'one-is-open';

/** Whether a raw latch bit means "open" under the board's polarity. */
export function latchOpen(rawBit: boolean, polarity: LatchPolarity): boolean {
  return polarity === 'one-is-open' ? rawBit : !rawBit;
}
