/**
 * Every input decoder against random bytes (seeded, reproducible): none throws, none holds more
 * than its bound, none emits anything outside its contract. 50,000+ inputs each.
 */
import { describe, expect, it } from 'vitest';
import { KEYS } from '../../../drivers/contracts.js';
import { LineDecoder } from '../../../drivers/scanner/line-decoder.js';
import { WedgeScanDecoder } from '../../../drivers/scanner/hid-keyboard.js';
import { HidPosDecoder } from '../../../drivers/scanner/hid-pos.js';
import { HidKeypadDecoder } from '../../../drivers/keypad/hid-keys.js';
import { decodeSerialKeys } from '../../../drivers/keypad/serial-keys.js';
import { MatrixDebouncer } from '../../../drivers/keypad/matrix.js';
import { parseGpiodetect, parseMonitorLine } from '../../../drivers/gpio/gpiod.js';
import { prng } from '../../helpers/prng.js';

const N = 50_000;
const MAX = 64;

describe('input decoders fuzzed with random bytes', () => {
  it('serial line framing', () => {
    const r = prng(0x5eed01);
    const d = new LineDecoder({ maxLength: MAX });
    let lines = 0;
    const bad: string[] = [];
    for (let i = 0; i < N; i++) {
      // Mostly other bytes with some CR/LF, so that lines of all lengths occur.
      const chunk = r.bytes(1 + r.int(120)).map((b) => (b < 8 ? [0x0d, 0x0a][b % 2]! : b));
      for (const line of d.push(chunk)) {
        lines++;
        if (line.text.length === 0 || line.text.length > MAX + 1 || /[\r\n]/.test(line.text)) bad.push(JSON.stringify(line));
      }
      if (d.pending > MAX + 1) bad.push(`pending ${d.pending}`);
    }
    expect(bad).toEqual([]);
    expect(lines).toBeGreaterThan(1000);
  });

  it('HID keyboard-wedge reports (8 and 9 bytes, and random lengths)', () => {
    const r = prng(0x5eed02);
    const d = new WedgeScanDecoder({ maxLength: MAX });
    let scans = 0;
    for (let i = 0; i < N; i++) {
      const len = [8, 8, 8, 9, r.int(70)][r.int(5)]!;
      const report = r.bytes(len);
      // Keep usages in the interesting range most of the time.
      for (let k = len === 9 ? 3 : 2; k < len; k++) if (r.next() < 0.8) report[k] = r.int(0x70);
      for (const s of d.push(report)) {
        scans++;
        expect(s.text.length).toBeGreaterThan(0);
        expect(s.text.length).toBeLessThanOrEqual(MAX + 1);
      }
      if (r.next() < 0.01) {
        const s = d.flush();
        if (s) expect(s.text.length).toBeLessThanOrEqual(MAX + 1);
      }
    }
    expect(scans).toBeGreaterThan(100);
  });

  it('HID POS reports', () => {
    const r = prng(0x5eed03);
    const d = new HidPosDecoder({ maxLength: MAX });
    let scans = 0;
    for (let i = 0; i < N; i++) {
      const report = r.bytes(r.next() < 0.9 ? 64 : r.int(128));
      if (r.next() < 0.8) report[0] = 0x02;
      if (report.length > 1 && r.next() < 0.8) report[1] = r.int(57);
      for (const s of d.push(report)) {
        scans++;
        expect(s.text.length).toBeLessThanOrEqual(MAX + 1 + 3);
        if (s.symbology !== undefined) expect(s.symbology).toMatch(/^\][A-Za-z][!-~]$/);
      }
      if (r.next() < 0.01) d.abandon();
    }
    expect(scans).toBeGreaterThan(1000);
  });

  it('HID and serial keypads', () => {
    const r = prng(0x5eed04);
    const hid = new HidKeypadDecoder();
    let keys = 0;
    for (let i = 0; i < N; i++) {
      const report = r.bytes([8, 9, r.int(20)][r.int(3)]!);
      for (const k of hid.push(report)) {
        keys++;
        expect(KEYS).toContain(k);
      }
      const serial = decodeSerialKeys(r.bytes(1 + r.int(16)), { carriageReturn: r.next() < 0.5 ? 'enter' : 'ignore' });
      for (const k of serial.keys) expect(KEYS).toContain(k);
    }
    expect(keys).toBeGreaterThan(1000);
  });

  it('matrix debouncer with random scans and clocks', () => {
    const r = prng(0x5eed05);
    const m = new MatrixDebouncer({ debounceMs: 25 });
    let t = 0;
    let presses = 0;
    let last = -1000;
    let closed: number[] = [];
    for (let i = 0; i < N; i++) {
      t += r.int(20);
      // Keys stay down (or up) for a while, with bounces: mostly the previous scan again.
      if (r.next() > 0.85) {
        const n = r.next() < 0.4 ? 0 : r.next() < 0.8 ? 1 : 2 + r.int(3);
        closed = Array.from({ length: n }, () => r.int(16));
      }
      const k = m.feed(closed, t);
      if (k !== null) {
        presses++;
        expect(closed).toEqual([k]);
        expect(t - last).toBeGreaterThanOrEqual(25); // never two presses within one debounce time
        last = t;
      }
    }
    expect(presses).toBeGreaterThan(100);
  });

  it('libgpiod tool output parsers', () => {
    const r = prng(0x5eed06);
    const alphabet = '0123456789 \t[]()gpiochiplines-_\n';
    for (let i = 0; i < N; i++) {
      const s = Array.from({ length: r.int(40) }, () => alphabet[r.int(alphabet.length)]).join('');
      const ev = parseMonitorLine(r.next() < 0.5 ? 1 : 2, s);
      if (ev) expect(Number.isInteger(ev.line)).toBe(true);
      for (const c of parseGpiodetect(s)) expect(Number.isInteger(c.lines)).toBe(true);
      // Arbitrary bytes too (a broken tool may print anything).
      parseMonitorLine(2, Buffer.from(r.bytes(r.int(30))).toString('latin1'));
    }
  });
});
