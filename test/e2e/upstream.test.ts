import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.js';
import { Daemon, lockerctl } from '../helpers/daemon.js';
import { tempDir, testConfigJson, writeConfig } from '../helpers/fixtures.js';
import { Broker, brokerAvailable } from '../helpers/mosquitto.js';
import { until, Upstream } from '../helpers/upstream.js';

const ROOT = 'lockers/demo-locker';
const BACKLOG = 3000;

describe.skipIf(!brokerAvailable())('the built daemon and a real Mosquitto', () => {
  let dir: string;
  let cleanup: () => void;
  let broker: Broker;
  let upstream: Upstream;
  let daemon: Daemon | undefined;

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    broker = await Broker.start({ dir });
    upstream = await Upstream.connect(broker.url, ROOT);
  });

  afterEach(async () => {
    await daemon?.stop();
    await upstream.close();
    await broker.stop('SIGKILL');
    cleanup();
  });

  it('survives being killed mid-drain: the will says offline, and after restart nothing is missing', async () => {
    const json = testConfigJson(dir, { mqtt: { enabled: true, url: broker.url, reconnectMinMs: 100, reconnectMaxMs: 1000, inflight: 8 } });
    const configPath = writeConfig(dir, json);
    // A backlog written by the real ledger, as after a long time offline.
    const ledger = Ledger.open({ path: join(dir, 'lockerd.db'), keyFile: join(dir, 'lockerd.key') });
    ledger.transaction(() => {
      for (let i = 0; i < BACKLOG; i++) ledger.outbox.append('door.left_open', Date.now(), { compartmentId: 'A01', openSince: new Date().toISOString() });
    });
    ledger.close();

    daemon = Daemon.spawn(configPath);
    await daemon.ready();
    await until(() => upstream.events().length >= 300, 15_000, 'drain under way');
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    const will = await until(() => {
      const s = upstream.latest('status') as { state: string; bootCount: number } | undefined;
      return s?.state === 'offline' ? s : undefined;
    }, 10_000, 'the will');
    expect(will.bootCount).toBe(2); // the ledger was opened once to write the backlog

    daemon = Daemon.spawn(configPath);
    await daemon.ready();
    await until(() => (upstream.latest('status') as { state: string; bootCount: number }).bootCount === 3, 10_000, 'online again with the next boot count');
    await until(() => upstream.uniqueEvents().length >= BACKLOG, 30_000, 'the whole backlog');
    const unique = upstream.uniqueEvents();
    expect(unique.map((e) => e.seq)).toEqual(Array.from({ length: BACKLOG }, (_, i) => i + 1));

    // Upstream confirms end to end; lockerctl outbox shows both watermarks, and the self-test
    // reports the unprotected (loopback, no credentials) link as a warning.
    const confirm = await upstream.command('events.ack', { throughSeq: BACKLOG });
    await until(() => upstream.acks(confirm).find((a) => a.status === 'done'), 10_000, 'events.ack done');
    const outbox = JSON.parse((await lockerctl(['--config', configPath, '--json', 'outbox', '--limit', '1'])).stdout) as { ackedSeq: number; confirmedSeq: number };
    expect(outbox).toMatchObject({ ackedSeq: BACKLOG, confirmedSeq: BACKLOG });
    expect((await lockerctl(['--config', configPath, 'outbox', '--limit', '1'])).stdout).toContain(`acknowledged through seq ${BACKLOG}`);
    expect((await lockerctl(['--config', configPath, 'outbox', '--limit', '1'])).stdout).toContain(`confirmed by upstream through seq ${BACKLOG}`);
    const selftest = JSON.parse((await lockerctl(['--config', configPath, '--json', 'selftest'])).stdout) as { checks: { check: string; verdict: string; detail: string }[] };
    expect(selftest.checks.find((c) => c.check === 'remote commands')).toMatchObject({ verdict: 'warn', detail: expect.stringMatching(/^no broker credentials for mqtt:\/\/127\.0\.0\.1:\d+: any local user/) });
    expect(upstream.violations).toEqual([]);
  });
});
