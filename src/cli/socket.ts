/**
 * Which control socket lockerctl talks to, in this order: --socket PATH, $LOCKERD_SOCKET, the
 * control.socketPath of --config FILE (or $LOCKERD_CONFIG), then the installed service's
 * /run/lockerd/lockerd.sock when lockerd is installed (that socket exists, or lockerctl runs
 * from /opt/lockerd), else the built-in demo config's (config/default.json).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { INSTALLED_SOCKET_PATH, readSocketPath } from '../config/socket-path.js';
import type { Flags } from './command.js';
import { packageRoot } from '../config/paths.js';

export interface SocketLookup {
  env: NodeJS.ProcessEnv;
  /** The package's directory (where config/default.json is); asked only when needed. */
  root(): string;
  exists(path: string): boolean;
}

const defaults = (): SocketLookup => ({ env: process.env, root: packageRoot, exists: existsSync });

export async function socketPath(flags: Flags, lookup: SocketLookup = defaults()): Promise<string> {
  if (typeof flags['--socket'] === 'string') return resolve(flags['--socket']);
  if (lookup.env.LOCKERD_SOCKET) return resolve(lookup.env.LOCKERD_SOCKET);
  // An empty variable counts as unset, as the daemon reads it (src/config/paths.ts).
  const config = typeof flags['--config'] === 'string' ? flags['--config'] : lookup.env.LOCKERD_CONFIG || undefined;
  // A relative socketPath is the daemon's working directory's: the one lockerctl runs in, as today.
  if (config !== undefined) return resolve(await readSocketPath(config));
  const root = lookup.root();
  if (lookup.exists(INSTALLED_SOCKET_PATH) || root === '/opt/lockerd' || root.startsWith('/opt/lockerd/')) return INSTALLED_SOCKET_PATH;
  // `npm start` runs the demo daemon in the package's directory.
  return resolve(root, await readSocketPath(join(root, 'config', 'default.json')));
}
