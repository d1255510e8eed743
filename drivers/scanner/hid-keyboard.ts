/**
 * HID boot keyboard reports, pure. Used by keyboard-wedge scanners (text) and USB HID keypads
 * (keys). A report is 8 bytes (9 when the device numbers its reports: a leading report id):
 * byte 0 modifiers (bit 0 left ctrl, 1 left shift, 4 right ctrl, 5 right shift), byte 1
 * reserved, bytes 2-7 up to six pressed key usages. All six = 0x01 is the rollover error
 * ("too many keys"), ignored. A press is a usage present now and absent from the previous report;
 * scanners send an all-zero release between keys, which is what makes "11" decodable.
 */

export const MOD_LEFT_CTRL = 0x01;
export const MOD_LEFT_SHIFT = 0x02;
export const MOD_RIGHT_CTRL = 0x10;
export const MOD_RIGHT_SHIFT = 0x20;

export interface KeyPress {
  usage: number;
  shift: boolean;
  ctrl: boolean;
}

export type ReportStatus = 'ok' | 'rollover' | 'bad_length';

const ERROR_USAGES = new Set([0x01, 0x02, 0x03]); // ErrorRollOver, POSTFail, ErrorUndefined

/** Turns successive boot reports into key presses. */
export class BootReportDecoder {
  #previous = new Set<number>();

  /** Forgets the keys held down (device replugged). */
  reset(): void {
    this.#previous = new Set();
  }

  push(report: Uint8Array): { presses: KeyPress[]; status: ReportStatus } {
    let r = report;
    if (r.length === 9) r = r.subarray(1); // report id first
    if (r.length !== 8) return { presses: [], status: 'bad_length' };
    const keys = r.subarray(2, 8);
    if (keys.every((k) => k === 0x01)) return { presses: [], status: 'rollover' };
    const mods = r[0]!;
    const shift = (mods & (MOD_LEFT_SHIFT | MOD_RIGHT_SHIFT)) !== 0;
    const ctrl = (mods & (MOD_LEFT_CTRL | MOD_RIGHT_CTRL)) !== 0;
    const now = new Set<number>();
    const presses: KeyPress[] = [];
    for (const k of keys) {
      if (k === 0 || ERROR_USAGES.has(k) || now.has(k)) continue;
      now.add(k);
      if (!this.#previous.has(k)) presses.push({ usage: k, shift, ctrl });
    }
    this.#previous = now;
    return { presses, status: 'ok' };
  }
}

// Usage → character, US layout (scanners must be set to it), [unshifted, shifted].
const PUNCTUATION: Record<number, [string, string]> = {
  0x2c: [' ', ' '],
  0x2d: ['-', '_'],
  0x2e: ['=', '+'],
  0x2f: ['[', '{'],
  0x30: [']', '}'],
  0x31: ['\\', '|'],
  0x32: ['#', '~'], // non-US # and ~
  0x33: [';', ':'],
  0x34: ["'", '"'],
  0x35: ['`', '~'],
  0x36: [',', '<'],
  0x37: ['.', '>'],
  0x38: ['/', '?'],
};
const SHIFTED_DIGITS = '!@#$%^&*(';
const KEYPAD_SYMBOLS: Record<number, string> = { 0x54: '/', 0x55: '*', 0x56: '-', 0x57: '+', 0x63: '.' };

export const USAGE_ENTER = 0x28;
export const USAGE_ESCAPE = 0x29;
export const USAGE_BACKSPACE = 0x2a;
export const USAGE_TAB = 0x2b;
export const USAGE_KEYPAD_ENTER = 0x58;
export const USAGE_NUM_LOCK = 0x53;
export const USAGE_DELETE = 0x4c;
export const USAGE_KEYPAD_HASH = 0xcc;

/** The character a press types on a US keyboard, or null (function keys, arrows...). */
export function usageToChar(p: KeyPress): string | null {
  const u = p.usage;
  if (p.ctrl) return u === 0x30 ? '\u001d' : null; // Ctrl+] is GS: how wedge scanners send FNC1
  if (u >= 0x04 && u <= 0x1d) {
    const c = String.fromCharCode(0x61 + u - 0x04);
    return p.shift ? c.toUpperCase() : c;
  }
  if (u >= 0x1e && u <= 0x26) return p.shift ? SHIFTED_DIGITS[u - 0x1e]! : String(u - 0x1d);
  if (u === 0x27) return p.shift ? ')' : '0';
  const punct = PUNCTUATION[u];
  if (punct) return p.shift ? punct[1] : punct[0];
  if (u >= 0x59 && u <= 0x61) return String(u - 0x58);
  if (u === 0x62) return '0';
  return KEYPAD_SYMBOLS[u] ?? null;
}

export interface WedgeScan {
  text: string;
  /** The scan was longer than maxLength and was cut to maxLength + 1 characters. */
  overflow: boolean;
}

/**
 * Keyboard-wedge scanner: presses become text; Enter (or keypad Enter, or Tab, a common
 * alternative suffix) ends a scan; `flush()` ends it after an idle gap (the shell's timer).
 * Bounded: at most maxLength + 1 characters are kept.
 */
export class WedgeScanDecoder {
  readonly #reports = new BootReportDecoder();
  readonly #max: number;
  #text = '';
  #overflow = false;
  counters = { rollover: 0, badReports: 0, ignoredKeys: 0 };

  constructor(options: { maxLength: number }) {
    this.#max = Math.max(1, Math.floor(options.maxLength));
  }

  get pending(): boolean {
    return this.#text.length > 0;
  }

  push(report: Uint8Array): WedgeScan[] {
    const { presses, status } = this.#reports.push(report);
    if (status === 'rollover') this.counters.rollover++;
    if (status === 'bad_length') this.counters.badReports++;
    const out: WedgeScan[] = [];
    for (const p of presses) {
      if (p.usage === USAGE_ENTER || p.usage === USAGE_KEYPAD_ENTER || p.usage === USAGE_TAB) {
        const scan = this.flush();
        if (scan) out.push(scan);
        continue;
      }
      const c = usageToChar(p);
      if (c === null) {
        this.counters.ignoredKeys++;
        continue;
      }
      if (this.#text.length <= this.#max) this.#text += c;
      if (this.#text.length > this.#max) this.#overflow = true;
    }
    return out;
  }

  /** Ends the scan in progress (idle gap); null when nothing is pending. */
  flush(): WedgeScan | null {
    if (this.#text.length === 0) return null;
    const scan = { text: this.#text, overflow: this.#overflow };
    this.#text = '';
    this.#overflow = false;
    return scan;
  }

  reset(): void {
    this.#reports.reset();
    this.#text = '';
    this.#overflow = false;
  }
}
