/**
 * Simulated GPIO: lines are physical levels in memory. Tests and `lockerctl gpio sim` set input
 * levels; outputs record what was written (with a bounded history for tests).
 */
import type { GpioBackend, GpioInput, GpioInputOptions, GpioOutput, GpioOutputOptions } from './types.js';

export class SimGpio implements GpioBackend {
  readonly name = 'sim' as const;
  readonly #levels = new Map<number, boolean>();
  readonly #listeners = new Map<number, Set<(level: boolean) => void>>();
  /** Physical writes to outputs, oldest first (bounded). */
  readonly writes: { line: number; level: boolean; at: number }[] = [];

  describe(): string {
    return 'simulated GPIO';
  }

  /** Physical level of a line (undefined when never set). */
  level(line: number): boolean | undefined {
    return this.#levels.get(line);
  }

  /** Sets the physical level of a line, as wiring would; watchers of the line are told. */
  setLevel(line: number, level: boolean): void {
    if (this.#levels.get(line) === level) return;
    this.#levels.set(line, level);
    for (const l of this.#listeners.get(line) ?? []) l(level);
  }

  async openInput(line: number, options: GpioInputOptions = {}): Promise<GpioInput> {
    const activeLow = options.activeLow === true;
    // An unwired simulated input idles inactive: high behind a pull-up when active-low.
    if (!this.#levels.has(line)) this.#levels.set(line, activeLow);
    const sim = this;
    const mine = new Set<(level: boolean) => void>();
    return {
      line,
      async read() {
        return (sim.#levels.get(line) ?? false) !== activeLow;
      },
      watch(listener) {
        const l = (level: boolean) => listener(level !== activeLow, new Date());
        let set = sim.#listeners.get(line);
        if (!set) sim.#listeners.set(line, (set = new Set()));
        set.add(l);
        mine.add(l);
        return () => {
          set.delete(l);
          mine.delete(l);
        };
      },
      async close() {
        for (const l of mine) sim.#listeners.get(line)?.delete(l);
        mine.clear();
      },
    };
  }

  async openOutput(line: number, options: GpioOutputOptions = {}): Promise<GpioOutput> {
    const activeLow = options.activeLow === true;
    let value = options.initial === true;
    const sim = this;
    const put = (v: boolean) => {
      value = v;
      const level = v !== activeLow;
      sim.writes.push({ line, level, at: Date.now() });
      if (sim.writes.length > 1000) sim.writes.shift();
      sim.setLevel(line, level);
    };
    put(value);
    return {
      line,
      get value() {
        return value;
      },
      async write(v: boolean) {
        put(v);
      },
      async close() {},
    };
  }
}
