import type { EventType } from '../sync/contract.js';
import type { Db } from './database.js';
import { META_SET } from './meta.js';
import { uuidv7 } from './uuidv7.js';

/** An unsent row as the publisher needs it: the event envelope, already serialised. */
export interface OutboxRawRow {
  seq: number;
  /** Milliseconds since the epoch, when the event was committed. */
  at: number;
  /** `{"id","seq","type","at","kioskId","data"}` as JSON text, exactly as it goes on the wire. */
  envelope: string;
}

/**
 * Event types whose payload carries a plaintext retrieval code (and its pickup QR) until upstream
 * confirmed them (`events.ack`), or `mqtt.codeRetentionHours` after the broker acknowledged them.
 */
export const TYPES_CARRYING_CODES = ['parcel.deposited', 'code.reissued'] as const;

const CODE_TYPES = TYPES_CARRYING_CODES.map((t) => `'${t}'`).join(',');
/** SQL: this row still holds a plaintext code or pickup QR. */
const HOLDS_CODE = `(type IN (${CODE_TYPES}) AND (json_type(payload, '$.code') IS NOT NULL OR json_type(payload, '$.pickupQr') IS NOT NULL))`;
const ERASE_CODE = `payload = json_remove(payload, '$.code', '$.pickupQr'), code_acked_at = NULL`;
// SQLite splices the envelope around the stored payload: no parse and re-serialise per event
// (ids are UUIDs and types are fixed words, so neither needs JSON escaping; the kiosk id is
// passed JSON-encoded). strftime renders the same ISO 8601 text as Date.toISOString.
const ENVELOPE = `'{"id":"' || id || '","seq":' || seq || ',"type":"' || type || '","at":"' ||
  strftime('%Y-%m-%dT%H:%M:%fZ', at / 1000.0, 'unixepoch') || '","kioskId":' || ? || ',"data":' || payload || '}' AS envelope`;

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
const CONFIRMED_SEQ = 'outbox_confirmed_seq';
const CONFIRMED_AT = 'outbox_confirmed_at';
/** `[at, seq]` pairs: where the PUBACK watermark stood when, one per pruning round (about hourly). */
const ACK_MARKS = 'outbox_ack_marks';
const MARK_EVERY_MS = 30 * 60_000;

/**
 * The durable queue of events for upstream. `append` must run inside the transaction of the state
 * change it reports, so an event exists if and only if its change does. Events are acknowledged in
 * order, so what was sent is one watermark: every seq up to `ackedSeq` reached the broker. A
 * broker can PUBACK and still lose an event (it dies before persisting it), so a second watermark,
 * `confirmedSeq`, is what upstream itself confirmed (`events.ack`): only then are codes erased at once.
 */
export class Outbox {
  readonly #insert;
  readonly #list;
  readonly #history;
  readonly #depth;
  readonly #unsentPage;
  readonly #prune;
  readonly #firstUnsent;
  readonly #markCodesAcked;
  readonly #eraseConfirmedCodes;
  readonly #eraseExpiredCodes;
  readonly #range;
  readonly #countRange;
  readonly #oldestHeld;
  readonly #newest;
  readonly #getMeta;
  readonly #setMeta;
  #ackedSeq: number;

  constructor(private readonly db: Db) {
    this.#insert = db.prepare<[string, string, number, string]>('INSERT INTO outbox (id, type, at, payload) VALUES (?, ?, ?, ?)');
    this.#list = db.prepare<[number, number]>('SELECT * FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?');
    this.#history = db.prepare<[number, number, number]>('SELECT * FROM outbox WHERE seq < ? AND seq > ? ORDER BY seq DESC LIMIT ?');
    this.#depth = db.prepare<[number]>('SELECT count(*) AS n, min(at) AS oldest FROM outbox WHERE seq > ?');
    this.#unsentPage = db.prepare<[string, number, number]>(`SELECT seq, at, ${ENVELOPE} FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`);
    this.#range = db.prepare<[string, number, number]>(`SELECT seq, at, ${ENVELOPE} FROM outbox WHERE seq >= ? AND seq <= ? ORDER BY seq`);
    this.#countRange = db.prepare<[number, number]>('SELECT count(*) AS n FROM outbox WHERE seq >= ? AND seq <= ?');
    this.#oldestHeld = db.prepare('SELECT min(seq) AS seq FROM outbox');
    // AUTOINCREMENT's own counter: the newest seq ever written, even if its row was pruned.
    this.#newest = db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'outbox'`);
    // A row holding a code is never pruned: it goes only once the code has been erased.
    this.#prune = db.prepare<[number, number, number, number]>(`DELETE FROM outbox WHERE seq <= ? AND at < ? AND (seq <= ? OR seq <= ?) AND NOT ${HOLDS_CODE}`);
    this.#firstUnsent = db.prepare<[number]>('SELECT min(seq) AS seq FROM outbox WHERE seq > ?');
    this.#markCodesAcked = db.prepare<[number, number, number]>(`UPDATE outbox SET code_acked_at = ? WHERE seq > ? AND seq <= ? AND code_acked_at IS NULL AND ${HOLDS_CODE}`);
    // Confirmed by upstream: it has the code, so the local copy goes.
    this.#eraseConfirmedCodes = db.prepare<[number, number]>(`UPDATE outbox SET ${ERASE_CODE} WHERE seq > ? AND seq <= ? AND ${HOLDS_CODE}`);
    // Acknowledged by the broker only, long enough ago: erased anyway, so a lost upstream cannot keep codes on the card.
    this.#eraseExpiredCodes = db.prepare<[number]>(`UPDATE outbox SET ${ERASE_CODE} WHERE code_acked_at < ? AND ${HOLDS_CODE}`);
    this.#getMeta = db.prepare<[string]>('SELECT value FROM meta WHERE key = ?');
    this.#setMeta = db.prepare<[string, string]>(META_SET);
    this.#ackedSeq = Number((this.#getMeta.get(ACKED_SEQ) as { value: string } | undefined)?.value ?? '0');
  }

  /** `type` must have a schema in the MQTT contract (src/sync/contract.ts): the compiler checks it, the tests check `data` against it. */
  append(type: EventType, at: number, data: Record<string, unknown>): { seq: number; id: string } {
    if (!this.db.inTransaction) throw new Error('Outbox.append must run inside the transaction of the change it reports');
    const id = uuidv7(at);
    const info = this.#insert.run(id, type, at, JSON.stringify(data));
    return { seq: Number(info.lastInsertRowid), id };
  }

  /** Every seq up to this one reached the broker. */
  get ackedSeq(): number {
    return this.#ackedSeq;
  }

  /** Every seq up to this one was confirmed by upstream itself (`events.ack`). Read from the ledger, so a rolled-back confirmation never shows. */
  get confirmedSeq(): number {
    return Number((this.#getMeta.get(CONFIRMED_SEQ) as { value: string } | undefined)?.value ?? '0');
  }

  /** When upstream last moved the confirmed watermark (ms), or null if it never did. */
  lastConfirmedAt(): number | null {
    const v = (this.#getMeta.get(CONFIRMED_AT) as { value: string } | undefined)?.value;
    return v === undefined ? null : Number(v);
  }

  /** The newest seq ever written (its row may since have been pruned), or 0. */
  newestSeq(): number {
    return (this.#newest.get() as { seq: number } | undefined)?.seq ?? 0;
  }

  /** The oldest seq still held, or null when the outbox is empty. */
  oldestHeldSeq(): number | null {
    return (this.#oldestHeld.get() as { seq: number | null }).seq;
  }

  /** How many of the seqs `from..to` are still held. */
  heldIn(from: number, to: number): number {
    return (this.#countRange.get(from, to) as { n: number }).n;
  }

  /** The rows `from..to` as envelopes for `kioskId`, exactly as first published (codes included while held). */
  range(kioskId: string, from: number, to: number): OutboxRawRow[] {
    return this.#range.all(JSON.stringify(kioskId), from, to) as OutboxRawRow[];
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
   * Moves the watermark: every seq up to `seq` was acknowledged. The codes those events carry are
   * kept (the broker may still lose them) and stamped with `at`: see `eraseExpiredCodes`. The commit does not wait for fsync (synchronous=NORMAL for this transaction only):
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
        this.#markCodesAcked.run(at, from, seq);
        this.#setMeta.run(ACKED_SEQ, String(seq));
        this.#setMeta.run(ACKED_AT, String(at));
      })();
      this.#ackedSeq = seq;
    } finally {
      if (relax) this.db.pragma('synchronous = FULL');
    }
  }

  /**
   * Upstream confirmed every seq up to `seq` (`events.ack`): the codes of those events are erased.
   * The watermark never moves back. Runs inside the caller's transaction; returns the codes erased.
   * `seq` must not be beyond `newestSeq()` (the caller refuses that).
   */
  confirmThrough(seq: number, at: number): number {
    if (!this.db.inTransaction) throw new Error('Outbox.confirmThrough must run inside a transaction');
    const from = this.confirmedSeq;
    if (seq <= from) return 0;
    const erased = this.#eraseConfirmedCodes.run(from, seq).changes;
    this.#setMeta.run(CONFIRMED_SEQ, String(seq));
    this.#setMeta.run(CONFIRMED_AT, String(at));
    return erased;
  }

  /** Erases the codes of events the broker acknowledged before `before` (ms) and upstream never confirmed. Returns how many. */
  eraseExpiredCodes(before: number): number {
    return this.#eraseExpiredCodes.run(before).changes;
  }

  #ackMarks(): [number, number][] {
    try {
      const v: unknown = JSON.parse((this.#getMeta.get(ACK_MARKS) as { value: string } | undefined)?.value ?? '[]');
      return Array.isArray(v) ? v.filter((m): m is [number, number] => Array.isArray(m) && Number.isFinite(m[0]) && Number.isFinite(m[1])) : [];
    } catch {
      return []; // damaged: start again, which only keeps rows longer
    }
  }

  /**
   * The pruning round at `now`: deletes acknowledged events that happened more than `retentionMs`
   * ago. One upstream confirmed goes then; one it did not (an upstream that never sends
   * `events.ack` must not fill the card) goes only once the broker acknowledged it at least
   * `unconfirmedGraceMs` ago too, so a long outage's backlog can still be replayed after it drains.
   * A row still holding a code goes only once the code is erased; unsent rows never go. A seq is
   * never reused (AUTOINCREMENT). PUBACK times are known per round (a mark of the watermark each
   * round, kept as long as the grace), not per row, so rows may stay up to a round longer.
   */
  prune(now: number, o: { retentionMs: number; unconfirmedGraceMs: number }): number {
    // Marks from a clock since gone back are dropped: that only keeps rows longer.
    let marks = this.#ackMarks().filter((m) => m[0] <= now);
    const cutoff = now - o.unconfirmedGraceMs;
    // The watermark as it stood `unconfirmedGraceMs` ago: everything up to it was PUBACKed at least that long ago.
    const settled = marks.filter((m) => m[0] <= cutoff).at(-1)?.[1] ?? 0;
    // A watermark that has not moved since the last mark needs no new one: that mark already says
    // it stood there by then. So an idle kiosk's hourly round writes nothing.
    if (marks.at(-1)?.[1] !== this.#ackedSeq) {
      if (marks.length > 0 && now - marks.at(-1)![0] < MARK_EVERY_MS) marks.pop();
      marks.push([now, this.#ackedSeq]);
    }
    // Keep the marks younger than the grace and the newest older one: the next round's `settled`.
    let first = 0;
    while (first + 1 < marks.length && marks[first + 1]![0] <= cutoff) first++;
    marks = marks.slice(first);
    this.#setMeta.run(ACK_MARKS, JSON.stringify(marks)); // unchanged: no write (META_SET)
    return this.#prune.run(this.#ackedSeq, now - o.retentionMs, this.confirmedSeq, settled).changes;
  }
}
