import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.js';
import { OutboxPublisher, type PublishClient } from '../../src/sync/publisher.js';
import { checkEvent } from '../../src/sync/validate.js';
import { captureLogger, tempDir } from '../helpers/fixtures.js';

/** A client that records publishes and lets the test decide when each PUBACK arrives. */
class FakeClient implements PublishClient {
  sent: { topic: string; payload: string; ack: (err?: Error) => void }[] = [];
  publish(topic: string, payload: string, _o: { qos: 0 | 1 }, callback: (err?: Error) => void): void {
    this.sent.push({ topic, payload, ack: callback });
  }
  ackAll(): void {
    const pending = this.sent.splice(0);
    for (const p of pending) p.ack();
  }
}

describe('the outbox publisher', () => {
  let dir: string;
  let cleanup: () => void;
  let ledger: Ledger;
  const append = (n: number): void =>
    ledger.transaction(() => {
      for (let i = 0; i < n; i++) ledger.outbox.append('door.forced_open', Date.now(), { compartmentId: 'A01', parcelId: null });
    });
  const seqs = (c: FakeClient): number[] => c.sent.map((s) => (JSON.parse(s.payload) as { seq: number }).seq);

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    ledger = Ledger.open({ path: join(dir, 'l.db'), keyFile: join(dir, 'k') });
  });
  afterEach(() => {
    ledger.close();
    cleanup();
  });

  it('keeps at most `window` events unacknowledged and publishes in seq order, each a valid envelope', () => {
    append(25);
    const p = new OutboxPublisher({ ledger, topic: 'lockers/k/events', kioskId: 'k', window: 10, log: captureLogger().log, flushMs: 1 });
    const c = new FakeClient();
    p.resume(c);
    expect(seqs(c)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const s of c.sent) expect(checkEvent(JSON.parse(s.payload))).toBeNull();
    c.sent.shift()!.ack();
    expect(seqs(c)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    c.ackAll();
    c.ackAll();
    c.ackAll();
    p.flush();
    expect(ledger.outbox.depth().unsent).toBe(0);
    p.stop();
  });

  it('marks nothing sent without a PUBACK, and starts again from the first unsent row after a reconnect', () => {
    append(5);
    const p = new OutboxPublisher({ ledger, topic: 't', kioskId: 'k', window: 3, log: captureLogger().log });
    const first = new FakeClient();
    p.resume(first);
    first.sent[0]!.ack(); // seq 1 acknowledged
    first.sent[2]!.ack(new Error('connection lost')); // seq 3 not
    p.pause();
    expect(ledger.outbox.list({ unsentOnly: true }).map((e) => e.seq)).toEqual([2, 3, 4, 5]);
    const second = new FakeClient();
    p.resume(second);
    expect(seqs(second)).toEqual([2, 3, 4]);
    // A late PUBACK from the old connection still counts: the broker has the event.
    first.sent[1]!.ack();
    p.flush();
    expect(ledger.outbox.list({ unsentOnly: true }).map((e) => e.seq)).toEqual([3, 4, 5]);
    p.stop();
  });

  it('publishes a new event as soon as it is committed', () => {
    const p = new OutboxPublisher({ ledger, topic: 't', kioskId: 'k', window: 3, log: captureLogger().log });
    const c = new FakeClient();
    p.resume(c);
    expect(c.sent).toHaveLength(0);
    ledger.on('committed', () => p.wake());
    append(1);
    expect(seqs(c)).toEqual([1]);
    p.stop();
  });
});
