import type { Ledger } from '../ledger/ledger.js';
import type { Parcel } from '../ledger/parcels.js';

/**
 * The package room's durable notes: which residents were let in (and when) with parcels still to
 * scan out, kept in `meta` so the scan-out deadline survives a restart; and the staff flag of
 * parcels not scanned out in time (`parcels.pickup_flagged_at`). Writes run inside the caller's
 * transaction.
 */
const LET_IN_KEY = 'room.let_in';

/** A room parcel whose resident was let in at `letInAt` and that is not scanned out yet. */
export interface LetIn {
  parcelId: string;
  roomId: string;
  letInAt: number;
}

export class RoomNotes {
  readonly #ledger: Ledger;
  readonly #flag;
  readonly #flagged;
  readonly #unflag;

  constructor(ledger: Ledger) {
    this.#ledger = ledger;
    this.#flag = ledger.db.prepare<[number, string]>(`UPDATE parcels SET pickup_flagged_at = ? WHERE id = ? AND state = 'deposited' AND pickup_flagged_at IS NULL`);
    this.#unflag = ledger.db.prepare<[string]>(`UPDATE parcels SET pickup_flagged_at = NULL WHERE id = ? AND state = 'deposited' AND pickup_flagged_at IS NOT NULL`);
    this.#flagged = ledger.db.prepare<[number]>(`SELECT id FROM parcels WHERE state = 'deposited' AND pickup_flagged_at IS NOT NULL AND place_id IS NOT NULL ORDER BY pickup_flagged_at, id LIMIT ?`);
  }

  /** Every parcel waiting to be scanned out, oldest let-in first. */
  letIn(): LetIn[] {
    const raw = this.#ledger.meta.get(LET_IN_KEY);
    if (raw === undefined) return [];
    try {
      const parsed = JSON.parse(raw) as LetIn[];
      return Array.isArray(parsed) ? parsed.filter((e) => typeof e?.parcelId === 'string' && typeof e.roomId === 'string' && typeof e.letInAt === 'number') : [];
    } catch {
      return [];
    }
  }

  /** The parcel is to be scanned out; a later let-in of the same parcel restarts its deadline. */
  addLetIn(entries: readonly LetIn[]): void {
    const ids = new Set(entries.map((e) => e.parcelId));
    this.#save([...this.letIn().filter((e) => !ids.has(e.parcelId)), ...entries]);
  }

  /** The parcel was scanned out, picked up otherwise, or flagged: no deadline runs for it. */
  removeLetIn(parcelIds: readonly string[]): void {
    if (parcelIds.length === 0) return;
    const ids = new Set(parcelIds);
    const before = this.letIn();
    const after = before.filter((e) => !ids.has(e.parcelId));
    if (after.length !== before.length) this.#save(after);
  }

  /** Flags a waiting parcel for staff; false when it was flagged already or is no longer waiting. */
  flag(parcelId: string, at: number): boolean {
    return this.#flag.run(at, parcelId).changes === 1;
  }

  /** Staff found a flagged parcel still on its shelf: it waits on, unflagged. */
  unflag(parcelId: string): boolean {
    return this.#unflag.run(parcelId).changes === 1;
  }

  /** Waiting room parcels flagged for staff, oldest flag first. */
  flagged(limit: number): Parcel[] {
    return (this.#flagged.all(limit) as { id: string }[]).flatMap((r) => {
      const p = this.#ledger.parcels.get(r.id);
      return p ? [p] : [];
    });
  }

  #save(entries: LetIn[]): void {
    this.#ledger.meta.set(LET_IN_KEY, JSON.stringify(entries));
  }
}
