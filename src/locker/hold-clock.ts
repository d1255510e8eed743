/**
 * Whether the wall clock can be trusted to end holds and send reminders (docs/security.md, "Clocks
 * and holds"). Holds are judged by the wall clock (they span power cuts, which only the wall clock
 * sees), so a clock set forward by mistake would end a batch of holds at once. The rule: act only
 * once the wall clock has run in step with the monotonic clock (which no clock setting moves) for
 * SETTLE_MS, counted from this start or from its last step. A Pi that boots to a wrong time is
 * usually put right by NTP within that window, and nothing has been decided meanwhile; a clock
 * that is behind only makes holds end late, never early. What was sent is in the ledger, so a
 * clock set back sends nothing twice.
 */
export class HoldClock {
  /** How long the wall clock must run in step before holds are judged by it. */
  static readonly SETTLE_MS = 10 * 60_000;
  /** Wall and monotonic time may drift apart by this much between two looks before it counts as a step. */
  static readonly STEP_TOLERANCE_MS = 60_000;

  readonly #now: () => number;
  readonly #monotonic: () => number;
  #lastWall: number;
  #lastMono: number;
  /** Monotonic time since which the wall clock has run in step. */
  #inStepSince: number;
  #steps = 0;

  constructor(now: () => number, monotonic: () => number) {
    this.#now = now;
    this.#monotonic = monotonic;
    this.#lastWall = now();
    this.#lastMono = monotonic();
    this.#inStepSince = this.#lastMono;
  }

  /**
   * Looks at both clocks: the wall time now, and whether it may be acted on (`settled`), or how
   * long it still has to run in step (`waitMs`). A step since the last look restarts the wait.
   */
  look(): { now: number; settled: true } | { now: number; settled: false; waitMs: number; stepped: boolean } {
    const wall = this.#now();
    const mono = this.#monotonic();
    const stepped = Math.abs(wall - this.#lastWall - (mono - this.#lastMono)) > HoldClock.STEP_TOLERANCE_MS;
    if (stepped) {
      this.#inStepSince = mono;
      this.#steps++;
    }
    this.#lastWall = wall;
    this.#lastMono = mono;
    const inStep = mono - this.#inStepSince;
    return inStep >= HoldClock.SETTLE_MS ? { now: wall, settled: true } : { now: wall, settled: false, waitMs: HoldClock.SETTLE_MS - inStep, stepped };
  }

  /** Steps of the wall clock seen in this run. */
  get steps(): number {
    return this.#steps;
  }
}
