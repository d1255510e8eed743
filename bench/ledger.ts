/**
 * bench:ledger — what the ledger costs a locker: durable commits per parcel, code lookup time and
 * bytes per parcel with a million parcels of history, and the daemon's cold start on that ledger.
 * Run with `npm run bench:ledger`. See docs/benchmarks.md for what each figure means.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import type { Key } from '../drivers/contracts.js';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { packageRoot } from '../src/config/paths.js';
import type { LockerdConfig, LogLevel, UnitConfig } from '../src/config/types.js';
import { Ledger } from '../src/ledger/ledger.js';
import { SCHEMA_VERSION } from '../src/ledger/migrations.js';
import { generateCode } from '../src/locker/retrieval-code.js';
import { createLogger } from '../src/log.js';
import { buildingUnits, ledgerFixture, type Fixture } from './ledger-fixture.js';
import { fmtBytes, fmtMs, mean, median, msSince, percentile } from './stats.js';

const LIFECYCLES = 50;
/** 1,000,000 by default; BENCH_LEDGER_PARCELS overrides it for a quick try (the figures then do not answer the targets). */
const HISTORY_PARCELS = Number(process.env.BENCH_LEDGER_PARCELS ?? 1_000_000);
const OUTBOX_KEPT = 2_000;
const LOOKUPS = 10_000;
const LOOKUP_WARMUP = 200;
const STARTS = 5;
const PICKUP_READS = 10;

const TARGET = {
  commitsPerLifecycle: 4,
  lookupP99Ms: 1,
  bytesPerParcel: 2048,
  coldStartMs: 1500,
};

const root = packageRoot();
const benchStarted = process.hrtime.bigint();
const tempDirs: string[] = [];

function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockerd-bench-'));
  tempDirs.push(dir);
  return dir;
}

interface ConfigOptions {
  dir: string;
  level: LogLevel;
  ledgerPath?: string;
  keyFile?: string;
  units?: UnitConfig[];
}

/** config/default.json with the ledger, key and socket in `dir`, doors that open at once and stay open until closed. */
function writeConfig(o: ConfigOptions): { path: string; config: LockerdConfig } {
  const raw = JSON.parse(readFileSync(join(root, 'config', 'default.json'), 'utf8')) as Record<string, unknown> & {
    buses: Record<string, unknown>[];
  };
  raw.log = { level: o.level };
  raw.ledger = { path: o.ledgerPath ?? join(o.dir, 'lockerd.db'), keyFile: o.keyFile ?? join(o.dir, 'lockerd.key') };
  raw.control = { socketPath: join(o.dir, 'lockerd.sock') };
  raw.screen = { enabled: false }; // no port: the bench measures the ledger
  for (const bus of raw.buses) {
    bus.autoCloseMs = 0;
    bus.unlockDelayMs = 0;
  }
  if (o.units) raw.units = o.units;
  const path = join(o.dir, 'config.json');
  writeFileSync(path, `${JSON.stringify(raw, null, 2)}\n`);
  return { path, config: loadConfig(path) };
}

// ---------------------------------------------------------------------------------------------
// 1. Durable commits per parcel lifecycle, through the real app

interface LifecycleCommits {
  login: number;
  deposit: number;
  logout: number;
  pickup: number;
  ms: number;
}

async function measureLifecycles(n: number): Promise<LifecycleCommits[]> {
  const dir = tempDir();
  const { config } = writeConfig({ dir, level: 'silent' });
  const app = createApp(config, createLogger({ level: 'silent' }));
  await app.start();
  const { boards, keypad, scanner } = app.sim;
  if (!boards || !keypad || !scanner) throw new Error('bench:ledger needs the default config\'s simulated lock boards, keypad and scanner');
  const ledger = app.ledger;
  let commits = 0;
  ledger.on('committed', () => commits++);
  const expectState = (want: string, step: string): void => {
    if (app.kiosk.state !== want) {
      throw new Error(`lifecycle: after ${step} the kiosk is in "${app.kiosk.state}", expected "${want}" (display: ${app.kiosk.lastDisplay?.text ?? '-'})`);
    }
  };
  const keys = async (text: string): Promise<void> => {
    for (const ch of text) keypad.press(ch as Key);
    await app.kiosk.idle();
  };
  const closeActiveDoor = async (): Promise<string> => {
    const ops = ledger.doorOperations.allActive();
    if (ops.length !== 1) throw new Error(`lifecycle: expected one door operation under way, found ${ops.length}`);
    const op = ops[0]!;
    const c = ledger.compartments.get(op.compartmentId)!;
    boards.setDoor({ board: c.board, lock: c.lock }, false);
    await app.kiosk.idle();
    return op.parcelId!;
  };

  const courier = config.couriers[0]!;
  const units = config.units;
  const results: LifecycleCommits[] = [];
  let afterSeq = 0;
  try {
    for (let i = 0; i < n; i++) {
      const started = process.hrtime.bigint();
      const c0 = commits;
      await keys(`${courier.pin}#`);
      expectState('courier_scan', 'the courier PIN');
      const c1 = commits;
      scanner.scan(`1Z999AA1${String(10_000_000 + i)}`);
      await app.kiosk.idle();
      expectState('courier_unit', 'the label scan');
      await keys(`${units[i % units.length]!.id}#`);
      expectState('courier_size', 'the unit number');
      await keys('#'); // size: auto
      expectState('courier_door', 'the size choice');
      const parcelId = await closeActiveDoor();
      expectState('courier_scan', 'the deposit door closing');
      const c2 = commits;
      await keys('*');
      expectState('idle', 'logging out');
      const c3 = commits;

      const events = ledger.outbox.list({ afterSeq, limit: 1000 });
      afterSeq = events.at(-1)?.seq ?? afterSeq;
      const deposited = events.find((e) => e.type === 'parcel.deposited' && e.data.parcelId === parcelId);
      const code = deposited?.data.code;
      if (typeof code !== 'string') throw new Error('lifecycle: no parcel.deposited event with a code in the outbox');
      await keys(`${code}#`);
      expectState('resident_doors', 'the retrieval code');
      await closeActiveDoor();
      expectState('idle', 'the pickup door closing');
      const c4 = commits;
      if (ledger.parcels.get(parcelId)?.state !== 'picked_up') throw new Error(`lifecycle: parcel ${parcelId} is not picked up`);
      results.push({ login: c1 - c0, deposit: c2 - c1, logout: c3 - c2, pickup: c4 - c3, ms: msSince(started) });
    }
  } finally {
    await app.stop();
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// 2. Code lookups on the million-parcel ledger

interface LookupResult {
  wrong: number[];
  live: number[];
  hmacOnly: number[];
  queryPlan: string;
  /** The reads Pickups.pickup() makes before its intent commit, for a live code: findLive, waitingForCode, activeFor per parcel. */
  pickupReads: number[];
  activeForPlan: string;
}

const plan = (db: Database.Database, sql: string, ...args: unknown[]): string =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('; ');

function measureLookups(dbPath: string, keyFile: string, liveCodes: readonly string[], codeLength: number): LookupResult {
  const ledger = Ledger.open({ path: dbPath, keyFile });
  try {
    // The statements as src/ledger/codes.ts and door-operations.ts prepare them.
    const queryPlan = plan(ledger.db, `SELECT id, unit, state, created_at FROM retrieval_codes WHERE code_hash = ? AND state = 'live'`, Buffer.alloc(32));
    const activeForPlan = plan(ledger.db, `SELECT * FROM door_operations WHERE compartment_id = ? AND state IN ('intent','opened') ORDER BY id`, 'A01');
    const liveSet = new Set(liveCodes);
    const wrongCode = (): string => {
      for (;;) {
        const c = generateCode(codeLength);
        if (!liveSet.has(c)) return c;
      }
    };
    const wrong: number[] = [];
    const live: number[] = [];
    const hmacOnly: number[] = [];
    // Alternate the two kinds so both see the same machine noise.
    for (let i = 0; i < LOOKUP_WARMUP + LOOKUPS; i++) {
      const candidates: [string, boolean][] = [
        [wrongCode(), false],
        [liveCodes[Math.floor(Math.random() * liveCodes.length)]!, true],
      ];
      for (const [code, isLive] of candidates) {
        const t = process.hrtime.bigint();
        const found = ledger.codes.findLive(ledger.hasher.hash('code', code));
        const ms = msSince(t);
        if ((found !== undefined) !== isLive) throw new Error(`lookup: a ${isLive ? 'live' : 'wrong'} code was ${found ? 'found' : 'not found'}`);
        if (i >= LOOKUP_WARMUP) (isLive ? live : wrong).push(ms);
      }
      const t = process.hrtime.bigint();
      ledger.hasher.hash('code', candidates[0]![0]);
      if (i >= LOOKUP_WARMUP) hmacOnly.push(msSince(t));
    }
    const pickupReads: number[] = [];
    for (let i = 0; i <= PICKUP_READS; i++) {
      const code = liveCodes[i % liveCodes.length]!;
      const t = process.hrtime.bigint();
      const record = ledger.codes.findLive(ledger.hasher.hash('code', code))!;
      // As src/locker/pickups.ts reads them: the waiting parcels, then each one's door operations.
      const waiting = ledger.parcels.waitingForCode(record.id).filter((p) => ledger.doorOperations.activeFor(p.compartmentId).length === 0);
      const ms = msSince(t);
      if (waiting.length === 0) throw new Error('lookup: a live code has no parcel waiting');
      if (i > 0) pickupReads.push(ms); // the first one is a warm-up
    }
    return { wrong, live, hmacOnly, queryPlan, pickupReads, activeForPlan };
  } finally {
    ledger.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Bytes per parcel

interface SpaceRow {
  table: string;
  bytes: number;
  /** Share of those bytes holding row data (the rest: page headers, cell pointers, free space). */
  fill: number;
}

function measureSpace(dbPath: string): { rows: SpaceRow[]; freelistBytes: number; available: boolean } {
  const db = new Database(dbPath, { readonly: true });
  try {
    const owner = new Map<string, string>();
    for (const r of db.prepare(`SELECT name, tbl_name FROM sqlite_schema`).all() as { name: string; tbl_name: string }[]) owner.set(r.name, r.tbl_name);
    let stat: { name: string; bytes: number; payload: number }[];
    try {
      stat = db.prepare(`SELECT name, sum(pgsize) AS bytes, sum(payload) AS payload FROM dbstat GROUP BY name`).all() as typeof stat;
    } catch {
      return { rows: [], freelistBytes: 0, available: false };
    }
    const byTable = new Map<string, { bytes: number; payload: number }>();
    for (const s of stat) {
      const table = owner.get(s.name) ?? s.name;
      const t = byTable.get(table) ?? { bytes: 0, payload: 0 };
      t.bytes += s.bytes;
      t.payload += s.payload;
      byTable.set(table, t);
    }
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const freelist = db.pragma('freelist_count', { simple: true }) as number;
    const rows = [...byTable].map(([table, t]) => ({ table, bytes: t.bytes, fill: t.bytes > 0 ? t.payload / t.bytes : 0 })).sort((a, b) => b.bytes - a.bytes);
    return { rows, freelistBytes: freelist * pageSize, available: true };
  } finally {
    db.close();
  }
}

/** Index sizes of the biggest tables, separately (they are part of the per-table figure). */
function indexBytes(dbPath: string): Map<string, number> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db
      .prepare(`SELECT d.name AS name, sum(d.pgsize) AS bytes FROM dbstat d JOIN sqlite_schema s ON s.name = d.name WHERE s.type = 'index' GROUP BY d.name`)
      .all() as { name: string; bytes: number }[];
    return new Map(rows.map((r) => [r.name, r.bytes]));
  } catch {
    return new Map();
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Cold start

/** Milliseconds from spawn to the first stdout line that `isReady` accepts; the process is then stopped with SIGTERM. */
function timeToReady(args: string[], isReady: (line: string) => boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let readyMs: number | undefined;
    let stderr = '';
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (readyMs === undefined && isReady(line)) {
        readyMs = msSince(started);
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (readyMs === undefined) reject(new Error(`node ${args.join(' ')} exited (${code ?? signal}) before it was ready: ${stderr.trim()}`));
      else resolve(readyMs);
    });
  });
}

const daemonReady = (line: string): boolean => {
  try {
    return (JSON.parse(line) as { msg?: unknown }).msg === 'lockerd ready';
  } catch {
    return false;
  }
};

interface StartTimes {
  bigLedger: number[];
  /** The same, with the ledger file dropped from the page cache before each start; empty when that is not possible here. */
  bigLedgerEvicted: number[];
  emptyLedger: number[];
  nodeSqlite: number[];
  bareNode: number[];
}

/** Drops one file's pages from the page cache (GNU dd, POSIX_FADV_DONTNEED); touches nothing else. */
function evictFromPageCache(path: string): boolean {
  const r = spawnSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0'], { stdio: 'ignore' });
  return r.status === 0;
}

async function measureColdStarts(bigConfigPath: string, emptyConfigPath: string, bigLedgerPath: string): Promise<StartTimes> {
  const main = join(root, 'dist', 'src', 'main.js');
  const kinds: [keyof StartTimes, string[], (line: string) => boolean][] = [
    ['bareNode', ['-e', `process.stdout.write('ready\\n')`], (l) => l === 'ready'],
    [
      'nodeSqlite',
      ['--input-type=module', '-e', `import Database from 'better-sqlite3'; new Database(':memory:').close(); process.stdout.write('ready\\n');`],
      (l) => l === 'ready',
    ],
    ['emptyLedger', [main, '--config', emptyConfigPath], daemonReady],
    ['bigLedger', [main, '--config', bigConfigPath], daemonReady],
    ['bigLedgerEvicted', [main, '--config', bigConfigPath], daemonReady],
  ];
  const times: StartTimes = { bigLedger: [], bigLedgerEvicted: [], emptyLedger: [], nodeSqlite: [], bareNode: [] };
  let canEvict = true;
  // One unmeasured round first (creates the empty ledger, warms the file cache), then interleaved rounds.
  for (let round = 0; round <= STARTS; round++) {
    for (const [kind, args, ready] of kinds) {
      if (kind === 'bigLedgerEvicted') {
        canEvict &&= evictFromPageCache(bigLedgerPath);
        if (!canEvict) continue;
      }
      const ms = await timeToReady(args, ready);
      if (round > 0) times[kind].push(ms);
    }
  }
  return times;
}

// ---------------------------------------------------------------------------------------------

function verdict(measured: number, target: number, strict = false): string {
  const ok = strict ? measured < target : measured <= target;
  const pct = ((measured / target) * 100).toFixed(0);
  return ok ? `met (${pct}% of target)` : `**missed** by ${((measured / target - 1) * 100).toFixed(0)}% (${pct}% of target)`;
}

async function main(): Promise<void> {
  const cpu = cpus();
  log(`# bench:ledger`);
  log();
  log(`node ${process.version}, SQLite ${(new Database(':memory:').prepare('SELECT sqlite_version() AS v').get() as { v: string }).v}, ` +
    `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${process.platform}; ledger schema ${SCHEMA_VERSION}`);
  log();

  // 1 -------------------------------------------------------------------------------------------
  log(`## 1. Durable commits per parcel lifecycle (${LIFECYCLES} lifecycles through createApp and the simulated locker)`);
  const lc = await measureLifecycles(LIFECYCLES);
  const own = lc.map((r) => r.deposit + r.logout + r.pickup);
  const total = lc.map((r) => r.login + r.deposit + r.logout + r.pickup);
  const commitsOwn = mean(own);
  const commitsTotal = mean(total);
  log(`courier login: ${mean(lc.map((r) => r.login)).toFixed(2)}, deposit: ${mean(lc.map((r) => r.deposit)).toFixed(2)}, ` +
    `logout: ${mean(lc.map((r) => r.logout)).toFixed(2)}, pickup: ${mean(lc.map((r) => r.pickup)).toFixed(2)} commits (mean)`);
  log(`parcel's own commits: mean ${commitsOwn.toFixed(2)} (min ${Math.min(...own)}, max ${Math.max(...own)})   target <= ${TARGET.commitsPerLifecycle}`);
  log(`including the courier login audit commit: mean ${commitsTotal.toFixed(2)}`);
  log(`wall time per lifecycle (synchronous=FULL, fsync per commit): median ${fmtMs(median(lc.map((r) => r.ms)))}`);
  log();

  // fixture ------------------------------------------------------------------------------------
  log(`## The ${HISTORY_PARCELS.toLocaleString('en-US')}-parcel ledger`);
  const fixtureDir = tempDir();
  const big = writeConfig({ dir: fixtureDir, level: 'info', units: buildingUnits(loadConfig(join(root, 'config', 'default.json')).units) });
  let lastProgress = process.hrtime.bigint();
  const fixture: Fixture = ledgerFixture({
    cacheDir: join(root, 'bench', '.cache'),
    config: big.config,
    historyParcels: HISTORY_PARCELS,
    outboxKept: OUTBOX_KEPT,
    onProgress: (m) => {
      log(`  building: ${m} (${fmtMs(msSince(lastProgress))} for this step)`);
      lastProgress = process.hrtime.bigint();
    },
  });
  const info = fixture.info;
  log(`${fixture.fromCache ? 'reused from bench/.cache/' : 'built and cached in bench/.cache/'} (build took ${fmtMs(info.buildMs)}${fixture.fromCache ? `, on ${info.builtAt}` : ''})`);
  log(`rows: ${info.rows.parcels.toLocaleString('en-US')} parcels (${info.rows.pickedUp.toLocaleString('en-US')} picked up, ${info.waitingParcels} waiting), ` +
    `${info.rows.retrievalCodes.toLocaleString('en-US')} codes (${info.liveCodes.length} live), ${info.rows.doorOperations.toLocaleString('en-US')} door operations, ` +
    `${info.rows.audit.toLocaleString('en-US')} audit rows, ${info.rows.outbox.toLocaleString('en-US')} outbox rows (sent); ${info.simulatedDays} simulated days`);
  // Work on a copy: the lookups and the daemon write to the ledger (boot counter, config audit row).
  const copyDir = tempDir();
  const copyDb = join(copyDir, 'lockerd.db');
  const copyKey = join(copyDir, 'lockerd.key');
  copyFileSync(fixture.dbPath, copyDb);
  copyFileSync(fixture.keyPath, copyKey);
  chmodSync(copyKey, 0o600);
  log();

  // 3 -------------------------------------------------------------------------------------------
  log(`## 3. Ledger bytes per parcel`);
  const fileBytes = statSync(fixture.dbPath).size; // checkpointed (TRUNCATE) and closed: no WAL
  const parcels = info.rows.parcels;
  const bytesPerParcel = fileBytes / parcels;
  log(`file ${fmtBytes(fileBytes)} / ${parcels.toLocaleString('en-US')} parcels = ${bytesPerParcel.toFixed(0)} B per parcel   target <= ${TARGET.bytesPerParcel} B`);
  const spaceStarted = process.hrtime.bigint();
  const space = measureSpace(copyDb);
  const indexes = indexBytes(copyDb);
  if (space.available) {
    log(`breakdown (dbstat, ${fmtMs(msSince(spaceStarted))}); a table's bytes include its indexes; fill = row bytes / page bytes:`);
    log();
    log(`| table | bytes | per parcel | share | fill |`);
    log(`|---|---:|---:|---:|---:|`);
    for (const r of space.rows) {
      if (r.bytes < 64 * 1024) continue;
      log(`| ${r.table} | ${fmtBytes(r.bytes)} | ${(r.bytes / parcels).toFixed(0)} B | ${((r.bytes / fileBytes) * 100).toFixed(1)}% | ${(r.fill * 100).toFixed(0)}% |`);
    }
    const small = space.rows.filter((r) => r.bytes < 64 * 1024).reduce((a, r) => a + r.bytes, 0);
    log(`| (other tables) | ${fmtBytes(small)} | ${(small / parcels).toFixed(2)} B | ${((small / fileBytes) * 100).toFixed(2)}% | |`);
    log(`| (free pages) | ${fmtBytes(space.freelistBytes)} | ${(space.freelistBytes / parcels).toFixed(2)} B | ${((space.freelistBytes / fileBytes) * 100).toFixed(2)}% | |`);
    log();
    const bigIndexes = [...indexes].filter(([, b]) => b >= 64 * 1024);
    if (bigIndexes.length > 0) log(`indexes above 64 KiB: ${bigIndexes.map(([n, b]) => `${n} ${fmtBytes(b)}`).join(', ')}`);
  } else {
    log('(no breakdown: this SQLite build has no dbstat virtual table)');
  }
  log();

  // 2 -------------------------------------------------------------------------------------------
  log(`## 2. Code lookup: HMAC + CodeStore.findLive, ${LOOKUPS.toLocaleString('en-US')} of each kind after ${LOOKUP_WARMUP} warm-up`);
  const lk = measureLookups(copyDb, copyKey, info.liveCodes, big.config.codes.length);
  log(`query plan: ${lk.queryPlan}`);
  log(`wrong codes: p50 ${fmtMs(percentile(lk.wrong, 50))}, p99 ${fmtMs(percentile(lk.wrong, 99))}, max ${fmtMs(Math.max(...lk.wrong))}   target p99 < ${TARGET.lookupP99Ms} ms`);
  log(`live codes:  p50 ${fmtMs(percentile(lk.live, 50))}, p99 ${fmtMs(percentile(lk.live, 99))}, max ${fmtMs(Math.max(...lk.live))}   target p99 < ${TARGET.lookupP99Ms} ms`);
  log(`floor, the HMAC alone: p50 ${fmtMs(percentile(lk.hmacOnly, 50))}, p99 ${fmtMs(percentile(lk.hmacOnly, 99))}`);
  log(`not a target, for context: all the reads pickup() makes before its intent commit (findLive, parcels.waitingForCode, doorOperations.activeFor per parcel), ` +
    `${PICKUP_READS} runs: median ${fmtMs(median(lk.pickupReads))}, max ${fmtMs(Math.max(...lk.pickupReads))}`);
  log(`  activeFor() query plan: ${lk.activeForPlan}`);
  log();

  // 4 -------------------------------------------------------------------------------------------
  log(`## 4. Cold start: spawn to "lockerd ready", ${STARTS} runs each after one unmeasured round, interleaved`);
  const emptyDir = tempDir();
  const empty = writeConfig({ dir: emptyDir, level: 'info', units: big.config.units });
  const bigRun = writeConfig({ dir: copyDir, level: 'info', ledgerPath: copyDb, keyFile: copyKey, units: big.config.units });
  const st = await measureColdStarts(bigRun.path, empty.path, copyDb);
  const line = (label: string, xs: number[]): void => log(`${label}: median ${fmtMs(median(xs))}, max ${fmtMs(Math.max(...xs))}  (${xs.map((x) => fmtMs(x)).join(', ')})`);
  line(`lockerd, ${HISTORY_PARCELS.toLocaleString('en-US')}-parcel ledger`, st.bigLedger);
  if (st.bigLedgerEvicted.length > 0) line(`lockerd, same ledger dropped from the page cache before each start (as after a reboot)`, st.bigLedgerEvicted);
  else log('(could not drop the ledger from the page cache here: no GNU dd; the evicted-cache variant is skipped)');
  line('lockerd, empty ledger, same config (baseline)', st.emptyLedger);
  line('floor: node importing better-sqlite3 and opening a database', st.nodeSqlite);
  line('floor: bare node', st.bareNode);
  log();

  // table ---------------------------------------------------------------------------------------
  const startMedian = median(st.bigLedger);
  log(`## Results`);
  log();
  log(`| figure | measured | target | floor / baseline (same run) | verdict |`);
  log(`|---|---:|---:|---|---|`);
  log(`| durable commits per parcel lifecycle (deposit + pickup; the parcel's own) | ${commitsOwn.toFixed(2)} | ≤ ${TARGET.commitsPerLifecycle} | with the courier's login audit commit: ${commitsTotal.toFixed(2)} | ${verdict(commitsOwn, TARGET.commitsPerLifecycle)} |`);
  log(`| code lookup p99, wrong code (HMAC + query), ${HISTORY_PARCELS.toLocaleString('en-US')} parcels | ${fmtMs(percentile(lk.wrong, 99))} | < ${TARGET.lookupP99Ms} ms | p50 ${fmtMs(percentile(lk.wrong, 50))}; HMAC alone p99 ${fmtMs(percentile(lk.hmacOnly, 99))} | ${verdict(percentile(lk.wrong, 99), TARGET.lookupP99Ms, true)} |`);
  log(`| code lookup p99, live code (HMAC + query), ${HISTORY_PARCELS.toLocaleString('en-US')} parcels | ${fmtMs(percentile(lk.live, 99))} | < ${TARGET.lookupP99Ms} ms | p50 ${fmtMs(percentile(lk.live, 50))} | ${verdict(percentile(lk.live, 99), TARGET.lookupP99Ms, true)} |`);
  log(`| ledger bytes per parcel (${fmtBytes(fileBytes)} / ${parcels.toLocaleString('en-US')}) | ${bytesPerParcel.toFixed(0)} B | ≤ 2 KiB | ${space.rows[0] ? `largest: ${space.rows[0].table} ${(space.rows[0].bytes / parcels).toFixed(0)} B/parcel` : '—'} | ${verdict(bytesPerParcel, TARGET.bytesPerParcel)} |`);
  log(`| cold start to "lockerd ready", ${HISTORY_PARCELS.toLocaleString('en-US')}-parcel ledger, median (max of ${STARTS}) | ${fmtMs(startMedian)} (${fmtMs(Math.max(...st.bigLedger))}) | ≤ 1.5 s | empty ledger ${fmtMs(median(st.emptyLedger))}; node + better-sqlite3 ${fmtMs(median(st.nodeSqlite))}; bare node ${fmtMs(median(st.bareNode))} | ${verdict(startMedian, TARGET.coldStartMs)} |`);
  if (st.bigLedgerEvicted.length > 0) {
    const evicted = median(st.bigLedgerEvicted);
    log(`| the same, ledger file dropped from the page cache before each start (as after a power cut), median (max) | ${fmtMs(evicted)} (${fmtMs(Math.max(...st.bigLedgerEvicted))}) | ≤ 1.5 s | warm page cache: ${fmtMs(startMedian)} | ${verdict(evicted, TARGET.coldStartMs)} |`);
  }
  log(`| context, no target: reads pickup() makes before its first door intent, ${HISTORY_PARCELS.toLocaleString('en-US')} parcels, median | ${fmtMs(median(lk.pickupReads))} | — | the code lookup alone: p50 ${fmtMs(percentile(lk.live, 50))} | — |`);
  log();
  log(`${cpu.length} CPUs; ledger ${fixture.fromCache ? 'reused from the cache' : `built in ${fmtMs(info.buildMs)}`}; whole bench ${fmtMs(msSince(benchStarted))}.`);
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench:ledger failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
