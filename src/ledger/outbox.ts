import type { Db } from './database.js';
import { uuidv7 } from './uuidv7.js';

/** An unsent row as the publisher needs it: the event envelope, already serialised. */
export interface OutboxRawRow {
  seq: number;
  /** Milliseconds since the epoch, when the event was committed. */
  at: number;
  /** `{"id","seq","type","at","kioskId","data"}` as JSON text, exactly as it goes on the wire. */
  envelope: string;
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
  /** The broker acknowledged it. */
  sent: boolean;
}

interface OutboxRow {
  seq: number;
  id: string;
  type: string;
  at: number;
  payload: string;
}

const ACKED_SEQ = 'outbox_acked_seq';
const ACKED_AT = 'outbox_acked_at';

/**
 * The durable queue of events for upstream. `append` must run inside the transaction of the state
 * change it reports, so an event exists if and only if its change does. Events are acknowledged in
 * order, so what was sent is one watermark: every seq up to `ackedSeq` reached the broker.
 */
export class Outbox {
  readonly #insert;
  readonly #list;
  readonly #history;
  readonly #depth;
  readonly #unsentPage;
  readonly #prune;
  readonly #firstUnsent;
  readonly #eraseCodes;
  readonly #getMeta;
  readonly #setMeta;
  #ackedSeq: number;

  constructor(private readonly db: Db) {
    this.#insert = db.prepare<[string, string, number, string]>('INSERT INTO outbox (id, type, at, payload) VALUES (?, ?, ?, ?)');
    this.#list = db.prepare<[number, number]>('SELECT * FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?');
    this.#history = db.prepare<[number, number, number]>('SELECT * FROM outbox WHERE seq < ? AND seq > ? ORDER BY seq DESC LIMIT ?');
    this.#depth = db.prepare<[number]>('SELECT count(*) AS n, min(at) AS oldest FROM outbox WHERE seq > ?');
    // SQLite splices the envelope around the stored payload: no parse and re-serialise per event
    // (ids are UUIDs and types are fixed words, so neither needs JSON escaping; the kiosk id is
    // passed JSON-encoded). strftime renders the same ISO 8601 text as Date.toISOString.
    this.#unsentPage = db.prepare<[string, number, number]>(
      `SELECT seq, at, '{"id":"' || id || '","seq":' || seq || ',"type":"' || type || '","at":"' ||
         strftime('%Y-%m-%dT%H:%M:%fZ', at / 1000.0, 'unixepoch') || '","kioskId":' || ? || ',"data":' || payload || '}' AS envelope
       FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`,
    );
    this.#prune = db.prepare<[number, number]>('DELETE FROM outbox WHERE seq <= ? AND at < ?');
    this.#firstUnsent = db.prepare<[number]>('SELECT min(seq) AS seq FROM outbox WHERE seq > ?');
    // Acknowledged: upstream has the code now, so the local copy goes.
    this.#eraseCodes = db.prepare<[number, number]>(
      `UPDATE outbox SET payload = json_remove(payload, '$.code', '$.pickupQr')
       WHERE seq > ? AND seq <= ? AND type IN (${TYPES_CARRYING_CODES.map((t) => `'${t}'`).join(',')})`,
    );
    this.#getMeta = db.prepare<[string]>('SELECT value FROM meta WHERE key = ?');
    this.#setMeta = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.#ackedSeq = Number((this.#getMeta.get(ACKED_SEQ) as { value: string } | undefined)?.value ?? '0');
  }

  append(type: string, at: number, data: Record<string, unknown>): { seq: number; id: string } {
    if (!this.db.inTransaction) throw new Error('Outbox.append must run inside the transaction of the change it reports');
    const id = uuidv7(at);
    const info = this.#insert.run(id, type, at, JSON.stringify(data));
    return { seq: Number(info.lastInsertRowid), id };
  }

  /** Every seq up to this one reached the broker. */
  get ackedSeq(): number {
    return this.#ackedSeq;
  }

  /** When the watermark last moved (ms), or null if nothing was ever acknowledged. */
  lastAckAt(): number | null {
    const v = (this.#getMeta.get(ACKED_AT) as { value: string } | undefined)?.value;
    return v === undefined ? null : Number(v);
  }

  list(options: { afterSeq?: number; limit?: number; unsentOnly?: boolean } = {}): OutboxEvent[] {
    const after = options.unsentOnly ? Math.max(options.afterSeq ?? 0, this.#ackedSeq) : (options.afterSeq ?? 0);
    return (this.#list.all(after, options.limit ?? 100) as OutboxRow[]).map((r) => ({
      seq: r.seq, id: r.id, type: r.type, at: r.at, data: JSON.parse(r.payload) as Record<string, unknown>, sent: r.seq <= this.#ackedSeq,
    }));
  }

  /**
   * Newest first, the technician's view (`lockerctl outbox`): at most `limit` events older than
   * `beforeSeq` (exclusive; all when omitted), so the oldest seq of one page is the next page's
   * `beforeSeq`.
   */
  history(options: { beforeSeq?: number; limit: number; unsentOnly?: boolean }): OutboxEvent[] {
    const rows = this.#history.all(options.beforeSeq ?? Number.MAX_SAFE_INTEGER, options.unsentOnly ? this.#ackedSeq : 0, options.limit) as OutboxRow[];
    return rows.map((r) => ({ seq: r.seq, id: r.id, type: r.type, at: r.at, data: JSON.parse(r.payload) as Record<string, unknown>, sent: r.seq <= this.#ackedSeq }));
  }

  depth(): { unsent: number; oldestUnsentAt: number | null } {
    const r = this.#depth.get(this.#ackedSeq) as { n: number; oldest: number | null };
    return { unsent: r.n, oldestUnsentAt: r.oldest };
  }

  /** Unsent rows after `afterSeq`, in order, at most `limit`, as envelopes for `kioskId`: the publisher's bounded page. */
  unsentPage(kioskId: string, afterSeq: number, limit: number): OutboxRawRow[] {
    return this.#unsentPage.all(JSON.stringify(kioskId), Math.max(afterSeq, this.#ackedSeq), limit) as OutboxRawRow[];
  }

  firstUnsentSeq(): number | null {
    return (this.#firstUnsent.get(this.#ackedSeq) as { seq: number | null }).seq;
  }

  /**
   * Moves the watermark: every seq up to `seq` was acknowledged. Erases the codes those events
   * carried. The commit does not wait for fsync (synchronous=NORMAL for this transaction only):
   * losing it in a power cut costs duplicates, which upstream drops by id, and the next FULL commit
   * makes it durable anyway. State changes stay FULL.
   */
  acknowledgeThrough(seq: number, at: number): void {
    if (seq <= this.#ackedSeq) return;
    const from = this.#ackedSeq;
    const relax = !this.db.inTransaction;
    if (relax) this.db.pragma('synchronous = NORMAL');
    try {
      this.db.transaction(() => {
        this.#eraseCodes.run(from, seq);
        this.#setMeta.run(ACKED_SEQ, String(seq));
        this.#setMeta.run(ACKED_AT, String(at));
      })();
      this.#ackedSeq = seq;
    } finally {
      if (relax) this.db.pragma('synchronous = FULL');
    }
  }

  /** Deletes acknowledged events older than `before` (ms). Their seq is never reused (AUTOINCREMENT). */
  prune(before: number): number {
    return this.#prune.run(this.#ackedSeq, before).changes;
  }
}
