import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config/load.js';
import { resolveConfigPath } from '../config/paths.js';
import { ControlClientError, request } from '../control/client.js';
import { format } from './format.js';

const USAGE = `lockerctl: talk to the running lockerd

usage: lockerctl [--json] [--socket PATH | --config FILE] COMMAND [ARGS]

commands:
  status                           the locker at a glance
  compartments                     every compartment, its parcel and its door
  parcels [--state S] [--limit N]  parcels, newest first
  outbox [--unsent] [--limit N] [--reveal-codes]
                                   events waiting for (or sent) upstream; codes hidden unless asked (audited)
  audit [--limit N]                the latest audit rows
  sim scan TEXT                    simulated scanner reads TEXT
  sim keys KEYS                    simulated keypad presses KEYS (0-9 * # A-D), e.g. 111111#
  sim door COMPARTMENT open|close  a person opens or shuts a simulated door

options:
  --json       machine-readable output
  --socket     control socket path (default: from the config, or LOCKERD_SOCKET)
  --config     lockerd config file (default: LOCKERD_CONFIG, then config/default.json)
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

interface Parsed {
  json: boolean;
  socket?: string;
  positional: string[];
  flags: Record<string, string | true>;
}

const VALUE_FLAGS = new Set(['--socket', '--config', '--state', '--limit']);
const BOOL_FLAGS = new Set(['--json', '--reveal-codes', '--unsent', '--help', '-h']);

export function parseArgs(argv: readonly string[]): Parsed {
  const parsed: Parsed = { json: false, positional: [], flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      parsed.positional.push(...argv.slice(i + 1));
      break;
    }
    const [name, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (VALUE_FLAGS.has(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      parsed.flags[name] = v;
    } else if (BOOL_FLAGS.has(name)) {
      parsed.flags[name] = true;
    } else if (a.startsWith('--')) {
      throw new UsageError(`unknown option ${a}`);
    } else {
      parsed.positional.push(a);
    }
  }
  parsed.json = parsed.flags['--json'] === true;
  if (typeof parsed.flags['--socket'] === 'string') parsed.socket = parsed.flags['--socket'];
  return parsed;
}

function socketPath(p: Parsed): string {
  if (p.socket) return resolve(p.socket);
  if (process.env.LOCKERD_SOCKET) return resolve(process.env.LOCKERD_SOCKET);
  const argv = typeof p.flags['--config'] === 'string' ? ['--config', p.flags['--config']] : [];
  return resolve(loadConfig(resolveConfigPath(argv, process.env)).control.socketPath);
}

function limitArg(p: Parsed): number | undefined {
  const v = p.flags['--limit'];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError('--limit must be a whole number of at least 1');
  return n;
}

/** Maps the command line to one control request. */
export function toRequest(p: Parsed): { command: string; args: Record<string, unknown> } {
  const [cmd, ...rest] = p.positional;
  const limit = limitArg(p);
  switch (cmd) {
    case 'status':
    case 'compartments':
      return { command: cmd, args: {} };
    case 'parcels':
      return { command: 'parcels', args: { ...(typeof p.flags['--state'] === 'string' ? { state: p.flags['--state'] } : {}), ...(limit ? { limit } : {}) } };
    case 'outbox':
      return { command: 'outbox', args: { revealCodes: p.flags['--reveal-codes'] === true, unsentOnly: p.flags['--unsent'] === true, ...(limit ? { limit } : {}) } };
    case 'audit':
      return { command: 'audit', args: limit ? { limit } : {} };
    case 'sim': {
      const [what, ...more] = rest;
      if (what === 'scan' && more.length >= 1) return { command: 'sim.scan', args: { text: more.join(' ') } };
      if (what === 'keys' && more.length === 1) return { command: 'sim.keys', args: { keys: more[0] } };
      if (what === 'door' && more.length === 2) return { command: 'sim.door', args: { compartment: more[0], action: more[1] } };
      throw new UsageError('sim needs: scan TEXT | keys KEYS | door COMPARTMENT open|close');
    }
    case undefined:
      throw new UsageError('no command given');
    default:
      throw new UsageError(`unknown command "${cmd}"`);
  }
}

export async function run(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let parsed: Parsed;
  let req: { command: string; args: Record<string, unknown> };
  try {
    parsed = parseArgs(argv);
    if (parsed.flags['--help'] || parsed.flags['-h'] || parsed.positional[0] === 'help') {
      out(USAGE);
      return 0;
    }
    req = toRequest(parsed);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`lockerctl: ${e.message}\n\n${USAGE}`);
      return 64; // EX_USAGE
    }
    throw e;
  }
  try {
    const result = await request(socketPath(parsed), req.command, req.args);
    out(parsed.json ? `${JSON.stringify(result, null, 2)}\n` : format(req.command, result));
    return 0;
  } catch (e) {
    if (e instanceof ControlClientError || e instanceof ConfigError) {
      err(`lockerctl: ${e.message}\n`);
      return e instanceof ConfigError ? 78 : 1;
    }
    throw e;
  }
}
