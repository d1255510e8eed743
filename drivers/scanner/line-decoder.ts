/**
 * Serial (CDC-ACM) scanner framing, pure: bytes in, scan lines out. A scan ends with CR, LF or
 * CRLF (a scanner setting, so any is accepted); empty lines are dropped. Bounded: a line longer
 * than `maxLength` bytes is cut at `maxLength + 1` and handed on as it is, so the kiosk refuses it
 * as too long (and says so) instead of the driver dropping it silently; the rest of that line,
 * up to its terminator, is discarded.
 */

export interface LineDecoderOptions {
  /** Longest scan in bytes; longer lines come out cut to `maxLength + 1` bytes. */
  maxLength: number;
}

export interface DecodedLine {
  text: string;
  /** The line was longer than maxLength and was cut. */
  overflow: boolean;
}

const CR = 0x0d;
const LF = 0x0a;

export class LineDecoder {
  readonly #max: number;
  readonly #buf: Uint8Array;
  #len = 0;
  #overflow = false;
  #afterCr = false;

  constructor(options: LineDecoderOptions) {
    this.#max = Math.max(1, Math.floor(options.maxLength));
    this.#buf = new Uint8Array(this.#max + 1);
  }

  /** Bytes held for an unfinished line (bounded by maxLength + 1). */
  get pending(): number {
    return this.#len;
  }

  push(bytes: Uint8Array): DecodedLine[] {
    const out: DecodedLine[] = [];
    for (const b of bytes) {
      if (b === LF && this.#afterCr) {
        this.#afterCr = false; // the LF of a CRLF
        continue;
      }
      this.#afterCr = b === CR;
      if (b === CR || b === LF) {
        this.#end(out);
        continue;
      }
      if (this.#len < this.#buf.length) this.#buf[this.#len++] = b;
      else this.#overflow = true;
      if (this.#len > this.#max) this.#overflow = true;
    }
    return out;
  }

  /** Drops an unfinished line (port closed, device replugged). */
  reset(): void {
    this.#len = 0;
    this.#overflow = false;
    this.#afterCr = false;
  }

  #end(out: DecodedLine[]): void {
    if (this.#len > 0) {
      out.push({ text: decodeText(this.#buf.subarray(0, this.#len)), overflow: this.#overflow });
    }
    this.#len = 0;
    this.#overflow = false;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Scanner bytes as text: UTF-8 where valid, U+FFFD elsewhere (the barcode parser refuses or ignores it). */
export function decodeText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
