/**
 * lockerctl against the built daemon: the exit status is EXIT_STATUS[kind] whoever found the
 * problem (lockerctl or the daemon), in plain form (one line, plus where to read more for a usage
 * error) and with --json (`{"error", "code"}` on stderr, stdout left empty); a stream under
 * --json is one JSON object per line, its result the last.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { EXIT_STATUS } from '../../src/control/protocol.js';
import { Daemon, LOCKERCTL, lockerctl } from '../helpers/daemon.js';
import { ROOT, tempDir, testConfigJson, writeConfig } from '../helpers/fixtures.js';

describe('lockerctl exit statuses and --json errors, against the built daemon', () => {
  let dir: string;
  let cleanup: () => void;
  let configPath: string;
  let daemon: Daemon;
  const ctl = (...args: string[]) => lockerctl(['--config', configPath, ...args]);

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    configPath = writeConfig(dir, testConfigJson(dir));
    daemon = Daemon.spawn(configPath);
    await daemon.ready();
  });

  afterAll(async () => {
    await daemon?.stop();
    cleanup();
  });

  it('64 for a usage error found by lockerctl or by the daemon, one line and the help to read', async () => {
    const mine = await ctl('parcels', '--limit', '0');
    expect(mine).toEqual({ code: EXIT_STATUS.usage, stdout: '', stderr: "lockerctl: --limit must be a whole number of at least 1\nsee 'lockerctl parcels --help'\n" });
    const theirs = await ctl('parcels', '--state', 'lost');
    expect(theirs.code).toBe(EXIT_STATUS.usage);
    expect(theirs.stderr).toMatch(/^lockerctl: unknown parcel state "lost" \(one of [a-z_, ]+\)\nsee 'lockerctl parcels --help'\n$/);
    const json = await ctl('--json', 'parcels', '--state', 'lost');
    expect(json.code).toBe(EXIT_STATUS.usage);
    expect(json.stdout).toBe('');
    expect(JSON.parse(json.stderr)).toEqual({ error: expect.stringMatching(/^unknown parcel state "lost"/), code: 'usage' });
    expect(JSON.parse((await ctl('--json', 'stauts')).stderr)).toEqual({ error: "unknown command 'stauts'; did you mean 'status'?", code: 'usage' });
  });

  it('65 for what the locker does not have, 1 for a refusal, 0 and the answer otherwise', async () => {
    const unknown = await ctl('lock', 'open', 'Z99', '--reason', 'test');
    expect(unknown).toEqual({ code: EXIT_STATUS.not_found, stdout: '', stderr: 'lockerctl: unknown compartment "Z99"; see lockerctl compartments\n' });
    expect(JSON.parse((await ctl('--json', 'lock', 'open', 'Z99', '--reason', 'test')).stderr)).toEqual({ error: 'unknown compartment "Z99"; see lockerctl compartments', code: 'not_found' });
    const noSuchOutput = await ctl('--json', 'gpio', 'pulse', 'buzzer');
    expect(noSuchOutput.code).toBe(EXIT_STATUS.not_found);
    expect(JSON.parse(noSuchOutput.stderr)).toMatchObject({ code: 'not_found', error: expect.stringContaining('no GPIO output named "buzzer"') });
    // A rule of the locker: a throttle holding nothing has nothing to reset.
    const refused = await ctl('--json', 'throttle', 'reset', '--reason', 'test');
    expect(refused.code).toBe(EXIT_STATUS.refused);
    expect(JSON.parse(refused.stderr)).toMatchObject({ code: 'refused', error: expect.stringContaining('nothing to reset') });
    const ok = await ctl('--json', 'status');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).kioskId).toBe('demo-locker');
    // A failed self-test is its own status, 2, so a script can tell it from a refusal.
    const selftest = COMMANDS.find((c) => c.words.join(' ') === 'selftest')!;
    expect([selftest.exitCode!({ ok: true, checks: [] }), selftest.exitCode!({ ok: false, checks: [] })]).toEqual([0, 2]);
  });

  it('69 when no daemon listens, 78 for a config it cannot read the socket from', async () => {
    const down = await lockerctl(['--socket', join(dir, 'nothing.sock'), 'status']);
    expect(down).toEqual({ code: EXIT_STATUS.unavailable, stdout: '', stderr: `lockerctl: lockerd is not running (no control socket at ${join(dir, 'nothing.sock')}); start it with npm start or systemctl start lockerd\n` });
    expect(JSON.parse((await lockerctl(['--json', '--socket', join(dir, 'nothing.sock'), 'status'])).stderr)).toMatchObject({ code: 'unavailable' });
    const notJson = writeConfig(dir, '{"couriers": [{"pin": "424242"', 'broken.json');
    const bad = await lockerctl(['--config', notJson, 'status']);
    expect(bad.code).toBe(EXIT_STATUS.config);
    expect(bad.stderr).toBe(`lockerctl: ${notJson} is not valid JSON; check it with: lockerctl config check ${notJson}\n`);
    expect(bad.stderr).not.toContain('424242');
    const missing = await lockerctl(['--json', '--config', join(dir, 'none.json'), 'status']);
    expect(missing.code).toBe(EXIT_STATUS.config);
    expect(JSON.parse(missing.stderr)).toEqual({ error: `cannot read the control socket path from ${join(dir, 'none.json')}: no such file or directory (ENOENT); give the socket with --socket PATH instead`, code: 'config' });
  });

  it('77 and "you are not in the lockerd group" for a socket the user may not open', async () => {
    // The test may run as root, whom no file mode stops: the refused user is then "nobody".
    const asRoot = process.getuid?.() === 0;
    const sockets = join(dir, 'run');
    mkdirSync(sockets, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const path = join(sockets, 'lockerd.sock');
    const server: Server = createServer((c) => c.end());
    await new Promise<void>((r) => server.listen(path, r));
    chmodSync(path, asRoot ? 0o600 : 0o000);
    // "nobody" may not be able to read the checkout (a clone under /root): it runs a copy of the
    // built CLI from a directory anyone can read.
    let script = LOCKERCTL;
    if (asRoot) {
      const copy = join(dir, 'lockerctl-copy');
      mkdirSync(copy, { mode: 0o755 });
      cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
      cpSync(join(ROOT, 'scripts', 'lockerctl.mjs'), join(copy, 'scripts', 'lockerctl.mjs'));
      cpSync(join(ROOT, 'dist', 'src'), join(copy, 'dist', 'src'), { recursive: true });
      cpSync(join(ROOT, 'config', 'default.json'), join(copy, 'config', 'default.json'));
      execFileSync('chmod', ['-R', 'a+rX', copy]);
      script = join(copy, 'scripts', 'lockerctl.mjs');
    }
    try {
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [script, '--socket', path, 'status'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(r).toEqual({ code: EXIT_STATUS.permission, stderr: `lockerctl: permission denied on ${path}: you are not in the lockerd group (sudo usermod -aG lockerd $USER, then log in again) or use sudo\n` });
    } finally {
      server.close();
    }
  });

  it('streams one JSON object per line under --json, the result last, until Ctrl-C', async () => {
    const child = spawn(process.execPath, [LOCKERCTL, '--config', configPath, '--json', 'scanner', 'test'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const until = async (what: string): Promise<void> => {
        const deadline = Date.now() + 8000;
        while (!out.includes(what)) {
          if (Date.now() > deadline) throw new Error(`no ${what} in: ${out}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await until('"kind":"watching"');
      expect((await ctl('sim', 'scan', '1Z999AA10123456784')).code).toBe(0);
      await until('"kind":"scan"');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    const lines = out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.kind ?? Object.keys(l)[0])).toEqual(['watching', 'scan', 'result']);
    expect(lines.at(-1)).toEqual({ result: { stopped: true, events: 2 } });
  });

  it('reads the socket path from a config without validating (or being able to use) the rest of it', async () => {
    const socketOnly = writeConfig(dir, { control: { socketPath: join(dir, 'lockerd.sock') } }, 'socket-only.json');
    const r = await lockerctl(['--config', socketOnly, '--json', 'status']);
    expect(r.code, r.stderr).toBe(0);
    // The same through $LOCKERD_CONFIG, as the daemon reads it.
    expect((await lockerctl(['--json', 'compartments'], { LOCKERD_CONFIG: socketOnly })).code).toBe(0);
  });
});
