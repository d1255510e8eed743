import type { LockerdConfig } from '../config/types.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Parcel } from '../ledger/parcels.js';
import { issueCode } from './code-issuer.js';
import { HoldPolicy } from './hold-policy.js';

export interface RecordedDeposit {
  codeId: number;
  /** A new code was issued (the event carries it); false when the parcel joined the unit's live code. */
  newCode: boolean;
  expiresAt: number;
}

/**
 * A reserved parcel is in: its hold starts, its unit's code covers it (the live one, or a new one
 * issued now), the audit row and the `parcel.deposited` event that notifies the resident (with
 * `placeId` for a shelf or desk place). Shared by a locker's door close and a desk's intake;
 * must run inside the caller's transaction.
 */
export function recordDeposit(
  ledger: Ledger,
  config: Pick<LockerdConfig, 'holds' | 'codes' | 'kioskId'>,
  d: { parcel: Parcel; compartmentId: string; size: Parcel['size']; at: number; actor: string; detail: Record<string, unknown>; random?: (max: number) => number },
): RecordedDeposit {
  const { parcel, at } = d;
  const expiresAt = at + new HoldPolicy(config.holds).holdMs(d.size);
  // One code covers every parcel waiting for the same unit: reuse the live one if there is one.
  const live = ledger.codes.liveForUnit(parcel.unit);
  const fresh = live ? null : issueCode(ledger, parcel.unit, at, config.codes.length, config.kioskId, d.random);
  const codeId = live ? live.id : fresh!.codeId;
  ledger.parcels.markDeposited(parcel.id, codeId, at, expiresAt);
  ledger.audit.record({ at, actor: d.actor, action: 'parcel.deposited', compartmentId: d.compartmentId, parcelId: parcel.id, detail: { ...d.detail, codeId, newCode: fresh !== null, ...(parcel.placeId !== null ? { placeId: parcel.placeId } : {}) } });
  ledger.outbox.append('parcel.deposited', at, {
    parcelId: parcel.id,
    compartmentId: d.compartmentId,
    ...(parcel.placeId !== null ? { placeId: parcel.placeId } : {}),
    size: d.size,
    unit: parcel.unit,
    carrier: parcel.carrier,
    tracking: parcel.tracking,
    courierId: parcel.courierId,
    codeId,
    // Only a new code travels; a parcel joining a live code refers to it by id.
    ...(fresh ? { code: fresh.code, pickupQr: fresh.pickupQr } : {}),
    expiresAt: new Date(expiresAt).toISOString(),
  });
  return { codeId, newCode: fresh !== null, expiresAt };
}
