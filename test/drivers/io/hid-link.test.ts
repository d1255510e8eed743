/**
 * The HID link (drivers/io/hid-link.ts) with an injected fake node-hid (the byte boundary):
 * choosing the right interface, unplug and re-enumeration at a modest pace, node-hid being
 * absent for one device only. Driven through the scanner and keypad that use it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KioskInput } from '../../../drivers/contracts.js';
import { SILENT_LOG, type DriverLog } from '../../../drivers/io/log.js';
import { HidUnavailableError, pickHidDevice, type HidDeviceInfo } from '../../../drivers/io/hid-link.js';
import { HidKeypad } from '../../../drivers/keypad/hid-keypad.js';
import { HidPosScanner } from '../../../drivers/scanner/hid-scanners.js';
import { waitFor } from '../../helpers/socat.js';
import { FakeHid, HONEYWELL, posReport } from './fake-hid.js';

const collected = (d: { on(e: 'input', l: (i: KioskInput) => void): unknown }) => {
  const got: KioskInput[] = [];
  d.on('input', (i) => got.push(i));
  return got;
};

function captureLog(): DriverLog & { lines: string[] } {
  const lines: string[] = [];
  const put = (o: object, m: string) => lines.push(`${m} ${JSON.stringify(o)}`);
  return { lines, debug: put, info: put, warn: put, error: put };
}

const stoppers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stoppers.splice(0)) await s();
});

describe('HID device selection', () => {
  it('prefers the interface with the wanted usage page and matches ids or a hidraw path', () => {
    const list: HidDeviceInfo[] = [
      { path: '/dev/hidraw0', ...HONEYWELL, usagePage: 0x01, usage: 6 },
      { path: '/dev/hidraw1', ...HONEYWELL, usagePage: 0x8c, usage: 2 },
      { path: '/dev/hidraw2', vendorId: 0x05e0, productId: 0x1200, usagePage: 0x8c },
    ];
    expect(pickHidDevice(list, { ...HONEYWELL, usagePage: 0x8c })?.path).toBe('/dev/hidraw1');
    expect(pickHidDevice(list, { ...HONEYWELL })?.path).toBe('/dev/hidraw0');
    expect(pickHidDevice(list, { path: '/dev/hidraw2' })?.path).toBe('/dev/hidraw2');
    expect(pickHidDevice(list, { vendorId: 0x1234 })).toBeUndefined();
  });
});

describe('HID link: unplug, re-enumeration, node-hid absent (through the HID devices)', () => {
  it('recovers from an unplug: closes, enumerates again at the rescan pace (not a tight loop), reopens', async () => {
    const hid = new FakeHid();
    hid.list = [{ path: '/dev/hidraw1', ...HONEYWELL, usagePage: 0x8c }];
    const log = captureLog();
    const s = new HidPosScanner({ name: 'pos', match: HONEYWELL, maxLength: 512, log, loader: async () => hid, rescanMs: 150 });
    stoppers.push(() => s.stop());
    const got = collected(s);
    await s.start();
    const first = hid.current;
    hid.list = []; // pulled
    first.unplug();
    await waitFor(() => first.closed, 1000, 'the pulled device to be closed');
    expect(s.health().online).toBe(false);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 700));
    const during = hid.enumerations.filter((t) => t >= t0).length;
    expect(during).toBeGreaterThanOrEqual(2);
    expect(during).toBeLessThanOrEqual(6); // ~700/150, never a tight loop
    hid.list = [{ path: '/dev/hidraw4', ...HONEYWELL, usagePage: 0x8c }]; // back, on another hidraw node
    await waitFor(() => s.health().online, 2000, 'reopen');
    expect(hid.current.path).toBe('/dev/hidraw4');
    hid.current.report(posReport('TBA502887274000'));
    expect(got.map((i) => (i.kind === 'scan' ? i.text : ''))).toEqual(['TBA502887274000']);
    // A late error from the dead device is harmless.
    first.emit('error', new Error('late'));
    // One warning for the loss, one for the missing device: not one per enumeration.
    expect(log.lines.filter((l) => l.startsWith('HID input device not available')).length).toBe(1);
  });

  it('reports missing node-hid clearly, for this device only, and keeps retrying slowly', async () => {
    let loads = 0;
    const broken = new HidPosScanner({
      name: 'pos', match: HONEYWELL, maxLength: 512, log: SILENT_LOG, rescanMs: 100, unavailableRetryMs: 200,
      loader: async () => {
        loads++;
        throw new HidUnavailableError('USB HID support (node-hid) cannot be loaded: libusb-1.0.so.0: cannot open shared object file; install libusb-1.0-0 (apt-get install libusb-1.0-0)');
      },
    });
    const hid = new FakeHid();
    hid.list = [{ path: '/dev/hidraw3', vendorId: 0x04d9, productId: 0x1203 }];
    const keypad = new HidKeypad({ name: 'kp', match: { vendorId: 0x04d9, productId: 0x1203 }, log: SILENT_LOG, loader: async () => hid });
    stoppers.push(() => broken.stop(), () => keypad.stop());
    await expect(broken.start()).resolves.toBeUndefined();
    await keypad.start();
    expect(broken.health()).toMatchObject({ online: false });
    expect(broken.health().detail).toMatch(/libusb-1\.0-0/);
    expect(keypad.health().online).toBe(true);
    const keys = collected(keypad);
    hid.current.report([0, 0, 0x59, 0, 0, 0, 0, 0]);
    hid.current.report([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(keys).toMatchObject([{ kind: 'key', key: '1', source: 'kp' }]);
    await new Promise((r) => setTimeout(r, 500));
    expect(loads).toBeGreaterThanOrEqual(2);
    expect(loads).toBeLessThanOrEqual(4);
  });

});

describe('the real node-hid, loaded on demand', () => {
  it('starts without a device (or without libusb) and says why it is offline', async () => {
    // No fake loader: node-hid is imported now. With no such device attached the scanner is
    // offline with a reason; on a machine where node-hid cannot load, the reason names libusb.
    const s = new HidPosScanner({ name: 'real', match: { vendorId: 0xfffe, productId: 0xfffd }, maxLength: 512, log: SILENT_LOG, rescanMs: 60_000 });
    stoppers.push(() => s.stop());
    await s.start();
    const h = s.health();
    expect(h.online).toBe(false);
    expect(h.detail).toMatch(/no USB HID device matches fffe:fffd usage page 0x8c|libusb-1\.0-0/);
  });
});
