/**
 * The deployment requirement for remote commands: a link that is plain beyond this machine, or on
 * which the kiosk has no credentials of its own, is said loudly at start and by the self-test.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { judge, type SelfTestFacts } from '../../src/control/selftest.js';
import type { LockerdConfig } from '../../src/config/types.js';
import { isLoopback, linkFindings, reportLinkFindings } from '../../src/sync/deployment.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

describe('remote commands: the link they come over', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  const mqtt = (over: Partial<LockerdConfig['mqtt']>): LockerdConfig['mqtt'] => testConfig(dir, { mqtt: { enabled: true, ...over } }).mqtt;
  const verdicts = (over: Partial<LockerdConfig['mqtt']>): string[] => linkFindings(mqtt(over)).map((f) => f.severity);
  const creds = { username: 'demo-locker', password: 'long-random-secret' };
  const cert = { tls: { ca: '/etc/lockerd/ca.crt', cert: '/etc/lockerd/kiosk.crt', key: '/etc/lockerd/kiosk.key', rejectUnauthorized: true } };

  it('knows a loopback host', () => {
    for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1', 'broker.localhost']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['broker.example.net', '10.0.0.5', '128.0.0.1', '127.0.0.1.nip.io', '[::2]']) expect(isLoopback(h), h).toBe(false);
  });

  it('fails a plain link beyond this machine, whatever the credentials, and names what to change', () => {
    for (const url of ['mqtt://broker.example.net:1883', 'tcp://10.0.0.5', 'ws://broker.example.net/mqtt']) {
      const found = linkFindings(mqtt({ url, ...creds }));
      expect(found.map((f) => f.severity), url).toEqual(['fail']);
      expect(found[0]!.detail).toMatch(/is not encrypted and leaves this machine: .*; use mqtts:\/\/ \(or wss:\/\/\) with mqtt\.tls\.ca$/);
    }
    // The password in a URL is never repeated.
    expect(JSON.stringify(linkFindings(mqtt({ url: 'mqtt://kiosk:hunter22@broker.example.net' })))).not.toContain('hunter22');
  });

  it('fails a link without credentials beyond this machine; only warns on loopback', () => {
    expect(verdicts({ url: 'mqtts://broker.example.net:8883' })).toEqual(['fail']);
    expect(linkFindings(mqtt({ url: 'mqtts://broker.example.net:8883' }))[0]!.detail).toMatch(/set mqtt\.username and mqtt\.password, or mqtt\.tls\.cert and mqtt\.tls\.key, and install the ACL of config\/examples\/mosquitto$/);
    expect(verdicts({ url: 'mqtts://broker.example.net:8883', username: 'demo-locker' })).toEqual(['fail']); // a user name alone proves nothing
    expect(verdicts({ url: 'mqtt://localhost:1883' })).toEqual(['warn']);
    expect(verdicts({ url: 'mqtt://127.0.0.1:1883', ...creds })).toEqual([]);
  });

  it('accepts TLS with a password or a client certificate (or credentials in the URL), and refuses an unverified broker', () => {
    expect(verdicts({ url: 'mqtts://broker.example.net:8883', ...creds })).toEqual([]);
    expect(verdicts({ url: 'wss://broker.example.net/mqtt', ...cert })).toEqual([]);
    expect(verdicts({ url: 'mqtts://demo-locker:secret@broker.example.net:8883' })).toEqual([]);
    expect(verdicts({ url: 'mqtts://broker.example.net:8883', ...creds, tls: { rejectUnauthorized: false } })).toEqual(['fail']);
    expect(verdicts({ url: 'mqtt://broker.example.net', enabled: false })).toEqual([]);
  });

  it('the self-test fails, warns or passes on them', () => {
    const facts = (m: LockerdConfig['mqtt']): SelfTestFacts => ({
      now: Date.now(), ledger: { quickCheck: 'ok', journalMode: 'wal', synchronous: 2, newestEntryAt: null }, keyFile: { path: '/k', mode: 0o100600 }, diskFreeBytes: 1e10,
      boards: [], inputs: [], upstream: { enabled: m.enabled, connected: true, unsent: 0, oldestUnsentAt: null }, linkFindings: linkFindings(m),
      ledgerFiles: [], openDoors: [], leftOpenMs: 1, compartments: [], guessingWaitMs: 0, guessingSuspected: [], storage: { areas: 0, problems: [] }, climate: null,
    });
    const check = (m: LockerdConfig['mqtt']): { verdict: string; detail: string } => judge(facts(m)).find((c) => c.check === 'remote commands')!;
    expect(check(mqtt({ url: 'mqtt://broker.example.net:1883' }))).toMatchObject({ verdict: 'fail', detail: expect.stringMatching(/not encrypted.*; and no broker credentials/) });
    expect(check(mqtt({ url: 'mqtt://localhost:1883' })).verdict).toBe('warn');
    expect(check(mqtt({ url: 'mqtts://broker.example.net:8883', ...cert }))).toEqual({ check: 'remote commands', verdict: 'ok', detail: 'the link is encrypted (or local) and the kiosk logs in with credentials of its own' });
    expect(check(mqtt({ enabled: false })).verdict).toBe('ok');
  });

  it('says it as errors, with what to change', () => {
    // Judged without dialling: tests never send traffic beyond loopback.
    const logs = captureLogger('info');
    reportLinkFindings(mqtt({ url: 'mqtt://192.0.2.1:1883' }), logs.log);
    const errors = logs.lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 50).map((l) => l.msg);
    expect(errors).toEqual([
      'remote commands are not safe on this link: mqtt.url mqtt://192.0.2.1:1883 is not encrypted and leaves this machine: commands such as door.open, retrieval codes and the broker password cross the network in clear; use mqtts:// (or wss://) with mqtt.tls.ca',
      'remote commands are not safe on this link: no broker credentials for mqtt://192.0.2.1:1883: the broker cannot tell this kiosk from anyone else, so no ACL can keep others off its commands; set mqtt.username and mqtt.password, or mqtt.tls.cert and mqtt.tls.key, and install the ACL of config/examples/mosquitto',
    ]);
  });

  it('says it at every start of the daemon (a loopback broker without credentials: a warning)', async () => {
    const logs = captureLogger('info');
    // Port 9 on loopback: nothing answers; the locker starts and works offline.
    const h = await LockerHarness.start(testConfig(dir, { mqtt: { enabled: true, url: 'mqtt://127.0.0.1:9' } }), logs.log);
    await h.stop();
    const lines = logs.lines.map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(lines.filter((l) => l.level === 50)).toEqual([]);
    expect(lines.filter((l) => l.msg.startsWith('remote commands are not safe')).map((l) => [l.level, l.msg])).toEqual([
      [40, 'remote commands are not safe on this link: no broker credentials for mqtt://127.0.0.1:9: any local user who can reach the broker can send this kiosk commands; set mqtt.username and mqtt.password (or mqtt.tls.cert and mqtt.tls.key) and make the broker require them'],
    ]);
  });
});
