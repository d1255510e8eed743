/**
 * Locks that share a power supply fire one at a time: a lock draws amperes while its coil is
 * powered, and two at once can brown out the supply (and the boards on it).
 *
 * One instance is shared by every bus of the locker, so a group may span buses. A lock takes
 * its group, fires, and hands the group back with the time it fired and how long the group
 * stays blocked (its pulse plus the configured spacing). The next lock of the group waits for
 * both the previous holder and that time.
 */
import { now, type Sleeper } from './timing.js';

/** Hands the group back. `firedAt` null: nothing was sent, the group is free at once. */
export type PowerRelease = (firedAt: number | null, blockMs: number) => void;

export class PowerGroups {
  readonly #tail = new Map<string, Promise<void>>();
  readonly #notBefore = new Map<string, number>();
  /** Every fire, for diagnostics and tests: group, when (performance.now()), and how long it blocked the group. */
  readonly fires: { group: string; at: number; blockMs: number }[] = [];
  static readonly MAX_FIRE_LOG = 1000;

  /** Waits until `group` is free (previous holder done and its pulse plus spacing over). */
  async acquire(group: string, sleeper: Sleeper): Promise<PowerRelease> {
    const previous = this.#tail.get(group) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const chained = previous.then(() => mine);
    this.#tail.set(group, chained);
    await previous;
    const notBefore = this.#notBefore.get(group);
    if (notBefore !== undefined && now() < notBefore) await sleeper.until(notBefore);
    let released = false;
    return (firedAt, blockMs) => {
      if (released) return;
      released = true;
      if (firedAt !== null) {
        this.#notBefore.set(group, Math.max(this.#notBefore.get(group) ?? 0, firedAt + blockMs));
        this.fires.push({ group, at: firedAt, blockMs });
        if (this.fires.length > PowerGroups.MAX_FIRE_LOG) this.fires.splice(0, this.fires.length - PowerGroups.MAX_FIRE_LOG);
      }
      done();
      if (this.#tail.get(group) === chained) this.#tail.delete(group);
    };
  }
}
