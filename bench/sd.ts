/**
 * bench:sd — what the daemon writes to the SD card per parcel lifecycle and per idle hour, and
 * what memory it holds, measured from outside the process as an operator would.
 *
 * The built daemon (dist/src/main.js, with the V8 flags of `npm start`) on the demo config
 * (config/default.json; its ledger, key and control socket moved into a temporary directory, the
 * screen page on a free port, upstream enabled but pointed at a port where no broker listens, as
 * on a demo locker without its broker), driven through the control socket with the requests
 * `lockerctl sim` sends: a courier logs in, scans, keys the unit and the size, closes the door,
 * logs out; the resident keys the code and closes the door. The code is read from the ledger
 * file by a read-only connection (what `outbox --reveal-codes` would show, without its audit row).
 *
 * Figures:
 * - measured: `write_bytes` of /proc/PID/io over the lifecycles, per lifecycle. The kernel counts
 *   a page when the process dirties it: the WAL frames of every commit (the last page of a commit
 *   is dirtied again by the next one after its fsync), the checkpoints into the database file,
 *   the -shm index pages (mmap, dirtied again after each writeback), anything else the process
 *   writes to a file. Not in it: the filesystem's own journal (written by jbd2, about one 4 KiB
 *   block per fsync on ext4) and the card's internal write amplification.
 * - floor: the distinct pages each commit changed (from the WAL's frame headers, read after every
 *   request so a WAL restart loses nothing) times the page size: what a commit must put on the
 *   card, whatever the engine, with this schema's pages.
 * - idle: write_bytes over BENCH_SD_IDLE_S seconds (default 60, short for CI) with the kiosk
 *   idle, extrapolated to an hour (a linear extrapolation: it shows a timer that writes; a 60 s
 *   window does not see a timer slower than that, so run it longer before trusting 0 B).
 * - RSS: VmRSS of /proc/PID/status after start and BENCH_SD_SETTLE_S of settling, and after the
 *   lifecycles (and a further settle). VmRSS includes the file-backed pages of the node binary
 *   and native addons the process touched (about 35 MB of `node -e 0`'s 42 MB on x86-64).
 * - The simulator's own audit rows (`sim.keys_pressed`, `sim.scanned`, `sim.door_set`: who typed
 *   at the kiosk through the control socket) are commits a real kiosk does not make; they are
 *   counted apart, and the real kiosk's figure is given without them.
 *
 * BENCH_SD_LIFECYCLES (default 40: enough for SQLite to checkpoint the WAL twice, so the figure
 * includes what checkpoints write), BENCH_SD_IDLE_S (default 60), BENCH_SD_SETTLE_S (default 15: V8's
 * memory reducer gives back the start's garbage about 10 s after the start), BENCH_SD_NODE_FLAGS
 * (default: those of `npm start`),
 * BENCH_SD_DAEMON (another build's dist/src/main.js, for a before/after), BENCH_SD_BROKER=0 (no
 * broker even if Mosquitto is installed), BENCH_SD_DETAIL=1 prints which b-trees each commit touched (dbstat), BENCH_SD_MAX_RATIO (default
 * 1.5) and BENCH_SD_MAX_RSS_MB (default 64) set the exit status.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { packageRoot } from '../src/config/paths.js';
import { request } from '../src/control/client.js';
import { readWalCommits } from '../src/ledger/wal.js';
import { fmtBytes, median } from './stats.js';

const LIFECYCLES = Number(process.env.BENCH_SD_LIFECYCLES ?? 40);
const IDLE_S = Number(process.env.BENCH_SD_IDLE_S ?? 60);
const SETTLE_S = Number(process.env.BENCH_SD_SETTLE_S ?? 15);
const DETAIL = process.env.BENCH_SD_DETAIL === '1';
const MAX_RATIO = Number(process.env.BENCH_SD_MAX_RATIO ?? 1.5);
const MAX_RSS_MB = Number(process.env.BENCH_SD_MAX_RSS_MB ?? 64);
/** The flags `npm start` gives node (package.json's start script), so the figures are the daemon's as started. */
function startFlags(): string[] {
  const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start ?? '';
  return start.split(/\s+/).filter((w) => w.startsWith('--'));
}
const COURIER_PIN = '111111';
const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) => existsSync(p));
/** Upstream on: a local Mosquitto acknowledges every event (PUBACK), as a connected locker's broker does. BENCH_SD_BROKER=0: none. */
const WITH_BROKER = process.env.BENCH_SD_BROKER !== '0' && MOSQUITTO !== undefined;

function startBroker(dir: string, port: number): ChildProcess {
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [...(process.getuid?.() === 0 ? ['user root'] : []), 'allow_anonymous true', `listener ${port} 127.0.0.1`, 'persistence false', ''].join('\n'));
  return spawn(MOSQUITTO!, ['-c', conf], { stdio: 'ignore' });
}

const root = packageRoot();
/** BENCH_SD_DAEMON: another build's dist/src/main.js, to measure it the same way (before/after). */
const DAEMON = process.env.BENCH_SD_DAEMON ?? join(root, 'dist', 'src', 'main.js');
const NODE_FLAGS = (process.env.BENCH_SD_NODE_FLAGS?.split(/\s+/).filter(Boolean)) ?? startFlags();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line = ''): void => void process.stdout.write(`${line}\n`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function writeBytes(pid: number): number {
  const m = /^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  if (!m) throw new Error(`/proc/${pid}/io has no write_bytes (a kernel without task I/O accounting?)`);
  return Number(m[1]);
}

function rssBytes(pid: number): { rss: number; anon: number; file: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(s)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
}

const mb = (b: number): string => `${(b / 1024 ** 2).toFixed(1)} MB`;

/**
 * Follows the WAL: every commit since the last look, across WAL restarts (the salts change when
 * a checkpoint let SQLite start the WAL again from its first frame).
 */
class WalWatch {
  #salt = '';
  #seen = 0;
  readonly commits: number[][] = [];
  restarts = 0;
  pageSize = 4096;

  constructor(readonly path: string) {
    this.look();
    this.commits.length = 0;
  }

  look(): void {
    const wal = readWalCommits(this.path);
    if (wal.pageSize) this.pageSize = wal.pageSize;
    if (wal.salt !== this.#salt) {
      if (this.#salt !== '') this.restarts++;
      this.#salt = wal.salt;
      this.#seen = 0;
    }
    this.commits.push(...wal.commits.slice(this.#seen));
    this.#seen = wal.commits.length;
  }
}

interface Reply {
  displays: { text: string }[];
  state: string;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lockerd-bench-sd-'));
  const ledgerPath = join(dir, 'lockerd.db');
  const socketPath = join(dir, 'lockerd.sock');
  const raw = JSON.parse(readFileSync(join(root, 'config', 'default.json'), 'utf8')) as Record<string, unknown> & { units: { id: string }[] };
  raw.ledger = { path: ledgerPath, keyFile: join(dir, 'lockerd.key') };
  raw.control = { socketPath };
  raw.screen = { ...(raw.screen as object), port: await freePort(), host: '127.0.0.1' };
  const brokerPort = await freePort();
  raw.mqtt = { url: `mqtt://127.0.0.1:${brokerPort}` };
  const broker = WITH_BROKER ? startBroker(dir, brokerPort) : undefined;
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(raw));

  let child: ChildProcess | undefined;
  let output = '';
  try {
    child = spawn(process.execPath, [...NODE_FLAGS, DAEMON, '--config', configPath], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (output += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (output += s));
    const started = Date.now();
    while (!output.includes('"msg":"lockerd ready"')) {
      if (child.exitCode !== null) throw new Error(`the daemon exited with ${child.exitCode} before it was ready:\n${output}`);
      if (Date.now() - started > 30_000) throw new Error(`the daemon was not ready after 30 s:\n${output}`);
      await sleep(50);
    }
    const pid = child.pid!;
    await sleep(SETTLE_S * 1000);
    const rssStart = rssBytes(pid);

    const wal = new WalWatch(`${ledgerPath}-wal`);
    const reader = new Database(ledgerPath, { readonly: true, fileMustExist: true });
    const lastCode = reader.prepare(`SELECT json_extract(payload, '$.code') AS code FROM outbox WHERE type = 'parcel.deposited' ORDER BY seq DESC LIMIT 1`);
    let requests = 0;
    /** The commits that hold a simulator request's own audit row: each request's first (it is written before the keys are pressed). */
    const simCommits = new Set<number[]>();
    const ask = async (command: string, args: Record<string, unknown>): Promise<Reply> => {
      const from = wal.commits.length;
      const r = (await request(socketPath, command, args)) as Reply;
      requests++;
      wal.look();
      if (wal.commits.length > from) simCommits.add(wal.commits[from]!);
      return r;
    };
    const units = raw.units.map((u) => u.id);
    const acked = reader.prepare(`SELECT value FROM meta WHERE key = 'outbox_acked_seq'`);
    const newest = reader.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'outbox'`);
    /** With the broker: waits until it acknowledged every event, so those commits count where they belong. */
    const allAcknowledged = async (): Promise<void> => {
      if (!WITH_BROKER) return;
      const until = Date.now() + 15_000;
      while (Number((acked.get() as { value: string } | undefined)?.value ?? 0) < (newest.get() as { seq: number }).seq) {
        if (Date.now() > until) throw new Error(`the broker did not acknowledge the events within 15 s:\n${output.slice(-2000)}`);
        await sleep(50);
        wal.look();
      }
    };

    const lifecycle = async (i: number): Promise<void> => {
      const unit = units[i % units.length]!;
      await ask('sim.keys', { keys: `${COURIER_PIN}#` });
      await ask('sim.scan', { text: `SD${String(i).padStart(10, '0')}` });
      await ask('sim.keys', { keys: `${unit}#` });
      const opened = await ask('sim.keys', { keys: '2#' });
      const compartment = /^Door (\w+) is open/.exec(opened.displays.at(-1)?.text ?? '')?.[1];
      if (!compartment) throw new Error(`no door opened for the deposit (said: ${opened.displays.map((d) => d.text).join(' / ')})`);
      await ask('sim.door', { compartment, action: 'close' });
      await ask('sim.keys', { keys: '*' });
      const code = (lastCode.get() as { code: string | null } | undefined)?.code;
      if (!code) throw new Error('the deposit left no code in the outbox');
      const pickup = await ask('sim.keys', { keys: `${code}#` });
      if (!pickup.displays.some((d) => d.text.startsWith(`Door ${compartment} is open`))) throw new Error(`the pickup did not open ${compartment} (said: ${pickup.displays.map((d) => d.text).join(' / ')})`);
      const closed = await ask('sim.door', { compartment, action: 'close' });
      if (closed.state !== 'idle') throw new Error(`the kiosk is in "${closed.state}" after the pickup`);
    };

    // One lifecycle first, unmeasured: the first deposit also fills pages a new ledger has not yet used.
    await lifecycle(0);
    await allAcknowledged();
    await sleep(200);
    wal.look();
    wal.commits.length = 0;
    const lifecycleMs: number[] = [];
    const before = writeBytes(pid);
    for (let i = 1; i <= LIFECYCLES; i++) {
      const t0 = performance.now();
      await lifecycle(i);
      lifecycleMs.push(performance.now() - t0);
    }
    await allAcknowledged();
    // Let the last commit's writes land (they are counted when dirtied; this is only a margin).
    await sleep(200);
    const written = writeBytes(pid) - before;
    wal.look();

    const pageSize = wal.pageSize;
    const commits = wal.commits;
    const frames = commits.reduce((n, c) => n + c.length, 0);
    const distinct = commits.reduce((n, c) => n + new Set(c).size, 0);
    const floor = distinct * pageSize;
    const perLifecycle = written / LIFECYCLES;
    const floorPerLifecycle = floor / LIFECYCLES;
    const walBytes = frames * (pageSize + 24);
    const ratio = written / floor;
    // The real kiosk's commits: those without the simulator's audit rows.
    const kiosk = commits.filter((c) => !simCommits.has(c));
    const kioskCommits = kiosk.length;
    const kioskFloor = kiosk.reduce((n, c) => n + new Set(c).size, 0) * pageSize;

    if (DETAIL) {
      const owner = new Map<number, string>();
      try {
        for (const r of reader.prepare('SELECT name, pageno FROM dbstat').all() as { name: string; pageno: number }[]) owner.set(r.pageno, r.name);
      } catch (err) {
        log(`   (no dbstat in this SQLite build: ${(err as Error).message})`);
      }
      log('   commits of the last lifecycle, pages by b-tree:');
      const perLc = Math.round(commits.length / LIFECYCLES);
      for (const c of commits.slice(-perLc)) {
        const names = c.map((p) => owner.get(p) ?? `page ${p}`);
        const counts = new Map<string, number>();
        for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
        log(`      ${c.length} frames, ${new Set(c).size} distinct: ${[...counts].map(([n, k]) => (k > 1 ? `${n}×${k}` : n)).join(', ')}`);
      }
    }
    reader.close();

    await sleep(SETTLE_S * 1000);
    const rssAfter = rssBytes(pid);

    // Idle: the kiosk waits; upstream stays connected (telemetry, keepalives), or keeps trying its absent broker.
    const idleBefore = writeBytes(pid);
    const walIdle = new WalWatch(`${ledgerPath}-wal`);
    await sleep(IDLE_S * 1000);
    const idleWritten = writeBytes(pid) - idleBefore;
    walIdle.look();
    const idlePerHour = (idleWritten * 3600) / IDLE_S;

    log(`bench:sd  the built daemon on config/default.json (node ${NODE_FLAGS.join(' ')}), ${WITH_BROKER ? 'upstream on (a local Mosquitto acknowledges every event)' : 'upstream enabled with no broker (BENCH_SD_BROKER=0 or no mosquitto)'}, screen served`);
    log(`          ${LIFECYCLES} deposit+pickup lifecycles through the control socket (${requests} sim requests in all, one warm-up lifecycle before)\n`);
    log(`   commits per lifecycle            ${(commits.length / LIFECYCLES).toFixed(1)} (${commits.length} in all, WAL restarts after a checkpoint meanwhile: ${wal.restarts}), of which the simulator's own audit rows ${((commits.length - kioskCommits) / LIFECYCLES).toFixed(1)}`);
    log(`   lifecycle wall time p50          ${median(lifecycleMs).toFixed(0)} ms (${requests / (LIFECYCLES + 1)} control requests each)`);
    log(`   WAL frames per commit            ${(frames / commits.length).toFixed(2)} (median ${median(commits.map((c) => c.length))}), distinct pages per commit ${(distinct / commits.length).toFixed(2)}, page size ${pageSize} B`);
    log(`   WAL appended per lifecycle       ${fmtBytes(walBytes / LIFECYCLES)} (frames × (page + 24-byte header))`);
    log(`   measured write_bytes / lifecycle ${fmtBytes(perLifecycle)}   (${fmtBytes(written / commits.length)} per commit; WAL, checkpoints, -shm, everything the process dirtied)`);
    log(`   floor / lifecycle                ${fmtBytes(floorPerLifecycle)}   (distinct pages per commit × page size)`);
    log(`   … the kiosk's own commits        ${(kioskCommits / LIFECYCLES).toFixed(1)} per lifecycle, floor ${fmtBytes(kioskFloor / LIFECYCLES)} (without the simulator's audit rows)`);
    log(`   ratio measured / floor           ${ratio.toFixed(2)}×   target <= ${MAX_RATIO}×  ${ratio <= MAX_RATIO ? 'OK' : 'MISSED'}`);
    log(`   idle ${IDLE_S} s                       ${fmtBytes(idleWritten)} written, ${walIdle.commits.length} commits → ${fmtBytes(idlePerHour)} per hour (linear extrapolation)   target 0 B  ${idleWritten === 0 ? 'OK' : 'MISSED'}`);
    log(`   RSS after start + ${SETTLE_S} s           ${mb(rssStart.rss)} (anon ${mb(rssStart.anon)}, file-backed ${mb(rssStart.file)})   target <= ${MAX_RSS_MB} MB  ${rssStart.rss <= MAX_RSS_MB * 1024 ** 2 ? 'OK' : 'MISSED'}`);
    log(`   RSS after the lifecycles         ${mb(rssAfter.rss)} (anon ${mb(rssAfter.anon)}, file-backed ${mb(rssAfter.file)})`);
    log('');
    log('| figure | value | floor / target |');
    log('|---|---|---|');
    log(`| written per deposit+pickup lifecycle (write_bytes) | ${fmtBytes(perLifecycle)}, ${(commits.length / LIFECYCLES).toFixed(1)} commits | floor ${fmtBytes(floorPerLifecycle)} (${ratio.toFixed(2)}×), target ≤ ${MAX_RATIO}× |`);
    log(`| written while idle | ${fmtBytes(idlePerHour)} per hour (${IDLE_S} s measured) | 0 B |`);
    log(`| idle RSS | ${mb(rssStart.rss)} at start, ${mb(rssAfter.rss)} after the lifecycles | ≤ ${MAX_RSS_MB} MB |`);
    if (ratio > MAX_RATIO || idleWritten > 0 || rssStart.rss > MAX_RSS_MB * 1024 ** 2 || rssAfter.rss > MAX_RSS_MB * 1024 ** 2) process.exitCode = 1;
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    broker?.kill('SIGTERM');
    if (process.env.BENCH_SD_KEEP === '1') log(`   kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
