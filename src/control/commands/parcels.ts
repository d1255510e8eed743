import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ParcelState } from '../../ledger/parcels.js';
import { formatDuration } from '../../locker/hold-policy.js';
import { DATE_FORMS, parcelIdOf, parseExportDate, ProofOfDeliveryReader, type ProofOfDelivery } from '../../locker/proof-of-delivery.js';
import { CommandError } from '../protocol.js';
import type { CommandHandler } from '../server.js';
import { limit } from './args.js';
import type { LedgerContext } from './context.js';

const PARCEL_STATES: readonly ParcelState[] = ['reserved', 'deposited', 'picked_up', 'cancelled', 'expired', 'returned', 'recalled', 'collected'];

/**
 * How long an export may hold the event loop at a time (ms): the kiosk shares it, and a resident's
 * `#` to the first unlock byte has 15 ms at p99 (bench:export measures the loop meanwhile).
 */
export const EXPORT_SLICE_MS = 2;

/** What an export ends with (the stream's final result). */
export interface ExportSummary {
  parcels: number;
  since: string | null;
  until: string;
}

export function parcelIdArg(args: Record<string, unknown>): string {
  const v = args.id;
  if (typeof v !== 'string' || v.length === 0) throw new CommandError('missing argument "id": the parcel id (see lockerctl parcels)', 'usage');
  const id = v.length <= 64 ? parcelIdOf(v) : null;
  // The text is not echoed: a mistyped id may be a resident's code.
  if (id === null) throw new CommandError(`"id" is not a parcel id (${v.length} characters); a parcel id is a UUID such as 01935c1e-7c2a-7000-8000-000000000001 (see lockerctl parcels)`, 'usage');
  return id;
}

function sinceArg(args: Record<string, unknown>, now: number): number | null {
  const v = args.since;
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length > 40) throw new CommandError(`"since" must be ${DATE_FORMS}`, 'usage');
  const ms = parseExportDate(v);
  if (ms === null) throw new CommandError(`"since" must be ${DATE_FORMS}, not "${v}"`, 'usage');
  if (ms > now) throw new CommandError(`"since" ${new Date(ms).toISOString()} is later than the locker's clock (${new Date(now).toISOString()}): nothing to export`, 'refused');
  return ms;
}

/** `parcels`: a list, newest first; `state: "expired"` lists those whose hold ended, oldest first. A read. */
export function parcelListCommands(ctx: Pick<LedgerContext, 'ledger' | 'expiredParcels'>): Map<string, CommandHandler> {
  const handlers = new Map<string, CommandHandler>();
  handlers.set('parcels', (args) => {
    const state = args.state;
    if (state !== undefined && !PARCEL_STATES.includes(state as ParcelState)) {
      throw new CommandError(`unknown parcel state "${String(state)}" (one of ${PARCEL_STATES.join(', ')})`, 'usage');
    }
    // The parcels whose hold ended: still inside, so their ledger state stays `deposited` (src/locker/holds.ts).
    if (state === 'expired') {
      return ctx.expiredParcels(limit(args, 100)).map((p) => ({
        id: p.parcelId,
        state: 'expired',
        unit: p.unit,
        compartmentId: p.compartmentId,
        size: p.size,
        carrier: p.carrier,
        tracking: p.tracking,
        depositedAt: p.depositedAt && new Date(p.depositedAt).toISOString(),
        expiresAt: new Date(p.expiresAt).toISOString(),
        expiredAt: new Date(p.expiredAt).toISOString(),
        overdueSeconds: Math.floor(p.overdueMs / 1000),
        overdue: formatDuration(p.overdueMs),
        codeStopped: p.codeStopped,
      }));
    }
    return ctx.ledger.parcels.list({ state: state as ParcelState | undefined, limit: limit(args, 100) }).map((p) => ({
      ...p,
      reservedAt: new Date(p.reservedAt).toISOString(),
      depositedAt: p.depositedAt && new Date(p.depositedAt).toISOString(),
      expiresAt: p.expiresAt && new Date(p.expiresAt).toISOString(),
      endedAt: p.endedAt && new Date(p.endedAt).toISOString(),
    }));
  });
  return handlers;
}

/**
 * `parcel.show` (one parcel's proof of delivery) and `parcels.export` (a stream of them, oldest
 * first, one record per event; the final result is an ExportSummary). Both are reads: nothing is
 * audited, and the control server hides any credential as in every answer.
 */
export function parcelCommands(ctx: { ledger: LedgerContext['ledger']; now?: () => number; sliceMs?: number }): Map<string, CommandHandler> {
  const now = ctx.now ?? Date.now;
  const sliceMs = ctx.sliceMs ?? EXPORT_SLICE_MS;
  const handlers = new Map<string, CommandHandler>();

  handlers.set('parcel.show', (args) => {
    const id = parcelIdArg(args);
    const record = new ProofOfDeliveryReader(ctx.ledger).forParcel(id, now());
    if (!record) throw new CommandError(`no parcel ${id} in this locker's ledger; see lockerctl parcels`, 'not_found');
    return record;
  });

  handlers.set('parcels.export', (args, { signal }) => {
    const until = now();
    const since = sinceArg(args, until);
    const reader = new ProofOfDeliveryReader(ctx.ledger);
    // Paged by parcel id, one time-boxed slice per turn of the event loop; the control server
    // writes each record as it comes and waits for a slow reader, so memory stays at one slice
    // whatever the ledger holds.
    async function* records(): AsyncGenerator<ProofOfDelivery, ExportSummary> {
      let after: string | null = null;
      let count = 0;
      for (;;) {
        const { records: slice, done } = reader.slice(after, since ?? 0, until, sliceMs);
        for (const r of slice) yield r;
        count += slice.length;
        if (done || signal.aborted) break;
        after = slice.at(-1)!.parcelId;
        await nextTurn();
      }
      return { parcels: count, since: since === null ? null : new Date(since).toISOString(), until: new Date(until).toISOString() };
    }
    return records();
  });

  return handlers;
}
