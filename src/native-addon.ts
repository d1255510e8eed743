/**
 * The project's own N-API addons (binding.gyp: peercred, sdnotify), built into build/Release by
 * `npm ci` / `npm run build:native`. Each is optional: lockerd runs without one and says why
 * (the self-test, the log), so loading yields the function or the reason it is not there.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from './config/paths.js';

export type AddonFunction<F> = { fn: F } | { error: string };

/** `build/Release/<name>.node` of this package, relative to its root. */
export function addonFile(name: string): string {
  return join('build', 'Release', `${name}.node`);
}

/** Loads `<file>` (relative to the package root) and takes its exported function `fn`. */
export function loadAddonFunction<F>(file: string, fn: string): AddonFunction<F> {
  const path = join(packageRoot(), file);
  try {
    const addon = createRequire(import.meta.url)(path) as Record<string, unknown>;
    if (typeof addon[fn] !== 'function') throw new Error(`it exports no ${fn} function`);
    return { fn: addon[fn] as F };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { error: e.code === 'MODULE_NOT_FOUND' ? `${path} is missing` : `${path} does not load: ${e.message.split('\n')[0]}` };
  }
}
