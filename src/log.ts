import { fstatSync } from 'node:fs';
import { isatty } from 'node:tty';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from './config/types.js';
import { redactCredentials } from './secrets/redact.js';

export type { Logger };

export type Component = 'main' | 'ledger' | 'locker' | 'kiosk' | 'bus' | 'input' | 'sync' | 'control' | 'screen' | 'reports' | 'cabinet';

/**
 * Defence in depth: secrets are never passed to the logger on purpose, but should one slip into a
 * log line (a field named like a credential at any depth, an error's message or stack, the
 * message itself, a `LKP1/...` or `LKB1/...` text anywhere) it is censored before the line is
 * written, by the same rules as every control-socket answer (src/secrets/redact.ts).
 */
export const LOG_CENSOR = '[redacted]';

export function redactLogLine(line: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return redactCredentials(line, LOG_CENSOR); // not JSON (never, from pino): still no token
  }
  const clean = redactCredentials(entry, LOG_CENSOR);
  return clean === entry ? line : `${JSON.stringify(clean)}\n`;
}

/**
 * journald reads a `<N>` prefix on a line as its syslog priority (SyslogLevelPrefix=, on by
 * default) and strips it, so each line stays one JSON object in the journal and
 * `journalctl -p warning` shows warnings. pino's levels: fatal 60 is crit (2): lockerd logs it
 * just before it exits for good (unusable ledger, control socket taken), the state a technician
 * must see first; error 50 err (3), warn 40 warning (4), info 30 info (6), debug 20 and trace 10
 * debug (7). notice (5) has no pino level.
 */
export function syslogPriority(level: number): number {
  if (level >= 60) return 2;
  if (level >= 50) return 3;
  if (level >= 40) return 4;
  if (level >= 30) return 6;
  return 7;
}

const LEVEL_FIELD = /^\{"level":(\d+)/;

/** The line with its priority prefix; pino writes `level` first, so no full parse is needed. */
export function withPriority(line: string): string {
  const m = LEVEL_FIELD.exec(line);
  return `<${m ? syslogPriority(Number(m[1])) : 6}>${line}`;
}

/**
 * Whether file descriptor `fd` is the stream systemd connected to the journal: $JOURNAL_STREAM is
 * `<device>:<inode>` of that stream, and it is only ours if fd's fstat says the same (a child
 * whose output was redirected inherits the variable but not the stream), as systemd.exec(5) says.
 */
export function isJournalStream(journalStream: string | undefined, fd: number): boolean {
  const m = /^(\d+):(\d+)$/.exec(journalStream ?? '');
  if (!m) return false;
  try {
    const st = fstatSync(fd, { bigint: true });
    return st.dev === BigInt(m[1]!) && st.ino === BigInt(m[2]!);
  } catch {
    return false;
  }
}

/** Text for stderr (lines the daemon writes before its logger exists) with a priority on each line when it goes to the journal. */
export function stderrText(text: string, priority: number, env: NodeJS.ProcessEnv = process.env): string {
  if (!isJournalStream(env.JOURNAL_STREAM, 2)) return text;
  return text.replace(/^(?=.)/gm, `<${priority}>`);
}

export interface LoggerOptions {
  level: LogLevel;
  /** Human-readable lines; defaults to whether the output is a terminal (never in the journal). */
  pretty?: boolean;
  /** Where JSON lines go (tests capture them); defaults to `fd`. */
  destination?: DestinationStream;
  /** The file descriptor written to when no destination is given; default 1 (stdout). */
  fd?: number;
  /** Where JOURNAL_STREAM is read; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** pretty on a terminal; JSON with a priority prefix into the journal; plain JSON otherwise. */
export type LogFormat = 'pretty' | 'journal' | 'json';

export function logFormat(options: LoggerOptions): LogFormat {
  const fd = options.fd ?? 1;
  if (!options.destination && isJournalStream((options.env ?? process.env).JOURNAL_STREAM, fd)) return 'journal';
  if (options.pretty ?? (!options.destination && isatty(fd))) return 'pretty';
  return 'json';
}

export function createLogger(options: LoggerOptions): Logger {
  const format = logFormat(options);
  const fd = options.fd ?? 1;
  const stream =
    options.destination ??
    (format === 'pretty' ? pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', destination: fd }) : pino.destination({ fd, sync: true }));
  const streamWrite = format === 'journal' ? (line: string) => withPriority(redactLogLine(line)) : redactLogLine;
  return pino({ level: options.level, hooks: { streamWrite }, base: { pid: process.pid } }, stream);
}

export function componentLogger(root: Logger, component: Component): Logger {
  return root.child({ component });
}
