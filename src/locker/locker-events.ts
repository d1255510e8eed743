import { EventEmitter } from 'node:events';
import type { UnlockOutcome } from '../../drivers/contracts.js';
import type { DoorPurpose } from '../ledger/door-operations.js';
import type { Logger } from '../log.js';

/**
 * What the locker's flows tell the rest of the daemon (the kiosk session, the screen), after the
 * ledger has recorded it. Upstream hears of the same things through the outbox, not through here.
 */
export interface LockerEvents {
  deposited: [{ parcelId: string; compartmentId: string }];
  pickedUp: [{ parcelId: string; compartmentId: string }];
  /** A lock is about to fire (its intent is durable), and how that went: the kiosk screen shows the door opening. */
  doorUnlocking: [{ compartmentId: string; purpose: DoorPurpose }];
  doorUnlocked: [{ compartmentId: string; purpose: DoorPurpose; outcome: UnlockOutcome }];
  /** A door seen open was reported shut (after what its closing means has been written). */
  doorClosed: [{ compartmentId: string }];
  /** A door stayed open longer than `doors.leftOpenMs` (recorded and sent upstream): "Please close door A07". */
  doorLeftOpen: [{ compartmentId: string; openedAt: number }];
}

/**
 * The typed bus the flows emit on. A listener's failure is logged and never reaches the door
 * operation or ledger write that emitted the event.
 */
export class LockerBus extends EventEmitter<LockerEvents> {
  constructor(private readonly log: Logger) {
    super();
  }

  tell<E extends keyof LockerEvents>(event: E, ...payload: LockerEvents[E]): void {
    try {
      (this.emit as (e: E, ...p: LockerEvents[E]) => boolean)(event, ...payload);
    } catch (err) {
      this.log.error({ err, event }, 'a listener of locker events failed; the locker goes on');
    }
  }
}
