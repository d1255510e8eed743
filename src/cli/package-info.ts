/**
 * Where lockerctl is installed and its version, found without src/config/paths.ts: that module
 * imports the config loader (ajv, the schema), which would triple lockerctl's start-up time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let found: { root: string; version: string } | undefined;

/** The nearest package.json named lockerd above this module (src/cli/ or dist/src/cli/). */
function lockerdPackage(): { root: string; version: string } {
  if (found) return found;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === 'lockerd') return (found = { root: dir, version: typeof pkg.version === 'string' ? pkg.version : 'unknown' });
      } catch {
        // Not ours (or unreadable): keep climbing.
      }
    }
    if (dirname(dir) === dir) throw new Error('cannot find the lockerd package.json above lockerctl');
  }
}

export const packageRoot = (): string => lockerdPackage().root;
export const packageVersion = (): string => lockerdPackage().version;
