/**
 * The HID I/O shells with injected fake node-hid objects (the byte boundary): opening the right
 * interface, decoding, unplug and re-enumeration at a modest pace, and node-hid being absent.
 */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { KioskInput } from '../../../drivers/contracts.js';
import { HidKeypad } from '../../../drivers/keypad/hid-keypad.js';
import { HidUnavailableError, pickHidDevice, type HidApi, type HidDeviceInfo } from '../../../drivers/scanner/hid-link.js';
import { HidKeyboardScanner, HidPosScanner } from '../../../drivers/scanner/hid-scanners.js';
import { SILENT_LOG, type DriverLog } from '../../../drivers/scanner/device-base.js';
import { waitFor } from '../../helpers/socat.js';

class FakeDevice extends EventEmitter {
  closed = false;
  constructor(readonly path: string) {
    super();
  }
  close(): void {
    this.closed = true;
  }
  report(bytes: number[] | Uint8Array): void {
    this.emit('data', Buffer.from(bytes));
  }
  /** What node-hid does when the device is pulled: an error from the read loop, no close. */
  unplug(): void {
    this.emit('error', new Error('could not read from HID device'));
  }
}

class FakeHid implements HidApi {
  list: HidDeviceInfo[] = [];
  enumerations: number[] = [];
  opened: FakeDevice[] = [];
  async devices(): Promise<HidDeviceInfo[]> {
    this.enumerations.push(Date.now());
    return this.list.map((d) => ({ ...d }));
  }
  async open(path: string): Promise<FakeDevice> {
    if (!this.list.some((d) => d.path === path)) throw new Error(`cannot open device with path ${path}`);
    const d = new FakeDevice(path);
    this.opened.push(d);
    return d;
  }
  get current(): FakeDevice {
    return this.opened[this.opened.length - 1]!;
  }
}

function posReport(data: string, opts: { aim?: string; more?: boolean } = {}): Uint8Array {
  const r = new Uint8Array(64);
  r[0] = 0x02;
  r[1] = data.length;
  if (opts.aim) Buffer.from(opts.aim).copy(r, 2);
  Buffer.from(data, 'latin1').copy(r, 5);
  r[63] = opts.more ? 1 : 0;
  return r;
}

const HONEYWELL = { vendorId: 0x0c2e, productId: 0x0b61 };
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
