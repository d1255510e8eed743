/**
 * The kiosk clock, in process against the real app: a kiosk whose clock is behind its own ledger
 * (it went back: no RTC, no NTP) says so at start, and its command inbox cannot judge expiry, so
 * it refuses commands until the clock is right. (The rest of the inbox runs against a real
 * Mosquitto in upstream.test.ts.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LockerdConfig } from '../../src/config/types.js';
import { LockerAdministration } from '../../src/locker/administration.js';
import { CommandInbox, type Ack } from '../../src/sync/command-inbox.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

describe('command inbox and the kiosk clock', () => {
  let h: LockerHarness;
  let cleanup: () => void;
  let config: LockerdConfig;
  const logs = captureLogger('info');

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    config = testConfig(dir);
    h = await LockerHarness.start(config, logs.log);
  });

  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  function inbox(clock: () => number): { inbox: CommandInbox; acks: Ack[] } {
    const { ledger, config } = h.app;
    const acks: Ack[] = [];
    const inbox = new CommandInbox({ ledger, locker: h.app.locker, admin: new LockerAdministration(ledger, config, clock), config, log: logs.log, sendAck: (a) => acks.push(a), now: clock });
    return { inbox, acks };
  }

  const command = (id: string, at: number): Buffer =>
    Buffer.from(JSON.stringify({ id, type: 'unit.upsert', issuedAt: new Date(at).toISOString(), expiresAt: new Date(at + 60_000).toISOString(), data: { unit: '777' } }));

  it('refuses commands while its clock is behind the ledger, and takes them once the clock is right', async () => {
    // The ledger was written just now (the app's start); the clock then jumps back two hours.
    const back = Date.now() - 2 * 3_600_000;
    const behind = inbox(() => back);
    await behind.inbox.handle(command('c-behind', back));
    expect(behind.acks).toHaveLength(1);
    expect(behind.acks[0]).toMatchObject({ commandId: 'c-behind', status: 'rejected' });
    expect(behind.acks[0]!.reason).toMatch(/^the kiosk's clock \(.+\) is 7\d{3} s behind its own ledger: expiry cannot be judged; check NTP on the kiosk$/);
    expect(h.app.ledger.people.unit('777')).toBeUndefined();
    expect(logs.text()).toContain('the kiosk clock is behind its own ledger');

    // The same command, sent again once the clock is right, is carried out.
    const right = inbox(Date.now);
    await right.inbox.handle(command('c-behind', Date.now()));
    expect(right.acks.map((a) => a.status)).toEqual(['done']);
    expect(h.app.ledger.people.unit('777')).toEqual({ id: '777', accessible: false });
  });

  it('says at start, as an error, that the clock is behind the ledger', async () => {
    await h.stop();
    const restart = captureLogger('info');
    h = await LockerHarness.start(config, restart.log, () => Date.now() - 2 * 3_600_000);
    const said = restart.lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 50);
    expect(said.map((l) => l.msg)).toEqual(['the clock is behind the ledger (it went back: no RTC, no NTP?): remote commands are refused and hold times are off until it is right']);
  });

  it('allows a minute of difference (clocks are never exact)', async () => {
    const slightly = Date.now() - 30_000;
    const { inbox: i, acks } = inbox(() => slightly);
    await i.handle(command('c-slight', slightly));
    expect(acks.map((a) => a.status)).toEqual(['done']);
  });
});

describe('command inbox: a remote door open the locker refuses', () => {
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

  function inbox(): { inbox: CommandInbox; acks: Ack[] } {
    const { ledger, config } = h.app;
    const acks: Ack[] = [];
    const inbox = new CommandInbox({ ledger, locker: h.app.locker, admin: new LockerAdministration(ledger, config), config, log: logs.log, sendAck: (a) => acks.push(a) });
    return { inbox, acks };
  }

  const doorOpen = (id: string, compartmentId: string, staffRecall?: boolean): Buffer =>
    Buffer.from(JSON.stringify({
      id, type: 'door.open', issuedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString(),
      data: { compartmentId, reason: 'test', ...(staffRecall !== undefined ? { staffRecall } : {}) },
    }));

  it('acks rejected, and only rejected, for an occupied or busy compartment, and fires no lock', async () => {
    const occupied = await h.deposit({ unit: '101' });
    // A second deposit whose door is still open: its compartment is busy.
    await h.keys('222222#');
    await h.scan('1Z5R89390357567127');
    await h.keys('202#');
    await h.keys('#');
    const busy = h.app.locker.openDoors().at(-1)!.compartmentId;
    const opsBefore = h.app.ledger.db.prepare('SELECT count(*) AS n FROM door_operations').get();
    const { inbox: i, acks } = inbox();

    await i.handle(doorOpen('c-occupied', occupied));
    await i.handle(doorOpen('c-busy', busy, true));
    await i.handle(doorOpen('c-unknown', 'Z99'));
    expect(acks.map((a) => [a.commandId, a.status])).toEqual([['c-occupied', 'rejected'], ['c-busy', 'rejected'], ['c-unknown', 'rejected']]);
    expect(acks[0]!.reason).toBe(`${occupied} holds a parcel for another person; send staffRecall: true to take it back`);
    expect(acks[1]!.reason).toBe(`a door operation on ${busy} is under way`);
    expect(h.app.ledger.db.prepare('SELECT count(*) AS n FROM door_operations').get()).toEqual(opsBefore);
    expect(h.app.ledger.outbox.list({ limit: 1000 }).some((e) => e.type === 'door.remote_opened')).toBe(false);
    // Remembered as rejected: the same command again is a duplicate, still without an `accepted`.
    expect(h.app.ledger.commands.seen('c-occupied')).toBe('rejected');
    await i.handle(doorOpen('c-occupied', occupied));
    expect(acks.at(-1)).toMatchObject({ commandId: 'c-occupied', status: 'rejected', reason: expect.stringMatching(/^duplicate/) });
    expect(acks.filter((a) => a.status === 'accepted')).toEqual([]);

    // A free compartment opens: accepted, then done.
    const free = h.app.ledger.compartments.free().at(-1)!.id;
    await i.handle(doorOpen('c-free', free));
    expect(acks.filter((a) => a.commandId === 'c-free').map((a) => a.status)).toEqual(['accepted', 'done']);
  });
});
