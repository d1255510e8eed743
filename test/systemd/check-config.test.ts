import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAEMON, assertBuilt } from '../helpers/daemon.js';
import { ROOT, tempDir, testConfigJson, writeConfig } from '../helpers/fixtures.js';

function lockerd(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  assertBuilt();
  return new Promise((resolve) => {
    execFile(process.execPath, [DAEMON, ...args], { cwd: ROOT, env: { ...process.env, LOCKERD_CONFIG: '', ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('lockerd --check-config (ExecStartPre=)', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('says "config OK" with what the file describes, exits 0, and opens no ledger and no socket', async () => {
    const path = writeConfig(dir, testConfigJson(dir));
    const r = await lockerd(['--check-config', path]);
    expect(r).toEqual({ code: 0, stderr: '', stdout: `config OK: ${path}: locker demo-locker, 28 compartments on 2 lock boards (1 bus), upstream disabled, screen disabled\n` });
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('reads the file the daemon would: --config, then $LOCKERD_CONFIG', async () => {
    const path = writeConfig(dir, testConfigJson(dir));
    expect((await lockerd(['--config', path, '--check-config'])).stdout).toContain(`config OK: ${path}:`);
    expect((await lockerd(['--check-config'], { LOCKERD_CONFIG: path })).stdout).toContain(`config OK: ${path}:`);
    expect((await lockerd([`--check-config=${path}`])).code).toBe(0);
  });

  it('prints every problem and exits 78 for a bad file, and for a missing one', async () => {
    const bad = writeConfig(dir, { ...testConfigJson(dir), kioskId: 5, compartments: 'none' });
    const r = await lockerd(['--check-config', bad]);
    expect(r.code).toBe(78);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('lockerd: config check failed:\n');
    expect(r.stderr).toContain(`${bad}: kioskId: 5 is not a string`);
    expect(r.stderr).toContain(`${bad}: compartments:`);
    expect(existsSync(join(dir, 'lockerd.db'))).toBe(false);
    const missing = await lockerd(['--check-config', join(dir, 'nope.json')]);
    expect(missing.code).toBe(78);
    expect(missing.stderr).toContain('nope.json: cannot read the configuration');
  });

  it('keeps a courier PIN in a bad file out of its answer', async () => {
    const json = testConfigJson(dir) as { couriers: { pin?: unknown }[] };
    const pin = '909192';
    json.couriers[0]!.pin = pin;
    const text = JSON.stringify(json).replace(`"${pin}"`, `"${pin}",,`);
    const r = await lockerd(['--check-config', writeConfig(dir, text)]);
    expect(r.code).toBe(78);
    expect(r.stderr + r.stdout).not.toContain(pin);
  });
});

