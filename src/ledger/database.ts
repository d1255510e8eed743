import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

/** The ledger file cannot be used as it is. The message says what is wrong and what to do. */
export class LedgerOpenError extends Error {
  override name = 'LedgerOpenError';
}

export interface OpenOptions {
  /** Called with a one-line description of each step worth a log line (migration, backup). */
  onNotice?: (message: string, detail: Record<string, unknown>) => void;
  /** Clock for backup file names. */
  now?: () => Date;
  /** The schema history; tests pass a longer one to exercise upgrades. */
  migrations?: readonly Migration[];
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Cheap structural checks before SQLite touches the file, so a damaged SD card gives a clear
 * message instead of "file is not a database" half way through start-up. The file is never
 * modified here.
 */
function checkFileLooksSound(path: string): void {
  if (!existsSync(path)) return;
  const size = statSync(path).size;
  if (size === 0) return; // An empty file is a database SQLite has not written yet.
  const header = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, header, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  const advice = 'lockerd has not changed it. Move it aside and restore the latest backup, or start with an empty ledger';
  if (read < 100 || !header.subarray(0, 16).equals(SQLITE_MAGIC)) {
    throw new LedgerOpenError(`the ledger file ${path} is not a SQLite database (damaged or overwritten); ${advice}`);
  }
  let pageSize = header.readUInt16BE(16);
  if (pageSize === 1) pageSize = 65536;
  const pages = header.readUInt32BE(28);
  const walPath = `${path}-wal`;
  const walHasFrames = existsSync(walPath) && statSync(walPath).size > 32;
  // With committed frames still in the WAL the main file may legitimately be shorter.
  if (!walHasFrames && pages > 0 && size < pages * pageSize) {
    throw new LedgerOpenError(
      `the ledger file ${path} is truncated (${size} bytes, its header says ${pages * pageSize}); ${advice}`,
    );
  }
}

function backupPath(path: string, fromVersion: number, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return `${path}.v${fromVersion}.${stamp}.bak`;
}

/**
 * Opens (creating if needed) the ledger with the durability settings lockerd relies on, and brings
 * its schema up to date. Refuses a schema newer than this code, a file that is not a lockerd
 * ledger, and a damaged file.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  const notice = options.onNotice ?? (() => {});
  const now = options.now ?? (() => new Date());
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true });
    checkFileLooksSound(path);
  }
  let db: Db;
  try {
    db = new Database(path);
  } catch (err) {
    throw new LedgerOpenError(`cannot open the ledger file ${path}: ${(err as Error).message}`);
  }
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (path !== ':memory:' && mode !== 'wal') {
      throw new LedgerOpenError(`the ledger ${path} could not be switched to WAL mode (got ${String(mode)}); is the filesystem read-only?`);
    }
    // FULL: a commit is on the card before the door moves (DESIGN principle 1).
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Erased codes (json_remove once acknowledged) and deleted rows are zeroed on disk, not left
    // in free space for whoever images the SD card.
    db.pragma('secure_delete = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, path, options.migrations ?? MIGRATIONS, notice, now);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof LedgerOpenError) throw err;
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
      throw new LedgerOpenError(
        `the ledger file ${path} is damaged (${(err as Error).message}); lockerd has not changed it. Move it aside and restore the latest backup`,
      );
    }
    throw err;
  }
}

function migrate(db: Db, path: string, migrations: readonly Migration[], notice: NonNullable<OpenOptions['onNotice']>, now: () => Date): void {
  const SCHEMA_VERSION = migrations[migrations.length - 1]?.version ?? 0;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new LedgerOpenError(
      `the ledger ${path} has schema version ${version}, newer than this lockerd understands (${SCHEMA_VERSION}); ` +
        'it was written by a newer release: install that release again (downgrading would lose data)',
    );
  }
  if (version === SCHEMA_VERSION) return;
  if (version === 0) {
    const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'`).get() as { n: number };
    if (tables.n > 0) {
      throw new LedgerOpenError(`${path} is a SQLite database but not a lockerd ledger (it has tables but no lockerd schema version); point ledger.path at another file`);
    }
  } else if (path !== ':memory:') {
    const copy = backupPath(path, version, now());
    db.prepare('VACUUM INTO ?').run(copy);
    notice('ledger backed up before migration', { backup: copy, fromVersion: version });
  }
  for (const m of migrations) {
    if (m.version <= version) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
    notice('ledger migrated', { version: m.version, description: m.description });
  }
}
