/**
 * End-to-end delivery across a broker that acknowledges an event and then loses it. Mosquitto
 * with persistence but a long autosave interval PUBACKs events into the queue of an offline
 * upstream session, then dies by SIGKILL before saving: lockerd counts them sent, upstream never
 * gets them. Upstream sees the gap in `seq`, asks `events.replay`, gets the same ids and seqs with
 * the retrieval code still inside, and confirms with `events.ack`, which erases the code locally.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LockerdConfig } from '../../src/config/types.js';
import { MAX_REPLAY_EVENTS } from '../../src/sync/contract.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';
import { Broker, brokerAvailable } from '../helpers/mosquitto.js';
import { until, Upstream } from '../helpers/upstream.js';

const ROOT = 'lockers/demo-locker';
const BACKLOG = 6000;
const SESSION = { clientId: 'upstream-replay', clean: false, properties: { sessionExpiryInterval: 600 } };

/** The seqs 1..newest upstream does not have, as contiguous runs of at most `max`. */
function gaps(have: Set<number>, newest: number, max: number): [number, number][] {
  const runs: [number, number][] = [];
  for (let s = 1; s <= newest; s++) {
    if (have.has(s)) continue;
    const last = runs.at(-1);
    if (last && last[1] === s - 1 && s - last[0] < max) last[1] = s;
    else runs.push([s, s]);
  }
  return runs;
}

describe.skipIf(!brokerAvailable())('events lost by the broker after its PUBACK', () => {
  let dir: string;
  let cleanup: () => void;
  let broker: Broker | undefined;
  let upstream: Upstream | undefined;
  let h: LockerHarness | undefined;

  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(async () => {
    await h?.stop();
    await upstream?.close();
    await broker?.stop('SIGKILL');
    h = upstream = broker = undefined;
    cleanup();
  });

  it('shows the gap upstream, recovers it by events.replay with the code, and erases the code at events.ack', async () => {
    broker = await Broker.start({ dir, persistence: true, autosaveSeconds: 3600 });
    // Upstream's persistent session is saved (a clean broker stop saves), then upstream goes offline.
    upstream = await Upstream.connect(broker.url, ROOT, SESSION);
    await upstream.close();
    upstream = undefined;
    await broker.stop('SIGTERM');
    await broker.start();

    const config: LockerdConfig = testConfig(dir, { mqtt: { enabled: true, url: broker.url, reconnectMinMs: 100, reconnectMaxMs: 1000, inflight: 1 } });
    const logs = captureLogger();
    h = await LockerHarness.start(config, logs.log);
    const ledger = h.app.ledger;
    await until(() => h!.app.sync.connected, 5000, 'lockerd connected');
    await h.deposit({ unit: '101' });
    const code = h.latestCode();
    const deposited = ledger.outbox.list({ limit: 10 }).find((e) => e.type === 'parcel.deposited')!;
    ledger.transaction(() => {
      for (let i = 0; i < BACKLOG; i++) ledger.outbox.append('door.left_open', Date.now(), { compartmentId: 'B01', openSince: new Date().toISOString() });
    });
    const newest = ledger.outbox.newestSeq();
    // The broker PUBACKed the deposit (and more): killed mid-drain, before it saved any of it.
    await until(() => ledger.outbox.ackedSeq >= Math.max(deposited.seq, 200), 20_000, 'the deposit and more acknowledged');
    await broker.stop('SIGKILL');
    const ackedAtKill = ledger.outbox.ackedSeq;
    expect(ackedAtKill).toBeGreaterThanOrEqual(deposited.seq);
    await broker.start();

    // lockerd drains the rest and believes everything delivered; upstream comes back online.
    upstream = await Upstream.connect(broker.url, ROOT, SESSION);
    await until(() => ledger.outbox.ackedSeq === newest, 30_000, 'lockerd counts every event sent');
    await until(() => upstream!.events().some((e) => e.seq === newest), 20_000, 'upstream got the newest event');
    const have = new Set(upstream.events().map((e) => e.seq));
    const missing = gaps(have, newest, MAX_REPLAY_EVENTS);
    expect(have.has(deposited.seq)).toBe(false); // the gap: the resident's code never reached upstream
    expect(missing[0]![0]).toBe(1);

    // A replay beyond what was written, or reversed, is refused and sends nothing.
    const beyond = await upstream.command('events.replay', { fromSeq: newest, toSeq: newest + 5 });
    const reversed = await upstream.command('events.replay', { fromSeq: 5, toSeq: 2 });
    const tooLong = await upstream.command('events.replay', { fromSeq: 1, toSeq: MAX_REPLAY_EVENTS + 1 });
    await until(() => [beyond, reversed, tooLong].every((id) => upstream!.acks(id).length > 0), 5000, 'refusals');
    expect(upstream.acks(beyond)).toMatchObject([{ status: 'rejected', reason: `seq ${newest + 5} has not been written yet: the newest event is seq ${newest}` }]);
    expect(upstream.acks(reversed)).toMatchObject([{ status: 'rejected', reason: 'toSeq 2 is before fromSeq 5' }]);
    expect(upstream.acks(tooLong)).toMatchObject([{ status: 'rejected', reason: `${MAX_REPLAY_EVENTS + 1} events asked for, more than the ${MAX_REPLAY_EVENTS} one replay may send: split the range` }]);

    // Upstream repairs its gaps, one bounded replay after another.
    for (const [fromSeq, toSeq] of missing) {
      const id = await upstream.command('events.replay', { fromSeq, toSeq });
      await until(() => upstream!.acks(id).find((a) => a.status === 'done' || a.status === 'failed' || a.status === 'rejected'), 20_000, `replay ${fromSeq}..${toSeq}`);
      expect(upstream.acks(id).map((a) => a.status)).toEqual(['accepted', 'done']);
    }
    const unique = upstream.uniqueEvents();
    expect(new Set(unique.map((e) => e.seq)).size).toBe(newest);
    expect(unique.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: newest }, (_, i) => i + 1));
    const recovered = unique.find((e) => e.seq === deposited.seq)!;
    expect(recovered).toMatchObject({ id: deposited.id, type: 'parcel.deposited', data: { code } });
    // Every copy of an event is the same event: same id, same seq.
    const byId = new Map(unique.map((e) => [e.id, e.seq]));
    for (const e of upstream.events()) expect(byId.get(e.id)).toBe(e.seq);

    // Still held locally until upstream confirms; events.ack erases it.
    expect(ledger.outbox.list({ limit: 10 }).find((e) => e.seq === deposited.seq)!.data.code).toBe(code);
    const ack = await upstream.command('events.ack', { throughSeq: newest });
    await until(() => upstream!.acks(ack).length > 0, 5000, 'events.ack answered');
    expect(upstream.acks(ack)).toMatchObject([{ status: 'done' }]);
    expect(ledger.outbox.confirmedSeq).toBe(newest);
    const local = ledger.outbox.list({ limit: 10 }).find((e) => e.seq === deposited.seq)!;
    expect(local.data.code).toBeUndefined();
    expect(local.data.pickupQr).toBeUndefined();
    // A confirmation of events not yet written is refused.
    const early = await upstream.command('events.ack', { throughSeq: newest + 1 });
    await until(() => upstream!.acks(early).length > 0, 5000, 'early events.ack answered');
    expect(upstream.acks(early)).toMatchObject([{ status: 'rejected', reason: `seq ${newest + 1} has not been written yet: the newest event is seq ${newest}; confirm only events received` }]);
    expect(ledger.outbox.confirmedSeq).toBe(newest);
    // A replay after the confirmation sends the event again, without the code.
    const after = await upstream.command('events.replay', { fromSeq: deposited.seq, toSeq: deposited.seq });
    await until(() => upstream!.acks(after).find((a) => a.status === 'done'), 5000, 'replay after the confirmation');
    const last = upstream.events().filter((e) => e.seq === deposited.seq).at(-1)!;
    expect(last.id).toBe(deposited.id);
    expect(last.data.code).toBeUndefined();

    expect(upstream.violations).toEqual([]);
    expect(logs.text()).not.toContain(code);
  });
});
