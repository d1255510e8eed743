import { EventEmitter } from 'node:events';
import { chmodSync, rmSync, statSync } from 'node:fs';
import { AuditTrail } from './audit.js';
import { AuthorisationStore } from './authorisations.js';
import { CodeStore } from './codes.js';
import { CommandStore } from './commands.js';
import { ExpectedDeliveryStore } from './expected-deliveries.js';
import { SignatureStore } from './signatures.js';
import { CompartmentStore } from './compartments.js';
import { LedgerOpenError, openDatabase, type Db } from './database.js';
import { DoorOperationStore } from './door-operations.js';
import { createPrivateFile, LEDGER_FILE_MODE } from './ledger-files.js';
import { MetaStore } from './meta.js';
import { Outbox } from './outbox.js';
import { ParcelStore } from './parcels.js';
import { PeopleStore } from './people.js';
import { StaffStore } from './staff.js';
import { StorageAreaStore } from './storage-areas.js';
import { loadSecretKey, SecretHasher, SecretKeyError } from './secret.js';

export interface LedgerOptions {
  path: string;
  keyFile: string;
  onNotice?: (message: string, detail: Record<string, unknown>) => void;
  now?: () => Date;
}

/**
 * The local source of truth: one SQLite file (WAL, synchronous=FULL) and the secret key beside it.
 * Every state change goes through `transaction`, which also carries its audit row and outbox event.
 */
export class Ledger extends EventEmitter<{ committed: [] }> {
  readonly compartments: CompartmentStore;
  /** Package rooms and front desks with their shelves and places. */
  readonly storage: StorageAreaStore;
  readonly parcels: ParcelStore;
  readonly codes: CodeStore;
  readonly doorOperations: DoorOperationStore;
  readonly people: PeopleStore;
  readonly staff: StaffStore;
  readonly meta: MetaStore;
  readonly audit: AuditTrail;
  readonly outbox: Outbox;
  readonly commands: CommandStore;
  readonly expectedDeliveries: ExpectedDeliveryStore;
  /** Front-desk signatures and authorised collectors (src/locker/desk.ts). */
  readonly signatures: SignatureStore;
  readonly authorisations: AuthorisationStore;
  /** How many times this ledger has been opened, including this time. */
  readonly bootCount: number;

  private constructor(
    readonly db: Db,
    readonly hasher: SecretHasher,
    readonly path: string,
    readOnly = false,
  ) {
    super();
    this.compartments = new CompartmentStore(db);
    this.storage = new StorageAreaStore(db);
    this.parcels = new ParcelStore(db);
    this.codes = new CodeStore(db);
    this.doorOperations = new DoorOperationStore(db);
    this.people = new PeopleStore(db);
    this.staff = new StaffStore(db);
    this.meta = new MetaStore(db);
    this.audit = new AuditTrail(db);
    this.outbox = new Outbox(db);
    this.commands = new CommandStore(db);
    this.expectedDeliveries = new ExpectedDeliveryStore(db);
    this.signatures = new SignatureStore(db);
    this.authorisations = new AuthorisationStore(db);
    this.bootCount = readOnly ? Number(this.meta.get('boot_count') ?? '0') : this.transaction(() => {
      const n = Number(this.meta.get('boot_count') ?? '0') + 1;
      this.meta.set('boot_count', String(n));
      return n;
    });
  }

  static open(options: LedgerOptions): Ledger {
    const db = openDatabase(options.path, { onNotice: options.onNotice, now: options.now });
    try {
      const meta = new MetaStore(db);
      const fingerprint = meta.get('key_fingerprint');
      const { hasher } = loadSecretKey(options.keyFile, fingerprint === undefined);
      if (fingerprint === undefined) {
        db.transaction(() => meta.set('key_fingerprint', hasher.fingerprint()))();
      } else if (fingerprint !== hasher.fingerprint()) {
        throw new SecretKeyError(
          `the secret key file ${options.keyFile} does not belong to the ledger ${options.path}; ` +
            'restore the key file that was made with this ledger (no stored code or PIN can be checked with another key)',
        );
      }
      return new Ledger(db, hasher, options.path);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /**
   * The ledger of a stopped daemon, for reading only (`lockerctl` answers read-only commands from
   * it): `db` must be a read-only connection (see src/control/offline.ts), so nothing can write or
   * checkpoint. The boot count is read, not counted; there is no key, so nothing can be hashed.
   */
  static readOnly(db: Db, path: string): Ledger {
    if (!db.readonly) throw new Error('Ledger.readOnly needs a read-only connection');
    return new Ledger(db, new KeylessHasher(), path, true);
  }

  /**
   * Runs `fn` as one durable transaction (BEGIN IMMEDIATE, so concurrent writers queue instead of
   * failing half way). Listeners of `committed` learn of it after the commit, never before: the
   * publisher must never see a row that may still roll back.
   */
  transaction<T>(fn: () => T): T {
    // Nested calls become savepoints; only the outermost commit is news to listeners.
    const result = this.db.transaction(fn).immediate();
    if (!this.db.inTransaction) this.emit('committed');
    return result;
  }

  /** Bytes on disk (database plus WAL), for telemetry and the benchmark. */
  sizeBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    return pages * pageSize;
  }

  /**
   * A consistent copy of the live ledger at `path` (a new file, mode 0600), taken with SQLite's
   * online backup a few pages per turn of the event loop, so the kiosk goes on meanwhile. The copy
   * holds what the ledger holds, including codes of events upstream has not yet acknowledged;
   * without the key file no stored code or PIN can be checked against it.
   */
  async backupTo(path: string): Promise<{ bytes: number }> {
    // Created empty first with the final mode, so the copy is never readable by others.
    createPrivateFile(path);
    try {
      await this.db.backup(path);
    } catch (err) {
      rmSync(path, { force: true });
      throw err;
    }
    chmodSync(path, LEDGER_FILE_MODE);
    return { bytes: statSync(path).size };
  }

  /** Writes the WAL back into the database file, e.g. before a power-fail shutdown. */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** A read-only ledger's hasher: without the key file no code or PIN can be checked, and none should be. */
class KeylessHasher extends SecretHasher {
  constructor() {
    super(Buffer.alloc(32));
  }

  override hash(): Buffer {
    throw new Error('this ledger was opened for reading without its key: nothing can be hashed');
  }
}

export { LedgerOpenError, SecretKeyError };
