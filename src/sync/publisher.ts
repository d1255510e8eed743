import type { Ledger } from '../ledger/ledger.js';
import type { OutboxRawRow } from '../ledger/outbox.js';
import type { Logger } from '../log.js';

const QOS1 = { qos: 1 } as const;

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
  /** Acknowledged seqs above the contiguous run that starts at the watermark (bounded by the window). */
  #ackedAhead = new Set<number>();
  /** Highest seq such that it and all before it are acknowledged, not yet written. */
  #ackedThrough = 0;
  /** Rows read ahead of the window, so the ledger is read in pages rather than row by row. */
  #ahead: OutboxRawRow[] = [];
  #aheadAt = 0;
  #flushTimer: NodeJS.Timeout | undefined;
  #generation = 0;
  readonly #now: () => number;
  readonly #flushMs: number;

  constructor(private readonly o: PublisherOptions) {
    this.#now = o.now ?? Date.now;
    this.#flushMs = o.flushMs ?? 50;
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
    this.#ahead = [];
    this.#aheadAt = 0;
    const first = this.o.ledger.outbox.firstUnsentSeq();
    this.#cursor = first === null ? this.#lastSeq() : first - 1;
    this.#ackedThrough = Math.max(this.#ackedThrough, this.o.ledger.outbox.ackedSeq);
    this.#pump();
  }

  /** The link is down: forget what is in flight (it will be sent again, with the same id and seq). */
  pause(): void {
    this.#generation++;
    this.#client = null;
    this.#inflight = 0;
    this.#ahead = [];
    this.#aheadAt = 0;
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

  /** Writes the acknowledgements collected so far (one watermark). */
  flush(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#ackedThrough <= this.o.ledger.outbox.ackedSeq) return;
    try {
      this.o.ledger.outbox.acknowledgeThrough(this.#ackedThrough, this.#now());
    } catch (err) {
      // Not fatal: unmarked events are sent again later, and upstream drops duplicates by id.
      this.o.log.error({ err }, 'could not record acknowledged events');
    }
  }

  #acknowledged(seq: number): void {
    if (seq <= this.#ackedThrough) return;
    this.#ackedAhead.add(seq);
    while (this.#ackedAhead.delete(this.#ackedThrough + 1)) this.#ackedThrough++;
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
        if (this.#aheadAt >= this.#ahead.length) {
          this.#ahead = this.o.ledger.outbox.unsentPage(this.o.kioskId, this.#cursor, Math.max(512, this.o.window * 8));
          this.#aheadAt = 0;
          if (this.#ahead.length === 0) break;
        }
        this.#publish(this.#ahead[this.#aheadAt++]!);
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
    client.publish(this.o.topic, row.envelope, QOS1, (err) => {
      if (generation === this.#generation) this.#inflight--;
      if (err) {
        this.o.log.debug({ err, seq: row.seq }, 'event not acknowledged; it will be sent again after reconnect');
        return;
      }
      // Acknowledged even if the link has since dropped: the broker has it.
      this.#acknowledged(row.seq);
      this.o.onAcked?.(this.#now() - row.at, row.seq);
      if (this.#ackedThrough - this.o.ledger.outbox.ackedSeq >= 1024) this.flush();
      else this.#flushTimer ??= setTimeout(() => this.flush(), this.#flushMs);
      if (generation === this.#generation) this.#pump();
    });
  }
}
