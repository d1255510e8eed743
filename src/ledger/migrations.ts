/**
 * Schema migrations, applied in order; migration N brings `PRAGMA user_version` to N.
 * Never edit a migration that has shipped: add a new one.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
  /**
   * The migration rebuilds a table others reference (SQLite cannot change a CHECK in place): it
   * runs with foreign keys off, and `PRAGMA foreign_key_check` must find nothing before it commits
   * (https://www.sqlite.org/lang_altertable.html#otheralter).
   */
  rebuildsTables?: true;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'compartments, units, couriers, parcels, retrieval codes, door operations, audit, outbox',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE compartments (
        id          TEXT PRIMARY KEY,
        size        TEXT NOT NULL CHECK (size IN ('S','M','L','XL')),
        board       TEXT NOT NULL,
        lock        INTEGER NOT NULL CHECK (lock >= 1),
        accessible  INTEGER NOT NULL DEFAULT 0 CHECK (accessible IN (0,1)),
        -- NULL when in service; otherwise why it was taken out (a technician, a failed unlock, ...).
        out_of_service TEXT,
        UNIQUE (board, lock)
      ) WITHOUT ROWID;

      CREATE TABLE units (
        id          TEXT PRIMARY KEY,
        accessible  INTEGER NOT NULL DEFAULT 0 CHECK (accessible IN (0,1)),
        active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1))
      ) WITHOUT ROWID;

      CREATE TABLE couriers (
        id        TEXT PRIMARY KEY,
        carrier   TEXT NOT NULL,
        pin_hash  BLOB NOT NULL UNIQUE,
        active    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1))
      ) WITHOUT ROWID;

      -- Codes are stored only as HMAC-SHA256 under the install's secret key.
      CREATE TABLE retrieval_codes (
        id         INTEGER PRIMARY KEY,
        unit       TEXT NOT NULL,
        code_hash  BLOB NOT NULL,
        state      TEXT NOT NULL CHECK (state IN ('live','used','revoked')),
        created_at INTEGER NOT NULL,
        ended_at   INTEGER
      );
      -- Lookups only ever concern live codes: the partial indexes stay small however long the history.
      CREATE UNIQUE INDEX retrieval_codes_live_hash ON retrieval_codes (code_hash) WHERE state = 'live';
      CREATE UNIQUE INDEX retrieval_codes_live_unit ON retrieval_codes (unit) WHERE state = 'live';

      CREATE TABLE parcels (
        id             TEXT PRIMARY KEY,
        unit           TEXT NOT NULL,
        size           TEXT NOT NULL CHECK (size IN ('S','M','L','XL')),
        compartment_id TEXT NOT NULL REFERENCES compartments (id),
        state          TEXT NOT NULL CHECK (state IN ('reserved','deposited','picked_up','cancelled','expired','returned')),
        carrier        TEXT,
        tracking       TEXT,
        courier_id     TEXT,
        code_id        INTEGER REFERENCES retrieval_codes (id),
        reserved_at    INTEGER NOT NULL,
        deposited_at   INTEGER,
        expires_at     INTEGER,
        ended_at       INTEGER
      ) WITHOUT ROWID;
      -- A compartment holds at most one parcel that is on its way in or waiting.
      CREATE UNIQUE INDEX parcels_active_compartment ON parcels (compartment_id) WHERE state IN ('reserved','deposited');
      CREATE INDEX parcels_waiting_code ON parcels (code_id) WHERE state = 'deposited';

      -- One row per commanded door movement: written as an intent before the lock is fired.
      CREATE TABLE door_operations (
        id             INTEGER PRIMARY KEY,
        compartment_id TEXT NOT NULL REFERENCES compartments (id),
        purpose        TEXT NOT NULL CHECK (purpose IN ('deposit','pickup','technician','remote')),
        parcel_id      TEXT REFERENCES parcels (id),
        actor          TEXT NOT NULL,
        state          TEXT NOT NULL CHECK (state IN ('intent','opened','closed','failed','abandoned')),
        outcome        TEXT,
        requested_at   INTEGER NOT NULL,
        opened_at      INTEGER,
        ended_at       INTEGER
      );
      CREATE INDEX door_operations_active ON door_operations (compartment_id) WHERE state IN ('intent','opened');

      -- Append-only: who or what did what, when, why.
      CREATE TABLE audit (
        id             INTEGER PRIMARY KEY,
        at             INTEGER NOT NULL,
        actor          TEXT NOT NULL,
        action         TEXT NOT NULL,
        compartment_id TEXT,
        parcel_id      TEXT,
        detail         TEXT
      );
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

      -- AUTOINCREMENT: a seq is never reused, even after sent rows are pruned.
      CREATE TABLE outbox (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        id       TEXT NOT NULL UNIQUE,
        type     TEXT NOT NULL,
        at       INTEGER NOT NULL,
        payload  TEXT NOT NULL,
        sent_at  INTEGER
      );
      CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;
    `,
  },
  {
    version: 2,
    description: 'remote units, residents and couriers; expected deliveries; remembered commands; pickup QR and badge hashes',
    sql: `
      -- Who manages a row: the config file (replaced at each start) or upstream commands (kept).
      ALTER TABLE units ADD COLUMN source TEXT NOT NULL DEFAULT 'config' CHECK (source IN ('config','remote'));
      ALTER TABLE couriers ADD COLUMN source TEXT NOT NULL DEFAULT 'config' CHECK (source IN ('config','remote'));
      ALTER TABLE couriers ADD COLUMN badge_hash BLOB;
      CREATE UNIQUE INDEX couriers_badge ON couriers (badge_hash) WHERE badge_hash IS NOT NULL;

      CREATE TABLE residents (
        id          TEXT PRIMARY KEY,
        unit        TEXT NOT NULL,
        accessible  INTEGER NOT NULL DEFAULT 0 CHECK (accessible IN (0,1))
      ) WITHOUT ROWID;
      CREATE INDEX residents_unit ON residents (unit);

      -- The QR code sent with a retrieval code carries a separate random token, stored hashed too.
      ALTER TABLE retrieval_codes ADD COLUMN qr_hash BLOB;
      CREATE UNIQUE INDEX retrieval_codes_live_qr ON retrieval_codes (qr_hash) WHERE state = 'live' AND qr_hash IS NOT NULL;

      CREATE TABLE expected_deliveries (
        tracking    TEXT PRIMARY KEY,
        unit        TEXT NOT NULL,
        expires_at  INTEGER NOT NULL,
        created_at  INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- Every command id seen, kept longer than any command may live: a replay is refused.
      CREATE TABLE commands_seen (
        id          TEXT PRIMARY KEY,
        type        TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('accepted','done','failed','rejected')),
        reason      TEXT
      ) WITHOUT ROWID;
      CREATE INDEX commands_seen_received ON commands_seen (received_at);

      -- A waiting parcel past its hold is reported once (parcel.hold_expired); it stays deposited.
      ALTER TABLE parcels ADD COLUMN expiry_reported_at INTEGER;
      CREATE INDEX parcels_hold_due ON parcels (expires_at) WHERE state = 'deposited' AND expiry_reported_at IS NULL;

      -- What the broker acknowledged is one watermark (meta.outbox_acked_seq), not a mark per row:
      -- one small write per batch of acknowledgements instead of rewriting every event's page.
      INSERT OR REPLACE INTO meta (key, value) VALUES ('outbox_acked_seq', CAST(coalesce(
        (SELECT min(seq) - 1 FROM outbox WHERE sent_at IS NULL),
        (SELECT seq FROM sqlite_sequence WHERE name = 'outbox'),
        0) AS TEXT));
      DROP INDEX outbox_unsent;
      ALTER TABLE outbox DROP COLUMN sent_at;
    `,
  },
  {
    version: 3,
    description: 'when the broker acknowledged an event that still carries a retrieval code',
    sql: `
      -- Set at PUBACK on rows holding a code only (rare), so the watermark still spares the other
      -- rows' pages; the code is erased when upstream confirms the event, or mqtt.codeRetentionHours
      -- after this time. Rows acknowledged before this migration count as acknowledged now.
      ALTER TABLE outbox ADD COLUMN code_acked_at INTEGER;
      -- Cleared when the code is erased: the index holds only rows still holding a code.
      CREATE INDEX outbox_codes_held ON outbox (code_acked_at) WHERE code_acked_at IS NOT NULL;
      UPDATE outbox SET code_acked_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000
        WHERE seq <= CAST((SELECT value FROM meta WHERE key = 'outbox_acked_seq') AS INTEGER)
          AND (json_type(payload, '$.code') IS NOT NULL OR json_type(payload, '$.pickupQr') IS NOT NULL);
    `,
  },
  {
    version: 4,
    description: 'door operations for staff, recalls, audit walks and returns, with the credential used; parcels recalled, returns (outbound), shared compartments',
    rebuildsTables: true,
    sql: `
      -- New purposes need a new CHECK: the table is rebuilt. \`credential\` says how the person who
      -- asked for the door proved who they are (code, qr, pin, badge, staff), for the proof of delivery.
      CREATE TABLE door_operations_new (
        id             INTEGER PRIMARY KEY,
        compartment_id TEXT NOT NULL REFERENCES compartments (id),
        purpose        TEXT NOT NULL CHECK (purpose IN ('deposit','pickup','technician','remote','staff','recall','audit','return_deposit','return_collect')),
        parcel_id      TEXT REFERENCES parcels (id),
        actor          TEXT NOT NULL,
        state          TEXT NOT NULL CHECK (state IN ('intent','opened','closed','failed','abandoned')),
        outcome        TEXT,
        requested_at   INTEGER NOT NULL,
        opened_at      INTEGER,
        ended_at       INTEGER,
        credential     TEXT CHECK (credential IN ('code','qr','pin','badge','staff'))
      );
      INSERT INTO door_operations_new (id, compartment_id, purpose, parcel_id, actor, state, outcome, requested_at, opened_at, ended_at)
        SELECT id, compartment_id, purpose, parcel_id, actor, state, outcome, requested_at, opened_at, ended_at FROM door_operations;
      DROP TABLE door_operations;
      ALTER TABLE door_operations_new RENAME TO door_operations;
      CREATE INDEX door_operations_active ON door_operations (compartment_id) WHERE state IN ('intent','opened');

      -- Parcels: 'recalled' (staff took an expired parcel out), 'collected' (a courier took a
      -- return away); \`direction\` tells a resident's return (outbound) from a delivery. A
      -- compartment may hold several parcels now (allocation.shareCompartments): the index on the
      -- parcels inside is no longer unique.
      CREATE TABLE parcels_new (
        id                 TEXT PRIMARY KEY,
        unit               TEXT NOT NULL,
        size               TEXT NOT NULL CHECK (size IN ('S','M','L','XL')),
        compartment_id     TEXT NOT NULL REFERENCES compartments (id),
        state              TEXT NOT NULL CHECK (state IN ('reserved','deposited','picked_up','cancelled','expired','returned','recalled','collected')),
        carrier            TEXT,
        tracking           TEXT,
        courier_id         TEXT,
        code_id            INTEGER REFERENCES retrieval_codes (id),
        reserved_at        INTEGER NOT NULL,
        deposited_at       INTEGER,
        expires_at         INTEGER,
        ended_at           INTEGER,
        expiry_reported_at INTEGER,
        direction          TEXT NOT NULL DEFAULT 'inbound' CHECK (direction IN ('inbound','outbound'))
      ) WITHOUT ROWID;
      INSERT INTO parcels_new (id, unit, size, compartment_id, state, carrier, tracking, courier_id, code_id, reserved_at, deposited_at, expires_at, ended_at, expiry_reported_at)
        SELECT id, unit, size, compartment_id, state, carrier, tracking, courier_id, code_id, reserved_at, deposited_at, expires_at, ended_at, expiry_reported_at FROM parcels;
      DROP TABLE parcels;
      ALTER TABLE parcels_new RENAME TO parcels;
      CREATE INDEX parcels_active_compartment ON parcels (compartment_id) WHERE state IN ('reserved','deposited');
      CREATE INDEX parcels_waiting_code ON parcels (code_id) WHERE state = 'deposited';
      CREATE INDEX parcels_hold_due ON parcels (expires_at) WHERE state = 'deposited' AND expiry_reported_at IS NULL;
    `,
  },
  {
    version: 5,
    description: 'staff members: keypad PINs and badges for the kiosk staff menu, stored as keyed hashes',
    sql: `
      -- Like couriers: rows from the config are replaced at each start, upstream's (\`source =
      -- 'remote'\`, staff.set) kept until staff.remove. A removed member stays, inactive, for the
      -- audit trail's sake; only active members' PINs and badges must be unique.
      CREATE TABLE staff (
        id          TEXT PRIMARY KEY,
        name        TEXT,
        pin_hash    BLOB NOT NULL,
        badge_hash  BLOB,
        active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),
        source      TEXT NOT NULL DEFAULT 'config' CHECK (source IN ('config','remote'))
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX staff_active_pin ON staff (pin_hash) WHERE active = 1;
      CREATE UNIQUE INDEX staff_active_badge ON staff (badge_hash) WHERE active = 1 AND badge_hash IS NOT NULL;
    `,
  },
  {
    version: 6,
    description: 'which hold reminders were sent; the parcels whose hold ended',
    sql: `
      -- Every reminder of the parcel's current hold due at or before this time was dealt with
      -- (sent, or superseded by a later one sent with it); NULL: none yet. An extended hold sets
      -- it to the time of the extension. A time, not a count, so an edited reminder list or a
      -- clock set back sends nothing twice.
      ALTER TABLE parcels ADD COLUMN reminded_through INTEGER;
      -- A waiting parcel whose hold ended (expiry_reported_at set) stays 'deposited': it still
      -- occupies its compartment. The staff's list of them, oldest hold first.
      CREATE INDEX parcels_hold_ended ON parcels (expires_at) WHERE state = 'deposited' AND expiry_reported_at IS NOT NULL;
    `,
  },
  {
    version: 7,
    description: 'indexes for proof of delivery: door operations and audit rows by compartment and time, audit rows by parcel',
    sql: `
      -- A parcel's record (lockerctl parcels show, export) reads every door movement of its
      -- compartment between its reservation and its end: a range on (compartment, time), not a
      -- scan of the whole history. Rows without a compartment or parcel (logins, refusals) stay out.
      CREATE INDEX door_operations_compartment_time ON door_operations (compartment_id, requested_at);
      CREATE INDEX audit_compartment_time ON audit (compartment_id, at) WHERE compartment_id IS NOT NULL;
      CREATE INDEX audit_parcel ON audit (parcel_id) WHERE parcel_id IS NOT NULL;
    `,
  },
  {
    version: 8,
    description: 'the outbox without a unique index on event ids: one page fewer written per event',
    sql: `
      -- Nothing looks an event up by its id (upstream acknowledges and replays by seq), and ids are
      -- UUIDv7s minted by this process, so the UNIQUE constraint's index only cost the SD card one
      -- more page per event. SQLite cannot drop a constraint's index: the table is rebuilt.
      CREATE TABLE outbox_new (
        seq           INTEGER PRIMARY KEY AUTOINCREMENT,
        id            TEXT NOT NULL,
        type          TEXT NOT NULL,
        at            INTEGER NOT NULL,
        payload       TEXT NOT NULL,
        code_acked_at INTEGER
      );
      INSERT INTO outbox_new (seq, id, type, at, payload, code_acked_at)
        SELECT seq, id, type, at, payload, code_acked_at FROM outbox;
      -- AUTOINCREMENT's counter carries over: the newest events may have been pruned, and a seq
      -- is never reused (RENAME renames its sqlite_sequence row too).
      DELETE FROM sqlite_sequence WHERE name = 'outbox_new';
      INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_new', seq FROM sqlite_sequence WHERE name = 'outbox';
      DROP TABLE outbox;
      ALTER TABLE outbox_new RENAME TO outbox;
      CREATE INDEX outbox_codes_held ON outbox (code_acked_at) WHERE code_acked_at IS NOT NULL;
    `,
  },
  {
    version: 9,
    description: 'storage kinds: package rooms and front desks with their shelves and places; room door operations; signatures and authorised collectors for the front desk',
    rebuildsTables: true,
    sql: `
      -- A compartments row is a locker (its own door), a package room (one door, shelves inside) or
      -- a front desk (no door: board and lock are NULL). Parcels, door operations and the audit
      -- trail keep naming compartment ids, so a room or desk needs no second kind of reference.
      CREATE TABLE compartments_new (
        id          TEXT PRIMARY KEY,
        kind        TEXT NOT NULL DEFAULT 'locker' CHECK (kind IN ('locker','room','desk')),
        size        TEXT NOT NULL CHECK (size IN ('S','M','L','XL')),
        board       TEXT,
        lock        INTEGER CHECK (lock >= 1),
        accessible  INTEGER NOT NULL DEFAULT 0 CHECK (accessible IN (0,1)),
        out_of_service TEXT,
        CHECK ((kind = 'desk') = (board IS NULL)),
        CHECK ((board IS NULL) = (lock IS NULL)),
        UNIQUE (board, lock)
      ) WITHOUT ROWID;
      INSERT INTO compartments_new (id, kind, size, board, lock, accessible, out_of_service)
        SELECT id, 'locker', size, board, lock, accessible, out_of_service FROM compartments;
      DROP TABLE compartments;
      ALTER TABLE compartments_new RENAME TO compartments;

      -- The shelves of a room and the storage places of a desk. A place dropped from the config
      -- stays (inactive) while parcels or history name it.
      CREATE TABLE places (
        id          TEXT PRIMARY KEY,
        area        TEXT NOT NULL REFERENCES compartments (id),
        capacity    INTEGER NOT NULL CHECK (capacity >= 1),
        size        TEXT NOT NULL CHECK (size IN ('S','M','L','XL')),
        active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1))
      ) WITHOUT ROWID;
      CREATE INDEX places_area ON places (area);

      -- What a resident signed at the front desk: a compact vector path of the strokes, its
      -- SHA-256 over the record (who, when, which parcels, the statement), and the statement
      -- word for word. Append-only, like the audit trail.
      CREATE TABLE signatures (
        id          INTEGER PRIMARY KEY,
        at          INTEGER NOT NULL,
        desk        TEXT NOT NULL,
        staff_id    TEXT NOT NULL,
        unit        TEXT NOT NULL,
        collector   TEXT,
        statement   TEXT NOT NULL,
        parcels     TEXT NOT NULL,
        path        TEXT NOT NULL,
        sha256      TEXT NOT NULL
      );
      CREATE TRIGGER signatures_no_update BEFORE UPDATE ON signatures BEGIN SELECT RAISE(ABORT, 'signatures are append-only'); END;
      CREATE TRIGGER signatures_no_delete BEFORE DELETE ON signatures BEGIN SELECT RAISE(ABORT, 'signatures are append-only'); END;

      -- Someone a resident authorised (upstream command) to collect their parcels, by name.
      CREATE TABLE pickup_authorisations (
        id          TEXT PRIMARY KEY,
        unit        TEXT NOT NULL,
        collector   TEXT NOT NULL,
        parcel_id   TEXT REFERENCES parcels (id),
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        used_at     INTEGER,
        revoked_at  INTEGER
      ) WITHOUT ROWID;
      CREATE INDEX pickup_authorisations_unit ON pickup_authorisations (unit) WHERE used_at IS NULL AND revoked_at IS NULL;

      -- Parcels in a room or at a desk: the shelf or place they are on; when a room pickup was
      -- flagged for staff (not scanned out in time); the signature and the collector's name of a
      -- desk pickup.
      ALTER TABLE parcels ADD COLUMN place_id TEXT REFERENCES places (id);
      ALTER TABLE parcels ADD COLUMN pickup_flagged_at INTEGER;
      ALTER TABLE parcels ADD COLUMN signature_id INTEGER REFERENCES signatures (id);
      ALTER TABLE parcels ADD COLUMN collector TEXT;
      CREATE INDEX parcels_active_place ON parcels (place_id) WHERE place_id IS NOT NULL AND state IN ('reserved','deposited');

      -- Room doors: a courier's session (and an overflow parcel carried in) and a resident let in
      -- to collect; new purposes need a new CHECK.
      CREATE TABLE door_operations_new (
        id             INTEGER PRIMARY KEY,
        compartment_id TEXT NOT NULL REFERENCES compartments (id),
        purpose        TEXT NOT NULL CHECK (purpose IN ('deposit','pickup','technician','remote','staff','recall','audit','return_deposit','return_collect','room_deposit','room_pickup')),
        parcel_id      TEXT REFERENCES parcels (id),
        actor          TEXT NOT NULL,
        state          TEXT NOT NULL CHECK (state IN ('intent','opened','closed','failed','abandoned')),
        outcome        TEXT,
        requested_at   INTEGER NOT NULL,
        opened_at      INTEGER,
        ended_at       INTEGER,
        credential     TEXT CHECK (credential IN ('code','qr','pin','badge','staff'))
      );
      INSERT INTO door_operations_new SELECT id, compartment_id, purpose, parcel_id, actor, state, outcome, requested_at, opened_at, ended_at, credential FROM door_operations;
      DROP TABLE door_operations;
      ALTER TABLE door_operations_new RENAME TO door_operations;
      CREATE INDEX door_operations_active ON door_operations (compartment_id) WHERE state IN ('intent','opened');
      CREATE INDEX door_operations_compartment_time ON door_operations (compartment_id, requested_at);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
