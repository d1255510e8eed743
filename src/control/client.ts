import { createConnection } from 'node:net';
import type { ControlResponse } from './protocol.js';

/** Thrown by lockerctl's client with a message for the technician. */
export class ControlClientError extends Error {
  override name = 'ControlClientError';
}

/** Sends one request and waits for its response line. */
export function request(socketPath: string, command: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ControlClientError(`lockerd did not answer "${command}" within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify({ id: 1, command, args })}\n`));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why =
        err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
          ? `lockerd is not running (no control socket at ${socketPath}); start it with npm start or systemctl start lockerd`
          : err.code === 'EACCES'
            ? `permission denied on ${socketPath}; add yourself to the lockerd group or use sudo`
            : `cannot reach lockerd at ${socketPath}: ${err.message}`;
      reject(new ControlClientError(why));
    });
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      socket.end();
      const response = JSON.parse(buffer.slice(0, nl)) as ControlResponse;
      if (response.ok) resolve(response.result);
      else reject(new ControlClientError(response.error));
    });
  });
}
