/**
 * The check a ledger file passes before anything may write to it. A file lockerd refuses is left
 * exactly as it was, byte for byte, with no -wal or -shm created beside it: no read-write open,
 * so no checkpoint (which would copy a WAL into a truncated or damaged file and delete the WAL),
 * no WAL-mode switch, no recovery.
 *
 * Two stages. The file stage reads bytes only: the header, and the page count against the
 * file's size together with the pages the WAL's committed frames hold. The content stage opens
 * SQLite read-only without locks or a writable -shm (see `readOnlyUri`) and checks the schema
 * version, that it is a lockerd ledger with the tables its version has, and, when the ledger is
 * small enough for it to be cheap, `quick_check`.
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, fstatSync, openSync, readSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { createPrivateFile, ledgerFiles } from './ledger-files.js';
import type { Migration } from './migrations.js';
import { readWal } from './wal.js';

/** The ledger file cannot be used as it is. The message says what is wrong and what to do. */
export class LedgerOpenError extends Error {
  override name = 'LedgerOpenError';
}

/**
 * `quick_check` reads every page: a few milliseconds per MiB here, up to a second per 20 MiB on
 * an SD card. Below this size it runs on every start; above it, start-up stays fast and
 * `lockerctl selftest` runs it (in a worker) instead.
 */
export const START_QUICK_CHECK_MAX_BYTES = 8 * 1024 * 1024;

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const UNCHANGED = 'lockerd has not changed it';
const ADVICE = `${UNCHANGED}. Move it aside and restore the latest backup, or start with an empty ledger`;

export interface FileCheck {
  /** No file yet, or an empty one: a new ledger. */
  fresh: boolean;
  /** The WAL beside it holds committed frames (the ledger was not closed cleanly). */
  walCommitted: boolean;
}

/**
 * Byte-level check of the main file and its WAL; reads only. Throws LedgerOpenError for a file
 * that is not SQLite, or is shorter than the pages it needs that the WAL does not hold.
 */
export function checkLedgerFile(path: string): FileCheck {
  try {
    return checkFileBytes(path);
  } catch (err) {
    if (err instanceof LedgerOpenError) throw err;
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new LedgerOpenError(`cannot read the ledger file ${path} or its WAL (${why}); the lockerd user must be able to read and write both, and their directory`);
  }
}

function checkFileBytes(path: string): FileCheck {
  const [, walPath] = ledgerFiles(path);
  if (!existsSync(path)) return { fresh: true, walCommitted: false };
  const header = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  let size: number;
  let read: number;
  try {
    size = fstatSync(fd).size;
    read = readSync(fd, header, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  const wal = readWal(walPath);
  if (size === 0) {
    // SQLite deletes the WAL of an empty database file: with commits in it, that loses them.
    if (wal.committedFrames > 0) {
      throw new LedgerOpenError(
        `the ledger file ${path} is empty but its WAL ${walPath} holds ${wal.committedFrames} committed pages: the file was truncated; ${ADVICE}`,
      );
    }
    return { fresh: true, walCommitted: false };
  }
  if (read < 100 || !header.subarray(0, 16).equals(SQLITE_MAGIC)) {
    throw new LedgerOpenError(`the ledger file ${path} is not a SQLite database (damaged or overwritten); ${ADVICE}`);
  }
  let pageSize = header.readUInt16BE(16);
  if (pageSize === 1) pageSize = 65536;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) {
    throw new LedgerOpenError(`the ledger file ${path} has a damaged header (page size ${pageSize}); ${ADVICE}`);
  }
  if (wal.committedFrames > 0 && wal.pageSize !== pageSize) {
    throw new LedgerOpenError(`the WAL ${walPath} has pages of ${wal.pageSize} bytes, the ledger file ${path} of ${pageSize}: they do not belong together; ${ADVICE}`);
  }
  // The header's page count is valid when its "version-valid-for" matches the change counter.
  const headerPages = header.readUInt32BE(92) === header.readUInt32BE(24) ? header.readUInt32BE(28) : null;
  const pages = wal.dbPages ?? headerPages;
  if (pages !== null) {
    // The highest page the main file itself must hold: the WAL holds the newest copy of the others.
    let needed = 0;
    for (let p = pages; p >= 1; p--) {
      if (!wal.pages.has(p)) {
        needed = p;
        break;
      }
    }
    if (size < needed * pageSize) {
      const inWal = wal.committedFrames > 0 ? `, the others being in its WAL` : '';
      throw new LedgerOpenError(
        `the ledger file ${path} is truncated (${size} bytes, it needs ${needed * pageSize}${inWal}); ${ADVICE}`,
      );
    }
  }
  return { fresh: false, walCommitted: wal.committedFrames > 0 };
}

/** A `file:` URI for `path` (each segment percent-encoded) with the given query. */
export function fileUri(path: string, query: string): string {
  return `file:${resolve(path).split('/').map(encodeURIComponent).join('/')}?${query}`;
}

/**
 * How to read the ledger without changing a byte of it or creating a file beside it.
 * - No committed WAL frames: the main file is the whole ledger; `immutable=1` reads it with no
 *   locks, no WAL and no -shm at all.
 * - Committed WAL frames: `mode=ro&readonly_shm=1` reads them through the existing -shm without
 *   writing to it (SQLite builds a private index when the -shm is not usable). SQLite cannot
 *   open that way without a -shm, so a missing one is created empty (0600) and removed again if
 *   the ledger is refused; SQLite leaves it empty.
 */
function readOnlyUri(path: string, walCommitted: boolean): string {
  return walCommitted ? fileUri(path, 'mode=ro&readonly_shm=1') : fileUri(path, 'immutable=1');
}

/** The tables a ledger at schema `version` has: the migrations replayed on an empty database. */
function expectedTables(migrations: readonly Migration[], version: number): string[] {
  const db = new Database(':memory:');
  try {
    for (const m of migrations) if (m.version <= version) db.exec(m.sql);
    return tableNames(db);
  } finally {
    db.close();
  }
}

function tableNames(db: Database.Database): string[] {
  return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]).map((t) => t.name);
}

function isDamage(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_IOERR');
}

/**
 * Content check through a read-only connection that can neither write nor checkpoint. Throws
 * LedgerOpenError for a schema newer than `migrations`, a SQLite file that is not a lockerd
 * ledger, a ledger missing tables of its version, and a damaged one; returns its schema version.
 */
export function checkLedgerContent(path: string, file: FileCheck, migrations: readonly Migration[]): number {
  const [, , shmPath] = ledgerFiles(path);
  const createdShm = file.walCommitted && !existsSync(shmPath);
  if (createdShm) createPrivateFile(shmPath);
  let db: Database.Database | null = null;
  try {
    try {
      db = new Database(readOnlyUri(path, file.walCommitted), { readonly: true, fileMustExist: true });
    } catch (err) {
      // (Also what SQLite says when URI file names are off and it looks for a file named
      // "file:...": database.ts turns them on before better-sqlite3 loads.)
      if ((err as { code?: string }).code === 'SQLITE_CANTOPEN') {
        throw new LedgerOpenError(`cannot open the ledger ${path} read-only to check it (${(err as Error).message}); the lockerd user must be able to read it, its -wal and its -shm; ${UNCHANGED}`);
      }
      throw err;
    }
    const latest = migrations[migrations.length - 1]?.version ?? 0;
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > latest) {
      throw new LedgerOpenError(
        `the ledger ${path} has schema version ${version}, newer than this lockerd understands (${latest}); ` +
          `it was written by a newer release: install that release again (downgrading would lose data); ${UNCHANGED}`,
      );
    }
    const tables = tableNames(db);
    if (version === 0 && tables.length > 0) {
      throw new LedgerOpenError(`${path} is a SQLite database but not a lockerd ledger (it has tables but no lockerd schema version); ${UNCHANGED}: point ledger.path at another file`);
    }
    const missing = expectedTables(migrations, version).filter((t) => !tables.includes(t));
    if (missing.length > 0) {
      throw new LedgerOpenError(
        `the ledger ${path} has schema version ${version} but lacks its tables ${missing.join(', ')}: it is damaged or not a lockerd ledger; ${ADVICE}`,
      );
    }
    const bytes = (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
    if (bytes <= START_QUICK_CHECK_MAX_BYTES) {
      const result = String(db.pragma('quick_check', { simple: true }));
      if (result !== 'ok') {
        throw new LedgerOpenError(`the ledger file ${path} is damaged (quick_check: ${result.slice(0, 200)}); ${ADVICE}`);
      }
    }
    return version;
  } catch (err) {
    db?.close();
    db = null;
    if (createdShm) rmSync(shmPath, { force: true });
    if (isDamage(err)) {
      throw new LedgerOpenError(`the ledger file ${path} is damaged (${(err as Error).message}); ${ADVICE}`);
    }
    throw err;
  } finally {
    db?.close();
  }
}
