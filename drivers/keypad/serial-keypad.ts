/** A keypad on a serial line (USB-serial or RS-232): one ASCII character per key. */
import { InputDeviceBase } from '../io/device-base.js';
import type { DriverLog } from '../io/log.js';
import { SerialLink, type SerialPortFactory } from '../io/serial-link.js';
import { decodeSerialKeys, type SerialKeyOptions } from './serial-keys.js';

export interface SerialKeypadOptions extends SerialKeyOptions {
  name: string;
  path: string;
  baudRate: number;
  log: DriverLog;
  factory?: SerialPortFactory;
  reopenMinMs?: number;
  reopenMaxMs?: number;
}

export class SerialKeypad extends InputDeviceBase {
  readonly #link: SerialLink;
  readonly #keyOptions: SerialKeyOptions;

  constructor(options: SerialKeypadOptions) {
    super(options.name, 'keypad', 'serial');
    this.#keyOptions = { carriageReturn: options.carriageReturn };
    this.detail = `${options.path}: not started`;
    this.#link = new SerialLink({
      name: options.name,
      path: options.path,
      baudRate: options.baudRate,
      log: options.log,
      factory: options.factory,
      reopenMinMs: options.reopenMinMs,
      reopenMaxMs: options.reopenMaxMs,
      onData: (bytes) => {
        this.count('bytes', bytes.length);
        this.emitRaw(bytes);
        const { keys, ignored } = decodeSerialKeys(bytes, this.#keyOptions);
        if (ignored > 0) this.count('ignoredBytes', ignored);
        for (const k of keys) this.emitKey(k);
      },
      onStatus: (online, detail) => {
        this.online = online;
        this.detail = detail;
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
}
