/**
 * The unit's system call filter against what the daemon really calls. No systemd runs the tests,
 * so the built daemon runs under strace instead: started, asked for its status and a self-test,
 * driven through a courier login, stopped with SIGTERM. Every system call in the trace must be
 * one the unit's SystemCallFilter= lines allow (groups expanded by systemd-analyze itself), or
 * under systemd it would fail with EPERM.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAEMON, assertBuilt, lockerctl } from '../helpers/daemon.js';
import { ROOT, tempDir, testConfigJson, writeConfig } from '../helpers/fixtures.js';
import { freePort } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/socat.js';

function needs(tool: string, args: string[], apt: string): boolean {
  if (spawnSync(tool, args, { stdio: 'ignore' }).status === 0) return true;
  if (process.env.CI) throw new Error(`${tool} is required under CI=true (apt-get install ${apt})`);
  return false;
}
const skip = !(needs('systemd-analyze', ['--version'], 'systemd') && needs('strace', ['-V'], 'strace'));

const groups = new Map<string, Set<string>>();
/** The system calls of a name (`read`) or a group (`@system-service`, nested groups expanded). */
function syscallsOf(name: string): Set<string> {
  if (!name.startsWith('@')) return new Set([name]);
  let set = groups.get(name);
  if (set) return set;
  const out = spawnSync('systemd-analyze', ['syscall-filter', '--no-pager', name], { encoding: 'utf8' }).stdout;
  set = new Set();
  for (const line of out.split('\n').slice(1)) {
    const t = line.trim();
    if (/^@[a-z-]+$/.test(t)) for (const s of syscallsOf(t)) set.add(s);
    else if (/^[a-z0-9_]+$/.test(t)) set.add(t);
  }
  groups.set(name, set);
  return set;
}

/** What SystemCallFilter= lines allow, applied in order as systemd does (an allow list first). */
function allowedSyscalls(unitText: string): Set<string> {
  const allowed = new Set<string>();
  for (const line of unitText.split('\n').filter((l) => l.startsWith('SystemCallFilter='))) {
    const value = line.slice('SystemCallFilter='.length);
    const deny = value.startsWith('~');
    for (const name of (deny ? value.slice(1) : value).split(/\s+/).filter(Boolean)) {
      for (const s of syscallsOf(name)) deny ? allowed.delete(s) : allowed.add(s);
    }
  }
  return allowed;
}

describe.skipIf(skip)('the system calls the daemon makes', () => {
  let dir: string;
  let cleanup: () => void;
  let used: Set<string>;

  beforeAll(async () => {
    assertBuilt();
    ({ dir, cleanup } = tempDir());
    // Everything a kiosk runs: the screen's page, an MQTT link (to a port where no broker listens),
    // sd_notify and the watchdog's ledger probe (the socket need not exist: the calls are made).
    const configPath = writeConfig(dir, testConfigJson(dir, { screen: { enabled: true, port: await freePort() }, mqtt: { enabled: true, url: `mqtt://127.0.0.1:${await freePort()}` } }));
    const trace = join(dir, 'trace');
    let output = '';
    const child = spawn('strace', ['-f', '-qq', '-o', trace, process.execPath, '--max-semi-space-size=2', '--optimize-for-size', DAEMON, '--config', configPath], {
      cwd: ROOT,
      env: { ...process.env, NOTIFY_SOCKET: join(dir, 'notify.sock'), WATCHDOG_USEC: '2000000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (output += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (output += s));
    const exited = new Promise((r) => child.once('exit', r));
    await waitFor(() => output.includes('"msg":"lockerd ready"') || child.exitCode !== null, 60_000, 'lockerd ready under strace');
    const pid = Number(/"pid":(\d+)/.exec(output)?.[1]);
    expect(pid, output).toBeGreaterThan(0);
    const ctl = (...args: string[]) => lockerctl(['--config', configPath, ...args]);
    expect((await ctl('status')).code).toBe(0);
    expect((await ctl('selftest')).stdout).toContain('ledger');
    expect((await ctl('sim', 'keys', '111111#')).code).toBe(0);
    await new Promise((r) => setTimeout(r, 2500)); // watchdog ticks and probes, MQTT retries
    process.kill(pid, 'SIGTERM');
    await exited;
    expect(output).toContain('"msg":"lockerd stopped"');
    used = new Set();
    for (const line of readFileSync(trace, 'utf8').split('\n')) {
      const m = /^\d+\s+(?:<\.\.\. ([a-z0-9_]+) resumed>|([a-z0-9_]+)\()/.exec(line);
      if (m) used.add((m[1] ?? m[2])!);
    }
  }, 120_000);

  afterAll(() => cleanup?.());

  it('are all allowed by lockerd.service', () => {
    const allowed = allowedSyscalls(readFileSync(join(ROOT, 'systemd', 'lockerd.service'), 'utf8'));
    expect(allowed.has('read')).toBe(true);
    expect(allowed.has('reboot')).toBe(false);
    expect(used.size).toBeGreaterThan(30);
    console.log(`the daemon made ${used.size} distinct system calls: ${[...used].sort().join(' ')}`);
    expect([...used].filter((s) => !allowed.has(s)).sort()).toEqual([]);
  });
});
