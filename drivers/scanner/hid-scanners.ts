/** USB HID scanners: HID POS (usage page 0x8C) and keyboard wedge (boot keyboard reports). */
import { InputDeviceBase } from '../io/device-base.js';
import type { DriverLog } from '../io/log.js';
import { HidLink, type HidLoader, type HidMatch } from '../io/hid-link.js';
import { HID_POS_USAGE_PAGE, HidPosDecoder } from './hid-pos.js';
import { WedgeScanDecoder } from './hid-keyboard.js';
import { leadingAim } from './aim.js';

export interface HidScannerOptions {
  name: string;
  match: HidMatch;
  /** The kiosk's scan cap; longer scans are cut at this + 1 and refused by the kiosk. */
  maxLength: number;
  log: DriverLog;
  loader?: HidLoader;
  rescanMs?: number;
  unavailableRetryMs?: number;
}

export interface HidPosScannerOptions extends HidScannerOptions {
  /** Report id of the scanned-data report (default 0x02). */
  reportId?: number;
  /** A multi-report scan whose next report does not come within this long is dropped. */
  continuationTimeoutMs?: number;
}

export class HidPosScanner extends InputDeviceBase {
  readonly #decoder: HidPosDecoder;
  readonly #link: HidLink;
  readonly #continuationMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(o: HidPosScannerOptions) {
    super(o.name, 'scanner', 'hid-pos');
    this.#decoder = new HidPosDecoder({ maxLength: o.maxLength, reportId: o.reportId });
    this.#continuationMs = o.continuationTimeoutMs ?? 500;
    this.detail = 'not started';
    this.#link = new HidLink({
      name: o.name,
      match: { usagePage: HID_POS_USAGE_PAGE, ...o.match },
      log: o.log,
      loader: o.loader,
      rescanMs: o.rescanMs,
      unavailableRetryMs: o.unavailableRetryMs,
      onReport: (r) => this.#onReport(r),
      onStatus: (online, detail) => {
        this.online = online;
        this.detail = detail;
        if (!online) this.#abandon();
      },
    });
  }

  async start(): Promise<void> {
    await this.#link.start();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    await this.#link.stop();
    this.online = false;
  }

  #onReport(report: Buffer): void {
    this.count('reports');
    this.emitRaw(report);
    clearTimeout(this.#timer);
    for (const scan of this.#decoder.push(report)) {
      if (scan.overflow) this.count('overlong');
      this.emitScan(scan.text, scan.symbology);
    }
    Object.assign(this.counters, this.#decoder.counters);
    if (this.#decoder.pending) {
      this.#timer = setTimeout(() => this.#abandon(), this.#continuationMs);
      this.#timer.unref?.();
    }
  }

  #abandon(): void {
    clearTimeout(this.#timer);
    this.#decoder.abandon();
    Object.assign(this.counters, this.#decoder.counters);
  }
}

export interface HidKeyboardScannerOptions extends HidScannerOptions {
  /** A scan ends after this long without a key when the scanner sends no Enter. */
  idleMs?: number;
}

export const WEDGE_HINT = 'keyboard wedge: least preferred mode (the console also receives these keystrokes); switch the scanner to USB serial (CDC-ACM) or HID POS if it can';

export class HidKeyboardScanner extends InputDeviceBase {
  readonly #decoder: WedgeScanDecoder;
  readonly #link: HidLink;
  readonly #idleMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(o: HidKeyboardScannerOptions) {
    super(o.name, 'scanner', 'hid-keyboard');
    this.#decoder = new WedgeScanDecoder({ maxLength: o.maxLength });
    this.#idleMs = o.idleMs ?? 100;
    this.detail = `not started; ${WEDGE_HINT}`;
    this.#link = new HidLink({
      name: o.name,
      match: o.match,
      log: o.log,
      loader: o.loader,
      rescanMs: o.rescanMs,
      unavailableRetryMs: o.unavailableRetryMs,
      onReport: (r) => this.#onReport(r),
      onStatus: (online, detail) => {
        this.online = online;
        this.detail = `${detail}; ${WEDGE_HINT}`;
        if (!online) {
          clearTimeout(this.#timer);
          this.#decoder.reset();
        }
      },
    });
  }

  async start(): Promise<void> {
    await this.#link.start();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    await this.#link.stop();
    this.online = false;
  }

  #onReport(report: Buffer): void {
    this.count('reports');
    this.emitRaw(report);
    clearTimeout(this.#timer);
    for (const scan of this.#decoder.push(report)) this.#emit(scan.text, scan.overflow);
    Object.assign(this.counters, this.#decoder.counters);
    if (this.#decoder.pending) {
      this.#timer = setTimeout(() => {
        const scan = this.#decoder.flush();
        if (scan) this.#emit(scan.text, scan.overflow);
      }, this.#idleMs);
      this.#timer.unref?.();
    }
  }

  #emit(text: string, overflow: boolean): void {
    if (overflow) this.count('overlong');
    this.emitScan(text, leadingAim(text));
  }
}
