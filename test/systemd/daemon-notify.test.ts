/**
 * The built daemon under a service manager's eyes: NOTIFY_SOCKET and WATCHDOG_USEC set as systemd
 * sets them, the datagrams received on a real Unix datagram socket (python3, notify-socket.ts).
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon, lockerctl } from '../helpers/daemon.js';
import { ROOT, tempDir, testConfigJson, writeConfig } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/socat.js';
import { NotifySocket, skipWithoutPython } from './notify-socket.js';

const skip = skipWithoutPython();
/** systemd's WatchdogSec=3s: a ping is due every 1.5 s, ticks every 375 ms, 750 ms of lag allowed (the test machine is shared). */
const WATCHDOG_USEC = '3000000';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skip)('lockerd run as a Type=notify service', () => {
  let dir: string;
  let cleanup: () => void;
  let configPath: string;
  let receiver: NotifySocket;
  let daemon: Daemon;
  let readyAnswer: { code: number; stdout: string; stderr: string };
  const pingsBetween = (from: number, to: number): number => receiver.messages.filter((m) => m.text === 'WATCHDOG=1' && m.at > from && m.at <= to).length;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    configPath = writeConfig(dir, testConfigJson(dir));
    receiver = await NotifySocket.open(join(dir, 'notify.sock'));
    daemon = Daemon.spawn(configPath, { NOTIFY_SOCKET: receiver.path, WATCHDOG_USEC });
    await receiver.next((t) => t.startsWith('READY=1'), 20_000, 0, 'READY=1');
    // Asked once, the moment READY=1 arrived: the control socket must already answer.
    readyAnswer = await lockerctl(['--config', configPath, '--json', 'status']);
  }, 30_000);

  afterAll(async () => {
    await daemon?.stop();
    await receiver?.close();
    cleanup?.();
  });

  it('says what it is doing while it starts, and READY=1 once the control socket answers', () => {
    expect(readyAnswer.code, readyAnswer.stderr).toBe(0);
    expect(JSON.parse(readyAnswer.stdout)).toMatchObject({ kioskId: 'demo-locker' });
    const upToReady = receiver.messages.map((m) => m.text).filter((t) => t !== 'WATCHDOG=1');
    expect(upToReady.slice(0, 3)).toEqual([
      'STATUS=starting: opening the ledger',
      'STATUS=starting: lock boards, inputs, control socket, screen',
      'READY=1\nSTATUS=ready: 28 compartments, 0 parcels waiting, upstream disabled',
    ]);
    expect(receiver.messages.filter((m) => m.text.startsWith('READY=1'))).toHaveLength(1);
  });

  it('pings the watchdog every half period while healthy', async () => {
    const from = Date.now();
    await sleep(4500);
    expect(pingsBetween(from, Date.now())).toBeGreaterThanOrEqual(2);
  });

  it('stops pinging while another connection holds the ledger write lock, and resumes once it is released', async () => {
    const other = new Database(join(dir, 'lockerd.db'));
    let lockedAt = 0;
    let releasedAt = 0;
    try {
      other.exec('BEGIN IMMEDIATE');
      lockedAt = Date.now();
      await waitFor(() => daemon.output.includes('watchdog pings withheld'), 5000, 'the daemon to say it withholds pings');
      await sleep(3500); // more than two ping periods
    } finally {
      other.exec('ROLLBACK');
      releasedAt = Date.now();
      other.close();
    }
    // A ping already on its way when the lock was taken may arrive just after.
    expect(pingsBetween(lockedAt + 300, releasedAt)).toBe(0);
    expect(daemon.output).toMatch(/"level":50,.*"msg":"watchdog pings withheld: the ledger does not take a write: its write lock is held by another connection \(SQLITE_BUSY\)/);
    await receiver.next((t) => t === 'WATCHDOG=1', 5000, receiver.messages.length, 'a ping after the lock was released');
    await waitFor(() => daemon.output.includes('watchdog pings resumed'), 2000, 'the daemon to say pings resumed');
  }, 20_000);

  it('withholds the ping after the event loop could not run (process stopped), then pings again', async () => {
    daemon.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    await sleep(2000);
    daemon.child.kill('SIGCONT');
    await waitFor(() => daemon.output.includes('the event loop is unresponsive'), 5000, 'the daemon to notice the late timer');
    expect(daemon.output).toMatch(/watchdog pings withheld: the event loop is unresponsive: a 375 ms timer fired \d+ ms late \(limit 750 ms\)/);
    const from = receiver.messages.length;
    const resumed = await receiver.next((t) => t === 'WATCHDOG=1', 5000, from, 'a ping after the event loop ran again');
    expect(resumed.at).toBeGreaterThan(stoppedAt + 2000);
  }, 20_000);

  it('says in lockerctl selftest that systemd hears it', async () => {
    const r = await lockerctl(['--config', configPath, '--json', 'selftest']);
    const checks = (JSON.parse(r.stdout) as { checks: { check: string }[] }).checks;
    expect(checks.find((c) => c.check === 'systemd notify')).toEqual({ check: 'systemd notify', verdict: 'ok', detail: 'READY=1, STATUS= and watchdog pings reach systemd' });
  });

  it('sends STOPPING=1 on SIGTERM and exits 0', async () => {
    const from = receiver.messages.length;
    expect(await daemon.stop()).toBe(0);
    const stopping = await receiver.next((t) => t.startsWith('STOPPING=1'), 5000, from, 'STOPPING=1');
    expect(stopping.text).toBe('STOPPING=1\nSTATUS=stopping (SIGTERM): finishing door operations, closing the ledger');
    expect(receiver.messages.slice(stopping.index + 1).map((m) => m.text)).toEqual([]);
  });
});

describe.skipIf(skip)('lockerd under systemd without the sdnotify addon', () => {
  let dir: string;
  let cleanup: () => void;

  beforeAll(() => ({ dir, cleanup } = tempDir()));
  afterAll(() => cleanup?.());

  it('still serves, says at error level that systemd will stop it, and selftest fails with the fix', async () => {
    // An installed copy of lockerd whose build/ lacks the addon (peercred kept: only sdnotify is missing).
    const app = join(dir, 'lockerd');
    mkdirSync(join(app, 'build', 'Release'), { recursive: true });
    for (const part of ['dist', 'config', 'package.json']) cpSync(join(ROOT, part), join(app, part), { recursive: true });
    cpSync(join(ROOT, 'build', 'Release', 'peercred.node'), join(app, 'build', 'Release', 'peercred.node'));
    symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
    const configPath = writeConfig(dir, testConfigJson(dir));
    const receiver = await NotifySocket.open(join(dir, 'notify.sock'));
    const child = spawn(process.execPath, [join(app, 'dist', 'src', 'main.js'), '--config', configPath], {
      env: { ...process.env, NOTIFY_SOCKET: receiver.path, WATCHDOG_USEC },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (output += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (output += s));
    const exited = new Promise((r) => child.once('exit', r));
    try {
      await waitFor(() => output.includes('"msg":"lockerd ready"') || child.exitCode !== null, 20_000, 'lockerd ready');
      expect(output).toMatch(/"level":50,.*sdnotify\.node is missing.*"msg":"cannot tell systemd that lockerd is ready or alive: systemd \(Type=notify\) stops lockerd at its start timeout; fix: npm run build:native/);
      const r = await lockerctl(['--config', configPath, '--json', 'selftest']);
      const check = (JSON.parse(r.stdout) as { checks: { check: string; verdict: string; detail: string }[] }).checks.find((c) => c.check === 'systemd notify');
      expect(check).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('fix: npm run build:native') });
      expect(receiver.messages).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      await exited;
      await receiver.close();
    }
  }, 40_000);
});
