/**
 * Reads, validates and completes lockerd's configuration. Every problem found is reported at
 * once, one sentence each, naming the key in JS style (`compartments[3].size`), the bad value
 * and what was expected, so a technician can fix a file in one pass. Courier PINs never appear
 * in any message.
 */

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
// The named export avoids the CommonJS default-import ambiguity under NodeNext.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { expectedYearsToAHit, MIN_YEARS_TO_A_HIT, requiredCodeLength, worstCaseGuessesPerDay } from '../locker/guessing.js';
import { BADGE_PREFIX, parseBadge } from '../barcode/badge.js';
import { LOCKBOARD_LIMITS, configSchema } from './schema.js';
import type { LockerdConfig } from './types.js';

/** Config files are untrusted input: refuse absurd sizes before reading them. */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

const HIDDEN = '(hidden)';
const MAX_PROBLEMS_IN_MESSAGE = 100;

export class ConfigError extends Error {
  /** The file name (or other label) the configuration came from. */
  readonly source: string;
  /** One sentence per problem, without the source prefix. Never contains a courier PIN. */
  readonly problems: string[];

  constructor(source: string, problems: string[]) {
    // The message goes to logs and terminals: keep it bounded; `problems` keeps them all.
    const shown = problems.slice(0, MAX_PROBLEMS_IN_MESSAGE).map((p) => `${source}: ${p}`);
    if (problems.length > MAX_PROBLEMS_IN_MESSAGE) {
      shown.push(`${source}: ... and ${problems.length - MAX_PROBLEMS_IN_MESSAGE} more problems`);
    }
    super(shown.join('\n'));
    this.name = 'ConfigError';
    this.source = source;
    this.problems = problems;
  }
}

/** Reads and validates the configuration file at `path`; throws ConfigError listing every problem. */
export function loadConfig(path: string): LockerdConfig {
  return parseConfig(readConfigText(path), path);
}

/** Validates configuration text; `source` names it in messages. Throws ConfigError. */
export function parseConfig(text: string, source: string): LockerdConfig {
  // A BOM is invisible in editors; accept it rather than report an invisible character.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new ConfigError(source, ['the file is empty; expected a JSON object']);

  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    // JSON.parse's own message may quote the surrounding text (a PIN, say), so it is not used.
    const found = scanJson(body).error;
    const where = found ? lineColumn(body, found.offset) : undefined;
    const problem = found && where
      ? `not valid JSON at line ${where.line}, column ${where.column}: ${found.reason}`
      : 'not valid JSON';
    throw new ConfigError(source, [problem]);
  }

  const problems = scanJson(body).duplicates.map(
    (p) => `${p}: key appears more than once in the same object (only the last one would count)`,
  );

  const validate = validator();
  if (!validate(data)) {
    problems.push(...describeSchemaErrors(validate.errors ?? [], data));
  } else {
    problems.push(...crossCheck(data as LockerdConfig));
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
  return data as LockerdConfig;
}

// ---------------------------------------------------------------------------------------------
// Reading

function readConfigText(path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new ConfigError(path, ['cannot read the configuration: it is a directory, not a file']);
    if (stat.size > MAX_CONFIG_BYTES) {
      throw new ConfigError(path, [
        `cannot read the configuration: the file has ${stat.size} bytes, more than the maximum ${MAX_CONFIG_BYTES}`,
      ]);
    }
    // Read up to the limit through the same descriptor: the size above may be 0 for a pipe, and a
    // file may grow meanwhile.
    const chunks: Buffer[] = [];
    const chunk = Buffer.alloc(64 * 1024);
    let total = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_CONFIG_BYTES) {
        throw new ConfigError(path, [`cannot read the configuration: the file is larger than ${MAX_CONFIG_BYTES} bytes`]);
      }
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    } catch {
      throw new ConfigError(path, ['cannot read the configuration: the file is not UTF-8 text']);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(path, [`cannot read the configuration: ${osReason(err)}`]);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const OS_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the file name is too long',
  EIO: 'input/output error',
};

function osReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return `${OS_REASONS[code] ?? (err as Error).message} (${code})`;
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------------------------------------
// Schema validation and its messages

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({
      allErrors: true,
      useDefaults: true,
      discriminator: true,
      verbose: true, // gives each error its parentSchema: allowed keys, pattern descriptions
      strict: true,
    });
    compiled = ajv.compile(configSchema);
  }
  return compiled;
}

type Segment = string | number;

/** `["units", 2, "id"]` → `units[2].id`; odd keys get brackets: `kiosk["a b"]`. */
function formatPath(segments: readonly Segment[]): string {
  if (segments.length === 0) return '(top level)';
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(truncate(seg, 40))}]`;
  }
  return out;
}

/** Values here may be PINs: couriers[N].pin, and couriers / couriers[N] in case a PIN landed there. */
function isSecretPath(segments: readonly Segment[]): boolean {
  if (segments[0] === 'mqtt' && segments[1] === 'password') return true;
  if (segments[0] === 'staff') return segments.length <= 2 || segments[2] === 'pin' || segments[2] === 'badge';
  return segments[0] === 'couriers' && (segments.length <= 2 || segments[2] === 'pin');
}

/** A broker URL may carry `user:password@`; a message shows the host, not the credentials. */
function withoutUrlPassword(at: readonly Segment[], value: unknown): unknown {
  if (at[0] !== 'mqtt' || at[1] !== 'url' || typeof value !== 'string') return value;
  return value.replace(/^([^/]*\/\/)[^/]*@/, '$1(hidden)@');
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function show(value: unknown, secret: boolean): string {
  if (secret) return HIDDEN;
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') {
    return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)` : JSON.stringify(value);
  }
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

/** Resolves a JSON pointer against the data so array indices become numbers. */
function segmentsOf(pointer: string, data: unknown): Segment[] {
  if (pointer === '') return [];
  const out: Segment[] = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(key)) {
      out.push(Number(key));
      node = node[Number(key)];
    } else {
      out.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return out;
}

function isUnder(path: readonly Segment[], prefix: readonly Segment[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => path[i] === s);
}

function describeSchemaErrors(errors: readonly ErrorObject[], data: unknown): string[] {
  const withPaths = errors.map((e) => ({ e, at: segmentsOf(e.instancePath, data) }));
  // A value of the wrong type makes every other complaint about it (or inside it) noise.
  const wrongType = new Set(withPaths.filter(({ e }) => e.keyword === 'type').map(({ at }) => JSON.stringify(at)));
  const insideWrongType = (at: Segment[]) => at.some((_, i) => wrongType.has(JSON.stringify(at.slice(0, i + 1)))) || wrongType.has('[]');
  const specific = withPaths.filter(
    ({ e }) => !['oneOf', 'anyOf', 'if', 'not', 'discriminator'].includes(e.keyword),
  );

  const seen = new Set<string>();
  const problems: string[] = [];
  for (const { e, at } of withPaths) {
    if (e.keyword !== 'type' && insideWrongType(at)) continue;
    // Combinator errors only repeat what the branch errors below them already say.
    if (['oneOf', 'anyOf', 'if', 'not'].includes(e.keyword) && specific.some(({ at: s }) => isUnder(s, at))) continue;
    const problem = describeError(e, at);
    if (!seen.has(problem.subject)) {
      seen.add(problem.subject);
      problems.push(problem.text);
    }
  }
  return problems;
}

function describeError(e: ErrorObject, at: Segment[]): { subject: string; text: string } {
  const path = formatPath(at);
  const value = show(withoutUrlPassword(at, e.data), isSecretPath(at));
  const params = e.params as Record<string, unknown>;
  const schema = (e.parentSchema ?? {}) as Record<string, unknown>;
  const say = (subject: Segment[], sentence: string) => ({ subject: formatPath(subject), text: `${formatPath(subject)}: ${sentence}` });

  switch (e.keyword) {
    case 'type': {
      const types = String(params.type).split(',').map((t) => TYPE_WORDS[t] ?? t);
      return say(at, `${value} is not ${types.join(' or ')}`);
    }
    case 'enum':
      return say(at, `${value} is not one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`);
    case 'const':
      return say(at, `${value} is not ${JSON.stringify(params.allowedValue)}`);
    case 'minimum':
      return say(at, `${value} is below the minimum ${String(params.limit)}`);
    case 'maximum':
      return say(at, `${value} is above the maximum ${String(params.limit)}`);
    case 'exclusiveMinimum':
      return say(at, `${value} must be above ${String(params.limit)}`);
    case 'exclusiveMaximum':
      return say(at, `${value} must be below ${String(params.limit)}`);
    case 'minLength':
      return say(at, `${value} is too short (at least ${String(params.limit)} characters)`);
    case 'maxLength':
      return say(at, `${value} is too long (at most ${String(params.limit)} characters)`);
    case 'pattern': {
      const expected = typeof schema.description === 'string' ? schema.description : `text matching ${String(params.pattern)}`;
      return say(at, `${value} is not valid: expected ${expected}`);
    }
    case 'minItems':
      return say(at, `has ${countOf(e.data)} entries, fewer than the minimum ${String(params.limit)}`);
    case 'maxItems':
      return say(at, `has ${countOf(e.data)} entries, more than the maximum ${String(params.limit)}`);
    case 'required': {
      const key = String(params.missingProperty);
      return { subject: formatPath([...at, key]), text: `${path}: missing required key ${JSON.stringify(key)}` };
    }
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((schema.properties ?? {}) as object);
      const guess = closest(key, allowed);
      const hint = guess ? `; did you mean ${JSON.stringify(guess)}?` : '';
      return say([...at, key], `unknown key${hint} (allowed: ${allowed.join(', ')})`);
    }
    case 'discriminator': {
      const tagName = String(params.tag);
      const kinds = ((schema.oneOf ?? []) as Array<{ properties?: Record<string, { const?: unknown }> }>)
        .map((b) => String(b.properties?.[tagName]?.const));
      const tagValue = (e.data as Record<string, unknown> | undefined)?.[tagName];
      if (tagValue === undefined) {
        return { subject: formatPath([...at, tagName]), text: `${path}: missing required key ${JSON.stringify(tagName)}` };
      }
      return say([...at, tagName], `${show(tagValue, false)} is not one of ${kinds.join(', ')}`);
    }
    case 'oneOf':
    case 'anyOf':
      return say(at, `${value} does not match any of the allowed forms`);
    default:
      return say(at, `${e.message ?? 'is not valid'}`);
  }
}

function countOf(data: unknown): number {
  return Array.isArray(data) ? data.length : 0;
}

/** The allowed key a typo most likely meant: edit distance at most 2, or same letters in another case. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  if (key.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

// ---------------------------------------------------------------------------------------------
// Cross-checks: rules that involve more than one key. Run only on a schema-valid config.

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

function crossCheck(config: LockerdConfig): string[] {
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

  if (config.compartments.length === 0) {
    problems.push('compartments: none are configured; the locker needs at least one compartment');
  }
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

  problems.push(...mqttCrossCheck(config));
  problems.push(...lockBoardCrossCheck(config));
  problems.push(...inputCrossCheck(config));
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
      const limits = LOCKBOARD_LIMITS[protocol];
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

// ---------------------------------------------------------------------------------------------
// JSON syntax: a small scanner that finds where a document stops being JSON (JSON.parse's own
// messages differ between Node versions and can quote secrets), and which keys repeat.

interface JsonScan {
  error?: { offset: number; reason: string };
  /** JS-style paths of keys that appear twice in one object. */
  duplicates: string[];
}

class JsonSyntaxError extends Error {
  constructor(readonly offset: number, readonly reason: string) {
    super(reason);
  }
}

// Deeper than any valid config; stops the recursive scanner from exhausting the stack.
const MAX_DEPTH = 64;

function scanJson(text: string): JsonScan {
  const duplicates: string[] = [];
  let pos = 0;

  const fail = (reason: string, at = pos): never => {
    throw new JsonSyntaxError(at, reason);
  };

  const skipSpace = () => {
    for (;;) {
      const ch = text[pos];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') pos++;
      else if (ch === '/' && (text[pos + 1] === '/' || text[pos + 1] === '*')) fail('comments are not allowed in JSON');
      else return;
    }
  };

  const unexpected = (expected: string): never => {
    if (pos >= text.length) return fail(`unexpected end of file; expected ${expected}`);
    const ch = text[pos]!;
    if (ch === "'") return fail(`unexpected "'"; JSON strings and keys need double quotes`);
    if (/[A-Za-z0-9_]/.test(ch)) return fail(`unexpected text; expected ${expected} (strings and keys need double quotes)`);
    return fail(`unexpected ${JSON.stringify(ch)}; expected ${expected}`);
  };

  const string = (): string => {
    const start = pos;
    pos++; // opening quote
    let out = '';
    for (;;) {
      if (pos >= text.length) fail('unterminated string (missing closing double quote)', start);
      const code = text.charCodeAt(pos);
      if (code === 0x22) {
        pos++;
        return out;
      }
      if (code < 0x20) fail('line break or control character inside a string (missing closing double quote?)');
      if (code === 0x5c) {
        const esc = text[pos + 1];
        if (esc === 'u') {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9A-Fa-f]{4}$/.test(hex)) fail('invalid \\u escape in a string');
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) {
          out += esc;
          pos += 2;
        } else {
          fail('invalid escape sequence in a string (write a backslash as \\\\)');
        }
      } else {
        out += text[pos];
        pos++;
      }
    }
  };

  const number = () => {
    const re = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return fail('invalid number');
    pos += m[0].length;
    if (/[0-9A-Za-z.]/.test(text[pos] ?? '')) fail('invalid number');
  };

  const value = (path: Segment[], depth: number): void => {
    if (depth > MAX_DEPTH) fail('nested too deeply');
    skipSpace();
    const ch = text[pos];
    if (ch === '{') return object(path, depth);
    if (ch === '[') return array(path, depth);
    if (ch === '"') {
      string();
      return;
    }
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return number();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return;
      }
    }
    unexpected('a value');
  };

  const object = (path: Segment[], depth: number) => {
    pos++; // {
    const keys = new Set<string>();
    let comma: number | undefined;
    skipSpace();
    if (text[pos] === '}') {
      pos++;
      return;
    }
    for (;;) {
      skipSpace();
      if (text[pos] === '}' && comma !== undefined) fail('trailing comma before "}"', comma);
      if (text[pos] !== '"') unexpected('a key in double quotes');
      const key = string();
      if (keys.has(key)) duplicates.push(formatPath([...path, key]));
      keys.add(key);
      skipSpace();
      if (text[pos] !== ':') unexpected('":" after the key');
      pos++;
      value([...path, key], depth + 1);
      skipSpace();
      if (text[pos] === ',') {
        comma = pos++;
        continue;
      }
      if (text[pos] === '}') {
        pos++;
        return;
      }
      unexpected('"," or "}"');
    }
  };

  const array = (path: Segment[], depth: number) => {
    pos++; // [
    let comma: number | undefined;
    skipSpace();
    if (text[pos] === ']') {
      pos++;
      return;
    }
    for (let i = 0; ; i++) {
      skipSpace();
      if (text[pos] === ']' && comma !== undefined) fail('trailing comma before "]"', comma);
      value([...path, i], depth + 1);
      skipSpace();
      if (text[pos] === ',') {
        comma = pos++;
        continue;
      }
      if (text[pos] === ']') {
        pos++;
        return;
      }
      unexpected('"," or "]"');
    }
  };

  try {
    value([], 0);
    skipSpace();
    if (pos < text.length) fail('unexpected text after the end of the JSON document');
    return { duplicates };
  } catch (err) {
    if (err instanceof JsonSyntaxError) return { error: { offset: err.offset, reason: err.reason }, duplicates };
    throw err;
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
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
