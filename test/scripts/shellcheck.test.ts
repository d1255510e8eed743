import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './staging.js';

const hasShellcheck = spawnSync('shellcheck', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasShellcheck && process.env.CI) throw new Error('shellcheck is required under CI=true (.ci/run: apt-get install shellcheck)');

const scripts = ['scripts', 'scripts/lib'].flatMap((dir) =>
  readdirSync(join(REPO, dir)).filter((f) => f.endsWith('.sh')).map((f) => join(dir, f)),
);

describe.skipIf(!hasShellcheck)('shellcheck', () => {
  it('finds the scripts', () => {
    expect(scripts).toEqual(expect.arrayContaining(['scripts/install.sh', 'scripts/update.sh', 'scripts/lib/install-common.sh', 'scripts/kiosk-screen.sh']));
  });

  it.each(scripts)('%s is clean', (script) => {
    // -x follows the sourced lib (its source-path directive is relative to the script).
    const r = spawnSync('shellcheck', ['-x', script], { cwd: REPO, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
