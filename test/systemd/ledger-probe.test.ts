import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.js';
import { ledgerWriteProbe } from '../../src/systemd/ledger-probe.js';
import { tempDir } from '../helpers/fixtures.js';

describe('the ledger write probe', () => {
  let dir: string;
  let cleanup: () => void;
  let ledger: Ledger;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    ledger = Ledger.open({ path: join(dir, 'lockerd.db'), keyFile: join(dir, 'lockerd.key') });
  });
  afterEach(() => {
    ledger.close();
    cleanup();
  });

  const files = (): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const f of [ledger.path, `${ledger.path}-wal`, `${ledger.path}-shm`]) {
      if (existsSync(f)) out[f] = `${createHash('sha256').update(readFileSync(f)).digest('hex')} ${statSync(f).size} ${statSync(f).mtimeMs}`;
    }
    return out;
  };

  it('answers ok and leaves the ledger, its WAL and -shm byte for byte as they were (no page written)', () => {
    const probe = ledgerWriteProbe(ledger.db);
    expect(probe()).toEqual({ ok: true }); // the first may settle the reader's mark in -shm, as any first read does
    const before = files();
    expect(Object.keys(before)).toHaveLength(3);
    for (let i = 0; i < 200; i++) expect(probe()).toEqual({ ok: true });
    expect(files()).toEqual(before);
    expect(ledger.db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('fails at once, without waiting out the busy timeout, while another connection holds the write lock; ok once released', () => {
    const probe = ledgerWriteProbe(ledger.db);
    const other = new Database(ledger.path);
    try {
      other.exec('BEGIN IMMEDIATE');
      const start = performance.now();
      expect(probe()).toEqual({ ok: false, error: 'its write lock is held by another connection (SQLITE_BUSY)' });
      expect(performance.now() - start).toBeLessThan(1000); // the connection's busy_timeout is 5 s
      expect(ledger.db.inTransaction).toBe(false);
      expect(ledger.db.pragma('busy_timeout', { simple: true })).toBe(5000);
      other.exec('ROLLBACK');
      expect(probe()).toEqual({ ok: true });
    } finally {
      other.close();
    }
  });

  it('fails on a transaction of our own left open, and on a closed ledger', () => {
    const probe = ledgerWriteProbe(ledger.db);
    ledger.db.exec('BEGIN');
    expect(probe()).toEqual({ ok: false, error: 'a transaction has stayed open across turns of the event loop' });
    ledger.db.exec('ROLLBACK');
    const other = Ledger.open({ path: join(dir, 'second.db'), keyFile: join(dir, 'lockerd.key') });
    const closedProbe = ledgerWriteProbe(other.db);
    other.close();
    expect(closedProbe()).toEqual({ ok: false, error: 'the ledger is closed' });
  });
});
