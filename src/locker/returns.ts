import type { CompartmentSize, LockerdConfig } from '../config/types.js';
import type { Compartment } from '../ledger/compartments.js';
import type { DoorOperation } from '../ledger/door-operations.js';
import type { Ledger } from '../ledger/ledger.js';
import type { MetaStore } from '../ledger/meta.js';
import type { Parcel, ParcelState } from '../ledger/parcels.js';
import type { Courier } from '../ledger/people.js';
import { uuidv7 } from '../ledger/uuidv7.js';
import type { Logger } from '../log.js';
import { chooseCompartment } from './allocation.js';
import type { BoardStatus } from './board-status.js';
import { endFailedReservation, freeCompartmentsNow } from './deposits.js';
import type { ClosedDoor, DoorOperator } from './door-operator.js';
import type { RefusalRecorder } from './refusals.js';

/** A return label as the kiosk read it (src/barcode parseScan): `carrier` null when no carrier was recognised. */
export interface ReturnLabel {
  tracking: string;
  carrier: string | null;
  keyed: boolean;
}

/** Why a return label is refused; nothing changes, the refusal is audited. */
export type LabelRefusal =
  /** No carrier recognised: couriers collect returns by carrier, so nobody would ever take it. */
  | { reason: 'unknown_carrier' }
  /** The tracking number is a delivery to this locker (any state) or one announced for it: the resident's own parcel, not a return label. */
  | { reason: 'own_delivery'; compartmentId: string | null }
  /** A return with this tracking number is already inside. */
  | { reason: 'already_inside'; compartmentId: string };

export type LabelCheck = { ok: true; carrier: string } | ({ ok: false } & LabelRefusal);

export interface ReturnDepositRequest {
  unit: string;
  size: CompartmentSize | 'auto';
  label: ReturnLabel;
}

export type ReturnDepositResult =
  | { ok: true; parcelId: string; compartmentId: string; size: CompartmentSize }
  | { ok: false; reason: 'unknown_unit' }
  | ({ ok: false; refused: true } & LabelRefusal)
  | { ok: false; reason: 'full'; fullSizes: CompartmentSize[] }
  | { ok: false; reason: 'doors_failed'; tried: string[] };

export type ReturnCollectResult =
  /** `remaining`: how many more wait for this carrier after this one; `failed`: returns whose door did not open on the way (skip them next time). */
  | { ok: true; parcelId: string; compartmentId: string; tracking: string | null; remaining: number; failed: string[] }
  | { ok: false; reason: 'none_waiting' }
  | { ok: false; reason: 'doors_failed'; tried: string[] };

/** Collections the courier confirmed ("taken") while the door stood open: operation → courier id. Durable, so a restart keeps it. */
const TAKEN_KEY = 'returns_taken';

/**
 * Residents' prepaid returns (outbound parcels). A resident scans the return label, keys their
 * unit and picks a size; a free compartment's door opens and its close deposits the return
 * (`return.deposited`). It has no retrieval code (code_id null), so no pickup code or QR can open
 * it. A courier of the label's carrier collects the returns one door at a time: the courier
 * confirms taking each one while its door is open, and the close of a confirmed door is the
 * collection (`return.collected`); a door shut unconfirmed leaves the return waiting.
 */
export class Returns {
  readonly #ledger: Ledger;
  readonly #config: LockerdConfig;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #doors: DoorOperator;
  readonly #boards: BoardStatus;
  readonly #refusals: RefusalRecorder;
  /** Refused labels upstream already heard of, by parcel (or tracking number): once each is enough. */
  readonly #refusalReported = new Set<string>();

  constructor(deps: { ledger: Ledger; config: LockerdConfig; log: Logger; now: () => number; doors: DoorOperator; boards: BoardStatus; refusals: RefusalRecorder }) {
    this.#ledger = deps.ledger;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#now = deps.now;
    this.#doors = deps.doors;
    this.#boards = deps.boards;
    this.#refusals = deps.refusals;
    deps.doors.handle('return_deposit', {
      announcesClose: false,
      closed: (door) => this.#deposited(door),
      // As for a deposit: nobody knows whether the return went in; staff check the compartment.
      abandoned: (op, compartment, at) => {
        if (!op.parcelId) return;
        const reason = 'a restart interrupted a return drop-off; check the compartment';
        this.#ledger.parcels.end(op.parcelId, 'reserved', 'cancelled', at);
        this.#ledger.compartments.setOutOfService(compartment.id, reason);
        this.#ledger.outbox.append('compartment.needs_inspection', at, { compartmentId: compartment.id, reason, parcelId: op.parcelId });
      },
    });
    deps.doors.handle('return_collect', {
      announcesClose: false,
      closed: (door) => this.#collectDoorClosed(door.op, door.compartment, door.at, door.openedAt),
      abandoned: (op, compartment, at) => this.#collectInterrupted(op, compartment, at),
    });
  }

  // --- the resident's drop-off -------------------------------------------------------------

  /**
   * Whether a label can be a return here. Refused: no known carrier; a delivery to this locker
   * (inbound, any state) or one upstream announced; a return already inside. Each refusal is
   * audited; the parcel-related ones also go upstream (`return.refused`), once per parcel.
   */
  checkLabel(label: ReturnLabel, actor = 'kiosk'): LabelCheck {
    const refusal = this.#refusalOf(label);
    if (!refusal) return { ok: true, carrier: label.carrier! };
    this.#refuse(actor, label, refusal);
    return { ok: false, ...refusal };
  }

  #refusalOf(label: ReturnLabel): (LabelRefusal & { parcel?: Parcel }) | null {
    const inside = this.#ledger.parcels.activeWithTracking(label.tracking);
    if (inside) return inside.direction === 'outbound' ? { reason: 'already_inside', compartmentId: inside.compartmentId, parcel: inside } : { reason: 'own_delivery', compartmentId: inside.compartmentId, parcel: inside };
    const delivered = this.#ledger.parcels.inboundWithTracking(label.tracking);
    if (delivered) return { reason: 'own_delivery', compartmentId: delivered.compartmentId, parcel: delivered };
    if (this.#ledger.expectedDeliveries.unitFor(label.tracking, this.#now()) !== undefined) return { reason: 'own_delivery', compartmentId: null };
    if (label.carrier === null) return { reason: 'unknown_carrier' };
    return null;
  }

  #refuse(actor: string, label: ReturnLabel, refusal: LabelRefusal & { parcel?: Parcel }): void {
    if (refusal.reason === 'unknown_carrier') {
      // No parcel of ours: what was scanned may be anything (a keyed code even), so only its length.
      this.#refusals.record(actor, 'return.refused', { reason: 'unknown_carrier', length: label.tracking.length, keyed: label.keyed });
      this.#log.info({ length: label.tracking.length, keyed: label.keyed }, 'return refused: no carrier recognised on the label');
      return;
    }
    const parcelId = refusal.parcel?.id ?? null;
    const detail = { reason: refusal.reason, tracking: label.tracking, carrier: label.carrier, keyed: label.keyed, parcelId, compartmentId: refusal.compartmentId };
    const key = parcelId ?? `expected:${label.tracking}`;
    if (this.#refusalReported.has(key)) {
      this.#refusals.record(actor, 'return.refused', detail);
    } else {
      const now = this.#now();
      this.#ledger.transaction(() => {
        this.#ledger.audit.record({ at: now, actor, action: 'return.refused', compartmentId: refusal.compartmentId, parcelId, detail });
        this.#ledger.outbox.append('return.refused', now, { reason: refusal.reason, tracking: label.tracking, carrier: label.carrier, parcelId, compartmentId: refusal.compartmentId });
      });
      if (this.#refusalReported.size >= 1000) this.#refusalReported.clear();
      this.#refusalReported.add(key);
    }
    this.#log.info({ reason: refusal.reason, tracking: label.tracking, parcelId, compartmentId: refusal.compartmentId }, 'return label refused');
  }

  /**
   * Reserves a free compartment of the size asked for (or the next size up) and opens it; its
   * close deposits the return. A door that does not open is taken out of service and another
   * compartment is tried, as for a courier's deposit (up to `doors.maxAllocationAttempts`).
   */
  async deposit(req: ReturnDepositRequest): Promise<ReturnDepositResult> {
    const unit = this.#ledger.people.unit(req.unit);
    if (!unit) {
      this.#refusals.record('kiosk', 'return.unit_unknown', { length: req.unit.length, reason: 'no such unit' }); // never the entry: it may be a code
      return { ok: false, reason: 'unknown_unit' };
    }
    const actor = `resident:${unit.id}`;
    // The kiosk checked at the scan; checked again here so no path can store a label twice.
    const check = this.checkLabel(req.label, actor);
    if (!check.ok) {
      const { ok: _ok, ...refusal } = check;
      return { ok: false, refused: true, ...refusal };
    }
    const tried: string[] = [];
    for (let attempt = 0; attempt < this.#config.doors.maxAllocationAttempts; attempt++) {
      const choice = chooseCompartment(freeCompartmentsNow(this.#ledger, this.#boards), { size: req.size, accessibleOnly: unit.accessible, exclude: new Set(tried) });
      if (!choice.ok) {
        if (tried.length > 0) break;
        this.#refusals.record(actor, 'return.refused_full', { reason: 'no free compartment', size: req.size, fullSizes: choice.fullSizes, carrier: check.carrier });
        this.#log.info({ unit: unit.id, size: req.size, fullSizes: choice.fullSizes }, 'return refused: no free compartment of a fitting size');
        return { ok: false, reason: 'full', fullSizes: choice.fullSizes };
      }
      const compartment = choice.compartment;
      tried.push(compartment.id);
      const now = this.#now();
      const parcelId = uuidv7(now);
      const { outcome } = await this.#doors.open(
        { compartment, purpose: 'return_deposit', parcelId, actor, detail: { tracking: req.label.tracking, carrier: check.carrier } },
        {
          prepare: () => this.#ledger.parcels.reserveReturn({ id: parcelId, unit: unit.id, size: compartment.size, compartmentId: compartment.id, carrier: check.carrier, tracking: req.label.tracking, reservedAt: now }),
          failed: (result, at) => endFailedReservation(this.#ledger, compartment.id, parcelId, `door did not open for a return (${result})`, result, at),
        },
      );
      if (outcome === 'confirmed_open') {
        this.#log.info({ compartmentId: compartment.id, parcelId, unit: unit.id, carrier: check.carrier, tracking: req.label.tracking }, 'return door open');
        return { ok: true, parcelId, compartmentId: compartment.id, size: compartment.size };
      }
      this.#log.warn({ compartmentId: compartment.id, outcome }, 'return door did not open; compartment taken out of service, trying another');
    }
    return { ok: false, reason: 'doors_failed', tried };
  }

  /**
   * The resident changed their mind while the door stands open (`*`): the reservation ends and the
   * door, released, closes empty and quietly. False when the return is no longer reserved.
   */
  cancelDeposit(parcelId: string): boolean {
    const parcel = this.#ledger.parcels.get(parcelId);
    if (!parcel || parcel.direction !== 'outbound' || parcel.state !== 'reserved') return false;
    const op = this.#ledger.doorOperations.activeFor(parcel.compartmentId).find((o) => o.parcelId === parcelId);
    const now = this.#now();
    this.#ledger.transaction(() => {
      if (op) this.#doors.release(op, now, 'return cancelled');
      this.#ledger.parcels.end(parcelId, 'reserved', 'cancelled', now);
      this.#ledger.audit.record({ at: now, actor: `resident:${parcel.unit}`, action: 'return.cancelled', compartmentId: parcel.compartmentId, parcelId, detail: { reason: 'cancelled at the open door' } });
    });
    this.#log.info({ parcelId, compartmentId: parcel.compartmentId }, 'return cancelled by the resident at the open door');
    return true;
  }

  /** The return's state now (the kiosk follows its door). */
  state(parcelId: string): ParcelState | undefined {
    const p = this.#ledger.parcels.get(parcelId);
    return p?.direction === 'outbound' ? p.state : undefined;
  }

  /** The return's close: it waits for its carrier. Inside the close's transaction. */
  #deposited({ op, compartment, at, openedAt }: ClosedDoor): () => void {
    const parcel = op.parcelId ? this.#ledger.parcels.get(op.parcelId) : undefined;
    if (!parcel || !this.#ledger.parcels.markReturnDeposited(parcel.id, at)) throw new Error(`return operation ${op.id} has no reserved return: the ledger is inconsistent`);
    this.#ledger.audit.record({ at, actor: op.actor, action: 'return.deposited', compartmentId: compartment.id, parcelId: parcel.id, detail: { operation: op.id, openedAt, carrier: parcel.carrier, tracking: parcel.tracking } });
    this.#ledger.outbox.append('return.deposited', at, { parcelId: parcel.id, compartmentId: compartment.id, size: compartment.size, carrier: parcel.carrier!, tracking: parcel.tracking!, unit: parcel.unit });
    return () => this.#log.info({ compartmentId: compartment.id, parcelId: parcel.id, carrier: parcel.carrier }, 'return deposited');
  }

  // --- the courier's collection ------------------------------------------------------------

  /** Returns this courier can collect now: their carrier's, in a compartment in service whose board answers and whose door is not busy. */
  #collectable(courier: Courier, skip: ReadonlySet<string> = new Set()): { parcel: Parcel; compartment: Compartment }[] {
    const out: { parcel: Parcel; compartment: Compartment }[] = [];
    for (const parcel of this.#ledger.parcels.returnsWaitingFor(courier.carrier)) {
      if (skip.has(parcel.id) || this.#doors.busy(parcel.compartmentId)) continue;
      const compartment = this.#ledger.compartments.get(parcel.compartmentId);
      if (!compartment || compartment.outOfService !== null || this.#boards.answering([compartment]).length === 0) continue;
      out.push({ parcel, compartment });
    }
    return out;
  }

  /** How many returns wait for this courier's carrier (what the kiosk tells them at login). */
  waitingFor(courier: Courier): number {
    return this.#collectable(courier).length;
  }

  /**
   * Opens the door of the oldest return waiting for this courier's carrier (skipping `skip`: the
   * ones already tried in this session). A door that does not open is reported
   * (`compartment.fault`; the return stays) and the next return's door is tried.
   */
  async collectNext(courier: Courier, skip: ReadonlySet<string> = new Set()): Promise<ReturnCollectResult> {
    const actor = `courier:${courier.id}`;
    const tried: string[] = [];
    const failed: string[] = [];
    const skipped = new Set(skip);
    for (;;) {
      const next = this.#collectable(courier, skipped)[0];
      if (!next) return tried.length > 0 ? { ok: false, reason: 'doors_failed', tried } : { ok: false, reason: 'none_waiting' };
      const { parcel, compartment } = next;
      skipped.add(parcel.id);
      tried.push(compartment.id);
      const { outcome } = await this.#doors.open(
        { compartment, purpose: 'return_collect', parcelId: parcel.id, actor, detail: { carrier: parcel.carrier, tracking: parcel.tracking } },
        { failed: (result, at) => this.#ledger.outbox.append('compartment.fault', at, { compartmentId: compartment.id, reason: `door did not open for a return collection (${result})`, outcome: result, parcelId: parcel.id }) },
      );
      if (outcome === 'confirmed_open') {
        this.#log.info({ compartmentId: compartment.id, parcelId: parcel.id, courier: courier.id }, 'return collection door open');
        return { ok: true, parcelId: parcel.id, compartmentId: compartment.id, tracking: parcel.tracking, remaining: this.#collectable(courier, skipped).length, failed };
      }
      failed.push(parcel.id);
      this.#log.warn({ compartmentId: compartment.id, outcome, parcelId: parcel.id }, 'return collection door did not open; the return stays, trying the next');
    }
  }

  /**
   * The courier says they took the return out of its open door. Recorded durably (audit row and
   * the operation noted as taken), so the door's close, even after a restart, is the collection.
   * False when no collection door is open for this return.
   */
  confirmTaken(parcelId: string, courier: Courier): boolean {
    const parcel = this.#ledger.parcels.get(parcelId);
    if (!parcel || parcel.direction !== 'outbound' || parcel.state !== 'deposited') return false;
    const op = this.#ledger.doorOperations.activeFor(parcel.compartmentId).find((o) => o.parcelId === parcelId && o.purpose === 'return_collect');
    if (!op) return false;
    const now = this.#now();
    this.#ledger.transaction(() => {
      markTaken(this.#ledger.meta, op.id, courier.id);
      this.#ledger.audit.record({ at: now, actor: `courier:${courier.id}`, action: 'return.taken', compartmentId: parcel.compartmentId, parcelId, detail: { operation: op.id } });
    });
    return true;
  }

  /** A collection door shut: collected if the courier confirmed, else the return waits on. Inside the close's transaction. */
  #collectDoorClosed(op: DoorOperation, compartment: Compartment, at: number, openedAt: number | null): () => void {
    const parcel = op.parcelId ? this.#ledger.parcels.get(op.parcelId) : undefined;
    if (!parcel) throw new Error(`return collection ${op.id} has no parcel: the ledger is inconsistent`);
    const courierId = clearTaken(this.#ledger.meta, op.id);
    if (courierId === undefined || !this.#ledger.parcels.markReturnCollected(parcel.id, courierId, at)) {
      this.#ledger.audit.record({ at, actor: op.actor, action: 'return.not_collected', compartmentId: compartment.id, parcelId: parcel.id, detail: { operation: op.id, openedAt, reason: 'door closed without the courier confirming the return was taken' } });
      return () => this.#log.info({ compartmentId: compartment.id, parcelId: parcel.id }, 'return collection door closed unconfirmed; the return stays');
    }
    this.#ledger.audit.record({ at, actor: `courier:${courierId}`, action: 'return.collected', compartmentId: compartment.id, parcelId: parcel.id, detail: { operation: op.id, openedAt, carrier: parcel.carrier, tracking: parcel.tracking } });
    this.#ledger.outbox.append('return.collected', at, { parcelId: parcel.id, compartmentId: compartment.id, courierId, carrier: parcel.carrier!, tracking: parcel.tracking! });
    return () => this.#log.info({ compartmentId: compartment.id, parcelId: parcel.id, courier: courierId }, 'return collected');
  }

  /**
   * A restart interrupted a collection and its door is shut now. Confirmed taken before the
   * restart: collected. Unconfirmed: nobody knows whether it was taken; the return stays in the
   * ledger and the compartment is out of service until staff check it. Inside its transaction.
   */
  #collectInterrupted(op: DoorOperation, compartment: Compartment, at: number): void {
    if (!op.parcelId) return;
    if (readTaken(this.#ledger.meta)[String(op.id)] !== undefined) {
      this.#collectDoorClosed(op, compartment, at, null);
      return;
    }
    const reason = 'a restart interrupted a return collection; check whether the return is still inside';
    this.#ledger.compartments.setOutOfService(compartment.id, reason);
    this.#ledger.outbox.append('compartment.needs_inspection', at, { compartmentId: compartment.id, reason, parcelId: op.parcelId });
  }
}

function readTaken(meta: MetaStore): Record<string, string> {
  const raw = meta.get(TAKEN_KEY);
  if (raw === undefined) return {};
  try {
    const value = JSON.parse(raw) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function markTaken(meta: MetaStore, operation: number, courierId: string): void {
  meta.set(TAKEN_KEY, JSON.stringify({ ...readTaken(meta), [String(operation)]: courierId }));
}

/** The courier who confirmed taking this operation's return, if one did; forgets it. */
function clearTaken(meta: MetaStore, operation: number): string | undefined {
  const all = readTaken(meta);
  const courierId = all[String(operation)];
  if (courierId === undefined) return undefined;
  delete all[String(operation)];
  meta.set(TAKEN_KEY, JSON.stringify(all));
  return courierId;
}
