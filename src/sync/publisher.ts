import type { Ledger } from '../ledger/ledger.js';
import type { OutboxRawRow } from '../ledger/outbox.js';
import type { Logger } from '../log.js';

/** The slice of an MQTT client the publisher needs; mqtt.js's MqttClient fits. */
export interface PublishClient {
  publish(topic: string, payload: string, options: { qos: 0 | 1; retain?: boolean }, callback: (err?: Error) => void): unknown;
}

export interface PublisherOptions {
  ledger: Ledger;
  topic: string;
  kioskId: string;
  /** Published and not yet acknowledged, at most. */
  window: number;
  log: Logger;
  now?: () => number;
  /** Acks are written in batches at most this far apart (marking sent twice is harmless; a lost mark means one duplicate). */
  flushMs?: number;
  /** Called with commit-to-PUBACK latency of each event (ms), for telemetry and the benchmark. */
  onAcked?: (latencyMs: number, seq: number) => void;
}

/**
 * Publishes the outbox to `<root>/events` in seq order, at least once, with a bounded window of
 * unacknowledged messages. The outbox is the durable queue; MQTT is only the transport: a row is
 * marked sent only when its PUBACK arrives, and after a reconnect or restart publishing resumes at
 * the first unsent row. Memory does not grow with the backlog: rows are read a window at a time.
 */
export class OutboxPublisher {
  #client: PublishClient | null = null;
  /** Highest seq handed to the client in this connection. */
  #cursor = 0;
  #inflight = 0;
  #pumping = false;
  #acked: number[] = [];
  #flushTimer: NodeJS.Timeout | undefined;
  #generation = 0;
  readonly #now: () => number;
  readonly #flushMs: number;

  constructor(private readonly o: PublisherOptions) {
    this.#now = o.now ?? Date.now;
    this.#flushMs = o.flushMs ?? 20;
  }

  get connected(): boolean {
    return this.#client !== null;
  }

  get inflight(): number {
    return this.#inflight;
  }

  /** The link is up: start from the first unsent row. */
  resume(client: PublishClient): void {
    this.#generation++;
    this.#client = client;
    this.#inflight = 0;
    const first = this.o.ledger.outbox.firstUnsentSeq();
    this.#cursor = first === null ? this.#lastSeq() : first - 1;
    this.#pump();
  }

  /** The link is down: forget what is in flight (it will be sent again, with the same id and seq). */
  pause(): void {
    this.#generation++;
    this.#client = null;
    this.#inflight = 0;
    this.flush();
  }

  /** Something was committed: publish it now if the window allows. */
  wake(): void {
    if (this.#client) this.#pump();
  }

  stop(): void {
    this.pause();
    clearTimeout(this.#flushTimer);
  }

  /** Writes the acknowledgements collected so far. */
  flush(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#acked.length === 0) return;
    const seqs = this.#acked;
    this.#acked = [];
    try {
      this.o.ledger.outbox.markSentMany(seqs, this.#now());
    } catch (err) {
      // Not fatal: unmarked rows are sent again later, and upstream drops duplicates by id.
      this.o.log.error({ err, count: seqs.length }, 'could not mark published events as sent');
    }
  }

  #lastSeq(): number {
    const r = this.o.ledger.db.prepare('SELECT max(seq) AS seq FROM outbox').get() as { seq: number | null };
    return r.seq ?? 0;
  }

  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#client && this.#inflight < this.o.window) {
        const rows = this.o.ledger.outbox.unsentPage(this.#cursor, this.o.window - this.#inflight);
        if (rows.length === 0) break;
        for (const row of rows) this.#publish(row);
      }
    } finally {
      this.#pumping = false;
    }
  }

  #publish(row: OutboxRawRow): void {
    const client = this.#client!;
    const generation = this.#generation;
    this.#cursor = row.seq;
    this.#inflight++;
    // The payload is stored as JSON text already: splice it in rather than parse and re-serialise.
    const message = `{"id":${JSON.stringify(row.id)},"seq":${row.seq},"type":${JSON.stringify(row.type)},"at":${JSON.stringify(new Date(row.at).toISOString())},"kioskId":${JSON.stringify(this.o.kioskId)},"data":${row.payload}}`;
    client.publish(this.o.topic, message, { qos: 1 }, (err) => {
      if (generation === this.#generation) this.#inflight--;
      if (err) {
        this.o.log.debug({ err, seq: row.seq }, 'event not acknowledged; it will be sent again after reconnect');
        return;
      }
      // Acknowledged even if the link has since dropped: the broker has it.
      this.#acked.push(row.seq);
      this.o.onAcked?.(this.#now() - row.at, row.seq);
      if (this.#acked.length >= 256) this.flush();
      else this.#flushTimer ??= setTimeout(() => this.flush(), this.#flushMs);
      if (generation === this.#generation) this.#pump();
    });
  }
}
