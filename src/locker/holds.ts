import type { CompartmentSize, LockerdConfig } from '../config/types.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Parcel } from '../ledger/parcels.js';
import type { Logger } from '../log.js';
import { HoldClock } from './hold-clock.js';
import { HoldPolicy } from './hold-policy.js';

/** How often waiting parcels are checked for reminders due and holds that ended (minutes are the config's finest unit). */
const HOLD_CHECK_MS = 60_000;
const PAGE = 100;

/** A waiting parcel whose hold ended, as staff see it (kiosk menu, `lockerctl parcels --state expired`). */
export interface ExpiredParcel {
  parcelId: string;
  unit: string;
  compartmentId: string;
  size: CompartmentSize;
  carrier: string | null;
  tracking: string | null;
  depositedAt: number | null;
  expiresAt: number;
  /** When the end of its hold was recorded. */
  expiredAt: number;
  /** How long ago the hold ended, by the kiosk's clock (0 if that clock now reads earlier). */
  overdueMs: number;
  /** Whether its code no longer opens it (`holds.atEnd` is `code_stops`). */
  codeStopped: boolean;
}

export interface HoldCheck {
  reminded: number;
  expired: number;
  /** Set when nothing was decided because the wall clock has not run in step long enough (./hold-clock.ts). */
  waitingForClockMs?: number;
}

/**
 * How long parcels wait for their resident, and what happens when that time runs out. Everything
 * is read from the ledger at each check (at start, every minute, and before a pickup opens a door
 * of a parcel whose hold just ran out): which reminders were sent and which holds ended is in the
 * ledger, written with their events, so a restart neither repeats nor misses one.
 */
export class Holds {
  readonly #ledger: Ledger;
  readonly #log: Logger;
  readonly #policy: HoldPolicy;
  readonly #clock: HoldClock;
  #timer: NodeJS.Timeout | undefined;
  #toldWaiting = false;

  constructor(deps: { ledger: Ledger; config: LockerdConfig; log: Logger; now: () => number; monotonic: () => number }) {
    this.#ledger = deps.ledger;
    this.#log = deps.log;
    this.#policy = new HoldPolicy(deps.config.holds);
    this.#clock = new HoldClock(deps.now, deps.monotonic);
  }

  start(): void {
    this.#safeCheck();
    this.#timer = setInterval(() => this.#safeCheck(), HOLD_CHECK_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Whether this parcel's code no longer opens it: its hold ended and `holds.atEnd` is `code_stops`. */
  codeStopped(parcel: Parcel): boolean {
    return this.#policy.codeStops && parcel.expiredAt !== null;
  }

  /**
   * Before a pickup: ends the holds among `parcels` that ran out since the last check (so a code
   * stops exactly at the end, not up to a minute later). True when it recorded anything.
   */
  settle(parcels: Parcel[]): boolean {
    const now = this.#clock.look().now;
    if (!parcels.some((p) => p.expiredAt === null && p.expiresAt !== null && p.expiresAt <= now)) return false;
    const r = this.check();
    return r.expired > 0;
  }

  /**
   * Sends each reminder due (`parcel.reminder_due`, once each) and ends each hold that ran out
   * (`parcel.hold_expired`, once each), if the clock can be trusted; see ./hold-clock.ts.
   */
  check(): HoldCheck {
    const clock = this.#clock.look();
    if (!clock.settled) {
      if (clock.stepped) this.#log.warn({ clock: new Date(clock.now).toISOString() }, 'the wall clock stepped: holds wait for it to run steadily before any ends or any reminder is sent');
      if (!this.#toldWaiting && this.#anythingDue(clock.now)) {
        this.#toldWaiting = true;
        this.#log.info({ waitSeconds: Math.ceil(clock.waitMs / 1000) }, 'holds are due; waiting for the clock to run steadily before ending them or sending reminders');
      }
      return { reminded: 0, expired: 0, waitingForClockMs: clock.waitMs };
    }
    this.#toldWaiting = false;
    const expired = this.#endHolds(clock.now);
    const reminded = this.#remind(clock.now);
    if (expired + reminded > 0) this.#log.info({ expired, reminded }, 'holds checked');
    return { reminded, expired };
  }

  /** Waiting parcels whose hold ended, oldest end first (they still occupy their compartments). */
  expiredParcels(limit = 1000): ExpiredParcel[] {
    const now = this.#clock.look().now;
    return this.#ledger.parcels.holdEnded(limit).map((p) => ({
      parcelId: p.id,
      unit: p.unit,
      compartmentId: p.compartmentId,
      size: p.size,
      carrier: p.carrier,
      tracking: p.tracking,
      depositedAt: p.depositedAt,
      expiresAt: p.expiresAt!,
      expiredAt: p.expiredAt!,
      overdueMs: Math.max(0, now - p.expiresAt!),
      codeStopped: this.codeStopped(p),
    }));
  }

  #safeCheck(): void {
    try {
      this.check();
    } catch (err) {
      this.#log.error({ err }, 'could not check holds; will try again');
    }
  }

  #anythingDue(now: number): boolean {
    if (this.#ledger.parcels.holdDue(now, 1).length > 0) return true;
    for (let after = ''; ; ) {
      const page = this.#ledger.parcels.holding(after, PAGE);
      if (page.some((p) => this.#policy.reminderDue(hold(p), now) !== null)) return true;
      if (page.length < PAGE) return false;
      after = page.at(-1)!.id;
    }
  }

  /** Ends every hold that ran out by `now`, one transaction per page; each parcel stays where it is. */
  #endHolds(now: number): number {
    const ledger = this.#ledger;
    const codeStopped = this.#policy.codeStops;
    let ended = 0;
    for (;;) {
      const due = ledger.parcels.holdDue(now, PAGE);
      if (due.length === 0) return ended;
      ledger.transaction(() => {
        for (const p of due) {
          if (!ledger.parcels.markExpiryReported(p.id, now)) continue;
          const expiresAt = new Date(p.expiresAt!).toISOString();
          ledger.audit.record({ at: now, actor: 'system', action: 'parcel.hold_expired', compartmentId: p.compartmentId, parcelId: p.id, detail: { expiresAt, codeStopped } });
          ledger.outbox.append('parcel.hold_expired', now, { parcelId: p.id, compartmentId: p.compartmentId, unit: p.unit, expiresAt, codeStopped });
          ended++;
        }
      });
    }
  }

  /** Sends the reminder due for each running hold (the latest one, if an outage let several fall due). */
  #remind(now: number): number {
    const ledger = this.#ledger;
    let sent = 0;
    for (let after = ''; ; ) {
      const page = ledger.parcels.holding(after, PAGE);
      const due = page.flatMap((p) => {
        const r = this.#policy.reminderDue(hold(p), now);
        return r ? [{ p, ...r }] : [];
      });
      if (due.length > 0) {
        ledger.transaction(() => {
          for (const { p, reminder, dueAt } of due) {
            if (!ledger.parcels.markReminded(p.id, dueAt)) continue;
            const data = { parcelId: p.id, compartmentId: p.compartmentId, unit: p.unit, reminder, dueAt: new Date(dueAt).toISOString(), expiresAt: new Date(p.expiresAt!).toISOString(), codeStopsAtEnd: this.#policy.codeStops };
            ledger.audit.record({ at: now, actor: 'system', action: 'parcel.reminder_due', compartmentId: p.compartmentId, parcelId: p.id, detail: { reminder, dueAt: data.dueAt, expiresAt: data.expiresAt } });
            ledger.outbox.append('parcel.reminder_due', now, data);
            sent++;
          }
        });
      }
      if (page.length < PAGE) return sent;
      after = page.at(-1)!.id;
    }
  }
}

/** The hold of a waiting parcel (deposited, so both times are set). */
function hold(p: Parcel): { depositedAt: number; expiresAt: number; remindedThrough: number | null } {
  return { depositedAt: p.depositedAt ?? p.reservedAt, expiresAt: p.expiresAt!, remindedThrough: p.remindedThrough };
}
