/**
 * Proof of delivery: for one parcel, the record a property manager shows in a dispute. Who
 * brought it (courier, carrier, tracking), where it went (compartment), when the deposit door
 * opened and closed, when and how it left (pickup with which credential, or returned, recalled,
 * cancelled, expired: when and by whom), and every movement of that compartment's door meanwhile,
 * commanded or not. Built from the ledger only (parcels, couriers, door_operations, audit), never
 * from a code, PIN, token or code hash: the code's id is as far as it goes.
 *
 * `buildProofOfDelivery` is pure (rows in, record out); `ProofOfDeliveryReader` reads the rows.
 */
import type { AuditRecord } from '../ledger/audit.js';
import type { DoorOperation } from '../ledger/door-operations.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Parcel } from '../ledger/parcels.js';
import type { Signature } from '../ledger/signatures.js';
import { uuidv7Floor } from '../ledger/uuidv7.js';
import { canonicalRecord, PAD, signatureHash } from './desk-signature.js';

/**
 * How the resident's pickup was authorised, as the `parcel.picked_up` audit row's `via` says.
 * `unknown`: a row written before lockerd recorded it.
 */
export type PickupCredential = 'code' | 'qr' | 'staff' | 'unknown';
const CREDENTIALS: readonly PickupCredential[] = ['code', 'qr', 'staff'];

/** A door movement the locker commanded (a `door_operations` row). Times are ISO 8601 UTC. */
export interface CommandedMovement {
  kind: 'operation';
  operationId: number;
  compartmentId: string;
  /** deposit, pickup, technician, remote (and whatever purposes later flows add). */
  purpose: string;
  actor: string;
  /** The parcel the door was opened for, if any: this one, another (a shared compartment), or none. */
  parcelId: string | null;
  /** Why, when someone gave a reason (technician, remote, staff). */
  reason: string | null;
  /** How the person who asked proved who they are (code, qr, pin, badge, staff); null when not recorded. */
  credential: string | null;
  /** closed, failed, abandoned, or intent/opened while under way. */
  state: string;
  outcome: string | null;
  requestedAt: string;
  openedAt: string | null;
  endedAt: string | null;
}

/** A door event nobody commanded, from the audit trail: forced open, left open, a close of such a door... */
export interface DoorEvent {
  kind: 'event';
  compartmentId: string;
  /** The audit action, e.g. `door.forced_open`, `door.left_open`, `door.closed`. */
  action: string;
  actor: string;
  at: string;
  detail: Record<string, unknown> | null;
}

export type DoorMovement = CommandedMovement | DoorEvent;

export interface ProofOfDelivery {
  parcelId: string;
  state: string;
  unit: string;
  size: string;
  compartmentId: string;
  /** The carrier on the label (or the courier's when the label named none). */
  carrier: string | null;
  tracking: string | null;
  /** The courier who deposited it and their company, as the ledger knows them now. */
  courier: { id: string; carrier: string | null } | null;
  /** Which retrieval code (by id) opened or would open it; never the code. */
  codeId: number | null;
  reservedAt: string;
  /** The courier's door: when it opened and closed; the parcel counts as deposited at the close. */
  deposit: { operationId: number | null; doorOpenedAt: string | null; doorClosedAt: string | null; depositedAt: string } | null;
  expiresAt: string | null;
  pickup: { at: string; actor: string; via: PickupCredential; operationId: number | null; doorOpenedAt: string | null; doorClosedAt: string | null } | null;
  /** How the parcel's stay ended (picked up, returned, recalled, cancelled, expired), when and by whom; null while it is in the locker. */
  ended: { state: string; at: string; actor: string | null; action: string | null; reason: string | null } | null;
  /** The time the door movements cover: from the reservation to the end (`to` null: still in the locker, up to now). */
  window: { from: string; to: string | null };
  /** Every movement of this compartment's door in the window, and of any other door opened for this parcel, in time order. */
  doorMovements: DoorMovement[];
  /** The parcel's own audit rows, oldest first. */
  history: { at: string; actor: string; action: string; compartmentId: string | null; detail: Record<string, unknown> | null }[];
  /** The shelf or desk place it was on (`compartmentId` is then the room or desk); null in a locker. */
  placeId: string | null;
  /** Who collected it for the resident (an authorised collector), by name; null: the resident. */
  collector: string | null;
  /**
   * The signature of a front-desk pickup (docs/front-desk.md): what was signed, the path, its
   * SHA-256 over `canonical` (the exact text hashed), and whether the stored hash still matches.
   */
  signature: ProofSignature | null;
}

export interface ProofSignature {
  id: number;
  at: string;
  desk: string;
  staffId: string;
  /** The unit the signer collected for. */
  unit: string;
  collector: string | null;
  /** The signed statement, word for word. */
  statement: string;
  /** Every parcel of that one signature (several may be handed over at once), sorted. */
  parcels: string[];
  /** SVG path data in the pad's space (`width` x `height`): `M x y` per stroke, then relative `l dx dy ...`. */
  path: string;
  pad: { width: number; height: number };
  sha256: string;
  /** The canonical record the hash is over: sha256(canonical as UTF-8) must equal `sha256`. */
  canonical: string;
  /** The hash recomputed now matches the stored one. */
  hashVerifies: boolean;
}

/** The rows one record is built from (ProofOfDeliveryReader reads them). */
export interface ProofRows {
  parcel: Parcel;
  courier: { id: string; carrier: string } | undefined;
  /** The parcel's audit rows (any compartment), oldest first. */
  parcelAudit: AuditRecord[];
  /** The compartment's audit rows in the window, in time order. */
  compartmentAudit: AuditRecord[];
  /** The compartment's operations in the window plus any other operation for this parcel. */
  operations: DoorOperation[];
  /** The front-desk signature of its pickup, if any. */
  signature?: Signature;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** The operation an audit row names in its detail (`operation: <id>`), if any. */
function operationOf(row: AuditRecord): number | null {
  const op = row.detail?.operation;
  return typeof op === 'number' && Number.isSafeInteger(op) ? op : null;
}

function textOf(row: AuditRecord | undefined, field: string): string | null {
  const v = row?.detail?.[field];
  return typeof v === 'string' ? v : null;
}

/**
 * Audit rows that only restate an operation already listed (its request, its failure, its
 * abandonment, its close): the operation row says it. A released door's close (a parcel too big
 * for it) is news: the operation ended when the courier asked for a bigger door, the door shut later.
 */
function restatesOperation(row: AuditRecord, listed: ReadonlySet<number>): boolean {
  const op = operationOf(row);
  if (op === null || !listed.has(op)) return false;
  if (row.action === 'door.closed') return row.detail?.released !== true;
  return row.action === 'door.unlock_requested' || row.action === 'door.unlock_failed' || row.action === 'door.operation_abandoned';
}

/** The newest row matching `test`. */
function latest(rows: readonly AuditRecord[], test: (r: AuditRecord) => boolean): AuditRecord | undefined {
  for (let i = rows.length - 1; i >= 0; i--) if (test(rows[i]!)) return rows[i];
  return undefined;
}

/** Builds the record from its rows. Pure. */
export function buildProofOfDelivery(rows: ProofRows): ProofOfDelivery {
  const { parcel: p, parcelAudit, compartmentAudit } = rows;
  const operations = new Map<number, DoorOperation>();
  for (const op of rows.operations) operations.set(op.id, op);
  const listed = new Set(operations.keys());

  // Reasons are written with the request, in the audit row (door_operations has no column for them).
  const reasons = new Map<number, string>();
  for (const r of [...compartmentAudit, ...parcelAudit]) {
    const op = operationOf(r);
    const reason = textOf(r, 'reason');
    if (r.action === 'door.unlock_requested' && op !== null && reason !== null) reasons.set(op, reason);
  }

  const movements: { at: number; order: number; movement: DoorMovement }[] = [];
  for (const op of operations.values()) {
    movements.push({
      at: op.requestedAt,
      order: op.id,
      movement: {
        kind: 'operation', operationId: op.id, compartmentId: op.compartmentId, purpose: op.purpose, actor: op.actor, parcelId: op.parcelId,
        reason: reasons.get(op.id) ?? null, credential: op.credential ?? null, state: op.state, outcome: op.outcome,
        requestedAt: iso(op.requestedAt), openedAt: isoOrNull(op.openedAt), endedAt: isoOrNull(op.endedAt),
      },
    });
  }
  const seen = new Set<number>();
  for (const r of [...compartmentAudit, ...parcelAudit]) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    const compartmentId = r.compartmentId;
    if (!r.action.startsWith('door.') || restatesOperation(r, listed) || compartmentId == null) continue;
    movements.push({ at: r.at, order: r.id, movement: { kind: 'event', compartmentId, action: r.action, actor: r.actor, at: iso(r.at), detail: r.detail ?? null } });
  }
  // Time order; at the same millisecond operations first (by id), then events (by audit id).
  movements.sort((a, b) => a.at - b.at || Number(a.movement.kind === 'event') - Number(b.movement.kind === 'event') || a.order - b.order);

  const depositRow = latest(parcelAudit, (r) => r.action === 'parcel.deposited');
  const depositOpId = (depositRow && operationOf(depositRow)) ?? latestOperation(operations, p.id, 'deposit');
  const depositOp = depositOpId === null ? undefined : operations.get(depositOpId);
  const deposit =
    p.depositedAt === null
      ? null
      : { operationId: depositOpId, doorOpenedAt: isoOrNull(depositOp?.openedAt ?? null), doorClosedAt: isoOrNull(depositOp?.endedAt ?? null), depositedAt: iso(p.depositedAt) };

  const pickupRow = p.state === 'picked_up' ? latest(parcelAudit, (r) => r.action === 'parcel.picked_up') : undefined;
  let pickup: ProofOfDelivery['pickup'] = null;
  if (p.state === 'picked_up') {
    const opId = (pickupRow && operationOf(pickupRow)) ?? latestOperation(operations, p.id, 'pickup');
    const op = opId === null ? undefined : operations.get(opId);
    const via = textOf(pickupRow, 'via');
    pickup = {
      at: iso(pickupRow?.at ?? p.endedAt ?? p.reservedAt),
      actor: pickupRow?.actor ?? op?.actor ?? 'unknown',
      via: CREDENTIALS.includes(via as PickupCredential) ? (via as PickupCredential) : 'unknown',
      operationId: opId,
      doorOpenedAt: isoOrNull(op?.openedAt ?? null),
      doorClosedAt: isoOrNull(op?.endedAt ?? null),
    };
  }

  let ended: ProofOfDelivery['ended'] = null;
  if (p.endedAt !== null) {
    // The row that says so (parcel.<state>); else what happened at that moment (a door that did
    // not open cancels a reservation); else the parcel's last row.
    const row =
      latest(parcelAudit, (r) => r.action === `parcel.${p.state}`) ??
      latest(parcelAudit, (r) => r.at === p.endedAt) ??
      parcelAudit.at(-1);
    ended = { state: p.state, at: iso(p.endedAt), actor: row?.actor ?? null, action: row?.action ?? null, reason: textOf(row, 'reason') ?? textOf(row, 'outcome') };
  }

  return {
    parcelId: p.id,
    state: p.state,
    unit: p.unit,
    size: p.size,
    compartmentId: p.compartmentId,
    carrier: p.carrier,
    tracking: p.tracking,
    courier: p.courierId === null ? null : { id: p.courierId, carrier: rows.courier?.carrier ?? null },
    codeId: p.codeId,
    reservedAt: iso(p.reservedAt),
    deposit,
    expiresAt: isoOrNull(p.expiresAt),
    pickup,
    ended,
    window: { from: iso(p.reservedAt), to: isoOrNull(p.endedAt) },
    doorMovements: movements.map((m) => m.movement),
    history: parcelAudit.map((r) => ({ at: iso(r.at), actor: r.actor, action: r.action, compartmentId: r.compartmentId ?? null, detail: r.detail ?? null })),
    placeId: p.placeId,
    collector: p.collector,
    signature: rows.signature ? proofSignature(rows.signature) : null,
  };
}

function proofSignature(s: Signature): ProofSignature {
  return {
    id: s.id, at: iso(s.at), desk: s.desk, staffId: s.staffId, unit: s.unit, collector: s.collector, statement: s.statement,
    parcels: s.parcels, path: s.path, pad: { ...PAD }, sha256: s.sha256, canonical: canonicalRecord(s), hashVerifies: signatureHash(s) === s.sha256,
  };
}

/** The newest closed operation of `purpose` for this parcel (rows older than the audit's `operation` field). */
function latestOperation(operations: ReadonlyMap<number, DoorOperation>, parcelId: string, purpose: string): number | null {
  let found: DoorOperation | undefined;
  for (const op of operations.values()) if (op.parcelId === parcelId && op.purpose === purpose && op.state === 'closed' && (!found || op.id > found.id)) found = op;
  return found?.id ?? null;
}

/** A parcel id as lockerd mints them (UUIDv7, also any UUID upstream may name), lower case. */
const PARCEL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The parcel id in canonical (lower-case) form, or null when `text` is not one. */
export function parcelIdOf(text: string): string | null {
  const id = text.trim().toLowerCase();
  return PARCEL_ID.test(id) ? id : null;
}

/** What `parseExportDate` accepts, for refusals. */
export const DATE_FORMS = 'a date (2026-11-01, midnight UTC) or a time with its zone (2026-11-01T08:00:00Z, 2026-11-01T09:00+01:00)';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * `--since DATE` as ms, or null when it is not one of DATE_FORMS or not a real date (2026-02-30).
 * A time without a zone is refused: the kiosk's zone and the technician's may differ.
 */
export function parseExportDate(text: string): number | null {
  const t = text.trim().toUpperCase();
  const d = DATE_ONLY.exec(t);
  const m = d ?? DATE_TIME.exec(t);
  if (!m) return null;
  const [y, mo, da] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.parse(d ? `${t}T00:00:00Z` : t);
  if (!Number.isFinite(ms)) return null;
  // Date.parse rolls 2026-02-30 over to March: check the calendar date survived.
  const local = d ? new Date(ms) : new Date(Date.UTC(y, mo - 1, da));
  if (local.getUTCFullYear() !== y || local.getUTCMonth() !== mo - 1 || local.getUTCDate() !== da) return null;
  if (!d && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return null;
  return ms;
}

/** Records built between two looks at the clock in `slice`. */
const SLICE_STEP = 4;

/** Reads the rows of records from the ledger: one parcel, or all reserved in a time range, page by page. */
export class ProofOfDeliveryReader {
  readonly #couriers = new Map<string, { id: string; carrier: string } | undefined>();

  constructor(private readonly ledger: Ledger) {}

  /** The record of one parcel, or undefined when the ledger has no such parcel. */
  forParcel(id: string, now: number): ProofOfDelivery | undefined {
    const parcel = this.ledger.parcels.get(id);
    return parcel && this.#build(parcel, now, false);
  }

  /**
   * The records of parcels reserved from `from` to `to`, oldest first, at most `limit`, after the
   * parcel id `afterId` (null: from the first). A caller pages with the last id it got.
   */
  page(afterId: string | null, from: number, to: number, limit: number): ProofOfDelivery[] {
    const parcels = this.ledger.parcels.reservedBetween(afterId ?? uuidv7Floor(from), from, to, limit);
    return parcels.map((p) => this.#build(p, to, true));
  }

  /**
   * As many records as `budgetMs` allows (at least a few), in one read transaction: the caller
   * (an export) hands the event loop back between slices, so the kiosk waits at most one slice.
   * `done`: no parcel is left in the range after these.
   */
  slice(afterId: string | null, from: number, to: number, budgetMs: number, clock: () => number = () => performance.now()): { records: ProofOfDelivery[]; done: boolean } {
    const started = clock();
    // Deferred: a read that takes no write lock (Ledger.transaction is BEGIN IMMEDIATE). One
    // snapshot for the slice, and one lock taken instead of one per statement.
    return this.ledger.db.transaction(() => {
      const records: ProofOfDelivery[] = [];
      let after = afterId;
      for (;;) {
        const page = this.page(after, from, to, SLICE_STEP);
        records.push(...page);
        if (page.length < SLICE_STEP) return { records, done: true };
        after = page.at(-1)!.parcelId;
        if (clock() - started >= budgetMs) return { records, done: false };
      }
    })();
  }

  #build(parcel: Parcel, now: number, cacheCouriers: boolean): ProofOfDelivery {
    const { ledger } = this;
    const to = parcel.endedAt ?? Math.max(now, parcel.reservedAt);
    const parcelAudit = ledger.audit.forParcel(parcel.id);
    const compartmentAudit = ledger.audit.forCompartment(parcel.compartmentId, parcel.reservedAt, to);
    const operations = ledger.doorOperations.inCompartment(parcel.compartmentId, parcel.reservedAt, to);
    // Doors opened for this parcel elsewhere (the first compartment of a parcel that did not fit),
    // with what that door's trail says of those operations (a released door's later close).
    const have = new Set(operations.map((o) => o.id));
    for (const r of parcelAudit) {
      const id = operationOf(r);
      if (id === null || have.has(id)) continue;
      have.add(id);
      const op = ledger.doorOperations.get(id);
      if (!op) continue;
      operations.push(op);
      if (op.compartmentId !== parcel.compartmentId) {
        for (const row of ledger.audit.forCompartment(op.compartmentId, op.requestedAt, to)) if (operationOf(row) === id) compartmentAudit.push(row);
      }
    }
    const signature = parcel.signatureId === null ? undefined : ledger.signatures.get(parcel.signatureId);
    return buildProofOfDelivery({ parcel, courier: parcel.courierId === null ? undefined : this.#courier(parcel.courierId, cacheCouriers), parcelAudit, compartmentAudit, operations, ...(signature ? { signature } : {}) });
  }

  /** Couriers are few: an export asks the ledger once per courier, not once per parcel. */
  #courier(id: string, cache: boolean): { id: string; carrier: string } | undefined {
    if (cache && this.#couriers.has(id)) return this.#couriers.get(id);
    const c = this.ledger.people.courier(id);
    const found = c && { id: c.id, carrier: c.carrier };
    if (cache) this.#couriers.set(id, found);
    return found;
  }
}
