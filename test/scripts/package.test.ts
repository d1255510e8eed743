/**
 * npm run package: the release tarball install.sh --from installs. What it holds and what it
 * leaves out; that it installs with npm ci --omit=dev is install.test.ts's real run.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRelease, REPO, tempDir, VERSION } from './staging.js';

let work: string;
let tarball: string;
let release: string;
let entries: string[];

beforeAll(() => {
  work = tempDir('package');
  ({ tarball, release } = makeRelease(work));
  entries = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).stdout.trim().split('\n');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run package', () => {
  it('builds first, then packs', () => {
    const scripts = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.package).toBe('npm run build --silent && node scripts/package.mjs');
  });

  it('holds the compiled app and what the kiosk needs, under one lockerd-<version>/ directory', () => {
    const top = `lockerd-${VERSION}/`;
    expect(entries.every((e) => e.startsWith(top))).toBe(true);
    expect(entries).toEqual(expect.arrayContaining([
      'RELEASE', 'package.json', 'package-lock.json', 'binding.gyp', 'native/peercred/peercred.c',
      'dist/src/main.js', 'dist/src/cli/lockerctl-main.js', 'src/screen/static/index.html',
      'scripts/install.sh', 'scripts/update.sh', 'scripts/lib/install-common.sh', 'scripts/lockerd.mjs', 'scripts/lockerctl.mjs', 'scripts/kiosk-screen.sh',
      'systemd/lockerd.service', 'systemd/lockerd-screen.service', 'systemd/lockerd.tmpfiles.conf', 'systemd/70-lockerd-input.rules', 'systemd/70-lockerd-serial.rules',
      'config/examples/systemd-paths.json', 'config/examples/mosquitto/acl', 'docs/install.md',
    ].map((e) => top + e)));
  });

  it('leaves out sources, tests, benches, dependencies and built addons (they build on the kiosk)', () => {
    const extra = entries.filter((e) => /\.ts$|\/test\/|\/bench\/|node_modules|\/build\/|tsbuildinfo|tsconfig/.test(e));
    expect(extra).toEqual([]);
  });

  it('stores root as the owner and executable scripts', () => {
    const long = spawnSync('tar', ['-tvzf', tarball, '--numeric-owner'], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(long.every((l) => l.split(/\s+/)[1] === '0/0')).toBe(true);
    for (const script of ['install.sh', 'update.sh', 'lockerctl.mjs', 'lockerd.mjs']) {
      expect(long.find((l) => l.endsWith(`/scripts/${script}`))).toMatch(/^-rwxr-xr-x /);
    }
  });

  it('names the release in RELEASE, the same for the same tree (install.sh compares it)', () => {
    expect(release).toMatch(new RegExp(`^lockerd-${VERSION.replace(/\./g, '\\.')} [0-9a-f]{12}(-dirty)? sha256:[0-9a-f]{64}$`));
    const again = makeRelease(tempDir('package-again'));
    expect(again.release).toBe(release);
    rmSync(join(again.tarball, '..'), { recursive: true, force: true });
  });
});
