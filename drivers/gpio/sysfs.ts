/**
 * The sysfs GPIO interface (`/sys/class/gpio`), which the kernel has deprecated and new
 * Raspberry Pi OS releases no longer have; lockerd still drives it for older images.
 *
 * Numbering: since kernel 6.6 the sysfs number of a Pi header pin is the chip's base plus the
 * BCM number (e.g. 512 + 17), and exporting the bare BCM number fails with EINVAL. So the chip is
 * looked up in `<root>/gpiochip*` by its `label` (and `base`, `ngpio`) and every line number is
 * an offset on that chip.
 *
 * The file I/O (export, direction, value, unexport) is done here rather than by `onoff`, whose
 * root path is fixed to /sys/class/gpio and cannot point at a test tree; `root` is injectable so
 * tests run against a fake sysfs tree. On the real root, `onoff` is used where it adds something:
 * edge interrupts through epoll instead of polling the value file. If onoff (or its epoll
 * binding) cannot load, inputs are polled every `pollMs`.
 */
import { access, readdir, readFile, writeFile, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { GpioError, sleep, type GpioBackend, type GpioInput, type GpioInputOptions, type GpioOutput, type GpioOutputOptions } from './types.js';

export const SYSFS_GPIO_ROOT = '/sys/class/gpio';

export interface SysfsChip {
  /** Directory name, e.g. gpiochip512 (named after the base, not the /dev/gpiochipN number). */
  name: string;
  label: string;
  base: number;
  ngpio: number;
}

export interface SysfsGpioOptions {
  root?: string;
  /** "auto" (the Pi header: a label starting "pinctrl-", else the lowest base), a label or a gpiochipN name. */
  chip?: string;
  pollMs?: number;
  /** Use onoff's epoll interrupts for inputs; default: only on the real /sys/class/gpio. */
  interrupts?: boolean;
  /** How long to wait for udev to make a freshly exported line's files accessible. */
  exportTimeoutMs?: number;
}

/** Reads every chip under `root`. */
export async function listSysfsChips(root: string): Promise<SysfsChip[]> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch (err) {
    throw new GpioError(`sysfs GPIO is not available: cannot read ${root} (${(err as NodeJS.ErrnoException).code ?? 'error'}); this kernel has no /sys/class/gpio: use "gpio.backend": "gpiod"`);
  }
  const chips: SysfsChip[] = [];
  for (const name of entries.filter((e) => /^gpiochip\d+$/.test(e)).sort()) {
    try {
      const [base, label, ngpio] = await Promise.all(['base', 'label', 'ngpio'].map((f) => readFile(join(root, name, f), 'utf8')));
      const b = Number(base!.trim());
      const n = Number(ngpio!.trim());
      if (Number.isSafeInteger(b) && Number.isSafeInteger(n)) chips.push({ name, label: label!.trim().slice(0, 64), base: b, ngpio: n });
    } catch {
      // a chip directory without the usual files is skipped
    }
  }
  return chips;
}

export function pickSysfsChip(chips: readonly SysfsChip[], wanted: string): SysfsChip | undefined {
  if (wanted === 'auto') {
    return chips.find((c) => c.label.startsWith('pinctrl-')) ?? [...chips].sort((a, b) => a.base - b.base)[0];
  }
  return chips.find((c) => c.label === wanted) ?? chips.find((c) => c.name === wanted);
}

export class SysfsGpio implements GpioBackend {
  readonly name = 'sysfs' as const;
  readonly #root: string;
  readonly #wanted: string;
  readonly #pollMs: number;
  readonly #interrupts: boolean;
  readonly #exportTimeoutMs: number;
  #chip: Promise<SysfsChip> | undefined;
  #chipInfo: SysfsChip | undefined;

  constructor(options: SysfsGpioOptions = {}) {
    this.#root = options.root ?? SYSFS_GPIO_ROOT;
    this.#wanted = options.chip ?? 'auto';
    this.#pollMs = Math.max(5, options.pollMs ?? 20);
    this.#interrupts = options.interrupts ?? this.#root === SYSFS_GPIO_ROOT;
    this.#exportTimeoutMs = options.exportTimeoutMs ?? 2000;
  }

  describe(): string {
    const c = this.#chipInfo;
    return `sysfs ${this.#root}${c ? `, chip ${c.name} [${c.label}] base ${c.base}, ${c.ngpio} lines` : ''}`;
  }

  /** The chip the lines are on (looked up once). */
  chip(): Promise<SysfsChip> {
    this.#chip ??= (async () => {
      const chips = await listSysfsChips(this.#root);
      const chip = pickSysfsChip(chips, this.#wanted);
      if (!chip) {
        const found = chips.map((c) => `${c.name} [${c.label}]`).join(', ') || 'none';
        throw new GpioError(`no GPIO chip "${this.#wanted}" under ${this.#root} (found: ${found}); set gpio.chip to one of those labels`);
      }
      this.#chipInfo = chip;
      return chip;
    })();
    this.#chip.catch(() => (this.#chip = undefined)); // look again next time
    return this.#chip;
  }

  /** The sysfs number of a line: the chip's base plus the offset. */
  async sysfsNumber(line: number): Promise<number> {
    const chip = await this.chip();
    if (!Number.isInteger(line) || line < 0 || line >= chip.ngpio) {
      throw new GpioError(`line ${line} does not exist on ${chip.name} [${chip.label}], which has lines 0 to ${chip.ngpio - 1}`);
    }
    return chip.base + line;
  }

  async openInput(line: number, options: GpioInputOptions = {}): Promise<GpioInput> {
    const activeLow = options.activeLow === true;
    const { dir, number, exported } = await this.#export(line);
    await this.#put(join(dir, 'direction'), 'in', line);
    await this.#put(join(dir, 'active_low'), '0', line); // inversion is done here, not by the kernel
    const readLevel = async () => parseLevel(await readFile(join(dir, 'value'), 'utf8'), line);
    const listeners = new Set<(value: boolean, at: Date) => void>();
    // Changes are reported relative to the value at open, so none is lost before watching starts.
    let last: boolean | undefined = (await readLevel().catch(() => activeLow)) !== activeLow;
    let stopWatching: (() => void) | undefined;
    const notify = (level: boolean) => {
      const value = level !== activeLow;
      if (value === last) return;
      last = value;
      const at = new Date();
      for (const l of listeners) l(value, at);
    };
    const startWatching = async () => {
      stopWatching = (this.#interrupts ? await onoffWatch(number, notify) : undefined) ?? pollWatch(readLevel, notify, this.#pollMs);
    };
    const self = this;
    return {
      line,
      async read() {
        return (await readLevel()) !== activeLow;
      },
      watch(listener) {
        listeners.add(listener);
        if (listeners.size === 1 && !stopWatching) void startWatching();
        return () => {
          listeners.delete(listener);
          if (listeners.size === 0) {
            stopWatching?.();
            stopWatching = undefined;
          }
        };
      },
      async close() {
        listeners.clear();
        stopWatching?.();
        stopWatching = undefined;
        if (exported) await self.#unexport(number);
      },
    };
  }

  async openOutput(line: number, options: GpioOutputOptions = {}): Promise<GpioOutput> {
    const activeLow = options.activeLow === true;
    let value = options.initial === true;
    const { dir, number, exported } = await this.#export(line);
    await this.#put(join(dir, 'active_low'), '0', line);
    // "high"/"low" make it an output with that (physical) level at once: no glitch.
    await this.#put(join(dir, 'direction'), value !== activeLow ? 'high' : 'low', line);
    const self = this;
    return {
      line,
      get value() {
        return value;
      },
      async write(v: boolean) {
        await self.#put(join(dir, 'value'), v !== activeLow ? '1' : '0', line);
        value = v;
      },
      async close() {
        if (exported) await self.#unexport(number);
      },
    };
  }

  async #export(line: number): Promise<{ dir: string; number: number; exported: boolean }> {
    const number = await this.sysfsNumber(line);
    const dir = join(this.#root, `gpio${number}`);
    if (await exists(join(dir, 'value'))) return { dir, number, exported: false };
    try {
      await writeFile(join(this.#root, 'export'), String(number));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      const hint =
        code === 'EBUSY' ? 'the line is claimed by a kernel driver or another program (gpiod tools, a device-tree overlay)'
        : code === 'EINVAL' ? 'the kernel refused the number; check gpio.chip and the line'
        : code === 'EACCES' || code === 'EPERM' ? 'permission denied: add lockerd to the gpio group (see systemd/70-lockerd-input.rules)'
        : 'see the kernel log';
      throw new GpioError(`cannot export GPIO line ${line} (sysfs ${number}) through ${this.#root}/export: ${code}; ${hint}`);
    }
    // udev fixes the permissions of a new gpioN directory shortly after the export.
    const deadline = Date.now() + this.#exportTimeoutMs;
    for (;;) {
      if (await writable(join(dir, 'value'))) return { dir, number, exported: true };
      if (Date.now() > deadline) throw new GpioError(`GPIO line ${line} (sysfs ${number}) was exported but ${dir}/value did not become writable within ${this.#exportTimeoutMs} ms (udev rule for the gpio group?)`);
      await sleep(20);
    }
  }

  async #unexport(number: number): Promise<void> {
    await writeFile(join(this.#root, 'unexport'), String(number)).catch(() => undefined);
  }

  async #put(path: string, text: string, line: number): Promise<void> {
    try {
      await writeFile(path, text);
    } catch (err) {
      throw new GpioError(`cannot write "${text}" to ${path} (line ${line}): ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
}

function parseLevel(text: string, line: number): boolean {
  const t = text.trim();
  if (t === '1') return true;
  if (t === '0') return false;
  throw new GpioError(`unexpected value ${JSON.stringify(t.slice(0, 8))} read from GPIO line ${line}`);
}

async function exists(path: string): Promise<boolean> {
  return access(path, constants.F_OK).then(() => true, () => false);
}

async function writable(path: string): Promise<boolean> {
  return access(path, constants.R_OK | constants.W_OK).then(() => true, () => false);
}

function pollWatch(readLevel: () => Promise<boolean>, notify: (level: boolean) => void, pollMs: number): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    readLevel()
      .then(notify, () => undefined) // a failed read is retried at the next tick
      .finally(() => (busy = false));
  }, pollMs);
  timer.unref?.();
  return () => clearInterval(timer);
}

/** Edge interrupts through onoff (epoll) on the real sysfs; undefined when onoff cannot be used. */
async function onoffWatch(number: number, notify: (level: boolean) => void): Promise<(() => void) | undefined> {
  try {
    const { Gpio } = await import('onoff');
    if (!Gpio.accessible) return undefined;
    const gpio = new Gpio(number, 'in', 'both', { reconfigureDirection: false });
    gpio.watch((err, value) => {
      if (!err) notify(value === 1);
    });
    return () => gpio.unwatchAll();
  } catch {
    return undefined;
  }
}
