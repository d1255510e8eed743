import { createConnection } from 'node:net';
import { isErrorKind, type ControlResponse, type ErrorKind } from './protocol.js';

/** Thrown by lockerctl's client with a message for the technician; `kind` decides the exit status. */
export class ControlClientError extends Error {
  override name = 'ControlClientError';
  constructor(
    message: string,
    readonly kind: ErrorKind = 'refused',
    /** Nothing listens on the socket (ENOENT, ECONNREFUSED): the daemon is stopped, not slow. */
    readonly unreachable = false,
  ) {
    super(message);
  }
}

/** Prints one streamed event as it comes: text as it is, anything else as a JSON line. */
export function printEvent(event: unknown): void {
  process.stdout.write(typeof event === 'string' ? (event.endsWith('\n') ? event : `${event}\n`) : `${JSON.stringify(event)}\n`);
}

export interface StreamOptions {
  /** Called for each streamed event (default: printEvent). */
  onEvent?: (event: unknown) => void;
  /** Stop on Ctrl-C (SIGINT): close the connection and resolve `{ stopped: true, events }`. Default true. */
  stopOnInterrupt?: boolean;
}

/**
 * Sends one request and waits for its response line. A streaming command's events (see
 * protocol.ts) are handed to `stream.onEvent` as they come; the timeout only applies until the
 * first line, since a stream lasts until it ends or the technician presses Ctrl-C.
 */
export function request(socketPath: string, command: string, args: Record<string, unknown> = {}, timeoutMs = 30_000, stream: StreamOptions = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let buffer = '';
    let events = 0;
    const onEvent = stream.onEvent ?? printEvent;
    const onInterrupt = (): void => {
      process.off('SIGINT', onInterrupt);
      socket.destroy();
      resolve({ stopped: true, events });
    };
    const settle = (): void => {
      process.off('SIGINT', onInterrupt);
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ControlClientError(`lockerd did not answer "${command}" within ${timeoutMs / 1000} s`, 'unavailable'));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify({ id: 1, command, args })}\n`));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      settle();
      if (err.code === 'EACCES') {
        reject(new ControlClientError(`permission denied on ${socketPath}: you are not in the lockerd group (sudo usermod -aG lockerd $USER, then log in again) or use sudo`, 'permission'));
        return;
      }
      const stopped = err.code === 'ENOENT' || err.code === 'ECONNREFUSED';
      const why = stopped ? `lockerd is not running (no control socket at ${socketPath}); start it with npm start or systemctl start lockerd` : `cannot reach lockerd at ${socketPath}: ${err.message}`;
      reject(new ControlClientError(why, 'unavailable', stopped));
    });
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        clearTimeout(timer);
        const response = JSON.parse(line) as ControlResponse;
        if (response.ok && 'event' in response) {
          if (events++ === 0 && stream.stopOnInterrupt !== false) process.on('SIGINT', onInterrupt);
          onEvent(response.event);
          continue;
        }
        settle();
        socket.end();
        if (response.ok) resolve(response.result);
        else reject(new ControlClientError(response.error, isErrorKind(response.code) ? response.code : 'refused'));
        return;
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      settle();
      // A stream the daemon ended by going away (stopped, restarted) ends here too. Without any
      // answer it is an error: a promise left pending would hang lockerctl forever. (Settling an
      // already settled promise does nothing, so a normal answer followed by close is unaffected.)
      if (events > 0) resolve({ stopped: true, events });
      else reject(new ControlClientError(`lockerd closed the connection before answering "${command}"; did it stop or crash? See its log`, 'unavailable'));
    });
  });
}
