import { chmodSync, chownSync, readFileSync, unlinkSync, mkdirSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from '../log.js';
import { kernelPeerIdentity, PEERCRED_FIX, technicianActor, UNKNOWN_TECHNICIAN, type PeerIdentity } from './peer.js';
import { redactCredentials, shown } from '../secrets/redact.js';
import { CommandError, isAsyncIterable, MAX_REQUEST_BYTES, parseRequest, type ControlResponse } from './protocol.js';

/** What a handler gets besides its arguments: `signal` fires when the client goes away. */
export interface CommandContext {
  signal: AbortSignal;
  /** Who asked, for the audit trail: `technician:<Unix user>` (see peer.ts). */
  actor: string;
}

/** Returns the result, or an AsyncIterable to stream events (see protocol.ts). */
export type CommandHandler = (args: Record<string, unknown>, context: CommandContext) => unknown | Promise<unknown>;

/** Thrown when the socket cannot be set up; says what to do. */
export class ControlSocketError extends Error {
  override name = 'ControlSocketError';
}

function groupId(name: string): number {
  const line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.split(':')[0] === name);
  const gid = line ? Number(line.split(':')[2]) : NaN;
  if (!Number.isInteger(gid)) throw new ControlSocketError(`control.group "${name}" does not exist; create it (groupadd ${name}) or remove the setting`);
  return gid;
}

/** Resolves true when something already answers on the socket path. */
function isLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * The Unix socket lockerctl talks to (mode 0660, optionally owned by a technicians' group).
 * Requests are bounded in size, validated, and answered one line each; a bad request never
 * touches a handler. Every answer leaves with its credentials hidden (src/secrets/redact.ts),
 * results, streamed events and errors alike; only a handler that audited a reveal returns one
 * with `reveal()`.
 */
export class ControlServer {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  readonly #gone = new WeakMap<Socket, AbortSignal>();
  readonly #actors = new WeakMap<Socket, string>();

  constructor(
    private readonly path: string,
    private readonly handlers: ReadonlyMap<string, CommandHandler>,
    private readonly log: Logger,
    private readonly group?: string,
    private readonly peers: PeerIdentity = kernelPeerIdentity,
  ) {}

  async start(): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    if (await isLive(this.path)) {
      throw new ControlSocketError(`another lockerd already answers on ${this.path}; stop it first (systemctl stop lockerd)`);
    }
    try {
      unlinkSync(this.path); // A stale socket from a crash.
    } catch {
      // none there
    }
    const server = createServer((socket) => this.#serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(this.path, 0o660);
    if (this.group) chownSync(this.path, process.getuid?.() ?? 0, groupId(this.group));
    this.#server = server;
    const support = this.peers.support();
    if (!support.available) {
      // Said once at start; `lockerctl selftest` says it again.
      this.log.error({ reason: support.reason }, `cannot tell which Unix user sends control requests: the audit trail records them as ${UNKNOWN_TECHNICIAN}; fix: ${PEERCRED_FIX}`);
    }
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    this.#server = undefined;
  }

  #serve(socket: Socket): void {
    this.#sockets.add(socket);
    const gone = new AbortController();
    this.#gone.set(socket, gone.signal);
    // The kernel's record of who connected: fixed for the connection's life.
    this.#actors.set(socket, technicianActor(this.peers.credentials(socket)));
    socket.on('close', () => {
      this.#sockets.delete(socket);
      gone.abort();
    });
    socket.on('error', () => socket.destroy());
    let buffer = '';
    let chain = Promise.resolve();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_REQUEST_BYTES && !buffer.includes('\n')) {
        this.#send(socket, { id: null, ok: false, error: `request longer than ${MAX_REQUEST_BYTES} bytes refused`, code: 'usage' });
        socket.end();
        buffer = '';
        return;
      }
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim() === '') continue;
        chain = chain.then(() => this.#answer(socket, line));
      }
    });
  }

  async #answer(socket: Socket, line: string): Promise<void> {
    if (line.length > MAX_REQUEST_BYTES) {
      this.#send(socket, { id: null, ok: false, error: `request longer than ${MAX_REQUEST_BYTES} bytes refused`, code: 'usage' });
      return;
    }
    const req = parseRequest(line);
    if ('error' in req) {
      this.#send(socket, { id: null, ok: false, error: req.error, code: 'usage' });
      return;
    }
    const handler = this.handlers.get(req.command);
    if (!handler) {
      this.#send(socket, { id: req.id, ok: false, error: `unknown command "${req.command}" (known: ${[...this.handlers.keys()].join(', ')})`, code: 'usage' });
      return;
    }
    try {
      const signal = this.#gone.get(socket) ?? new AbortController().signal;
      const result = await handler(req.args ?? {}, { signal, actor: this.#actors.get(socket) ?? UNKNOWN_TECHNICIAN });
      if (isAsyncIterable(result)) await this.#stream(socket, req.id, result, signal);
      else this.#send(socket, { id: req.id, ok: true, result });
    } catch (err) {
      if (err instanceof CommandError) {
        this.#send(socket, { id: req.id, ok: false, error: err.message, code: err.kind });
      } else {
        this.log.error({ err, command: req.command }, 'control command failed');
        this.#send(socket, { id: req.id, ok: false, error: `internal error in "${req.command}"; see the daemon log`, code: 'internal' });
      }
    }
  }

  /** Writes one line per item until the iteration ends or the client goes away. */
  async #stream(socket: Socket, id: number, items: AsyncIterable<unknown>, signal: AbortSignal): Promise<void> {
    const it = items[Symbol.asyncIterator]();
    // Ends a pending next() at once when the client disconnects; the iterator's own cleanup
    // (return) runs below either way. A listener per step, removed when the step settles: racing
    // every step against one long-lived "aborted" promise would keep every item ever streamed
    // reachable from that promise until the stream ends (an export of 100,000 parcels: 800 MB).
    const next = (): Promise<IteratorResult<unknown>> =>
      new Promise((resolve, reject) => {
        if (signal.aborted) return resolve({ done: true, value: undefined });
        const onAbort = (): void => resolve({ done: true, value: undefined });
        signal.addEventListener('abort', onAbort, { once: true });
        it.next().then(
          (step) => {
            signal.removeEventListener('abort', onAbort);
            resolve(step);
          },
          (err: unknown) => {
            signal.removeEventListener('abort', onAbort);
            reject(err);
          },
        );
      });
    let events = 0;
    let final: unknown;
    let finished = false;
    try {
      for (;;) {
        const step = await next();
        if (step.done) {
          finished = !signal.aborted;
          final = step.value;
          break;
        }
        if (socket.destroyed) break;
        events++;
        const flushed = socket.write(`${JSON.stringify({ id, ok: true, event: shown(step.value) } satisfies ControlResponse)}\n`);
        if (!flushed) {
          // A slow client: wait for the socket to drain (or close) rather than buffer without bound.
          await new Promise<void>((resolve) => {
            const done = () => {
              socket.off('drain', done);
              socket.off('close', done);
              resolve();
            };
            socket.on('drain', done);
            socket.on('close', done);
          });
        }
      }
    } finally {
      // Stops the handler's iteration (its cleanup runs); not awaited, as a generator that is
      // stuck in an await would only answer after its pending step.
      if (!finished) void Promise.resolve(it.return?.()).catch(() => undefined);
    }
    this.#send(socket, { id, ok: true, result: final === undefined ? { events } : final });
  }

  #send(socket: Socket, response: ControlResponse): void {
    const safe: ControlResponse = 'error' in response ? { ...response, error: redactCredentials(response.error) } : 'result' in response ? { ...response, result: shown(response.result) } : response;
    if (!socket.destroyed) socket.write(`${JSON.stringify(safe)}\n`);
  }
}
