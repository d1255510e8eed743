import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LockerdConfig } from '../../src/config/types.js';
import { openDatabase } from '../../src/ledger/database.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/ledger/migrations.js';
import { readWalCommits } from '../../src/ledger/wal.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';
import { Broker, brokerAvailable } from '../helpers/mosquitto.js';
import { until } from '../helpers/upstream.js';

const HOUR = 3_600_000;

/** What is on the card: the ledger files' sizes and mtimes, and the WAL's commits. */
function cardState(ledgerPath: string): { files: string; commits: number } {
  const files = ['', '-wal']
    .map((s) => {
      const st = statSync(`${ledgerPath}${s}`);
      return `${s || 'db'}:${st.size}:${st.mtimeMs}`;
    })
    .join(' ');
  return { files, commits: readWalCommits(`${ledgerPath}-wal`).commits.length };
}

describe('the outbox migration (version 8)', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('upgrades a version 7 ledger: every event kept, no index on event ids, and a pruned seq is never reused', () => {
    const path = join(dir, 'ledger.db');
    const v7 = openDatabase(path, { migrations: MIGRATIONS.slice(0, 7) });
    const insert = v7.prepare(`INSERT INTO outbox (id, type, at, payload, code_acked_at) VALUES (?, 'parcel.deposited', ?, ?, ?)`);
    for (let i = 1; i <= 5; i++) insert.run(`id-${i}`, i, JSON.stringify({ n: i, ...(i === 2 ? { code: '12345678' } : {}) }), i === 2 ? 99 : null);
    // The newest events were acknowledged and pruned: only AUTOINCREMENT's counter remembers seq 5.
    v7.prepare('DELETE FROM outbox WHERE seq >= 4').run();
    expect(v7.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox' AND name LIKE 'sqlite_autoindex%'`).get()).toEqual({ n: 1 });
    v7.close();

    const db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT seq, id, at, payload, code_acked_at FROM outbox ORDER BY seq').all()).toEqual([
      { seq: 1, id: 'id-1', at: 1, payload: '{"n":1}', code_acked_at: null },
      { seq: 2, id: 'id-2', at: 2, payload: '{"n":2,"code":"12345678"}', code_acked_at: 99 },
      { seq: 3, id: 'id-3', at: 3, payload: '{"n":3}', code_acked_at: null },
    ]);
    const indexes = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
    expect(indexes).toEqual(['outbox_codes_held']);
    const next = db.prepare(`INSERT INTO outbox (id, type, at, payload) VALUES ('id-6', 'parcel.picked_up', 6, '{}')`).run();
    expect(Number(next.lastInsertRowid)).toBe(6);
    expect(db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'outbox'`).all()).toEqual([{ seq: 6 }]);
    // The rows still holding a code are found through their index, as the erase round does.
    expect(db.prepare('EXPLAIN QUERY PLAN SELECT seq FROM outbox WHERE code_acked_at < 100').all()).toEqual([expect.objectContaining({ detail: expect.stringContaining('outbox_codes_held') })]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('upgrades a version 7 ledger whose outbox is empty and was never used', () => {
    const path = join(dir, 'ledger.db');
    openDatabase(path, { migrations: MIGRATIONS.slice(0, 7) }).close();
    const db = openDatabase(path);
    expect(db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 0 });
    expect(Number(db.prepare(`INSERT INTO outbox (id, type, at, payload) VALUES ('a', 't', 1, '{}')`).run().lastInsertRowid)).toBe(1);
    db.close();
  });
});

describe('an idle locker writes nothing to the SD card', () => {
  let dir: string;
  let cleanup: () => void;
  let h: LockerHarness | undefined;
  let broker: Broker | undefined;
  const log = captureLogger('warn').log;

  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(async () => {
    vi.useRealTimers();
    await h?.stop();
    h = undefined;
    await broker?.stop();
    broker = undefined;
    cleanup();
  });

  /** A deposit, a pickup and a wrong code, so every idle timer has something it might save. */
  const useTheLocker = async (): Promise<void> => {
    await h!.deposit({ unit: '101' });
    const code = h!.latestCode();
    await h!.keys('00000000#');
    const [, compartment] = /Door (\w+)/.exec((await h!.keys(`${code}#`)).join(' ')) ?? [];
    expect(compartment).toBeDefined();
    await h!.door(compartment!, false);
    await h!.settle();
  };

  it('with upstream off: no commit through two hours of idle timers (pruning, holds, the guessing throttle, the upstream notice)', async () => {
    let now = Date.now();
    let seen = 0;
    const idle = (ms: number): void => {
      for (let t = 0; t < ms; t += 60_000) {
        now += 60_000;
        seen += 60_000;
        vi.advanceTimersByTime(60_000);
      }
    };
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const config: LockerdConfig = testConfig(dir);
    h = await LockerHarness.start(config, log, () => now, { monotonic: () => seen });
    await useTheLocker();
    // The throttle saves its clock while the wrong code still counts: for a day of seen time.
    idle(25 * HOUR);
    await h.settle();
    const before = cardState(config.ledger.path);
    idle(2 * HOUR);
    await h.settle();
    expect(cardState(config.ledger.path)).toEqual(before);
  });

  it.skipIf(!brokerAvailable())('with upstream on: once the events are acknowledged, telemetry and keepalives write nothing', async () => {
    broker = await Broker.start({ dir });
    const config = testConfig(dir, { mqtt: { enabled: true, url: broker.url, reconnectMinMs: 100, reconnectMaxMs: 1000, keepaliveSeconds: 5, telemetryIntervalMs: 5_000 } });
    h = await LockerHarness.start(config, log);
    await until(() => h!.app.sync.connected, 10_000, 'connected');
    await useTheLocker();
    const newest = h.app.ledger.outbox.newestSeq();
    await until(() => h!.app.ledger.outbox.ackedSeq === newest, 10_000, 'events acknowledged');
    await new Promise((r) => setTimeout(r, 500));
    const before = cardState(config.ledger.path);
    // Past one telemetry round (5 s, the shortest allowed).
    await new Promise((r) => setTimeout(r, 6_000));
    expect(cardState(config.ledger.path)).toEqual(before);
  });
});
