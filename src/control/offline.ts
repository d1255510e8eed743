/**
 * Read-only commands answered from the ledger while the daemon is stopped: lockerctl falls back to
 * this when the control socket does not answer (src/cli/lockerctl.ts). The handlers are the
 * daemon's own (./commands/index.ts `readOnlyCommands`), given a ledger-only context; anything
 * else needs the running daemon. Answers and errors are redacted as the socket's are.
 *
 * The ledger is opened so that not a byte of it changes and no file appears beside it (lockerctl
 * may run as root: a -wal or -shm it created would be root's, and the daemon could not open its
 * ledger any more). A plain read-only connection to a WAL database that was closed cleanly
 * creates both files and leaves them behind, so:
 * - with a -shm (the daemon is running, or stopped without closing): `mode=ro&readonly_shm=1`
 *   reads the WAL through it without writing to it;
 * - without a -shm and no committed frames in the WAL (a clean stop): `immutable=1` reads the
 *   main file, which is then the whole ledger, with no locks and no side files;
 * - without a -shm but with committed frames: refused, as reading them needs a -shm.
 * A read-only connection never checkpoints.
 */
import Database from 'better-sqlite3';
import { accessSync, constants, existsSync } from 'node:fs';
import type { LockerdConfig } from '../config/types.js';
import { checkLedgerFile, fileUri } from '../ledger/ledger-check.js';
import { ledgerFiles } from '../ledger/ledger-files.js';
import { Ledger, LedgerOpenError } from '../ledger/ledger.js';
import { MIGRATIONS } from '../ledger/migrations.js';
import { Holds } from '../locker/holds.js';
import { createLogger } from '../log.js';
import { redactCredentials, shown } from '../secrets/redact.js';
import { readOnlyCommands } from './commands/index.js';
import type { LedgerContext } from './commands/context.js';
import { READ_ONLY_COMMANDS } from './offline-commands.js';
import { CommandError, isAsyncIterable } from './protocol.js';

export { READ_ONLY_COMMANDS };

/** Who the audit trail would name; offline nothing is audited, as nothing can be written. */
const OFFLINE_ACTOR = 'technician:offline';

export interface OfflineOptions {
  /** Each event of a streaming command (parcels.export), redacted; the final result is returned. */
  onEvent?: (event: unknown) => void;
  now?: () => number;
}

/** How to open `path` without writing (see the comment at the top), or why it cannot be. */
export function readOnlyUri(path: string): string {
  const [, , shm] = ledgerFiles(path);
  if (existsSync(shm)) return fileUri(path, 'mode=ro&readonly_shm=1');
  let walCommitted: boolean;
  try {
    walCommitted = checkLedgerFile(path).walCommitted;
  } catch (err) {
    if (err instanceof LedgerOpenError) throw new CommandError(err.message, 'unavailable');
    throw err;
  }
  if (walCommitted) {
    throw new CommandError(
      `the ledger's WAL (${path}-wal) holds changes not yet in ${path}, and without its -shm they cannot be read without writing; start lockerd (it recovers them) and ask it`,
      'unavailable',
    );
  }
  return fileUri(path, 'immutable=1');
}

/** The ledger for reading, or a CommandError saying why not and what to do. */
export function openLedgerReadOnly(path: string): Ledger {
  if (!existsSync(path)) throw new CommandError(`there is no ledger at ${path} (ledger.path): lockerd has not run with this config yet`, 'unavailable');
  for (const file of ledgerFiles(path).filter((f) => existsSync(f))) {
    try {
      accessSync(file, constants.R_OK);
    } catch {
      throw new CommandError(`cannot read ${file}: with lockerd stopped, lockerctl reads the ledger itself and needs read access to it (run it with sudo), or start lockerd`, 'permission');
    }
  }
  let db: Database.Database;
  try {
    db = new Database(readOnlyUri(path), { readonly: true, fileMustExist: true });
  } catch (err) {
    if (err instanceof CommandError) throw err;
    throw new CommandError(`cannot open the ledger ${path} for reading: ${(err as Error).message}`, 'unavailable');
  }
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    const expected = MIGRATIONS.at(-1)?.version ?? 0;
    if (version !== expected) {
      throw new CommandError(
        version < expected
          ? `the ledger ${path} has schema version ${version}, older than this lockerd's (${expected}); start lockerd once to migrate it`
          : `the ledger ${path} has schema version ${version}, written by a newer lockerd than this one (${expected}); use that release's lockerctl`,
        'unavailable',
      );
    }
    return Ledger.readOnly(db, path);
  } catch (err) {
    db.close();
    if (err instanceof CommandError) throw err;
    throw new CommandError(`cannot read the ledger ${path}: ${(err as Error).message}`, 'unavailable');
  }
}

/** Answers one read-only request from the ledger; other commands need the running daemon. */
export async function answerOffline(config: LockerdConfig, command: string, args: Record<string, unknown>, options: OfflineOptions = {}): Promise<unknown> {
  if (!READ_ONLY_COMMANDS.has(command)) throw new CommandError(`"${command}" needs the running daemon; start it (systemctl start lockerd)`, 'unavailable');
  const ledger = openLedgerReadOnly(config.ledger.path);
  try {
    const now = options.now ?? Date.now;
    const holds = new Holds({ ledger, config, log: createLogger({ level: 'silent' }), now, monotonic: () => performance.now() });
    const ctx: LedgerContext = { config, ledger, now, expiredParcels: (limit) => holds.expiredParcels(limit) };
    const handler = readOnlyCommands(ctx).get(command)!;
    const result = await handler(args, { signal: new AbortController().signal, actor: OFFLINE_ACTOR });
    if (!isAsyncIterable(result)) return shown(result);
    // A stream as the socket sends it: each event, then the iterable's return value (or a count).
    const it = result[Symbol.asyncIterator]();
    let events = 0;
    for (;;) {
      const step = await it.next();
      if (step.done) return shown(step.value === undefined ? { events } : step.value);
      events++;
      options.onEvent?.(shown(step.value));
    }
  } catch (err) {
    if (err instanceof CommandError) throw new CommandError(redactCredentials(err.message), err.kind);
    const code = (err as { code?: string }).code ?? '';
    // Read while the daemon was starting (immutable reads take no locks), or a damaged file.
    if (code.startsWith('SQLITE_')) throw new CommandError(`could not read the ledger ${config.ledger.path} (${code}); if lockerd is starting, ask it instead; otherwise run lockerctl selftest once it runs`, 'unavailable');
    throw err;
  } finally {
    ledger.close();
  }
}
