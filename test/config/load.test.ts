import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { ConfigError, MAX_CONFIG_BYTES, loadConfig, parseConfig } from '../../src/config/load.js';
import type { LockerdConfig } from '../../src/config/types.js';

/** The smallest valid config; each test breaks one thing. */
function minimal(): Record<string, any> {
  return {
    kioskId: 'k1',
    buses: [{ id: 'bus1', type: 'sim', boards: [{ id: 'B1', locks: 4 }] }],
    compartments: [
      { id: 'A01', size: 'S', board: 'B1', lock: 1 },
      { id: 'A02', size: 'M', board: 'B1', lock: 2, accessible: true },
    ],
    units: [{ id: '101' }, { id: '102', accessible: true }],
    couriers: [{ id: 'ups-1', carrier: 'UPS', pin: '4711' }],
  };
}

function problemsOf(config: unknown, source = 'config/x.json'): string[] {
  return errorOf(() => parseConfig(JSON.stringify(config, null, 2), source)).problems;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError, but the config was accepted');
}

function tempFile(name: string, content: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'lockerd-config-')), name);
  writeFileSync(path, content);
  return path;
}

describe('parseConfig: defaults', () => {
  it('completes a minimal config into a full LockerdConfig', () => {
    const expected: LockerdConfig = {
      kioskId: 'k1',
      log: { level: 'info' },
      ledger: { path: './var/lockerd.db', keyFile: './var/lockerd.key' },
      control: { socketPath: './var/lockerd.sock' },
      mqtt: {
        url: 'mqtt://localhost:1883', prefix: 'lockers', enabled: true, protocolVersion: 5, tls: { rejectUnauthorized: true },
        keepaliveSeconds: 30, sessionExpirySeconds: 604800, reconnectMinMs: 1000, reconnectMaxMs: 60000, watchdogMs: 300000,
        inflight: 32, retentionDays: 7, codeRetentionHours: 72, telemetryIntervalMs: 60000, maxCommandBytes: 16384, maxCommandTtlMs: 604800000,
      },
      codes: { length: 8 },
      holds: { length: '7d', lengthBySize: {}, reminders: [], atEnd: 'code_keeps_working' },
      kiosk: { sessionTimeoutMs: 60000, maxScanLength: 512, maxEntryLength: 32, language: 'en' },
      flood: { refusalWindowMs: 60000, logLinesPerMinute: 10, maxInputsPerSecond: 30, sustainedMs: 3000, mutedForMs: 60000, maxMutedForMs: 3600000 },
      doors: { leftOpenMs: 120000, maxAllocationAttempts: 3 },
      allocation: { overflow: [], shareCompartments: ['L', 'XL'] },
      guessing: { freeFailures: 10, baseLockoutMs: 30000, maxLockoutMs: 60000, alarmFailuresPerHour: 10, alarmFailuresPerDay: 50, suspectedLockoutMs: 900000 },
      buses: [{ id: 'bus1', type: 'sim', autoCloseMs: 0, unlockDelayMs: 50, boards: [{ id: 'B1', locks: 4 }] }],
      scanners: [],
      keypads: [],
      gpio: { backend: 'auto', chip: 'auto', sysfsRoot: '/sys/class/gpio', toolsDir: '/usr/bin', pollMs: 20 },
      cabinet: {
        enabled: false, sysfsRoot: '/sys', pollMs: 10_000, readTimeoutMs: 3000, telemetryMs: 900_000, sensors: [],
        alarms: { tooColdBelowC: -10, tooHotAboveC: 55, hysteresisC: 3 },
        sensorLost: { afterRejected: 3, afterMs: 300_000 },
        simulation: { ambientC: 20, heaterCPerMin: 0.5, fanCPerMin: 0.5, leakPerMin: 0.05, humidityPercent: 60, lux: 300 },
        brightness: { mode: 'off', backlight: 'auto', schedule: [], minPercent: 10, maxPercent: 100 },
      },
      screen: { enabled: true, host: '127.0.0.1', port: 8480, name: 'Parcel locker' },
      simulator: { keypad: false, scanner: false },
      storage: 'lockers',
      rooms: [],
      desks: [],
      compartments: [
        { id: 'A01', size: 'S', board: 'B1', lock: 1, accessible: false },
        { id: 'A02', size: 'M', board: 'B1', lock: 2, accessible: true },
      ],
      units: [
        { id: '101', accessible: false },
        { id: '102', accessible: true },
      ],
      couriers: [{ id: 'ups-1', carrier: 'UPS', pin: '4711' }],
      staff: [],
    };
    expect(parseConfig(JSON.stringify(minimal()), 'x.json')).toEqual(expected);
  });

  it('keeps values that are given, defaulting only the missing ones in the same section', () => {
    const config = minimal();
    config.kiosk = { maxScanLength: 1024 };
    config.control = { group: 'lockerd', socketPath: '/run/lockerd/control.sock' };
    config.mqtt = { url: 'mqtts://broker.example:8883', prefix: 'acme/lockers' };
    const parsed = parseConfig(JSON.stringify(config), 'x.json');
    expect(parsed.kiosk).toEqual({ sessionTimeoutMs: 60000, maxScanLength: 1024, maxEntryLength: 32, language: 'en' });
    expect(parsed.control).toEqual({ group: 'lockerd', socketPath: '/run/lockerd/control.sock' });
    expect(parsed.mqtt).toMatchObject({ url: 'mqtts://broker.example:8883', prefix: 'acme/lockers', protocolVersion: 5, inflight: 32 });
  });

  it('gives each parse its own default objects', () => {
    const a = parseConfig(JSON.stringify(minimal()), 'a.json');
    a.kiosk.maxScanLength = 1;
    const b = parseConfig(JSON.stringify(minimal()), 'b.json');
    expect(b.kiosk.maxScanLength).toBe(512);
  });

  it('accepts a UTF-8 byte order mark', () => {
    expect(parseConfig('\uFEFF' + JSON.stringify(minimal()), 'x.json').kioskId).toBe('k1');
  });
});

describe('parseConfig: schema problems, one exact sentence each', () => {
  const cases: Array<[string, (c: Record<string, any>) => void, string]> = [
    ['a value not in the list', (c) => (c.compartments[1].size = 'XXL'), 'compartments[1].size: "XXL" is not one of S, M, L, XL'],
    ['a number above its maximum', (c) => (c.codes = { length: 99 }), 'codes.length: 99 is above the maximum 12'],
    ['a size that does not exist in allocation.shareCompartments', (c) => (c.allocation = { shareCompartments: ['L', 'XXL'] }), 'allocation.shareCompartments[1]: "XXL" is not one of S, M, L, XL'],
    ['a number below its minimum', (c) => (c.compartments[0].lock = 0), 'compartments[0].lock: 0 is below the minimum 1'],
    ['a fraction where a whole number is expected', (c) => (c.codes = { holdDays: 1.5 }), 'codes.holdDays: 1.5 is not a whole number'],
    ['a string where a number is expected', (c) => (c.doors = { leftOpenMs: '120000' }), 'doors.leftOpenMs: "120000" is not a whole number'],
    ['a number where a string is expected', (c) => (c.units[0].id = 101), 'units[0].id: 101 is not a string'],
    ['a string where true/false is expected', (c) => (c.units[0].accessible = 'yes'), 'units[0].accessible: "yes" is not true or false'],
    ['a section that is not an object', (c) => (c.log = 'debug'), 'log: "debug" is not an object'],
    ['a list that is not a list', (c) => (c.units = {}), 'units: an object is not a list'],
    [
      'an unknown key',
      (c) => (c.kiosk = { typo: 1 }),
      'kiosk.typo: unknown key (allowed: sessionTimeoutMs, maxScanLength, maxEntryLength, language)',
    ],
    [
      'a misspelt key',
      (c) => (c.kiosk = { sessionTimeOutMs: 1 }),
      'kiosk.sessionTimeOutMs: unknown key; did you mean "sessionTimeoutMs"? (allowed: sessionTimeoutMs, maxScanLength, maxEntryLength, language)',
    ],
    [
      'an unknown key that is not an identifier',
      (c) => (c.buses[0].boards[0]['lock count'] = 4),
      'buses[0].boards[0]["lock count"]: unknown key (allowed: id, locks)',
    ],
    [
      'an unknown top-level key',
      (c) => (c.compartment = []),
      'compartment: unknown key; did you mean "compartments"? (allowed: kioskId, log, ledger, control, mqtt, codes, holds, kiosk, flood, doors, allocation, guessing, buses, storage, rooms, desks, compartments, units, couriers, staff, scanners, keypads, gpio, cabinet, screen, simulator)',
    ],
    ['a missing key in a list entry', (c) => c.units.push({ accessible: true }), 'units[2]: missing required key "id"'],
    ['a missing top-level key', (c) => delete c.kioskId, '(top level): missing required key "kioskId"'],
    [
      'a string that breaks its pattern',
      (c) => (c.kioskId = 'lobby/1'),
      'kioskId: "lobby/1" is not valid: expected 1 to 64 letters, digits, "_" or "-" (it becomes an MQTT topic level)',
    ],
    [
      'an overlong string, shown shortened',
      (c) => (c.kioskId = 'k'.repeat(100)),
      `kioskId: "${'k'.repeat(40)}"… (100 characters) is not valid: expected 1 to 64 letters, digits, "_" or "-" (it becomes an MQTT topic level)`,
    ],
    [
      'a unit id that is not digits',
      (c) => (c.units[1].id = '12A'),
      'units[1].id: "12A" is not valid: expected 1 to 8 digits, written as a string in double quotes',
    ],
    [
      'a compartment id with a space',
      (c) => (c.compartments[0].id = 'A 1'),
      'compartments[0].id: "A 1" is not valid: expected 1 to 16 letters, digits or "-"',
    ],
    [
      'an MQTT prefix with a wildcard',
      (c) => (c.mqtt = { prefix: 'lockers/#' }),
      'mqtt.prefix: "lockers/#" is not valid: expected 1 to 5 topic levels separated by "/", each of letters, digits, "_", "." or "-" (at most 128 characters)',
    ],
    ['a bus of an unknown type', (c) => (c.buses[0].type = 'canbus'), 'buses[0].type: "canbus" is not one of sim, rs485'],
    ['a bus without a type', (c) => delete c.buses[0].type, 'buses[0]: missing required key "type"'],
    ['a board with too many locks', (c) => (c.buses[0].boards[0].locks = 49), 'buses[0].boards[0].locks: 49 is above the maximum 48'],
    ['a bus without boards', (c) => (c.buses[0].boards = []), 'buses[0].boards: has 0 entries, fewer than the minimum 1'],
    ['a log level that does not exist', (c) => (c.log = { level: 'verbose' }), 'log.level: "verbose" is not one of trace, debug, info, warn, error, fatal, silent'],
    ['a top level that is not an object', (c) => Object.assign(c, { toJSON: () => [] }), '(top level): a list is not an object'],
  ];

  for (const [name, breakIt, sentence] of cases) {
    it(name, () => {
      const config = minimal();
      breakIt(config);
      expect(problemsOf(config)).toEqual([sentence]);
    });
  }

  it('reports a list with too many entries without listing them', () => {
    const config = minimal();
    config.compartments = Array.from({ length: 513 }, (_, i) => ({ id: `C${i}`, size: 'S', board: 'B1', lock: 1 }));
    expect(problemsOf(config)).toEqual(['compartments: has 513 entries, more than the maximum 512']);
  });

  it('hides the password of a broker URL', () => {
    const config = minimal();
    config.mqtt = { url: 'http://locker:s3cretpw@broker.example' };
    const [problem] = problemsOf(config);
    expect(problem).toMatch(/^mqtt\.url: "http:\/\/\(hidden\)@broker\.example" is not valid: expected a broker URL/);
    expect(problem).not.toContain('s3cretpw');
  });

  it('reports every problem at once, each on its own line after the file name', () => {
    const config = minimal();
    config.compartments[1].size = 'XXL';
    config.codes = { length: 99 };
    config.kiosk = { typo: 1 };
    config.units.push({});
    const err = errorOf(() => parseConfig(JSON.stringify(config), 'config/x.json'));
    expect(err.problems).toEqual([
      'codes.length: 99 is above the maximum 12',
      'kiosk.typo: unknown key (allowed: sessionTimeoutMs, maxScanLength, maxEntryLength, language)',
      'compartments[1].size: "XXL" is not one of S, M, L, XL',
      'units[2]: missing required key "id"',
    ]);
    expect(err.message.split('\n')).toEqual(err.problems.map((p) => `config/x.json: ${p}`));
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ConfigError');
    expect(err.source).toBe('config/x.json');
  });

  it('keeps every problem but bounds the message', () => {
    const config = minimal();
    config.units = Array.from({ length: 150 }, (_, i) => ({ id: i + 1 }));
    const err = errorOf(() => parseConfig(JSON.stringify(config), 'x.json'));
    expect(err.problems).toHaveLength(150);
    expect(err.problems[149]).toBe('units[149].id: 150 is not a string');
    const lines = err.message.split('\n');
    expect(lines).toHaveLength(101);
    expect(lines[99]).toBe('x.json: units[99].id: 100 is not a string');
    expect(lines[100]).toBe('x.json: ... and 50 more problems');
  });

  it('reports a key written twice in one object', () => {
    const text = JSON.stringify(minimal()).replace('"kioskId":"k1"', '"kioskId":"k1","kioskId":"k2"');
    expect(errorOf(() => parseConfig(text, 'x.json')).problems).toEqual([
      'kioskId: key appears more than once in the same object (only the last one would count)',
    ]);
  });
});

describe('parseConfig: cross-checks', () => {
  const cases: Array<[string, (c: Record<string, any>) => void, string[]]> = [
    [
      'duplicate compartment id',
      (c) => (c.compartments[1].id = 'A01'),
      ['compartments[1].id: "A01" is already used by compartments[0]'],
    ],
    [
      'two compartments on one lock',
      (c) => (c.compartments[1].lock = 1),
      ['compartments[1]: "A02" and "A01" (compartments[0]) are both on board "B1" lock 1; each lock opens one door'],
    ],
    [
      'a compartment on an unknown board',
      (c) => (c.compartments[0].board = 'B9'),
      ['compartments[0].board: "B9" is not a configured board (known boards: B1)'],
    ],
    [
      'a lock beyond the board',
      (c) => (c.compartments[1].lock = 5),
      ['compartments[1].lock: 5 is above the 4 locks of board "B1"'],
    ],
    [
      'duplicate board id across buses',
      (c) => c.buses.push({ id: 'bus2', type: 'sim', boards: [{ id: 'B1', locks: 8 }] }),
      ['buses[1].boards[0].id: "B1" is already used by buses[0].boards[0]; board ids must be unique across all buses'],
    ],
    [
      'duplicate board id on one bus',
      (c) => c.buses[0].boards.push({ id: 'B1', locks: 8 }),
      ['buses[0].boards[1].id: "B1" is already used by buses[0].boards[0]; board ids must be unique across all buses'],
    ],
    [
      'duplicate bus id',
      (c) => c.buses.push({ id: 'bus1', type: 'sim', boards: [{ id: 'B2', locks: 8 }] }),
      ['buses[1].id: "bus1" is already used by buses[0]'],
    ],
    ['duplicate unit id', (c) => (c.units[1].id = '101'), ['units[1].id: "101" is already used by units[0]']],
    [
      'duplicate courier id',
      (c) => c.couriers.push({ id: 'ups-1', carrier: 'UPS', pin: '5812' }),
      ['couriers[1].id: "ups-1" is already used by couriers[0]'],
    ],
    [
      'two couriers with one PIN',
      (c) => c.couriers.push({ id: 'dhl-1', carrier: 'DHL', pin: '4711' }),
      ['couriers[1].pin: courier "dhl-1" has the same PIN as courier "ups-1" (couriers[0]); every courier needs a PIN of their own'],
    ],
    [
      'a PIN as long as a retrieval code',
      (c) => (c.couriers[0].pin = '47114711'),
      [
        'couriers[0].pin: the PIN of courier "ups-1" has 8 digits, the same as codes.length; the keypad tells retrieval codes and courier PINs apart by their length, so PINs need a different number of digits',
      ],
    ],
    ['no compartments', (c) => (c.compartments = []), ['compartments: none are configured; the locker needs at least one compartment (or set "storage" to "room" or "desk")']],
    [
      'a shelf named like a compartment',
      (c) => (c.rooms = [{ id: 'ROOM', board: 'B1', lock: 3, shelves: [{ id: 'A01', capacity: 4 }] }]),
      ['rooms[0].shelves[0].id: "A01" is already used by compartments[0]; compartments, rooms, desks, shelves and places share one set of names'],
    ],
    [
      'a room door on a compartment\'s lock',
      (c) => (c.rooms = [{ id: 'ROOM', board: 'B1', lock: 2, shelves: [{ id: 'R-A', capacity: 4 }] }]),
      ['rooms[0]: the room door and compartments[1] ("A02") are both on board "B1" lock 2; each lock opens one door'],
    ],
    [
      'a room door on a board that does not exist',
      (c) => (c.rooms = [{ id: 'ROOM', board: 'B9', lock: 1, shelves: [{ id: 'R-A', capacity: 4 }] }]),
      ['rooms[0].board: "B9" is not a configured board (known boards: B1)'],
    ],
    [
      'a room station with two rooms',
      (c) => {
        c.storage = 'room';
        c.rooms = [{ id: 'R1', board: 'B1', lock: 3, shelves: [{ id: 'R1-A', capacity: 4 }] }, { id: 'R2', board: 'B1', lock: 4, shelves: [{ id: 'R2-A', capacity: 4 }] }];
      },
      ['storage: "room" serves one package room, and rooms has 2; declare exactly one room (a second room needs its own kiosk)'],
    ],
    [
      'a desk station without staff',
      (c) => {
        c.storage = 'desk';
        c.desks = [{ id: 'DESK', places: [{ id: 'D-1', capacity: 10 }] }];
      },
      ['staff: a front desk is run by staff, and none are configured; add at least one staff member'],
    ],
    [
      'overflow to a room that does not exist',
      (c) => (c.allocation = { overflow: [{ to: 'ROOM' }] }),
      ['allocation.overflow[0].to: "ROOM" is not a configured room or desk (known: none)'],
    ],
    [
      'overflow to a front desk',
      (c) => {
        c.desks = [{ id: 'DESK', places: [{ id: 'D-1', capacity: 10 }] }];
        c.allocation = { overflow: [{ to: 'DESK' }] };
      },
      ['allocation.overflow[0].to: "DESK" is a front desk; lockers overflow only into a package room (a desk takes parcels from staff at the desk, not from a locker\'s courier)'],
    ],
    [
      'accessible units but no accessible compartment',
      (c) => (c.compartments[1].accessible = false),
      [
        'units: 1 unit(s) are marked accessible but no compartment is; their parcels could never be deposited (mark low compartments "accessible": true)',
      ],
    ],
    [
      'a keypad entry too short for codes and PINs',
      (c) => (c.kiosk = { maxEntryLength: 6 }),
      ['kiosk.maxEntryLength: 6 is shorter than codes.length (8 digits), which could then never be keyed in'],
    ],
    [
      'a lockout cap below the first lockout',
      (c) => (c.guessing = { baseLockoutMs: 60000, maxLockoutMs: 30000 }),
      ['guessing.maxLockoutMs: 30000 is below guessing.baseLockoutMs (60000); the longest wait cannot be shorter than the first'],
    ],
    [
      'MQTT settings that contradict each other',
      (c) => (c.mqtt = { reconnectMinMs: 5000, reconnectMaxMs: 2000, tls: { cert: '/etc/lockerd/client.crt' }, password: 'x' }),
      [
        'mqtt.reconnectMaxMs: 2000 is below mqtt.reconnectMinMs (5000); the longest reconnect delay cannot be shorter than the first',
        'mqtt.tls: cert is set but key is not; a client certificate needs both',
        'mqtt.password: set without mqtt.username',
      ],
    ],
  ];

  for (const [name, breakIt, sentences] of cases) {
    it(name, () => {
      const config = minimal();
      breakIt(config);
      expect(problemsOf(config)).toEqual(sentences);
    });
  }

  /** The largest locker the schema allows: 512 compartments on 16 boards of 32 locks. */
  function largest(config: Record<string, any>): Record<string, any> {
    config.buses = [{ id: 'bus1', type: 'sim', boards: Array.from({ length: 16 }, (_, b) => ({ id: `B${b + 1}`, locks: 32 })) }];
    config.compartments = Array.from({ length: 512 }, (_, i) => ({ id: `C${i + 1}`, size: 'S', board: `B${Math.floor(i / 32) + 1}`, lock: (i % 32) + 1, accessible: i === 0 }));
    return config;
  }

  it('refuses codes too short for the compartment count, naming the length needed', () => {
    // 512 compartments, default throttle (at most 50 + 96 + 1 wrong codes a day): 8 digits give 3.6 years.
    expect(problemsOf(largest(minimal()))).toEqual([
      'codes.length: 8 digits are too short for 512 compartments: the guessing throttle lets through at most 147 wrong codes a day, and at that rate an attacker expects a hit within 3.6 years (at least 10 needed); set codes.length to 9 or more (see docs/security.md)',
    ]);
    const nine = largest(minimal());
    nine.codes = { length: 9 };
    expect(parseConfig(JSON.stringify(nine), 'x.json').compartments).toHaveLength(512);
    // A laxer throttle needs longer codes; one no length can make up for is refused with what to change.
    const lax = largest(minimal());
    lax.codes = { length: 9 };
    lax.guessing = { alarmFailuresPerDay: 10_000, alarmFailuresPerHour: 10_000, suspectedLockoutMs: 60_000 };
    expect(problemsOf(lax)).toEqual([
      'codes.length: 9 digits are too short for 512 compartments: the guessing throttle lets through at most 11441 wrong codes a day, and at that rate an attacker expects a hit within 0.47 years (at least 10 needed); set codes.length to 11 or more (see docs/security.md)',
    ]);
    // The demo's 28 compartments are fine with 8 digits.
    expect(parseConfig(JSON.stringify(minimal()), 'x.json').codes.length).toBe(8);
  });

  it('keeps the wait before the alarm within a minute, and the alarm regime at least as strict', () => {
    const config = minimal();
    config.guessing = { maxLockoutMs: 900_000 };
    expect(problemsOf(config)).toEqual(['guessing.maxLockoutMs: 900000 is above the maximum 60000']);
    config.guessing = { suspectedLockoutMs: 60_000, maxLockoutMs: 60_000 };
    expect(parseConfig(JSON.stringify(config), 'x.json').guessing.suspectedLockoutMs).toBe(60_000);
    config.guessing = { suspectedLockoutMs: 60_000, maxLockoutMs: 30_000, baseLockoutMs: 30_000 };
    expect(parseConfig(JSON.stringify(config), 'x.json').guessing.maxLockoutMs).toBe(30_000);
  });

  it("checks the screen's map: column/row on every compartment or none, one door per place, or a layout listing each once", () => {
    const placed = minimal();
    placed.compartments[0].column = 1;
    expect(problemsOf(placed)).toEqual([
      'compartments[0]: "A01" has a column but no row; give both, or neither',
      'compartments: "A02" have no column/row while others do; place every compartment on the screen\'s map, or none',
    ]);
    placed.compartments[0].row = 1;
    placed.compartments[1].column = 1;
    placed.compartments[1].row = 1;
    expect(problemsOf(placed)).toEqual(['compartments: "A02" and "A01" are both at column 1 row 1 of the screen\'s map']);
    placed.compartments[1].row = 2;
    expect(parseConfig(JSON.stringify(placed), 'x.json').compartments[1]).toMatchObject({ column: 1, row: 2 });
    placed.screen = { layout: { columns: [['A01', 'A02']] } };
    expect(problemsOf(placed)).toEqual(['screen.layout: the compartments also have column/row; place them one way only (remove screen.layout or the column/row keys)']);

    const layout = minimal();
    layout.screen = { layout: { columns: [['A01', 'A09'], ['A01']] } };
    expect(problemsOf(layout)).toEqual([
      'screen.layout.columns[0][1]: "A09" is not a configured compartment',
      'screen.layout.columns[1][0]: "A01" is already at screen.layout.columns[0][0]; each door is in one place',
      'screen.layout.columns: "A02" are missing; list every compartment so a person can find every door',
    ]);
    layout.screen = { layout: { columns: [['A02'], ['A01']] } };
    expect(parseConfig(JSON.stringify(layout), 'x.json').screen.layout).toEqual({ columns: [['A02'], ['A01']] });
  });

  it('reports several cross-check problems together', () => {
    const config = minimal();
    config.compartments[1].id = 'A01';
    config.compartments.push({ id: 'A03', size: 'L', board: 'B7', lock: 3 });
    config.units.push({ id: '101' });
    expect(problemsOf(config)).toEqual([
      'compartments[1].id: "A01" is already used by compartments[0]',
      'compartments[2].board: "B7" is not a configured board (known boards: B1)',
      'units[2].id: "101" is already used by units[0]',
    ]);
  });

  it('does not run cross-checks on a config that fails the schema', () => {
    const config = minimal();
    config.compartments[1].id = 'A01';
    config.codes = { length: 99 };
    expect(problemsOf(config)).toEqual(['codes.length: 99 is above the maximum 12']);
  });
});

describe('courier PINs never appear in messages', () => {
  const PIN = '80417293';

  function everything(err: ConfigError): string {
    return [err.message, String(err), err.stack ?? '', JSON.stringify(err.problems)].join('\n');
  }

  const cases: Array<[string, (c: Record<string, any>) => void]> = [
    ['a PIN with a letter', (c) => (c.couriers[0].pin = `${PIN}x`)],
    ['a PIN that is too long', (c) => (c.couriers[0].pin = `${PIN}${PIN}`)],
    ['a PIN written as a number', (c) => (c.couriers[0].pin = Number(PIN))],
    ['a PIN written as a list', (c) => (c.couriers[0].pin = [PIN])],
    ['a PIN in place of a courier', (c) => (c.couriers[1] = PIN)],
    ['a PIN as the courier list', (c) => (c.couriers = PIN)],
    ['a PIN shared by two couriers', (c) => c.couriers.push({ id: 'a', carrier: 'A', pin: PIN }, { id: 'b', carrier: 'B', pin: PIN })],
    ['a PIN as long as a code', (c) => (c.couriers[0].pin = PIN)],
  ];

  for (const [name, breakIt] of cases) {
    it(name, () => {
      const config = minimal();
      breakIt(config);
      const err = errorOf(() => parseConfig(JSON.stringify(config), 'x.json'));
      expect(err.problems.length).toBeGreaterThan(0);
      expect(err.problems.join('\n')).toMatch(/couriers/);
      expect(everything(err)).not.toContain(PIN);
    });
  }

  it('shows (hidden) where the value would be', () => {
    const config = minimal();
    config.couriers[0].pin = `${PIN}x`;
    expect(problemsOf(config)).toEqual([
      'couriers[0].pin: (hidden) is not valid: expected 4 to 12 digits, written as a string in double quotes',
    ]);
  });

  it('in JSON syntax errors next to a PIN', () => {
    const texts = [
      `{"couriers": [{"pin": ${PIN}x}]}`,
      `{"couriers": [{"pin": "${PIN}\n"}]}`,
      `{"couriers": [{"pin": '${PIN}'}]}`,
      `{"couriers": [{"pin": "${PIN}" "id": "x"}]}`,
    ];
    for (const text of texts) {
      const err = errorOf(() => parseConfig(text, 'x.json'));
      expect(err.problems[0]).toMatch(/^not valid JSON at line \d+, column \d+: /);
      expect(everything(err)).not.toContain(PIN);
    }
  });
});

describe('parseConfig: not JSON', () => {
  const cases: Array<[string, string, string]> = [
    ['a trailing comma', '{\n  "a": 1,\n  "b": [1, 2,]\n}', 'not valid JSON at line 3, column 13: trailing comma before "]"'],
    ['a trailing comma in an object', '{\n  "a": 1,\n}', 'not valid JSON at line 2, column 9: trailing comma before "}"'],
    ['a missing comma', '{\n  "a": 1\n  "b": 2\n}', 'not valid JSON at line 3, column 3: unexpected "\\""; expected "," or "}"'],
    ['an unquoted key', '{\n  kioskId: "x"\n}', 'not valid JSON at line 2, column 3: unexpected text; expected a key in double quotes (strings and keys need double quotes)'],
    ['single quotes', "{\"a\": 'x'}", `not valid JSON at line 1, column 7: unexpected "'"; JSON strings and keys need double quotes`],
    ['a comment', '{\n  // the kiosk\n  "a": 1\n}', 'not valid JSON at line 2, column 3: comments are not allowed in JSON'],
    ['an unterminated string', '{"a": "x', 'not valid JSON at line 1, column 7: unterminated string (missing closing double quote)'],
    ['a missing closing brace', '{"a": 1', 'not valid JSON at line 1, column 8: unexpected end of file; expected "," or "}"'],
    ['text after the document', '{"a": 1} x', 'not valid JSON at line 1, column 10: unexpected text after the end of the JSON document'],
    ['a bad escape', '{"a": "C:\\dir"}', 'not valid JSON at line 1, column 10: invalid escape sequence in a string (write a backslash as \\\\)'],
    ['an empty file', '  \n', 'the file is empty; expected a JSON object'],
  ];

  for (const [name, text, sentence] of cases) {
    it(name, () => {
      const err = errorOf(() => parseConfig(text, 'config/x.json'));
      expect(err.problems).toEqual([sentence]);
      expect(err.message).toBe(`config/x.json: ${sentence}`);
    });
  }
});

describe('loadConfig', () => {
  it('loads a valid file', () => {
    const path = tempFile('ok.json', JSON.stringify(minimal()));
    expect(loadConfig(path).kioskId).toBe('k1');
  });

  it('names the file in its problems', () => {
    const config = minimal();
    config.codes = { length: 99 };
    const path = tempFile('bad.json', JSON.stringify(config));
    expect(errorOf(() => loadConfig(path)).message).toBe(`${path}: codes.length: 99 is above the maximum 12`);
  });

  it('reports a missing file with the path and the OS reason', () => {
    const path = join(tmpdir(), 'lockerd-no-such-dir', 'missing.json');
    const err = errorOf(() => loadConfig(path));
    expect(err.problems).toEqual(['cannot read the configuration: no such file or directory (ENOENT)']);
    expect(err.message).toBe(`${path}: cannot read the configuration: no such file or directory (ENOENT)`);
  });

  it('reports a directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockerd-dir-'));
    expect(errorOf(() => loadConfig(dir)).problems).toEqual(['cannot read the configuration: it is a directory, not a file']);
  });

  it('reports a file that is not UTF-8', () => {
    const path = tempFile('latin1.json', Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]));
    expect(errorOf(() => loadConfig(path)).problems).toEqual(['cannot read the configuration: the file is not UTF-8 text']);
  });

  it('refuses an oversized file without parsing it', () => {
    const path = tempFile('huge.json', Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x20));
    expect(errorOf(() => loadConfig(path)).problems).toEqual([
      `cannot read the configuration: the file has ${MAX_CONFIG_BYTES + 1} bytes, more than the maximum ${MAX_CONFIG_BYTES}`,
    ]);
  });
});
