import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

const KEY_BYTES = 32;

/** Thrown when the key file is unusable; the message says what to do and never contains key material. */
export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

/**
 * Keyed hashing of codes, PINs and tokens. Whoever copies the database without the key file
 * cannot test guesses offline; each kind of secret has its own domain so a PIN's hash can never
 * match a code's.
 */
export class SecretHasher {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new SecretKeyError(`the secret key must be ${KEY_BYTES} bytes`);
    this.#key = Buffer.from(key);
  }

  hash(domain: 'code' | 'pin' | 'token' | 'check', value: string): Buffer {
    return createHmac('sha256', this.#key).update(domain).update('\0').update(value, 'utf8').digest();
  }

  /** A value that identifies the key without revealing it, kept in the ledger to catch a swapped key file. */
  fingerprint(): string {
    return this.hash('check', 'lockerd key fingerprint').subarray(0, 8).toString('hex');
  }

  /** For JSON.stringify and util.inspect: never show the key. */
  toJSON(): string {
    return '[SecretHasher]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[SecretHasher]';
  }
}

export function equalHashes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Reads the per-install key, creating it (mode 0600, fsynced) when `create` is true and no file
 * exists. A key file readable by others is refused: it would let them forge codes.
 */
export function loadSecretKey(path: string, create: boolean): { hasher: SecretHasher; created: boolean } {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SecretKeyError(`cannot read the secret key file ${path}: ${(err as Error).message}`);
    }
    if (!create) {
      throw new SecretKeyError(
        `the secret key file ${path} is missing but the ledger already holds hashed codes and PINs; ` +
          'restore the key file from the backup of this locker (without it no stored code can be checked)',
      );
    }
    mkdirSync(dirname(path), { recursive: true });
    const key = randomBytes(KEY_BYTES);
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, key);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return { hasher: new SecretHasher(key), created: true };
  }
  if ((st.mode & 0o077) !== 0) {
    throw new SecretKeyError(
      `the secret key file ${path} is readable by group or others (mode ${(st.mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
    );
  }
  const key = readFileSync(path);
  if (key.length !== KEY_BYTES) {
    throw new SecretKeyError(`the secret key file ${path} is ${key.length} bytes, expected ${KEY_BYTES}; it is damaged: restore it from backup`);
  }
  return { hasher: new SecretHasher(key), created: false };
}
