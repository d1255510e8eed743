import type { Ledger } from '../ledger/ledger.js';
import type { Logger } from '../log.js';
import { assessBudget, emptyBudget, GUESS_KINDS, parseGuessingState, recordFailure, serializeGuessingState, type BudgetAssessment, type GuessingPolicy, type GuessingState, type GuessKind } from './guessing.js';
import { ThrottleClock, throttleFloor } from './throttle-clock.js';

/** Ledger meta key of the throttle's state (both budgets and the throttle clock). */
export const GUESSING_STATE_KEY = 'guessing_state';
/** How often the throttle clock is saved while failures are still to decay (seen time lost at a power cut is at most this). */
export const CHECKPOINT_MS = 5 * 60_000;

export type ThrottleStatus = Record<GuessKind, BudgetAssessment>;

export interface ThrottleResetResult {
  cleared: ThrottleStatus;
}

export interface GuessingThrottleDeps {
  ledger: Ledger;
  policy: GuessingPolicy;
  /** The wall clock: only for the time written on audit rows and events. */
  now: () => number;
  /** A monotonic clock (ms) of this process: the only thing that moves the throttle clock. */
  monotonic: () => number;
  log: Logger;
}

/**
 * The guessing throttle's I/O shell: the pure policy of ./guessing.ts on the throttle clock, with
 * its state, audit rows and alarm events in the ledger, each change in one transaction.
 */
export class GuessingThrottle {
  readonly #ledger: Ledger;
  readonly #policy: GuessingPolicy;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #clock: ThrottleClock;
  readonly #timer: NodeJS.Timeout;

  constructor(deps: GuessingThrottleDeps) {
    this.#ledger = deps.ledger;
    this.#policy = deps.policy;
    this.#now = deps.now;
    this.#log = deps.log;
    const state = this.#read();
    const stored = GUESS_KINDS.flatMap((k) => [state[k].failures.at(-1), state[k].suspectedSince, state[k].alarmedAt]);
    // Once the throttle clock has been written it is the only floor: the ledger's latest time is
    // the wall clock's (even of this start's config.applied row), so letting it raise the floor
    // would credit a clock set forward as time that passed. Before that (a new ledger, or state
    // from before the throttle clock, kept in wall-clock times) the ledger's latest time, the
    // stored failures and, last, the wall clock start it.
    const floor = state.clock ?? throttleFloor([deps.ledger.audit.latestAt(), ...stored], deps.now());
    this.#clock = new ThrottleClock(throttleFloor([floor, ...stored], floor), deps.monotonic);
    // Saves seen time even when nobody keys anything; stops by itself should the ledger close first.
    this.#timer = setInterval(() => {
      if (!this.#ledger.db.open) return this.stop();
      try {
        this.#checkpoint();
      } catch (err) {
        this.#log.error({ err }, 'could not save the guessing throttle clock; will try again');
      }
    }, CHECKPOINT_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The throttle clock now (ms; never goes back). */
  clock(): number {
    return this.#clock.now();
  }

  /**
   * Milliseconds before a `kind` entry may be checked (0 = now); without `kind`, the longer of
   * both. Called before every check, so it also saves the throttle clock now and then.
   */
  waitMs(kind?: GuessKind): number {
    const s = this.status();
    if (kind) this.#checkpoint();
    return kind ? s[kind].waitMs : Math.max(s.code.waitMs, s.pin.waitMs);
  }

  status(): ThrottleStatus {
    const state = this.#read();
    const t = this.#clock.now();
    return { code: assessBudget(state.code, t, this.#policy), pin: assessBudget(state.pin, t, this.#policy) };
  }

  /** Records a wrong `kind` entry with its audit row, in one transaction; may raise the alarm. */
  recordFailure(kind: GuessKind, actor: string, action: string): void {
    const at = this.#now();
    this.#ledger.transaction(() => {
      const t = this.#clock.now();
      const state = this.#read();
      const r = recordFailure(state[kind], t, this.#policy);
      this.#write({ ...state, clock: t, [kind]: r.budget });
      const counts = { failuresLastHour: r.failuresLastHour, failuresLastDay: r.failuresLastDay };
      this.#ledger.audit.record({ at, actor, action, detail: { credential: kind, ...counts } });
      if (r.alarm) {
        this.#ledger.outbox.append('kiosk.guessing_suspected', at, { ...counts, credential: kind });
        this.#ledger.audit.record({ at, actor: 'system', action: 'kiosk.guessing_suspected', detail: { credential: kind, ...counts } });
        this.#log.warn({ credential: kind, ...counts }, `many wrong ${kind === 'code' ? 'codes' : 'PINs'}: someone may be guessing; alarm sent upstream, every wrong entry now makes the next wait ${Math.round(this.#policy.suspectedLockoutMs / 1000)} s`);
      }
    });
  }

  /**
   * A technician clears both budgets (the waits and the alarm regime). The alarm history stays:
   * earlier audit rows and events are untouched, and the reset itself is audited and sent upstream.
   * Returns null, changing nothing, when there is nothing to clear.
   */
  reset(reason: string, actor: string): ThrottleResetResult | null {
    const at = this.#now();
    return this.#ledger.transaction(() => {
      const t = this.#clock.now();
      const state = this.#read();
      const cleared: ThrottleStatus = { code: assessBudget(state.code, t, this.#policy), pin: assessBudget(state.pin, t, this.#policy) };
      if (GUESS_KINDS.every((k) => cleared[k].failuresLastDay === 0 && !cleared[k].suspected)) return null;
      this.#write({ clock: t, code: emptyBudget(), pin: emptyBudget() });
      const summary = { codeFailuresCleared: cleared.code.failuresLastDay, pinFailuresCleared: cleared.pin.failuresLastDay, wasSuspected: cleared.code.suspected || cleared.pin.suspected };
      this.#ledger.audit.record({ at, actor, action: 'kiosk.throttle_reset', detail: { reason, ...summary } });
      this.#ledger.outbox.append('kiosk.throttle_reset', at, { reason, actor, ...summary });
      this.#log.warn({ actor, reason, ...summary }, 'keypad throttle reset');
      return { cleared };
    });
  }

  /**
   * Saves the throttle clock, at most once per CHECKPOINT_MS and only while some failure is still
   * to decay, so seen time is not lost at a power cut (it would only make failures last longer).
   */
  #checkpoint(): void {
    const t = this.#clock.now();
    const state = this.#read();
    if (state.clock !== null && t - state.clock < CHECKPOINT_MS) return;
    // Failures older than a day of seen time no longer count: once none is left to decay (and no
    // alarm stands) the clock need not be saved, so an idle kiosk stops writing a day after the
    // last wrong code instead of every 5 minutes for ever.
    if (GUESS_KINDS.every((k) => { const a = assessBudget(state[k], t, this.#policy); return a.failuresLastDay === 0 && !a.suspected; })) return;
    this.#ledger.transaction(() => this.#write({ ...state, clock: t }));
  }

  #read(): GuessingState {
    return parseGuessingState(this.#ledger.meta.get(GUESSING_STATE_KEY));
  }

  #write(state: GuessingState): void {
    this.#ledger.meta.set(GUESSING_STATE_KEY, serializeGuessingState(state));
  }
}
