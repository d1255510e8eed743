/**
 * The control socket's path read from a lockerd config file without loading the configuration:
 * lockerctl needs only `control.socketPath`, and must not need the rest (the validator, or read
 * permission on files the full load touches). The daemon still validates the whole file itself.
 */
import { ConfigError } from './config-error.js';
import { readConfigText } from './read-file.js';

/** Where the packaged service's control socket is (RuntimeDirectory=lockerd in the unit). */
export const INSTALLED_SOCKET_PATH = '/run/lockerd/lockerd.sock';

/** A config file that does not give a socket path lockerctl could use; `permission` when the OS refused to read it. */
export class SocketPathError extends Error {
  override name = 'SocketPathError';
  constructor(
    message: string,
    readonly permission = false,
  ) {
    super(message);
  }
}

/**
 * `control.socketPath` of the config file at `file`, or the schema's default when the file does
 * not set it, as written (a relative path is the caller's to resolve). Throws SocketPathError.
 */
export async function readSocketPath(file: string): Promise<string> {
  let text: string;
  try {
    // Bounded like the daemon's own read: `--config /dev/zero` is refused, not read for ever.
    text = readConfigText(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const why = err.problems[0]!.replace(/^cannot read the configuration: /, '');
    throw new SocketPathError(`cannot read the control socket path from ${file}: ${why}; give the socket with --socket PATH instead`, err.errno === 'EACCES' || err.errno === 'EPERM');
  }
  let config: unknown;
  try {
    config = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    // JSON.parse's message may quote the file (a courier PIN): not repeated.
    throw new SocketPathError(`${file} is not valid JSON; check it with: lockerctl config check ${file}`);
  }
  const control = (config as { control?: unknown } | null)?.control;
  const path = typeof control === 'object' && control !== null ? (control as { socketPath?: unknown }).socketPath : undefined;
  if (path === undefined) {
    // Loaded only on this rare path: the schema is the one place the default is written.
    const { configSchema } = await import('./schema.js');
    return (configSchema as { properties: { control: { properties: { socketPath: { default: string } } } } }).properties.control.properties.socketPath.default;
  }
  if (typeof path !== 'string' || path === '' || path.includes('\0')) throw new SocketPathError(`${file}: control.socketPath is not a path; check it with: lockerctl config check ${file}`);
  return path;
}
