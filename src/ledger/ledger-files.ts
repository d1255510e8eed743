/**
 * The files of a ledger on disk and who may read them. The ledger holds codes upstream has not
 * yet received, so its main file, its WAL and its shared-memory index are the service user's
 * alone: mode 0600, or 0640 where an operator gives the service group read access on purpose.
 * SQLite creates the -wal and -shm files with the mode of the main file (it sets it exactly,
 * whatever the umask), so creating the main file 0600 is what keeps all three private.
 */
import { chmodSync, closeSync, fchmodSync, openSync, statSync } from 'node:fs';

/** The mode lockerd creates ledger files and backups with. */
export const LEDGER_FILE_MODE = 0o600;
/** The most a ledger file may allow: the owner reads and writes, the service group may read. */
export const LEDGER_FILE_MODE_MAX = 0o640;

/** The main file, the write-ahead log and the shared-memory index, in that order. */
export function ledgerFiles(path: string): [main: string, wal: string, shm: string] {
  return [path, `${path}-wal`, `${path}-shm`];
}

/** Permission bits beyond 0640: others can read, or the group can write. */
export function tooOpen(mode: number): boolean {
  return (mode & 0o777 & ~LEDGER_FILE_MODE_MAX) !== 0;
}

/**
 * Creates an empty file with mode 0600 that must not exist yet. The mode is set again on the
 * open descriptor because the umask only narrows `open`'s mode (a umask of 0277 would give 0400).
 */
export function createPrivateFile(path: string): void {
  const fd = openSync(path, 'wx', LEDGER_FILE_MODE);
  try {
    fchmodSync(fd, LEDGER_FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

/** The mode bits of each ledger file that exists (the -wal and -shm exist only while it is open, or after a crash). */
export function ledgerFileModes(path: string): { path: string; mode: number }[] {
  const out: { path: string; mode: number }[] = [];
  for (const file of ledgerFiles(path)) {
    try {
      out.push({ path: file, mode: statSync(file).mode & 0o777 });
    } catch {
      // absent: nothing to protect
    }
  }
  return out;
}

/**
 * Narrows ledger files that others can read (a ledger from before this rule was made with the
 * umask, usually 0644) to 0600. Returns what it changed, and what it could not change (a file
 * owned by another user), for the log.
 */
export function tightenLedgerFiles(path: string): { tightened: { path: string; from: number }[]; failed: { path: string; mode: number; error: string }[] } {
  const tightened: { path: string; from: number }[] = [];
  const failed: { path: string; mode: number; error: string }[] = [];
  for (const { path: file, mode } of ledgerFileModes(path)) {
    if (!tooOpen(mode)) continue;
    try {
      chmodSync(file, LEDGER_FILE_MODE);
      tightened.push({ path: file, from: mode });
    } catch (err) {
      failed.push({ path: file, mode, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
    }
  }
  return { tightened, failed };
}
