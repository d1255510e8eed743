import type { InputDevice, KioskInput } from '../../drivers/contracts.js';
import { chooseGpioBackend } from '../../drivers/gpio/auto.js';
import { GpiodTools } from '../../drivers/gpio/gpiod.js';
import { KioskGpio, type KioskGpioConfig } from '../../drivers/gpio/kiosk-io.js';
import { SimGpio } from '../../drivers/gpio/sim.js';
import { SysfsGpio } from '../../drivers/gpio/sysfs.js';
import { GpioError, type GpioBackend } from '../../drivers/gpio/types.js';
import { GpioMatrixKeypad } from '../../drivers/keypad/gpio-matrix-keypad.js';
import { HidKeypad } from '../../drivers/keypad/hid-keypad.js';
import { SerialKeypad } from '../../drivers/keypad/serial-keypad.js';
import type { HidMatch } from '../../drivers/io/hid-link.js';
import { HidKeyboardScanner, HidPosScanner } from '../../drivers/scanner/hid-scanners.js';
import { SerialScanner } from '../../drivers/scanner/serial-scanner.js';
import { SimInput } from '../../drivers/sim/input.js';
import { inputDeviceName, type HidInputConfig, type LockerdConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { FloodPolicy, type DeviceMuted, type DeviceUnmuted, type FloodSettings } from './input-flood.js';

export interface BuiltInputs {
  inputs: InputDevice[];
  /**
   * The simulated keypad and scanner that `lockerctl sim keys|scan` feed, only when the config
   * asks for them (`simulator.keypad`, `simulator.scanner`): anyone who may use the control
   * socket could otherwise type a resident's code or show their QR on a real locker.
   */
  simKeypad?: SimInput;
  simScanner?: SimInput;
}

/**
 * The kiosk's scanners and keypads. Real devices load their native modules (serialport, node-hid)
 * only when they start, and only when configured; the default config has the simulated pair only.
 */
export function buildInputs(config: LockerdConfig, log: Logger): BuiltInputs {
  const simKeypad = config.simulator.keypad ? new SimInput('sim-keypad') : undefined;
  const simScanner = config.simulator.scanner ? new SimInput('sim-scanner') : undefined;
  const inputs: InputDevice[] = [simKeypad, simScanner].filter((d) => d !== undefined);
  if ((simKeypad || simScanner) && config.buses.some((b) => b.type !== 'sim')) {
    log.warn({ simulator: config.simulator }, 'simulated inputs on a locker with real lock boards: anyone who may use lockerctl can type or scan at the kiosk (lockerctl sim); remove "simulator" from the config of a locker in service');
  }
  const maxLength = config.kiosk.maxScanLength;

  config.scanners.forEach((s, i) => {
    const name = inputDeviceName('scanner', i, s);
    const dlog = log.child({ device: name });
    switch (s.type) {
      case 'serial':
        inputs.push(new SerialScanner({ name, path: s.path, baudRate: s.baudRate, maxLength, log: dlog, reopenMinMs: s.reopenMinMs, reopenMaxMs: s.reopenMaxMs }));
        break;
      case 'hid-pos':
        inputs.push(new HidPosScanner({ name, match: hidMatch(s), maxLength, log: dlog, rescanMs: s.rescanMs, reportId: s.reportId }));
        break;
      case 'hid-keyboard':
        inputs.push(new HidKeyboardScanner({ name, match: hidMatch(s), maxLength, log: dlog, rescanMs: s.rescanMs, idleMs: s.idleMs }));
        break;
    }
  });

  config.keypads.forEach((k, i) => {
    const name = inputDeviceName('keypad', i, k);
    const dlog = log.child({ device: name });
    switch (k.type) {
      case 'serial':
        inputs.push(new SerialKeypad({ name, path: k.path, baudRate: k.baudRate, carriageReturn: k.carriageReturn, log: dlog, reopenMinMs: k.reopenMinMs, reopenMaxMs: k.reopenMaxMs }));
        break;
      case 'hid':
        inputs.push(new HidKeypad({ name, match: hidMatch(k), log: dlog, rescanMs: k.rescanMs }));
        break;
      case 'gpio-matrix':
        inputs.push(
          new GpioMatrixKeypad({
            name, backend: gpioBackend(config), rows: k.rows, columns: k.columns, layout: k.layout,
            debounceMs: k.debounceMs, scanIntervalMs: k.scanIntervalMs, activeLow: k.activeLow, log: dlog,
          }),
        );
        break;
    }
  });

  return { inputs, simKeypad, simScanner };
}

function hidMatch(c: HidInputConfig): HidMatch {
  const m: HidMatch = {};
  if (c.vendorId !== undefined) m.vendorId = parseInt(c.vendorId, 16);
  if (c.productId !== undefined) m.productId = parseInt(c.productId, 16);
  if (c.hidraw !== undefined) m.path = c.hidraw;
  return m;
}

// One GPIO backend per configuration: the matrix keypad and the cabinet signals share it (and, on
// the simulated backend, `lockerctl gpio sim` drives the same lines they read).
const backends = new WeakMap<LockerdConfig, () => Promise<GpioBackend>>();

/** The GPIO backend the config asks for, created on first use (nothing is probed before). */
export function gpioBackend(config: LockerdConfig): () => Promise<GpioBackend> {
  let factory = backends.get(config);
  if (!factory) {
    let made: Promise<GpioBackend> | undefined;
    factory = () => {
      made ??= makeBackend(config);
      made.catch(() => (made = undefined));
      return made;
    };
    backends.set(config, factory);
  }
  return factory;
}

async function makeBackend(config: LockerdConfig): Promise<GpioBackend> {
  const g = config.gpio;
  let kind = g.backend;
  if (kind === 'auto') {
    const choice = await chooseGpioBackend({ sysfsRoot: g.sysfsRoot, toolsDir: g.toolsDir });
    if (!choice.backend) throw new GpioError(`gpio.backend "auto" found no GPIO interface: ${choice.reason}`);
    kind = choice.backend;
  }
  switch (kind) {
    case 'sim':
      return new SimGpio();
    case 'sysfs':
      return new SysfsGpio({ root: g.sysfsRoot, chip: g.chip, pollMs: g.pollMs });
    case 'gpiod':
      return new GpiodTools({ toolsDir: g.toolsDir, chip: g.chip });
  }
}

/** Tamper, power-fail, buzzer and lights; `configured` is false when no line is wired. */
export function buildKioskGpio(config: LockerdConfig, log: Logger): KioskGpio {
  const g = config.gpio;
  const kioskConfig: KioskGpioConfig = { tamper: g.tamper, powerFail: g.powerFail, buzzer: g.buzzer, lights: g.lights };
  return new KioskGpio({ backend: gpioBackend(config), config: kioskConfig, log });
}

export interface InputRouterOptions {
  /** Mutes a device that floods the kiosk (see ./input-flood.ts); absent: never mutes. */
  flood?: FloodSettings;
  /** Devices never muted: the simulated ones, typed through the group-gated control socket. */
  exempt?: (device: InputDevice) => boolean;
  now?: () => number;
  log?: Logger;
  /** Records a mute durably (audit row and upstream event); called once per mute. */
  onMuted?: (muted: DeviceMuted) => void;
  onUnmuted?: (unmuted: DeviceUnmuted) => void;
}

/**
 * Delivers every device's input to the kiosk, except while a technician's `scanner test` or
 * `keypad test` has diverted a device: its input then goes to the test only, so keys typed and
 * labels scanned while testing open nothing. A device that floods the kiosk is muted for a while
 * (FloodPolicy decides; diverted input is not counted: the technician is looking at it).
 */
export class InputRouter {
  readonly #diversions = new Set<{ accepts: (device: InputDevice) => boolean; listener: (input: KioskInput, device: InputDevice) => void }>();
  readonly #flood: FloodPolicy | undefined;
  readonly #options: InputRouterOptions;
  readonly #now: () => number;
  #unmuteTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly devices: readonly InputDevice[],
    deliver: (input: KioskInput, device: InputDevice) => void,
    options: InputRouterOptions = {},
  ) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#flood = options.flood && options.flood.maxInputsPerSecond > 0 ? new FloodPolicy(options.flood) : undefined;
    for (const device of devices) {
      const guarded = this.#flood !== undefined && !(options.exempt?.(device) ?? false);
      device.on('input', (input) => {
        const taken = [...this.#diversions].filter((d) => d.accepts(device));
        if (taken.length === 0) {
          if (guarded && !this.#admit(device)) return;
          return deliver(input, device);
        }
        for (const d of taken) d.listener(input, device);
      });
    }
  }

  /** Sends the input of the devices `accepts` picks to `listener` instead of the kiosk, until released. */
  divert(accepts: (device: InputDevice) => boolean, listener: (input: KioskInput, device: InputDevice) => void): () => void {
    const d = { accepts, listener };
    this.#diversions.add(d);
    return () => this.#diversions.delete(d);
  }

  get diverted(): number {
    return this.#diversions.size;
  }

  /** Whether `device` is muted for flooding. */
  muted(device: string): boolean {
    return this.#flood?.isMuted(device) ?? false;
  }

  /** Stops the unmute timer (a mute still open ends with the process). */
  stop(): void {
    clearTimeout(this.#unmuteTimer);
    this.#unmuteTimer = undefined;
  }

  #admit(device: InputDevice): boolean {
    const flood = this.#flood!;
    const at = this.#now();
    this.#unmuteDue(at);
    const decision = flood.offer(device.name, at);
    if (decision.deliver) return true;
    if (decision.muted) {
      const m = decision.muted;
      this.#options.log?.warn(
        { device: m.device, inputsPerSecond: m.inputsPerSecond, mutedForMs: m.mutedForMs, until: new Date(m.until).toISOString() },
        'input device is flooding the kiosk: its input is dropped until it is unmuted (see flood.maxInputsPerSecond)',
      );
      this.#report(() => this.#options.onMuted?.(m));
      this.#armUnmute();
    }
    return false;
  }

  #unmuteDue(at: number): void {
    for (const u of this.#flood!.unmuteDue(at)) {
      this.#options.log?.info({ device: u.device, droppedInputs: u.droppedInputs, mutedForMs: u.mutedForMs }, 'input device unmuted');
      this.#report(() => this.#options.onUnmuted?.(u));
    }
  }

  #armUnmute(): void {
    if (this.#unmuteTimer) return;
    const next = this.#flood!.nextUnmute();
    if (next === undefined) return;
    this.#unmuteTimer = setTimeout(() => {
      this.#unmuteTimer = undefined;
      this.#unmuteDue(this.#now());
      this.#armUnmute();
    }, Math.max(0, next - this.#now()) + 1);
    this.#unmuteTimer.unref();
  }

  /** A ledger that cannot take the record must not stop input handling. */
  #report(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#options.log?.error({ err }, 'could not record an input mute change');
    }
  }
}
