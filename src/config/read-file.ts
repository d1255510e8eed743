/** Reading the configuration file: bounded in size, UTF-8 only, and an OS error said in words. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ConfigError } from './config-error.js';

/** Config files are untrusted input: refuse absurd sizes before reading them. */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

export function readConfigText(path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new ConfigError(path, ['cannot read the configuration: it is a directory, not a file']);
    if (stat.size > MAX_CONFIG_BYTES) {
      throw new ConfigError(path, [
        `cannot read the configuration: the file has ${stat.size} bytes, more than the maximum ${MAX_CONFIG_BYTES}`,
      ]);
    }
    // Read up to the limit through the same descriptor: the size above may be 0 for a pipe, and a
    // file may grow meanwhile.
    const chunks: Buffer[] = [];
    const chunk = Buffer.alloc(64 * 1024);
    let total = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_CONFIG_BYTES) {
        throw new ConfigError(path, [`cannot read the configuration: the file is larger than ${MAX_CONFIG_BYTES} bytes`]);
      }
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    } catch {
      throw new ConfigError(path, ['cannot read the configuration: the file is not UTF-8 text']);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(path, [`cannot read the configuration: ${osReason(err)}`], (err as NodeJS.ErrnoException | undefined)?.code);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const OS_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the file name is too long',
  EIO: 'input/output error',
};

function osReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return `${OS_REASONS[code] ?? (err as Error).message} (${code})`;
  return err instanceof Error ? err.message : String(err);
}
