import type { UnlockOutcome } from '../../drivers/contracts.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Logger } from '../log.js';
import type { ClosedDoor, DoorOperator } from './door-operator.js';

export type TechnicianOpenResult = { ok: true; outcome: UnlockOutcome } | { ok: false; reason: 'unknown_compartment' | 'busy' };
export type RemoteOpenResult = { ok: true; outcome: UnlockOutcome } | { ok: false; reason: string };

/**
 * Doors opened on someone's authority rather than by a parcel's flow: a technician on site
 * (`lockerctl lock open`) and upstream (`door.open`). Upstream hears of each open and its close.
 */
export class AuthorisedOpens {
  readonly #ledger: Ledger;
  readonly #log: Logger;
  readonly #doors: DoorOperator;

  constructor(deps: { ledger: Ledger; log: Logger; doors: DoorOperator }) {
    this.#ledger = deps.ledger;
    this.#log = deps.log;
    this.#doors = deps.doors;
    deps.doors.handle('technician', { announcesClose: true });
    deps.doors.handle('remote', { announcesClose: true, closed: (door) => this.#remoteClosed(door) });
  }

  /**
   * Opens one door for a technician, with the reason in the audit trail. Refused while another
   * operation on that door is under way. The parcel inside (if any) is not touched: a technician
   * opening a door is not a pickup.
   */
  async openForTechnician(compartmentId: string, reason: string, actor = 'technician'): Promise<TechnicianOpenResult> {
    const compartment = this.#ledger.compartments.get(compartmentId);
    if (!compartment) return { ok: false, reason: 'unknown_compartment' };
    if (this.#doors.busy(compartmentId)) return { ok: false, reason: 'busy' };
    const parcel = this.#ledger.parcels.activeIn(compartmentId);
    const { outcome } = await this.#doors.open(
      { compartment, purpose: 'technician', parcelId: parcel?.id ?? null, actor, detail: { reason } },
      {
        // Upstream hears of every technician open, whether the door opened or not (its close follows).
        settled: (result, at) =>
          this.#ledger.outbox.append('door.technician_opened', at, { compartmentId, reason: reason.slice(0, 200), actor: actor.slice(0, 200), outcome: result, parcelId: parcel?.id ?? null }),
      },
    );
    this.#log.info({ compartmentId, outcome, reason, actor }, 'technician door open');
    return { ok: true, outcome };
  }

  /**
   * Why a remote door open would be refused now, or null when it would go ahead. The command inbox
   * asks before it acks `accepted`, so a refusal is the command's only ack; openForRemote asks the
   * same question, so the two can never disagree.
   */
  remoteOpenRefusal(compartmentId: string, staffRecall: boolean): string | null {
    if (!this.#ledger.compartments.get(compartmentId)) return `unknown compartment ${compartmentId}`;
    if (this.#doors.busy(compartmentId)) return `a door operation on ${compartmentId} is under way`;
    // One is enough to refuse: a shared compartment holds only one unit's parcels, all recalled together.
    if (this.#ledger.parcels.activeIn(compartmentId) && !staffRecall) return `${compartmentId} holds a parcel for another person; send staffRecall: true to take it back`;
    return null;
  }

  /**
   * A remote door open from upstream. Refused when the compartment holds a parcel, unless staff
   * are recalling it (the parcel is then `returned` when the door shuts).
   */
  async openForRemote(compartmentId: string, reason: string, staffRecall: boolean, commandId: string): Promise<RemoteOpenResult> {
    const refusal = this.remoteOpenRefusal(compartmentId, staffRecall);
    if (refusal !== null) return { ok: false, reason: refusal };
    const compartment = this.#ledger.compartments.get(compartmentId)!;
    const parcel = this.#ledger.parcels.activeIn(compartmentId);
    const { outcome } = await this.#doors.open(
      { compartment, purpose: 'remote', parcelId: parcel?.id ?? null, actor: `remote:${commandId}`, detail: { reason, staffRecall } },
      { settled: (result, at) => this.#ledger.outbox.append('door.remote_opened', at, { compartmentId, commandId, outcome: result, staffRecall }) },
    );
    this.#log.info({ compartmentId, outcome, commandId, staffRecall }, 'remote door open');
    return { ok: true, outcome };
  }

  /**
   * A remote open that recalled parcels: staff took them when the door shut, every parcel waiting
   * in it (several when the compartment is shared; the operation names the oldest, and only a
   * staffRecall open names one). Inside the close's transaction.
   */
  #remoteClosed(door: ClosedDoor): void {
    const { op, compartment, at } = door;
    this.#doors.closedAudit(door);
    if (!op.parcelId) return;
    for (const parcel of this.#ledger.parcels.allIn(compartment.id)) {
      if (parcel.state !== 'deposited' || !this.#ledger.parcels.end(parcel.id, 'deposited', 'returned', at)) continue;
      if (parcel.codeId !== null && this.#ledger.parcels.waitingForCode(parcel.codeId).length === 0) this.#ledger.codes.end(parcel.codeId, 'revoked', at);
      this.#ledger.audit.record({ at, actor: op.actor, action: 'parcel.returned', compartmentId: compartment.id, parcelId: parcel.id });
      this.#ledger.outbox.append('parcel.returned', at, { parcelId: parcel.id, compartmentId: compartment.id, unit: parcel.unit });
    }
  }
}
