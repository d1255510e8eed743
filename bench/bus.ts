/**
 * bench:bus: the RS-485 bus scheduler and door controller against the standalone simulator on a
 * socat pseudo-terminal, with the real serialport binding.
 *
 * 1. Poll cycle: 4 Kerong CU16 boards at 19200 baud, zero board turnaround, polled back to back.
 *    The simulator paces request and reply at the baud rate, so one status transaction cannot
 *    take less than its wire time (5 + 9 bytes = 7.29 ms); the floor of a cycle is 4 of those.
 *    Target: median cycle / floor <= 1.25. The same cycle with pacing off (baud 0) is measured
 *    as the baseline: what the pty pair, socat and the software cost with no wire time at all.
 * 2. Unlock latency: from the `unlock()` call to the moment the binding has handed the unlock
 *    request to the operating system, on an idle bus and while the poll runs back to back.
 *    On a real UART the last byte is on the wire one frame time later (5 bytes = 2.60 ms at
 *    19200); the figure reported against the target adds that frame time.
 *    Target: p99 <= 2 ms + the frame's wire time, on an idle bus, judged on the median of
 *    several rounds' p99 (each round is UNLOCKS unlocks).
 *
 * Needs socat. Prints each figure with its target and ends with a Markdown table.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LockBoardController } from '../drivers/lockboard/door-controller.js';
import { PowerGroups } from '../drivers/lockboard/power-groups.js';
import type { BoardSpec } from '../drivers/lockboard/family.js';
import { loadSystemBinding, type SerialBinding } from '../drivers/lockboard/serial.js';
import { charTimeMs, wireTimeMs } from '../drivers/lockboard/timing.js';
import { fmtMs, median, percentile } from './stats.js';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const SIM = join(ROOT, 'scripts', 'lockboard-sim.mjs');
const BAUD = 19200;
const BOARDS = 4;
const CYCLES = Number(process.env.BENCH_BUS_CYCLES ?? 300);
const UNLOCKS = Number(process.env.BENCH_BUS_UNLOCKS ?? 200);
/** Idle-bus unlock rounds: the verdict is on the median round's p99, since one stall of this shared machine moves a single p99. */
const ROUNDS = Number(process.env.BENCH_BUS_ROUNDS ?? 3);
const WARMUP_UNLOCKS = 8;
const PULSE_MS = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sim {
  child: ChildProcess;
  link: string;
  send(line: string): void;
  stop(): Promise<void>;
}

async function startSim(dir: string, name: string, baud: number): Promise<Sim> {
  const link = join(dir, name);
  const child = spawn(process.execPath, [SIM, '--protocol', 'kerong-cu16', '--boards', String(BOARDS), '--locks', '16', '--baud', String(baud), '--turnaround-ms', '0', '--pulse-ms', String(PULSE_MS), '--release-ms', '5', '--link', link, '--quiet'], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  const end = Date.now() + 10_000;
  while (!out.includes('"ready"')) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`lockboard-sim did not start: ${out}`);
    await sleep(20);
  }
  return {
    child, link,
    send: (line) => child.stdin!.write(`${line}\n`),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      await exited;
    },
  };
}

/** The real binding, with the time each write was handed to the OS recorded per request. */
function timedBinding(real: SerialBinding, onWrite: (bytes: Buffer, at: number) => void): SerialBinding {
  return {
    open: async (options) => {
      const port = await real.open(options);
      return {
        get isOpen() {
          return port.isOpen;
        },
        close: () => port.close(),
        read: (b, o, l) => port.read(b, o, l),
        write: async (bytes) => {
          await port.write(bytes);
          onWrite(bytes, performance.now());
        },
        set: (f) => port.set(f),
        flush: () => port.flush(),
      };
    },
  };
}

function boards(): BoardSpec[] {
  return Array.from({ length: BOARDS }, (_, i) => ({
    id: `B${i + 1}`, protocol: 'kerong-cu16', address: i, locks: 16, polarity: 'one-is-closed', pulseMs: PULSE_MS,
    powerGroup: `board:B${i + 1}`, sensors: false, modbus: { feedback: 'inputs', feedbackStart: 0, relayStart: 0, pulse: 'board' },
  }));
}

async function controller(link: string, binding: SerialBinding, pollIntervalMs: number, onPollCycle?: (ms: number) => void): Promise<LockBoardController> {
  const ctl = new LockBoardController({
    id: 'bench', path: link, baudRate: BAUD, echo: false, lowLatency: true, replyTimeoutMs: 100, pollIntervalMs,
    offlineAfterMisses: 3, unlockAttempts: 2, statusRetries: 1, powerGroupGapMs: 0, reconnectMinMs: 100, reconnectMaxMs: 1000,
    boards: boards(), loadBinding: async () => binding, powerGroups: new PowerGroups(), ...(onPollCycle ? { onPollCycle } : {}),
  });
  await ctl.start();
  const end = Date.now() + 5000;
  while (!ctl.health().every((h) => h.online)) {
    if (Date.now() > end) throw new Error(`boards not online: ${JSON.stringify(ctl.health())}`);
    await sleep(10);
  }
  return ctl;
}

async function cycles(link: string, real: SerialBinding, n: number): Promise<number[]> {
  const times: number[] = [];
  const ctl = await controller(link, real, 0, (ms) => times.push(ms));
  const skip = times.length + 20; // warm-up
  while (times.length < skip + n) await sleep(50);
  await ctl.stop();
  return times.slice(skip, skip + n);
}

async function unlockLatencies(link: string, real: SerialBinding, polling: boolean, n: number, sim: Sim): Promise<number[]> {
  let waitingFor: Buffer | null = null;
  let writtenAt = 0;
  const binding = timedBinding(real, (bytes, at) => {
    if (waitingFor && bytes.equals(waitingFor)) writtenAt = at;
  });
  const ctl = await controller(link, binding, polling ? 0 : 3_600_000);
  // The poll loop's first cycle runs right after start, idle bus or not: let it finish, and let
  // a few unlocks warm the code up, before measuring.
  while (ctl.pollStats.cycles < 1) await sleep(5);
  const out: number[] = [];
  for (let i = -WARMUP_UNLOCKS; i < n; i++) {
    const k = i + WARMUP_UNLOCKS;
    const board = k % BOARDS;
    const lock = 1 + (Math.floor(k / BOARDS) % 16);
    // Unlock request of that lock, as the controller will send it.
    const req = Buffer.from([0x02, (board << 4) | (lock - 1), 0x31, 0x03, 0]);
    req[4] = (req[0]! + req[1]! + req[2]! + req[3]!) & 0xff;
    waitingFor = req;
    writtenAt = 0;
    // Random phase against the poll cycle.
    await sleep(polling ? Math.random() * 10 : 2);
    const t0 = performance.now();
    const result = await ctl.unlock({ board: `B${board + 1}`, lock });
    if (result.outcome !== 'confirmed_open' || writtenAt === 0) throw new Error(`unlock ${i} failed: ${JSON.stringify(result)}`);
    if (i >= 0) out.push(writtenAt - t0);
    sim.send(`close ${board} ${lock}`);
  }
  await ctl.stop();
  return out;
}

async function main(): Promise<void> {
  if (spawnSync('socat', ['-V'], { stdio: 'ignore' }).status !== 0) {
    process.stderr.write('bench:bus needs socat (apt-get install socat)\n');
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-bus-'));
  const real = await loadSystemBinding();
  const paced = await startSim(dir, 'paced', BAUD);
  const unpaced = await startSim(dir, 'unpaced', 0);
  try {
    const statusTx = wireTimeMs(5 + 9, BAUD);
    const floor = BOARDS * statusTx;
    const unlockWire = wireTimeMs(5, BAUD);
    console.log(`bench:bus  ${BOARDS} Kerong CU16 boards, ${BAUD} baud (${fmtMs(charTimeMs(BAUD))} per byte), zero turnaround, socat pty pair, simulator in its own process\n`);

    const base = await cycles(unpaced.link, real, CYCLES);
    const c = await cycles(paced.link, real, CYCLES);
    const ratio = median(c) / floor;
    console.log(`1. poll cycle (${CYCLES} cycles, back to back)`);
    console.log(`   wire-time floor                 ${fmtMs(floor)}  (${BOARDS} x ${fmtMs(statusTx)})`);
    console.log(`   cycle median / p90 / p99        ${fmtMs(median(c))} / ${fmtMs(percentile(c, 90))} / ${fmtMs(percentile(c, 99))}`);
    console.log(`   median / floor                  ${ratio.toFixed(3)}   target <= 1.25  ${ratio <= 1.25 ? 'OK' : 'MISSED'}`);
    console.log(`   baseline without pacing         ${fmtMs(median(base))} per cycle = ${fmtMs(median(base) / BOARDS)} per transaction (pty + socat + software)\n`);

    const rounds: number[][] = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(await unlockLatencies(paced.link, real, false, UNLOCKS, paced));
    const busy = await unlockLatencies(paced.link, real, true, Math.max(50, Math.floor(UNLOCKS / 2)), paced);
    const p50s = rounds.map((r) => median(r));
    const p99s = rounds.map((r) => percentile(r, 99));
    const p50 = median(p50s);
    const p99 = median(p99s);
    const target = 2 + unlockWire;
    const list = (xs: number[]) => xs.map((x) => fmtMs(x)).join(', ');
    console.log(`2. unlock() call to request written (${ROUNDS} rounds of ${UNLOCKS} unlocks on an idle bus, then ${busy.length} while polling)`);
    console.log(`   idle bus: to the OS, p50 per round   ${list(p50s)}`);
    console.log(`   idle bus: to the OS, p99 per round   ${list(p99s)}`);
    console.log(`   idle bus: last byte on the wire, median round p50 / p99  ${fmtMs(p50 + unlockWire)} / ${fmtMs(p99 + unlockWire)}   target p99 <= ${fmtMs(target)}  ${p99 + unlockWire <= target ? 'OK' : 'MISSED'}`);
    console.log(`   polling back to back, p50 / p99 ${fmtMs(median(busy))} / ${fmtMs(percentile(busy, 99))} (+ ${fmtMs(unlockWire)} on the wire; waits for the status transaction in flight, at most ${fmtMs(statusTx)} + software)\n`);

    console.log('| figure | measured | target |');
    console.log('|---|---|---|');
    console.log(`| poll cycle, 4 CU16 boards @ 19200, median / wire floor (${fmtMs(floor)}) | ${ratio.toFixed(2)} (${fmtMs(median(c))}; p99 ${fmtMs(percentile(c, 99))}) | ≤ 1.25 |`);
    console.log(`| same cycle, pacing off (pty + socat + software only) | ${fmtMs(median(base))} | — |`);
    console.log(`| unlock() to last request byte on the wire, idle bus, median of ${ROUNDS} rounds, p50 / p99 | ${fmtMs(p50 + unlockWire)} / ${fmtMs(p99 + unlockWire)} (software p99 per round: ${list(p99s)}) | p99 ≤ ${fmtMs(target)} |`);
    console.log(`| same while polling back to back, p50 / p99 | ${fmtMs(median(busy) + unlockWire)} / ${fmtMs(percentile(busy, 99) + unlockWire)} | — |`);
  } finally {
    await paced.stop();
    await unpaced.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
