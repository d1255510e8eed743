/**
 * `events.replay` and `events.ack` refused clearly, changing nothing: a range already pruned, not
 * yet written, reversed or too long; one replay at a time. Through the real command inbox and
 * ledger; the broker round trip is in replay.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockerAdministration } from '../../src/locker/administration.js';
import type { OutboxRawRow } from '../../src/ledger/outbox.js';
import { CommandInbox, type Ack } from '../../src/sync/command-inbox.js';
import { MAX_REPLAY_EVENTS } from '../../src/sync/contract.js';
import { replayRefusal } from '../../src/sync/replay.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

const DAY = 24 * 3_600_000;

describe('replay policy', () => {
  const held = { newestSeq: 100, oldestHeldSeq: 40, heldInRange: 0 };
  it('says what is wrong with a range', () => {
    expect(replayRefusal(50, 60, { ...held, heldInRange: 11 })).toBeNull();
    expect(replayRefusal(60, 50, held)).toBe('toSeq 50 is before fromSeq 60');
    expect(replayRefusal(1, MAX_REPLAY_EVENTS + 1, held)).toMatch(/more than the 1000 one replay may send: split the range$/);
    expect(replayRefusal(99, 101, { ...held, heldInRange: 2 })).toBe('seq 101 has not been written yet: the newest event is seq 100');
    expect(replayRefusal(30, 45, { ...held, heldInRange: 6 })).toBe('10 of the events 30..45 were already pruned (mqtt.retentionDays) and cannot be sent again; the oldest still held is seq 40');
    expect(replayRefusal(1, 2, { newestSeq: 5, oldestHeldSeq: null, heldInRange: 0 })).toMatch(/none is held any more$/);
  });
});

describe('events.replay and events.ack through the command inbox', () => {
  let h: LockerHarness;
  let cleanup: () => void;
  const logs = captureLogger('info');

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    h = await LockerHarness.start(testConfig(dir), logs.log);
  });
  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  function inbox(republish: (rows: OutboxRawRow[]) => Promise<void>): { inbox: CommandInbox; acks: Ack[] } {
    const { ledger, config } = h.app;
    const acks: Ack[] = [];
    return { inbox: new CommandInbox({ ledger, locker: h.app.locker, admin: new LockerAdministration(ledger, config), config, log: logs.log, sendAck: (a) => acks.push(a), republish }), acks };
  }
  const command = (id: string, type: string, data: unknown): Buffer =>
    Buffer.from(JSON.stringify({ id, type, issuedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString(), data }));

  it('refuses a range already pruned, and replays one still held exactly as stored', async () => {
    const ledger = h.app.ledger;
    const old = Date.now() - 30 * DAY;
    ledger.transaction(() => {
      for (let i = 0; i < 10; i++) ledger.outbox.append('door.left_open', i < 5 ? old : Date.now(), { compartmentId: 'A01', openSince: new Date(old).toISOString() });
    });
    ledger.outbox.acknowledgeThrough(10, Date.now());
    ledger.transaction(() => ledger.outbox.confirmThrough(10, Date.now()));
    expect(ledger.outbox.prune(Date.now(), { retentionMs: 7 * DAY, unconfirmedGraceMs: 72 * 3_600_000 })).toBe(5);
    const replayed: number[] = [];
    const { inbox: i, acks } = inbox(async (rows) => void replayed.push(...rows.map((r) => r.seq)));
    await i.handle(command('r-pruned', 'events.replay', { fromSeq: 3, toSeq: 7 }));
    expect(acks).toMatchObject([{ commandId: 'r-pruned', status: 'rejected', reason: '3 of the events 3..7 were already pruned (mqtt.retentionDays) and cannot be sent again; the oldest still held is seq 6' }]);
    expect(replayed).toEqual([]);
    await i.handle(command('r-held', 'events.replay', { fromSeq: 6, toSeq: 8 }));
    expect(acks.filter((a) => a.commandId === 'r-held').map((a) => a.status)).toEqual(['accepted', 'done']);
    expect(replayed).toEqual([6, 7, 8]);
    expect(ledger.commands.seen('r-held')).toBe('done');
  });

  it('runs one replay at a time and reports a replay the broker did not acknowledge as failed', async () => {
    let release: (err?: Error) => void = () => undefined;
    const { inbox: i, acks } = inbox(
      () =>
        new Promise<void>((resolve, reject) => {
          release = (err) => (err ? reject(err) : resolve());
        }),
    );
    h.app.ledger.transaction(() => h.app.ledger.outbox.append('kiosk.tamper', Date.now(), { open: true }));
    const first = i.handle(command('r-1', 'events.replay', { fromSeq: 1, toSeq: 1 }));
    await new Promise((r) => setImmediate(r));
    await i.handle(command('r-2', 'events.replay', { fromSeq: 1, toSeq: 1 }));
    expect(acks.filter((a) => a.commandId === 'r-2')).toMatchObject([{ status: 'rejected', reason: 'another events.replay is under way: send this one again once it is done' }]);
    release(new Error('the link dropped after 0 of 1 replayed events'));
    await first;
    expect(acks.filter((a) => a.commandId === 'r-1')).toMatchObject([{ status: 'accepted' }, { status: 'failed', reason: 'the link dropped after 0 of 1 replayed events; send events.replay again' }]);
    // The busy refusal was not remembered: sent again, it runs.
    const again = inbox(async () => undefined);
    await again.inbox.handle(command('r-2', 'events.replay', { fromSeq: 1, toSeq: 1 }));
    expect(again.acks.map((a) => a.status)).toEqual(['accepted', 'done']);
  });

  it('refuses a confirmation of events not yet written and changes nothing', async () => {
    const { inbox: i, acks } = inbox(async () => undefined);
    await i.handle(command('a-early', 'events.ack', { throughSeq: 5 }));
    expect(acks).toMatchObject([{ status: 'rejected', reason: 'seq 5 has not been written yet: the newest event is seq 0; confirm only events received' }]);
    expect(h.app.ledger.outbox.confirmedSeq).toBe(0);
    await i.handle(command('a-zero', 'events.ack', { throughSeq: 0 }));
    expect(acks.at(-1)).toMatchObject({ status: 'rejected', reason: 'data.throughSeq must be >= 1' });
  });
});
