/**
 * bench:export — proof of delivery on a ledger with a long history: `parcels show` per parcel,
 * and `lockerctl export` of every parcel, the real lockerctl in a child process against the real
 * control server, while the daemon's event loop is watched (the kiosk shares it).
 * Run with `npm run bench:export`. See docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load.js';
import { packageRoot } from '../src/config/paths.js';
import { EXPORT_SLICE_MS, parcelCommands } from '../src/control/commands/parcels.js';
import { ControlServer } from '../src/control/server.js';
import { Ledger } from '../src/ledger/ledger.js';
import { ProofOfDeliveryReader } from '../src/locker/proof-of-delivery.js';
import { createLogger } from '../src/log.js';
import { ledgerFixture } from './ledger-fixture.js';
import { fmtBytes, fmtMs, msSince, percentile, seededRandom } from './stats.js';

/** 100,000 by default; BENCH_EXPORT_PARCELS overrides it. */
const HISTORY_PARCELS = Number(process.env.BENCH_EXPORT_PARCELS ?? 100_000);
const SHOWS = Number(process.env.BENCH_EXPORT_SHOWS ?? 2_000);
const TARGET = { showP99Ms: 5, exportSeconds: 60, loopDelayP99Ms: 15 };

const root = packageRoot();
const log = (line = ''): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lockerd-bench-export-'));
  try {
    const base = loadConfig(join(root, 'config', 'default.json'));
    // A building of 20 floors × 20 units, as bench:ledger's.
    const units = Array.from({ length: 400 }, (_, i) => ({ id: `${Math.floor(i / 20) + 1}${String((i % 20) + 1).padStart(2, '0')}`, accessible: i % 50 === 0 }));
    const config = { ...base, units, ledger: { ...base.ledger, path: join(dir, 'lockerd.db'), keyFile: join(dir, 'lockerd.key') } };
    log(`## Ledger of ${HISTORY_PARCELS.toLocaleString('en-US')} picked-up parcels (bench/ledger-fixture.ts)`);
    const fixture = ledgerFixture({ cacheDir: join(root, 'bench', '.cache'), config, historyParcels: HISTORY_PARCELS, outboxKept: 2_000, onProgress: (m) => log(`  building: ${m}`) });
    log(`${fixture.fromCache ? 'reused from' : 'built into'} bench/.cache/ (build ${fmtMs(fixture.info.buildMs)}); ${fixture.info.rows.parcels.toLocaleString('en-US')} parcels, ${fixture.info.rows.doorOperations.toLocaleString('en-US')} door operations, ${fixture.info.rows.audit.toLocaleString('en-US')} audit rows, ${fmtBytes(statSync(fixture.dbPath).size)}`);
    copyFileSync(fixture.dbPath, config.ledger.path);
    copyFileSync(fixture.keyPath, config.ledger.keyFile);
    chmodSync(config.ledger.keyFile, 0o600);
    const ledger = Ledger.open({ path: config.ledger.path, keyFile: config.ledger.keyFile });
    const ids = (ledger.db.prepare('SELECT id FROM parcels ORDER BY id').pluck().all() as string[]);
    log();

    log('## parcels show: one record, random parcels');
    const rand = seededRandom(0x90d);
    const reader = new ProofOfDeliveryReader(ledger);
    const times: number[] = [];
    for (let i = 0; i < SHOWS; i++) {
      const id = ids[Math.floor(rand() * ids.length)]!;
      const t = process.hrtime.bigint();
      reader.forParcel(id, Date.now());
      times.push(msSince(t));
    }
    const showP99 = percentile(times, 99);
    log(`p50 ${fmtMs(percentile(times, 50))}, p99 ${fmtMs(showP99)}, max ${fmtMs(Math.max(...times))} over ${SHOWS} parcels   target p99 <= ${TARGET.showP99Ms} ms`);
    log();

    log(`## export in-process: the records alone, in slices of ${EXPORT_SLICE_MS} ms as the export command takes them`);
    let after: string | null = null;
    let count = 0;
    const slices: { ms: number; records: number }[] = [];
    const started = process.hrtime.bigint();
    const until = Date.now();
    for (;;) {
      const t = process.hrtime.bigint();
      const { records, done } = reader.slice(after, 0, until, EXPORT_SLICE_MS);
      slices.push({ ms: msSince(t), records: records.length });
      count += records.length;
      if (done) break;
      after = records.at(-1)!.parcelId;
    }
    const inProcess = msSince(started);
    const perRecord = (part: typeof slices): number => part.reduce((a, s) => a + s.ms, 0) / Math.max(1, part.reduce((a, s) => a + s.records, 0));
    const tenth = Math.max(1, Math.floor(slices.length / 10));
    const sliceMs = slices.map((s) => s.ms);
    log(`${count.toLocaleString('en-US')} records in ${fmtMs(inProcess)} (${Math.round(count / (inProcess / 1000)).toLocaleString('en-US')}/s); a slice: p50 ${fmtMs(percentile(sliceMs, 50))}, p99 ${fmtMs(percentile(sliceMs, 99))}, max ${fmtMs(Math.max(...sliceMs))}, ${Math.round(count / slices.length)} records on average`);
    log(`per record: first tenth of the export ${fmtMs(perRecord(slices.slice(0, tenth)))}, last tenth ${fmtMs(perRecord(slices.slice(-tenth)))} (not O(n²): about equal)`);
    log();

    log('## lockerctl export --format csv --out FILE, lockerctl in a child process, against the control server');
    const socket = join(dir, 'lockerd.sock');
    const server = new ControlServer(socket, parcelCommands({ ledger }), createLogger({ level: 'warn' }));
    await server.start();
    const loop = monitorEventLoopDelay({ resolution: 1 });
    // The floor: the same loop with nothing to do, on this machine as loaded now.
    loop.enable();
    await new Promise((r) => setTimeout(r, 3000));
    loop.disable();
    log(`idle event loop (3 s, no export): delay p99 ${fmtMs(loop.percentile(99) / 1e6)}, max ${fmtMs(loop.max / 1e6)}`);
    let rssPeak = process.memoryUsage().rss;
    const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
    for (const format of ['csv', 'json'] as const) {
      const out = join(dir, `export.${format}`);
      loop.reset();
      loop.enable();
      const t = process.hrtime.bigint();
      const child = spawn(process.execPath, [join(root, 'dist', 'src', 'cli', 'lockerctl-main.js'), '--socket', socket, 'export', '--format', format, '--out', out], { stdio: ['ignore', 'inherit', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      const wall = msSince(t);
      loop.disable();
      if (code !== 0) throw new Error(`lockerctl export exited ${code}: ${stderr}`);
      const bytes = statSync(out).size;
      const rows = readFileSync(out, 'utf8').split('\n').length - 1;
      log(`${format}: ${stderr.trim()}; ${fmtBytes(bytes)}, ${rows.toLocaleString('en-US')} lines, wall ${fmtMs(wall)}   target <= ${TARGET.exportSeconds} s`);
      log(`  daemon's event loop meanwhile: delay p99 ${fmtMs(loop.percentile(99) / 1e6)}, max ${fmtMs(loop.max / 1e6)}   target p99 <= ${TARGET.loopDelayP99Ms} ms (a keypress to its unlock byte has 15 ms at p99)`);
      rmSync(out);
    }
    clearInterval(rssTimer);
    log(`daemon RSS peak during the exports: ${fmtBytes(rssPeak)} (it stays flat: an export holds one slice of records at a time)`);
    await server.stop();
    ledger.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:export failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
