/**
 * Sensors and the backlight through their sysfs files, under an injectable root (`/sys` by
 * default) so tests run against fake trees. Each read opens, reads and closes the file: the
 * kernel produces a fresh value per open (w1_therm starts a conversion, about 750 ms).
 */
import { readdir, readFile, writeFile, access } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseLux, parseMilli, parseW1Slave, readFailure } from './parse.js';
import type { Backlight, ClimateSensor, ParsedValue, Quantity } from './types.js';

/** A sensor file and how to parse it. */
export type SensorFormat = 'milli' | 'w1_slave' | 'lux';

export class FileSensor implements ClimateSensor {
  constructor(
    readonly id: string,
    readonly quantity: Quantity,
    readonly path: string,
    readonly format: SensorFormat,
  ) {}

  describe(): string {
    return this.path;
  }

  async read(): Promise<ParsedValue> {
    let text: string;
    try {
      // Sensor files are a few bytes; a bounded read guards against a wrong path to a big file.
      text = (await readFile(this.path, 'utf8')).slice(0, 256);
    } catch (err) {
      return readFailure(err);
    }
    if (this.format === 'w1_slave') return parseW1Slave(text);
    if (this.format === 'lux') return parseLux(text);
    return parseMilli(text, this.quantity);
  }
}

/** The format a sensor file has, from its name (w1_slave, in_illuminance_input, else milli-units). */
export function formatOf(path: string): SensorFormat {
  const name = basename(path);
  if (name === 'w1_slave') return 'w1_slave';
  if (name === 'in_illuminance_input' || name === 'in_illuminance_raw') return 'lux';
  return 'milli';
}

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);
const list = (dir: string): Promise<string[]> => readdir(dir).then((e) => e.sort(), () => [] as string[]);

/**
 * The file of a DS18B20: `temperature` (kernels 5.x+) or else `w1_slave`. `device` is its
 * 1-Wire id ("28-0000075c9a1d"); unset, the first family-28 device on the bus.
 */
export async function findDs18b20(root: string, device?: string): Promise<string | { error: string }> {
  const dir = join(root, 'bus', 'w1', 'devices');
  const ids = device ? [device] : (await list(dir)).filter((n) => /^28-[0-9a-f]{12}$/i.test(n));
  if (ids.length === 0) return { error: `no DS18B20 under ${dir} (is the w1-gpio overlay enabled: dtoverlay=w1-gpio in config.txt?)` };
  for (const file of ['temperature', 'w1_slave']) {
    const p = join(dir, ids[0]!, file);
    if (await exists(p)) return p;
  }
  return { error: `${join(dir, ids[0]!)} has no temperature or w1_slave file${device ? ' (is the device id right? ls ' + dir + ')' : ''}` };
}

/** Every DS18B20 on the bus, for auto-discovery: their ids, sorted. */
export async function listDs18b20(root: string): Promise<string[]> {
  return (await list(join(root, 'bus', 'w1', 'devices'))).filter((n) => /^28-[0-9a-f]{12}$/i.test(n));
}

const HWMON_FILE: Record<Quantity, string | null> = { temperature: 'temp1_input', humidity: 'humidity1_input', illuminance: null };
const IIO_FILE: Record<Quantity, string> = { temperature: 'in_temp_input', humidity: 'in_humidityrelative_input', illuminance: 'in_illuminance_input' };

/**
 * The first hwmon device with the quantity's first channel, skipping the SoC's own thermal
 * zone (cpu_thermal measures the processor, not the cabinet); `name` picks by the hwmon's name.
 */
export async function findHwmon(root: string, quantity: Quantity, name?: string): Promise<string | { error: string }> {
  const file = HWMON_FILE[quantity];
  const dir = join(root, 'class', 'hwmon');
  if (!file) return { error: `hwmon has no ${quantity} channel; use kind "iio"` };
  for (const h of await list(dir)) {
    const n = (await readFile(join(dir, h, 'name'), 'utf8').catch(() => '')).trim();
    if (name ? n !== name : n === 'cpu_thermal') continue;
    const p = join(dir, h, file);
    if (await exists(p)) return p;
  }
  return { error: `no hwmon device${name ? ` named "${name}"` : ''} with ${file} under ${dir}` };
}

/** The first IIO device with the quantity's input file. */
export async function findIio(root: string, quantity: Quantity, name?: string): Promise<string | { error: string }> {
  const file = IIO_FILE[quantity];
  const dir = join(root, 'bus', 'iio', 'devices');
  for (const d of await list(dir)) {
    if (name) {
      const n = (await readFile(join(dir, d, 'name'), 'utf8').catch(() => '')).trim();
      if (n !== name) continue;
    }
    const p = join(dir, d, file);
    if (await exists(p)) return p;
  }
  return { error: `no IIO device${name ? ` named "${name}"` : ''} with ${file} under ${dir}` };
}

/** `/sys/class/backlight/<name>`: `brightness` written as a share of `max_brightness`. */
export class SysfsBacklight implements Backlight {
  #percent: number | null = null;
  #max: number | undefined;

  constructor(readonly dir: string) {}

  /** The first backlight under `<root>/class/backlight`, or why there is none. */
  static async find(root: string): Promise<SysfsBacklight | { error: string }> {
    const dir = join(root, 'class', 'backlight');
    const names = await list(dir);
    if (names.length === 0) return { error: `no backlight under ${dir} (the screen's driver exposes none; set cabinet.brightness.backlight to its directory)` };
    return new SysfsBacklight(join(dir, names[0]!));
  }

  describe(): string {
    return this.dir;
  }

  get percent(): number | null {
    return this.#percent;
  }

  async #maxBrightness(): Promise<number> {
    if (this.#max !== undefined) return this.#max;
    const text = await readFile(join(this.dir, 'max_brightness'), 'utf8');
    const max = Number(text.trim());
    if (!/^\d{1,9}$/.test(text.trim()) || max < 1) throw new Error(`${join(this.dir, 'max_brightness')} holds "${text.trim().slice(0, 20)}", not a positive whole number`);
    this.#max = max;
    return max;
  }

  async set(percent: number): Promise<void> {
    const max = await this.#maxBrightness();
    const p = Math.min(100, Math.max(0, percent));
    // Never 0 for a non-zero percent: many panels switch off entirely at 0.
    const raw = p === 0 ? 0 : Math.max(1, Math.round((p / 100) * max));
    await writeFile(join(this.dir, 'brightness'), `${raw}\n`);
    this.#percent = p;
  }
}

/** A backlight in memory (simulated lockers, tests). */
export class SimBacklight implements Backlight {
  #percent: number | null = null;
  readonly writes: number[] = [];

  describe(): string {
    return 'simulated backlight';
  }

  get percent(): number | null {
    return this.#percent;
  }

  async set(percent: number): Promise<void> {
    this.#percent = percent;
    this.writes.push(percent);
    if (this.writes.length > 1000) this.writes.shift();
  }
}
