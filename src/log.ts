import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from './config/types.js';
import { redactCredentials } from './secrets/redact.js';

export type { Logger };

export type Component = 'main' | 'ledger' | 'locker' | 'kiosk' | 'bus' | 'input' | 'sync' | 'control' | 'screen';

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

export interface LoggerOptions {
  level: LogLevel;
  /** Human-readable lines; defaults to whether stdout is a terminal. */
  pretty?: boolean;
  /** Where JSON lines go (tests capture them); defaults to stdout. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const usePretty = options.pretty ?? (process.stdout.isTTY === true && !options.destination);
  const stream = options.destination ?? (usePretty ? pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }) : pino.destination({ sync: true }));
  return pino({ level: options.level, hooks: { streamWrite: redactLogLine }, base: { pid: process.pid } }, stream);
}

export function componentLogger(root: Logger, component: Component): Logger {
  return root.child({ component });
}
