/**
 * Wire-time arithmetic and precise short waits for the RS-485 bus and its simulators.
 * 8N1 framing: 10 bits on the wire per byte.
 */

export const BITS_PER_CHAR = 10;

/** Time one character occupies the line, in milliseconds (1.042 ms at 9600 baud, 0.521 ms at 19200). */
export function charTimeMs(baudRate: number): number {
  return (BITS_PER_CHAR * 1000) / baudRate;
}

/** Time `bytes` characters occupy the line, back to back. */
export function wireTimeMs(bytes: number, baudRate: number): number {
  return bytes * charTimeMs(baudRate);
}

/**
 * Modbus RTU inter-frame silence: 3.5 character times, fixed at 1.75 ms above 19200 baud
 * (Modbus over serial line, 2.5.1.1).
 */
export function modbusGapMs(baudRate: number): number {
  return baudRate > 19200 ? 1.75 : 3.5 * charTimeMs(baudRate);
}

export const now = (): number => performance.now();

/** Waits below this are finished by yielding to the event loop rather than by a timer. */
const SPIN_BELOW_MS = 1.5;

/**
 * Resolves at `deadline` (a `performance.now()` time), accurately: Node's timers have a
 * granularity of about 1 ms, so the last stretch is waited by yielding to the event loop with
 * `setImmediate` (I/O keeps flowing meanwhile). Costs CPU only for that last ~1.5 ms.
 * `cancel` (from a Sleeper) resolves it early.
 */
export function sleepUntil(deadline: number, sleeper?: Sleeper): Promise<void> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    const done = (): void => {
      clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      sleeper?.forget(done);
      resolve();
    };
    const step = (): void => {
      timer = undefined;
      immediate = undefined;
      const left = deadline - now();
      if (left <= 0) return done();
      if (left > SPIN_BELOW_MS + 0.5) timer = setTimeout(step, left - SPIN_BELOW_MS);
      else immediate = setImmediate(step);
    };
    sleeper?.track(done);
    step();
  });
}

/** Groups pending sleeps so that `stop()` can wake them all at once. */
export class Sleeper {
  readonly #pending = new Set<() => void>();
  #cancelled = false;

  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** Sleeps `ms` (or until cancelled). */
  sleep(ms: number): Promise<void> {
    return this.until(now() + ms);
  }

  until(deadline: number): Promise<void> {
    if (this.#cancelled) return Promise.resolve();
    return sleepUntil(deadline, this);
  }

  track(wake: () => void): void {
    this.#pending.add(wake);
  }

  forget(wake: () => void): void {
    this.#pending.delete(wake);
  }

  cancel(): void {
    this.#cancelled = true;
    for (const wake of [...this.#pending]) wake();
    this.#pending.clear();
  }

  /** Allows sleeping again after `cancel` (a restarted bus). */
  reset(): void {
    this.#cancelled = false;
  }
}
