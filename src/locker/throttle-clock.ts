/**
 * The guessing throttle's clock. It never goes back and advances only with time this kiosk has
 * seen pass: a monotonic clock within one run (performance.now(), which no clock setting moves),
 * started at start-up from the throttle clock last written to the ledger. The wall clock is not
 * read (except to start a brand-new ledger's), so a Pi without a battery-backed clock that boots
 * to an old saved time forgets nothing, and a clock set forward wipes nothing
 * (docs/security.md, "The throttle clock").
 */
export class ThrottleClock {
  readonly #origin: number;
  readonly #monotonic: () => number;
  readonly #monotonicOrigin: number;

  /** `floor`: the latest throttle time known to have passed; `monotonic`: ms, any origin, never decreasing within this process. */
  constructor(floor: number, monotonic: () => number) {
    this.#origin = floor;
    this.#monotonic = monotonic;
    this.#monotonicOrigin = monotonic();
  }

  now(): number {
    return this.#origin + Math.max(0, this.#monotonic() - this.#monotonicOrigin);
  }
}

/** The start of the throttle clock: the highest of the known times, or `fallback` (a fresh ledger) when none is known. */
export function throttleFloor(known: (number | null | undefined)[], fallback: number): number {
  const ts = known.filter((t): t is number => typeof t === 'number' && Number.isFinite(t));
  return ts.length > 0 ? Math.max(...ts) : fallback;
}
