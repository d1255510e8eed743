import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LedgerOpenError, openDatabase } from '../../src/ledger/database.js';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from '../../src/ledger/migrations.js';
import { tempDir } from '../helpers/fixtures.js';

describe('opening the ledger', () => {
  let dir: string;
  let cleanup: () => void;
  let path: string;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    path = join(dir, 'ledger.db');
  });
  afterEach(() => cleanup());

  it('creates a fresh ledger at the current schema with WAL, synchronous=FULL and foreign keys', () => {
    const db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['audit', 'compartments', 'couriers', 'door_operations', 'meta', 'outbox', 'parcels', 'retrieval_codes', 'units']));
    db.close();
  });

  it('reopens an up-to-date ledger without migrating or backing up', () => {
    openDatabase(path).close();
    const notices: string[] = [];
    openDatabase(path, { onNotice: (m) => notices.push(m) }).close();
    expect(notices).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.bak'))).toEqual([]);
  });

  it('upgrades an older ledger in a transaction per migration, after a VACUUM INTO backup, keeping the data', () => {
    const db = openDatabase(path);
    db.prepare(`INSERT INTO meta (key, value) VALUES ('probe', 'kept')`).run();
    db.close();
    const v2: Migration = { version: SCHEMA_VERSION + 1, description: 'add a column', sql: `ALTER TABLE units ADD COLUMN floor INTEGER` };
    const notices: string[] = [];
    const upgraded = openDatabase(path, { migrations: [...MIGRATIONS, v2], onNotice: (m) => notices.push(m), now: () => new Date('2026-11-25T10:00:00Z') });
    expect(upgraded.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    expect(upgraded.prepare(`SELECT value FROM meta WHERE key = 'probe'`).get()).toEqual({ value: 'kept' });
    expect(notices).toEqual(['ledger backed up before migration', 'ledger migrated']);
    upgraded.close();
    const backups = readdirSync(dir).filter((f) => f.endsWith('.bak'));
    expect(backups).toEqual([`ledger.db.v${SCHEMA_VERSION}.2026-11-25T10-00-00-000Z.bak`]);
    const backup = new Database(join(dir, backups[0]!), { readonly: true });
    expect(backup.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(backup.prepare(`SELECT value FROM meta WHERE key = 'probe'`).get()).toEqual({ value: 'kept' });
    backup.close();
  });

  it('upgrades a version 1 ledger: what was sent stays sent, nothing is lost', () => {
    const v1 = openDatabase(path, { migrations: MIGRATIONS.slice(0, 1) });
    const insert = v1.prepare(`INSERT INTO outbox (id, type, at, payload, sent_at) VALUES (?, 't', 1, '{}', ?)`);
    insert.run('a', 5);
    insert.run('b', 6);
    insert.run('c', null);
    v1.prepare(`INSERT INTO units (id) VALUES ('101')`).run();
    v1.close();
    const db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare(`SELECT value FROM meta WHERE key = 'outbox_acked_seq'`).get()).toEqual({ value: '2' });
    expect(db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 3 });
    expect(db.prepare(`SELECT id, source FROM units`).all()).toEqual([{ id: '101', source: 'config' }]);
    db.close();
    expect(readdirSync(dir).filter((f) => f.endsWith('.bak'))).toHaveLength(1);
  });

  it('upgrades a version 3 ledger to shared compartments and the new door purposes, keeping every parcel, operation and reference', () => {
    const v3 = openDatabase(path, { migrations: MIGRATIONS.slice(0, 3) });
    v3.exec(`
      INSERT INTO compartments (id, size, board, lock) VALUES ('A01', 'S', 'B1', 1), ('A02', 'M', 'B1', 2);
      INSERT INTO retrieval_codes (id, unit, code_hash, state, created_at) VALUES (1, '101', x'01', 'live', 1);
      INSERT INTO parcels (id, unit, size, compartment_id, state, code_id, reserved_at, deposited_at, expires_at, expiry_reported_at)
        VALUES ('p1', '101', 'S', 'A01', 'deposited', 1, 1, 2, 3, 4), ('p0', '101', 'M', 'A02', 'picked_up', 1, 0, 1, 2, NULL);
      INSERT INTO door_operations (compartment_id, purpose, parcel_id, actor, state, requested_at) VALUES ('A01', 'deposit', 'p1', 'courier:ups', 'closed', 1);
    `);
    // Version 3 held at most one parcel per compartment, and knew only four door purposes.
    expect(() => v3.prepare(`INSERT INTO parcels (id, unit, size, compartment_id, state, reserved_at) VALUES ('p2', '102', 'S', 'A01', 'reserved', 5)`).run()).toThrow(/UNIQUE/);
    v3.close();
    const db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare(`SELECT id, state, code_id, expiry_reported_at, direction FROM parcels ORDER BY id`).all()).toEqual([
      { id: 'p0', state: 'picked_up', code_id: 1, expiry_reported_at: null, direction: 'inbound' },
      { id: 'p1', state: 'deposited', code_id: 1, expiry_reported_at: 4, direction: 'inbound' },
    ]);
    expect(db.prepare(`SELECT id, purpose, parcel_id, credential FROM door_operations`).all()).toEqual([{ id: 1, purpose: 'deposit', parcel_id: 'p1', credential: null }]);
    // Two parcels may share a compartment now; references are still enforced.
    db.prepare(`INSERT INTO parcels (id, unit, size, compartment_id, state, reserved_at) VALUES ('p2', '102', 'S', 'A01', 'reserved', 5)`).run();
    db.prepare(`INSERT INTO door_operations (compartment_id, purpose, parcel_id, actor, state, requested_at, credential) VALUES ('A01', 'recall', 'p1', 'staff:ann', 'intent', 6, 'staff')`).run();
    expect(() => db.prepare(`INSERT INTO door_operations (compartment_id, purpose, parcel_id, actor, state, requested_at) VALUES ('A01', 'pickup', 'nope', 'x', 'intent', 7)`).run()).toThrow(/FOREIGN KEY/);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('upgrades a version 8 ledger to storage kinds: lockers stay lockers, rooms, desks and places can be added, every reference still enforced', () => {
    const v8 = openDatabase(path, { migrations: MIGRATIONS.slice(0, 8) });
    v8.exec(`
      INSERT INTO compartments (id, size, board, lock, out_of_service) VALUES ('A01', 'S', 'B1', 1, NULL), ('A02', 'M', 'B1', 2, 'jammed');
      INSERT INTO parcels (id, unit, size, compartment_id, state, reserved_at) VALUES ('p1', '101', 'S', 'A01', 'reserved', 1);
      INSERT INTO door_operations (compartment_id, purpose, parcel_id, actor, state, requested_at, credential) VALUES ('A01', 'deposit', 'p1', 'courier:ups', 'intent', 1, 'pin');
    `);
    v8.close();
    const db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT id, kind, size, board, lock, out_of_service FROM compartments ORDER BY id').all()).toEqual([
      { id: 'A01', kind: 'locker', size: 'S', board: 'B1', lock: 1, out_of_service: null },
      { id: 'A02', kind: 'locker', size: 'M', board: 'B1', lock: 2, out_of_service: 'jammed' },
    ]);
    expect(db.prepare('SELECT id, purpose, parcel_id, credential FROM door_operations').all()).toEqual([{ id: 1, purpose: 'deposit', parcel_id: 'p1', credential: 'pin' }]);
    db.exec(`
      INSERT INTO compartments (id, kind, size, board, lock) VALUES ('ROOM', 'room', 'XL', 'B1', 3), ('DESK', 'desk', 'XL', NULL, NULL);
      INSERT INTO places (id, area, capacity, size) VALUES ('R-A', 'ROOM', 10, 'XL');
      INSERT INTO parcels (id, unit, size, compartment_id, state, reserved_at, place_id) VALUES ('p2', '101', 'L', 'ROOM', 'reserved', 2, 'R-A');
      INSERT INTO door_operations (compartment_id, purpose, actor, state, requested_at) VALUES ('ROOM', 'room_pickup', 'resident:101', 'intent', 3);
    `);
    // A desk has no door; a room door and a locker are on distinct locks; places and parcels reference what exists.
    expect(() => db.prepare(`INSERT INTO compartments (id, kind, size, board, lock) VALUES ('D2', 'desk', 'XL', 'B1', 4)`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`INSERT INTO compartments (id, kind, size, board, lock) VALUES ('R2', 'room', 'XL', 'B1', 1)`).run()).toThrow(/UNIQUE/);
    expect(() => db.prepare(`INSERT INTO places (id, area, capacity, size) VALUES ('X', 'NOPE', 1, 'S')`).run()).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare(`INSERT INTO parcels (id, unit, size, compartment_id, state, reserved_at, place_id) VALUES ('p3', '101', 'S', 'ROOM', 'reserved', 4, 'NOPE')`).run()).toThrow(/FOREIGN KEY/);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('leaves the ledger at the old version when a migration fails', () => {
    openDatabase(path).close();
    const broken: Migration = { version: SCHEMA_VERSION + 1, description: 'broken', sql: `CREATE TABLE x (a); INSERT INTO nope VALUES (1);` };
    expect(() => openDatabase(path, { migrations: [...MIGRATIONS, broken] })).toThrow(/nope/);
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'x'`).get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a ledger written by a newer release', () => {
    const db = openDatabase(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    expect(() => openDatabase(path)).toThrow(LedgerOpenError);
    expect(() => openDatabase(path)).toThrow(`has schema version ${SCHEMA_VERSION + 5}, newer than this lockerd understands (${SCHEMA_VERSION})`);
  });

  it('refuses a file that is not a database, and does not touch it', () => {
    writeFileSync(path, 'this is a shopping list, not a ledger\n'.repeat(10));
    const before = readFileSync(path);
    expect(() => openDatabase(path)).toThrow(/is not a SQLite database.*lockerd has not changed it/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a truncated ledger', () => {
    const db = openDatabase(path);
    const insert = db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?)`);
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`k${i}`, 'x'.repeat(100));
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    truncateSync(path, Math.floor(statSync(path).size / 2));
    expect(() => openDatabase(path)).toThrow(/is truncated/);
  });

  it('refuses a SQLite database that is not a lockerd ledger', () => {
    const other = new Database(path);
    other.exec('CREATE TABLE recipes (name TEXT)');
    other.close();
    expect(() => openDatabase(path)).toThrow(/not a lockerd ledger/);
  });

  it('keeps the audit trail append-only', () => {
    const db = openDatabase(path);
    db.prepare(`INSERT INTO audit (at, actor, action) VALUES (1, 'system', 'test')`).run();
    expect(() => db.prepare(`UPDATE audit SET actor = 'someone else'`).run()).toThrow(/append-only/);
    expect(() => db.prepare(`DELETE FROM audit`).run()).toThrow(/append-only/);
    db.close();
  });

  it('never reuses an outbox seq, even after rows are pruned', () => {
    const db = openDatabase(path);
    const insert = db.prepare(`INSERT INTO outbox (id, type, at, payload) VALUES (?, 't', 1, '{}')`);
    insert.run('a');
    insert.run('b');
    db.prepare('DELETE FROM outbox').run();
    const seq = Number(insert.run('c').lastInsertRowid);
    expect(seq).toBe(3);
    db.close();
    expect(existsSync(path)).toBe(true);
  });
});
