/**
 * What the install, update and package tests share: the release tarball, a staging root that
 * looks like a fresh Debian's /etc (users and groups only), and running the scripts.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
export const INSTALL = join(REPO, 'scripts', 'install.sh');
export const UPDATE = join(REPO, 'scripts', 'update.sh');
export const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * npm ci against the local cache, without the addons' builds: better-sqlite3 compiles for
 * minutes from source. What is installed (and that no dev tool is needed) is the same.
 */
export const NPM_OFFLINE = { LOCKERD_NPM_CI_FLAGS: '--offline --ignore-scripts' };

/** A directory of the test's own, readable by every user (the non-root cases run as nobody). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `lockerd-${prefix}-`));
  chmodSync(dir, 0o755);
  return dir;
}

/** `node scripts/package.mjs --out DIR`: the tarball of the dist/ the test run built. */
export function makeRelease(outDir: string): { tarball: string; release: string } {
  if (!existsSync(join(REPO, 'dist', 'src', 'main.js'))) {
    throw new Error('dist/ is missing: the package tests pack the built daemon; run `npm run build` (npm test builds first)');
  }
  const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'package.mjs'), '--out', outDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`package.mjs failed: ${r.stderr}`);
  const tarball = join(outDir, `lockerd-${VERSION}.tar.gz`);
  return { tarball, release: r.stdout.split('\n')[1]! };
}

/**
 * A staging root as a fresh Debian 12 leaves /etc: root, the dialout and plugdev groups, and a
 * gpio group (Raspberry Pi OS has one) when asked; a Raspberry Pi's boot partition when asked.
 */
export function stagingRoot(options: { gpio?: boolean; raspberryPi?: boolean } = {}): string {
  const root = tempDir('root');
  mkdirSync(join(root, 'etc'));
  const groups = ['root:x:0:', 'dialout:x:20:', 'plugdev:x:46:', ...(options.gpio ? ['gpio:x:997:'] : [])];
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  writeFileSync(join(root, 'etc', 'group'), `${groups.join('\n')}\n`);
  writeFileSync(join(root, 'etc', 'shadow'), 'root:*:19000:0:99999:7:::\n', { mode: 0o640 });
  writeFileSync(join(root, 'etc', 'gshadow'), `${groups.map((g) => `${g.split(':')[0]}:*::`).join('\n')}\n`, { mode: 0o640 });
  if (options.raspberryPi) {
    mkdirSync(join(root, 'boot', 'firmware'), { recursive: true });
    writeFileSync(join(root, 'boot', 'firmware', 'cmdline.txt'), 'console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 fsck.repair=yes rootwait\n');
    writeFileSync(join(root, 'boot', 'firmware', 'config.txt'), '[all]\ndtparam=audio=on\n');
  }
  return root;
}

export function runScript(script: string, args: string[], env: Record<string, string> = {}, asUser?: string): SpawnSyncReturns<string> {
  const [cmd, cmdArgs] = asUser
    ? ['setpriv', ['--reuid', asUser, '--regid', 'nogroup', '--clear-groups', 'bash', script, ...args]]
    : ['bash', [script, ...args]];
  return spawnSync(cmd, cmdArgs as string[], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
}

/** The "+ command" lines of a script's output: what it did, or would do under --dry-run. */
export function steps(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith('+ '));
}

export const isRoot = process.getuid?.() === 0;
