import type { Db } from './database.js';
import { uuidv7 } from './uuidv7.js';

/** An unsent row as the publisher needs it: the payload stays the JSON text it was stored as. */
export interface OutboxRawRow {
  seq: number;
  id: string;
  type: string;
  at: number;
  payload: string;
}

/** Event types whose payload carries a plaintext retrieval code (and its pickup QR) until the broker acknowledged them. */
export const TYPES_CARRYING_CODES = ['parcel.deposited', 'code.reissued'] as const;

export interface OutboxEvent {
  seq: number;
  id: string;
  type: string;
  /** Milliseconds since the epoch. */
  at: number;
  data: Record<string, unknown>;
  sentAt: number | null;
}

interface OutboxRow {
  seq: number;
  id: string;
  type: string;
  at: number;
  payload: string;
  sent_at: number | null;
}

function fromRow(r: OutboxRow): OutboxEvent {
  return { seq: r.seq, id: r.id, type: r.type, at: r.at, data: JSON.parse(r.payload) as Record<string, unknown>, sentAt: r.sent_at };
}

/**
 * The durable queue of events for upstream. `append` must run inside the transaction of the state
 * change it reports, so an event exists if and only if its change does.
 */
export class Outbox {
  readonly #insert;
  readonly #list;
  readonly #listUnsent;
  readonly #depth;
  readonly #markSent;
  readonly #unsentPage;
  readonly #prune;
  readonly #firstUnsent;

  constructor(private readonly db: Db) {
    this.#insert = db.prepare<[string, string, number, string]>('INSERT INTO outbox (id, type, at, payload) VALUES (?, ?, ?, ?)');
    this.#list = db.prepare<[number, number]>('SELECT * FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?');
    this.#listUnsent = db.prepare<[number, number]>('SELECT * FROM outbox WHERE sent_at IS NULL AND seq > ? ORDER BY seq LIMIT ?');
    this.#depth = db.prepare('SELECT count(*) AS n, min(at) AS oldest FROM outbox WHERE sent_at IS NULL');
    // Acknowledged by the broker: mark it, and erase the code it carried (upstream has it now).
    this.#markSent = db.prepare<[number, number]>(
      `UPDATE outbox SET sent_at = ?,
         payload = CASE WHEN type IN (${TYPES_CARRYING_CODES.map((t) => `'${t}'`).join(',')}) THEN json_remove(payload, '$.code', '$.pickupQr') ELSE payload END
       WHERE seq = ? AND sent_at IS NULL`,
    );
    this.#unsentPage = db.prepare<[number, number]>('SELECT seq, id, type, at, payload FROM outbox WHERE sent_at IS NULL AND seq > ? ORDER BY seq LIMIT ?');
    this.#prune = db.prepare<[number]>('DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?');
    this.#firstUnsent = db.prepare('SELECT min(seq) AS seq FROM outbox WHERE sent_at IS NULL');
  }

  /** Unsent rows after `afterSeq`, in order, at most `limit`: the publisher's bounded page. */
  unsentPage(afterSeq: number, limit: number): OutboxRawRow[] {
    return this.#unsentPage.all(afterSeq, limit) as OutboxRawRow[];
  }

  firstUnsentSeq(): number | null {
    return (this.#firstUnsent.get() as { seq: number | null }).seq;
  }

  /** Marks acknowledged rows sent, in one transaction (the caller batches acks). */
  markSentMany(seqs: readonly number[], at: number): number {
    let n = 0;
    this.db.transaction(() => {
      for (const seq of seqs) n += this.#markSent.run(at, seq).changes;
    })();
    return n;
  }

  /** Deletes rows sent before `before` (ms). Their seq is never reused (AUTOINCREMENT). */
  prune(before: number): number {
    return this.#prune.run(before).changes;
  }

  append(type: string, at: number, data: Record<string, unknown>): { seq: number; id: string } {
    if (!this.db.inTransaction) throw new Error('Outbox.append must run inside the transaction of the change it reports');
    const id = uuidv7(at);
    const info = this.#insert.run(id, type, at, JSON.stringify(data));
    return { seq: Number(info.lastInsertRowid), id };
  }

  list(options: { afterSeq?: number; limit?: number; unsentOnly?: boolean } = {}): OutboxEvent[] {
    const stmt = options.unsentOnly ? this.#listUnsent : this.#list;
    return (stmt.all(options.afterSeq ?? 0, options.limit ?? 100) as OutboxRow[]).map(fromRow);
  }

  depth(): { unsent: number; oldestUnsentAt: number | null } {
    const r = this.#depth.get() as { n: number; oldest: number | null };
    return { unsent: r.n, oldestUnsentAt: r.oldest };
  }

  markSent(seq: number, at: number): boolean {
    return this.markSentMany([seq], at) === 1;
  }
}
