/**
 * The control socket speaks newline-delimited JSON: one request per line, one response per line.
 * Shared by the daemon's server and by lockerctl.
 */
export interface ControlRequest {
  id: number;
  command: string;
  args?: Record<string, unknown>;
}

export type ControlResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: true; event: unknown }
  | { id: number | null; ok: false; error: string; code: ErrorKind };

/**
 * What kind of failure an error answer is, so lockerctl exits with the same status whether it
 * or the daemon found the problem (sysexits.h where one fits). The daemon never sends an exit
 * status itself: the kind is the contract, `EXIT_STATUS` its one translation.
 */
export const EXIT_STATUS = {
  /** Refused by the locker's rules (a door is mid-operation, nothing to reset, ...). */
  refused: 1,
  /** The request is malformed: a missing or mistyped argument, an unknown command (EX_USAGE). */
  usage: 64,
  /** The request names something this locker does not have: a compartment, a parcel (EX_DATAERR). */
  not_found: 65,
  /** The daemon cannot be reached, or a part it needs is off or busy (EX_UNAVAILABLE). */
  unavailable: 69,
  /** A fault inside the daemon; its log says more (EX_SOFTWARE). */
  internal: 70,
  /** The operating system refused: a file or socket permission (EX_NOPERM). */
  permission: 77,
  /** The configuration cannot be used (EX_CONFIG). */
  config: 78,
} as const;

export type ErrorKind = keyof typeof EXIT_STATUS;

export function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === 'string' && Object.hasOwn(EXIT_STATUS, value);
}

/**
 * Streaming: a handler may return an AsyncIterable. The server then writes one
 * `{id, ok: true, event}` line per item and, when the iteration ends, the final
 * `{id, ok: true, result}` line (`result` is `{ events: <count> }`, or the iterable's return
 * value when it has one). When the client closes the connection (Ctrl-C), the request's
 * AbortSignal fires and the server stops the iteration, so the handler can clean up.
 * Clients that know nothing of streaming still work: a line with `event` is not a final answer.
 */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/** Longest request line accepted; anything longer is refused and the connection closed. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/**
 * A refusal meant for the person at lockerctl: the message is shown as it is, `kind` decides
 * the exit status (a bad argument is `usage`, an unknown compartment `not_found`).
 */
export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    message: string,
    readonly kind: ErrorKind = 'refused',
  ) {
    super(message);
  }
}

export function parseRequest(line: string): ControlRequest | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { error: 'request is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'request must be a JSON object' };
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'number' || !Number.isSafeInteger(v.id)) return { error: 'request needs an integer "id"' };
  if (typeof v.command !== 'string' || v.command.length === 0 || v.command.length > 64) return { error: 'request needs a "command" string' };
  if (v.args !== undefined && (typeof v.args !== 'object' || v.args === null || Array.isArray(v.args))) return { error: '"args" must be an object' };
  return { id: v.id, command: v.command, args: v.args as Record<string, unknown> | undefined };
}
