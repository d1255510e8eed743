/**
 * The one logger type of every driver, and the safe text of an error. Dependency-free: the
 * drivers never import the core, and the core's pino Logger fits `DriverLog` structurally.
 */

/** The few logger methods drivers use (pino's Logger fits). Drivers never import the core. */
export interface DriverLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const SILENT_LOG: DriverLog = { debug() {}, info() {}, warn() {}, error() {} };

/** Short, safe description of an error for logs and health lines (no stack, bounded). */
export function errorText(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null | undefined;
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  const code = typeof e?.code === 'string' ? ` (${e.code})` : '';
  return `${msg.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 200)}${code}`;
}
