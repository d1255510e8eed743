/**
 * scripts/install.sh: its plan on this Debian 12 machine (--dry-run), its refusals, and a real
 * run into a staging root (--root DIR) checked file by file, twice, then verified by systemd.
 * Nothing here touches this machine's /etc, /opt or users.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL, isRoot, makeRelease, NPM_OFFLINE, REPO, runScript, stagingRoot, steps, tempDir, VERSION } from './staging.js';

const BOOKWORM = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n';
const UBUNTU = 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\n';
const BULLSEYE = 'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nVERSION_ID="11"\nVERSION_CODENAME=bullseye\nID=debian\n';

// The real run into a staging root chowns files to a user of its own: only root may.
if (process.env.CI && !isRoot) throw new Error('CI=true: the install tests must run as root (they change only a staging root)');

const dirs: string[] = [];
let work: string;
let tarball: string;
let release: string;

beforeAll(() => {
  work = tempDir('install');
  dirs.push(work);
  ({ tarball, release } = makeRelease(work));
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function file(path: string, content: string, mode = 0o644): string {
  writeFileSync(path, content, { mode });
  return path;
}

function modeOf(path: string): string {
  const s = statSync(path);
  return `${(s.mode & 0o7777).toString(8)} ${s.uid}:${s.gid}`;
}

function groupsOnThisMachine(): string[] {
  return ['dialout', 'plugdev', 'gpio'].filter((g) => spawnSync('getent', ['group', g], { stdio: 'ignore' }).status === 0);
}

describe('install.sh --dry-run on this machine', () => {
  it('prints the whole plan as commands and changes nothing', () => {
    const before = ['/etc/lockerd', '/opt/lockerd', '/etc/systemd/system/lockerd.service'].map(existsSync);
    // As nobody when the test runs as root: the plan needs no root.
    const r = runScript(INSTALL, ['--dry-run', '--from', tarball], {}, isRoot ? 'nobody' : undefined);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const plan = steps(r.stdout);
    const userExists = spawnSync('getent', ['passwd', 'lockerd'], { stdio: 'ignore' }).status === 0;
    if (!userExists) {
      expect(plan).toContain('+ groupadd --system lockerd');
      expect(plan).toContain("+ useradd --system --gid lockerd --home-dir /var/lib/lockerd --no-create-home --shell /usr/sbin/nologin --comment 'lockerd parcel locker' lockerd");
      expect(plan).toContain(`+ usermod --append --groups ${groupsOnThisMachine().join(',')} lockerd`);
    }
    if (!existsSync('/opt/lockerd')) {
      expect(plan).toEqual(expect.arrayContaining([
        `+ tar -xzf ${tarball} -C /opt/lockerd.new --strip-components=1 --no-same-owner`,
        '+ env -C /opt/lockerd.new npm ci --omit=dev --no-audit --no-fund',
        '+ mv /opt/lockerd.new /opt/lockerd',
      ]));
    }
    if (!existsSync('/etc/lockerd/config.json')) {
      expect(plan.some((l) => /^\+ install -m 0640 -o root -g lockerd \S+\/config\/examples\/systemd-paths\.json \/etc\/lockerd\/config\.json$/.test(l))).toBe(true);
    }
    expect(plan).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\+ install -D -m 644 -o root -g root \S+\/systemd\/lockerd\.service \/etc\/systemd\/system\/lockerd\.service$/),
      "+ install -D -m 644 -o root -g root /dev/stdin /etc/systemd/system/lockerd.service.d/groups.conf <<'EOF'",
      expect.stringMatching(/\/usr\/lib\/tmpfiles\.d\/lockerd\.conf$/),
      expect.stringMatching(/\/etc\/udev\/rules\.d\/70-lockerd-input\.rules$/),
      expect.stringMatching(/\/etc\/udev\/rules\.d\/70-lockerd-serial\.rules$/),
      '+ systemd-tmpfiles --create /usr/lib/tmpfiles.d/lockerd.conf',
      '+ systemctl enable lockerd.service',
    ]));
    // The drop-in names exactly the device groups this machine has.
    expect(r.stdout).toContain(`SupplementaryGroups=\nSupplementaryGroups=${groupsOnThisMachine().join(' ')}\n`);
    expect(plan.some((l) => l.includes('systemctl start'))).toBe(false);
    expect(r.stdout).toMatch(/--dry-run: \d+ changes to make; nothing was changed/);
    expect(['/etc/lockerd', '/opt/lockerd', '/etc/systemd/system/lockerd.service'].map(existsSync)).toEqual(before);
  });

  it('from a checkout, packages it first and installs that', () => {
    const r = runScript(INSTALL, ['--dry-run'], {}, isRoot ? 'nobody' : undefined);
    expect(r.status).toBe(0);
    expect(steps(r.stdout)[0]).toBe(`+ (cd ${REPO} && npm run package)`);
    if (!existsSync('/opt/lockerd')) {
      expect(steps(r.stdout)).toContain(`+ tar -xzf ${REPO}/dist/lockerd-${VERSION}.tar.gz -C /opt/lockerd.new --strip-components=1 --no-same-owner`);
    }
  });

  it('offers NodeSource on Debian 12 when /usr/bin/node is too old, with --install-node', () => {
    const oldNode = file(join(work, 'node18'), '#!/bin/sh\necho 18.19.0\n', 0o755);
    const osRelease = file(join(work, 'bookworm'), BOOKWORM);
    const refused = runScript(INSTALL, ['--dry-run', '--from', tarball], { LOCKERD_NODE: oldNode, LOCKERD_OS_RELEASE: osRelease });
    expect(refused.status).toBe(69);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(`install.sh: Node.js >= 20.19 is needed at ${oldNode}, found v18.19.0; rerun with --install-node (adds NodeSource's Node 22 apt repository) or see docs/install.md, "Node.js"\n`);

    const r = runScript(INSTALL, ['--dry-run', '--install-node', '--from', tarball], { LOCKERD_NODE: oldNode, LOCKERD_OS_RELEASE: osRelease });
    expect(r.status).toBe(0);
    expect(steps(r.stdout)).toEqual(expect.arrayContaining([
      '+ curl -fsSL -o /etc/apt/keyrings/nodesource.asc https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key',
      '+ apt-get install -y nodejs',
    ]));
    expect(r.stdout).toContain('URIs: https://deb.nodesource.com/node_22.x\nSuites: nodistro\n');
  });
});

describe('install.sh refuses, with one line, changing nothing', () => {
  const refusals: [string, string[], Record<string, string>, number, RegExp][] = [
    ['on Ubuntu', [], { os: UBUNTU }, 69, /^install\.sh: unsupported system "Ubuntu 24\.04\.1 LTS" \(.+\): lockerd installs on Debian 12 \(bookworm\), Debian 13 \(trixie\) and Raspberry Pi OS based on them\n$/],
    ['on Debian 11', [], { os: BULLSEYE }, 69, /^install\.sh: unsupported system "Debian GNU\/Linux 11 \(bullseye\)"/],
    ['without an os-release', [], { os: '' }, 69, /^install\.sh: cannot read .+: lockerd installs on Debian 12 or 13 and Raspberry Pi OS only\n$/],
    ['an unknown option', ['--frm', 'x'], {}, 64, /^install\.sh: unknown argument "--frm" \(install\.sh --help lists the options\)\n$/],
    ['a --from that is not a release', ['--from', '/etc/hostname'], {}, 64, /^install\.sh: --from \/etc\/hostname: not a lockerd release tarball/],
    ['a bad --serial-console', ['--serial-console', 'off'], {}, 64, /^install\.sh: --serial-console off: give auto, disable or keep\n$/],
  ];
  it.each(refusals)('%s', (_name, args, env, status, message) => {
    const root = stagingRoot();
    dirs.push(root, `${root}.os-release`);
    const before = readdirSync(root, { recursive: true }).sort();
    // The os-release beside the staging root, not in it: the root must stay as it was.
    const osRelease: Record<string, string> = env.os === undefined ? {} : { LOCKERD_OS_RELEASE: env.os ? file(`${root}.os-release`, env.os) : join(root, 'missing') };
    const r = runScript(INSTALL, ['--root', root, ...(args.length ? args : ['--from', tarball])], osRelease);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(status);
    expect(readdirSync(root, { recursive: true }).sort()).toEqual(before);
  });

  it('without root (unless --dry-run)', () => {
    const root = stagingRoot();
    dirs.push(root);
    const r = runScript(INSTALL, ['--root', root, '--from', tarball], {}, isRoot ? 'nobody' : undefined);
    expect(r.stderr).toBe('install.sh: must run as root (sudo install.sh ...); --dry-run shows the plan without root\n');
    expect(r.status).toBe(77);
    expect(readFileSync(join(root, 'etc', 'passwd'), 'utf8')).not.toContain('lockerd');
  });
});

describe.skipIf(!isRoot)('install.sh into a staging root', () => {
  let root: string;
  let first: ReturnType<typeof runScript>;
  const at = (p: string) => join(root, p);
  const lockerdIds = () => {
    const line = readFileSync(at('etc/passwd'), 'utf8').split('\n').find((l) => l.startsWith('lockerd:'))!;
    return `${line.split(':')[2]}:${line.split(':')[3]}`;
  };

  beforeAll(() => {
    root = stagingRoot({ gpio: true, raspberryPi: true });
    dirs.push(root);
    first = runScript(INSTALL, ['--root', root, '--from', tarball], NPM_OFFLINE);
  }, 120_000);

  it('installs the user, the app, the config, the units and the rules', () => {
    expect(first.stderr.split('\n').filter((l) => /error|install\.sh:/i.test(l))).toEqual([]);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/install\.sh: done, \d+ changes/);

    // A system user without a login, in the device groups this "system" has.
    const passwd = readFileSync(at('etc/passwd'), 'utf8');
    expect(passwd).toMatch(/^lockerd:x:\d{3}:\d{3}:lockerd parcel locker:\/var\/lib\/lockerd:\/usr\/sbin\/nologin$/m);
    const group = readFileSync(at('etc/group'), 'utf8');
    for (const g of ['dialout', 'plugdev', 'gpio']) expect(group).toMatch(new RegExp(`^${g}:x:\\d+:lockerd$`, 'm'));
    const [uid, gid] = lockerdIds().split(':');
    expect(Number(uid)).toBeLessThan(1000);

    // The release, its production dependencies only, root's and nobody else's to write.
    expect(readFileSync(at('opt/lockerd/RELEASE'), 'utf8').trim()).toBe(release);
    expect(existsSync(at('opt/lockerd/dist/src/main.js'))).toBe(true);
    expect(existsSync(at('opt/lockerd/node_modules/better-sqlite3/package.json'))).toBe(true);
    for (const dev of ['typescript', 'vitest', 'playwright-core']) expect(existsSync(at(`opt/lockerd/node_modules/${dev}`))).toBe(false);
    expect(modeOf(at('opt/lockerd'))).toBe('755 0:0');
    expect(existsSync(at('opt/lockerd.new'))).toBe(false);

    // The config: the example, readable by lockerd only (courier PINs).
    expect(modeOf(at('etc/lockerd'))).toBe(`750 0:${gid}`);
    expect(modeOf(at('etc/lockerd/config.json'))).toBe(`640 0:${gid}`);
    expect(readFileSync(at('etc/lockerd/config.json'), 'utf8')).toBe(readFileSync(join(REPO, 'config/examples/systemd-paths.json'), 'utf8'));

    // Units, drop-in, tmpfiles, udev rules: the release's files, byte for byte.
    for (const [installed, shipped] of [
      ['etc/systemd/system/lockerd.service', 'systemd/lockerd.service'],
      ['etc/systemd/system/lockerd-screen.service', 'systemd/lockerd-screen.service'],
      ['usr/lib/tmpfiles.d/lockerd.conf', 'systemd/lockerd.tmpfiles.conf'],
      ['etc/udev/rules.d/70-lockerd-input.rules', 'systemd/70-lockerd-input.rules'],
      ['etc/udev/rules.d/70-lockerd-serial.rules', 'systemd/70-lockerd-serial.rules'],
    ]) {
      expect(readFileSync(at(installed!), 'utf8'), installed).toBe(readFileSync(join(REPO, shipped!), 'utf8'));
      expect(modeOf(at(installed!))).toBe('644 0:0');
    }
    expect(readFileSync(at('etc/systemd/system/lockerd.service.d/groups.conf'), 'utf8')).toMatch(/\[Service\]\nSupplementaryGroups=\nSupplementaryGroups=dialout plugdev gpio\n$/);
    expect(readlinkSync(at('etc/systemd/system/multi-user.target.wants/lockerd.service'))).toBe('/etc/systemd/system/lockerd.service');
    expect(modeOf(at('usr/local/bin/lockerctl'))).toBe('755 0:0');

    // systemd-tmpfiles made the state directories for the lockerd user.
    expect(modeOf(at('var/lib/lockerd'))).toBe(`750 ${uid}:${gid}`);
    expect(modeOf(at('var/lib/lockerd/backups'))).toBe(`700 ${uid}:${gid}`);
    expect(modeOf(at('run/lockerd'))).toBe(`750 ${uid}:${gid}`);

    // The example config drives simulated boards: the Pi's serial console is left alone.
    expect(readFileSync(at('boot/firmware/cmdline.txt'), 'utf8')).toContain('console=serial0,115200');
  });

  it('the installed lockerctl runs without any dev tool', () => {
    const r = spawnSync(process.execPath, [at('opt/lockerd/scripts/lockerctl.mjs'), '--help'], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/^lockerctl \d+\.\d+\.\d+: /);
    // Its bash completion, sourced by bash-completion, asks that lockerctl for the script.
    expect(readFileSync(at('usr/share/bash-completion/completions/lockerctl'), 'utf8')).toContain('source <(/usr/local/bin/lockerctl completion bash)');
    const completion = spawnSync(process.execPath, [at('opt/lockerd/scripts/lockerctl.mjs'), 'completion', 'bash'], { encoding: 'utf8' });
    expect(completion.status).toBe(0);
    expect(completion.stdout).toContain('complete -F');
    expect(r.status).toBe(0);
  });

  it('the installed unit and its drop-in verify with systemd-analyze', () => {
    // The staging root's units first, then the machine's own (for multi-user.target and the like).
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', 'lockerd.service'], {
      encoding: 'utf8',
      env: { ...process.env, SYSTEMD_UNIT_PATH: `${at('etc/systemd/system')}:` },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('a second run keeps the edited config, disables the serial console it now needs, then a third changes nothing', () => {
    const config = at('etc/lockerd/config.json');
    const edited = readFileSync(config, 'utf8').replace('"type": "sim"', '"type": "kerong-cu16", "path": "/dev/serial0"');
    writeFileSync(config, edited);

    const second = runScript(INSTALL, ['--root', root, '--from', tarball], NPM_OFFLINE);
    expect(second.status).toBe(0);
    expect(readFileSync(config, 'utf8')).toBe(edited);
    expect(second.stdout).toContain(`ok    ${config} exists: left as it is`);
    expect(steps(second.stdout)).toEqual([
      `+ cp -p ${at('boot/firmware/cmdline.txt')} ${at('boot/firmware/cmdline.txt.before-lockerd')}`,
      expect.stringMatching(/^\+ sed -i -E .+ \S+\/boot\/firmware\/cmdline\.txt$/),
      `+ sed -i -e '$a enable_uart=1' ${at('boot/firmware/config.txt')}`,
    ]);
    expect(readFileSync(at('boot/firmware/cmdline.txt'), 'utf8')).toBe('console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 fsck.repair=yes rootwait\n');
    expect(readFileSync(at('boot/firmware/config.txt'), 'utf8')).toBe('[all]\ndtparam=audio=on\nenable_uart=1\n');

    const snapshot = () => readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((p) => !p.startsWith('opt/lockerd/node_modules')).sort().map((p) => {
      const s = lstatSync(at(p));
      return `${p} ${s.mode} ${s.uid}:${s.gid} ${s.isFile() ? s.size : ''} ${s.mtimeMs}`;
    });
    const before = snapshot();
    const third = runScript(INSTALL, ['--root', root, '--from', tarball], NPM_OFFLINE);
    expect(third.status).toBe(0);
    expect(steps(third.stdout)).toEqual([]);
    expect(third.stdout).toMatch(/install\.sh: nothing to change, lockerd is installed as asked\n$/);
    expect(snapshot()).toEqual(before);
  }, 60_000);
});
