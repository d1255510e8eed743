import type { Db } from './database.js';

/** Deliveries upstream announced: tracking number → unit, so the courier need not key the unit. */
export class ExpectedDeliveryStore {
  readonly #upsert;
  readonly #get;
  readonly #remove;
  readonly #prune;

  constructor(db: Db) {
    this.#upsert = db.prepare<[string, string, number, number]>(
      `INSERT INTO expected_deliveries (tracking, unit, expires_at, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (tracking) DO UPDATE SET unit = excluded.unit, expires_at = excluded.expires_at`,
    );
    this.#get = db.prepare<[string, number]>('SELECT unit FROM expected_deliveries WHERE tracking = ? AND expires_at > ?');
    this.#remove = db.prepare<[string]>('DELETE FROM expected_deliveries WHERE tracking = ?');
    this.#prune = db.prepare<[number]>('DELETE FROM expected_deliveries WHERE expires_at <= ?');
  }

  upsert(tracking: string, unit: string, expiresAt: number, at: number): void {
    this.#upsert.run(tracking, unit, expiresAt, at);
  }

  unitFor(tracking: string, now: number): string | undefined {
    return (this.#get.get(tracking, now) as { unit: string } | undefined)?.unit;
  }

  remove(tracking: string): void {
    this.#remove.run(tracking);
  }

  prune(now: number): number {
    return this.#prune.run(now).changes;
  }
}
