/**
 * The I/O shell of serial scanners and keypads: opens a serial port (USB CDC-ACM, USB-serial
 * adapter, RS-232), hands every chunk on, and when the port fails to open or goes away (scanner
 * unplugged, adapter re-enumerated) reopens it by itself, forever, with capped exponential
 * backoff. The port object comes from an injectable factory; the default loads the `serialport`
 * package only when a serial device is configured.
 */
import { backoffDelay } from './backoff.js';
import { errorText, type DriverLog } from './log.js';
import { DRIVER_LINES_PER_MINUTE, LimitedLog } from '../log-limit.js';

/** The part of serialport's SerialPort the link uses. */
export interface SerialPortLike {
  readonly isOpen: boolean;
  open(callback: (err: Error | null) => void): void;
  close(callback?: (err: Error | null) => void): void;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'close', listener: (err?: Error | null) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeAllListeners(): unknown;
}

export type SerialPortFactory = (options: { path: string; baudRate: number }) => Promise<SerialPortLike>;

/** The real serial port, loaded lazily (the native binding is only needed for real hardware). */
export const realSerialPort: SerialPortFactory = async ({ path, baudRate }) => {
  const { SerialPort } = await import('serialport');
  return new SerialPort({ path, baudRate, autoOpen: false }) as unknown as SerialPortLike;
};

export interface SerialLinkOptions {
  name: string;
  path: string;
  baudRate: number;
  log: DriverLog;
  onData(bytes: Buffer): void;
  /** Called on every change between online and offline, with a line for technicians. */
  onStatus?(online: boolean, detail: string): void;
  factory?: SerialPortFactory;
  /** First retry delay after a failure; doubles up to reopenMaxMs. */
  reopenMinMs?: number;
  reopenMaxMs?: number;
}

export class SerialLink {
  readonly #o: SerialLinkOptions;
  readonly #factory: SerialPortFactory;
  readonly #min: number;
  readonly #max: number;
  /** Failed opens since the port last worked: the backoff's attempt count. */
  #failures = 0;
  #port: SerialPortLike | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #opening = false;
  #lastError = '';
  /** Open attempts, successful opens, losses of an open port. */
  readonly stats = { attempts: 0, opens: 0, losses: 0 };

  readonly #inputLog: LimitedLog;

  constructor(options: SerialLinkOptions) {
    this.#o = options;
    // Input-driven lines: a device whose every report fails to decode must not flood the log.
    this.#inputLog = new LimitedLog(options.log, { linesPerWindow: DRIVER_LINES_PER_MINUTE, windowMs: 60_000 });
    this.#factory = options.factory ?? realSerialPort;
    this.#min = Math.max(1, options.reopenMinMs ?? 500);
    this.#max = Math.max(this.#min, options.reopenMaxMs ?? 30_000);
  }

  get online(): boolean {
    return this.#port?.isOpen === true;
  }

  /** Delay before the next reopen attempt (exposed for tests and health lines). */
  get nextDelayMs(): number {
    return backoffDelay(this.#failures, this.#min, this.#max);
  }

  /** Starts reading; never throws: a port that cannot be opened is retried in the background. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#open();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const port = this.#port;
    this.#port = undefined;
    if (port) await closeQuietly(port);
  }

  async #open(): Promise<void> {
    if (!this.#running || this.#opening || this.#port) return;
    this.#opening = true;
    this.stats.attempts++;
    let port: SerialPortLike | undefined;
    try {
      port = await this.#factory({ path: this.#o.path, baudRate: this.#o.baudRate });
      const p = port;
      await new Promise<void>((resolve, reject) => p.open((err) => (err ? reject(err) : resolve())));
    } catch (err) {
      this.#opening = false;
      if (port) {
        port.removeAllListeners();
        port.on('error', () => {});
        await closeQuietly(port);
      }
      this.#failed(err);
      return;
    }
    this.#opening = false;
    if (!this.#running) {
      await closeQuietly(port);
      return;
    }
    this.#port = port;
    this.stats.opens++;
    this.#failures = 0;
    this.#lastError = '';
    port.on('data', (chunk: Buffer) => {
      try {
        this.#o.onData(chunk);
      } catch (err) {
        // A decoder bug must not take the port down; it is logged (without the bytes).
        this.#inputLog.error({ device: this.#o.name, err: errorText(err) }, 'input decoding failed; bytes dropped');
      }
    });
    port.on('error', (err: Error) => this.#o.log.warn({ device: this.#o.name, path: this.#o.path, err: errorText(err) }, 'serial port error'));
    port.on('close', (err?: Error | null) => this.#lost(port, err ?? undefined));
    this.#o.log.info({ device: this.#o.name, path: this.#o.path, baudRate: this.#o.baudRate }, 'serial input device open');
    this.#o.onStatus?.(true, `${this.#o.path} @ ${this.#o.baudRate} baud`);
  }

  #lost(port: SerialPortLike, err: Error | undefined): void {
    if (this.#port !== port) return;
    this.#port = undefined;
    port.removeAllListeners();
    port.on('error', () => {}); // a late error from a dead port must not become an uncaught one
    if (!this.#running) return;
    this.stats.losses++;
    const why = err ? errorText(err) : 'port closed';
    this.#o.log.warn({ device: this.#o.name, path: this.#o.path, err: why }, 'serial input device lost; reopening');
    this.#o.onStatus?.(false, `${this.#o.path}: lost (${why}); reopening`);
    this.#failures = 0;
    this.#schedule();
  }

  #failed(err: unknown): void {
    const why = errorText(err);
    if (why !== this.#lastError) {
      // Logged when the reason changes, not on every retry: an unplugged scanner must not flood the log.
      this.#o.log.warn({ device: this.#o.name, path: this.#o.path, err: why, retryInMs: this.nextDelayMs }, 'cannot open serial input device; will retry');
      this.#lastError = why;
    }
    this.#o.onStatus?.(false, `${this.#o.path}: ${why}; next try in ${Math.round(this.nextDelayMs / 100) / 10} s`);
    this.#schedule();
  }

  #schedule(): void {
    if (!this.#running || this.#timer) return;
    const delay = this.nextDelayMs;
    this.#failures++;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#open();
    }, delay);
    this.#timer.unref?.();
  }
}

function closeQuietly(port: SerialPortLike): Promise<void> {
  return new Promise((resolve) => {
    if (!port.isOpen) return resolve();
    try {
      port.close(() => resolve());
    } catch {
      resolve();
    }
  });
}
