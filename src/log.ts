import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from './config/types.js';

export type { Logger };

export type Component = 'main' | 'ledger' | 'locker' | 'kiosk' | 'bus' | 'input' | 'sync' | 'control';

/**
 * Defence in depth: secrets are never passed to the logger on purpose, but should one slip into
 * a log object under a telling name it is censored rather than written.
 */
const REDACT = {
  paths: ['code', 'pin', 'token', 'key', 'secret', 'password', '*.code', '*.pin', '*.token', '*.key', '*.secret', '*.password'],
  censor: '[redacted]',
};

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
  return pino({ level: options.level, redact: REDACT, base: { pid: process.pid } }, stream);
}

export function componentLogger(root: Logger, component: Component): Logger {
  return root.child({ component });
}
