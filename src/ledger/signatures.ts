import type { Db } from './database.js';

/** A front-desk signature as stored (append-only): what was signed, the path, its SHA-256. */
export interface Signature {
  id: number;
  at: number;
  desk: string;
  staffId: string;
  unit: string;
  collector: string | null;
  statement: string;
  parcels: string[];
  path: string;
  sha256: string;
}

interface Row { id: number; at: number; desk: string; staff_id: string; unit: string; collector: string | null; statement: string; parcels: string; path: string; sha256: string }

const fromRow = (r: Row): Signature => ({
  id: r.id, at: r.at, desk: r.desk, staffId: r.staff_id, unit: r.unit, collector: r.collector,
  statement: r.statement, parcels: JSON.parse(r.parcels) as string[], path: r.path, sha256: r.sha256,
});

/**
 * The `signatures` table (migration 9; triggers refuse updates and deletes) and the link from a
 * picked-up parcel to its signature and collector.
 */
export class SignatureStore {
  readonly #insert;
  readonly #get;
  readonly #attach;

  constructor(db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO signatures (at, desk, staff_id, unit, collector, statement, parcels, path, sha256)
       VALUES (@at, @desk, @staffId, @unit, @collector, @statement, @parcels, @path, @sha256)`,
    );
    this.#get = db.prepare<[number]>('SELECT * FROM signatures WHERE id = ?');
    this.#attach = db.prepare<[number, string | null, string]>(`UPDATE parcels SET signature_id = ?, collector = ? WHERE id = ? AND state = 'picked_up'`);
  }

  /** Appends a signature; its id. */
  append(s: Omit<Signature, 'id'>): number {
    const info = this.#insert.run({ ...s, parcels: JSON.stringify(s.parcels) });
    return Number(info.lastInsertRowid);
  }

  get(id: number): Signature | undefined {
    const r = this.#get.get(id) as Row | undefined;
    return r && fromRow(r);
  }

  /** A parcel just picked up at the desk names its signature and who collected it. */
  attach(parcelId: string, signatureId: number, collector: string | null): void {
    const info = this.#attach.run(signatureId, collector, parcelId);
    if (info.changes !== 1) throw new Error(`parcel ${parcelId} is not picked up: its signature cannot be attached`);
  }
}
