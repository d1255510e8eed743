import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAEMON_USAGE, parseDaemonArgs } from '../src/daemon-args.js';
import { ROOT } from './helpers/fixtures.js';

const MAIN = join(ROOT, 'dist/src/main.js');
const lockerd = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, LOCKERD_CONFIG: '' }, timeout: 20_000 });

describe("lockerd's command line", () => {
  it('runs on --config FILE or nothing, checks a config with --check-config [FILE] in either form', () => {
    expect(parseDaemonArgs([])).toEqual({ kind: 'run' });
    expect(parseDaemonArgs(['--config', '/etc/lockerd/config.json'])).toEqual({ kind: 'run' });
    expect(parseDaemonArgs(['--config=/etc/lockerd/config.json'])).toEqual({ kind: 'run' });
    expect(parseDaemonArgs(['--check-config'])).toEqual({ kind: 'check-config', file: undefined });
    expect(parseDaemonArgs(['--check-config', '/etc/lockerd/config.json'])).toEqual({ kind: 'check-config', file: '/etc/lockerd/config.json' });
    expect(parseDaemonArgs(['--check-config=a.json'])).toEqual({ kind: 'check-config', file: 'a.json' });
    expect(parseDaemonArgs(['--check-config='])).toEqual({ kind: 'check-config', file: undefined });
    // The file of --config, read by resolveConfigPath, as a start would.
    expect(parseDaemonArgs(['--check-config', '--config', 'x'])).toEqual({ kind: 'check-config', file: undefined });
    // After --, nothing is an option.
    expect(parseDaemonArgs(['--', '--check-config'])).toMatchObject({ kind: 'usage-error' });
  });

  it('refuses what it does not know in one line, instead of starting on the demo config', () => {
    expect(parseDaemonArgs(['--confg', 'x'])).toEqual({ kind: 'usage-error', message: 'unknown option --confg' });
    expect(parseDaemonArgs(['--config'])).toMatchObject({ kind: 'usage-error', message: expect.stringMatching(/^--config needs a value/) });
    expect(parseDaemonArgs(['config.json'])).toMatchObject({ kind: 'usage-error', message: expect.stringContaining('--config FILE') });
    expect(parseDaemonArgs(['--check-config', 'a', 'b'])).toEqual({ kind: 'usage-error', message: '--check-config takes one file, not 2' });
    expect(parseDaemonArgs(['--help=yes'])).toMatchObject({ kind: 'usage-error' });
  });

  it('answers --help and --version and exits 64 on a bad option, starting nothing', () => {
    const help = lockerd('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toBe(DAEMON_USAGE);
    for (const line of DAEMON_USAGE.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    const version = lockerd('--version');
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^lockerd \d+\.\d+\.\d+\n$/);
    const bad = lockerd('--confg', '/etc/lockerd/config.json');
    expect(bad.status).toBe(64);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe('lockerd: unknown option --confg; see lockerd --help\n');
  });
});
