/**
 * The shipped Mosquitto ACL (config/examples/mosquitto/acl), on a real Mosquitto, with kiosks
 * logging in by password and by client certificate (CN as user name): the kiosk works (events up, commands down, `lockerctl mqtt check`), and another kiosk with
 * valid credentials of its own can neither read this kiosk's commands nor publish to its
 * commands or events.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LockerdConfig } from '../../src/config/types.js';
import { checkLink } from '../../src/sync/check.js';
import { captureLogger, ROOT, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';
import { Broker, brokerAvailable, makeCertificates, makeClientCertificate } from '../helpers/mosquitto.js';
import { until, Upstream } from '../helpers/upstream.js';

const KIOSK = 'lockers/demo-locker';
const USERS = { 'demo-locker': 'kiosk-secret-1', 'other-locker': 'kiosk-secret-2', upstream: 'upstream-secret' };

describe.skipIf(!brokerAvailable())('the shipped Mosquitto ACL', () => {
  let dir: string;
  let cleanup: () => void;
  let broker: Broker | undefined;
  let upstream: Upstream | undefined;
  let rogue: mqtt.MqttClient | undefined;
  let h: LockerHarness | undefined;

  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(async () => {
    await h?.stop();
    await upstream?.close();
    await rogue?.endAsync(true);
    await broker?.stop('SIGKILL');
    h = upstream = rogue = broker = undefined;
    cleanup();
  });

  /** Upstream logs in with a password; the kiosk and the rogue kiosk as `kiosk` and `asOther` say. */
  async function confined(kiosk: Partial<LockerdConfig['mqtt']>, asOther: () => Promise<mqtt.MqttClient>): Promise<void> {
    upstream = await Upstream.connect(broker!.url, 'lockers', { username: 'upstream', password: USERS.upstream });
    const config = testConfig(dir, { mqtt: { enabled: true, reconnectMinMs: 100, reconnectMaxMs: 1000, ...kiosk } });
    h = await LockerHarness.start(config, captureLogger().log);
    await until(() => upstream!.received.some((m) => m.topic === `${KIOSK}/status`), 5000, 'the kiosk online upstream');

    // The kiosk works under the ACL: events up, a command down and its ack, the link check.
    await h.deposit({ unit: '101' });
    await until(() => upstream!.received.find((m) => m.topic === `${KIOSK}/events`), 5000, 'the deposit upstream');
    const cmd = { id: 'acl-1', type: 'unit.upsert', issuedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString(), data: { unit: '990' } };
    await upstream.client.publishAsync(`${KIOSK}/commands`, JSON.stringify(cmd), { qos: 1 });
    await until(() => upstream!.received.find((m) => m.topic === `${KIOSK}/acks` && (m.json as { commandId: string }).commandId === 'acl-1'), 5000, 'the ack');
    expect(h.app.ledger.people.unit('990')).toBeDefined();
    expect((await checkLink(config, 5000)).roundTripMs).toBeGreaterThan(0);

    // Another kiosk, logged in with its own valid credentials, listens to everything...
    rogue = await asOther();
    const overheard: string[] = [];
    rogue.on('message', (topic) => overheard.push(topic));
    await rogue.subscribeAsync([`${KIOSK}/commands`, 'lockers/#', '#'], { qos: 1 });
    // ...and tries to impersonate upstream and the kiosk (one connection each: mqtt.js drops a
    // connection after a second refused publish). The broker refuses both: PUBACK "not authorized".
    const forged = { ...cmd, id: 'acl-forged', type: 'door.open', data: { compartmentId: 'B05', reason: 'forged' } };
    const fakeEvent = { id: '01935c1e-7c2a-7000-8000-00000000ffff', seq: 999, type: 'door.forced_open', at: new Date().toISOString(), kioskId: 'demo-locker', data: { compartmentId: 'A01', parcelId: null } };
    for (const [topic, payload] of [[`${KIOSK}/commands`, forged], [`${KIOSK}/events`, fakeEvent]] as const) {
      const forger = await asOther();
      await expect(forger.publishAsync(topic, JSON.stringify(payload), { qos: 1 }), topic).rejects.toThrow('Publish error: Not authorized');
      await forger.endAsync(true);
    }
    // Meanwhile the real upstream sends this kiosk a command the rogue must not overhear, then one
    // to the rogue's own commands topic, which it does get: its subscriptions were live throughout.
    await upstream.client.publishAsync(`${KIOSK}/commands`, JSON.stringify({ ...cmd, id: 'acl-2', data: { unit: '991' } }), { qos: 1 });
    await until(() => upstream!.received.find((m) => m.topic === `${KIOSK}/acks` && (m.json as { commandId: string }).commandId === 'acl-2'), 5000, 'the second ack');
    await upstream.client.publishAsync('lockers/other-locker/commands', JSON.stringify({ ...cmd, id: 'acl-3' }), { qos: 1 });
    await until(() => overheard.includes('lockers/other-locker/commands'), 5000, 'the rogue gets its own commands');
    expect(rogue.connected).toBe(true);

    expect(overheard.filter((t) => t.startsWith(`${KIOSK}/`))).toEqual([]);
    const acked = upstream.received.filter((m) => m.topic === `${KIOSK}/acks`).map((m) => (m.json as { commandId: string }).commandId);
    expect(acked).not.toContain('acl-forged');
    expect(h.app.ledger.commands.seen('acl-forged')).toBeUndefined();
    expect(upstream.received.filter((m) => m.topic === `${KIOSK}/events`).map((m) => (m.json as { seq: number }).seq)).not.toContain(999);
    expect(h.app.locker.openDoors()).toEqual([]);
  }

  function passwords(): string {
    const passwd = join(dir, 'passwd');
    for (const [user, password] of Object.entries(USERS)) execFileSync('mosquitto_passwd', [...(user === 'demo-locker' ? ['-c'] : []), '-b', passwd, user, password], { stdio: 'pipe' });
    return `password_file ${passwd}`;
  }
  const ACL = `acl_file ${join(ROOT, 'config/examples/mosquitto/acl')}`;

  it('keeps each kiosk to its own commands and its own topics (user name and password)', async () => {
    broker = await Broker.start({ dir, anonymous: false, extra: [passwords(), ACL] });
    await confined({ url: broker.url, username: 'demo-locker', password: USERS['demo-locker'] }, () =>
      mqtt.connectAsync(broker!.url, { protocolVersion: 5, username: 'other-locker', password: USERS['other-locker'], reconnectPeriod: 0 }),
    );
  });

  it('keeps each kiosk to its own commands and its own topics (client certificate, CN as user name)', async () => {
    const tls = makeCertificates(join(dir, 'certs'));
    const other = makeClientCertificate(join(dir, 'certs'), 'other-locker');
    broker = await Broker.start({ dir, anonymous: false, extra: [passwords(), ACL], tls, tlsExtra: ['use_identity_as_username true'] });
    const tlsFiles = (cert: string, key: string) => ({ ca: readFileSync(tls.ca), cert: readFileSync(cert), key: readFileSync(key) });
    await confined({ url: broker.tlsUrl, tls: { ca: tls.ca, cert: tls.clientCert, key: tls.clientKey, rejectUnauthorized: true } }, () =>
      mqtt.connectAsync(broker!.tlsUrl, { protocolVersion: 5, ...tlsFiles(other.cert, other.key), reconnectPeriod: 0 }),
    );
  });
});
