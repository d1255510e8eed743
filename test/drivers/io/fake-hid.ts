/**
 * A fake node-hid at the byte boundary: a device list to enumerate, devices that deliver reports
 * and can be pulled the way node-hid reports it. Shared by the HID link and HID device tests.
 */
import { EventEmitter } from 'node:events';
import type { HidApi, HidDeviceInfo } from '../../../drivers/io/hid-link.js';

export class FakeDevice extends EventEmitter {
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

export class FakeHid implements HidApi {
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

export function posReport(data: string, opts: { aim?: string; more?: boolean } = {}): Uint8Array {
  const r = new Uint8Array(64);
  r[0] = 0x02;
  r[1] = data.length;
  if (opts.aim) Buffer.from(opts.aim).copy(r, 2);
  Buffer.from(data, 'latin1').copy(r, 5);
  r[63] = opts.more ? 1 : 0;
  return r;
}

export const HONEYWELL = { vendorId: 0x0c2e, productId: 0x0b61 };
