import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config/load.js';
import { resolveConfigPath } from '../config/paths.js';
import { ControlClientError, request, type StreamOptions } from '../control/client.js';
import { READ_ONLY_COMMANDS } from '../control/offline-commands.js';
import { CommandError, EXIT_STATUS } from '../control/protocol.js';
import { UsageError, type CliCommand, type EventSink, type Flags } from './command.js';
import { COMMANDS } from './commands/index.js';

const GLOBAL_FLAGS = [
  { name: '--json', value: false },
  { name: '--socket', value: true },
  { name: '--config', value: true },
  { name: '--help', value: false },
  { name: '-h', value: false },
];

export function usage(commands: readonly CliCommand[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.usage.length));
  return `lockerctl: talk to the running lockerd

usage: lockerctl [--json] [--socket PATH | --config FILE] COMMAND [ARGS]

commands:
${commands.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`).join('\n')}

options:
  --json       machine-readable output
  --socket     control socket path (default: LOCKERD_SOCKET, then the config's control.socketPath)
  --config     lockerd config file (default: LOCKERD_CONFIG, then config/default.json)
`;
}

/** Finds the command whose words start the positional arguments (the longest match wins). */
function findCommand(positional: string[], commands: readonly CliCommand[]): { command: CliCommand; rest: string[] } {
  const matches = commands
    .filter((c) => c.words.every((w, i) => positional[i] === w))
    .sort((a, b) => b.words.length - a.words.length);
  const command = matches[0];
  if (!command) {
    if (positional.length === 0) throw new UsageError('no command given');
    throw new UsageError(`unknown command "${positional.slice(0, 2).join(' ')}"`);
  }
  return { command, rest: positional.slice(command.words.length) };
}

export interface ParsedCommandLine {
  flags: Flags;
  command?: CliCommand;
  rest: string[];
  help: boolean;
}

export function parseCommandLine(argv: readonly string[], commands: readonly CliCommand[] = COMMANDS): ParsedCommandLine {
  const flags: Flags = {};
  const positional: string[] = [];
  const known = new Map([...GLOBAL_FLAGS, ...commands.flatMap((c) => c.flags ?? [])].map((f) => [f.name, f.value]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (name.startsWith('-') && name !== '-') {
      const takesValue = known.get(name);
      if (takesValue === undefined) throw new UsageError(`unknown option ${name}`);
      if (takesValue) {
        const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`${name} needs a value`);
        flags[name] = v;
      } else {
        flags[name] = true;
      }
    } else {
      positional.push(a);
    }
  }
  const help = flags['--help'] === true || flags['-h'] === true || positional[0] === 'help';
  if (help) return { flags, rest: [], help };
  const { command, rest } = findCommand(positional, commands);
  for (const f of Object.keys(flags)) {
    if (!GLOBAL_FLAGS.some((g) => g.name === f) && !(command.flags ?? []).some((c) => c.name === f)) {
      throw new UsageError(`option ${f} does not apply to "${command.words.join(' ')}"`);
    }
  }
  return { flags, command, rest, help };
}

function socketPath(flags: Flags): string {
  if (typeof flags['--socket'] === 'string') return resolve(flags['--socket']);
  if (process.env.LOCKERD_SOCKET) return resolve(process.env.LOCKERD_SOCKET);
  const argv = typeof flags['--config'] === 'string' ? ['--config', flags['--config']] : [];
  return resolve(loadConfig(resolveConfigPath(argv, process.env)).control.socketPath);
}

/**
 * The request, or with the daemon stopped and a read-only command, its answer from the ledger
 * itself (src/control/offline.ts, loaded only then), said on stderr. If the config cannot be
 * loaded, or names another socket, the daemon's absence is the error.
 */
async function requestOrOffline(path: string, flags: Flags, req: { command: string; args: Record<string, unknown> }, err: (s: string) => void, stream?: StreamOptions): Promise<unknown> {
  try {
    return await request(path, req.command, req.args, undefined, stream);
  } catch (e) {
    if (!(e instanceof ControlClientError) || !e.unreachable || !READ_ONLY_COMMANDS.has(req.command)) throw e;
    let config;
    try {
      config = loadConfig(resolveConfigPath(typeof flags['--config'] === 'string' ? ['--config', flags['--config']] : [], process.env));
    } catch {
      throw e;
    }
    // Only the ledger of the daemon that was asked: a --socket of another locker's config is not this one.
    if (resolve(config.control.socketPath) !== path) throw e;
    const { answerOffline } = await import('../control/offline.js');
    try {
      const result = await answerOffline(config, req.command, req.args, { onEvent: stream?.onEvent });
      err('lockerd is not running: answered from the ledger (read-only)\n');
      return result;
    } catch (offline) {
      if (offline instanceof CommandError) throw new ControlClientError(`${offline.message} (${e.message})`, offline.kind);
      throw new ControlClientError(`${e.message}; reading the ledger instead failed: ${offline instanceof Error ? offline.message : String(offline)}`, 'internal');
    }
  }
}

/** Runs one lockerctl invocation; returns the exit code. */
export async function run(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let parsed: ParsedCommandLine;
  let req: { command: string; args: Record<string, unknown> } | undefined;
  try {
    parsed = parseCommandLine(argv);
    if (parsed.help || !parsed.command) {
      out(usage());
      return 0;
    }
    if (!parsed.command.local) req = parsed.command.request!(parsed.rest, parsed.flags);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`lockerctl: ${e.message}\n\n${usage()}`);
      return 64; // EX_USAGE
    }
    throw e;
  }
  const command = parsed.command;
  let sink: EventSink | undefined;
  try {
    if (command.sink) {
      const path = socketPath(parsed.flags);
      sink = command.sink(parsed.flags, out);
      // A write that fails (disk full) must not throw out of the socket's data handler: kept, reported below.
      let writeError: unknown;
      const result = await requestOrOffline(path, parsed.flags, req!, err, {
        onEvent: (e) => {
          if (writeError !== undefined) return;
          try {
            sink!.event(e);
          } catch (error) {
            writeError = error;
          }
        },
      });
      if (writeError !== undefined) throw new ControlClientError(`could not write the output: ${writeError instanceof Error ? writeError.message : String(writeError)}`);
      const closed = sink.close(result);
      sink = undefined;
      err(closed.message);
      return closed.exitCode;
    }
    const result = command.local ? await command.local(parsed.rest, parsed.flags) : await requestOrOffline(socketPath(parsed.flags), parsed.flags, req!, err);
    out(parsed.flags['--json'] === true ? `${JSON.stringify(result, null, 2)}\n` : command.format(result));
    return command.exitCode?.(result) ?? 0;
  } catch (e) {
    sink?.abort();
    if (e instanceof UsageError) {
      err(`lockerctl: ${e.message}\n`);
      return 64;
    }
    if (e instanceof ControlClientError || e instanceof ConfigError) {
      err(`lockerctl: ${e.message}\n`);
      return e instanceof ConfigError ? EXIT_STATUS.config : EXIT_STATUS[e.kind];
    }
    throw e;
  }
}
