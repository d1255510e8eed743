/**
 * HID POS scanner reports (usage page 0x8C), pure. The common layout of the 64-byte input
 * report as node-hid delivers it (docs/INPUT.md): byte 0 report id (0x02), byte 1 number of data
 * bytes in this report (<= 56), bytes 2-4 the AIM symbology identifier (e.g. `]Q1`, zero when
 * not sent), bytes 5-60 data (zero padded), byte 61 a vendor code id, byte 63 bit 0 "more reports
 * follow". A scan is the concatenation of reports until that bit is 0.
 *
 * Bounded: a scan longer than maxLength bytes is cut at maxLength + 1 (the kiosk refuses it as too
 * long). A malformed report (wrong id, short, length above 56) abandons the scan in progress.
 */
import { decodeText } from './line-decoder.js';

export const HID_POS_USAGE_PAGE = 0x8c;
export const HID_POS_REPORT_LENGTH = 64;
export const HID_POS_MAX_DATA = 56;
const DATA_OFFSET = 5;

export interface HidPosScan {
  /** The scan with its AIM id in front when the scanner sent one. */
  text: string;
  symbology?: string;
  overflow: boolean;
}

export interface HidPosDecoderOptions {
  maxLength: number;
  /** Report id of the scanned-data report; default 0x02. */
  reportId?: number;
}

export class HidPosDecoder {
  readonly #max: number;
  readonly #reportId: number;
  readonly #buf: Uint8Array;
  #len = 0;
  #overflow = false;
  #symbology: string | undefined;
  #inScan = false;
  counters = { badReports: 0, abandoned: 0, otherReports: 0 };

  constructor(options: HidPosDecoderOptions) {
    this.#max = Math.max(1, Math.floor(options.maxLength));
    this.#reportId = options.reportId ?? 0x02;
    this.#buf = new Uint8Array(this.#max + 1);
  }

  /** A multi-report scan is waiting for its next report. */
  get pending(): boolean {
    return this.#inScan;
  }

  push(report: Uint8Array): HidPosScan[] {
    if (report.length < HID_POS_REPORT_LENGTH) {
      this.counters.badReports++;
      this.#abandon();
      return [];
    }
    if (report[0] !== this.#reportId) {
      // Other reports of the device (status, feature echoes) are not scans.
      this.counters.otherReports++;
      return [];
    }
    const n = report[1]!;
    if (n > HID_POS_MAX_DATA) {
      this.counters.badReports++;
      this.#abandon();
      return [];
    }
    if (!this.#inScan) {
      this.#inScan = true;
      this.#symbology = aimFrom(report.subarray(2, 5));
    }
    for (const b of report.subarray(DATA_OFFSET, DATA_OFFSET + n)) {
      if (this.#len < this.#buf.length) this.#buf[this.#len++] = b;
      else this.#overflow = true;
    }
    if (this.#len > this.#max) this.#overflow = true;
    const more = (report[63]! & 0x01) === 1;
    if (more) return [];
    const data = decodeText(this.#buf.subarray(0, this.#len));
    const sym = this.#symbology;
    // The AIM id stays in front of the text (unless the data repeats it): the barcode parser
    // reads it from there, exactly as from a serial scanner that sends it in-line.
    const scan: HidPosScan = { text: sym !== undefined && !data.startsWith(sym) ? sym + data : data, overflow: this.#overflow };
    if (sym !== undefined) scan.symbology = sym;
    this.#clear();
    return data.length > 0 ? [scan] : [];
  }

  /** Gives up on a multi-report scan whose next report never came (the shell's timer). */
  abandon(): void {
    this.#abandon();
  }

  #abandon(): void {
    if (this.#inScan) this.counters.abandoned++;
    this.#clear();
  }

  #clear(): void {
    this.#len = 0;
    this.#overflow = false;
    this.#symbology = undefined;
    this.#inScan = false;
  }
}

/** `]` + code letter + modifier character, printable; anything else (zeros) means "not sent". */
function aimFrom(b: Uint8Array): string | undefined {
  if (b[0] !== 0x5d) return undefined;
  const letter = b[1]!;
  const mod = b[2]!;
  const isLetter = (letter >= 0x41 && letter <= 0x5a) || (letter >= 0x61 && letter <= 0x7a);
  const isMod = mod >= 0x21 && mod <= 0x7e;
  return isLetter && isMod ? String.fromCharCode(0x5d, letter, mod) : undefined;
}
