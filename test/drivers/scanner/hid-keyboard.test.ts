import { describe, expect, it } from 'vitest';
import { BootReportDecoder, WedgeScanDecoder } from '../../../drivers/scanner/hid-keyboard.js';

const hex = (s: string) => Uint8Array.from(s.trim().split(/\s+/).map((h) => parseInt(h, 16)));

/**
 * What a US-layout keyboard-wedge scanner sends for "1Z9": key down, all-zero release, with left
 * shift (0x02) held for the capital (byte 0 modifiers, byte 1 reserved, bytes 2-7 usages).
 */
const ONE_Z_NINE = [
  '00 00 1e 00 00 00 00 00', // 1
  '00 00 00 00 00 00 00 00',
  '02 00 1d 00 00 00 00 00', // Shift+z
  '00 00 00 00 00 00 00 00',
  '00 00 26 00 00 00 00 00', // 9
  '00 00 00 00 00 00 00 00',
].map(hex);
const ENTER = [hex('00 00 28 00 00 00 00 00'), hex('00 00 00 00 00 00 00 00')];

// Independent fixture table (US layout) for longer scans: char → [modifiers, usage].
const US: Record<string, [number, number]> = {};
'abcdefghijklmnopqrstuvwxyz'.split('').forEach((c, i) => {
  US[c] = [0, 0x04 + i];
  US[c.toUpperCase()] = [0x20, 0x04 + i]; // right shift this time
});
'1234567890'.split('').forEach((c, i) => (US[c] = [0, 0x1e + i]));
Object.assign(US, { '-': [0, 0x2d], '/': [0, 0x38], '.': [0, 0x37], ' ': [0, 0x2c], '#': [0x02, 0x20], ')': [0x02, 0x27], '>': [0x02, 0x37], '[': [0, 0x2f] });

function typed(text: string, reportId?: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const withId = (r: number[]) => Uint8Array.from(reportId === undefined ? r : [reportId, ...r]);
  for (const c of text) {
    const [mods, usage] = US[c]!;
    out.push(withId([mods, 0, usage, 0, 0, 0, 0, 0]));
    out.push(withId([0, 0, 0, 0, 0, 0, 0, 0]));
  }
  return out;
}

function feed(d: WedgeScanDecoder, reports: Uint8Array[]): string[] {
  return reports.flatMap((r) => d.push(r)).map((s) => s.text);
}

describe('HID boot keyboard reports', () => {
  it('decodes presses with shift and ends the scan on Enter', () => {
    const d = new WedgeScanDecoder({ maxLength: 512 });
    expect(feed(d, [...ONE_Z_NINE, ...ENTER])).toEqual(['1Z9']);
  });

  it('decodes repeated characters thanks to the release report between them', () => {
    const d = new WedgeScanDecoder({ maxLength: 512 });
    expect(feed(d, [...typed('TBA502887274000'), ...ENTER])).toEqual(['TBA502887274000']);
    // Without a release, a held key is one press, not many.
    const held = [hex('00 00 1e 00 00 00 00 00'), hex('00 00 1e 00 00 00 00 00'), hex('00 00 1e 00 00 00 00 00'), ...ENTER];
    expect(feed(d, held)).toEqual(['1']);
  });

  it('takes a new key that joins a held one as a press (fast typing, no release between)', () => {
    const d = new WedgeScanDecoder({ maxLength: 512 });
    const rolling = [hex('00 00 04 00 00 00 00 00'), hex('00 00 04 05 00 00 00 00'), hex('00 00 05 00 00 00 00 00'), hex('00 00 05 06 00 00 00 00'), hex('00 00 00 00 00 00 00 00'), ...ENTER];
    expect(feed(d, rolling)).toEqual(['abc']);
  });

  it('ignores rollover-error reports without losing the keys held before them', () => {
    const d = new WedgeScanDecoder({ maxLength: 512 });
    const reports = [hex('00 00 1e 00 00 00 00 00'), hex('00 00 01 01 01 01 01 01'), hex('00 00 1e 00 00 00 00 00'), hex('00 00 00 00 00 00 00 00'), hex('00 00 1f 00 00 00 00 00'), hex('00 00 00 00 00 00 00 00'), ...ENTER];
    expect(feed(d, reports)).toEqual(['12']);
    expect(d.counters.rollover).toBe(1);
  });

  it('reads the 9-byte variant with a leading report id', () => {
    const d = new WedgeScanDecoder({ maxLength: 512 });
    const reports = [...typed('1Z879E930346834440', 0x01), hex('01 00 00 28 00 00 00 00 00')];
    expect(feed(d, reports)).toEqual(['1Z879E930346834440']);
  });

  it('types GS for Ctrl+] (how wedge scanners send FNC1) and ends a scan on Tab or keypad Enter', () => {
    const d = new WedgeScanDecoder({ maxLength: 512 });
    const gs = [hex('01 00 30 00 00 00 00 00'), hex('00 00 00 00 00 00 00 00')];
    const reports = [...typed('42022153'), ...gs, ...typed('9101026837331000039521'), hex('00 00 2b 00 00 00 00 00'), hex('00 00 00 00 00 00 00 00')];
    expect(feed(d, reports)).toEqual(['42022153\x1d9101026837331000039521']);
    expect(feed(d, [...typed('abc'), hex('00 00 58 00 00 00 00 00')])).toEqual(['abc']);
  });

  it('decodes keypad digits and punctuation', () => {
    const d = new WedgeScanDecoder({ maxLength: 512 });
    const kp = ['00 00 59 00 00 00 00 00', '00 00 00 00 00 00 00 00', '00 00 62 00 00 00 00 00', '00 00 00 00 00 00 00 00', '00 00 63 00 00 00 00 00', '00 00 00 00 00 00 00 00', '00 00 55 00 00 00 00 00'].map(hex);
    expect(feed(d, [...kp, ...ENTER])).toEqual(['10.*']);
    expect(feed(d, [...typed('a-b/c.d #)>['), ...ENTER])).toEqual(['a-b/c.d #)>[']);
  });

  it('flushes on an idle gap (the shell calls flush) and never returns an empty scan', () => {
    const d = new WedgeScanDecoder({ maxLength: 512 });
    expect(feed(d, typed('ABC123'))).toEqual([]);
    expect(d.pending).toBe(true);
    expect(d.flush()).toEqual({ text: 'ABC123', overflow: false });
    expect(d.flush()).toBeNull();
    expect(feed(d, ENTER)).toEqual([]);
  });

  it('counts and ignores reports of the wrong length and keys without a character', () => {
    const d = new WedgeScanDecoder({ maxLength: 512 });
    expect(feed(d, [hex('00 00 1e'), hex('00 00 3a 00 00 00 00 00'), hex('00 00 00 00 00 00 00 00'), ...typed('x'), ...ENTER])).toEqual(['x']);
    expect(d.counters).toMatchObject({ badReports: 1, ignoredKeys: 1 });
  });

  it('cuts an over-long scan at maxLength + 1 and marks it', () => {
    const d = new WedgeScanDecoder({ maxLength: 32 });
    const scans = [...typed('A'.repeat(100)), ...ENTER].flatMap((r) => d.push(r));
    expect(scans).toEqual([{ text: 'A'.repeat(33), overflow: true }]);
  });

  it('BootReportDecoder reports each new usage once with its modifiers', () => {
    const b = new BootReportDecoder();
    expect(b.push(hex('22 00 04 05 00 00 00 00'))).toEqual({ status: 'ok', presses: [{ usage: 4, shift: true, ctrl: false }, { usage: 5, shift: true, ctrl: false }] });
    expect(b.push(hex('00 00 05 04 00 00 00 00')).presses).toEqual([]);
    expect(b.push(hex('11 00 06 06 00 00 00 00')).presses).toEqual([{ usage: 6, shift: false, ctrl: true }]);
  });
});
