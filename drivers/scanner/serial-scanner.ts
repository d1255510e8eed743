/**
 * A scanner in USB serial (CDC-ACM) mode, or any serial scanner: one scan per line. The
 * recommended mode: the daemon has the scanner to itself and nothing reaches the console.
 */
import { InputDeviceBase } from '../io/device-base.js';
import type { DriverLog } from '../io/log.js';
import { leadingAim } from './aim.js';
import { LineDecoder } from './line-decoder.js';
import { SerialLink, type SerialPortFactory } from '../io/serial-link.js';

export interface SerialScannerOptions {
  name: string;
  path: string;
  baudRate: number;
  /** The kiosk's scan cap (kiosk.maxScanLength): longer lines are cut at this + 1 and refused by the kiosk. */
  maxLength: number;
  log: DriverLog;
  factory?: SerialPortFactory;
  reopenMinMs?: number;
  reopenMaxMs?: number;
}

export class SerialScanner extends InputDeviceBase {
  readonly #decoder: LineDecoder;
  readonly #link: SerialLink;

  constructor(options: SerialScannerOptions) {
    super(options.name, 'scanner', 'serial');
    this.#decoder = new LineDecoder({ maxLength: options.maxLength });
    this.detail = `${options.path}: not started`;
    this.#link = new SerialLink({
      name: options.name,
      path: options.path,
      baudRate: options.baudRate,
      log: options.log,
      factory: options.factory,
      reopenMinMs: options.reopenMinMs,
      reopenMaxMs: options.reopenMaxMs,
      onData: (bytes) => this.#onData(bytes),
      onStatus: (online, detail) => {
        this.online = online;
        this.detail = detail;
        if (!online) this.#decoder.reset(); // half a scan from before the unplug is not a scan
        this.counters.reopenAttempts = Math.max(0, this.#link.stats.attempts - 1);
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

  #onData(bytes: Buffer): void {
    this.count('bytes', bytes.length);
    this.emitRaw(bytes);
    for (const line of this.#decoder.push(bytes)) {
      if (line.overflow) this.count('overlong');
      this.emitScan(line.text, leadingAim(line.text));
    }
  }
}
