/**
 * The shape of lockerd's configuration after validation and defaults. The JSON Schema in
 * ./schema.ts is the single source of truth for validation and defaults; this type mirrors it.
 */
import type { Language } from '../kiosk/screen.js';

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

/** Lock-board families lockerd drives over RS-485 (docs/lockboards.md): the registry's names. */
export type LockBoardProtocol = import('../../drivers/lockboard/families.js').ProtocolName;

export interface Rs485BoardConfig {
  /** Board id referenced by compartments, e.g. "B1"; unique across all buses. */
  id: string;
  /** Locks wired to the board (at most 16 for CU16, 24 for 0x8A, 48 for Modbus). */
  locks: number;
  /** Address set on the board: CU16 0..15, 0x8A 1..32, Modbus unit 1..247. */
  address: number;
  /** Family of this board when it differs from the bus's `protocol`. */
  protocol?: LockBoardProtocol;
  /** How the board reports a latch: bit 1 = closed (most boards) or bit 1 = open. */
  polarity: 'one-is-closed' | 'one-is-open';
  /** How long a lock is powered; the latch is read back after it. */
  pulseMs: number;
  /** Locks of one power group fire one at a time; unset = the board is its own group. */
  powerGroup?: string;
  /** CU16 item-present (infrared) sensors fitted and wired. */
  sensors: boolean;
  /** Modbus relay/I-O boards only. */
  modbus: {
    feedback: 'inputs' | 'coils';
    feedbackStart: number;
    relayStart: number;
    pulse: 'board' | 'host';
  };
}

export interface Rs485BusConfig {
  id: string;
  type: 'rs485';
  /** Serial device, best a /dev/serial/by-id/... link. */
  path: string;
  /** Family of the boards on this bus (a board may say otherwise). */
  protocol: LockBoardProtocol;
  baudRate: number;
  /** The adapter hands our own requests back (no automatic direction control). */
  echo: boolean;
  /** Ask the adapter's driver for low latency (Linux); ignored where unsupported. */
  lowLatency: boolean;
  /** Reply deadline after a request's last byte. */
  replyTimeoutMs: number;
  /** Silence before each request; unset = the protocol's own (Modbus 3.5 characters, others 1 character). */
  quietGapMs?: number;
  /** A poll cycle over every board starts at most this often (0 = back to back). */
  pollIntervalMs: number;
  /** Consecutive missed polls before a board is reported offline. */
  offlineAfterMisses: number;
  /** Unlock commands per unlock at most (the next only after a status read said "still closed"). */
  unlockAttempts: number;
  /** Extra status reads after a pulse that got no reply. */
  statusRetries: number;
  /** Spacing after a lock's pulse before the next lock of its power group fires. */
  powerGroupGapMs: number;
  /** First reopen delay after the port failed or went away; doubles up to reconnectMaxMs. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  boards: Rs485BoardConfig[];
}

export type BusConfig = SimBusConfig | Rs485BusConfig;

export interface CompartmentConfig {
  /** Printed on the door, e.g. "A01". */
  id: string;
  size: CompartmentSize;
  board: string;
  /** 1-based lock number on the board. */
  lock: number;
  /** Low enough for a wheelchair user to reach. */
  accessible: boolean;
  /** Position on the screen's map (1-based, row 1 at the top); both or neither. */
  column?: number;
  row?: number;
}

/** The touch page on the kiosk's screen (src/screen). */
export interface ScreenConfig {
  enabled: boolean;
  /** Listen address; anything but loopback is warned about at start. */
  host: string;
  port: number;
  /** The locker's name on the welcome screen. */
  name: string;
  /** Who to call, shown on the welcome screen and with failures. */
  support?: string;
  /** The map of the compartments: each column's ids from the top down. Absent: from the compartments. */
  layout?: { columns: string[][] };
}

/** What a station's kiosk serves: a locker bank, a package room, or a front desk. */
export type StorageKind = 'lockers' | 'room' | 'desk';

/** A shelf of a package room or a storage place of a front desk. */
export interface PlaceConfig {
  /** As its label says; unique across compartments, rooms, desks, shelves and places. */
  id: string;
  /** Parcels it holds. */
  capacity: number;
  /** The biggest parcel it takes. */
  size: CompartmentSize;
}

export interface RoomConfig {
  id: string;
  name?: string;
  /** The room door's lock (a strike or magnetic lock on a lock or relay board), with its latch sensor. */
  board: string;
  lock: number;
  shelves: PlaceConfig[];
  /** `scan`: each parcel's label is scanned at the kiosk on the way out; `done`: the screen's "done" also marks them all. */
  pickupConfirm: 'scan' | 'done';
  /** Parcels of a resident let in and not scanned out within this are flagged for staff. */
  scanOutWithinMs: number;
  /** A courier's session ends after this long without a scan. */
  sessionMs: number;
}

export interface DeskConfig {
  id: string;
  name?: string;
  places: PlaceConfig[];
  /** The statement a resident signs at pickup, stored word for word with the signature. */
  statement: string;
}

export interface OverflowConfig {
  /** A room or desk id. */
  to: string;
  sizes: CompartmentSize[];
}

export interface UnitConfig {
  /** Apartment or unit number as residents and couriers key it (digits only, e.g. "1204"). */
  id: string;
  /** Residents who need low compartments: their parcels go only into accessible compartments. */
  accessible: boolean;
}

export interface StaffConfig {
  /** Stable id, e.g. "concierge-ana": the audit trail names staff by it (`staff:<id>`). */
  id: string;
  /** Shown on the staff menu ("Hello Ana"). */
  name?: string;
  /** Keypad PIN, digits only, of another length than codes and unlike every courier's. Stored only as a keyed hash; never logged. */
  pin: string;
  /** The token of the staff badge barcode `LKB1/<token>`; stored only as a keyed hash. */
  badge?: string;
}

export interface CourierConfig {
  /** Stable id, e.g. "ups-route-12". */
  id: string;
  /** Carrier name, e.g. "UPS". */
  carrier: string;
  /** Keypad PIN, digits only. Stored only as a keyed hash in the ledger; never logged. */
  pin: string;
}

// --- Scanners, keypads and GPIO (docs/input.md) ---------------------------------------------

export interface SerialInputConfig {
  /** Serial device, best a /dev/serial/by-id/... link. */
  path: string;
  baudRate: number;
  /** First reopen delay after the port failed or went away; doubles up to reopenMaxMs. */
  reopenMinMs: number;
  reopenMaxMs: number;
}

export interface HidInputConfig {
  /** USB ids as 4 hex digits (lsusb). Either both ids or `hidraw` must be given. */
  vendorId?: string;
  productId?: string;
  /** A hidraw path; changes on replug, so ids are preferred. */
  hidraw?: string;
  /** Wait between USB enumerations while the device is missing. */
  rescanMs: number;
}

export type ScannerConfig =
  | ({ type: 'serial'; name?: string } & SerialInputConfig)
  | ({ type: 'hid-pos'; name?: string; reportId: number } & HidInputConfig)
  | ({ type: 'hid-keyboard'; name?: string; idleMs: number } & HidInputConfig);

export type KeypadConfig =
  | ({ type: 'serial'; name?: string; carriageReturn: 'ignore' | 'enter' } & SerialInputConfig)
  | ({ type: 'hid'; name?: string } & HidInputConfig)
  | {
      type: 'gpio-matrix';
      name?: string;
      rows: number[];
      columns: number[];
      layout: string[];
      debounceMs: number;
      scanIntervalMs: number;
      activeLow: boolean;
    };

export type GpioBiasConfig = 'as-is' | 'pull-up' | 'pull-down' | 'disable';

export interface GpioInputConfig {
  line: number;
  activeLow: boolean;
  bias: GpioBiasConfig;
  debounceMs: number;
}

export interface GpioOutputConfig {
  line: number;
  activeLow: boolean;
}

export interface GpioConfig {
  backend: 'auto' | 'gpiod' | 'sysfs' | 'sim';
  chip: string;
  sysfsRoot: string;
  toolsDir: string;
  pollMs: number;
  tamper?: GpioInputConfig;
  powerFail?: GpioInputConfig;
  buzzer?: GpioOutputConfig;
  lights?: { ok?: GpioOutputConfig; error?: GpioOutputConfig; busy?: GpioOutputConfig };
}

/** A climate sensor of the cabinet (src/cabinet, docs/cabinet.md). */
export interface CabinetSensorConfig {
  id: string;
  kind: 'ds18b20' | 'hwmon' | 'iio' | 'sim';
  quantity: 'temperature' | 'humidity' | 'illuminance';
  device?: string;
  path?: string;
}

export interface CabinetSwitchConfig extends GpioOutputConfig {
  minOnMs: number;
  minOffMs: number;
}

/** The outdoor cabinet: sensors, heater, fan, alarms, telemetry, the screen's brightness. */
export interface CabinetConfig {
  enabled: boolean;
  sysfsRoot: string;
  pollMs: number;
  readTimeoutMs: number;
  telemetryMs: number;
  /** Empty: every DS18B20 found at start. */
  sensors: CabinetSensorConfig[];
  heater?: CabinetSwitchConfig & { onBelowC: number; offAboveC: number };
  fan?: CabinetSwitchConfig & { onAboveC: number; offBelowC: number };
  alarms: { tooColdBelowC: number; tooHotAboveC: number; hysteresisC: number };
  sensorLost: { afterRejected: number; afterMs: number };
  simulation: { ambientC: number; heaterCPerMin: number; fanCPerMin: number; leakPerMin: number; humidityPercent: number; lux: number };
  brightness: {
    mode: 'off' | 'schedule' | 'light';
    /** "auto", "sim" or a /sys/class/backlight/<name> directory. */
    backlight: string;
    schedule: { from: string; percent: number }[];
    light?: { sensor: string; curve: { lux: number; percent: number }[] };
    minPercent: number;
    maxPercent: number;
  };
}

/** The name a scanner or keypad goes by in logs and lockerctl: its `name`, else e.g. "scanner-1". */
export function inputDeviceName(kind: 'scanner' | 'keypad', index: number, entry: { name?: string }): string {
  return entry.name ?? `${kind}-${index + 1}`;
}

/** A reminder: `before` the end of the hold, or `after` the deposit (exactly one of the two). */
export interface HoldReminder {
  before?: string;
  after?: string;
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
    /** A code the broker acknowledged but upstream never confirmed (`events.ack`) is erased this long after the PUBACK. */
    codeRetentionHours: number;
    telemetryIntervalMs: number;
    maxCommandBytes: number;
    /** Longest lifetime (expiresAt - issuedAt) a command may have; also how long command ids are remembered. */
    maxCommandTtlMs: number;
  };
  codes: {
    /** Digits in a retrieval code (6..12). Courier PINs must have a different length. */
    length: number;
    /**
     * The older name of `holds.length`, in days. Still accepted in a file; the loader moves it to
     * `holds.length` ("7d"), so a loaded config never has it.
     */
    holdDays?: number;
  };
  /** How long parcels are held, when residents are reminded, and what the end of a hold does (src/locker/hold-policy.ts). */
  holds: {
    /** The hold of every parcel, as a duration ("7d", "36h", "90m"); from `codes.holdDays` when only that is given. */
    length: string;
    /** A different hold for parcels in compartments of a size (e.g. XL: "3d", big compartments are scarce). */
    lengthBySize: Partial<Record<CompartmentSize, string>>;
    /** Reminders upstream sends to the resident (`parcel.reminder_due`), in the order they fall. */
    reminders: HoldReminder[];
    /** At the end of the hold (`parcel.hold_expired`): the code keeps opening the parcel, or it stops and the kiosk sends the resident to the office. */
    atEnd: 'code_keeps_working' | 'code_stops';
  };
  kiosk: {
    /** An abandoned kiosk session returns to idle after this long without input. */
    sessionTimeoutMs: number;
    /** Longest accepted scan, in characters. */
    maxScanLength: number;
    /** Longest keypad entry before it is reset (bounds key storms). */
    maxEntryLength: number;
    /** The kiosk's language when a session starts (the welcome screen's language key changes it per session). */
    language: Language;
  };
  /** Bounds on what a flooding input device (or anyone repeating a refused input) can write. */
  flood: {
    /** Identical refusals (actor, action, reason) within this window share one audit row after the first; 0 writes each. */
    refusalWindowMs: number;
    /** Lines per minute of each repeatable log message (refused scans, prompts); the rest are counted in one line. 0: unlimited. */
    logLinesPerMinute: number;
    /** A device sending more inputs a second than this, sustained over `sustainedMs`, is muted. 0: never. */
    maxInputsPerSecond: number;
    sustainedMs: number;
    /** How long a flooding device is muted; a device that floods again soon after gets twice as long. */
    mutedForMs: number;
    /** The longest mute, and how long a device must stay calm after one for the next to start at `mutedForMs`. */
    maxMutedForMs: number;
  };
  doors: {
    /** A door open longer than this raises `door.left_open`. */
    leftOpenMs: number;
    /** Unlock attempts (each on a different compartment) before a courier is told to call support. */
    maxAllocationAttempts: number;
  };
  allocation: {
    /**
     * Sizes whose compartment may hold several parcels for one unit: the courier adds a parcel to
     * the unit's compartment at the size prompt ("add to A11") when it fits. Empty: one parcel per compartment.
     */
    shareCompartments: CompartmentSize[];
    /** Rooms or desks that take parcels no compartment fits, in order, each for some sizes. */
    overflow: OverflowConfig[];
  };
  /** Separate budgets for codes (and pickup QRs) and for PINs (and badges); see docs/security.md. */
  guessing: {
    /** Failed entries (kiosk-wide, within 24 h) allowed before the kiosk starts making people wait. */
    freeFailures: number;
    /** Wait imposed after the first failure beyond the free ones; doubles with each further failure. */
    baseLockoutMs: number;
    /** Before the alarm the wait never grows beyond this (at most 60 s). */
    maxLockoutMs: number;
    /** This many failures within one hour raise the `kiosk.guessing_suspected` alarm. */
    alarmFailuresPerHour: number;
    /** This many failures within 24 hours raise it too: the bound on an attacker pacing below the hourly alarm. */
    alarmFailuresPerDay: number;
    /** Once the alarm is raised, each failure makes the next check wait this long, until guessing stops for an hour. */
    suspectedLockoutMs: number;
  };
  buses: BusConfig[];
  /** Real barcode scanners (default none). */
  scanners: ScannerConfig[];
  /** Real keypads (default none). */
  keypads: KeypadConfig[];
  /** Tamper switch, UPS power-fail input, buzzer and lights (default none wired). */
  gpio: GpioConfig;
  /** The outdoor cabinet's climate and the screen's brightness (off by default). */
  cabinet: CabinetConfig;
  screen: ScreenConfig;
  /** The simulated keypad and scanner `lockerctl sim keys|scan` drive; both off unless asked for (the demo config asks). */
  simulator: { keypad: boolean; scanner: boolean };
  /** What this station's kiosk serves (docs/storage.md). */
  storage: StorageKind;
  rooms: RoomConfig[];
  desks: DeskConfig[];
  compartments: CompartmentConfig[];
  units: UnitConfig[];
  couriers: CourierConfig[];
  /** Staff who log in to the kiosk's staff menu (default none). */
  staff: StaffConfig[];
}
