import type { Db } from './database.js';

/** Someone a resident authorised (upstream command `pickup.authorise`) to collect for a unit. */
export interface PickupAuthorisation {
  id: string;
  unit: string;
  collector: string;
  /** Only this parcel; null: any parcel of the unit. */
  parcelId: string | null;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  revokedAt: number | null;
}

interface Row { id: string; unit: string; collector: string; parcel_id: string | null; created_at: number; expires_at: number; used_at: number | null; revoked_at: number | null }

const fromRow = (r: Row): PickupAuthorisation => ({
  id: r.id, unit: r.unit, collector: r.collector, parcelId: r.parcel_id, createdAt: r.created_at,
  expiresAt: r.expires_at, usedAt: r.used_at, revokedAt: r.revoked_at,
});

/** The `pickup_authorisations` table (migration 9). */
export class AuthorisationStore {
  readonly #insert;
  readonly #get;
  readonly #live;
  readonly #revoke;
  readonly #use;

  constructor(db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO pickup_authorisations (id, unit, collector, parcel_id, created_at, expires_at) VALUES (@id, @unit, @collector, @parcelId, @createdAt, @expiresAt)`,
    );
    this.#get = db.prepare<[string]>('SELECT * FROM pickup_authorisations WHERE id = ?');
    this.#live = db.prepare<[string, number]>(
      'SELECT * FROM pickup_authorisations WHERE unit = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at, id',
    );
    this.#revoke = db.prepare<[number, string]>('UPDATE pickup_authorisations SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL AND used_at IS NULL');
    this.#use = db.prepare<[number, string]>('UPDATE pickup_authorisations SET used_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL');
  }

  add(a: Omit<PickupAuthorisation, 'usedAt' | 'revokedAt'>): void {
    this.#insert.run(a);
  }

  get(id: string): PickupAuthorisation | undefined {
    const r = this.#get.get(id) as Row | undefined;
    return r && fromRow(r);
  }

  /** Unused, unrevoked, unexpired authorisations for a unit, oldest first. */
  liveForUnit(unit: string, now: number): PickupAuthorisation[] {
    return (this.#live.all(unit, now) as Row[]).map(fromRow);
  }

  /** True when it was live and is now revoked. */
  revoke(id: string, at: number): boolean {
    return this.#revoke.run(at, id).changes === 1;
  }

  markUsed(id: string, at: number): boolean {
    return this.#use.run(at, id).changes === 1;
  }
}
