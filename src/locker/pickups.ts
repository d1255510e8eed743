import type { UnlockOutcome } from '../../drivers/contracts.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Parcel } from '../ledger/parcels.js';
import type { Logger } from '../log.js';
import type { Credentials } from './credentials.js';
import type { ClosedDoor, DoorOperator } from './door-operator.js';
import type { Holds } from './holds.js';
import type { LockerBus } from './locker-events.js';
import type { RefusalRecorder } from './refusals.js';

/** One door per compartment: `parcelIds` are every parcel for the code behind it (several when it is shared). */
export interface PickupDoor {
  compartmentId: string;
  /** The parcel the door operation names (the oldest in the compartment). */
  parcelId: string;
  parcelIds: string[];
  outcome: UnlockOutcome;
}

/** Parcels for the code in a package room or at a front desk: no locker door opens for them. */
export interface PickupElsewhere {
  /** The room or desk. */
  areaId: string;
  kind: 'room' | 'desk';
  parcels: { parcelId: string; placeId: string }[];
}

export type PickupResult =
  /**
   * `holdEnded`: parcels for this code whose hold ended and stopped the code (left shut; the
   * resident contacts the office). `elsewhere`: its parcels in rooms or at desks, which the flow
   * of that storage kind hands over (the room door, the desk's signature); `doors` may then be empty.
   */
  | { ok: true; doors: PickupDoor[]; holdEnded?: number; elsewhere: PickupElsewhere[]; unit: string; codeId: number; via: 'code' | 'qr' }
  | { ok: false; reason: 'wrong_code' | 'nothing_waiting' }
  /** The code is right but the hold of every parcel it covers ended and stopped it (`holds.atEnd`): the resident contacts the office. Not a wrong code. */
  | { ok: false; reason: 'hold_ended' }
  /** Every door for this code is already open (the code was keyed again): nothing to fire. */
  | { ok: false; reason: 'doors_open'; compartments: string[] }
  | { ok: false; reason: 'throttled'; waitMs: number };

/**
 * Residents' pickups: a retrieval code (keyed) or its pickup QR (scanned) opens every door
 * holding parcels for it; each parcel is picked up when its door shuts.
 */
export class Pickups {
  readonly #ledger: Ledger;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #doors: DoorOperator;
  readonly #credentials: Credentials;
  readonly #bus: LockerBus;
  readonly #holds: Holds;
  readonly #refusals: RefusalRecorder;

  constructor(deps: { ledger: Ledger; log: Logger; now: () => number; doors: DoorOperator; credentials: Credentials; bus: LockerBus; holds: Holds; refusals: RefusalRecorder }) {
    this.#ledger = deps.ledger;
    this.#log = deps.log;
    this.#now = deps.now;
    this.#doors = deps.doors;
    this.#credentials = deps.credentials;
    this.#bus = deps.bus;
    this.#holds = deps.holds;
    this.#refusals = deps.refusals;
    deps.doors.handle('pickup', { announcesClose: false, closed: (door) => this.#completed(door) });
  }

  /**
   * Checks a retrieval code (keyed) or the token of its pickup QR (scanned) and opens, one after
   * another, every door holding parcels for it. Both count against the same guessing throttle.
   */
  async pickup(credential: string | { qrToken: string }): Promise<PickupResult> {
    const checked = this.#credentials.checkCode(credential);
    if (!checked.ok) return checked;
    const record = checked.code;
    const via = typeof credential === 'string' ? 'code' : 'qr';
    const actor = `resident:${record.unit}`;
    let waiting = this.#ledger.parcels.waitingForCode(record.id);
    if (this.#holds.settle(waiting)) waiting = this.#ledger.parcels.waitingForCode(record.id);
    // A hold that ended may have stopped the code for its parcel (./holds.ts): the parcel stays shut.
    // (One sharing a compartment with a parcel still held is taken with it: the door opens for both.)
    const stopped = waiting.filter((p) => this.#holds.codeStopped(p));
    if (stopped.length > 0) {
      this.#refusals.record(actor, 'pickup.hold_ended', { via, parcels: stopped.map((p) => p.id) });
      waiting = waiting.filter((p) => !this.#holds.codeStopped(p));
      if (waiting.length === 0) return { ok: false, reason: 'hold_ended' };
    }
    // Parcels on a shelf or a desk's place are handed over by their own flow, not by a locker door.
    const elsewhere = this.#elsewhere(waiting.filter((p) => p.placeId !== null));
    waiting = waiting.filter((p) => p.placeId === null);
    const found = { elsewhere, unit: record.unit, codeId: record.id, via } as const;
    // One door operation per compartment, not per parcel: a shared compartment opens once, and its
    // close completes every parcel of this code inside (#completed). The operation names the oldest.
    const byCompartment = new Map<string, string[]>();
    for (const p of waiting) byCompartment.set(p.compartmentId, [...(byCompartment.get(p.compartmentId) ?? []), p.id]);
    const compartments = [...byCompartment.keys()];
    const free = compartments.filter((id) => !this.#doors.busy(id));
    if (free.length === 0 && elsewhere.length > 0) return { ok: true, doors: [], ...found, ...(stopped.length > 0 ? { holdEnded: stopped.length } : {}) };
    if (free.length === 0) return waiting.length > 0 ? { ok: false, reason: 'doors_open', compartments } : { ok: false, reason: 'nothing_waiting' };
    const pending = this.#doors.intend(
      free.map((id) => ({ compartment: this.#ledger.compartments.get(id)!, purpose: 'pickup', parcelId: byCompartment.get(id)![0]!, actor, credential: via })),
    );
    const doors: PickupDoor[] = [];
    for (const door of pending) {
      const { compartment, parcelId } = door.request;
      const outcome = await this.#doors.fire(door, {
        failed: (result, at) => this.#ledger.outbox.append('compartment.fault', at, { compartmentId: compartment.id, reason: `door did not open for a pickup (${result})`, outcome: result, parcelId: parcelId! }),
      });
      doors.push({ compartmentId: compartment.id, parcelId: parcelId!, parcelIds: byCompartment.get(compartment.id)!, outcome });
      if (outcome !== 'confirmed_open') this.#log.warn({ compartmentId: compartment.id, outcome, parcelId }, 'pickup door did not open; the parcel stays and the code stays valid');
    }
    return { ok: true, doors, ...found, ...(stopped.length > 0 ? { holdEnded: stopped.length } : {}) };
  }

  #elsewhere(parcels: readonly Parcel[]): PickupElsewhere[] {
    const byArea = new Map<string, PickupElsewhere>();
    for (const p of parcels) {
      const area = byArea.get(p.compartmentId) ?? { areaId: p.compartmentId, kind: this.#ledger.storage.area(p.compartmentId)?.kind ?? 'room', parcels: [] };
      area.parcels.push({ parcelId: p.id, placeId: p.placeId! });
      byArea.set(p.compartmentId, area);
    }
    return [...byArea.values()];
  }

  /**
   * The pickup door shut: every parcel of the operation's code in that compartment is collected
   * (one, or several sharing it); the code is used once nothing waits on it. The operation names
   * one parcel: the others are found from the ledger at the close (that code's parcels still
   * waiting in that compartment), so a close seen after a restart completes them all alike. Nothing
   * can join the compartment meanwhile: a deposit never shares a compartment whose door is busy.
   * Inside the close's transaction.
   */
  #completed({ op, compartment, at, openedAt }: ClosedDoor): () => void {
    const named = op.parcelId ? this.#ledger.parcels.get(op.parcelId) : undefined;
    if (!named || named.codeId === null) throw new Error(`pickup operation ${op.id} has no deposited parcel: the ledger is inconsistent`);
    const codeId = named.codeId;
    const parcels = this.#ledger.parcels.waitingForCode(codeId).filter((p) => p.compartmentId === compartment.id);
    for (const parcel of parcels) {
      this.#ledger.parcels.end(parcel.id, 'deposited', 'picked_up', at);
      this.#ledger.audit.record({ at, actor: op.actor, action: 'parcel.picked_up', compartmentId: compartment.id, parcelId: parcel.id, detail: { operation: op.id, openedAt, via: op.credential } });
      this.#ledger.outbox.append('parcel.picked_up', at, {
        parcelId: parcel.id,
        compartmentId: compartment.id,
        unit: parcel.unit,
        codeId,
        waitedSeconds: parcel.depositedAt ? Math.round((at - parcel.depositedAt) / 1000) : null,
      });
    }
    if (this.#ledger.parcels.waitingForCode(codeId).length === 0) this.#ledger.codes.end(codeId, 'used', at);
    return () => {
      for (const parcel of parcels) {
        this.#log.info({ compartmentId: compartment.id, parcelId: parcel.id, unit: parcel.unit, shared: parcels.length > 1 }, 'parcel picked up');
        this.#bus.tell('pickedUp', { parcelId: parcel.id, compartmentId: compartment.id });
      }
    };
  }
}
