import { describe, expect, it } from 'vitest';
import { KEYS } from '../../../drivers/contracts.js';
import { decodeSerialKeys, serialByteToKey } from '../../../drivers/keypad/serial-keys.js';
import { HidKeypadDecoder } from '../../../drivers/keypad/hid-keys.js';
import { MatrixDebouncer, STANDARD_LAYOUTS, layoutKeys } from '../../../drivers/keypad/matrix.js';

const hex = (s: string) => Uint8Array.from(s.trim().split(/\s+/).map((h) => parseInt(h, 16)));
const RELEASE = hex('00 00 00 00 00 00 00 00');
const press = (usage: number, mods = 0) => [Uint8Array.from([mods, 0, usage, 0, 0, 0, 0, 0]), RELEASE];

describe('serial keypads: one ASCII character per key', () => {
  it('maps digits, * # and A-D (either case) and ESC to cancel', () => {
    expect(decodeSerialKeys(Buffer.from('0123456789*#ABCDabcd\x1b', 'latin1'), { carriageReturn: 'ignore' })).toEqual({
      keys: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D', 'A', 'B', 'C', 'D', 'cancel'],
      ignored: 0,
    });
  });

  it('treats CR as Enter only when configured, and ignores LF and noise', () => {
    expect(decodeSerialKeys(Buffer.from('1\r\n2\r\n', 'latin1'), { carriageReturn: 'ignore' })).toEqual({ keys: ['1', '2'], ignored: 4 });
    expect(decodeSerialKeys(Buffer.from('12\r', 'latin1'), { carriageReturn: 'enter' })).toEqual({ keys: ['1', '2', 'enter'], ignored: 0 });
    expect(decodeSerialKeys(Uint8Array.from([0x00, 0xff, 0x45, 0x7f, 0x20]), { carriageReturn: 'enter' })).toEqual({ keys: [], ignored: 5 });
  });

  it('only ever yields keys of the one alphabet', () => {
    for (let b = 0; b < 256; b++) {
      const k = serialByteToKey(b, { carriageReturn: 'enter' });
      if (k !== null) expect(KEYS).toContain(k);
    }
  });
});

describe('USB HID keypads', () => {
  it('reads keypad digits, * and Enter, and ignores NumLock', () => {
    const d = new HidKeypadDecoder();
    const reports = [
      ...press(0x53), // NumLock, sent by some keypads on their own
      ...press(0x59), ...press(0x5a), ...press(0x62), ...press(0x55), ...press(0x58),
    ];
    expect(reports.flatMap((r) => d.push(r))).toEqual(['1', '2', '0', '*', 'enter']);
    expect(d.counters.ignoredKeys).toBe(1);
  });

  it('reads top-row digits, Shift+3 as #, Shift+8 as *, a-d, Escape/Backspace as cancel', () => {
    const d = new HidKeypadDecoder();
    const reports = [...press(0x1e), ...press(0x27), ...press(0x20, 0x02), ...press(0x25, 0x20), ...press(0x04), ...press(0x07), ...press(0x29), ...press(0x2a), ...press(0xcc), ...press(0x28)];
    expect(reports.flatMap((r) => d.push(r))).toEqual(['1', '0', '#', '*', 'A', 'D', 'cancel', 'cancel', '#', 'enter']);
  });

  it('needs a release between equal keys, ignores rollover, and reads report ids', () => {
    const d = new HidKeypadDecoder();
    const reports = [hex('00 00 5a 00 00 00 00 00'), hex('00 00 5a 00 00 00 00 00'), hex('00 00 01 01 01 01 01 01'), RELEASE, hex('07 00 00 5a 00 00 00 00 00'), hex('07 00 00 00 00 00 00 00 00')];
    expect(reports.flatMap((r) => d.push(r))).toEqual(['2', '2']);
    expect(d.counters.rollover).toBe(1);
  });
});

describe('matrix keypad debouncing', () => {
  // 3x4 layout: index = row * 3 + column.
  const KEY_5 = 4;
  const KEY_HASH = 11;

  it('reports a key once it has been closed alone for debounceMs, once per press', () => {
    const m = new MatrixDebouncer({ debounceMs: 30 });
    expect(m.feed([KEY_5], 0)).toBeNull();
    expect(m.feed([KEY_5], 10)).toBeNull();
    expect(m.feed([KEY_5], 30)).toBe(KEY_5);
    expect(m.feed([KEY_5], 40)).toBeNull(); // held: not again
    expect(m.feed([KEY_5], 400)).toBeNull();
    expect(m.active).toBe(true);
  });

  it('ignores contact bounce shorter than debounceMs, on press and on release', () => {
    const m = new MatrixDebouncer({ debounceMs: 30 });
    // bouncy press: closed, open, closed... only a stable 30 ms counts
    const presses = [[0, [KEY_5]], [5, []], [8, [KEY_5]], [12, []], [15, [KEY_5]], [30, [KEY_5]], [44, [KEY_5]], [45, [KEY_5]]] as const;
    const out = presses.map(([t, c]) => m.feed(c, t)).filter((k) => k !== null);
    expect(out).toEqual([KEY_5]);
    // bouncy release shorter than 30 ms does not make a second press
    expect(m.feed([], 50)).toBeNull();
    expect(m.feed([KEY_5], 60)).toBeNull();
    expect(m.feed([KEY_5], 100)).toBeNull();
    // a real release (30 ms open) then a new press
    expect(m.feed([], 110)).toBeNull();
    expect(m.feed([], 140)).toBeNull();
    expect(m.active).toBe(false);
    expect(m.feed([KEY_5], 150)).toBeNull();
    expect(m.feed([KEY_5], 180)).toBe(KEY_5);
  });

  it('reports nothing for two keys at once (chord or ghost) until all are released', () => {
    const m = new MatrixDebouncer({ debounceMs: 20 });
    expect(m.feed([KEY_5, KEY_HASH], 0)).toBeNull();
    expect(m.feed([KEY_5, KEY_HASH], 100)).toBeNull();
    expect(m.feed([KEY_5], 120)).toBeNull(); // still latched: the other key was just released
    expect(m.feed([KEY_5], 200)).toBeNull();
    expect(m.feed([], 210)).toBeNull();
    expect(m.feed([], 230)).toBeNull();
    expect(m.feed([KEY_HASH], 240)).toBeNull();
    expect(m.feed([KEY_HASH], 260)).toBe(KEY_HASH);
    expect(m.chords).toBe(1);
  });

  it('has standard layouts in the key alphabet', () => {
    expect(layoutKeys(STANDARD_LAYOUTS['3x4']!)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#']);
    for (const k of layoutKeys(STANDARD_LAYOUTS['4x4']!)) expect(KEYS).toContain(k);
  });
});
