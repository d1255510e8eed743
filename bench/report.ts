/**
 * bench:report — `lockerctl report` on a ledger with a long history: the Report built for the
 * last 30 and 365 days from a ledger of 100,000 picked-up parcels (bench/ledger-fixture.ts),
 * repeated, against the floor of one plain full scan of the parcels table in the same run; and
 * the daemon's sliced build, with the longest the kiosk's event loop waits meanwhile.
 * Run with `npm run bench:report`. Target: under 2 s. See docs/reports.md.
 */
import { chmodSync, copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { packageRoot } from '../src/config/paths.js';
import { Ledger } from '../src/ledger/ledger.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildReport, buildReportSliced, periodOfDays } from '../src/reports/build.js';
import { Calendar } from '../src/reports/calendar.js';
import { buildingUnits, ledgerFixture } from './ledger-fixture.js';
import { fmtBytes, fmtMs, msSince, percentile } from './stats.js';

const HISTORY_PARCELS = Number(process.env.BENCH_REPORT_PARCELS ?? 100_000);
const RUNS = Number(process.env.BENCH_REPORT_RUNS ?? 15);
const TARGET_MS = 2000;

const root = packageRoot();
const log = (line = ''): void => void process.stdout.write(`${line}\n`);

function timed(runs: number, f: () => unknown): number[] {
  f(); // one warm-up: the page cache and the statements, as on a locker that has been running
  return Array.from({ length: runs }, () => {
    const t = process.hrtime.bigint();
    f();
    return msSince(t);
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lockerd-bench-report-'));
  try {
    const base = loadConfig(join(root, 'config', 'default.json'));
    const config = { ...base, units: buildingUnits(base.units), ledger: { ...base.ledger, path: join(dir, 'lockerd.db'), keyFile: join(dir, 'lockerd.key') } };
    log(`## Ledger of ${HISTORY_PARCELS.toLocaleString('en-US')} picked-up parcels (bench/ledger-fixture.ts)`);
    const fixture = ledgerFixture({ cacheDir: join(root, 'bench', '.cache'), config, historyParcels: HISTORY_PARCELS, outboxKept: 2_000, onProgress: (m) => log(`  building: ${m}`) });
    log(`${fixture.fromCache ? 'reused from' : 'built into'} bench/.cache/; ${fixture.info.rows.parcels.toLocaleString('en-US')} parcels, ${fixture.info.rows.audit.toLocaleString('en-US')} audit rows, ${fmtBytes(statSync(fixture.dbPath).size)}`);
    copyFileSync(fixture.dbPath, config.ledger.path);
    copyFileSync(fixture.keyPath, config.ledger.keyFile);
    chmodSync(config.ledger.keyFile, 0o600);
    const ledger = Ledger.open({ path: config.ledger.path, keyFile: config.ledger.keyFile });
    const calendar = new Calendar();
    // The report's "now": the end of the fixture's history, so the periods hold parcels.
    const now = ledger.db.prepare('SELECT max(deposited_at) FROM parcels').pluck().get() as number;
    log();

    const floor = timed(RUNS, () => ledger.db.prepare('SELECT count(*) FROM parcels').pluck().get());
    log(`floor: SELECT count(*) FROM parcels (a full scan)   p50 ${fmtMs(percentile(floor, 50))}, p95 ${fmtMs(percentile(floor, 95))} over ${RUNS} runs`);
    // count(*) only counts the cells of each page; these read a column of every row, as the report must.
    const rows = timed(RUNS, () => ledger.db.prepare('SELECT sum(deposited_at) FROM parcels').pluck().get());
    const auditRows = timed(RUNS, () => ledger.db.prepare('SELECT sum(at) FROM audit').pluck().get());
    log(`       SELECT sum(deposited_at) FROM parcels         p50 ${fmtMs(percentile(rows, 50))}; SELECT sum(at) FROM audit p50 ${fmtMs(percentile(auditRows, 50))}`);
    log(`       (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores)`);
    let worst = 0;
    for (const days of [30, 365]) {
      let deliveries = 0;
      const times = timed(RUNS, () => {
        deliveries = buildReport(ledger, { period: periodOfDays(days, now, calendar), calendar, kioskId: config.kioskId, now }).totals.deliveries;
      });
      const p95 = percentile(times, 95);
      worst = Math.max(worst, p95);
      log(`report --days ${String(days).padEnd(3)} (${deliveries.toLocaleString('en-US')} deliveries)   p50 ${fmtMs(percentile(times, 50))}, p95 ${fmtMs(p95)} over ${RUNS} runs, ${(percentile(times, 50) / (percentile(rows, 50) + percentile(auditRows, 50))).toFixed(1)}x both row scans   target < ${fmtMs(TARGET_MS)}`);
    }
    // What the daemon does: a slice per turn of the event loop; the kiosk waits at most the longest turn.
    for (const days of [30, 365]) {
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      const t = process.hrtime.bigint();
      await buildReportSliced(ledger, { period: periodOfDays(days, now, calendar), calendar, kioskId: config.kioskId, now });
      const wall = msSince(t);
      h.disable();
      log(`daemon's report --days ${String(days).padEnd(3)} (sliced)   ${fmtMs(wall)} in all; event loop delay p99 ${fmtMs(h.percentile(99) / 1e6)}, max ${fmtMs(h.max / 1e6)} (the assembly at the end)`);
    }
    ledger.close();
    log();
    log(worst < TARGET_MS ? `ok: every report p95 under ${fmtMs(TARGET_MS)}` : `SLOW: a report p95 of ${fmtMs(worst)} is over ${fmtMs(TARGET_MS)}`);
    if (worst >= TARGET_MS) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
