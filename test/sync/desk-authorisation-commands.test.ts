/**
 * `pickup.authorise` and `pickup.revoke` from upstream, through the real command inbox into a
 * front desk: validated against the contract, idempotent by id, refused with a reason (changing
 * nothing) when they do not fit the ledger; an authorisation shows at the desk's pickup.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockerAdministration } from '../../src/locker/administration.js';
import { CommandInbox, type Ack } from '../../src/sync/command-inbox.js';
import { validators } from '../../src/sync/validate.js';
import { deskConfig } from '../helpers/desk-config.js';
import { captureLogger, tempDir } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

describe('pickup.authorise and pickup.revoke', () => {
  let h: LockerHarness;
  let cleanup: () => void;
  let acks: Ack[];
  let inbox: CommandInbox;
  let n = 0;
  const inADay = () => new Date(Date.now() + 86_400_000).toISOString();

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    const logs = captureLogger('debug');
    h = await LockerHarness.start(deskConfig(dir), logs.log);
    const { ledger, config } = h.app;
    acks = [];
    inbox = new CommandInbox({ ledger, locker: h.app.locker, admin: new LockerAdministration(ledger, config), config, log: logs.log, sendAck: (a) => acks.push(a) });
  });

  afterEach(async () => {
    for (const a of acks) expect(validators.ack(a) ? null : validators.ack.errors).toBeNull();
    for (const e of h.app.ledger.outbox.list({ limit: 1000 })) expect(validators.eventData.get(e.type)!(e.data), e.type).toBe(true);
    await h.stop();
    cleanup();
  });

  async function send(type: string, data: Record<string, unknown>): Promise<Ack> {
    const id = `c-${++n}`;
    await inbox.handle(Buffer.from(JSON.stringify({ id, type, issuedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString(), data })));
    return acks.filter((a) => a.commandId === id).at(-1)!;
  }
  const events = (type: string) => h.app.ledger.outbox.list({ limit: 1000 }).filter((e) => e.type === type).map((e) => e.data);

  it('stores an authorisation once, however often it is sent, and revokes it', async () => {
    const data = { authorisationId: 'auth-1', unit: '101', collector: 'Sam Lee', expiresAt: inADay() };
    expect(await send('pickup.authorise', data)).toMatchObject({ status: 'done' });
    expect(await send('pickup.authorise', data)).toMatchObject({ status: 'done' });
    expect(events('pickup.authorised')).toEqual([expect.objectContaining({ authorisationId: 'auth-1', unit: '101', collector: 'Sam Lee', parcelId: null })]);
    expect(h.app.ledger.authorisations.liveForUnit('101', Date.now())).toHaveLength(1);
    expect(await send('pickup.authorise', { ...data, collector: 'Someone Else' })).toMatchObject({ status: 'rejected', reason: expect.stringContaining('exists with other data') });
    expect(await send('pickup.revoke', { authorisationId: 'auth-1' })).toMatchObject({ status: 'done' });
    expect(await send('pickup.revoke', { authorisationId: 'auth-1' })).toMatchObject({ status: 'done' });
    expect(events('pickup.authorisation_revoked')).toHaveLength(1);
    expect(h.app.ledger.authorisations.liveForUnit('101', Date.now())).toHaveLength(0);
  });

  it('refuses what does not fit, changing nothing', async () => {
    const base = { authorisationId: 'auth-2', unit: '101', collector: 'Sam Lee', expiresAt: inADay() };
    expect(await send('pickup.authorise', { ...base, unit: '999' })).toMatchObject({ status: 'rejected', reason: 'unit 999 does not exist here' });
    expect(await send('pickup.authorise', { ...base, expiresAt: new Date(Date.now() - 1000).toISOString() })).toMatchObject({ status: 'rejected', reason: expect.stringContaining('already past') });
    expect(await send('pickup.authorise', { ...base, expiresAt: new Date(Date.now() + 200 * 86_400_000).toISOString() })).toMatchObject({ status: 'rejected', reason: expect.stringContaining('90 days') });
    expect(await send('pickup.authorise', { ...base, collector: '   ' })).toMatchObject({ status: 'rejected', reason: expect.stringContaining('blank') });
    expect(await send('pickup.authorise', { ...base, collector: 'a\u0000b' })).toMatchObject({ status: 'rejected' });
    expect(await send('pickup.authorise', { ...base, parcelId: '01935c1e-7c2a-7000-8000-000000000001' })).toMatchObject({ status: 'rejected', reason: expect.stringContaining('is not a parcel of unit 101') });
    expect(await send('pickup.authorise', { ...base, extra: 1 })).toMatchObject({ status: 'rejected' });
    expect(await send('pickup.revoke', { authorisationId: 'nope' })).toMatchObject({ status: 'rejected', reason: 'authorisation nope does not exist' });
    expect(h.app.ledger.authorisations.get('auth-2')).toBeUndefined();
    expect(events('pickup.authorised')).toHaveLength(0);
  });
});
