/**
 * Upstream's `pickup.authorise` and `pickup.revoke`: who else may collect a unit's parcels at the
 * front desk. Validated by the contract's schemas before they get here; these judge them against
 * the ledger, throw Refusal (changing nothing) when they do not fit, and run inside the command's
 * transaction with their audit row and event.
 */
import type { Ledger } from '../ledger/ledger.js';
import { Refusal } from './administration.js';

/** How far ahead an authorisation may run: a standing one is upstream's to renew. */
export const MAX_AUTHORISATION_MS = 90 * 86_400_000;

export interface AuthoriseData {
  authorisationId: string;
  unit: string;
  collector: string;
  parcelId?: string;
  expiresAt: string;
}

export function authorisePickup(ledger: Ledger, d: AuthoriseData, now: number, actor: string, commandId: string): void {
  const collector = d.collector.trim();
  if (collector === '') throw new Refusal('collector: the name is blank; send the name staff will check');
  const expiresAt = Date.parse(d.expiresAt);
  if (expiresAt <= now) throw new Refusal(`expiresAt ${d.expiresAt} is already past`);
  if (expiresAt - now > MAX_AUTHORISATION_MS) throw new Refusal(`expiresAt is more than ${MAX_AUTHORISATION_MS / 86_400_000} days ahead; send a shorter authorisation and renew it`);
  const parcelId = d.parcelId ?? null;
  const existing = ledger.authorisations.get(d.authorisationId);
  if (existing) {
    // Idempotent: the same authorisation again is done; the same id for something else is a mistake upstream.
    if (existing.unit === d.unit && existing.collector === collector && existing.parcelId === parcelId && existing.expiresAt === expiresAt) return;
    throw new Refusal(`authorisation ${d.authorisationId} exists with other data; authorisations are not edited: revoke it and send a new id`);
  }
  if (!ledger.people.unit(d.unit)) throw new Refusal(`unit ${d.unit} does not exist here`);
  if (parcelId !== null) {
    const parcel = ledger.parcels.get(parcelId);
    if (!parcel || parcel.unit !== d.unit) throw new Refusal(`parcel ${parcelId} is not a parcel of unit ${d.unit}`);
    if (parcel.state !== 'deposited' && parcel.state !== 'reserved') throw new Refusal(`parcel ${parcelId} is no longer waiting (${parcel.state})`);
  }
  ledger.authorisations.add({ id: d.authorisationId, unit: d.unit, collector, parcelId, createdAt: now, expiresAt });
  ledger.audit.record({ at: now, actor, action: 'pickup.authorised', ...(parcelId ? { parcelId } : {}), detail: { authorisationId: d.authorisationId, unit: d.unit, expiresAt: d.expiresAt } });
  ledger.outbox.append('pickup.authorised', now, { authorisationId: d.authorisationId, unit: d.unit, collector, parcelId, expiresAt: new Date(expiresAt).toISOString(), commandId });
}

export function revokePickupAuthorisation(ledger: Ledger, authorisationId: string, now: number, actor: string, commandId: string): void {
  const existing = ledger.authorisations.get(authorisationId);
  if (!existing) throw new Refusal(`authorisation ${authorisationId} does not exist`);
  if (existing.revokedAt !== null) return;
  if (existing.usedAt !== null) throw new Refusal(`authorisation ${authorisationId} was already used at ${new Date(existing.usedAt).toISOString()}`);
  ledger.authorisations.revoke(authorisationId, now);
  ledger.audit.record({ at: now, actor, action: 'pickup.authorisation_revoked', detail: { authorisationId, unit: existing.unit } });
  ledger.outbox.append('pickup.authorisation_revoked', now, { authorisationId, unit: existing.unit, commandId });
}
