/**
 * The shape of lockerd's configuration after validation and defaults. The JSON Schema in
 * ./schema.ts is the single source of truth for validation and defaults; this type mirrors it.
 */

export type CompartmentSize = 'S' | 'M' | 'L' | 'XL';
export const COMPARTMENT_SIZES: readonly CompartmentSize[] = ['S', 'M', 'L', 'XL'];

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface SimBoardConfig {
  /** Board id referenced by compartments, e.g. "B1". */
  id: string;
  /** Number of locks on the board (1..48). */
  locks: number;
}

export interface SimBusConfig {
  id: string;
  type: 'sim';
  /** The simulated door swings shut by itself this long after it opened; 0 = only when told to. */
  autoCloseMs: number;
  /** Simulated time between the unlock command and the latch reading open. */
  unlockDelayMs: number;
  boards: SimBoardConfig[];
}

/** Only the simulated bus exists in the foundation; real RS-485 buses join this union later. */
export type BusConfig = SimBusConfig;

export interface CompartmentConfig {
  /** Printed on the door, e.g. "A01". */
  id: string;
  size: CompartmentSize;
  board: string;
  /** 1-based lock number on the board. */
  lock: number;
  /** Low enough for a wheelchair user to reach. */
  accessible: boolean;
}

export interface UnitConfig {
  /** Apartment or unit number as residents and couriers key it (digits only, e.g. "1204"). */
  id: string;
  /** Residents who need low compartments: their parcels go only into accessible compartments. */
  accessible: boolean;
}

export interface CourierConfig {
  /** Stable id, e.g. "ups-route-12". */
  id: string;
  /** Carrier name, e.g. "UPS". */
  carrier: string;
  /** Keypad PIN, digits only. Stored only as a keyed hash in the ledger; never logged. */
  pin: string;
}

export interface LockerdConfig {
  /** Identifies this locker upstream; also the MQTT client id. */
  kioskId: string;
  log: { level: LogLevel };
  ledger: {
    /** SQLite file. Relative paths resolve against the working directory. */
    path: string;
    /** Per-install secret key for code and PIN hashes (created with mode 0600 if missing). */
    keyFile: string;
  };
  control: {
    /** Unix socket for lockerctl (mode 0660). */
    socketPath: string;
    /** Group that may use lockerctl; unset = the daemon's own group. */
    group?: string;
  };
  mqtt: {
    url: string;
    /** Topic root is `<prefix>/<kioskId>`. */
    prefix: string;
    /** false keeps the locker offline on purpose; events wait in the outbox. */
    enabled: boolean;
    /** 5 = MQTT 5, 4 = MQTT 3.1.1. */
    protocolVersion: 4 | 5;
    username?: string;
    /** Never logged or shown in errors. */
    password?: string;
    tls: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
    keepaliveSeconds: number;
    /** The broker keeps the session (and commands sent meanwhile) this long while we are offline. */
    sessionExpirySeconds: number;
    reconnectMinMs: number;
    reconnectMaxMs: number;
    /** A client disconnected this long without trying to reconnect is destroyed and made anew. */
    watchdogMs: number;
    /** Events published and not yet acknowledged, at most. */
    inflight: number;
    /** Sent outbox rows are deleted after this many days. */
    retentionDays: number;
    telemetryIntervalMs: number;
    maxCommandBytes: number;
    /** Longest lifetime (expiresAt - issuedAt) a command may have; also how long command ids are remembered. */
    maxCommandTtlMs: number;
  };
  codes: {
    /** Digits in a retrieval code (6..12). Courier PINs must have a different length. */
    length: number;
    /** Days a parcel is held before it counts as expired. */
    holdDays: number;
  };
  kiosk: {
    /** An abandoned kiosk session returns to idle after this long without input. */
    sessionTimeoutMs: number;
    /** Longest accepted scan, in characters. */
    maxScanLength: number;
    /** Longest keypad entry before it is reset (bounds key storms). */
    maxEntryLength: number;
  };
  doors: {
    /** A door open longer than this raises `door.left_open`. */
    leftOpenMs: number;
    /** Unlock attempts (each on a different compartment) before a courier is told to call support. */
    maxAllocationAttempts: number;
  };
  guessing: {
    /** Failed code or PIN entries (kiosk-wide) allowed before the kiosk starts making people wait. */
    freeFailures: number;
    /** Wait imposed after the first failure beyond the free ones; doubles with each further failure. */
    baseLockoutMs: number;
    /** The wait never grows beyond this. */
    maxLockoutMs: number;
    /** This many failures within one hour raise the `kiosk.guessing_suspected` alarm. */
    alarmFailuresPerHour: number;
  };
  buses: BusConfig[];
  compartments: CompartmentConfig[];
  units: UnitConfig[];
  couriers: CourierConfig[];
}
