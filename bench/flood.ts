/**
 * bench:flood — what a rogue input device sending ~3,000 refused scans a second costs the SD card:
 * ledger bytes and log bytes per day, for the unbounded behaviour (every refusal its own audit row
 * and log lines, no muting: the baseline, measured in the same run) and for the bounds of
 * `flood.*` (refusal windows, the log budget, muting). Run with `npm run bench:flood`.
 * See docs/benchmarks.md for the method.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import type { InputDevice, KioskInput } from '../drivers/contracts.js';
import { createApp, routeInputs } from '../src/app.js';
import { parseConfig } from '../src/config/load.js';
import { packageRoot } from '../src/config/paths.js';
import type { LockerdConfig } from '../src/config/types.js';
import { componentLogger, createLogger } from '../src/log.js';
import { fmtBytes, fmtMs, msSince } from './stats.js';

/** Refused scans a second, as the audit measured from a rogue USB device. */
const RATE = 3_000;
const DAY_S = 86_400;
/** Inputs between two waits for the kiosk: 100 ms of simulated time. */
const CHUNK = RATE / 10;

function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** A USB scanner gone rogue: not a simulated device, so the router may mute it. */
class RogueScanner extends EventEmitter implements InputDevice {
  readonly name = 'scanner-1';
  override on(event: 'input', listener: (input: KioskInput) => void): this {
    return super.on(event, listener);
  }
  override off(event: 'input', listener: (input: KioskInput) => void): this {
    return super.off(event, listener);
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  scan(text: string, at: Date): void {
    this.emit('input', { kind: 'scan', text, source: this.name, at } satisfies KioskInput);
  }
}

interface Scenario {
  name: string;
  flood: Partial<LockerdConfig['flood']>;
  simulatedSeconds: number;
}

interface Result {
  scenario: Scenario;
  scans: number;
  /** Growth of the file after the WAL is folded in: whole pages, so a few rows may show as 0. */
  fileBytes: number;
  /** Growth of the bytes used in the ledger's pages (dbstat: page size minus unused), indexes included. */
  ledgerBytes: number;
  auditRows: number;
  outboxRows: number;
  commits: number;
  logBytes: number;
  logLines: number;
  wallMs: number;
}

/** config/default.json with its files in `dir`, upstream off, the given flood settings. */
function configIn(dir: string, flood: Scenario['flood']): LockerdConfig {
  const raw = JSON.parse(readFileSync(join(packageRoot(), 'config', 'default.json'), 'utf8')) as Record<string, unknown> & { flood?: object };
  raw.ledger = { path: join(dir, 'lockerd.db'), keyFile: join(dir, 'lockerd.key') };
  raw.control = { socketPath: join(dir, 'lockerd.sock') };
  raw.mqtt = { enabled: false };
  raw.screen = { enabled: false }; // no port: the bench counts ledger and log bytes
  raw.log = { level: 'info' };
  raw.flood = { ...raw.flood, ...flood };
  return parseConfig(JSON.stringify(raw), 'bench-flood.json');
}

async function run(s: Scenario): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'lockerd-bench-flood-'));
  try {
    const config = configIn(dir, s.flood);
    let logBytes = 0;
    let logLines = 0;
    let counting = false;
    // The daemon's JSON lines, as journald would receive them.
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (counting) {
          logBytes += chunk.length;
          logLines++;
        }
        cb();
      },
    });
    const root = createLogger({ level: config.log.level, destination, pretty: false });
    let clock = Date.parse('2026-01-05T00:00:00.000Z');
    const now = () => Math.floor(clock);
    const app = createApp(config, root, { now });
    await app.start();
    // The rogue scanner joins the kiosk's input path as a configured USB scanner would.
    const rogue = new RogueScanner();
    const router = routeInputs({ inputs: [rogue], kiosk: app.kiosk, ledger: app.ledger, config, log: componentLogger(root, 'input'), now });
    const dbPath = config.ledger.path;
    app.ledger.db.pragma('wal_checkpoint(TRUNCATE)');
    const count = (table: string) => (app.ledger.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const sizeBefore = statSync(dbPath).size;
    const usedBefore = usedBytes(app.ledger.db);
    const auditBefore = count('audit');
    const outboxBefore = count('outbox');
    let commits = 0;
    app.ledger.on('committed', () => commits++);

    counting = true;
    const started = process.hrtime.bigint();
    const total = s.simulatedSeconds * RATE;
    const start = clock;
    for (let i = 0; i < total; i++) {
      clock = start + (i * 1000) / RATE;
      // Control characters: refused by the scan parser, whatever state the kiosk is in.
      rogue.scan(`\x07rogue\x07${i % 1000}`, new Date(now()));
      if (i % CHUNK === CHUNK - 1) await app.kiosk.idle();
    }
    await app.kiosk.idle();
    clock = start + s.simulatedSeconds * 1000;
    const wallMs = msSince(started);
    const auditRows = count('audit') - auditBefore;
    const outboxRows = count('outbox') - outboxBefore;
    router.stop();
    // Stopping writes what the refusal windows still count; closing folds the WAL into the file.
    await app.stop();
    counting = false;
    const fileBytes = statSync(dbPath).size - sizeBefore;
    const closed = new Database(dbPath, { readonly: true });
    const ledgerBytes = usedBytes(closed) - usedBefore;
    closed.close();
    return { scenario: s, scans: total, fileBytes, ledgerBytes, auditRows, outboxRows, commits, logBytes, logLines, wallMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bytes the ledger's pages hold (rows, indexes, page headers), not counting free space. */
function usedBytes(db: Database.Database): number {
  return (db.prepare('SELECT sum(pgsize - unused) AS used FROM dbstat').get() as { used: number }).used;
}

const perDay = (r: Result, v: number) => (v * DAY_S) / r.scenario.simulatedSeconds;

async function main(): Promise<void> {
  const scenarios: Scenario[] = [
    { name: 'unbounded (before): every refusal audited and logged, no muting', flood: { refusalWindowMs: 0, logLinesPerMinute: 0, maxInputsPerSecond: 0 }, simulatedSeconds: 5 },
    { name: 'refusal windows + log budget, never muted (as a device just under the mute rate)', flood: { maxInputsPerSecond: 0 }, simulatedSeconds: 600 },
    { name: 'defaults: windows + log budget + muting', flood: {}, simulatedSeconds: 3_600 },
  ];
  log(`bench:flood — ${RATE.toLocaleString('en')} refused scans a second from one rogue scanner, through createApp (config/default.json) and the kiosk's input path, on a simulated clock`);
  const results: Result[] = [];
  for (const s of scenarios) {
    const r = await run(s);
    results.push(r);
    log();
    log(`${s.name}`);
    log(`  ${r.scans.toLocaleString('en')} scans over ${s.simulatedSeconds} s simulated (${fmtMs(r.wallMs)} wall)`);
    log(`  ledger +${fmtBytes(r.ledgerBytes)} used in its pages, file +${fmtBytes(r.fileBytes)} (${r.auditRows} audit rows, ${r.outboxRows} outbox rows, ${r.commits} commits) = ${(r.ledgerBytes / r.scans).toFixed(3)} B per scan`);
    log(`  log ${fmtBytes(r.logBytes)} in ${r.logLines} lines = ${(r.logBytes / r.scans).toFixed(3)} B per scan`);
    log(`  per day: ledger ${fmtBytes(perDay(r, r.ledgerBytes))}, log ${fmtBytes(perDay(r, r.logBytes))}, ${Math.round(perDay(r, r.commits)).toLocaleString('en')} commits`);
  }
  const [before] = results;
  log();
  log('| behaviour | ledger per day | log per day | audit rows per day | commits per day |');
  log('|---|---:|---:|---:|---:|');
  for (const r of results) {
    log(`| ${r.scenario.name} | ${fmtBytes(perDay(r, r.ledgerBytes))} | ${fmtBytes(perDay(r, r.logBytes))} | ${Math.round(perDay(r, r.auditRows)).toLocaleString('en')} | ${Math.round(perDay(r, r.commits)).toLocaleString('en')} |`);
  }
  const worst = results.slice(1).reduce((a, b) => (perDay(b, b.ledgerBytes + b.logBytes) > perDay(a, a.ledgerBytes + a.logBytes) ? b : a));
  log();
  log(`worst case with the bounds: ledger ${fmtBytes(perDay(worst, worst.ledgerBytes))} and log ${fmtBytes(perDay(worst, worst.logBytes))} a day (${worst.scenario.name}); unbounded: ledger ${fmtBytes(perDay(before!, before!.ledgerBytes))} and log ${fmtBytes(perDay(before!, before!.logBytes))} a day`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:flood failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
