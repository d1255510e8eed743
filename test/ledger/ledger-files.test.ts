/**
 * Who can read the ledger on disk, and what a refused ledger looks like afterwards: the main
 * file, its WAL and its -shm are 0600 whatever the umask (backups too), and a ledger lockerd
 * refuses is left byte for byte as it was, with no -wal or -shm created beside it.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LedgerOpenError, openDatabase } from '../../src/ledger/database.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from '../../src/ledger/migrations.js';
import { readWal } from '../../src/ledger/wal.js';
import { tempDir } from '../helpers/fixtures.js';

const mode = (p: string): number => statSync(p).mode & 0o777;
const files = (p: string): string[] => [p, `${p}-wal`, `${p}-shm`];

/** Each of the ledger's files: its SHA-256, or "absent". */
function snapshot(p: string): Record<string, string> {
  return Object.fromEntries(files(p).map((f) => [f.slice(p.length) || 'main', existsSync(f) ? createHash('sha256').update(readFileSync(f)).digest('hex') : 'absent']));
}

function withUmask<T>(umask: number, fn: () => T): T {
  const old = process.umask(umask);
  try {
    return fn();
  } finally {
    process.umask(old);
  }
}

/** Rows enough for a ledger of many pages. */
function fill(db: Database.Database, prefix: string, n: number): void {
  const insert = db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(`${prefix}${i}`, 'x'.repeat(100));
  })();
}

/**
 * The files a power cut leaves: a ledger with `walRows` rows committed to its WAL only (not yet
 * checkpointed), copied to `to` while the connection is still open.
 */
function crashed(from: string, to: string, setup: (db: Database.Database) => void, walRows: (db: Database.Database) => void): void {
  const db = openDatabase(from);
  setup(db);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('wal_autocheckpoint = 0');
  walRows(db);
  for (const [a, b] of files(from).map((f, i) => [f, files(to)[i]!] as const)) copyFileSync(a, b);
  db.close();
}

describe('ledger file modes', () => {
  let dir: string;
  let cleanup: () => void;
  let path: string;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    path = join(dir, 'ledger.db');
  });
  afterEach(() => cleanup());

  for (const umask of [0o022, 0o000]) {
    it(`creates the ledger, its WAL and its -shm mode 0600 under umask ${umask.toString(8).padStart(3, '0')}`, () => {
      const db = withUmask(umask, () => {
        const d = openDatabase(path);
        fill(d, 'k', 10);
        return d;
      });
      expect(files(path).map((f) => [f, mode(f)])).toEqual(files(path).map((f) => [f, 0o600]));
      db.close();
    });
  }

  it('narrows a ledger others can read (made under umask 022 by an older lockerd), WAL and -shm included, and says so', () => {
    const crashedPath = join(dir, 'old.db');
    withUmask(0o022, () => {
      const old = new Database(path);
      old.pragma('journal_mode = WAL');
      old.close();
      crashed(path, crashedPath, (db) => fill(db, 'a', 10), (db) => fill(db, 'b', 10));
      for (const f of files(crashedPath)) chmodSync(f, 0o644);
    });
    const notices: { message: string; detail: Record<string, unknown> }[] = [];
    const db = openDatabase(crashedPath, { onNotice: (message, detail) => notices.push({ message, detail }) });
    expect(files(crashedPath).map(mode)).toEqual([0o600, 0o600, 0o600]);
    expect(notices.filter((n) => /narrowed to mode 600/.test(n.message)).map((n) => n.detail)).toEqual(files(crashedPath).map((file) => ({ file, mode: '644' })));
    expect(db.prepare(`SELECT count(*) AS n FROM meta WHERE key LIKE 'b%'`).get()).toEqual({ n: 10 });
    db.close();
  });

  it('leaves a ledger the operator made 0640 for the service group as it is', () => {
    openDatabase(path).close();
    chmodSync(path, 0o640);
    const db = openDatabase(path);
    fill(db, 'k', 5);
    expect(files(path).map(mode)).toEqual([0o640, 0o640, 0o640]);
    db.close();
  });

  it('the backup before a migration is 0600 under umask 000', () => {
    openDatabase(path).close();
    const next: Migration = { version: SCHEMA_VERSION + 1, description: 'add a column', sql: `ALTER TABLE units ADD COLUMN floor INTEGER` };
    withUmask(0o000, () => openDatabase(path, { migrations: [...MIGRATIONS, next] }).close());
    const backups = readdirSync(dir).filter((f) => f.endsWith('.bak'));
    expect(backups).toHaveLength(1);
    expect(mode(join(dir, backups[0]!))).toBe(0o600);
  });

  it('lockerctl ledger backup writes a 0600 copy under umask 000', async () => {
    const ledger = Ledger.open({ path, keyFile: join(dir, 'key') });
    try {
      await withUmask(0o000, () => ledger.backupTo(join(dir, 'copy.db')));
      expect(mode(join(dir, 'copy.db'))).toBe(0o600);
    } finally {
      ledger.close();
    }
  });
});

describe('a refused ledger is left exactly as it was', () => {
  let dir: string;
  let cleanup: () => void;
  let path: string;
  let scratch: string;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    path = join(dir, 'ledger.db');
    scratch = join(dir, 'scratch.db');
  });
  afterEach(() => cleanup());

  /** Opens, expects the refusal, and checks that no file changed, appeared or went away. */
  function expectRefusedUntouched(pattern: RegExp): void {
    const before = snapshot(path);
    const listing = readdirSync(dir).sort();
    expect(() => openDatabase(path)).toThrow(LedgerOpenError);
    expect(() => openDatabase(path)).toThrow(pattern);
    expect(snapshot(path)).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(listing);
  }

  it('a truncated ledger with a WAL beside it: not checkpointed, the WAL not deleted (the audit finding)', () => {
    crashed(scratch, path, (db) => fill(db, 'a', 3000), (db) => fill(db, 'b', 20));
    expect(readWal(`${path}-wal`).committedFrames).toBeGreaterThan(0);
    truncateSync(path, Math.floor(statSync(path).size / 2));
    expectRefusedUntouched(/is truncated .*the others being in its WAL.*lockerd has not changed it/);
  });

  it('the same without its -shm: no -shm is left behind', () => {
    crashed(scratch, path, (db) => fill(db, 'a', 3000), (db) => fill(db, 'b', 20));
    unlinkSync(`${path}-shm`);
    truncateSync(path, Math.floor(statSync(path).size / 2));
    expectRefusedUntouched(/is truncated/);
  });

  it('a truncated ledger without a WAL: no empty -wal or -shm appears', () => {
    const db = openDatabase(path);
    fill(db, 'a', 3000);
    db.close();
    truncateSync(path, Math.floor(statSync(path).size / 2));
    expectRefusedUntouched(/is truncated/);
  });

  it('an empty file whose WAL holds commits (SQLite would delete that WAL)', () => {
    crashed(scratch, path, (db) => fill(db, 'a', 10), (db) => fill(db, 'b', 10));
    truncateSync(path, 0);
    expectRefusedUntouched(/is empty but its WAL .* holds \d+ committed pages/);
  });

  it('a WAL that cannot be read (a directory in its place): a clear refusal, nothing changed', () => {
    const db = openDatabase(path);
    fill(db, 'a', 10);
    db.close();
    mkdirSync(`${path}-wal`);
    expect(() => openDatabase(path)).toThrow(/cannot read the ledger file .* or its WAL \(EISDIR\)/);
  });

  it('a file that is not SQLite, with a -wal beside it', () => {
    writeFileSync(path, 'this is a shopping list, not a ledger\n'.repeat(10));
    writeFileSync(`${path}-wal`, 'and neither is this');
    expectRefusedUntouched(/is not a SQLite database/);
  });

  it('a SQLite database of something else, in rollback mode (switching it to WAL would rewrite its header)', () => {
    const other = new Database(path);
    other.exec('CREATE TABLE recipes (name TEXT)');
    other.close();
    expectRefusedUntouched(/not a lockerd ledger/);
  });

  it('a SQLite database of something else, in WAL mode with commits in its WAL', () => {
    const other = new Database(scratch);
    other.pragma('journal_mode = WAL');
    other.exec('CREATE TABLE recipes (name TEXT)');
    other.pragma('wal_checkpoint(TRUNCATE)');
    other.pragma('wal_autocheckpoint = 0');
    other.exec(`INSERT INTO recipes VALUES ('bread')`);
    for (const [a, b] of files(scratch).map((f, i) => [f, files(path)[i]!] as const)) copyFileSync(a, b);
    other.close();
    expectRefusedUntouched(/not a lockerd ledger/);
  });

  it('a ledger written by a newer release, with commits still in its WAL', () => {
    crashed(scratch, path, (db) => fill(db, 'a', 10), (db) => db.pragma(`user_version = ${SCHEMA_VERSION + 5}`));
    expectRefusedUntouched(new RegExp(`has schema version ${SCHEMA_VERSION + 5}, newer than this lockerd understands \\(${SCHEMA_VERSION}\\)`));
  });

  it('the same without its -shm (read through a -shm made for the check): no -shm is left behind', () => {
    crashed(scratch, path, (db) => fill(db, 'a', 10), (db) => db.pragma(`user_version = ${SCHEMA_VERSION + 5}`));
    unlinkSync(`${path}-shm`);
    expectRefusedUntouched(/newer than this lockerd understands/);
  });

  it('a ledger missing tables of its schema version', () => {
    crashed(scratch, path, (db) => fill(db, 'a', 10), (db) => db.exec('DROP TABLE expected_deliveries'));
    expectRefusedUntouched(/lacks its tables expected_deliveries: it is damaged or not a lockerd ledger/);
  });

  it('a damaged ledger (a page overwritten): quick_check at start, since it is small', () => {
    crashed(scratch, path, (db) => fill(db, 'a', 3000), (db) => fill(db, 'b', 5));
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16);
    // A leaf of the meta table's b-tree half way into the file (the WAL holds the last ones):
    // garbage where its cell pointers and cells were.
    // (page numbers are 1-based in the WAL; the first one below the middle that it does not hold).
    const inWal = readWal(`${path}-wal`).pages;
    let page = Math.floor(bytes.length / pageSize / 2);
    while (inWal.has(page + 1)) page--;
    expect(page).toBeGreaterThan(bytes.length / pageSize / 4);
    bytes.fill(0x5a, page * pageSize + 8, (page + 1) * pageSize);
    writeFileSync(path, bytes);
    expectRefusedUntouched(/is damaged/);
  });

  it('a migration that fails leaves the main file as it was and no -wal or -shm behind', () => {
    openDatabase(path).close();
    const broken: Migration = { version: SCHEMA_VERSION + 1, description: 'broken', sql: `CREATE TABLE x (a); INSERT INTO nope VALUES (1);` };
    const before = snapshot(path);
    expect(() => openDatabase(path, { migrations: [...MIGRATIONS, broken] })).toThrow(/nope/);
    expect(snapshot(path)).toEqual(before);
  });
});

describe('an open that fails after the check', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('a migration that fails on a ledger with commits in its WAL: closed without a checkpoint, main file and WAL as they were', () => {
    const path = join(dir, 'ledger.db');
    crashed(join(dir, 'scratch.db'), path, (db) => fill(db, 'a', 3000), (db) => fill(db, 'b', 20));
    const broken: Migration = { version: SCHEMA_VERSION + 1, description: 'broken', sql: `CREATE TABLE x (a); INSERT INTO nope VALUES (1);` };
    const before = snapshot(path);
    expect(() => openDatabase(path, { migrations: [...MIGRATIONS, broken] })).toThrow(/nope/);
    const after = snapshot(path);
    expect({ main: after.main, '-wal': after['-wal'] }).toEqual({ main: before.main, '-wal': before['-wal'] });
    const db = openDatabase(path);
    expect(db.prepare(`SELECT count(*) AS n FROM meta WHERE key LIKE 'b%'`).get()).toEqual({ n: 20 });
    db.close();
  });
});

describe('a ledger that is not refused', () => {
  let dir: string;
  let cleanup: () => void;
  let path: string;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    path = join(dir, 'ledger.db');
  });
  afterEach(() => cleanup());

  it('opens after a power cut when its newest pages are only in the WAL (the main file is shorter than the ledger), with or without -shm', () => {
    for (const withShm of [true, false]) {
      const p = join(dir, `grown-${withShm}.db`);
      crashed(join(dir, `src-${withShm}.db`), p, (db) => fill(db, 'a', 10), (db) => fill(db, 'b', 3000));
      if (!withShm) unlinkSync(`${p}-shm`);
      const wal = readWal(`${p}-wal`);
      expect(statSync(p).size).toBeLessThan(wal.dbPages! * wal.pageSize);
      const db = openDatabase(p);
      expect(db.prepare(`SELECT count(*) AS n FROM meta WHERE key LIKE 'b%'`).get()).toEqual({ n: 3000 });
      db.close();
    }
  });

  it('reads the WAL as SQLite does: committed frames, their pages and the size after the last commit', () => {
    const db = openDatabase(path);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('wal_autocheckpoint = 0');
    fill(db, 'a', 500);
    const wal = readWal(`${path}-wal`);
    expect(wal.dbPages).toBe(db.pragma('page_count', { simple: true }));
    expect(wal.pageSize).toBe(db.pragma('page_size', { simple: true }));
    expect(wal.committedFrames).toBe((db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log);
    // A torn last frame (power cut mid-write) is not a commit.
    const bytes = readFileSync(`${path}-wal`);
    db.close();
    const torn = join(dir, 'torn-wal');
    const frame = 24 + wal.pageSize;
    const last = bytes.subarray(0, 32 + wal.committedFrames * frame);
    last[last.length - 10] = last[last.length - 10]! ^ 0xff;
    writeFileSync(torn, last);
    expect(readWal(torn).committedFrames).toBeLessThan(wal.committedFrames);
  });
});
