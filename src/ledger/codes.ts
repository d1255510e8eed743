import type { Db } from './database.js';

export interface RetrievalCodeRecord {
  id: number;
  unit: string;
  state: 'live' | 'used' | 'revoked';
  createdAt: number;
}

interface Row {
  id: number;
  unit: string;
  state: 'live' | 'used' | 'revoked';
  created_at: number;
}

const fromRow = (r: Row): RetrievalCodeRecord => ({ id: r.id, unit: r.unit, state: r.state, createdAt: r.created_at });

/** Retrieval codes, by keyed hash only: the plaintext never reaches this table. */
export class CodeStore {
  readonly #insert;
  readonly #findLive;
  readonly #liveForUnit;
  readonly #end;
  readonly #hashTaken;
  readonly #findLiveQr;

  constructor(db: Db) {
    this.#insert = db.prepare<[string, Buffer, Buffer | null, number]>(`INSERT INTO retrieval_codes (unit, code_hash, qr_hash, state, created_at) VALUES (?, ?, ?, 'live', ?)`);
    this.#findLiveQr = db.prepare<[Buffer]>(`SELECT id, unit, state, created_at FROM retrieval_codes WHERE qr_hash = ? AND state = 'live'`);
    this.#findLive = db.prepare<[Buffer]>(`SELECT id, unit, state, created_at FROM retrieval_codes WHERE code_hash = ? AND state = 'live'`);
    this.#liveForUnit = db.prepare<[string]>(`SELECT id, unit, state, created_at FROM retrieval_codes WHERE unit = ? AND state = 'live'`);
    this.#end = db.prepare<[string, number, number]>(`UPDATE retrieval_codes SET state = ?, ended_at = ? WHERE id = ? AND state = 'live'`);
    this.#hashTaken = db.prepare<[Buffer]>(`SELECT 1 FROM retrieval_codes WHERE code_hash = ? AND state = 'live'`);
  }

  insert(unit: string, hash: Buffer, at: number, qrHash: Buffer | null = null): number {
    return Number(this.#insert.run(unit, hash, qrHash, at).lastInsertRowid);
  }

  /** The live code whose pickup QR token has this hash. */
  findLiveByQr(qrHash: Buffer): RetrievalCodeRecord | undefined {
    const r = this.#findLiveQr.get(qrHash) as Row | undefined;
    return r && fromRow(r);
  }

  findLive(hash: Buffer): RetrievalCodeRecord | undefined {
    const r = this.#findLive.get(hash) as Row | undefined;
    return r && fromRow(r);
  }

  liveForUnit(unit: string): RetrievalCodeRecord | undefined {
    const r = this.#liveForUnit.get(unit) as Row | undefined;
    return r && fromRow(r);
  }

  isLive(hash: Buffer): boolean {
    return this.#hashTaken.get(hash) !== undefined;
  }

  end(id: number, state: 'used' | 'revoked', at: number): boolean {
    return this.#end.run(state, at, id).changes === 1;
  }
}
