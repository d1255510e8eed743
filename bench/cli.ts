/**
 * bench:cli — how long a technician waits for `lockerctl status`, against a running demo daemon.
 *
 * Starts the built daemon (dist/src/main.js) on a copy of config/default.json (ledger and socket in
 * a temp dir, no broker, no screen), then runs, as separate processes as a shell would and
 * interleaved so a busy moment of this shared machine hits all alike:
 *   - `node -e 0`: the floor, Node's own start-up;
 *   - `lockerctl --version`: lockerctl's start-up without the daemon;
 *   - `lockerctl --config FILE status`: the socket path read from the config, one request, the
 *     answer formatted.
 * Prints p50 and p95 wall time of each and their ratio to the floor, and beside them the CPU time
 * the process used (from the kernel's count of reaped children's time, in 10 ms ticks), which a
 * busy machine inflates far less than the wall time. Target: status p50 <= 300 ms wall.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/config/paths.js';
import { fmtMs, msSince, percentile } from './stats.js';

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 30);
const WARMUP = 3;
const TARGET_MS = 300;

const root = packageRoot();
const dir = mkdtempSync(join(tmpdir(), 'lockerd-bench-cli-'));
const config = JSON.parse(readFileSync(join(root, 'config', 'default.json'), 'utf8')) as Record<string, unknown>;
const configPath = join(dir, 'config.json');
writeFileSync(
  configPath,
  JSON.stringify({
    ...config,
    log: { level: 'warn' },
    ledger: { path: join(dir, 'lockerd.db'), keyFile: join(dir, 'lockerd.key') },
    control: { socketPath: join(dir, 'lockerd.sock') },
    mqtt: { enabled: false },
    screen: { enabled: false },
  }),
);

const lockerctl = join(root, 'scripts', 'lockerctl.mjs');
const cases: { name: string; args: string[] }[] = [
  { name: 'node -e 0 (floor)', args: ['-e', '0'] },
  { name: 'lockerctl --version', args: [lockerctl, '--version'] },
  { name: 'lockerctl status', args: [lockerctl, '--config', configPath, 'status'] },
];

/** CPU time of this process's reaped children, in ms (Linux: cutime + cstime of /proc/self/stat). */
function childrenCpuMs(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
    // After the name: state is field 3, so cutime (16) and cstime (17) are at 13 and 14; USER_HZ is 100.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return Number.NaN;
  }
}

function once(args: string[]): { wall: number; cpu: number } {
  const cpu = childrenCpuMs();
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const wall = msSince(start);
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: childrenCpuMs() - cpu };
}

async function main(): Promise<void> {
  const daemon = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js'), '--config', configPath], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    // Ready once the socket answers (the log level keeps "lockerd ready" out of the output).
    const deadline = Date.now() + 20_000;
    while (spawnSync(process.execPath, [lockerctl, '--config', configPath, 'status'], { cwd: root }).status !== 0) {
      if (daemon.exitCode !== null || Date.now() > deadline) throw new Error('the demo daemon did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    const times = cases.map(() => [] as number[]);
    const cpu = cases.map(() => [] as number[]);
    for (let round = 0; round < WARMUP + RUNS; round++) {
      cases.forEach((c, i) => {
        const t = once(c.args);
        if (round < WARMUP) return;
        times[i]!.push(t.wall);
        cpu[i]!.push(t.cpu);
      });
    }
    const floor = percentile(times[0]!, 50);
    const cpuFloor = percentile(cpu[0]!, 50);
    console.log(`lockerctl start-up and status, ${RUNS} runs each (interleaved); wall time per process, and its CPU time`);
    console.log(`${'case'.padEnd(24)} ${'p50'.padStart(8)} ${'p95'.padStart(8)}  p50/floor   ${'cpu p50'.padStart(8)}  cpu/floor`);
    cases.forEach((c, i) => {
      const p50 = percentile(times[i]!, 50);
      const c50 = percentile(cpu[i]!, 50);
      console.log(`${c.name.padEnd(24)} ${fmtMs(p50).padStart(8)} ${fmtMs(percentile(times[i]!, 95)).padStart(8)}  ${`${(p50 / floor).toFixed(2)}x`.padStart(9)}   ${fmtMs(c50).padStart(8)}  ${`${(c50 / cpuFloor).toFixed(2)}x`.padStart(9)}`);
    });
    const status = percentile(times[2]!, 50);
    console.log(`status p50 ${fmtMs(status)}: ${status <= TARGET_MS ? 'within' : 'OVER'} the ${TARGET_MS} ms target (lockerctl's own part: ${fmtMs(status - floor)} above the floor)`);
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
