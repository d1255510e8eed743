/** A USB HID numeric keypad (a HID keyboard). Same hidraw caveats as keyboard-wedge scanners. */
import { InputDeviceBase } from '../io/device-base.js';
import type { DriverLog } from '../io/log.js';
import { HidLink, type HidLoader, type HidMatch } from '../io/hid-link.js';
import { HidKeypadDecoder } from './hid-keys.js';

export interface HidKeypadOptions {
  name: string;
  match: HidMatch;
  log: DriverLog;
  loader?: HidLoader;
  rescanMs?: number;
  unavailableRetryMs?: number;
}

export class HidKeypad extends InputDeviceBase {
  readonly #decoder = new HidKeypadDecoder();
  readonly #link: HidLink;

  constructor(o: HidKeypadOptions) {
    super(o.name, 'keypad', 'hid');
    this.detail = 'not started';
    this.#link = new HidLink({
      name: o.name,
      match: o.match,
      log: o.log,
      loader: o.loader,
      rescanMs: o.rescanMs,
      unavailableRetryMs: o.unavailableRetryMs,
      onReport: (report) => {
        this.count('reports');
        this.emitRaw(report);
        for (const k of this.#decoder.push(report)) this.emitKey(k);
        Object.assign(this.counters, this.#decoder.counters);
      },
      onStatus: (online, detail) => {
        this.online = online;
        this.detail = detail;
        if (!online) this.#decoder.reset();
      },
    });
  }

  async start(): Promise<void> {
    await this.#link.start();
  }

  async stop(): Promise<void> {
    await this.#link.stop();
    this.online = false;
  }
}
