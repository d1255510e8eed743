/**
 * Serial scanner and serial keypad over real pseudo-terminal pairs (socat): the real serialport
 * binding reads the bytes the test writes to the other end. Unplugging is killing socat.
 */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KioskInput } from '../../../drivers/contracts.js';
import { SerialKeypad } from '../../../drivers/keypad/serial-keypad.js';
import { SILENT_LOG } from '../../../drivers/io/log.js';
import { SerialScanner } from '../../../drivers/scanner/serial-scanner.js';
import type { SerialPortLike } from '../../../drivers/io/serial-link.js';
import { tempDir } from '../../helpers/fixtures.js';
import { PtyPair, skipWithoutSocat, waitFor } from '../../helpers/socat.js';

const skip = skipWithoutSocat();

const texts = (got: KioskInput[]) => got.map((i) => (i.kind === 'scan' ? i.text : i.key));

describe.skipIf(skip)('serial scanner and keypad over a pseudo-terminal', () => {
  let dir: string;
  let cleanup: () => void;
  const pairs: PtyPair[] = [];
  const devices: { stop(): Promise<void> }[] = [];

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('lockerd-pty-'));
  });

  afterEach(async () => {
    for (const d of devices.splice(0)) await d.stop();
    for (const p of pairs.splice(0)) await p.close();
    cleanup();
  });

  async function pair(name: string): Promise<PtyPair> {
    const p = await PtyPair.open(dir, name);
    pairs.push(p);
    return p;
  }

  it('reads scans ended by CR, LF or CRLF, drops empty lines, keeps GS, cuts over-long ones', async () => {
    const pty = await pair('scanner');
    const scanner = new SerialScanner({ name: 'scanner-1', path: pty.dev, baudRate: 9600, maxLength: 64, log: SILENT_LOG });
    devices.push(scanner);
    const got: KioskInput[] = [];
    scanner.on('input', (i) => got.push(i));
    await scanner.start();
    expect(scanner.health()).toMatchObject({ online: true, type: 'serial', kind: 'scanner' });

    pty.write('1Z879E930346834440\r');
    pty.write('\r\n\n');
    pty.write('TBA5028872');
    await new Promise((r) => setTimeout(r, 30)); // a scan split across reads
    pty.write('74000\n]C1420221539\x1d9101026837331000039521\r\n');
    pty.write(`${'9'.repeat(200)}\r`);
    await waitFor(() => got.length === 4, 3000, 'four scans');
    expect(texts(got)).toEqual(['1Z879E930346834440', 'TBA502887274000', ']C1420221539\x1d9101026837331000039521', '9'.repeat(65)]);
    expect(got[2]).toMatchObject({ kind: 'scan', symbology: ']C1', source: 'scanner-1' });
    expect(scanner.health().counters).toMatchObject({ scans: 4, overlong: 1 });
  });

  it('reads a serial keypad: one character per key, line endings ignored', async () => {
    const pty = await pair('keypad');
    const keypad = new SerialKeypad({ name: 'keypad-1', path: pty.dev, baudRate: 9600, carriageReturn: 'ignore', log: SILENT_LOG });
    devices.push(keypad);
    const got: KioskInput[] = [];
    keypad.on('input', (i) => got.push(i));
    await keypad.start();
    pty.write('1\r\n2\r\n3#*\x1bAbz');
    await waitFor(() => got.length === 8, 3000, 'eight keys');
    expect(texts(got)).toEqual(['1', '2', '3', '#', '*', 'cancel', 'A', 'B']);
    expect(keypad.health().counters).toMatchObject({ keys: 8, ignoredBytes: 5 });
  });

  it('survives an unplug and a replug, and starts even when the device is not there yet', async () => {
    const pty = await pair('scanner');
    await pty.stop(); // not plugged in at start
    const scanner = new SerialScanner({ name: 's', path: pty.dev, baudRate: 9600, maxLength: 512, log: SILENT_LOG, reopenMinMs: 50, reopenMaxMs: 200 });
    devices.push(scanner);
    const got: KioskInput[] = [];
    scanner.on('input', (i) => got.push(i));
    await scanner.start();
    expect(scanner.health().online).toBe(false);
    expect(scanner.health().detail).toMatch(/ENOENT|no such file/i);

    await pty.start(); // plugged in
    await waitFor(() => scanner.health().online, 3000, 'open after plug-in');
    pty.write('AAA111\r');
    await waitFor(() => got.length === 1, 3000, 'first scan');

    await pty.stop(); // pulled out
    await waitFor(() => !scanner.health().online, 3000, 'offline after unplug');
    await pty.start(); // back
    await waitFor(() => scanner.health().online, 3000, 'reopen after replug');
    pty.write('BBB222\r');
    await waitFor(() => got.length === 2, 3000, 'scan after replug');
    expect(texts(got)).toEqual(['AAA111', 'BBB222']);
  });
});

describe('serial reopen backoff', () => {
  it('doubles the wait after each failed open, up to the cap, and never gives up', async () => {
    const attempts: number[] = [];
    let succeedAfter = 7;
    const factory = async (): Promise<SerialPortLike> => {
      attempts.push(Date.now());
      const port = Object.assign(new EventEmitter(), {
        isOpen: false,
        open(cb: (err: Error | null) => void) {
          if (--succeedAfter > 0) return cb(Object.assign(new Error('Error: No such file or directory, cannot open /dev/ttyACM0'), { code: 'ENOENT' }));
          port.isOpen = true;
          cb(null);
        },
        close(cb?: (err: Error | null) => void) {
          port.isOpen = false;
          cb?.(null);
        },
      });
      return port as unknown as SerialPortLike;
    };
    const lines: string[] = [];
    const log = { ...SILENT_LOG, warn: (_o: object, m: string) => lines.push(m) };
    const scanner = new SerialScanner({ name: 's', path: '/dev/ttyACM0', baudRate: 9600, maxLength: 512, log, factory, reopenMinMs: 20, reopenMaxMs: 80 });
    await scanner.start();
    await waitFor(() => scanner.health().online, 3000, 'open on the 7th attempt');
    await scanner.stop();
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    expect(gaps).toHaveLength(6);
    // 20, 40, 80, 80, 80, 80 (timers may run a little late, never early)
    [20, 40, 80, 80, 80, 80].forEach((want, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(want - 2);
      expect(gaps[i]).toBeLessThan(want + 60);
    });
    // One warning for the reason, not one per attempt.
    expect(lines.filter((m) => m.startsWith('cannot open')).length).toBe(1);
    expect(scanner.health().counters.reopenAttempts).toBe(6);
  });
});
