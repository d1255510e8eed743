/**
 * The timer shell around the watchdog policy (watchdog-policy.ts): a tick every `tickMs` measures
 * how late its own timer fired; when a ping is due it runs the ledger probe and sends WATCHDOG=1
 * if the policy says so. Unhealthy episodes are logged once when pings stop and once when they
 * resume. The timer is unref'd: it never keeps a stopping daemon alive.
 */
import type { Logger } from '../log.js';
import { decide, INITIAL_WATCHDOG_STATE, pingDue, watchdogTiming, type ProbeResult, type WatchdogState, type WatchdogTiming } from './watchdog-policy.js';

/** Time and timers, injectable so tests can drive ticks by hand. */
export interface WatchdogClock {
  /** Monotonic milliseconds (performance.now()): wall-clock jumps must not look like lag. */
  now(): number;
  setTimeout(fn: () => void, ms: number): { unref?: () => unknown };
  clearTimeout(handle: unknown): void;
}

const realClock: WatchdogClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface HealthWatchdogOptions {
  /** systemd's watchdog period ($WATCHDOG_USEC in ms). */
  watchdogMs: number;
  /** Sends WATCHDOG=1. */
  ping: () => void;
  /** Whether the ledger takes a write (ledger-probe.ts). */
  probe: () => ProbeResult;
  log: Logger;
  clock?: WatchdogClock;
  /** Overrides the timing derived from watchdogMs (tests). */
  timing?: Partial<WatchdogTiming>;
}

export class HealthWatchdog {
  readonly timing: WatchdogTiming;
  readonly #o: HealthWatchdogOptions;
  readonly #clock: WatchdogClock;
  #state: WatchdogState = INITIAL_WATCHDOG_STATE;
  #timer: unknown;
  #dueAt = 0;
  #running = false;

  constructor(options: HealthWatchdogOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    this.timing = { ...watchdogTiming(options.watchdogMs), ...options.timing };
  }

  /** Pings at once (when healthy), then keeps ticking until stop(). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#dueAt = this.#clock.now();
    this.#tick();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    const at = this.#clock.now();
    const lagMs = Math.max(0, at - this.#dueAt);
    if (pingDue(this.#state, at, this.timing)) {
      // The probe only when a ping is due: it is cheap, but it takes the write lock.
      const probe = this.#o.probe();
      const d = decide(this.#state, { at, lagMs, probe }, this.timing);
      this.#state = d.state;
      if (d.ping) this.#o.ping();
      if (d.event?.kind === 'unhealthy') {
        this.#o.log.error({ reason: d.event.reason }, `watchdog pings withheld: ${d.event.reason}; systemd restarts lockerd if this lasts ${Math.round((this.timing.pingEveryMs * 2) / 1000)} s`);
      } else if (d.event?.kind === 'recovered') {
        this.#o.log.warn({ afterMs: Math.round(d.event.afterMs) }, 'watchdog pings resumed: the daemon is healthy again');
      }
    }
    this.#dueAt = this.#clock.now() + this.timing.tickMs;
    const handle = this.#clock.setTimeout(() => this.#tick(), this.timing.tickMs);
    handle.unref?.();
    this.#timer = handle;
  }
}
