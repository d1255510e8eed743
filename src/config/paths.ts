/**
 * Where the configuration file is: `--config FILE` / `--config=FILE`, else $LOCKERD_CONFIG,
 * else the package's built-in simulated locker, config/default.json.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The error alone, not the loader: lockerctl finds the package through this module and must not load ajv.
import { ConfigError } from './config-error.js';

const PACKAGE_NAME = 'lockerd';

let root: string | undefined;

/**
 * The directory holding lockerd's package.json. Found by walking up from this module, because it
 * runs both as src/config/paths.ts (tests) and as dist/src/config/paths.js (built). The name is
 * checked so a nested package.json (e.g. a `{"type":"module"}` one in dist/) is not mistaken for it.
 */
export function packageRoot(): string {
  root ??= findPackageRoot(dirname(fileURLToPath(import.meta.url)));
  return root;
}

/** The nearest directory at or above `fromDir` whose package.json is lockerd's. */
export function findPackageRoot(fromDir: string): string {
  let dir = fromDir;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readPackageName(manifest) === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package.json at or above ${fromDir}`);
    dir = parent;
  }
}

function readPackageName(manifest: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
  } catch {
    return undefined;
  }
}

/** lockerd's version, from its package.json ('unknown' if that cannot be read). */
export function packageVersion(): string {
  try {
    const v = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The built-in simulated locker's configuration. */
export function defaultConfigPath(): string {
  return join(packageRoot(), 'config', 'default.json');
}

/**
 * `argv` is the argument list without node and the script (process.argv.slice(2)); extra
 * arguments are ignored, and scanning stops at `--`. The last --config wins, as in most tools.
 * Returned paths from argv and the environment are as given (relative ones resolve against the
 * working directory when read). Throws ConfigError when --config has no file name.
 */
export function resolveConfigPath(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  let fromArgv: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === '--config') {
      const next = argv[i + 1];
      if (next === undefined || next === '' || next.startsWith('--')) {
        throw new ConfigError('command line', ['--config needs a file name, e.g. --config /etc/lockerd/config.json']);
      }
      fromArgv = next;
      i++;
    } else if (arg.startsWith('--config=')) {
      const value = arg.slice('--config='.length);
      if (value === '') {
        throw new ConfigError('command line', ['--config= needs a file name, e.g. --config=/etc/lockerd/config.json']);
      }
      fromArgv = value;
    }
  }
  if (fromArgv !== undefined) return fromArgv;
  // An empty variable counts as unset, as systemd's `Environment=LOCKERD_CONFIG=` would leave it.
  const fromEnv = env.LOCKERD_CONFIG;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return defaultConfigPath();
}
