/**
 * scripts/update.sh in a staging root holding an installed release: the plan, a refusal, an
 * update whose new release answers, and one whose start fails and is rolled back. systemd is the
 * boundary replaced (LOCKERD_SYSTEMCTL): a stand-in whose "start" brings up a control socket
 * answering lockerctl, or, for a release that fails, changes the ledger as a migration would and
 * reports "failed".
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL, isRoot, makeRelease, REPO, runScript, stagingRoot, steps, tempDir, UPDATE, VERSION } from './staging.js';

if (process.env.CI && !isRoot) throw new Error('CI=true: the update tests must run as root (they change only a staging root)');

const dirs: string[] = [];
let work: string;
let tarball: string;
let release: string;

/** The same release renamed to another version: a different RELEASE line, so a real update. */
function otherRelease(version: string): { tarball: string; release: string } {
  const dir = join(work, version);
  mkdirSync(dir);
  spawnSync('tar', ['-xzf', tarball, '-C', dir]);
  spawnSync('mv', [join(dir, `lockerd-${VERSION}`), join(dir, `lockerd-${version}`)]);
  const file = join(dir, `lockerd-${version}`, 'RELEASE');
  const line = readFileSync(file, 'utf8').replace(`lockerd-${VERSION} `, `lockerd-${version} `);
  writeFileSync(file, line);
  spawnSync('tar', ['-czf', join(dir, `lockerd-${version}.tar.gz`), '-C', dir, `lockerd-${version}`]);
  return { tarball: join(dir, `lockerd-${version}.tar.gz`), release: line.trim() };
}

// A service manager for one service: its state in a file; "start" runs the installed release as
// the test scripts it (FAILING names the version whose start fails).
const STAND_IN = `#!/bin/bash
set -eu
echo "$*" >>"$FAKE_DIR/calls"
state=$FAKE_DIR/state
stop_server() { if [ -f "$FAKE_DIR/pid" ]; then kill "$(cat "$FAKE_DIR/pid")" 2>/dev/null || true; rm -f "$FAKE_DIR/pid" "$FAKE_SOCKET"; fi; }
case "$1" in
  is-active) s=$(cat "$state"); echo "$s"; [ "$s" = active ] ;;
  stop) stop_server; echo inactive >"$state" ;;
  start)
    if grep -q "^lockerd-$FAKE_FAILING " "$FAKE_APP/RELEASE"; then
      echo "schema v99" >>"$FAKE_LEDGER"
      echo failed >"$state"
    else
      node -e '
        const net = require("node:net");
        net.createServer((c) => c.on("data", (d) => { for (const l of String(d).split("\\n").filter(Boolean)) c.write(JSON.stringify({ id: JSON.parse(l).id, ok: true, result: { kioskId: "stand-in", running: true } }) + "\\n"); }))
          .listen(process.argv[1]);
      ' "$FAKE_SOCKET" >/dev/null 2>&1 &
      echo $! >"$FAKE_DIR/pid"
      echo active >"$state"
    fi ;;
esac
`;

beforeAll(() => {
  work = tempDir('update');
  dirs.push(work);
  ({ tarball, release } = makeRelease(work));
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('update.sh refuses', () => {
  it('without --from, or with nothing installed, changing nothing', () => {
    const root = stagingRoot();
    dirs.push(root);
    const none = runScript(UPDATE, ['--root', root]);
    expect(none.stderr).toBe('update.sh: give the release to install: update.sh --from lockerd-X.tar.gz\n');
    expect(none.status).toBe(64);
    const fresh = runScript(UPDATE, ['--root', root, '--from', tarball]);
    expect(fresh.stderr).toBe(`update.sh: no lockerd release in ${root}/opt/lockerd: install first (scripts/install.sh --from ${tarball})\n`);
    expect(fresh.status).toBe(69);
    expect(readdirSync(root, { recursive: true }).sort()).toEqual(['etc', 'etc/group', 'etc/gshadow', 'etc/passwd', 'etc/shadow']);
  });
});

describe.skipIf(!isRoot)('update.sh on an installed staging root', () => {
  let root: string;
  let fake: string;
  const at = (p: string) => join(root, p);
  const env = () => ({
    // npm is no part of an update's logic: the stand-in links the checkout's dependencies
    // (install.test.ts runs the real npm ci of a release).
    LOCKERD_NPM: join(fake, 'npm'),
    FAKE_NODE_MODULES: join(REPO, 'node_modules'),
    LOCKERD_SYSTEMCTL: join(fake, 'systemctl'),
    FAKE_DIR: fake,
    FAKE_APP: at('opt/lockerd'),
    FAKE_LEDGER: at('var/lib/lockerd/lockerd.db'),
    FAKE_SOCKET: at('run/lockerd/lockerd.sock'),
    FAKE_FAILING: '9.9.9',
  });

  beforeAll(() => {
    root = stagingRoot();
    dirs.push(root);
    fake = tempDir('systemctl');
    dirs.push(fake);
    writeFileSync(join(fake, 'systemctl'), STAND_IN, { mode: 0o755 });
    writeFileSync(join(fake, 'npm'), '#!/bin/sh\n[ "$1" = ci ] && rm -rf node_modules && ln -s "$FAKE_NODE_MODULES" node_modules\n', { mode: 0o755 });
    writeFileSync(join(fake, 'state'), 'inactive\n');
    const installed = runScript(INSTALL, ['--root', root, '--from', tarball], env());
    if (installed.status !== 0) throw new Error(`install.sh failed: ${installed.stderr}`);
    writeFileSync(at('var/lib/lockerd/lockerd.db'), 'ledger at schema v7\n');
    // The daemon runs the installed release.
    spawnSync(join(fake, 'systemctl'), ['start', 'lockerd.service'], { env: { ...process.env, ...env() } });
  }, 120_000);

  afterAll(() => {
    spawnSync(join(fake, 'systemctl'), ['stop', 'lockerd.service'], { env: { ...process.env, ...env() } });
  });

  it('says there is nothing to do for the release already installed', () => {
    const r = runScript(UPDATE, ['--root', root, '--from', tarball], env());
    expect(r.stdout).toBe(`update.sh: nothing to change, ${at('opt/lockerd')} already holds ${release}\n`);
    expect(r.status).toBe(0);
  });

  it('--dry-run prints stop, backup, swap and start, and changes nothing', () => {
    const next = otherRelease('0.9.0-dry');
    const r = runScript(UPDATE, ['--dry-run', '--root', root, '--from', next.tarball], env());
    expect(r.status).toBe(0);
    const plan = steps(r.stdout);
    const order: (string | RegExp)[] = [
      `+ env -C ${at('opt/lockerd.next')} ${join(fake, 'npm')} ci --omit=dev --no-audit --no-fund`,
      `+ ${join(fake, 'systemctl')} stop lockerd.service`,
      new RegExp(`^\\+ cp -p ${at('var/lib/lockerd/lockerd.db')} ${at('var/lib/lockerd/backups')}/update-\\d{8}T\\d{6}Z/$`),
      `+ mv ${at('opt/lockerd')} ${at('opt/lockerd.previous')}`,
      `+ mv ${at('opt/lockerd.next')} ${at('opt/lockerd')}`,
      `+ ${join(fake, 'systemctl')} start lockerd.service`,
    ];
    // Each step, in this order.
    let i = -1;
    for (const step of order) {
      const j = plan.findIndex((l, k) => k > i && (typeof step === 'string' ? l === step : step.test(l)));
      expect(j, `${String(step)} after line ${i} of:\n${plan.join('\n')}`).toBeGreaterThan(i);
      i = j;
    }
    expect(readFileSync(at('opt/lockerd/RELEASE'), 'utf8').trim()).toBe(release);
    expect(existsSync(at('opt/lockerd.next'))).toBe(false);
    expect(readFileSync(join(fake, 'state'), 'utf8').trim()).toBe('active');
  });

  it('replaces a running release by one that answers, keeping the previous one and a ledger copy', () => {
    const next = otherRelease('0.2.0');
    const r = runScript(UPDATE, ['--root', root, '--from', next.tarball, '--timeout', '20'], env());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(at('opt/lockerd/RELEASE'), 'utf8').trim()).toBe(next.release);
    expect(readFileSync(at('opt/lockerd.previous/RELEASE'), 'utf8').trim()).toBe(release);
    const [backup] = readdirSync(at('var/lib/lockerd/backups'));
    expect(readFileSync(at(`var/lib/lockerd/backups/${backup}/lockerd.db`), 'utf8')).toBe('ledger at schema v7\n');
    expect(r.stdout).toContain(`update.sh: ${next.release} is running; the previous release stays in ${at('opt/lockerd.previous')}`);
    expect(readFileSync(join(fake, 'state'), 'utf8').trim()).toBe('active');
  }, 60_000);

  it('rolls back a release whose start fails: the previous app, and the ledger as it was', () => {
    const running = readFileSync(at('opt/lockerd/RELEASE'), 'utf8').trim();
    const ledger = readFileSync(at('var/lib/lockerd/lockerd.db'), 'utf8');
    const broken = otherRelease('9.9.9');
    const r = runScript(UPDATE, ['--root', root, '--from', broken.tarball, '--timeout', '20'], env());
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^update\.sh: lockerd is failed after its start\n/);
    expect(r.stderr).toMatch(new RegExp(`update\\.sh: update to lockerd-9\\.9\\.9 .+ failed and was rolled back to ${running.split(' ')[0]!.replace(/\./g, '\\.')} .+, ledger restored from .+; the failed release is in ${at('opt/lockerd.failed')}\\n$`));
    expect(readFileSync(at('opt/lockerd/RELEASE'), 'utf8').trim()).toBe(running);
    expect(readFileSync(at('opt/lockerd.failed/RELEASE'), 'utf8').trim()).toBe(broken.release);
    // The stand-in's "migration" is undone: the old release reads the ledger it left.
    expect(readFileSync(at('var/lib/lockerd/lockerd.db'), 'utf8')).toBe(ledger);
    // It was running before the update: it runs again.
    expect(readFileSync(join(fake, 'calls'), 'utf8').trim().split('\n').slice(-4)).toEqual(['start lockerd.service', 'is-active lockerd.service', 'stop lockerd.service', 'start lockerd.service']);
    expect(readFileSync(join(fake, 'state'), 'utf8').trim()).toBe('active');
  }, 60_000);
});
