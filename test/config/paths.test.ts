import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { ConfigError } from '../../src/config/load.js';
import { findPackageRoot, packageRoot, resolveConfigPath } from '../../src/config/paths.js';

describe('resolveConfigPath', () => {
  const env = { LOCKERD_CONFIG: '/etc/lockerd/from-env.json' };

  it('prefers --config FILE over LOCKERD_CONFIG', () => {
    expect(resolveConfigPath(['--config', 'cli.json'], env)).toBe('cli.json');
  });

  it('accepts --config=FILE', () => {
    expect(resolveConfigPath(['--verbose', '--config=/x/cli.json'], env)).toBe('/x/cli.json');
  });

  it('takes the last --config when given twice', () => {
    expect(resolveConfigPath(['--config', 'a.json', '--config=b.json'], {})).toBe('b.json');
  });

  it('ignores arguments after --', () => {
    expect(resolveConfigPath(['--', '--config', 'a.json'], env)).toBe('/etc/lockerd/from-env.json');
  });

  it('falls back to LOCKERD_CONFIG', () => {
    expect(resolveConfigPath(['status'], env)).toBe('/etc/lockerd/from-env.json');
  });

  it('falls back to the package default.json when neither is set, or the variable is empty', () => {
    const builtIn = join(packageRoot(), 'config', 'default.json');
    expect(resolveConfigPath([], {})).toBe(builtIn);
    expect(resolveConfigPath([], { LOCKERD_CONFIG: '' })).toBe(builtIn);
    expect(existsSync(builtIn)).toBe(true);
  });

  it('refuses --config without a file name', () => {
    expect(() => resolveConfigPath(['--config'], env)).toThrow(ConfigError);
    expect(() => resolveConfigPath(['--config', '--verbose'], env)).toThrow(/--config needs a file name/);
    expect(() => resolveConfigPath(['--config='], env)).toThrow(/--config= needs a file name/);
  });
});

describe('packageRoot', () => {
  it("is the directory of lockerd's package.json", () => {
    const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { name: string };
    expect(manifest.name).toBe('lockerd');
  });

  it('walks up from the compiled location past a nested package.json that is not lockerd', () => {
    const root = mkdtempSync(join(tmpdir(), 'lockerd-root-'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'lockerd' }));
    mkdirSync(join(root, 'dist', 'src', 'config'), { recursive: true });
    writeFileSync(join(root, 'dist', 'package.json'), JSON.stringify({ type: 'module' }));
    expect(findPackageRoot(join(root, 'dist', 'src', 'config'))).toBe(root);
    expect(findPackageRoot(join(root, 'src', 'config'))).toBe(root);
  });

  it('fails clearly when there is no lockerd package above', () => {
    const lonely = mkdtempSync(join(tmpdir(), 'lockerd-none-'));
    expect(() => findPackageRoot(lonely)).toThrow(/cannot find the lockerd package.json/);
  });
});
