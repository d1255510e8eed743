/**
 * The HID scanners (HID POS and keyboard wedge) on a fake node-hid: the right interface, scans
 * with their symbology, multi-report scans, the raw tap, the wedge's idle gap.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KioskInput } from '../../../drivers/contracts.js';
import { SILENT_LOG } from '../../../drivers/io/log.js';
import { HidKeyboardScanner, HidPosScanner } from '../../../drivers/scanner/hid-scanners.js';
import { waitFor } from '../../helpers/socat.js';
import { FakeHid, HONEYWELL, posReport } from '../io/fake-hid.js';

const collected = (d: { on(e: 'input', l: (i: KioskInput) => void): unknown }) => {
  const got: KioskInput[] = [];
  d.on('input', (i) => got.push(i));
  return got;
};

const stoppers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stoppers.splice(0)) await s();
});

describe('HID POS scanner shell', () => {
  it('opens the POS interface and emits scans with their symbology', async () => {
    const hid = new FakeHid();
    hid.list = [{ path: '/dev/hidraw0', ...HONEYWELL, usagePage: 0x01 }, { path: '/dev/hidraw1', ...HONEYWELL, usagePage: 0x8c }];
    const s = new HidPosScanner({ name: 'pos', match: HONEYWELL, maxLength: 512, log: SILENT_LOG, loader: async () => hid });
    stoppers.push(() => s.stop());
    const got = collected(s);
    await s.start();
    expect(s.health()).toMatchObject({ online: true, type: 'hid-pos', kind: 'scanner' });
    expect(hid.current.path).toBe('/dev/hidraw1');
    hid.current.report(posReport('42022153\x1d91010268373310', { aim: ']C1', more: true }));
    hid.current.report(posReport('00039521'));
    expect(got).toMatchObject([{ kind: 'scan', text: ']C142022153\x1d9101026837331000039521', symbology: ']C1', source: 'pos' }]);
  });

  it('drops a multi-report scan whose next report does not come', async () => {
    const hid = new FakeHid();
    hid.list = [{ path: '/dev/hidraw1', ...HONEYWELL, usagePage: 0x8c }];
    const s = new HidPosScanner({ name: 'pos', match: HONEYWELL, maxLength: 512, log: SILENT_LOG, loader: async () => hid, continuationTimeoutMs: 50 });
    stoppers.push(() => s.stop());
    const got = collected(s);
    await s.start();
    hid.current.report(posReport('first part', { more: true }));
    await new Promise((r) => setTimeout(r, 120));
    hid.current.report(posReport('1Z879E930346834440'));
    expect(got.map((i) => (i.kind === 'scan' ? i.text : ''))).toEqual(['1Z879E930346834440']);
    expect(s.health().counters.abandoned).toBe(1);
  });

  it('taps raw reports for technicians', async () => {
    const hid = new FakeHid();
    hid.list = [{ path: '/dev/hidraw1', ...HONEYWELL, usagePage: 0x8c }];
    const s = new HidPosScanner({ name: 'pos', match: HONEYWELL, maxLength: 512, log: SILENT_LOG, loader: async () => hid });
    stoppers.push(() => s.stop());
    await s.start();
    const raw: number[][] = [];
    const off = s.onRaw((c) => raw.push([...c.bytes.subarray(0, 3)]));
    hid.current.report(posReport('AB'));
    off();
    hid.current.report(posReport('CD'));
    expect(raw).toEqual([[2, 2, 0]]);
  });
});

describe('HID keyboard-wedge scanner shell', () => {
  it('ends a scan after the idle gap when the scanner sends no Enter, and says it is the least preferred mode', async () => {
    const hid = new FakeHid();
    hid.list = [{ path: '/dev/hidraw0', ...HONEYWELL, usagePage: 0x01 }];
    const s = new HidKeyboardScanner({ name: 'wedge', match: HONEYWELL, maxLength: 512, log: SILENT_LOG, loader: async () => hid, idleMs: 40 });
    stoppers.push(() => s.stop());
    const got = collected(s);
    await s.start();
    expect(s.health().detail).toMatch(/least preferred/);
    for (const u of [0x1e, 0x1d, 0x25]) {
      hid.current.report([u === 0x1d ? 0x02 : 0, 0, u, 0, 0, 0, 0, 0]);
      hid.current.report([0, 0, 0, 0, 0, 0, 0, 0]);
    }
    expect(got).toEqual([]);
    await waitFor(() => got.length === 1, 1000, 'idle flush');
    expect(got[0]).toMatchObject({ kind: 'scan', text: '1Z8' });
  });
});
