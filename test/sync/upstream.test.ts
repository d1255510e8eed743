import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Broker, brokerAvailable, freePort, makeCertificates } from '../helpers/mosquitto.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';
import { until, Upstream } from '../helpers/upstream.js';
import type { LockerdConfig } from '../../src/config/types.js';
import { checkLink } from '../../src/sync/check.js';

const ROOT = 'lockers/demo-locker';
const fast = { reconnectMinMs: 100, reconnectMaxMs: 1000, keepaliveSeconds: 5 };

describe.skipIf(!brokerAvailable())('upstream sync against a real Mosquitto', () => {
  let dir: string;
  let cleanup: () => void;
  let broker: Broker | undefined;
  let upstream: Upstream | undefined;
  let h: LockerHarness | undefined;
  let logs: ReturnType<typeof captureLogger>;

  const config = (url: string, over: Partial<LockerdConfig['mqtt']> = {}): LockerdConfig => testConfig(dir, { mqtt: { enabled: true, url, ...fast, ...over } });

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    logs = captureLogger();
  });

  afterEach(async () => {
    await h?.stop();
    await upstream?.close();
    await broker?.stop('SIGKILL');
    h = upstream = broker = undefined;
    cleanup();
  });

  it('delivers a deposit made while the broker was down, in order and once after de-duplication', async () => {
    // Upstream has a persistent session on a broker that keeps it across its own restart.
    broker = await Broker.start({ dir, persistence: true });
    upstream = await Upstream.connect(broker.url, ROOT, { clientId: 'upstream-test', clean: false, properties: { sessionExpiryInterval: 300 } });
    await broker.stop('SIGTERM');

    h = await LockerHarness.start(config(broker.url), logs.log);
    await h.deposit({ unit: '101' });
    const code = h.latestCode();
    await h.keys(`${code}#`);
    await h.door('A01', false);
    expect(h.app.ledger.outbox.depth().unsent).toBe(2);

    await broker.start();
    await until(() => h!.app.ledger.outbox.depth().unsent === 0, 10_000, 'outbox drained');
    await until(() => upstream!.uniqueEvents().length === 2, 10_000, 'both events upstream');
    const events = upstream.uniqueEvents();
    expect(events.map((e) => [e.seq, e.type])).toEqual([[1, 'parcel.deposited'], [2, 'parcel.picked_up']]);
    expect(events[0]!.data.code).toBe(code);
    expect(h.app.ledger.outbox.list().map((e) => e.sent)).toEqual([true, true]);
    const status = await until(() => upstream!.latest('status') as { state: string } | undefined, 5000, 'retained status');
    expect(status.state).toBe('online');
    expect(upstream.violations).toEqual([]);
  });

  it.each(['SIGTERM', 'SIGKILL'] as const)('drains a backlog across a broker %s and restart with no gap and no reordering, and keeps sent codes until upstream confirms them', async (signal) => {
    // Persistence and a persistent upstream session: what the broker acknowledged survives its restart.
    broker = await Broker.start({ dir, persistence: true });
    upstream = await Upstream.connect(broker.url, ROOT, { clientId: 'upstream-test', clean: false, properties: { sessionExpiryInterval: 300 } });
    h = await LockerHarness.start(config(broker.url, { inflight: 16 }), logs.log);
    await until(() => upstream!.latest('status'), 5000, 'online status');
    const ledger = h.app.ledger;
    // A backlog of real events: 40 deposits and 1500 door events appended by the real ledger.
    for (let i = 0; i < 3; i++) await h.deposit({ unit: String(101 + i) });
    ledger.transaction(() => {
      for (let i = 0; i < 1500; i++) ledger.outbox.append('door.left_open', Date.now(), { compartmentId: 'B01', openSince: new Date().toISOString() });
    });
    await until(() => upstream!.events().length > 200, 10_000, 'drain under way');
    await broker.stop(signal);
    expect(ledger.outbox.depth().unsent).toBeGreaterThan(0); // stopped mid-drain
    await broker.start();
    await until(() => ledger.outbox.depth().unsent === 0, 20_000, 'outbox drained after the broker came back');
    await until(() => upstream!.uniqueEvents().length >= 1503, 10_000, 'every event upstream');

    const unique = upstream.uniqueEvents();
    expect(unique.map((e) => e.seq)).toEqual(Array.from({ length: unique.length }, (_, i) => i + 1));
    // Every duplicate is a resend of the same event: same id, same seq.
    const byId = new Map(unique.map((e) => [e.id, e.seq]));
    for (const e of upstream.events()) expect(byId.get(e.id)).toBe(e.seq);
    // The plaintext codes went upstream; the broker's PUBACK alone does not erase the local copy
    // (a broker can lose what it acknowledged), upstream's events.ack does.
    const deposits = (): { data: Record<string, unknown> }[] => ledger.outbox.list({ limit: 10 }).filter((e) => e.type === 'parcel.deposited');
    expect(deposits()).toHaveLength(3);
    for (const e of deposits()) expect(e.data.code).toMatch(/^\d{8}$/);
    expect(unique.filter((e) => e.type === 'parcel.deposited').every((e) => /^\d{8}$/.test(String(e.data.code)))).toBe(true);
    const confirm = await upstream.command('events.ack', { throughSeq: unique.at(-1)!.seq });
    await until(() => upstream!.acks(confirm).find((a) => a.status === 'done'), 5000, 'events.ack done');
    for (const e of deposits()) {
      expect(e.data.code).toBeUndefined();
      expect(e.data.pickupQr).toBeUndefined();
    }
    expect(upstream.violations).toEqual([]);
  });

  it('carries out remote commands, refuses bad ones with a reason, and never twice', async () => {
    broker = await Broker.start({ dir });
    upstream = await Upstream.connect(broker.url, ROOT);
    h = await LockerHarness.start(config(broker.url), logs.log);
    await until(() => upstream!.latest('status'), 5000, 'online status');
    const ledger = h.app.ledger;

    const unit = await upstream.command('unit.upsert', { unit: '999', accessible: true });
    await until(() => upstream!.acks(unit).find((a) => a.status === 'done'), 5000, 'unit.upsert done');
    expect(ledger.people.unit('999')).toEqual({ id: '999', accessible: true });

    await h.deposit({ unit: '999' });
    const firstCode = h.latestCode();
    const reissue = await upstream.command('code.reissue', { unit: '999' });
    await until(() => upstream!.acks(reissue).find((a) => a.status === 'done'), 5000, 'code.reissue done');
    const reissued = await until(() => upstream!.events().find((e) => e.type === 'code.reissued'), 5000, 'code.reissued event');
    expect(reissued.data.code).not.toBe(firstCode);
    expect(await h.keys(`${firstCode}#`)).toEqual(['That code is not valid or its parcel was already collected. Check it and try again.']);

    // A remote door open on a compartment holding someone's parcel is refused...
    const occupied = ledger.parcels.list()[0]!.compartmentId;
    const refused = await upstream.command('door.open', { compartmentId: occupied, reason: 'test' });
    await until(() => upstream!.acks(refused).find((a) => a.status === 'rejected'), 5000, 'door.open rejected');
    expect(upstream.acks(refused).at(-1)!.reason).toMatch(/holds a parcel/);
    // ...and an empty one opens, once, even if the same command arrives again.
    const open = await upstream.command('door.open', { compartmentId: 'B05', reason: 'resident locked out' });
    await until(() => upstream!.acks(open).find((a) => a.status === 'done'), 5000, 'door.open done');
    expect(h.app.locker.openDoors().map((d) => d.compartmentId)).toContain('B05');
    await upstream.command('door.open', { compartmentId: 'B05', reason: 'resident locked out' }, { id: open });
    await until(() => upstream!.acks(open).find((a) => a.status === 'rejected'), 5000, 'duplicate rejected');
    expect(upstream.acks(open).at(-1)!.reason).toMatch(/^duplicate/);
    expect(ledger.db.prepare(`SELECT count(*) AS n FROM door_operations WHERE purpose = 'remote'`).get()).toEqual({ n: 1 });

    // Bad input: each refused with a reason, nothing changed.
    const before = JSON.stringify(ledger.db.prepare('SELECT * FROM units ORDER BY id').all());
    const expired = await upstream.command('unit.upsert', { unit: '998' }, { issuedAt: '2026-01-01T00:00:00Z', expiresAt: '2026-01-01T00:01:00Z' });
    // Issued an hour from now by the kiosk's clock: one clock is wrong, so the expiry cannot be trusted.
    const hour = 3_600_000;
    const fromTheFuture = await upstream.command('unit.upsert', { unit: '997' }, { issuedAt: new Date(Date.now() + hour).toISOString(), expiresAt: new Date(Date.now() + hour + 60_000).toISOString() });
    const unknown = await upstream.command('teleport.parcel', { to: 'moon' });
    const malformed = await upstream.command('unit.upsert', { unit: 'twelve', extra: 1 });
    const noSuchParcel = await upstream.command('parcel.cancel', { parcelId: '01935c1e-7c2a-7000-8000-000000000001', reason: 'x' });
    await upstream.raw('this is not json');
    await upstream.raw(Buffer.alloc(20_000, 0x7b));
    await until(() => upstream!.acks().filter((a) => a.status === 'rejected').length >= 9, 5000, 'all refusals acknowledged');
    const reason = (id: string): string | undefined => upstream!.acks(id).at(-1)?.reason;
    expect(reason(expired)).toMatch(/^expired at/);
    expect(reason(fromTheFuture)).toMatch(/^issued 3[56]\d\d s ahead of the kiosk's clock \(.+\): one of the clocks is wrong; check NTP$/);
    expect(reason(unknown)).toBe('unknown command type "teleport.parcel"');
    expect(reason(malformed)).toMatch(/data has an unknown field "extra"|data\.unit must match pattern/);
    expect(reason(noSuchParcel)).toBe('parcel 01935c1e-7c2a-7000-8000-000000000001 does not exist');
    const anonymous = upstream.acks('unknown').map((a) => a.reason);
    expect(anonymous).toEqual(expect.arrayContaining(['command is not valid JSON', 'command is 20000 bytes, more than the 16384 accepted']));
    expect(JSON.stringify(ledger.db.prepare('SELECT * FROM units ORDER BY id').all())).toBe(before);
    expect(upstream.violations.filter((v) => !v.endsWith('/commands: not JSON') && !v.includes('/commands: command'))).toEqual([]);
    expect(logs.text()).not.toContain(firstCode);
    // The refused commands were remembered, so a replay is refused as a duplicate.
    expect(ledger.commands.seen(expired)).toBe('rejected');
  });

  it('receives commands queued while it was offline, and says offline when it stops', async () => {
    broker = await Broker.start({ dir });
    upstream = await Upstream.connect(broker.url, ROOT);
    const cfg = config(broker.url);
    h = await LockerHarness.start(cfg, logs.log);
    await until(() => (upstream!.latest('status') as { state?: string } | undefined)?.state === 'online', 5000, 'online');
    await h.stop();
    h = undefined;
    await until(() => (upstream!.latest('status') as { state?: string } | undefined)?.state === 'offline', 5000, 'offline after a clean stop');

    const queued = await upstream.command('courier.set', { courierId: 'dhl-7', carrier: 'DHL', pin: '480213' });
    h = await LockerHarness.start(cfg, logs.log);
    await until(() => upstream!.acks(queued).find((a) => a.status === 'done'), 10_000, 'queued command done');
    expect(await h.keys('480213#')).toEqual(['Hello DHL. Scan a parcel, or press * to log out.']);
    expect(logs.text()).not.toContain('480213');
  });

  it('connects over TLS with a client certificate', async () => {
    const tls = makeCertificates(`${dir}/certs`);
    broker = await Broker.start({ dir, tls });
    upstream = await Upstream.connect(broker.url, ROOT);
    const cfg = config(broker.tlsUrl, { tls: { ca: tls.ca, cert: tls.clientCert, key: tls.clientKey, rejectUnauthorized: true } });
    h = await LockerHarness.start(cfg, logs.log);
    await until(() => (upstream!.latest('status') as { state?: string } | undefined)?.state === 'online', 10_000, 'online over TLS');
    await h.deposit({ unit: '101' });
    await until(() => upstream!.events().find((e) => e.type === 'parcel.deposited'), 5000, 'deposit over TLS');
    const inventory = await until(() => upstream!.latest('inventory') as { sizes: { S: { occupied: number } } } | undefined, 5000, 'inventory');
    await until(() => (upstream!.latest('inventory') as { sizes: { S: { occupied: number } } }).sizes.S.occupied === 1, 5000, 'inventory shows the parcel');
    expect(inventory).toBeDefined();
    expect(upstream.violations).toEqual([]);

    // lockerctl mqtt check, with the same settings: a round trip and the TLS details.
    const check = await checkLink(cfg);
    expect(check.tls).toMatchObject({ protocol: expect.stringMatching(/^TLSv1\.[23]$/), peerSubject: 'localhost' });
    expect(check.roundTripMs).toBeGreaterThan(0);
    // Without the client certificate the broker refuses, and the check says so.
    await expect(checkLink({ ...cfg, mqtt: { ...cfg.mqtt, tls: { ca: tls.ca, rejectUnauthorized: true } } }, 3000)).rejects.toThrow(/cannot connect to mqtts:\/\/127\.0\.0\.1/);
  });
});
