/**
 * What a lock board hears: the master's requests, framed from the byte stream the way a board's
 * firmware would (hunt for the header, check the checksum, drop the rest), with the family's
 * `judge` (<family>/simulator.ts). Used by the simulators only.
 */
import type { Judge, SimRequest } from './family.js';

const MAX_BUFFER = 64;

/** Incremental request framer; bytes that form no request are dropped. */
export class RequestFramer {
  readonly #judge: (buf: Buffer, p: number, end: number) => Judge;
  readonly #buf = Buffer.alloc(MAX_BUFFER);
  #len = 0;
  /** Bytes dropped while hunting. */
  discarded = 0;

  constructor(judge: (buf: Buffer, p: number, end: number) => Judge) {
    this.#judge = judge;
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
