/**
 * Does the ledger still take a write? `BEGIN IMMEDIATE` takes SQLite's write lock, which proves
 * that no writer (another process, or a transaction of ours left open) has it wedged; `ROLLBACK`
 * gives it back. Nothing is written: no page reaches the WAL or the SD card (the watchdog probes
 * every 15 s, and idle writes are to stay at 0 B/hour; test/systemd/ledger-probe.test.ts checks
 * the files byte for byte). It does not prove that the card accepts a write: only a write does.
 *
 * The connection's busy timeout (5 s) is set to 0 for the probe: the daemon's event loop must
 * not block waiting for a lock; a held lock is an answer, and the watchdog asks again next tick.
 */
import type { Db } from '../ledger/database.js';
import type { ProbeResult } from './watchdog-policy.js';

export function ledgerWriteProbe(db: Db): () => ProbeResult {
  return () => {
    if (!db.open) return { ok: false, error: 'the ledger is closed' };
    // Between turns of the event loop no transaction of ours is open (better-sqlite3's are synchronous).
    if (db.inTransaction) return { ok: false, error: 'a transaction has stayed open across turns of the event loop' };
    const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
    try {
      db.pragma('busy_timeout = 0');
      db.exec('BEGIN IMMEDIATE');
      db.exec('ROLLBACK');
      return { ok: true };
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      const e = err as Error & { code?: string };
      return { ok: false, error: e.code === 'SQLITE_BUSY' ? 'its write lock is held by another connection (SQLITE_BUSY)' : `${e.code ?? 'error'}: ${e.message}` };
    } finally {
      db.pragma(`busy_timeout = ${busyTimeout}`);
    }
  };
}
