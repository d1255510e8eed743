import type { LockerdConfig } from '../config/types.js';
import type { RetrievalCodeRecord } from '../ledger/codes.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Courier } from '../ledger/people.js';
import type { StaffMember } from '../ledger/staff.js';
import type { Logger } from '../log.js';
import type { GuessKind } from './guessing.js';
import { GuessingThrottle, type ThrottleResetResult, type ThrottleStatus } from './guessing-throttle.js';

export type CourierLoginResult = { ok: true; courier: Courier } | { ok: false; reason: 'wrong_pin' } | { ok: false; reason: 'throttled'; waitMs: number };

/** Who logged in at the welcome screen: a courier, or a staff member (the staff menu). */
export type KioskLoginResult = CourierLoginResult | { ok: true; staff: StaffMember };

export type CodeCheck = { ok: true; code: RetrievalCodeRecord } | { ok: false; reason: 'wrong_code' } | { ok: false; reason: 'throttled'; waitMs: number };

/**
 * Who is at the kiosk: couriers' PINs and badges, residents' codes and pickup QRs, each checked
 * against its keyed hash and counted against the guessing throttle when wrong.
 */
export class Credentials {
  readonly #ledger: Ledger;
  readonly #now: () => number;
  readonly #throttle: GuessingThrottle;

  constructor(deps: { ledger: Ledger; config: LockerdConfig; log: Logger; now: () => number; monotonic: () => number }) {
    this.#ledger = deps.ledger;
    this.#now = deps.now;
    this.#throttle = new GuessingThrottle({ ledger: deps.ledger, policy: deps.config.guessing, now: deps.now, monotonic: deps.monotonic, log: deps.log });
  }

  stop(): void {
    this.#throttle.stop();
  }

  /**
   * How long the kiosk must wait before it may check another code (`'code'`: codes and pickup
   * QRs) or PIN (`'pin'`: PINs and badges), 0 = now. Without `kind`, the longer of the two.
   */
  waitMs(kind?: GuessKind): number {
    return this.#throttle.waitMs(kind);
  }

  /** Both budgets: wait, alarm regime, failures in the last hour and day. */
  throttleStatus(): ThrottleStatus {
    return this.#throttle.status();
  }

  /** Clears the throttle (audited, sent upstream); null when there was nothing to clear. */
  resetThrottle(reason: string, actor: string): ThrottleResetResult | null {
    return this.#throttle.reset(reason, actor);
  }

  /** Records a wrong code or PIN with its audit row, in one transaction; may raise the alarm. */
  recordFailure(kind: GuessKind, actor: string, action: string): void {
    this.#throttle.recordFailure(kind, actor, action);
  }

  /** A courier logs in with the keypad PIN, or by scanning a badge (`{ badgeToken }`). */
  courierLogin(credential: string | { badgeToken: string }): CourierLoginResult {
    const waitMs = this.waitMs('pin');
    if (waitMs > 0) return { ok: false, reason: 'throttled', waitMs };
    const courier =
      typeof credential === 'string'
        ? this.#ledger.people.courierByPinHash(this.#ledger.hasher.hash('pin', credential))
        : this.#ledger.people.courierByBadgeHash(this.#ledger.hasher.hash('token', credential.badgeToken));
    if (!courier) {
      this.recordFailure('pin', 'kiosk', 'courier.login_refused');
      return { ok: false, reason: 'wrong_pin' };
    }
    this.#ledger.transaction(() => this.#ledger.audit.record({ at: this.#now(), actor: `courier:${courier.id}`, action: 'courier.logged_in' }));
    return { ok: true, courier };
  }

  /**
   * A PIN or badge at the welcome screen: a staff member's, else a courier's. A wrong one counts
   * once against the PIN budget whoever it was meant for (the config keeps staff and courier PINs apart).
   */
  login(credential: string | { badgeToken: string }): KioskLoginResult {
    const waitMs = this.waitMs('pin');
    if (waitMs > 0) return { ok: false, reason: 'throttled', waitMs };
    const staff =
      typeof credential === 'string'
        ? this.#ledger.staff.byPinHash(this.#ledger.hasher.hash('pin', credential))
        : this.#ledger.staff.byBadgeHash(this.#ledger.hasher.hash('token', credential.badgeToken));
    if (!staff) return this.courierLogin(credential);
    const how = typeof credential === 'string' ? 'pin' : 'badge';
    this.#ledger.transaction(() => this.#ledger.audit.record({ at: this.#now(), actor: `staff:${staff.id}`, action: 'staff.logged_in', detail: { credential: how } }));
    return { ok: true, staff };
  }

  /** A retrieval code (keyed) or the token of its pickup QR (scanned): the live code it is, if any. */
  checkCode(credential: string | { qrToken: string }): CodeCheck {
    const waitMs = this.waitMs('code');
    if (waitMs > 0) return { ok: false, reason: 'throttled', waitMs };
    const record =
      typeof credential === 'string'
        ? this.#ledger.codes.findLive(this.#ledger.hasher.hash('code', credential))
        : this.#ledger.codes.findLiveByQr(this.#ledger.hasher.hash('token', credential.qrToken));
    if (!record) {
      this.recordFailure('code', 'kiosk', typeof credential === 'string' ? 'pickup.code_rejected' : 'pickup.qr_rejected');
      return { ok: false, reason: 'wrong_code' };
    }
    return { ok: true, code: record };
  }
}
