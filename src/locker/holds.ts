import type { Ledger } from '../ledger/ledger.js';
import type { Logger } from '../log.js';

/** How often waiting parcels are checked for an expired hold. */
const HOLD_CHECK_MS = 10 * 60_000;

/** How long parcels wait for their resident, and what happens when that time runs out. */
export class Holds {
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: { ledger: Ledger; log: Logger; now: () => number }) {}

  start(): void {
    this.reportExpired();
    this.#timer = setInterval(() => {
      try {
        this.reportExpired();
      } catch (err) {
        this.deps.log.error({ err }, 'could not report expired holds; will try again');
      }
    }, HOLD_CHECK_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /**
   * Reports every waiting parcel whose hold ran out, once each (`parcel.hold_expired`). The parcel
   * stays where it is and its code keeps working: a resident late by a day still gets it.
   */
  reportExpired(): number {
    const { ledger } = this.deps;
    const now = this.deps.now();
    let reported = 0;
    for (;;) {
      const due = ledger.parcels.holdDue(now, 100);
      if (due.length === 0) return reported;
      ledger.transaction(() => {
        for (const p of due) {
          if (!ledger.parcels.markExpiryReported(p.id, now)) continue;
          const expiresAt = new Date(p.expiresAt!).toISOString();
          ledger.audit.record({ at: now, actor: 'system', action: 'parcel.hold_expired', compartmentId: p.compartmentId, parcelId: p.id, detail: { expiresAt } });
          ledger.outbox.append('parcel.hold_expired', now, { parcelId: p.id, compartmentId: p.compartmentId, unit: p.unit, expiresAt });
          reported++;
        }
      });
    }
  }
}
