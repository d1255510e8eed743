#!/usr/bin/env node
// Builds the release tarball dist/lockerd-<version>.tar.gz that scripts/install.sh --from installs
// with `npm ci --omit=dev` on the kiosk: compiled JavaScript, no TypeScript compiler needed there.
// Native addons (better-sqlite3, node-hid, peercred) are NOT shipped built: npm ci builds or
// downloads them on the kiosk for its own CPU and Node ABI (docs/install.md, "Native addons").
//
//   npm run package                       (builds, then runs this)
//   node scripts/package.mjs [--out DIR]  (packs the dist/ an earlier `npm run build` left)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let outDir = join(root, 'dist');
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out' && args[i + 1]) outDir = resolve(args[++i]);
  else {
    process.stderr.write(`package: unknown argument ${args[i]}; usage: node scripts/package.mjs [--out DIR]\n`);
    process.exit(64);
  }
}

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const name = `lockerd-${manifest.version}`;
if (!existsSync(join(root, 'dist', 'src', 'main.js'))) {
  process.stderr.write('package: dist/ is not built; run npm run package (it builds first) or npm run build\n');
  process.exit(69);
}

// What the kiosk needs at run time (and to build the addons), nothing else: no tests, no benches.
const SHIPPED = ['package.json', 'package-lock.json', 'README.md', 'binding.gyp', 'native', 'scripts', 'systemd', 'config', 'docs', 'src/screen/static'];

const work = mkdtempSync(join(tmpdir(), 'lockerd-package-'));
try {
  const stage = join(work, name);
  // Only the output of a source that still exists: dist/ keeps the .js of a deleted .ts.
  for (const dir of ['src', 'drivers']) {
    cpSync(join(root, 'dist', dir), join(stage, 'dist', dir), { recursive: true, filter: (from) => statSync(from).isDirectory() || existsSync(sourceOf(from)) });
  }
  for (const entry of SHIPPED) cpSync(join(root, entry), join(stage, entry), { recursive: true });

  // RELEASE names the version, the commit and a digest of every shipped file: install.sh and
  // update.sh compare it to tell "already installed" from "a different release".
  const files = listFiles(stage).sort();
  const digest = createHash('sha256');
  for (const f of files) digest.update(`${relative(stage, f)}\0`).update(readFileSync(f)).update('\0');
  const release = `${name} ${gitCommit()} sha256:${digest.digest('hex')}\n`;
  writeFileSync(join(stage, 'RELEASE'), release);

  mkdirSync(outDir, { recursive: true });
  const tarball = join(outDir, `${name}.tar.gz`);
  // Sorted, owned by root and dated by the commit: the same tree gives the same listing.
  const mtime = process.env.SOURCE_DATE_EPOCH ?? gitCommitTime() ?? String(Math.floor(Date.now() / 1000));
  execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', `--mtime=@${mtime}`, '-czf', tarball, '-C', work, name]);
  const sha = createHash('sha256').update(readFileSync(tarball)).digest('hex');
  process.stdout.write(`${tarball}\n${release}tarball sha256 ${sha}, ${(statSync(tarball).size / 1024).toFixed(0)} KiB, ${files.length + 1} files\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** dist/src/a/b.js (or .js.map) -> src/a/b.ts */
function sourceOf(built) {
  return join(root, relative(join(root, 'dist'), built).replace(/\.js(\.map)?$/, '.ts'));
}

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

function git(...gitArgs) {
  try {
    return execFileSync('git', ['-C', root, ...gitArgs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function gitCommit() {
  const commit = git('rev-parse', '--short=12', 'HEAD');
  if (!commit) return 'unknown-commit';
  // A tree with uncommitted changes is marked: its RELEASE must not pass for the commit's.
  return git('status', '--porcelain', '--untracked-files=no') ? `${commit}-dirty` : commit;
}

function gitCommitTime() {
  return git('log', '-1', '--format=%ct');
}
