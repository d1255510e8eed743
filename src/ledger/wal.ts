/**
 * Reads a SQLite write-ahead log the way SQLite's recovery does (https://sqlite.org/fileformat.html
 * section 4), without SQLite and without writing anything: which pages its committed frames hold
 * and how many pages the database has after the last commit. The ledger check uses it to tell a
 * database whose tail is still in the WAL from a truncated one before SQLite may checkpoint it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;
const MAGIC_LE = 0x377f0682;
const MAGIC_BE = 0x377f0683;
const WAL_VERSION = 3007000;

export interface WalSummary {
  pageSize: number;
  /** Frames up to and including the last valid commit frame. */
  committedFrames: number;
  /** Page numbers those frames hold. */
  pages: Set<number>;
  /** Database size in pages after the last commit; null if the WAL holds no commit. */
  dbPages: number | null;
}

const EMPTY: WalSummary = { pageSize: 0, committedFrames: 0, pages: new Set(), dbPages: null };

/** SQLite's WAL checksum: pairs of 32-bit words, cumulative from (s1, s2). */
function checksum(buf: Buffer, start: number, end: number, bigEndian: boolean, s: [number, number]): [number, number] {
  let [s1, s2] = s;
  for (let i = start; i < end; i += 8) {
    const a = bigEndian ? buf.readUInt32BE(i) : buf.readUInt32LE(i);
    const b = bigEndian ? buf.readUInt32BE(i + 4) : buf.readUInt32LE(i + 4);
    s1 = (s1 + a + s2) >>> 0;
    s2 = (s2 + b + s1) >>> 0;
  }
  return [s1, s2];
}

function validPageSize(n: number): boolean {
  return n >= 512 && n <= 65536 && (n & (n - 1)) === 0;
}

/**
 * Walks the valid frames of the WAL at `path` in order, calling `frame` with the page each holds
 * and its commit size (non-zero on a commit frame). Null when there is no valid WAL (missing,
 * empty, a bad header: SQLite then ignores it too). Frames after the first one whose salt or
 * checksum does not hold are left over from an earlier use of the file or torn by a power cut,
 * and are not walked.
 */
function walkFrames(path: string, frame: (page: number, commitSize: number, index: number) => void): { pageSize: number; salt: string } | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    if (size < WAL_HEADER_BYTES) return null;
    const header = Buffer.alloc(WAL_HEADER_BYTES);
    readSync(fd, header, 0, WAL_HEADER_BYTES, 0);
    const magic = header.readUInt32BE(0);
    if (magic !== MAGIC_LE && magic !== MAGIC_BE) return null;
    const bigEndian = magic === MAGIC_BE;
    const pageSize = header.readUInt32BE(8);
    if (header.readUInt32BE(4) !== WAL_VERSION || !validPageSize(pageSize)) return null;
    let sum = checksum(header, 0, 24, bigEndian, [0, 0]);
    if (sum[0] !== header.readUInt32BE(24) || sum[1] !== header.readUInt32BE(28)) return null;
    const salt1 = header.readUInt32BE(16);
    const salt2 = header.readUInt32BE(20);

    const buf = Buffer.alloc(FRAME_HEADER_BYTES + pageSize);
    for (let offset = WAL_HEADER_BYTES, n = 0; offset + buf.length <= size; offset += buf.length, n++) {
      if (readSync(fd, buf, 0, buf.length, offset) < buf.length) break;
      const page = buf.readUInt32BE(0);
      if (page === 0 || buf.readUInt32BE(8) !== salt1 || buf.readUInt32BE(12) !== salt2) break;
      sum = checksum(buf, 0, 8, bigEndian, sum);
      sum = checksum(buf, FRAME_HEADER_BYTES, buf.length, bigEndian, sum);
      if (sum[0] !== buf.readUInt32BE(16) || sum[1] !== buf.readUInt32BE(20)) break;
      frame(page, buf.readUInt32BE(4), n);
    }
    return { pageSize, salt: `${salt1}:${salt2}` };
  } finally {
    closeSync(fd);
  }
}

/**
 * The committed content of the WAL at `path` (none if there is no valid one); an uncommitted tail
 * does not count.
 */
export function readWal(path: string): WalSummary {
  const pending: number[] = [];
  const pages = new Set<number>();
  let committedFrames = 0;
  let dbPages: number | null = null;
  const wal = walkFrames(path, (page, commitSize, n) => {
    pending.push(page);
    if (commitSize !== 0) {
      for (const p of pending) pages.add(p);
      pending.length = 0;
      committedFrames = n + 1;
      dbPages = commitSize;
    }
  });
  return wal ? { pageSize: wal.pageSize, committedFrames, pages, dbPages } : EMPTY;
}

export interface WalCommits {
  pageSize: number;
  /** The header's salts: they change when SQLite restarts the WAL from its start after a checkpoint. */
  salt: string;
  /** Each valid commit's frames, in order: the page number each frame holds (a page may repeat). */
  commits: number[][];
}

/**
 * The committed transactions of the WAL at `path`, frame by frame, for the SD card benchmark:
 * what each commit wrote. Validated like `readWal`; an uncommitted tail is left out.
 */
export function readWalCommits(path: string): WalCommits {
  const commits: number[][] = [];
  let pending: number[] = [];
  const wal = walkFrames(path, (page, commitSize) => {
    pending.push(page);
    if (commitSize !== 0) {
      commits.push(pending);
      pending = [];
    }
  });
  return wal ? { ...wal, commits } : { pageSize: 0, salt: '', commits: [] };
}
