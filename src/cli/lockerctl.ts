/**
 * One lockerctl invocation: parse, then help, a local tool, or one request to the daemon, and the
 * answer or the refusal shown. Exit statuses are EXIT_STATUS's (src/control/protocol.ts) by the
 * error's kind, whoever found it; a command may add its own for an answer (selftest: 2).
 */
import { resolve } from 'node:path';
import { ControlClientError, request, type StreamOptions } from '../control/client.js';
import { READ_ONLY_COMMANDS } from '../control/offline-commands.js';
import { CommandError, EXIT_STATUS, type ErrorKind } from '../control/protocol.js';
import { SocketPathError } from '../config/socket-path.js';
import { commandName, UsageError, type CliCommand, type EventSink } from './command.js';
import { COMMANDS } from './commands/index.js';
import { packageVersion } from '../config/paths.js';
import { parseCommandLine as parseWith, type ParsedCommandLine } from './parse.js';
import type { Progress } from './progress.js';
import { socketPath, type SocketLookup } from './socket.js';

/** Parses a command line against every command (or the ones given). */
export function parseCommandLine(argv: readonly string[], commands: readonly CliCommand[] = COMMANDS): ParsedCommandLine {
  return parseWith(argv, commands);
}

/** The overview `lockerctl --help` prints. */
export async function usage(commands: readonly CliCommand[] = COMMANDS): Promise<string> {
  // The help texts load only when asked for: every other invocation starts faster without them.
  const { overview } = await import('./help.js');
  return overview(commands, packageVersion());
}

export interface RunOptions {
  /** stderr is a terminal (progress is then one line redrawn in place). Default: process.stderr.isTTY. */
  stderrIsTTY?: boolean;
  /** Where the socket is looked for (tests). */
  socketLookup?: SocketLookup;
}

/** `--json` was asked for, even on a command line that does not parse. */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/**
 * The request, or with the daemon stopped and a read-only command, its answer from the ledger
 * itself (src/control/offline.ts, loaded only then), said on stderr. The config is read only then
 * (--config, $LOCKERD_CONFIG, else the demo's); if it cannot be loaded, or names another socket,
 * the daemon's absence is the error.
 */
async function requestOrOffline(path: string, configFlag: string | undefined, req: { command: string; args: Record<string, unknown> }, err: (s: string) => void, stream: StreamOptions): Promise<unknown> {
  try {
    return await request(path, req.command, req.args, undefined, stream);
  } catch (e) {
    if (!(e instanceof ControlClientError) || !e.unreachable || !READ_ONLY_COMMANDS.has(req.command)) throw e;
    const [{ loadConfig }, { resolveConfigPath }] = await Promise.all([import('../config/load.js'), import('../config/paths.js')]);
    let config;
    try {
      config = loadConfig(resolveConfigPath(configFlag !== undefined ? ['--config', configFlag] : [], process.env));
    } catch {
      throw e;
    }
    // Only the ledger of the daemon that was asked: a --socket of another locker's config is not this one.
    if (resolve(config.control.socketPath) !== path) throw e;
    const { answerOffline } = await import('../control/offline.js');
    try {
      const result = await answerOffline(config, req.command, req.args, { onEvent: stream.onEvent });
      err('lockerd is not running: answered from the ledger (read-only)\n');
      return result;
    } catch (offline) {
      if (offline instanceof CommandError) throw new ControlClientError(`${offline.message} (${e.message})`, offline.kind);
      throw new ControlClientError(`${e.message}; reading the ledger instead failed: ${offline instanceof Error ? offline.message : String(offline)}`, 'internal');
    }
  }
}

/** Runs one lockerctl invocation; returns the exit code. */
export async function run(argv: readonly string[], out: (s: string) => void, err: (s: string) => void, options: RunOptions = {}): Promise<number> {
  const json = wantsJson(argv);
  // A refusal: one line (or the config's problems, one each), and for a usage error where to read more.
  const fail = (e: unknown, command?: CliCommand): number => {
    let kind: ErrorKind;
    if (e instanceof UsageError) kind = 'usage';
    else if (e instanceof ControlClientError) kind = e.kind;
    else if (e instanceof SocketPathError) kind = e.permission ? 'permission' : 'config';
    else throw e;
    const message = (e as Error).message;
    if (json) {
      // stderr, like every refusal: stdout carries only answers, so `lockerctl --json x > file` never stores an error as data.
      err(`${JSON.stringify({ error: message, code: kind })}\n`);
    } else {
      const helpFor = e instanceof UsageError && e.command !== undefined ? e.command : command ? commandName(command) : '';
      err(`lockerctl: ${message}\n${kind === 'usage' ? `see 'lockerctl ${helpFor ? `${helpFor} ` : ''}--help'\n` : ''}`);
    }
    return EXIT_STATUS[kind];
  };

  let parsed: ParsedCommandLine;
  try {
    parsed = parseCommandLine(argv);
  } catch (e) {
    return fail(e);
  }
  if (parsed.version) {
    out(json ? `${JSON.stringify({ version: packageVersion() })}\n` : `lockerctl ${packageVersion()}\n`);
    return 0;
  }
  const command = parsed.command;
  if (parsed.help || !command) {
    const { commandHelp, groupHelp } = await import('./help.js');
    out(command ? commandHelp(command, COMMANDS) : parsed.helpGroup ? groupHelp(parsed.helpGroup, COMMANDS) : await usage());
    return 0;
  }
  const { flags, rest } = parsed;
  const show = async (result: unknown, streamed: boolean): Promise<number> => {
    if (json) out(streamed ? `${JSON.stringify({ result })}\n` : `${JSON.stringify(result, null, 2)}\n`);
    else out(await command.format(result));
    return command.exitCode?.(result) ?? 0;
  };

  let sink: EventSink | undefined;
  let progress: Progress | undefined;
  try {
    if (command.local) return await show(await command.local(rest, flags), false);
    const req = command.request!(rest, flags);
    const path = await socketPath(flags, options.socketLookup);
    sink = command.sink?.(flags, out);
    const tty = options.stderrIsTTY ?? process.stderr.isTTY === true;
    if (command.progress && (command.progress.when?.(flags) ?? true) && (tty || !json)) {
      const { startProgress } = await import('./progress.js');
      progress = startProgress({ write: err, tty, label: command.progress.label, ...(command.progress.unit ? { unit: command.progress.unit } : {}) });
    }
    // A write that fails (disk full) must not throw out of the socket's data handler: kept, reported below.
    let writeError: unknown;
    let events = 0;
    const onEvent = (e: unknown): void => {
      events++;
      progress?.count();
      if (writeError !== undefined) return;
      try {
        if (sink) sink.event(e);
        else if (json) out(`${JSON.stringify(e)}\n`);
        else out(typeof e === 'string' ? (e.endsWith('\n') ? e : `${e}\n`) : `${JSON.stringify(e)}\n`);
      } catch (error) {
        writeError = error;
      }
    };
    // The one place a request goes to the daemon and its refusal comes back (ControlClientError,
    // `kind: 'unavailable'` when the daemon is down: a read-only command is then answered offline).
    const result = await requestOrOffline(path, typeof flags['--config'] === 'string' ? flags['--config'] : undefined, req, err, { onEvent });
    progress?.stop();
    if (writeError !== undefined) throw new ControlClientError(`could not write the output: ${writeError instanceof Error ? writeError.message : String(writeError)}`);
    if (sink) {
      const closed = sink.close(result);
      sink = undefined;
      err(closed.message);
      return closed.exitCode;
    }
    return await show(result, command.streams === true || events > 0);
  } catch (e) {
    progress?.stop();
    sink?.abort();
    return fail(e, command);
  }
}
