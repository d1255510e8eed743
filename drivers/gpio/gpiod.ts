/**
 * GPIO through the libgpiod command-line tools (`gpioget`, `gpioset`, `gpiomon`, `gpiodetect`;
 * Debian package `gpiod`): the character-device interface, which every current kernel has, with
 * no native Node module. The tools' directory is injectable so tests run fake tools.
 *
 * Versions 1.x and 2.x of the tools take different arguments; the version is read from
 * `gpioget --version` and the arguments are built by the pure functions below:
 *
 * |         | v1.6                                   | v2                                        |
 * |---------|----------------------------------------|-------------------------------------------|
 * | chip    | first positional argument              | `-c CHIP`                                 |
 * | get     | `gpioget [-B bias] CHIP N`             | `gpioget --numeric -c CHIP [-b bias] N`   |
 * | hold    | `gpioset -m wait CHIP N=V` (ends on EOF)| `gpioset -c CHIP N=V` (holds until killed)|
 * | monitor | `gpiomon -b -F '%e %o' CHIP N`, %e 1/0 | `gpiomon -F '%e %o' -c CHIP [-p Nms] N`, %e 1/2 |
 * | bias    | `-B pull-up|pull-down|disable`         | `-b pull-up|pull-down|disabled`           |
 * | debounce| none                                   | `-p <ms>ms`                               |
 *
 * A line requested by one process cannot be requested by another, so: an output is held by one
 * long-running `gpioset` (replaced on every write); a watched input is held by `gpiomon` and its
 * value is tracked from the edge events (read once with `gpioget` before monitoring starts).
 * Every child is killed when its line is closed and when the daemon exits (and systemd kills the
 * service's whole cgroup on stop).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { backoffDelay } from '../io/backoff.js';
import { GpioError, sleep, type GpioBackend, type GpioBias, type GpioInput, type GpioInputOptions, type GpioOutput, type GpioOutputOptions } from './types.js';

export type GpiodMajor = 1 | 2;

export function parseGpiodVersion(text: string): GpiodMajor | null {
  const m = /\bv(\d+)\.(\d+)/.exec(text);
  if (!m) return null;
  const major = Number(m[1]);
  return major === 1 ? 1 : major >= 2 ? 2 : null;
}

export interface DetectedChip {
  name: string;
  label: string;
  lines: number;
}

/** `gpiodetect` output (same in v1 and v2): `gpiochip0 [pinctrl-bcm2711] (58 lines)`. */
export function parseGpiodetect(text: string): DetectedChip[] {
  const chips: DetectedChip[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+\[(.*)\]\s+\((\d+) lines?\)/.exec(line.trim());
    if (m) chips.push({ name: m[1]!, label: m[2]!, lines: Number(m[3]) });
  }
  return chips;
}

function biasArgs(v: GpiodMajor, bias: GpioBias | undefined): string[] {
  if (!bias || bias === 'as-is') return [];
  if (v === 1) return ['-B', bias];
  return ['-b', bias === 'disable' ? 'disabled' : bias];
}

export const gpiodArgs = {
  get(v: GpiodMajor, chip: string, line: number, bias?: GpioBias): string[] {
    return v === 1 ? [...biasArgs(1, bias), chip, String(line)] : ['--numeric', '-c', chip, ...biasArgs(2, bias), String(line)];
  },
  hold(v: GpiodMajor, chip: string, line: number, level: boolean): string[] {
    const assignment = `${line}=${level ? 1 : 0}`;
    return v === 1 ? ['-m', 'wait', chip, assignment] : ['-c', chip, assignment];
  },
  monitor(v: GpiodMajor, chip: string, line: number, bias?: GpioBias, debounceMs?: number): string[] {
    if (v === 1) return ['-b', '-F', '%e %o', ...biasArgs(1, bias), chip, String(line)];
    const debounce = debounceMs && debounceMs > 0 ? ['-p', `${Math.round(debounceMs)}ms`] : [];
    return ['-F', '%e %o', '-c', chip, ...biasArgs(2, bias), ...debounce, String(line)];
  },
};

/** One `gpiomon -F '%e %o'` output line: the physical level after the edge, or null. */
export function parseMonitorLine(v: GpiodMajor, text: string): { line: number; level: boolean } | null {
  const m = /^\s*(\d)\s+(\d+)\s*$/.exec(text);
  if (!m) return null;
  const e = m[1]!;
  const rising = e === '1';
  const falling = v === 1 ? e === '0' : e === '2';
  if (!rising && !falling) return null;
  return { line: Number(m[2]), level: rising };
}

export interface GpiodToolsOptions {
  /** Directory holding gpioget, gpioset, gpiomon, gpiodetect. */
  toolsDir?: string;
  /** "auto" (label starting "pinctrl-", else gpiochip0), a chip name (gpiochip0), a number, a /dev path or a label. */
  chip?: string;
  /** Longest a gpioget/gpiodetect may take. */
  timeoutMs?: number;
  /** Restart delay of a gpiomon that died (doubles up to 30 s). */
  restartMs?: number;
  /**
   * How long a new gpioset is watched for an early exit (it could not request the line). The
   * tools print nothing when they succeed, so this is a time window; a gpioset that fails later
   * is reported by the next write.
   */
  confirmMs?: number;
}

/** The longest wait before restarting a gpiomon that keeps dying. */
const MONITOR_RESTART_MAX_MS = 30_000;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGTERM');
    });
  }
  return child;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 1000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}

export class GpiodTools implements GpioBackend {
  readonly name = 'gpiod' as const;
  readonly #dir: string;
  readonly #wanted: string;
  readonly #timeoutMs: number;
  readonly #restartMs: number;
  readonly #confirmMs: number;
  #setup: Promise<{ version: GpiodMajor; chip: string }> | undefined;
  #info = '';

  constructor(options: GpiodToolsOptions = {}) {
    this.#dir = options.toolsDir ?? '/usr/bin';
    this.#wanted = options.chip ?? 'auto';
    this.#timeoutMs = options.timeoutMs ?? 3000;
    this.#restartMs = options.restartMs ?? 1000;
    this.#confirmMs = options.confirmMs ?? 100;
  }

  describe(): string {
    return `libgpiod tools in ${this.#dir}${this.#info ? `, ${this.#info}` : ''}`;
  }

  tool(name: 'gpioget' | 'gpioset' | 'gpiomon' | 'gpiodetect'): string {
    return join(this.#dir, name);
  }

  /** Tools version and the chip argument, found once. */
  setup(): Promise<{ version: GpiodMajor; chip: string }> {
    this.#setup ??= (async () => {
      try {
        await access(this.tool('gpioget'), constants.X_OK);
      } catch {
        throw new GpioError(`the libgpiod tools are not installed in ${this.#dir} (apt-get install gpiod), or gpio.toolsDir is wrong`);
      }
      const versionText = await this.#run('gpioget', ['--version']);
      const version = parseGpiodVersion(versionText);
      if (!version) throw new GpioError(`cannot tell the libgpiod tools version from "${versionText.split('\n')[0]?.slice(0, 80)}"`);
      const chip = await this.#resolveChip();
      this.#info = `v${version} tools, chip ${chip}`;
      return { version, chip };
    })();
    this.#setup.catch(() => (this.#setup = undefined));
    return this.#setup;
  }

  async #resolveChip(): Promise<string> {
    const w = this.#wanted;
    if (/^gpiochip\d+$/.test(w) || /^\d+$/.test(w) || w.startsWith('/dev/')) return w;
    const chips = parseGpiodetect(await this.#run('gpiodetect', []));
    const chip = w === 'auto' ? chips.find((c) => c.label.startsWith('pinctrl-')) ?? chips[0] : chips.find((c) => c.label === w);
    if (!chip) {
      throw new GpioError(`no GPIO chip "${w}" (gpiodetect found: ${chips.map((c) => `${c.name} [${c.label}]`).join(', ') || 'none'}); set gpio.chip`);
    }
    return chip.name;
  }

  #run(tool: 'gpioget' | 'gpiodetect', args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(this.tool(tool), args, { timeout: this.#timeoutMs, maxBuffer: 64 * 1024 }, (err, stdout, stderr) => {
        if (err) {
          const why = String(stderr || err.message).trim().split('\n')[0]!.slice(0, 200);
          reject(new GpioError(`${tool} ${args.join(' ')} failed: ${why}`));
        } else {
          resolve(stdout);
        }
      });
    });
  }

  async #getLevel(line: number, bias: GpioBias | undefined): Promise<boolean> {
    const { version, chip } = await this.setup();
    const out = (await this.#run('gpioget', gpiodArgs.get(version, chip, line, bias))).trim();
    if (out !== '0' && out !== '1') throw new GpioError(`gpioget printed ${JSON.stringify(out.slice(0, 20))} for line ${line}`);
    return out === '1';
  }

  async openInput(line: number, options: GpioInputOptions = {}): Promise<GpioInput> {
    const { version, chip } = await this.setup();
    const activeLow = options.activeLow === true;
    const bias = options.bias;
    let level = await this.#getLevel(line, bias); // also checks the line can be requested
    const listeners = new Set<(value: boolean, at: Date) => void>();
    let monitor: ChildProcess | undefined;
    let restartTimer: NodeJS.Timeout | undefined;
    /** gpiomon exits since its last event: the backoff's attempt count. */
    let restarts = 0;
    let closed = false;
    const set = (l: boolean) => {
      if (l === level) return;
      level = l;
      const at = new Date();
      for (const fn of listeners) fn(l !== activeLow, at);
    };
    const startMonitor = () => {
      if (closed || monitor || listeners.size === 0) return;
      const child = track(spawn(this.tool('gpiomon'), gpiodArgs.monitor(version, chip, line, bias, options.debounceMs), { stdio: ['ignore', 'pipe', 'pipe'] }));
      monitor = child;
      let buf = '';
      child.stdout!.setEncoding('utf8').on('data', (s: string) => {
        buf += s;
        if (buf.length > 64 * 1024) buf = buf.slice(-1024); // bounded, whatever the tool prints
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const ev = parseMonitorLine(version, buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          if (ev && ev.line === line) {
            restarts = 0;
            set(ev.level);
          }
        }
      });
      child.stderr!.resume();
      child.on('error', () => undefined);
      child.once('exit', () => {
        if (monitor === child) monitor = undefined;
        if (closed || listeners.size === 0) return;
        // gpiomon died (line reclaimed, chip gone): read the line again and restart, backing off.
        restartTimer = setTimeout(() => {
          restartTimer = undefined;
          this.#getLevel(line, bias).then(set, () => undefined).finally(startMonitor);
        }, backoffDelay(restarts++, this.#restartMs, MONITOR_RESTART_MAX_MS));
        restartTimer.unref?.();
      });
    };
    const self = this;
    return {
      line,
      async read() {
        // While gpiomon holds the line, its events are the truth; otherwise ask gpioget.
        if (!monitor) level = await self.#getLevel(line, bias);
        return level !== activeLow;
      },
      watch(listener) {
        listeners.add(listener);
        startMonitor();
        return () => {
          listeners.delete(listener);
          if (listeners.size === 0 && monitor) void stopChild(monitor);
        };
      },
      async close() {
        closed = true;
        listeners.clear();
        clearTimeout(restartTimer);
        if (monitor) await stopChild(monitor);
      },
    };
  }

  async openOutput(line: number, options: GpioOutputOptions = {}): Promise<GpioOutput> {
    const { version, chip } = await this.setup();
    const activeLow = options.activeLow === true;
    let value = options.initial === true;
    let holder: ChildProcess | undefined;
    let chain: Promise<void> = Promise.resolve();
    const hold = async (v: boolean): Promise<void> => {
      // Also when the previous gpioset ended by itself (chip gone): each write starts afresh.
      if (holder) await stopChild(holder);
      const child = track(spawn(this.tool('gpioset'), gpiodArgs.hold(version, chip, line, v !== activeLow), { stdio: ['pipe', 'ignore', 'pipe'] }));
      holder = child;
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-400)));
      child.on('error', () => undefined);
      child.stdin!.on('error', () => undefined);
      // A gpioset that cannot request the line exits at once; one that holds it keeps running.
      const early = await Promise.race([
        new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code ?? -1))),
        sleep(this.#confirmMs).then(() => null),
      ]);
      if (early !== null) {
        if (holder === child) holder = undefined;
        throw new GpioError(`gpioset could not set line ${line}: ${stderr.trim().split('\n')[0]?.slice(0, 200) || `exit code ${early}`}`);
      }
      value = v;
    };
    await hold(value);
    return {
      line,
      get value() {
        return value;
      },
      write(v: boolean) {
        // Writes are serialised: each replaces the holding process.
        const next = chain.then(() => hold(v));
        chain = next.catch(() => undefined);
        return next;
      },
      async close() {
        await chain;
        if (holder) await stopChild(holder);
        holder = undefined;
      },
    };
  }
}
