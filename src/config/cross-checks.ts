/**
 * What the schema cannot say: settings that must fit together (compartments and boards, buses,
 * the screen's map, code length against guessing, MQTT, inputs, staff PINs). Each returns one
 * sentence per problem; PINs and badges are compared, never printed.
 */
import { BADGE_PREFIX, parseBadge } from '../barcode/badge.js';
import { expectedYearsToAHit, MIN_YEARS_TO_A_HIT, requiredCodeLength, worstCaseGuessesPerDay } from '../locker/guessing.js';
import { holdConfigProblems } from '../locker/hold-policy.js';
import { FAMILIES } from '../../drivers/lockboard/families.js';
import { cabinetConfigProblems } from '../cabinet/config.js';
import { storageCrossCheck } from './storage-checks.js';
import type { LockerdConfig } from './types.js';

/**
 * The screen's map: either every compartment has a `column` and a `row`, or `screen.layout.columns`
 * lists every compartment once, or neither (the map is derived from the boards); one door per place.
 */
function checkScreenLayout(config: LockerdConfig): string[] {
  const problems: string[] = [];
  const placed = config.compartments.filter((c) => c.column !== undefined || c.row !== undefined);
  config.compartments.forEach((c, i) => {
    if ((c.column === undefined) !== (c.row === undefined)) problems.push(`compartments[${i}]: "${c.id}" has ${c.column === undefined ? 'a row but no column' : 'a column but no row'}; give both, or neither`);
  });
  const layout = config.screen.layout;
  if (placed.length > 0 && layout) {
    problems.push('screen.layout: the compartments also have column/row; place them one way only (remove screen.layout or the column/row keys)');
    return problems;
  }
  if (placed.length > 0 && placed.length < config.compartments.length) {
    const missing = config.compartments.filter((c) => c.column === undefined && c.row === undefined).map((c) => `"${c.id}"`);
    problems.push(`compartments: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} have no column/row while others do; place every compartment on the screen's map, or none`);
  }
  const places = new Map<string, string>();
  for (const c of placed) {
    if (c.column === undefined || c.row === undefined) continue;
    const key = `${c.column}/${c.row}`;
    const other = places.get(key);
    if (other) problems.push(`compartments: "${c.id}" and "${other}" are both at column ${c.column} row ${c.row} of the screen's map`);
    else places.set(key, c.id);
  }
  if (layout) {
    const known = new Set(config.compartments.map((c) => c.id));
    const seen = new Map<string, string>();
    layout.columns.forEach((column, i) => {
      column.forEach((id, j) => {
        const where = `screen.layout.columns[${i}][${j}]`;
        if (!known.has(id)) problems.push(`${where}: "${id}" is not a configured compartment`);
        else if (seen.has(id)) problems.push(`${where}: "${id}" is already at ${seen.get(id)}; each door is in one place`);
        else seen.set(id, where);
      });
    });
    const missing = config.compartments.filter((c) => !seen.has(c.id)).map((c) => `"${c.id}"`);
    if (missing.length > 0) problems.push(`screen.layout.columns: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} are missing; list every compartment so a person can find every door`);
  }
  return problems;
}

/**
 * `codes.holdDays` is the older name of `holds.length` (in days): it keeps working, moved there,
 * so the rest of lockerd reads one key. Both at once would be ambiguous.
 */
export function moveHoldDays(config: LockerdConfig): string[] {
  const { holdDays } = config.codes;
  delete config.codes.holdDays;
  if (holdDays !== undefined && config.holds.length !== undefined) {
    return [`codes.holdDays: ${holdDays} is set together with holds.length ("${config.holds.length}"); keep holds.length only (codes.holdDays is its older name, in days)`];
  }
  config.holds.length ??= `${holdDays ?? 7}d`;
  return [];
}

export function crossCheck(config: LockerdConfig): string[] {
  const problems: string[] = [];

  const busIds = new Map<string, number>();
  config.buses.forEach((bus, i) => {
    const first = busIds.get(bus.id);
    if (first !== undefined) problems.push(`buses[${i}].id: "${bus.id}" is already used by buses[${first}]`);
    else busIds.set(bus.id, i);
  });

  // Board ids are global: compartments name a board, not a bus.
  const boards = new Map<string, { locks: number; where: string }>();
  config.buses.forEach((bus, i) => {
    bus.boards.forEach((board, j) => {
      const where = `buses[${i}].boards[${j}]`;
      const first = boards.get(board.id);
      if (first) problems.push(`${where}.id: "${board.id}" is already used by ${first.where}; board ids must be unique across all buses`);
      else boards.set(board.id, { locks: board.locks, where });
    });
  });

  const compartmentIds = new Map<string, number>();
  const lockUsers = new Map<string, number>();
  const knownBoards = [...boards.keys()].join(', ');
  config.compartments.forEach((c, i) => {
    const first = compartmentIds.get(c.id);
    if (first !== undefined) problems.push(`compartments[${i}].id: "${c.id}" is already used by compartments[${first}]`);
    else compartmentIds.set(c.id, i);

    const board = boards.get(c.board);
    if (!board) {
      problems.push(`compartments[${i}].board: "${c.board}" is not a configured board (known boards: ${knownBoards || 'none'})`);
    } else if (c.lock > board.locks) {
      problems.push(`compartments[${i}].lock: ${c.lock} is above the ${board.locks} locks of board "${c.board}"`);
    }

    const lockKey = `${c.board}\u0000${c.lock}`;
    const other = lockUsers.get(lockKey);
    if (other !== undefined) {
      const o = config.compartments[other]!;
      problems.push(
        `compartments[${i}]: "${c.id}" and "${o.id}" (compartments[${other}]) are both on board "${c.board}" lock ${c.lock}; each lock opens one door`,
      );
    } else {
      lockUsers.set(lockKey, i);
    }
  });

  problems.push(...storageCrossCheck(config, { boards, lockUsers }));
  problems.push(...checkScreenLayout(config));

  const unitIds = new Map<string, number>();
  config.units.forEach((u, i) => {
    const first = unitIds.get(u.id);
    if (first !== undefined) problems.push(`units[${i}].id: "${u.id}" is already used by units[${first}]`);
    else unitIds.set(u.id, i);
  });
  const accessibleUnits = config.units.filter((u) => u.accessible).length;
  if (accessibleUnits > 0 && config.compartments.length > 0 && !config.compartments.some((c) => c.accessible)) {
    problems.push(
      `units: ${accessibleUnits} unit(s) are marked accessible but no compartment is; their parcels could never be deposited (mark low compartments "accessible": true)`,
    );
  }

  // PINs are compared but never printed; couriers are named by id.
  const courierIds = new Map<string, number>();
  const pins = new Map<string, number>();
  config.couriers.forEach((c, i) => {
    const first = courierIds.get(c.id);
    if (first !== undefined) problems.push(`couriers[${i}].id: "${c.id}" is already used by couriers[${first}]`);
    else courierIds.set(c.id, i);

    const samePin = pins.get(c.pin);
    if (samePin !== undefined) {
      problems.push(
        `couriers[${i}].pin: courier "${c.id}" has the same PIN as courier "${config.couriers[samePin]!.id}" (couriers[${samePin}]); every courier needs a PIN of their own`,
      );
    } else {
      pins.set(c.pin, i);
    }

    if (c.pin.length === config.codes.length) {
      problems.push(
        `couriers[${i}].pin: the PIN of courier "${c.id}" has ${c.pin.length} digits, the same as codes.length; the keypad tells retrieval codes and courier PINs apart by their length, so PINs need a different number of digits`,
      );
    }
  });

  problems.push(...checkStaff(config));

  // The keypad resets an entry longer than maxEntryLength, so everything keyed in must fit.
  const longest = (label: string, lengths: number[]) => {
    const max = Math.max(0, ...lengths);
    if (max > config.kiosk.maxEntryLength) {
      problems.push(`kiosk.maxEntryLength: ${config.kiosk.maxEntryLength} is shorter than ${label} (${max} digits), which could then never be keyed in`);
    }
  };
  longest('codes.length', [config.codes.length]);
  longest('the longest courier PIN', config.couriers.map((c) => c.pin.length));
  longest('the longest staff PIN', config.staff.map((m) => m.pin.length));
  longest('the longest unit id', config.units.map((u) => u.id.length));

  if (config.guessing.maxLockoutMs < config.guessing.baseLockoutMs) {
    problems.push(
      `guessing.maxLockoutMs: ${config.guessing.maxLockoutMs} is below guessing.baseLockoutMs (${config.guessing.baseLockoutMs}); the longest wait cannot be shorter than the first`,
    );
  }
  if (config.guessing.suspectedLockoutMs < config.guessing.maxLockoutMs) {
    problems.push(
      `guessing.suspectedLockoutMs: ${config.guessing.suspectedLockoutMs} is below guessing.maxLockoutMs (${config.guessing.maxLockoutMs}); the wait once guessing is suspected cannot be shorter than before`,
    );
  }
  problems.push(...codeLengthCrossCheck(config));
  if (config.compartments.length > 0) problems.push(...holdConfigProblems(config));

  problems.push(...mqttCrossCheck(config));
  problems.push(...lockBoardCrossCheck(config));
  problems.push(...inputCrossCheck(config));
  problems.push(...cabinetConfigProblems(config));
  return problems;
}

/**
 * Codes long enough for the compartment count: with one live code per compartment at most, a
 * sustained attacker held to the throttle's worst case must need MIN_YEARS_TO_A_HIT years on
 * average to hit any of them (docs/security.md).
 */
function codeLengthCrossCheck(config: LockerdConfig): string[] {
  const compartments = config.compartments.length;
  if (compartments === 0 || config.guessing.suspectedLockoutMs < config.guessing.maxLockoutMs) return [];
  const perDay = worstCaseGuessesPerDay(config.guessing);
  const years = expectedYearsToAHit(config.codes.length, compartments, perDay);
  if (years >= MIN_YEARS_TO_A_HIT) return [];
  const needed = requiredCodeLength(compartments, config.guessing);
  const found = `codes.length: ${config.codes.length} digits are too short for ${compartments} compartments: the guessing throttle lets through at most ${perDay} wrong codes a day, and at that rate an attacker expects a hit within ${years < 1 ? years.toFixed(2) : years.toFixed(1)} years (at least ${MIN_YEARS_TO_A_HIT} needed)`;
  return [
    needed === null
      ? `${found}; even 12 digits are not enough: lower guessing.alarmFailuresPerDay or raise guessing.suspectedLockoutMs (see docs/security.md)`
      : `${found}; set codes.length to ${needed} or more (see docs/security.md)`,
  ];
}

/** MQTT settings that only make sense together. */
function mqttCrossCheck(config: LockerdConfig): string[] {
  const m = config.mqtt;
  const problems: string[] = [];
  if (m.reconnectMaxMs < m.reconnectMinMs) {
    problems.push(`mqtt.reconnectMaxMs: ${m.reconnectMaxMs} is below mqtt.reconnectMinMs (${m.reconnectMinMs}); the longest reconnect delay cannot be shorter than the first`);
  }
  if ((m.tls.cert === undefined) !== (m.tls.key === undefined)) {
    problems.push(`mqtt.tls: ${m.tls.cert ? 'cert is set but key is not' : 'key is set but cert is not'}; a client certificate needs both`);
  }
  if (m.password !== undefined && m.username === undefined) problems.push('mqtt.password: set without mqtt.username');
  return problems;
}

/** RS-485 lock-board buses: addresses and lock counts each family allows, one board per address (docs/lockboards.md). */
function lockBoardCrossCheck(config: LockerdConfig): string[] {
  const problems: string[] = [];
  const paths = new Map<string, string>();
  config.buses.forEach((bus, i) => {
    if (bus.type !== 'rs485') return;
    const other = paths.get(bus.path);
    if (other) problems.push(`buses[${i}].path: "${bus.path}" is already used by ${other}; one serial port is one bus (list all its boards there)`);
    else paths.set(bus.path, `buses[${i}]`);
    if (bus.reconnectMaxMs < bus.reconnectMinMs) {
      problems.push(`buses[${i}].reconnectMaxMs: ${bus.reconnectMaxMs} is below buses[${i}].reconnectMinMs (${bus.reconnectMinMs}); the longest wait cannot be shorter than the first`);
    }
    const addresses = new Map<string, number>();
    bus.boards.forEach((board, j) => {
      const where = `buses[${i}].boards[${j}]`;
      const protocol = board.protocol ?? bus.protocol;
      const limits = FAMILIES[protocol];
      if (board.address < limits.addressMin || board.address > limits.addressMax) {
        problems.push(`${where}.address: ${board.address} is not a ${protocol} address (${limits.addressMin} to ${limits.addressMax})`);
      }
      if (board.locks > limits.maxLocks) {
        problems.push(`${where}.locks: ${board.locks} is more than a ${protocol} board drives (at most ${limits.maxLocks})`);
      }
      const key = `${protocol}/${board.address}`;
      const first = addresses.get(key);
      if (first !== undefined) problems.push(`${where}.address: ${protocol} address ${board.address} is already used by buses[${i}].boards[${first}]; every board on a bus needs its own address`);
      else addresses.set(key, j);
      if (board.sensors && protocol !== 'kerong-cu16') {
        problems.push(`${where}.sensors: only kerong-cu16 boards report item-present sensors`);
      }
      if (protocol === 'modbus-rtu') {
        const m = board.modbus;
        if (m.pulse === 'board' && m.relayStart + board.locks - 1 > 0xff) {
          problems.push(`${where}.modbus.relayStart: relays ${m.relayStart} to ${m.relayStart + board.locks - 1} go beyond channel 255, the last a board-timed pulse can address`);
        }
        if (m.feedbackStart + board.locks - 1 > 0xffff) {
          problems.push(`${where}.modbus.feedbackStart: feedback addresses ${m.feedbackStart} to ${m.feedbackStart + board.locks - 1} go beyond 65535`);
        }
      }
    });
  });
  return problems;
}

/** Scanners, keypads and GPIO lines fit together (docs/input.md). */
function inputCrossCheck(config: LockerdConfig): string[] {
  const problems: string[] = [];
  const names = new Map<string, string>([['sim-scanner', 'the simulated scanner'], ['sim-keypad', 'the simulated keypad']]);
  const paths = new Map<string, string>();
  const lines = new Map<number, string>();
  const useLine = (line: number, where: string) => {
    const first = lines.get(line);
    if (first) problems.push(`${where}: GPIO line ${line} is already used by ${first}`);
    else lines.set(line, where);
  };
  const devices = [
    ...config.scanners.map((d, i) => ({ d, i, kind: 'scanner' as const, where: `scanners[${i}]` })),
    ...config.keypads.map((d, i) => ({ d, i, kind: 'keypad' as const, where: `keypads[${i}]` })),
  ];
  for (const { d, i, kind, where } of devices) {
    const name = d.name ?? `${kind}-${i + 1}`;
    const first = names.get(name);
    if (first) problems.push(`${where}.name: "${name}" is already used by ${first}; every scanner and keypad needs a name of its own`);
    else names.set(name, where);
    if (d.type === 'serial') {
      const other = paths.get(d.path);
      if (other) problems.push(`${where}.path: "${d.path}" is already used by ${other}; one serial port serves one device`);
      else paths.set(d.path, where);
    } else if (d.type !== 'gpio-matrix') {
      if (d.hidraw === undefined && (d.vendorId === undefined || d.productId === undefined)) {
        problems.push(`${where}: a USB HID ${kind} needs "vendorId" and "productId" (as lsusb prints them, e.g. "0c2e") or a "hidraw" path`);
      }
    } else {
      if (d.layout.length !== d.rows.length) problems.push(`${where}.layout: ${d.layout.length} row(s) of keys for ${d.rows.length} row line(s); give one string per row`);
      d.layout.forEach((row, r) => {
        if (row.length !== d.columns.length) problems.push(`${where}.layout[${r}]: "${row}" has ${row.length} key(s) for ${d.columns.length} column line(s)`);
      });
      d.rows.forEach((line, r) => useLine(line, `${where}.rows[${r}]`));
      d.columns.forEach((line, c) => useLine(line, `${where}.columns[${c}]`));
    }
  }
  const g = config.gpio;
  const named: [string, { line: number } | undefined][] = [
    ['gpio.tamper', g.tamper], ['gpio.powerFail', g.powerFail], ['gpio.buzzer', g.buzzer],
    ['gpio.lights.ok', g.lights?.ok], ['gpio.lights.error', g.lights?.error], ['gpio.lights.busy', g.lights?.busy],
  ];
  for (const [where, cfg] of named) if (cfg) useLine(cfg.line, `${where}.line`);
  return problems;
}

/**
 * Staff PINs: one each, of another length than codes (the keypad tells them apart by length, as
 * for couriers), and never a courier's (one PIN, one person: the welcome screen tries both).
 * PINs and badges are compared, never printed; members are named by id.
 */
function checkStaff(config: LockerdConfig): string[] {
  const problems: string[] = [];
  const ids = new Map<string, number>();
  const pins = new Map<string, number>();
  const badges = new Map<string, number>();
  const courierPins = new Map(config.couriers.map((c) => [c.pin, c.id]));
  config.staff.forEach((m, i) => {
    const first = ids.get(m.id);
    if (first !== undefined) problems.push(`staff[${i}].id: "${m.id}" is already used by staff[${first}]`);
    else ids.set(m.id, i);
    const samePin = pins.get(m.pin);
    if (samePin !== undefined) problems.push(`staff[${i}].pin: staff member "${m.id}" has the same PIN as "${config.staff[samePin]!.id}" (staff[${samePin}]); everyone needs a PIN of their own`);
    else pins.set(m.pin, i);
    const courier = courierPins.get(m.pin);
    if (courier !== undefined) problems.push(`staff[${i}].pin: staff member "${m.id}" has the same PIN as courier "${courier}"; everyone needs a PIN of their own`);
    if (m.pin.length === config.codes.length) {
      problems.push(
        `staff[${i}].pin: the PIN of staff member "${m.id}" has ${m.pin.length} digits, the same as codes.length; the keypad tells retrieval codes and PINs apart by their length, so PINs need a different number of digits`,
      );
    }
    if (m.badge !== undefined) {
      // Judged by the scanner's own decoder: a token it would not read could never log anyone in.
      if (parseBadge(`${BADGE_PREFIX}${m.badge}`) === null) {
        problems.push(`staff[${i}].badge: the badge of staff member "${m.id}" would never scan: it must be 26 characters of canonical base32 (the last one A, E, I, M, Q, U, Y or 4, as 128 random bits encode); issue a new one`);
      } else {
        const sameBadge = badges.get(m.badge);
        if (sameBadge !== undefined) problems.push(`staff[${i}].badge: staff member "${m.id}" has the same badge as "${config.staff[sameBadge]!.id}" (staff[${sameBadge}])`);
        else badges.set(m.badge, i);
      }
    }
  });
  return problems;
}
