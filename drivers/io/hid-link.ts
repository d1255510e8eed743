/**
 * The I/O shell of USB HID scanners and keypads. node-hid is loaded (dynamic import) only when a
 * HID device is configured; when it cannot load or cannot enumerate (no libusb, no hidraw), that
 * device reports a clear error and keeps retrying slowly, and nothing else is affected.
 *
 * Unplug: node-hid reports a pulled device as an `error` from its read loop, with no close
 * event. The link then closes the device, waits `rescanMs`, enumerates again (the hidraw path
 * may have changed) and reopens. `devices()` walks the whole USB bus, so it is never called in a
 * tight loop: at most once per `rescanMs` while the device is missing.
 */
import { errorText, type DriverLog } from './log.js';
import { DRIVER_LINES_PER_MINUTE, LimitedLog } from '../log-limit.js';

export interface HidDeviceInfo {
  path?: string;
  vendorId: number;
  productId: number;
  usagePage?: number;
  usage?: number;
  interface?: number;
  product?: string;
  manufacturer?: string;
}

/** An open HID device: node-hid's HIDAsync, or a test double. */
export interface HidDeviceLike {
  on(event: 'data', listener: (report: Buffer) => void): unknown;
  on(event: 'error', listener: (err: unknown) => void): unknown;
  removeAllListeners(): unknown;
  close(): unknown;
}

export interface HidApi {
  devices(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidDeviceLike>;
}

export type HidLoader = () => Promise<HidApi>;

/** node-hid cannot be used on this machine; the message says what to install. */
export class HidUnavailableError extends Error {
  override name = 'HidUnavailableError';
}

const HID_HELP =
  'install libusb-1.0-0 (apt-get install libusb-1.0-0), check that /dev/hidraw* exists and that the udev rule in systemd/ gives lockerd access; only this device is affected';

/** The real node-hid, loaded on first use. */
export const realHid: HidLoader = async () => {
  type NodeHid = typeof import('node-hid');
  let hid: NodeHid;
  try {
    hid = await import('node-hid');
  } catch (err) {
    throw new HidUnavailableError(`USB HID support (node-hid) cannot be loaded: ${errorText(err)}; ${HID_HELP}`);
  }
  return {
    async devices() {
      try {
        return (await hid.devicesAsync()) as HidDeviceInfo[];
      } catch (err) {
        throw new HidUnavailableError(`USB HID devices cannot be listed: ${errorText(err)}; ${HID_HELP}`);
      }
    },
    async open(path: string) {
      return (await hid.HIDAsync.open(path)) as unknown as HidDeviceLike;
    },
  };
};

export interface HidMatch {
  vendorId?: number;
  productId?: number;
  /** A hidraw path (e.g. /dev/hidraw2); it can change on replug, so ids are preferred. */
  path?: string;
  /** Restricts to one HID interface by usage page (0x8C HID POS, 0x01 generic desktop). */
  usagePage?: number;
}

/** The best device for `match`, or undefined. */
export function pickHidDevice(devices: readonly HidDeviceInfo[], match: HidMatch): HidDeviceInfo | undefined {
  const candidates = devices.filter(
    (d) =>
      d.path !== undefined &&
      (match.path === undefined || d.path === match.path) &&
      (match.vendorId === undefined || d.vendorId === match.vendorId) &&
      (match.productId === undefined || d.productId === match.productId) &&
      (match.usagePage === undefined || d.usagePage === undefined || d.usagePage === match.usagePage),
  );
  // A device that reports the wanted usage page beats one that reports none.
  return candidates.find((d) => match.usagePage !== undefined && d.usagePage === match.usagePage) ?? candidates[0];
}

export function describeHidMatch(m: HidMatch): string {
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  const parts: string[] = [];
  if (m.vendorId !== undefined || m.productId !== undefined) parts.push(`${m.vendorId === undefined ? '*' : hex(m.vendorId)}:${m.productId === undefined ? '*' : hex(m.productId)}`);
  if (m.path !== undefined) parts.push(m.path);
  if (m.usagePage !== undefined) parts.push(`usage page 0x${m.usagePage.toString(16)}`);
  return parts.join(' ') || 'any HID device';
}

export interface HidLinkOptions {
  name: string;
  match: HidMatch;
  log: DriverLog;
  onReport(report: Buffer): void;
  onStatus?(online: boolean, detail: string): void;
  loader?: HidLoader;
  /** Wait between enumerations while the device is missing or after it was pulled. */
  rescanMs?: number;
  /** Wait between attempts while node-hid itself is unavailable. */
  unavailableRetryMs?: number;
}

export class HidLink {
  readonly #o: HidLinkOptions;
  readonly #loader: HidLoader;
  readonly #rescanMs: number;
  readonly #unavailableMs: number;
  #api: HidApi | undefined;
  #device: HidDeviceLike | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #busy = false;
  #lastProblem = '';
  readonly stats = { enumerations: 0, opens: 0, losses: 0 };

  readonly #inputLog: LimitedLog;

  constructor(options: HidLinkOptions) {
    this.#o = options;
    // Input-driven lines: a device whose every report fails to decode must not flood the log.
    this.#inputLog = new LimitedLog(options.log, { linesPerWindow: DRIVER_LINES_PER_MINUTE, windowMs: 60_000 });
    this.#loader = options.loader ?? realHid;
    this.#rescanMs = Math.max(100, options.rescanMs ?? 2000);
    this.#unavailableMs = Math.max(this.#rescanMs, options.unavailableRetryMs ?? 30_000);
  }

  get online(): boolean {
    return this.#device !== undefined;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#attempt();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const d = this.#device;
    this.#device = undefined;
    if (d) await closeQuietly(d);
  }

  async #attempt(): Promise<void> {
    if (!this.#running || this.#busy || this.#device) return;
    this.#busy = true;
    try {
      this.#api ??= await this.#loader();
      this.stats.enumerations++;
      const info = pickHidDevice(await this.#api.devices(), this.#o.match);
      if (!info?.path) {
        this.#problem(`no USB HID device matches ${describeHidMatch(this.#o.match)}; looking again every ${this.#rescanMs / 1000} s`, this.#rescanMs);
        return;
      }
      const device = await this.#api.open(info.path);
      if (!this.#running) {
        await closeQuietly(device);
        return;
      }
      this.#device = device;
      this.stats.opens++;
      this.#lastProblem = '';
      device.on('data', (report: Buffer) => {
        try {
          this.#o.onReport(report);
        } catch (err) {
          this.#inputLog.error({ device: this.#o.name, err: errorText(err) }, 'input decoding failed; report dropped');
        }
      });
      device.on('error', (err: unknown) => void this.#lost(device, err));
      const what = `${info.path} (${describeHidMatch({ vendorId: info.vendorId, productId: info.productId })}${info.product ? ` ${info.product.slice(0, 60)}` : ''})`;
      this.#o.log.info({ device: this.#o.name, path: info.path }, 'HID input device open');
      this.#o.onStatus?.(true, what);
    } catch (err) {
      const unavailable = err instanceof HidUnavailableError;
      if (unavailable) this.#api = undefined;
      this.#problem(unavailable ? err.message : `cannot open the HID device: ${errorText(err)}`, unavailable ? this.#unavailableMs : this.#rescanMs, unavailable);
    } finally {
      this.#busy = false;
    }
  }

  async #lost(device: HidDeviceLike, err: unknown): Promise<void> {
    if (this.#device !== device) return;
    this.#device = undefined;
    this.stats.losses++;
    device.removeAllListeners();
    device.on('error', () => {}); // a late error from a dead device must not become an uncaught one
    if (this.#running) {
      this.#o.log.warn({ device: this.#o.name, err: errorText(err) }, 'HID input device lost; will look for it again');
      this.#o.onStatus?.(false, `lost (${errorText(err)}); looking again every ${this.#rescanMs / 1000} s`);
    }
    await closeQuietly(device);
    this.#schedule(this.#rescanMs);
  }

  #problem(text: string, retryMs: number, error = false): void {
    if (text !== this.#lastProblem) {
      const log = error ? this.#o.log.error.bind(this.#o.log) : this.#o.log.warn.bind(this.#o.log);
      log({ device: this.#o.name, problem: text }, 'HID input device not available');
      this.#lastProblem = text;
    }
    this.#o.onStatus?.(false, text);
    this.#schedule(retryMs);
  }

  #schedule(ms: number): void {
    if (!this.#running || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#attempt();
    }, ms);
    this.#timer.unref?.();
  }
}

async function closeQuietly(device: HidDeviceLike): Promise<void> {
  try {
    await device.close();
  } catch {
    // already gone
  }
}
