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
import { FAMILIES, PROTOCOLS } from '../../drivers/lockboard/families.js';
import { LANGUAGES } from '../kiosk/screen.js';
import { DURATION_DESCRIPTION, DURATION_PATTERN } from '../locker/hold-policy.js';
import { overflowSchema, storageSchemas } from './storage-schema.js';

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
/** Hardware limit of the boards lockerd can drive: the most locks of any lock-board family. */
export const MAX_LOCKS_PER_BOARD = Math.max(...PROTOCOLS.map((p) => FAMILIES[p].maxLocks));
/** "at most 16 for `kerong-cu16`, 24 for `clone-8a`": the families that drive fewer locks than the schema allows. */
const LOCKS_TITLE = `Number of locks on the board. \`rs485\`: at most ${PROTOCOLS.filter((p) => FAMILIES[p].maxLocks < MAX_LOCKS_PER_BOARD).map((p) => `${FAMILIES[p].maxLocks} for \`${p}\``).join(', ')}.`;

const boardSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'locks'],
  properties: {
    id: { ...text(BOARD_ID_PATTERN, `1 to 16 letters, digits, "_" or "-"`), title: 'Name of the board, used by `compartments[].board`. Unique across all buses.' },
    locks: int(1, MAX_LOCKS_PER_BOARD, { title: LOCKS_TITLE }),
  },
};

const simBusSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'boards'],
  properties: {
    id: { ...text(BUS_ID_PATTERN, `1 to 32 letters, digits, "_" or "-"`), title: 'Name of the bus in logs and `lockerctl`. Unique.' },
    type: { const: 'sim', title: 'Kind of bus.' },
    autoCloseMs: int(0, HOUR, { default: 0, title: 'A simulated door swings shut by itself this long after it opened; 0 = only when told to (`lockerctl`).' }),
    unlockDelayMs: int(0, 10_000, { default: 50, title: 'Simulated time between the unlock command and the latch reading open.' }),
    boards: { type: 'array', minItems: 1, maxItems: 32, items: boardSchema, title: 'The lock boards on this bus.' },
  },
};

// --- RS-485 lock-board buses (docs/lockboards.md) ---------------------------------------------

/** The highest board address of any family (a Modbus unit id). */
export const MAX_BOARD_ADDRESS = Math.max(...PROTOCOLS.map((p) => FAMILIES[p].addressMax));
/** The lock-board families of drivers/lockboard/families.ts, the one list of them. */
export const LOCKBOARD_PROTOCOLS: readonly LockBoardProtocol[] = PROTOCOLS;
const ADDRESS_RANGES = PROTOCOLS.map((p) => `\`${p}\` ${FAMILIES[p].addressMin} to ${FAMILIES[p].addressMax}`).join(', ');
export const RS485_BAUD_RATES = [1200, 2400, 4800, 9600, 14400, 19200, 38400, 57600, 115200] as const;
export const POWER_GROUP_PATTERN = '^[A-Za-z0-9_-]{1,32}$';

const rs485BoardSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'locks', 'address'],
  properties: {
    id: { ...text(BOARD_ID_PATTERN, `1 to 16 letters, digits, "_" or "-"`), title: 'Name of the board, used by `compartments[].board`. Unique across all buses.' },
    locks: int(1, MAX_LOCKS_PER_BOARD, { title: LOCKS_TITLE }),
    address: int(0, MAX_BOARD_ADDRESS, { title: `The address set on the board (DIP switches or rotary switch; Modbus unit id). Per family: ${ADDRESS_RANGES}; unique per protocol on a bus.` }),
    protocol: { enum: [...LOCKBOARD_PROTOCOLS], title: 'Family of this board, when it differs from the bus\'s. All boards of a bus share its baud rate.' },
    polarity: { enum: ['one-is-closed', 'one-is-open'], default: 'one-is-closed', title: 'How the board reports a latch. Most boards read bit 1 as latched (closed). If every door shows open on a locker that is shut, it is the other one.' },
    pulseMs: int(50, 10_000, { default: 500, title: 'How long a lock is powered; the latch is read back after it. About 500 for electromagnetic locks, 1000 for motor locks. Modbus board-timed pulses round it up to 100 ms steps.' }),
    powerGroup: { ...text(POWER_GROUP_PATTERN, `1 to 32 letters, digits, "_" or "-"`), title: 'Boards on one power supply share a group name: their locks fire one at a time (across buses too). Unset, only the board\'s own locks wait for each other.' },
    sensors: { type: 'boolean', default: false, title: 'The board\'s item-present (infrared) sensors are fitted; `lockerctl doors` and door events then report them. `kerong-cu16` only.' },
    modbus: {
      title: 'Modbus RTU relay/I-O boards only; ignored for other families.',
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        feedback: { enum: ['inputs', 'coils'], default: 'inputs', title: 'Where the door (latch) switches are read: discrete inputs (FC 02) or coils (FC 01).' },
        feedbackStart: int(0, 0xffff, { default: 0, title: 'Address of lock 1\'s feedback bit; lock n is at `feedbackStart + n - 1`. The last lock\'s bit within 65535.' }),
        relayStart: int(0, 0xff, { default: 0, title: 'Relay channel of lock 1; lock n is channel `relayStart + n - 1`. With `pulse: "board"`, the last lock\'s channel within 255.' }),
        pulse: { enum: ['board', 'host'], default: 'board', title: '`board`: one write to coil `0x0200 + channel` with the pulse length, and the board switches the relay off itself (a host that dies mid-pulse cannot leave a lock powered). `host`: relay on, wait `pulseMs`, relay off; only for boards without timed pulses.' },
      },
    },
  },
};

const rs485BusSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'path', 'protocol', 'baudRate', 'boards'],
  properties: {
    id: { ...text(BUS_ID_PATTERN, `1 to 32 letters, digits, "_" or "-"`), title: 'Name of the bus in logs and `lockerctl`. Unique.' },
    type: { const: 'rs485', title: 'Kind of bus.' },
    path: { type: 'string', pattern: '^/[^\\u0000]{1,4095}$', description: 'the serial device: an absolute path of at most 4096 characters, best a stable /dev/serial/by-id/... link', title: 'The serial device. Use the stable `/dev/serial/by-id/...` link, not `/dev/ttyUSB0` (which can change on replug). The port is opened exclusively and reopened by itself, forever, when it fails or disappears. Unique across buses.' },
    protocol: { enum: [...LOCKBOARD_PROTOCOLS], title: 'Family of the boards on this bus (a board may say otherwise with its own `protocol`).' },
    baudRate: { enum: [...RS485_BAUD_RATES], title: 'Line speed, 8N1. Kerong CU16 boards usually run at 19200, 0x8A and Modbus boards at 9600.' },
    echo: { type: 'boolean', default: false, title: 'The adapter hands our own requests back (no automatic direction control). Set it only then: an echo is dropped only when it is expected.' },
    lowLatency: { type: 'boolean', default: true, title: 'Ask the Linux driver for low latency (FTDI: 1 ms instead of 16 ms before replies reach us). Ignored where the driver cannot.' },
    replyTimeoutMs: int(10, 2000, { default: 100, title: 'Deadline for a reply, counted from the end of the request on the wire.' }),
    quietGapMs: { type: 'number', minimum: 0, maximum: 100, title: 'Silence the line must have had before each request; unset: 3.5 characters for Modbus (1.75 ms above 19200 baud), 1 character for the others.' },
    pollIntervalMs: int(0, MINUTE, { default: 100, title: 'A status poll of every board starts at most this often (0 = back to back). A door movement is seen within about one interval plus one cycle.' }),
    offlineAfterMisses: int(1, 100, { default: 3, title: 'Consecutive unanswered polls after which a board is reported offline (its compartments are then unavailable). It comes back by itself at its next answer.' }),
    unlockAttempts: int(1, 5, { default: 2, title: 'Unlock commands per door opening at most. A command is repeated only after a status read, after the pulse, said the latch is still closed; never after silence.' }),
    statusRetries: int(0, 5, { default: 1, title: 'Extra status reads after a pulse when the first read gets no reply (reads are harmless; unlocks are not repeated).' }),
    powerGroupGapMs: int(0, MINUTE, { default: 200, title: 'After a lock\'s pulse, the next lock of the same power group waits this much more.' }),
    reconnectMinMs: int(50, MINUTE, { default: 500, title: 'First wait before reopening a port that failed or disappeared; doubles with each failure.' }),
    reconnectMaxMs: int(100, HOUR, { default: 30_000, title: 'The wait between reopen attempts never grows beyond this. At least `reconnectMinMs` (cross-checks).' }),
    boards: { type: 'array', minItems: 1, maxItems: 32, items: rs485BoardSchema, title: 'The lock boards on this bus.' },
  },
};

/**
 * One entry per bus type, selected by `type` (ajv `discriminator`). A real RS-485 bus is added by
 * appending its schema here: each entry needs `properties.type.const` and `type` in `required`.
 */
export const BUS_SCHEMAS: Schema[] = [simBusSchema, rs485BusSchema];

// --- Scanners, keypads and GPIO (docs/input.md) ----------------------------------------------

export const INPUT_NAME_PATTERN = '^[A-Za-z0-9_-]{1,32}$';
const inputName = { ...text(INPUT_NAME_PATTERN, `1 to 32 letters, digits, "_" or "-"`), title: 'Name in logs and `lockerctl inputs`; unique among scanners and keypads. Unset: `scanner-N` or `keypad-N` (N counts from 1).' };
const usbId = (what: string): Schema => text('^[0-9A-Fa-f]{4}$', `the USB ${what} as 4 hexadecimal digits, as lsusb prints it (e.g. "0c2e")`);
const devicePath = (what: string): Schema => ({ type: 'string', pattern: '^/[^\\u0000]{1,4095}$', description: `${what}: an absolute path of at most 4096 characters` });
const baudRate: Schema = { enum: [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200], default: 9600, title: 'Line speed (USB CDC-ACM ignores it).' };
/** A serial scanner or keypad: where it is, and how a lost port is reopened (doubling delays). */
const serialPort = {
  path: { ...devicePath('the serial device, best a stable /dev/serial/by-id/... link'), title: 'The serial device. Use the stable `/dev/serial/by-id/usb-...` link: `/dev/ttyACM0` can become `ttyACM1` after a replug.' },
  baudRate,
};
const reopen = {
  reopenMinMs: int(50, MINUTE, { default: 500, title: 'First wait before reopening a serial port that failed or went away; doubles after each failure.' }),
  reopenMaxMs: int(100, HOUR, { default: 30_000, title: 'The reopen wait never grows beyond this; the port is retried forever.' }),
};
const rescanMs = int(500, MINUTE, { default: 2000, title: 'While the device is missing (or after it was pulled), the USB bus is enumerated this often, never more.' });

const serialScannerSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'path'],
  properties: {
    type: { const: 'serial', title: 'The scanner\'s USB mode.' },
    name: inputName,
    ...serialPort,
    ...reopen,
  },
};

const hidMatch = {
  vendorId: { ...usbId('vendor id'), title: 'USB vendor id. Give `vendorId` and `productId`, or `hidraw`.' },
  productId: { ...usbId('product id'), title: 'USB product id.' },
  hidraw: { ...devicePath('a hidraw device such as /dev/hidraw2 (it can change on replug; prefer vendorId and productId)'), title: 'A hidraw device, when ids cannot tell devices apart. It can change on replug.' },
  rescanMs,
};

export const SCANNER_SCHEMAS: Schema[] = [
  serialScannerSchema,
  {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: { type: { const: 'hid-pos' }, name: inputName, ...hidMatch, reportId: int(1, 255, { default: 2, title: 'Report id of the scanned-data input report.' }) },
  },
  {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: { type: { const: 'hid-keyboard' }, name: inputName, ...hidMatch, idleMs: int(10, 2000, { default: 100, title: 'A scan ends on Enter (or Tab), or after this long without a key.' }) },
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
      type: { const: 'serial', title: '`serial`: one ASCII character per key; `hid`: a USB numeric keypad; `gpio-matrix`: a 3x4 or 4x4 matrix wired to GPIO (uses the `gpio` backend).' },
      name: inputName,
      ...serialPort,
      carriageReturn: { enum: ['ignore', 'enter'], default: 'ignore', title: '`enter` when the keypad\'s Enter key sends CR; `ignore` when the keypad ends every key with CR or CRLF. ESC is always `cancel`.' },
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
      rows: { type: 'array', minItems: 1, maxItems: 8, items: gpioLine, title: 'Row lines (inputs, with pull-ups): GPIO line numbers.' },
      columns: { type: 'array', minItems: 1, maxItems: 8, items: gpioLine, title: 'Column lines (outputs): GPIO line numbers.' },
      layout: {
        title: 'Which key sits where: one string per row, one key per column, keys `0-9 * # A B C D`; a 4x4 keypad is `["123A","456B","789C","*0#D"]`.',
        type: 'array',
        minItems: 1,
        maxItems: 8,
        items: text(MATRIX_LAYOUT_ROW_PATTERN, 'one string per row, one key per column, from 0-9 * # A B C D'),
        default: ['123', '456', '789', '*0#'],
      },
      debounceMs: int(20, 50, { default: 30, title: 'A key counts once it has read closed, alone, this long.' }),
      scanIntervalMs: int(2, 50, { default: 10, title: 'Scan period while a key is down (an idle keypad is not scanned: its rows are watched).' }),
      activeLow: { type: 'boolean', default: true, title: 'Rows read low and columns drive low when active (the usual pull-up wiring).' },
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
      line: { ...gpioLine, title: 'The line.' },
      activeLow: { type: 'boolean', default: false, title: 'The line reads low when active (the cabinet open, mains power lost).' },
      bias: { enum: [...GPIO_BIASES], default: 'as-is', title: 'Pull resistor (gpiod only; with sysfs use `gpio=` lines in the Pi\'s `config.txt`).' },
      debounceMs: int(0, MINUTE, { default: debounceMs, title: 'A change counts once it has held this long (the power-fail input: power must stay lost this long before lockerd acts, so a mains blip does not stop the locker).' }),
    },
  };
}

const gpioOutput: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['line'],
  properties: { line: { ...gpioLine, title: 'The line.' }, activeLow: { type: 'boolean', default: false, title: 'Driving the line low makes it active (sounds the buzzer, lights the light).' } },
};

const gpioSchema: Schema = {
  type: 'object',
  title: 'Tamper switch, UPS power-fail input, buzzer and status lights.',
  additionalProperties: false,
  default: {},
  properties: {
    backend: { enum: ['auto', 'gpiod', 'sysfs', 'sim'], default: 'auto', title: '`gpiod`: the character device through the libgpiod tools (`apt-get install gpiod`; tools v1.6 and v2 both work); `sysfs`: `/sys/class/gpio` (gone on new Raspberry Pi OS); `sim`: simulated lines (`lockerctl gpio sim`); `auto`: `gpiod` when `/dev/gpiochip*` and the tools exist, else `sysfs` when it exists.' },
    chip: { ...text('^[A-Za-z0-9_./:-]{1,64}$', '"auto", a chip label such as "pinctrl-bcm2711", or a chip name such as "gpiochip0" (1 to 64 characters)'), default: 'auto', title: 'Which GPIO chip the line numbers are on. `auto`: the one whose label starts with `pinctrl-` (the Pi header), else the first. With sysfs the chip\'s `base` (512, 571... on 6.6+ kernels) is added to each line number.' },
    sysfsRoot: { ...filePath(4096, '/sys/class/gpio', 'a directory path'), title: 'The sysfs GPIO directory.' },
    toolsDir: { ...filePath(4096, '/usr/bin', 'a directory path'), title: 'Where `gpioget`, `gpioset`, `gpiomon` and `gpiodetect` are.' },
    pollMs: int(5, 1000, { default: 20, title: 'sysfs without edge interrupts: how often inputs are read.' }),
    tamper: { ...gpioInput(50), title: 'The cabinet\'s tamper switch: active means the cabinet is open. Each change is recorded (`kiosk.tamper` event with `open`). Unset: not wired.' },
    powerFail: { ...gpioInput(2000), title: 'The UPS\'s power-fail output: active means mains power is lost. Then lockerd records `kiosk.power_lost`, checkpoints the ledger and stops cleanly ([input](input.md) says what happens at the next start). Unset: not wired.' },
    buzzer: { ...gpioOutput, title: 'The buzzer: one short beep on success, three on an error. Unset: not wired.' },
    lights: {
      title: 'Status lights. Unset: not wired.',
      type: 'object',
      additionalProperties: false,
      properties: {
        ok: { ...gpioOutput, title: 'Lights for 1.5 s after a success. Unset: not wired.' },
        error: { ...gpioOutput, title: 'Lights for 1.5 s after an error. Unset: not wired.' },
        busy: { ...gpioOutput, title: 'On while someone is being served (the kiosk is not idle). Unset: not wired.' },
      },
    },
  },
};

/** The kiosk's touch screen page (src/screen, docs/screen.md). */
const screenSchema: Schema = {
  type: 'object',
  title: 'The touch page on the kiosk\'s screen ([the screen](screen.md)).',
  additionalProperties: false,
  default: {},
  properties: {
    enabled: { type: 'boolean', default: true, description: 'serve the touch page for the kiosk screen', title: 'Serve the page. Off: no port is opened and `lockerctl screen url` says so.' },
    host: {
      title: 'Where the page listens. Anything but loopback is warned about at start: other machines on the network could see the screen and press its keys.',
      ...text('^(?=.{1,253}$)[A-Za-z0-9.:-]+$', 'an IP address or host name to listen on (default 127.0.0.1; anything but loopback lets other machines use the page)'),
      default: '127.0.0.1',
    },
    port: int(0, 65_535, { default: 8480, description: 'the TCP port; 0 picks a free one (tests: lockerctl screen url tells which)', title: 'The TCP port (0: any free port; `lockerctl screen url` tells which). A port that is taken is logged and retried; the kiosk works without its screen meanwhile.' }),
    name: { ...text('^[^\\u0000-\\u001f\\u007f]{1,64}$', '1 to 64 printable characters'), default: 'Parcel locker', title: 'The locker\'s name on the screen.' },
    support: { ...text('^[^\\u0000-\\u001f\\u007f]{1,128}$', 'who to call, 1 to 128 printable characters (e.g. "Front desk 555-0100")'), title: 'Who to call, shown at the bottom of the screen (e.g. `"Front desk 555-0100"`).' },
    layout: {
      title: 'The map of the doors, when `column`/`row` are not on the compartments. Unset: from the boards.',
      type: 'object',
      additionalProperties: false,
      required: ['columns'],
      properties: {
        // Each column lists its compartment ids from the top down; every compartment exactly once.
        columns: {
          title: 'Each column\'s doors from the top down, every compartment exactly once. 1 to 64 lists of 1 to 64 compartment ids.',
          type: 'array',
          minItems: 1,
          maxItems: 64,
          items: { type: 'array', minItems: 1, maxItems: 64, items: text(COMPARTMENT_ID_PATTERN, 'a compartment id') },
        },
      },
    },
  },
};

// --- the outdoor cabinet's climate and the screen's brightness (src/cabinet, docs/cabinet.md) ---

function celsius(def: number, title: string): Schema {
  return { type: 'number', minimum: -55, maximum: 125, default: def, title };
}

export const CABINET_SENSOR_KINDS = ['ds18b20', 'hwmon', 'iio', 'sim'] as const;
export const CABINET_SENSOR_ID_PATTERN = '^[A-Za-z0-9_-]{1,32}$';

const cabinetSensorSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind'],
  properties: {
    id: { ...text(CABINET_SENSOR_ID_PATTERN, '1 to 32 letters, digits, "_" or "-"'), title: 'Name in events and `lockerctl climate`; unique.' },
    kind: { enum: [...CABINET_SENSOR_KINDS], title: '`ds18b20`: a 1-Wire DS18B20 (`/sys/bus/w1/devices/28-*/temperature`, or `w1_slave`); `hwmon`: a hwmon chip\'s `temp1_input` or `humidity1_input`; `iio`: an IIO device\'s `in_temp_input`, `in_humidityrelative_input` or `in_illuminance_input`; `sim`: the simulated climate (`lockerctl sim climate`).' },
    quantity: { enum: ['temperature', 'humidity', 'illuminance'], default: 'temperature', title: 'What it measures. `illuminance` (lux) serves `cabinet.brightness.light`.' },
    device: { ...text('^[A-Za-z0-9_.:-]{1,64}$', 'a 1-Wire id such as "28-0000075c9a1d", or a hwmon/IIO device name such as "sht3x"'), title: '`ds18b20`: its 1-Wire id (`ls /sys/bus/w1/devices`); `hwmon`/`iio`: the device\'s `name`. Unset: the first found (hwmon skips `cpu_thermal`, the processor\'s own).' },
    path: { ...devicePath('the sensor file, e.g. /sys/class/hwmon/hwmon2/temp1_input'), title: 'The sensor file itself, instead of finding it by `kind` and `device`.' },
  },
};

const cabinetSwitchTimes = (minOnMs: number, minOffMs: number): Schema => ({
  minOnMs: int(0, DAY, { default: minOnMs, title: 'Once on, it stays on at least this long (relays wear with every switch).' }),
  minOffMs: int(0, DAY, { default: minOffMs, title: 'Once off, it stays off at least this long.' }),
});

const cabinetSchema: Schema = {
  type: 'object',
  title: 'The outdoor cabinet\'s climate: temperature and humidity sensors, a heater and a fan on GPIO, alarms, telemetry; and the screen\'s brightness ([the cabinet](cabinet.md)). Off by default.',
  additionalProperties: false,
  default: {},
  properties: {
    enabled: { type: 'boolean', default: false, title: 'Watch the cabinet\'s climate. The heater and fan use the `gpio` backend (and its `chip`).' },
    sysfsRoot: { ...filePath(4096, '/sys', 'a directory path'), title: 'Where sensors and backlights are looked for (tests use a fake tree).' },
    pollMs: int(1000, HOUR, { default: 10_000, title: 'How often the sensors are read and the rules applied. Nothing is written to the ledger per poll.' }),
    readTimeoutMs: int(100, MINUTE, { default: 3000, title: 'A sensor read that takes longer counts as rejected (`timeout`); a DS18B20 conversion takes 750 ms.' }),
    telemetryMs: int(MINUTE, DAY, { default: 15 * MINUTE, title: 'A `cabinet.climate` event this often: temperatures, humidity, heater and fan on-times, rejected readings. One ledger commit each.' }),
    sensors: {
      type: 'array',
      maxItems: 8,
      default: [],
      items: cabinetSensorSchema,
      title: 'The sensors. Empty: every DS18B20 on the 1-Wire bus, found at start.',
    },
    heater: {
      type: 'object',
      additionalProperties: false,
      required: ['line'],
      title: 'The heater\'s relay on a GPIO output. Unset: no heater.',
      properties: {
        ...(gpioOutput.properties as Schema),
        onBelowC: celsius(5, 'On when the coldest sensor reads below this.'),
        offAboveC: celsius(10, 'Off when the coldest sensor reads above this (at least 0.5 °C above `onBelowC`, below `fan.offBelowC`).'),
        ...cabinetSwitchTimes(5 * MINUTE, 5 * MINUTE),
      },
    },
    fan: {
      type: 'object',
      additionalProperties: false,
      required: ['line'],
      title: 'The fan\'s relay on a GPIO output. Unset: no fan.',
      properties: {
        ...(gpioOutput.properties as Schema),
        onAboveC: celsius(40, 'On when the hottest sensor reads above this.'),
        offBelowC: celsius(35, 'Off when the hottest sensor reads below this (at least 0.5 °C below `onAboveC`).'),
        ...cabinetSwitchTimes(2 * MINUTE, 2 * MINUTE),
      },
    },
    alarms: {
      type: 'object',
      additionalProperties: false,
      default: {},
      title: 'Alarms sent upstream, raised once and cleared once (`cabinet.too_cold`, `cabinet.too_hot`, `cabinet.climate_ok`).',
      properties: {
        tooColdBelowC: celsius(-10, '`cabinet.too_cold` when the coldest sensor reads below this.'),
        tooHotAboveC: celsius(55, '`cabinet.too_hot` when the hottest sensor reads above this (the heater goes off at once).'),
        hysteresisC: { type: 'number', minimum: 0.5, maximum: 20, default: 3, title: 'An alarm clears only this far back on the good side of its threshold.' },
      },
    },
    sensorLost: {
      type: 'object',
      additionalProperties: false,
      default: {},
      title: 'When a sensor counts as lost (`cabinet.sensor_lost`; `cabinet.sensor_back` at its next good reading).',
      properties: {
        afterRejected: int(1, 1000, { default: 3, title: 'This many rejected readings in a row (85 °C power-on value, -127 °C, read errors...).' }),
        afterMs: int(MINUTE, DAY, { default: 5 * MINUTE, title: 'Or no good reading for this long.' }),
      },
    },
    simulation: {
      type: 'object',
      additionalProperties: false,
      default: {},
      title: 'The simulated climate that `sim` sensors read (`lockerctl sim climate`).',
      properties: {
        ambientC: celsius(20, 'The outside temperature at the start; the cabinet starts there too.'),
        heaterCPerMin: { type: 'number', minimum: 0, maximum: 10, default: 0.5, title: 'How fast the heater warms the cabinet.' },
        fanCPerMin: { type: 'number', minimum: 0, maximum: 10, default: 0.5, title: 'How fast the fan cools it (towards the outside, never below it).' },
        leakPerMin: { type: 'number', minimum: 0, maximum: 1, default: 0.05, title: 'The share of the difference to the outside the cabinet loses a minute.' },
        humidityPercent: { type: 'number', minimum: 0, maximum: 100, default: 60, title: 'What simulated humidity sensors read.' },
        lux: { type: 'number', minimum: 0, maximum: 200_000, default: 300, title: 'What simulated light sensors read.' },
      },
    },
    brightness: {
      type: 'object',
      additionalProperties: false,
      default: {},
      title: 'The screen\'s backlight: by a daily schedule or by a light sensor. Written only when it changes.',
      properties: {
        mode: { enum: ['off', 'schedule', 'light'], default: 'off', title: '`off`: left alone; `schedule`: by `schedule`; `light`: by the `light.sensor`\'s lux.' },
        backlight: {
          type: 'string',
          pattern: '^(auto|sim|/[^\\u0000]{1,4095})$',
          description: '"auto", "sim", or the absolute path of a /sys/class/backlight/<name> directory',
          default: 'auto',
          title: '`auto`: the first of `/sys/class/backlight/*`; `sim`: a simulated one; or its directory.',
        },
        schedule: {
          type: 'array',
          maxItems: 48,
          default: [],
          title: 'From each time of day (the locker\'s local time) on, this percent, until the next; before the first, the last one of the day before.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['from', 'percent'],
            properties: {
              from: { ...text('^([01][0-9]|2[0-3]):[0-5][0-9]$', 'a time of day as HH:MM, 00:00 to 23:59'), title: 'From this time of day (HH:MM, local time).' },
              percent: int(0, 100, { title: 'The brightness from then on, in percent.' }),
            },
          },
        },
        light: {
          type: 'object',
          additionalProperties: false,
          required: ['sensor'],
          title: 'The light-sensor curve (mode `light`).',
          properties: {
            sensor: { ...text(CABINET_SENSOR_ID_PATTERN, 'the id of a cabinet.sensors entry with quantity "illuminance"'), title: 'Which sensor (quantity `illuminance`). While it is lost, `maxPercent`.' },
            curve: {
              type: 'array',
              minItems: 1,
              maxItems: 16,
              default: [{ lux: 10, percent: 20 }, { lux: 1000, percent: 100 }],
              title: 'Points lux -> percent, joined by straight lines; flat beyond the ends.',
              items: { type: 'object', additionalProperties: false, required: ['lux', 'percent'], properties: { lux: { type: 'number', minimum: 0, maximum: 200_000, title: 'The light sensor\'s lux.' }, percent: int(0, 100, { title: 'The brightness at that lux, in percent.' }) } },
            },
          },
        },
        minPercent: int(0, 100, { default: 10, title: 'Never darker than this.' }),
        maxPercent: int(1, 100, { default: 100, title: 'Never brighter than this.' }),
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
    kioskId: { ...text(KIOSK_ID_PATTERN, `1 to 64 letters, digits, "_" or "-" (it becomes an MQTT topic level)`), title: 'Identifies this locker upstream; also the MQTT client id and one MQTT topic level, hence no `/`, `+`, `#` or spaces.' },
    log: {
      title: 'Logging.',
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: { enum: [...LOG_LEVELS], default: 'info', title: 'Least severe message written to the log. Codes and PINs are never logged at any level.' },
      },
    },
    ledger: {
      title: 'The local database.',
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        path: { ...filePath(4096, './var/lockerd.db', 'a file path'), title: 'The SQLite ledger: every compartment, parcel, code and door movement. Back it up.' },
        keyFile: { ...filePath(4096, './var/lockerd.key', 'a file path'), title: 'The per-install secret key under which codes and PINs are hashed. Created with mode 0600 if missing. Losing it invalidates every live retrieval code and courier PIN hash; whoever has it and the ledger can test guesses offline, so keep both readable by lockerd only.' },
      },
    },
    control: {
      title: 'The `lockerctl` socket.',
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        // 107 bytes is the Linux limit for a Unix socket path (sun_path).
        socketPath: { ...filePath(107, './var/lockerd.sock', 'a socket path'), title: 'Unix socket that `lockerctl` talks to, created with mode 0660. At most 107 characters: the Linux limit for a Unix socket path.' },
        group: { ...text('^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$', `a group name of 1 to 32 letters, digits, "_", "." or "-"`), title: 'Group that may use `lockerctl`. Not set: the daemon\'s own group.' },
      },
    },
    mqtt: {
      title: 'The upstream broker.',
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        url: {
          title: 'The broker. Use `mqtts://` (TLS) for anything beyond the local machine. If the URL carries `user:password@`, error messages show `(hidden)` in its place.',
          type: 'string',
          pattern: '^(?=.{1,1024}$)(mqtt|mqtts|tcp|tls|ssl|ws|wss)://\\S+$',
          description:
            'a broker URL such as mqtt://host:1883 or mqtts://host:8883 (schemes mqtt, mqtts, tcp, tls, ssl, ws, wss; at most 1024 characters, no spaces)',
          default: 'mqtt://localhost:1883',
        },
        // The full topic is <prefix>/<kioskId>/<leaf>; brokers such as AWS IoT allow 7 levels, so
        // the prefix may use at most 5. No "+", "#" or "$": they are wildcards or reserved.
        prefix: {
          title: 'Topics are `<prefix>/<kioskId>/<leaf>`. At most 5 levels keep every topic within the 7 levels that AWS IoT allows. `+`, `#` and `$` are not allowed (wildcards, reserved).',
          type: 'string',
          pattern: '^(?=.{1,128}$)[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,4}$',
          description:
            '1 to 5 topic levels separated by "/", each of letters, digits, "_", "." or "-" (at most 128 characters)',
          default: 'lockers',
        },
        enabled: { type: 'boolean', default: true, description: 'false keeps the locker offline on purpose: events wait in the outbox', title: '`false` keeps the locker offline on purpose: no connection is attempted and events wait in the outbox.' },
        protocolVersion: { enum: [4, 5], default: 5, description: '5 for MQTT 5, 4 for MQTT 3.1.1', title: '`5` for MQTT 5, `4` for MQTT 3.1.1 brokers.' },
        username: { type: 'string', minLength: 1, maxLength: 256, title: 'Broker user name.' },
        password: { type: 'string', minLength: 1, maxLength: 1024, title: 'Broker password. Never logged; error messages show `(hidden)`.' },
        tls: {
          title: 'TLS files for `mqtts://` brokers; relative paths resolve against the working directory.',
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            ca: { type: 'string', minLength: 1, maxLength: 4096, description: 'a path to the CA certificate (PEM) that signed the broker', title: 'CA certificate (PEM) that signed the broker\'s certificate.' },
            cert: { type: 'string', minLength: 1, maxLength: 4096, description: 'a path to the client certificate (PEM)', title: 'Client certificate (PEM), for brokers that authenticate clients by certificate.' },
            key: { type: 'string', minLength: 1, maxLength: 4096, description: 'a path to the client key (PEM)', title: 'The client certificate\'s key (PEM). Keep it mode 0600.' },
            rejectUnauthorized: { type: 'boolean', default: true, title: '`false` accepts a broker certificate that does not verify. Only for testing.' },
          },
        },
        keepaliveSeconds: int(5, 3600, { default: 30, title: 'MQTT keep-alive: how soon a dead link is noticed.' }),
        sessionExpirySeconds: int(0, 30 * 24 * 3600, { default: 7 * 24 * 3600, title: 'How long the broker keeps our session (and the commands sent to us) while we are offline. MQTT 5 only; 3.1.1 brokers keep it by their own policy.' }),
        reconnectMinMs: int(100, MINUTE, { default: 1_000, title: 'First reconnect delay; it doubles after each failure.' }),
        reconnectMaxMs: int(1_000, HOUR, { default: 60_000, title: 'The reconnect delay never grows beyond this.' }),
        watchdogMs: int(10_000, DAY, { default: 5 * MINUTE, title: 'A client that has been neither connected nor trying for this long is destroyed and made anew.' }),
        inflight: int(1, 1_000, { default: 32, title: 'Events published and not yet acknowledged by the broker, at most.' }),
        retentionDays: int(1, 365, { default: 7, title: 'Events upstream confirmed (`events.ack`) are deleted from the outbox this many days after they happened; events only the broker acknowledged, once also `mqtt.codeRetentionHours` have passed since its PUBACK; a row still holding a retrieval code stays until its code is erased. Unsent events are never deleted.' }),
        codeRetentionHours: int(1, 30 * 24, { default: 72, title: 'The retrieval code and pickup QR inside `parcel.deposited` and `code.reissued` stay in the outbox until upstream confirms the event with `events.ack`, so `events.replay` can resend them if the broker lost them after its PUBACK. If upstream never confirms, they are erased this many hours after the PUBACK anyway (checked hourly), so a lost upstream cannot keep codes on the card for ever. Unconfirmed events themselves are kept at least this long after the PUBACK, for replay.' }),
        telemetryIntervalMs: int(5_000, DAY, { default: 60_000, title: 'How often `<root>/telemetry` is published.' }),
        maxCommandBytes: int(256, 128 * 1024, { default: 16 * 1024, title: 'Larger commands are refused unread.' }),
        maxCommandTtlMs: int(MINUTE, 30 * DAY, { default: 7 * DAY, title: 'A command whose `expiresAt` is further than this after its `issuedAt` is refused. Command ids are remembered twice this long, so a replay is always refused.' }),
      },
    },
    codes: {
      title: 'Retrieval codes.',
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        length: int(6, 12, { default: 8, title: 'Digits in a resident\'s retrieval code. Courier PINs must have a different length (see cross-checks).' }),
        // No default: the loader moves it to holds.length, whose default it is.
        holdDays: int(1, 365, { title: 'The older name of `holds.length`, in days: still accepted (`"holdDays": 5` means `"length": "5d"`); not together with `holds.length`.' }),
      },
    },
    holds: {
      title: 'How long a parcel waits for its resident, the reminders meanwhile, and what the end of the hold does.',
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        length: { ...duration(), title: 'How long a parcel is held, from the moment its deposit door shut. Unset: `"7d"`, or `codes.holdDays` days.' },
        lengthBySize: {
          title: 'A different hold for parcels in compartments of one size, e.g. `{"XL": "3d"}` (big compartments are scarce). A size not listed has `holds.length`.',
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: Object.fromEntries(COMPARTMENT_SIZES.map((s) => [s, { ...duration(), title: `The hold in ${s} compartments. Unset: \`holds.length\`.` }])),
        },
        reminders: {
          title: 'When `parcel.reminder_due` is sent, so upstream reminds the resident. Each falls inside the hold of every configured size; listed in the order they fall, each at its own time (cross-checks).',
          type: 'array',
          maxItems: 5,
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              before: { ...duration(), title: 'A reminder this long before the end of the hold, e.g. `{"before": "24h"}`. An extended hold moves it with the end. Exactly one of `before` and `after`.' },
              after: { ...duration(), title: 'A reminder this long after the deposit, e.g. `{"after": "2d"}`. Exactly one of `before` and `after`.' },
            },
          },
        },
        atEnd: { enum: ['code_keeps_working', 'code_stops'], default: 'code_keeps_working', title: 'At the end of the hold (`parcel.hold_expired`): the code keeps opening the parcel, or it stops, and the kiosk tells the resident to contact the office (the parcel stays inside until staff recall it or upstream extends the hold).' },
      },
    },
    kiosk: {
      title: 'Kiosk sessions and input limits.',
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        sessionTimeoutMs: int(5_000, HOUR, { default: MINUTE, title: 'An abandoned session (courier or resident walked away) returns to idle after this long without input.' }),
        maxScanLength: int(32, 4096, { default: 512, title: 'Longest accepted barcode scan, in characters; longer scans are refused.' }),
        maxEntryLength: int(4, 256, { default: 32, title: 'Longest keypad entry before it is reset (bounds key storms). Must fit a code, a PIN and a unit id (see cross-checks).' }),
        language: { enum: [...LANGUAGES], default: 'en', title: 'The kiosk\'s language when a session starts. A person switches it for their session with the `A` key at the welcome screen (before typing anything); it returns to this one when the session ends (logout, pickup done, timeout).' },
      },
    },
    flood: {
      title: 'Bounds on what a flood of input can write (audit rows, log lines, muting a flooding device).',
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        refusalWindowMs: int(0, HOUR, { default: MINUTE, title: 'The first refusal of a kind (same actor, action, reason) is audited at once; identical ones within this window after it are counted in one summary row (`detail.count`) when the window closes. `0` audits each refusal in a row of its own.' }),
        logLinesPerMinute: int(0, 10_000, { default: 10, title: 'Lines a minute of each repeatable log message (refused scans, kiosk prompts, input decoding failures); the rest are counted in one `N similar lines suppressed: ...` line. `0`: unlimited.' }),
        maxInputsPerSecond: int(0, 10_000, { default: 30, title: 'An input device sending more inputs a second than this, sustained over `sustainedMs`, is muted (`input.muted` upstream, an audit row, a log line). A fast courier (a few labels a second) or a person typing (under 15 keys a second) never reaches it. `0`: never mute. Simulated devices (`lockerctl sim`) are never muted.' }),
        sustainedMs: int(500, MINUTE, { default: 3_000, title: 'How long the rate must be sustained: more than `maxInputsPerSecond` × `sustainedMs` / 1000 inputs within `sustainedMs`.' }),
        mutedForMs: int(1_000, DAY, { default: MINUTE, title: 'How long a flooding device is muted; it is unmuted by itself (`input.unmuted` upstream, with the count of dropped inputs).' }),
        maxMutedForMs: int(1_000, DAY, { default: HOUR, title: 'A device that floods again within this long of its unmute is muted twice as long as the last time, up to this.' }),
      },
    },
    doors: {
      title: 'Door supervision.',
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        leftOpenMs: int(5_000, DAY, { default: 2 * MINUTE, title: 'A door open longer than this raises the `door.left_open` alarm.' }),
        maxAllocationAttempts: int(1, 10, { default: 3, title: 'Doors tried for one parcel (each a different compartment, after "doesn\'t fit" or "door did not open") before the courier is told to call support.' }),
      },
    },
    allocation: {
      title: 'Which compartment a parcel gets (sharing one between parcels of a unit).',
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        overflow: overflowSchema,
        shareCompartments: { type: 'array', items: { enum: [...COMPARTMENT_SIZES] }, maxItems: 16, default: ['L', 'XL'], title: 'Sizes whose compartment may hold several parcels for the same unit. When the unit already has a parcel waiting in such a compartment, the size prompt offers `C` = "add to A11" ([several parcels in one compartment](walkthroughs.md#several-parcels-in-one-compartment)); the pickup opens it once and completes all of them. A repeat changes nothing; `[]` turns sharing off.' },
      },
    },
    guessing: {
      title: 'Throttling of wrong codes and PINs.',
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        freeFailures: int(0, 100, { default: 10, title: 'Failed entries (per budget, within the last 24 hours) allowed before the kiosk starts making people wait.' }),
        baseLockoutMs: int(1_000, MINUTE, { default: 30_000, title: 'Wait after the first failure beyond the free ones; doubles with each further failure.' }),
        // At most a minute: the longest a correct code waits for other people's failures before the alarm.
        maxLockoutMs: int(1_000, MINUTE, { default: MINUTE, title: 'Before the alarm the wait never grows beyond this: the longest a correct code waits for other people\'s failures. At least `baseLockoutMs` (cross-checks).' }),
        alarmFailuresPerHour: int(1, 10_000, { default: 10, title: 'This many failures within one hour raise the `kiosk.guessing_suspected` alarm.' }),
        alarmFailuresPerDay: int(1, 10_000, { default: 50, title: 'This many within 24 hours raise it too: it bounds an attacker who paces guesses below the hourly alarm. Raising it needs longer codes on a large locker (cross-check).' }),
        suspectedLockoutMs: int(MINUTE, DAY, { default: 15 * MINUTE, title: 'Once the alarm is raised, each failure makes everyone\'s next check wait this long, until no failure came for an hour and the last 24 hours hold fewer than `alarmFailuresPerDay`, or a technician runs `lockerctl throttle reset --reason TEXT`. At least `maxLockoutMs` (cross-checks).' }),
      },
    },
    buses: {
      title: 'The lock-board buses.',
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
    ...storageSchemas,
    compartments: {
      title: 'The doors of the locker bank. At least 1 unless the station is a room or desk (cross-checks).',
      // An empty list is allowed here and reported by the cross-checks, with a clearer sentence.
      type: 'array',
      maxItems: 512,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'size', 'board', 'lock'],
        properties: {
          id: { ...text(COMPARTMENT_ID_PATTERN, `1 to 16 letters, digits or "-"`), title: 'The name printed on the door, e.g. `A01`. Unique.' },
          size: { enum: [...COMPARTMENT_SIZES], title: 'Door size, used to pick a door that fits the parcel.' },
          board: { ...text(BOARD_ID_PATTERN, `a board id: 1 to 16 letters, digits, "_" or "-"`), title: 'Board that drives this door\'s lock. The id of a configured board.' },
          lock: int(1, MAX_LOCKS_PER_BOARD, { title: 'Lock number on the board, counted from 1. At most the board\'s `locks`.' }),
          accessible: { type: 'boolean', default: false, title: 'Low enough for a wheelchair user to reach. Marked on the screen\'s map.' },
          // Where the door is on the screen's map of the locker (1-based, row 1 at the top); give
          // both or neither, for every compartment or none (see screen.layout for the other way).
          column: int(1, 64, { title: 'The door\'s column on the screen\'s map, counted from the left. Unset: not placed; with `row`, on every compartment or none.' }),
          row: int(1, 64, { title: 'The door\'s row on the screen\'s map, counted from the top. Unset: not placed; with `column`.' }),
        },
      },
    },
    units: {
      title: 'The building\'s apartments or units.',
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          id: { ...text(UNIT_ID_PATTERN, '1 to 8 digits, written as a string in double quotes'), title: 'The apartment or unit number as residents and couriers key it, e.g. `"1204"`. Unique.' },
          accessible: { type: 'boolean', default: false, title: 'The residents need low compartments: their parcels go only into accessible compartments.' },
        },
      },
    },
    couriers: {
      title: 'Couriers allowed to deliver.',
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'carrier', 'pin'],
        properties: {
          id: { ...text(COURIER_ID_PATTERN, `1 to 64 letters, digits, "_", "." or "-"`), title: 'Stable id, e.g. `ups-route-12`; appears in the audit trail and events. Unique.' },
          carrier: { ...text('^[^\\u0000-\\u001f\\u007f]{1,64}$', '1 to 64 printable characters'), title: 'Carrier name, e.g. `UPS`.' },
          pin: { ...text(COURIER_PIN_PATTERN, '4 to 12 digits, written as a string in double quotes'), title: 'The courier\'s keypad PIN. Stored in the ledger only as a keyed hash and never logged; error messages print `(hidden)` instead of it. Protect this file (mode 0640, owned by root and the lockerd group). Unique; its length differs from `codes.length` (cross-checks).' },
        },
      },
    },
    // Staff log in at the kiosk to the staff menu (docs/walkthroughs.md, "Staff mode at the kiosk"); PINs like couriers'.
    staff: {
      title: 'Staff who log in to the kiosk\'s staff menu ([staff mode](walkthroughs.md#staff-mode-at-the-kiosk)).',
      type: 'array',
      maxItems: 1000,
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'pin'],
        properties: {
          id: { ...text(COURIER_ID_PATTERN, `1 to 64 letters, digits, "_", "." or "-"`), title: 'Stable id, e.g. `concierge-ana`; the audit trail and events name the staff member by it (`staff:<id>`). Unique.' },
          name: { ...text('^[^\\u0000-\\u001f\\u007f]{1,64}$', '1 to 64 printable characters'), title: 'Shown on the staff menu ("Staff menu, Ana."); the id when absent. Unset: the id.' },
          pin: { ...text(COURIER_PIN_PATTERN, '4 to 12 digits, written as a string in double quotes'), title: 'The keypad PIN. Stored in the ledger only as a keyed hash and never logged; error messages print `(hidden)` instead of it. Unique among staff, no courier\'s, its length different from `codes.length` (cross-checks).' },
          badge: { ...text('^[A-Z2-7]{26}$', 'the 26-character base32 token of the badge barcode LKB1/<token>'), title: 'A badge that logs the staff member in when scanned at the welcome screen. Stored only as a keyed hash. Unique.' },
        },
      },
    },
    scanners: {
      title: 'Barcode scanners. See [input](input.md).',
      type: 'array',
      maxItems: 8,
      default: [],
      items: { type: 'object', discriminator: { propertyName: 'type' }, oneOf: SCANNER_SCHEMAS },
    },
    keypads: {
      title: 'Keypads.',
      type: 'array',
      maxItems: 8,
      default: [],
      items: { type: 'object', discriminator: { propertyName: 'type' }, oneOf: KEYPAD_SCHEMAS },
    },
    gpio: gpioSchema,
    cabinet: cabinetSchema,
    screen: screenSchema,
    // Off unless asked for: on a real locker a simulated keypad would let anyone with the control
    // socket type a resident's code (simulated doors come with a bus of type "sim" instead).
    simulator: {
      title: 'The simulated keypad and scanner of a demo or test locker.',
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        keypad: { type: 'boolean', default: false, description: 'a simulated keypad that lockerctl sim keys types on', title: 'A simulated keypad (`sim-keypad`) that `lockerctl sim keys` types on.' },
        scanner: { type: 'boolean', default: false, description: 'a simulated scanner that lockerctl sim scan scans with', title: 'A simulated scanner (`sim-scanner`) that `lockerctl sim scan` scans with.' },
      },
    },
  },
};
