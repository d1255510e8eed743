import Database from 'better-sqlite3';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkLedgerContent, checkLedgerFile, fileUri, LedgerOpenError } from './ledger-check.js';
import { createPrivateFile, ledgerFiles, tightenLedgerFiles } from './ledger-files.js';
import { MIGRATIONS, type Migration } from './migrations.js';

// The read-only check opens the ledger by URI (immutable / readonly_shm); better-sqlite3 reads
// this when it loads its native module, at the first `new Database` of the process.
process.env.SQLITE_USE_URI = '1';

export type Db = Database.Database;

export { LedgerOpenError };

export interface OpenOptions {
  /** Called with a one-line description of each step worth a log line (migration, backup). */
  onNotice?: (message: string, detail: Record<string, unknown>) => void;
  /** Clock for backup file names. */
  now?: () => Date;
  /** The schema history; tests pass a longer one to exercise upgrades. */
  migrations?: readonly Migration[];
}

/** SQLite's default; lockerd turns automatic checkpoints off while it migrates. */
const WAL_AUTOCHECKPOINT_PAGES = 1000;

function backupPath(path: string, fromVersion: number, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return `${path}.v${fromVersion}.${stamp}.bak`;
}

/**
 * Opens (creating if needed) the ledger with the durability settings lockerd relies on, and brings
 * its schema up to date. Refuses a schema newer than this code, a file that is not a lockerd
 * ledger, and a damaged or truncated file; a refused file is left byte for byte as it was (see
 * ledger-check.ts). A new ledger is created 0600, and so are its WAL and -shm (SQLite gives them
 * the main file's mode); existing files others can read are narrowed to 0600.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  const notice = options.onNotice ?? (() => {});
  const now = options.now ?? (() => new Date());
  const migrations = options.migrations ?? MIGRATIONS;
  const memory = path === ':memory:';
  let existedBefore = new Set<string>();
  if (!memory) {
    mkdirSync(dirname(path), { recursive: true });
    const file = checkLedgerFile(path);
    if (!file.fresh) checkLedgerContent(path, file, migrations);
    // Created before SQLite sees it, with the mode SQLite then copies to the -wal and -shm.
    if (!existsSync(path)) createPrivateFile(path);
    const { tightened, failed } = tightenLedgerFiles(path);
    for (const t of tightened) notice('ledger file was readable by others: narrowed to mode 600', { file: t.path, mode: t.from.toString(8) });
    for (const f of failed) notice(`ledger file is readable by others and cannot be narrowed (${f.error}): run chmod 600 ${f.path}`, { file: f.path, mode: f.mode.toString(8) });
    existedBefore = new Set(ledgerFiles(path).filter((f) => existsSync(f)));
  }
  let db: Db;
  try {
    db = new Database(path);
  } catch (err) {
    throw new LedgerOpenError(`cannot open the ledger file ${path}: ${(err as Error).message}`);
  }
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (!memory && mode !== 'wal') {
      throw new LedgerOpenError(`the ledger ${path} could not be switched to WAL mode (got ${String(mode)}); is the filesystem read-only?`);
    }
    // FULL: a commit is on the card before the door moves (DESIGN principle 1).
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Erased codes (json_remove once acknowledged) and deleted rows are zeroed on disk, not left
    // in free space for whoever images the SD card.
    db.pragma('secure_delete = ON');
    db.pragma('busy_timeout = 5000');
    // Until the schema is up to date nothing reaches the main file: a failed open can still be undone.
    db.pragma('wal_autocheckpoint = 0');
    migrate(db, path, migrations, notice, now);
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    return db;
  } catch (err) {
    if (memory) db.close();
    else abandon(db, path, existedBefore);
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

/**
 * Closes a ledger whose open failed without letting SQLite checkpoint it: while another
 * connection holds a read lock, closing does not checkpoint or delete the WAL, and a read-only
 * connection never checkpoints when it closes last. The -wal and -shm this open created are
 * removed: the main file was complete without them, so the ledger is back as it was.
 */
function abandon(db: Db, path: string, existedBefore: ReadonlySet<string>): void {
  let guard: Db | null = null;
  try {
    guard = new Database(fileUri(path, 'mode=ro'), { readonly: true, fileMustExist: true });
    guard.pragma('user_version');
  } catch {
    // Without the guard SQLite may checkpoint: still close, the error that got us here matters more.
  }
  db.close();
  guard?.close();
  for (const f of ledgerFiles(path).slice(1)) {
    if (!existedBefore.has(f)) rmSync(f, { force: true });
  }
}

function migrate(db: Db, path: string, migrations: readonly Migration[], notice: NonNullable<OpenOptions['onNotice']>, now: () => Date): void {
  const SCHEMA_VERSION = migrations[migrations.length - 1]?.version ?? 0;
  const version = db.pragma('user_version', { simple: true }) as number;
  // checkLedgerContent refused newer and foreign files before this connection could write.
  if (version > SCHEMA_VERSION) throw new Error(`schema version ${version} passed the ledger check`);
  if (version === SCHEMA_VERSION) return;
  if (version > 0 && path !== ':memory:') {
    const copy = backupPath(path, version, now());
    // VACUUM INTO fills an existing empty file: created first, 0600, so the copy of the codes is private.
    createPrivateFile(copy);
    try {
      db.prepare('VACUUM INTO ?').run(copy);
    } catch (err) {
      rmSync(copy, { force: true });
      throw err;
    }
    notice('ledger backed up before migration', { backup: copy, fromVersion: version });
  }
  for (const m of migrations) {
    if (m.version <= version) continue;
    // PRAGMA foreign_keys is a no-op inside a transaction: switched around it.
    if (m.rebuildsTables) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(m.sql);
        if (m.rebuildsTables) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new LedgerOpenError(`migration ${m.version} would leave ${broken.length} broken references in the ledger ${path}; it was not applied. Keep this release off this ledger and report it`);
        }
        db.pragma(`user_version = ${m.version}`);
      })();
    } finally {
      if (m.rebuildsTables) db.pragma('foreign_keys = ON');
    }
    notice('ledger migrated', { version: m.version, description: m.description });
  }
}
