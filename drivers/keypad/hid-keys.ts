/**
 * USB HID keypads, pure: boot keyboard reports to keys. Keypad and top-row digits, `*` (keypad
 * `*` or Shift+8), `#` (Keypad # or Shift+3), `A-D` (letter keys), Enter and keypad Enter
 * (`enter`), Escape, Backspace and Delete (`cancel`). NumLock, which some keypads send by
 * themselves, and every other key are ignored.
 */
import type { Key } from '../contracts.js';
import {
  BootReportDecoder,
  USAGE_BACKSPACE,
  USAGE_DELETE,
  USAGE_ENTER,
  USAGE_ESCAPE,
  USAGE_KEYPAD_ENTER,
  USAGE_KEYPAD_HASH,
  USAGE_NUM_LOCK,
  type KeyPress,
} from '../scanner/hid-keyboard.js';

export function pressToKey(p: KeyPress): Key | null {
  const u = p.usage;
  if (p.ctrl || u === USAGE_NUM_LOCK) return null;
  if (u >= 0x59 && u <= 0x61) return String(u - 0x58) as Key; // keypad 1-9
  if (u === 0x62) return '0';
  if (u === 0x55) return '*';
  if (u === USAGE_KEYPAD_HASH) return '#';
  if (u === USAGE_ENTER || u === USAGE_KEYPAD_ENTER) return 'enter';
  if (u === USAGE_ESCAPE || u === USAGE_BACKSPACE || u === USAGE_DELETE) return 'cancel';
  if (u >= 0x1e && u <= 0x26) {
    if (p.shift) return u === 0x20 ? '#' : u === 0x25 ? '*' : null;
    return String(u - 0x1d) as Key;
  }
  if (u === 0x27) return p.shift ? null : '0';
  if (u >= 0x04 && u <= 0x07) return String.fromCharCode(0x41 + u - 0x04) as Key; // a-d
  return null;
}

export class HidKeypadDecoder {
  readonly #reports = new BootReportDecoder();
  counters = { rollover: 0, badReports: 0, ignoredKeys: 0 };

  push(report: Uint8Array): Key[] {
    const { presses, status } = this.#reports.push(report);
    if (status === 'rollover') this.counters.rollover++;
    if (status === 'bad_length') this.counters.badReports++;
    const keys: Key[] = [];
    for (const p of presses) {
      const k = pressToKey(p);
      if (k === null) this.counters.ignoredKeys++;
      else keys.push(k);
    }
    return keys;
  }

  reset(): void {
    this.#reports.reset();
  }
}
