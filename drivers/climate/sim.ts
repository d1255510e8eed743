/**
 * A simulated cabinet climate: the cabinet's temperature follows the outside (`ambientC`) at
 * `leakPerMin` of the difference a minute, the heater raises it by `heaterCPerMin` and the fan
 * lowers it by `fanCPerMin` while they are on (the fan only while the outside is cooler: it moves
 * outside air in). Heater and fan state is read from their outputs, as the real cabinet would
 * feel them. Its sensors produce the same text the kernel's files hold, so their readings take
 * the real parsers; nonsense readings and a lost sensor can be injected.
 */
import { parseLux, parseMilli, readFailure } from './parse.js';
import type { ClimateSensor, ParsedValue, Quantity } from './types.js';

export interface SimClimateOptions {
  ambientC: number;
  /** The cabinet's temperature at the start (default: ambient). */
  startC?: number;
  heaterCPerMin: number;
  fanCPerMin: number;
  leakPerMin: number;
  humidityPercent: number;
  lux: number;
  heaterOn: () => boolean;
  fanOn: () => boolean;
  now?: () => number;
}

export class SimClimate {
  readonly #o: SimClimateOptions;
  readonly #now: () => number;
  #ambient: number;
  #temp: number;
  #humidity: number;
  #lux: number;
  #at: number;
  /** Raw texts the temperature sensors return instead of a measurement, one per read. */
  #injected: { text: string; left: number } | undefined;
  #lost = false;

  constructor(options: SimClimateOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#ambient = options.ambientC;
    this.#temp = options.startC ?? options.ambientC;
    this.#humidity = options.humidityPercent;
    this.#lux = options.lux;
    this.#at = this.#now();
  }

  /** Moves the model to now, in steps of at most a second so the heater's effect is smooth. */
  #advance(): void {
    const now = this.#now();
    let dtMin = Math.max(0, now - this.#at) / 60_000;
    this.#at = now;
    const heater = this.#o.heaterOn();
    const fan = this.#o.fanOn();
    while (dtMin > 0) {
      const step = Math.min(dtMin, 1 / 60);
      dtMin -= step;
      let d = (this.#ambient - this.#temp) * this.#o.leakPerMin * step;
      if (heater) d += this.#o.heaterCPerMin * step;
      if (fan && this.#ambient < this.#temp) d -= Math.min(this.#o.fanCPerMin * step, this.#temp - this.#ambient);
      this.#temp += d;
    }
  }

  /** The cabinet's true temperature (°C). */
  get temperatureC(): number {
    this.#advance();
    return this.#temp;
  }

  get ambientC(): number {
    return this.#ambient;
  }

  /** The outside changes (night, sun); the cabinet follows at its own pace. */
  setAmbient(c: number): void {
    this.#advance();
    this.#ambient = c;
  }

  /** The cabinet is at `c` now (a technician's shortcut). */
  setTemperature(c: number): void {
    this.#advance();
    this.#temp = c;
  }

  setHumidity(percent: number): void {
    this.#humidity = percent;
  }

  setLux(lux: number): void {
    this.#lux = lux;
  }

  /** The temperature sensors report `text` (what the kernel's file would hold) for the next `reads` reads. */
  inject(text: string, reads = 1): void {
    this.#injected = { text, left: reads };
  }

  /** The sensors' files vanish (unplugged), or come back. */
  setLost(lost: boolean): void {
    this.#lost = lost;
  }

  get lost(): boolean {
    return this.#lost;
  }

  /** What a sensor file of this quantity holds now. */
  #text(quantity: Quantity): string {
    if (quantity === 'temperature') {
      const inj = this.#injected;
      if (inj) {
        if (--inj.left <= 0) this.#injected = undefined;
        return inj.text;
      }
      return `${Math.round(this.temperatureC * 1000)}\n`;
    }
    if (quantity === 'humidity') return `${Math.round(this.#humidity * 1000)}\n`;
    return `${this.#lux.toFixed(2)}\n`;
  }

  /** A sensor of this climate. */
  sensor(id: string, quantity: Quantity): ClimateSensor {
    return {
      id,
      quantity,
      describe: () => `simulated ${quantity} sensor`,
      read: async (): Promise<ParsedValue> => {
        if (this.#lost) return readFailure(Object.assign(new Error(`ENOENT: no such file or directory, open '/sys/bus/w1/devices/28-sim/temperature'`), { code: 'ENOENT' }));
        const text = this.#text(quantity);
        return quantity === 'illuminance' ? parseLux(text) : parseMilli(text, quantity);
      },
    };
  }
}
