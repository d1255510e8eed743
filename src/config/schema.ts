/**
 * JSON Schema (draft-07) for lockerd's configuration: the single source of truth for validation
 * and defaults (compiled by ./load.ts with ajv `useDefaults`). `LockerdConfig` in ./types.ts
 * mirrors it; test/config checks that a minimal file comes out as a complete LockerdConfig.
 *
 * Conventions, relied on by ./load.ts to word its error messages:
 * - every object has `additionalProperties: false`, so a typo is an error rather than a silent
 *   default;
 * - every string constrained by `pattern` carries a `description` that says, in words a
 *   technician understands, what is expected; the pattern itself bounds the length, so a bad
 *   string yields one problem, not two;
 * - every number and string is bounded and every array has `maxItems`: config files are
 *   untrusted input too;
 * - optional sections default to `{}` so their members' defaults apply.
 */

import { COMPARTMENT_SIZES, type LockBoardProtocol, type LogLevel } from './types.js';
import { LANGUAGES } from '../kiosk/screen.js';
import { DURATION_DESCRIPTION, DURATION_PATTERN } from '../locker/hold-policy.js';

// Kept as plain objects (not JSONSchemaType) because the bus union is a discriminated oneOf,
// which JSONSchemaType cannot express well.
type Schema = Record<string, unknown>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function int(minimum: number, maximum: number, extra: Schema = {}): Schema {
  return { type: 'integer', minimum, maximum, ...extra };
}

function text(pattern: string, description: string): Schema {
  return { type: 'string', pattern, description };
}

/** A hold or reminder duration ("7d", "36h", "90m"); bounded to 365 days by the cross-checks. */
function duration(): Schema {
  return text(DURATION_PATTERN, DURATION_DESCRIPTION);
}

/** A file path: any characters but NUL, bounded. */
function filePath(maxLength: number, def: string, what: string): Schema {
  return {
    type: 'string',
    pattern: `^[^\\u0000]{1,${maxLength}}$`,
    description: `${what} of 1 to ${maxLength} characters`,
    default: def,
  };
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const satisfies readonly LogLevel[];
// Fails to compile if types.ts gains a level this list lacks.
const everyLevelListed: (typeof LOG_LEVELS)[number] extends LogLevel ? (LogLevel extends (typeof LOG_LEVELS)[number] ? true : false) : false = true;
void everyLevelListed;

export const KIOSK_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
export const COMPARTMENT_ID_PATTERN = '^[A-Za-z0-9-]{1,16}$';
export const BOARD_ID_PATTERN = '^[A-Za-z0-9_-]{1,16}$';
export const BUS_ID_PATTERN = '^[A-Za-z0-9_-]{1,32}$';
export const UNIT_ID_PATTERN = '^[0-9]{1,8}$';
export const COURIER_ID_PATTERN = '^[A-Za-z0-9_.-]{1,64}$';
export const COURIER_PIN_PATTERN = '^[0-9]{4,12}$';
/** Hardware limit of the boards lockerd can drive. */
export const MAX_LOCKS_PER_BOARD = 48;

const boardSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'locks'],
  properties: {
    id: text(BOARD_ID_PATTERN, `1 to 16 letters, digits, "_" or "-"`),
    locks: int(1, MAX_LOCKS_PER_BOARD),
  },
};

const simBusSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'boards'],
  properties: {
    id: text(BUS_ID_PATTERN, `1 to 32 letters, digits, "_" or "-"`),
    type: { const: 'sim' },
    autoCloseMs: int(0, HOUR, { default: 0 }),
    unlockDelayMs: int(0, 10_000, { default: 50 }),
    boards: { type: 'array', minItems: 1, maxItems: 32, items: boardSchema },
  },
};

// --- RS-485 lock-board buses (docs/lockboards.md) ---------------------------------------------

/** The highest board address of any family (a Modbus unit id). */
export const MAX_BOARD_ADDRESS = 247;
export const LOCKBOARD_PROTOCOLS = ['kerong-cu16', 'clone-8a', 'modbus-rtu'] as const satisfies readonly LockBoardProtocol[];
/** Per family: board addresses and locks per board lockerd drives (checked against the drivers in test/drivers). */
export const LOCKBOARD_LIMITS: Record<LockBoardProtocol, { addressMin: number; addressMax: number; maxLocks: number }> = {
  'kerong-cu16': { addressMin: 0, addressMax: 15, maxLocks: 16 },
  'clone-8a': { addressMin: 1, addressMax: 32, maxLocks: 24 },
  'modbus-rtu': { addressMin: 1, addressMax: MAX_BOARD_ADDRESS, maxLocks: MAX_LOCKS_PER_BOARD },
};
export const RS485_BAUD_RATES = [1200, 2400, 4800, 9600, 14400, 19200, 38400, 57600, 115200] as const;
export const POWER_GROUP_PATTERN = '^[A-Za-z0-9_-]{1,32}$';

const rs485BoardSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'locks', 'address'],
  properties: {
    id: text(BOARD_ID_PATTERN, `1 to 16 letters, digits, "_" or "-"`),
    locks: int(1, MAX_LOCKS_PER_BOARD),
    address: int(0, MAX_BOARD_ADDRESS),
    protocol: { enum: [...LOCKBOARD_PROTOCOLS] },
    polarity: { enum: ['one-is-closed', 'one-is-open'], default: 'one-is-closed' },
    pulseMs: int(50, 10_000, { default: 500 }),
    powerGroup: text(POWER_GROUP_PATTERN, `1 to 32 letters, digits, "_" or "-"`),
    sensors: { type: 'boolean', default: false },
    modbus: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        feedback: { enum: ['inputs', 'coils'], default: 'inputs' },
        feedbackStart: int(0, 0xffff, { default: 0 }),
        relayStart: int(0, 0xff, { default: 0 }),
        pulse: { enum: ['board', 'host'], default: 'board' },
      },
    },
  },
};

const rs485BusSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'path', 'protocol', 'baudRate', 'boards'],
  properties: {
    id: text(BUS_ID_PATTERN, `1 to 32 letters, digits, "_" or "-"`),
    type: { const: 'rs485' },
    path: { type: 'string', pattern: '^/[^\\u0000]{1,4095}$', description: 'the serial device: an absolute path of at most 4096 characters, best a stable /dev/serial/by-id/... link' },
    protocol: { enum: [...LOCKBOARD_PROTOCOLS] },
    baudRate: { enum: [...RS485_BAUD_RATES] },
    echo: { type: 'boolean', default: false },
    lowLatency: { type: 'boolean', default: true },
    replyTimeoutMs: int(10, 2000, { default: 100 }),
    quietGapMs: { type: 'number', minimum: 0, maximum: 100 },
    pollIntervalMs: int(0, MINUTE, { default: 100 }),
    offlineAfterMisses: int(1, 100, { default: 3 }),
    unlockAttempts: int(1, 5, { default: 2 }),
    statusRetries: int(0, 5, { default: 1 }),
    powerGroupGapMs: int(0, MINUTE, { default: 200 }),
    reconnectMinMs: int(50, MINUTE, { default: 500 }),
    reconnectMaxMs: int(100, HOUR, { default: 30_000 }),
    boards: { type: 'array', minItems: 1, maxItems: 32, items: rs485BoardSchema },
  },
};

/**
 * One entry per bus type, selected by `type` (ajv `discriminator`). A real RS-485 bus is added by
 * appending its schema here: each entry needs `properties.type.const` and `type` in `required`.
 */
export const BUS_SCHEMAS: Schema[] = [simBusSchema, rs485BusSchema];

// --- Scanners, keypads and GPIO (docs/input.md) ----------------------------------------------

export const INPUT_NAME_PATTERN = '^[A-Za-z0-9_-]{1,32}$';
const inputName = text(INPUT_NAME_PATTERN, `1 to 32 letters, digits, "_" or "-"`);
const usbId = (what: string): Schema => text('^[0-9A-Fa-f]{4}$', `the USB ${what} as 4 hexadecimal digits, as lsusb prints it (e.g. "0c2e")`);
const devicePath = (what: string): Schema => ({ type: 'string', pattern: '^/[^\\u0000]{1,4095}$', description: `${what}: an absolute path of at most 4096 characters` });
const baudRate: Schema = { enum: [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200], default: 9600 };
/** A serial scanner or keypad: where it is, and how a lost port is reopened (doubling delays). */
const serialPort = {
  path: devicePath('the serial device, best a stable /dev/serial/by-id/... link'),
  baudRate,
};
const reopen = {
  reopenMinMs: int(50, MINUTE, { default: 500 }),
  reopenMaxMs: int(100, HOUR, { default: 30_000 }),
};
const rescanMs = int(500, MINUTE, { default: 2000 });

const serialScannerSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'path'],
  properties: {
    type: { const: 'serial' },
    name: inputName,
    ...serialPort,
    ...reopen,
  },
};

const hidMatch = {
  vendorId: usbId('vendor id'),
  productId: usbId('product id'),
  hidraw: devicePath('a hidraw device such as /dev/hidraw2 (it can change on replug; prefer vendorId and productId)'),
  rescanMs,
};

export const SCANNER_SCHEMAS: Schema[] = [
  serialScannerSchema,
  {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: { type: { const: 'hid-pos' }, name: inputName, ...hidMatch, reportId: int(1, 255, { default: 2 }) },
  },
  {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: { type: { const: 'hid-keyboard' }, name: inputName, ...hidMatch, idleMs: int(10, 2000, { default: 100 }) },
  },
];

/** Header GPIO numbers are offsets on the chip; 1023 bounds any real chip. */
const gpioLine = int(0, 1023);
export const MATRIX_LAYOUT_ROW_PATTERN = '^[0-9*#A-D]{1,8}$';

export const KEYPAD_SCHEMAS: Schema[] = [
  {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'path'],
    properties: {
      type: { const: 'serial' },
      name: inputName,
      ...serialPort,
      carriageReturn: { enum: ['ignore', 'enter'], default: 'ignore' },
      ...reopen,
    },
  },
  {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: { type: { const: 'hid' }, name: inputName, ...hidMatch },
  },
  {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'rows', 'columns'],
    properties: {
      type: { const: 'gpio-matrix' },
      name: inputName,
      rows: { type: 'array', minItems: 1, maxItems: 8, items: gpioLine },
      columns: { type: 'array', minItems: 1, maxItems: 8, items: gpioLine },
      layout: {
        type: 'array',
        minItems: 1,
        maxItems: 8,
        items: text(MATRIX_LAYOUT_ROW_PATTERN, 'one string per row, one key per column, from 0-9 * # A B C D'),
        default: ['123', '456', '789', '*0#'],
      },
      debounceMs: int(20, 50, { default: 30 }),
      scanIntervalMs: int(2, 50, { default: 10 }),
      activeLow: { type: 'boolean', default: true },
    },
  },
];

export const GPIO_BIASES = ['as-is', 'pull-up', 'pull-down', 'disable'] as const;

function gpioInput(debounceMs: number): Schema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['line'],
    properties: {
      line: gpioLine,
      activeLow: { type: 'boolean', default: false },
      bias: { enum: [...GPIO_BIASES], default: 'as-is' },
      debounceMs: int(0, MINUTE, { default: debounceMs }),
    },
  };
}

const gpioOutput: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['line'],
  properties: { line: gpioLine, activeLow: { type: 'boolean', default: false } },
};

const gpioSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    backend: { enum: ['auto', 'gpiod', 'sysfs', 'sim'], default: 'auto' },
    chip: { ...text('^[A-Za-z0-9_./:-]{1,64}$', '"auto", a chip label such as "pinctrl-bcm2711", or a chip name such as "gpiochip0" (1 to 64 characters)'), default: 'auto' },
    sysfsRoot: filePath(4096, '/sys/class/gpio', 'a directory path'),
    toolsDir: filePath(4096, '/usr/bin', 'a directory path'),
    pollMs: int(5, 1000, { default: 20 }),
    tamper: gpioInput(50),
    powerFail: gpioInput(2000),
    buzzer: gpioOutput,
    lights: {
      type: 'object',
      additionalProperties: false,
      properties: { ok: gpioOutput, error: gpioOutput, busy: gpioOutput },
    },
  },
};

/** The kiosk's touch screen page (src/screen, docs/screen.md). */
const screenSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    enabled: { type: 'boolean', default: true, description: 'serve the touch page for the kiosk screen' },
    host: {
      ...text('^(?=.{1,253}$)[A-Za-z0-9.:-]+$', 'an IP address or host name to listen on (default 127.0.0.1; anything but loopback lets other machines use the page)'),
      default: '127.0.0.1',
    },
    port: int(0, 65_535, { default: 8480, description: 'the TCP port; 0 picks a free one (tests: lockerctl screen url tells which)' }),
    name: { ...text('^[^\\u0000-\\u001f\\u007f]{1,64}$', '1 to 64 printable characters'), default: 'Parcel locker' },
    support: text('^[^\\u0000-\\u001f\\u007f]{1,128}$', 'who to call, 1 to 128 printable characters (e.g. "Front desk 555-0100")'),
    layout: {
      type: 'object',
      additionalProperties: false,
      required: ['columns'],
      properties: {
        // Each column lists its compartment ids from the top down; every compartment exactly once.
        columns: {
          type: 'array',
          minItems: 1,
          maxItems: 64,
          items: { type: 'array', minItems: 1, maxItems: 64, items: text(COMPARTMENT_ID_PATTERN, 'a compartment id') },
        },
      },
    },
  },
};

export const configSchema: Schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://lockerd.local/schemas/config.json',
  title: 'lockerd configuration',
  type: 'object',
  additionalProperties: false,
  required: ['kioskId', 'buses', 'compartments', 'units', 'couriers'],
  properties: {
    kioskId: text(KIOSK_ID_PATTERN, `1 to 64 letters, digits, "_" or "-" (it becomes an MQTT topic level)`),
    log: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: { enum: [...LOG_LEVELS], default: 'info' },
      },
    },
    ledger: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        path: filePath(4096, './var/lockerd.db', 'a file path'),
        keyFile: filePath(4096, './var/lockerd.key', 'a file path'),
      },
    },
    control: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        // 107 bytes is the Linux limit for a Unix socket path (sun_path).
        socketPath: filePath(107, './var/lockerd.sock', 'a socket path'),
        group: text('^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$', `a group name of 1 to 32 letters, digits, "_", "." or "-"`),
      },
    },
    mqtt: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        url: {
          type: 'string',
          pattern: '^(?=.{1,1024}$)(mqtt|mqtts|tcp|tls|ssl|ws|wss)://\\S+$',
          description:
            'a broker URL such as mqtt://host:1883 or mqtts://host:8883 (schemes mqtt, mqtts, tcp, tls, ssl, ws, wss; at most 1024 characters, no spaces)',
          default: 'mqtt://localhost:1883',
        },
        // The full topic is <prefix>/<kioskId>/<leaf>; brokers such as AWS IoT allow 7 levels, so
        // the prefix may use at most 5. No "+", "#" or "$": they are wildcards or reserved.
        prefix: {
          type: 'string',
          pattern: '^(?=.{1,128}$)[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,4}$',
          description:
            '1 to 5 topic levels separated by "/", each of letters, digits, "_", "." or "-" (at most 128 characters)',
          default: 'lockers',
        },
        enabled: { type: 'boolean', default: true, description: 'false keeps the locker offline on purpose: events wait in the outbox' },
        protocolVersion: { enum: [4, 5], default: 5, description: '5 for MQTT 5, 4 for MQTT 3.1.1' },
        username: { type: 'string', minLength: 1, maxLength: 256 },
        password: { type: 'string', minLength: 1, maxLength: 1024 },
        tls: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            ca: { type: 'string', minLength: 1, maxLength: 4096, description: 'a path to the CA certificate (PEM) that signed the broker' },
            cert: { type: 'string', minLength: 1, maxLength: 4096, description: 'a path to the client certificate (PEM)' },
            key: { type: 'string', minLength: 1, maxLength: 4096, description: 'a path to the client key (PEM)' },
            rejectUnauthorized: { type: 'boolean', default: true },
          },
        },
        keepaliveSeconds: int(5, 3600, { default: 30 }),
        sessionExpirySeconds: int(0, 30 * 24 * 3600, { default: 7 * 24 * 3600 }),
        reconnectMinMs: int(100, MINUTE, { default: 1_000 }),
        reconnectMaxMs: int(1_000, HOUR, { default: 60_000 }),
        watchdogMs: int(10_000, DAY, { default: 5 * MINUTE }),
        inflight: int(1, 1_000, { default: 32 }),
        retentionDays: int(1, 365, { default: 7 }),
        codeRetentionHours: int(1, 30 * 24, { default: 72 }),
        telemetryIntervalMs: int(5_000, DAY, { default: 60_000 }),
        maxCommandBytes: int(256, 128 * 1024, { default: 16 * 1024 }),
        maxCommandTtlMs: int(MINUTE, 30 * DAY, { default: 7 * DAY }),
      },
    },
    codes: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        length: int(6, 12, { default: 8 }),
        // No default: the loader moves it to holds.length, whose default it is.
        holdDays: int(1, 365),
      },
    },
    holds: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        length: duration(),
        lengthBySize: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: Object.fromEntries(COMPARTMENT_SIZES.map((s) => [s, duration()])),
        },
        reminders: {
          type: 'array',
          maxItems: 5,
          default: [],
          items: { type: 'object', additionalProperties: false, properties: { before: duration(), after: duration() } },
        },
        atEnd: { enum: ['code_keeps_working', 'code_stops'], default: 'code_keeps_working' },
      },
    },
    kiosk: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        sessionTimeoutMs: int(5_000, HOUR, { default: MINUTE }),
        maxScanLength: int(32, 4096, { default: 512 }),
        maxEntryLength: int(4, 256, { default: 32 }),
        language: { enum: [...LANGUAGES], default: 'en' },
      },
    },
    flood: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        refusalWindowMs: int(0, HOUR, { default: MINUTE }),
        logLinesPerMinute: int(0, 10_000, { default: 10 }),
        maxInputsPerSecond: int(0, 10_000, { default: 30 }),
        sustainedMs: int(500, MINUTE, { default: 3_000 }),
        mutedForMs: int(1_000, DAY, { default: MINUTE }),
        maxMutedForMs: int(1_000, DAY, { default: HOUR }),
      },
    },
    doors: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        leftOpenMs: int(5_000, DAY, { default: 2 * MINUTE }),
        maxAllocationAttempts: int(1, 10, { default: 3 }),
      },
    },
    allocation: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        shareCompartments: { type: 'array', items: { enum: [...COMPARTMENT_SIZES] }, maxItems: 16, default: ['L', 'XL'] },
      },
    },
    guessing: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        freeFailures: int(0, 100, { default: 10 }),
        baseLockoutMs: int(1_000, MINUTE, { default: 30_000 }),
        // At most a minute: the longest a correct code waits for other people's failures before the alarm.
        maxLockoutMs: int(1_000, MINUTE, { default: MINUTE }),
        alarmFailuresPerHour: int(1, 10_000, { default: 10 }),
        alarmFailuresPerDay: int(1, 10_000, { default: 50 }),
        suspectedLockoutMs: int(MINUTE, DAY, { default: 15 * MINUTE }),
      },
    },
    buses: {
      type: 'array',
      minItems: 1,
      maxItems: 16,
      items: {
        // A missing or unknown `type` is reported by the discriminator, not by `required`.
        type: 'object',
        discriminator: { propertyName: 'type' },
        oneOf: BUS_SCHEMAS,
      },
    },
    compartments: {
      // An empty list is allowed here and reported by the cross-checks, with a clearer sentence.
      type: 'array',
      maxItems: 512,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'size', 'board', 'lock'],
        properties: {
          id: text(COMPARTMENT_ID_PATTERN, `1 to 16 letters, digits or "-"`),
          size: { enum: [...COMPARTMENT_SIZES] },
          board: text(BOARD_ID_PATTERN, `a board id: 1 to 16 letters, digits, "_" or "-"`),
          lock: int(1, MAX_LOCKS_PER_BOARD),
          accessible: { type: 'boolean', default: false },
          // Where the door is on the screen's map of the locker (1-based, row 1 at the top); give
          // both or neither, for every compartment or none (see screen.layout for the other way).
          column: int(1, 64),
          row: int(1, 64),
        },
      },
    },
    units: {
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          id: text(UNIT_ID_PATTERN, '1 to 8 digits, written as a string in double quotes'),
          accessible: { type: 'boolean', default: false },
        },
      },
    },
    couriers: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'carrier', 'pin'],
        properties: {
          id: text(COURIER_ID_PATTERN, `1 to 64 letters, digits, "_", "." or "-"`),
          carrier: text('^[^\\u0000-\\u001f\\u007f]{1,64}$', '1 to 64 printable characters'),
          pin: text(COURIER_PIN_PATTERN, '4 to 12 digits, written as a string in double quotes'),
        },
      },
    },
    // Staff log in at the kiosk to the staff menu (README "Staff mode at the kiosk"); PINs like couriers'.
    staff: {
      type: 'array',
      maxItems: 1000,
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'pin'],
        properties: {
          id: text(COURIER_ID_PATTERN, `1 to 64 letters, digits, "_", "." or "-"`),
          name: text('^[^\\u0000-\\u001f\\u007f]{1,64}$', '1 to 64 printable characters'),
          pin: text(COURIER_PIN_PATTERN, '4 to 12 digits, written as a string in double quotes'),
          badge: text('^[A-Z2-7]{26}$', 'the 26-character base32 token of the badge barcode LKB1/<token>'),
        },
      },
    },
    scanners: {
      type: 'array',
      maxItems: 8,
      default: [],
      items: { type: 'object', discriminator: { propertyName: 'type' }, oneOf: SCANNER_SCHEMAS },
    },
    keypads: {
      type: 'array',
      maxItems: 8,
      default: [],
      items: { type: 'object', discriminator: { propertyName: 'type' }, oneOf: KEYPAD_SCHEMAS },
    },
    gpio: gpioSchema,
    screen: screenSchema,
    // Off unless asked for: on a real locker a simulated keypad would let anyone with the control
    // socket type a resident's code (simulated doors come with a bus of type "sim" instead).
    simulator: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        keypad: { type: 'boolean', default: false, description: 'a simulated keypad that lockerctl sim keys types on' },
        scanner: { type: 'boolean', default: false, description: 'a simulated scanner that lockerctl sim scan scans with' },
      },
    },
  },
};
