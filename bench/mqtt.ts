/**
 * bench:mqtt — the outbox publisher against a real local Mosquitto, compared in the same run with
 * raw mqtt.js publishing the same payloads with the same in-flight window.
 *
 * Each measurement runs in a child process of its own, so its peak RSS is its own.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { packageRoot } from '../src/config/paths.js';
import { Ledger } from '../src/ledger/ledger.js';
import { createLogger } from '../src/log.js';
import { OutboxPublisher } from '../src/sync/publisher.js';
import { Broker, mosquittoPath } from '../test/helpers/mosquitto.js';
import { fmtBytes, median, percentile } from './stats.js';

const WINDOW = 32;
const TOPIC = 'lockers/bench-locker/events';
const KIOSK = 'bench-locker';
const SELF = fileURLToPath(import.meta.url);
/** The daemon's own V8 flags, read from `npm start` so the bench measures what runs on a kiosk. */
const DAEMON_NODE_FLAGS = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(/\s+/)
  .filter((w) => w.startsWith('--'));
const silent = createLogger({ level: 'silent', pretty: false });

interface ChildResult {
  events: number;
  seconds: number;
  maxRssBytes: number;
  latencies?: number[];
}

/** A ledger with `n` unsent events shaped like a busy locker's (deposits, pickups, door alarms). */
function buildBacklog(dir: string, name: string, n: number): string {
  const path = join(dir, `${name}.db`);
  const ledger = Ledger.open({ path, keyFile: join(dir, 'bench.key') });
  ledger.transaction(() => {
    for (let i = 0; i < n; i++) {
      const at = Date.now();
      if (i % 3 === 0) {
        ledger.outbox.append('parcel.deposited', at, {
          parcelId: '01935c1e-7c2a-7000-8000-000000000001', compartmentId: 'A01', size: 'S', unit: '101', carrier: 'UPS',
          tracking: '1Z999AA10123456784', courierId: 'ups-demo', codeId: i + 1, code: '47443416', pickupQr: 'LKP1/bench-locker/ABCDEFGHIJKLMNOPQRSTUVWXYZ', expiresAt: new Date(at).toISOString(),
        });
      } else if (i % 3 === 1) {
        ledger.outbox.append('parcel.picked_up', at, { parcelId: '01935c1e-7c2a-7000-8000-000000000001', compartmentId: 'A01', unit: '101', codeId: i, waitedSeconds: 5400 });
      } else {
        ledger.outbox.append('door.left_open', at, { compartmentId: 'B07', openSince: new Date(at).toISOString() });
      }
    }
  });
  ledger.checkpoint();
  ledger.close();
  return path;
}

function runChild(args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    // The same V8 flags as the daemon (package.json start, systemd unit): they bound the young generation.
    const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, SELF, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as ChildResult) : reject(new Error(`child ${args[0]} exited ${code}`))));
  });
}

// --- children ---------------------------------------------------------------------------------

async function childPublisher(url: string, ledgerPath: string, keyFile: string): Promise<ChildResult> {
  const ledger = Ledger.open({ path: ledgerPath, keyFile });
  const total = ledger.outbox.depth().unsent;
  const client = await mqtt.connectAsync(url, { clientId: `bench-pub-${process.pid}`, protocolVersion: 5, clean: true });
  let acked = 0;
  let started = 0;
  let stop = (): void => {};
  const done = new Promise<void>((resolve) => {
    const publisher = new OutboxPublisher({
      ledger, topic: TOPIC, kioskId: KIOSK, window: WINDOW, log: silent,
      onAcked: () => {
        if (++acked === total) resolve();
      },
    });
    started = performance.now();
    publisher.resume(client);
    stop = () => publisher.stop();
  });
  await done;
  const seconds = (performance.now() - started) / 1000;
  stop();
  const remaining = ledger.outbox.depth().unsent;
  if (remaining !== 0) throw new Error(`${remaining} events not marked sent`);
  await client.endAsync();
  ledger.close();
  return { events: total, seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
}

/** Raw mqtt.js: the same envelopes, prepared in memory beforehand, the same window. */
async function childRaw(url: string, ledgerPath: string, keyFile: string): Promise<ChildResult> {
  const ledger = Ledger.open({ path: ledgerPath, keyFile });
  const payloads: string[] = [];
  for (let after = 0; ; ) {
    const rows = ledger.outbox.unsentPage(KIOSK, after, 5000);
    if (rows.length === 0) break;
    for (const r of rows) payloads.push(r.envelope);
    after = rows.at(-1)!.seq;
  }
  ledger.close();
  const client = await mqtt.connectAsync(url, { clientId: `bench-raw-${process.pid}`, protocolVersion: 5, clean: true });
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let next = 0;
    let acked = 0;
    const send = (): void => {
      const i = next++;
      client.publish(TOPIC, payloads[i]!, { qos: 1 }, () => {
        if (++acked === payloads.length) resolve();
        else if (next < payloads.length) send();
      });
    };
    for (let k = 0; k < WINDOW && k < payloads.length; k++) send();
  });
  const seconds = (performance.now() - started) / 1000;
  await client.endAsync();
  return { events: payloads.length, seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
}

/** Commit-to-PUBACK with the link up and idle: one event at a time, as a kiosk produces them. */
async function childLatency(url: string, ledgerPath: string, keyFile: string, n: number): Promise<ChildResult> {
  const ledger = Ledger.open({ path: ledgerPath, keyFile });
  const client = await mqtt.connectAsync(url, { clientId: `bench-lat-${process.pid}`, protocolVersion: 5, clean: true });
  const committedAt = new Map<number, number>();
  const latencies: number[] = [];
  let waiter: (() => void) | undefined;
  const publisher = new OutboxPublisher({
    ledger, topic: TOPIC, kioskId: KIOSK, window: WINDOW, log: silent,
    onAcked: (_l, seq) => {
      const t = committedAt.get(seq);
      if (t !== undefined) latencies.push(performance.now() - t);
      waiter?.();
    },
  });
  ledger.on('committed', () => publisher.wake());
  publisher.resume(client);
  for (let i = 0; i < n; i++) {
    const acked = new Promise<void>((r) => (waiter = r));
    // The whole durable commit (fsync) counts: the clock starts before the transaction.
    const t0 = performance.now();
    const { seq } = ledger.transaction(() => ledger.outbox.append('door.forced_open', Date.now(), { compartmentId: 'A01', parcelId: null }));
    committedAt.set(seq, t0);
    await acked;
    await new Promise((r) => setTimeout(r, 2));
  }
  publisher.stop();
  await client.endAsync();
  ledger.close();
  return { events: n, seconds: 0, maxRssBytes: process.resourceUsage().maxRSS * 1024, latencies };
}

// --- orchestration ----------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!mosquittoPath()) throw new Error('bench:mqtt needs mosquitto (apt-get install mosquitto)');
  const dir = mkdtempSync(join(tmpdir(), 'lockerd-bench-mqtt-'));
  const broker = await Broker.start({ dir });
  const key = join(dir, 'bench.key');
  try {
    console.log(`# bench:mqtt — Mosquitto on loopback, window ${WINDOW}, QoS 1, node ${DAEMON_NODE_FLAGS.join(' ')}`);
    const big = buildBacklog(dir, 'backlog-100k', 100_000);
    const small = buildBacklog(dir, 'backlog-1k', 1_000);
    const rounds = 5;
    const raw: ChildResult[] = [];
    const pub: ChildResult[] = [];
    for (let r = 0; r < rounds; r++) {
      // Alternate, so a noisy neighbour hurts both alike; each publisher round drains a fresh copy.
      raw.push(await runChild(['raw', broker.url, big, key]));
      const copy = join(dir, `round-${r}.db`);
      copyFileSync(big, copy);
      pub.push(await runChild(['publisher', broker.url, copy, key]));
      console.log(`round ${r + 1}: raw mqtt.js ${(raw[r]!.events / raw[r]!.seconds).toFixed(0)} ev/s, outbox publisher ${(pub[r]!.events / pub[r]!.seconds).toFixed(0)} ev/s`);
    }
    const rawRate = median(raw.map((x) => x.events / x.seconds));
    const pubRate = median(pub.map((x) => x.events / x.seconds));
    // Each round pairs the two back to back: the median of the paired ratios resists the noise of a shared machine.
    const ratio = median(pub.map((x, i) => x.events / x.seconds / (raw[i]!.events / raw[i]!.seconds)));

    const smallRss: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const copy = join(dir, `small-${r}.db`);
      copyFileSync(small, copy);
      smallRss.push((await runChild(['publisher', broker.url, copy, key])).maxRssBytes);
    }
    const rssBig = median(pub.map((x) => x.maxRssBytes));
    const rssSmall = median(smallRss);
    const rssDelta = rssBig - rssSmall;

    const latency = await runChild(['latency', broker.url, join(dir, 'latency.db'), key, '1000']);
    const lat = latency.latencies!;
    const p50 = percentile(lat, 50);
    const p99 = percentile(lat, 99);

    const verdict = (ok: boolean): string => (ok ? 'met' : '**missed**');
    console.log('\n## Results\n');
    console.log('| figure | measured | target | baseline (same run) | verdict |');
    console.log('|---|---:|---:|---|---|');
    console.log(`| outbox publisher draining 100,000 events | ${pubRate.toFixed(0)} ev/s | ≥ 0.8 × raw | raw mqtt.js, same payloads and window: ${rawRate.toFixed(0)} ev/s | median paired ratio ${ratio.toFixed(2)}, ${verdict(ratio >= 0.8)} |`);
    console.log(`| peak RSS draining 100,000 vs 1,000 events | +${fmtBytes(rssDelta)} (${fmtBytes(rssBig)} vs ${fmtBytes(rssSmall)}) | ≤ +30 MB | — | ${verdict(rssDelta <= 30 * 1024 * 1024)} |`);
    console.log(`| commit-to-PUBACK latency, link up (1,000 events, fsync included) | p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms | p99 ≤ 20 ms | — | ${verdict(p99 <= 20)} |`);
    console.log(`\n${rounds} rounds each, medians; 2 CPUs shared with the broker.`);
  } finally {
    await broker.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, ...rest] = process.argv.slice(2);
const run = async (): Promise<void> => {
  if (mode === 'publisher') process.stdout.write(JSON.stringify(await childPublisher(rest[0]!, rest[1]!, rest[2]!)));
  else if (mode === 'raw') process.stdout.write(JSON.stringify(await childRaw(rest[0]!, rest[1]!, rest[2]!)));
  else if (mode === 'latency') process.stdout.write(JSON.stringify(await childLatency(rest[0]!, rest[1]!, rest[2]!, Number(rest[3]))));
  else await main();
};
run().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
