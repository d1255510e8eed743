/**
 * The page's live feed (server-sent events). Every client gets the locker's description and the
 * last screen state on connect, then each new state. Only the latest state matters to a screen,
 * so a client that does not keep up is not waited for: once its unsent bytes pass
 * `maxBufferedBytes` it is dropped, and its EventSource reconnects and resyncs from the last
 * state. Writing never blocks the kiosk: res.write only queues, and the queue is bounded here.
 */
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ScreenState } from '../kiosk/screen.js';

export interface StreamOptions {
  /** Unsent bytes a client may have before it is dropped. */
  maxBufferedBytes: number;
  heartbeatMs: number;
  /** What the page's EventSource waits before reconnecting. */
  retryMs: number;
  maxClients: number;
}

export const STREAM_DEFAULTS: StreamOptions = { maxBufferedBytes: 256 * 1024, heartbeatMs: 10_000, retryMs: 1_000, maxClients: 16 };

/** One SSE `screen` message: the state, and how long the daemon took from the last key press to writing it. */
export interface ScreenMessage {
  state: ScreenState;
  /** From a POST /key being read to this state being written to the clients (ms), when it follows a key. */
  sinceKeyMs: number | null;
}

export class ScreenStream {
  readonly #clients = new Set<ServerResponse>();
  readonly #o: StreamOptions;
  #heartbeat: NodeJS.Timeout | undefined;
  #keyAt: number | undefined;
  /** Clients dropped for falling behind (technician counter). */
  dropped = 0;

  constructor(
    private readonly hello: () => unknown,
    private readonly last: () => ScreenState | undefined,
    options: Partial<StreamOptions> = {},
  ) {
    this.#o = { ...STREAM_DEFAULTS, ...options };
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** Starts a client's stream on `res` (headers already chosen by the server). */
  add(res: ServerResponse): boolean {
    if (this.#clients.size >= this.#o.maxClients) return false;
    res.socket?.setNoDelay(true);
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    this.#clients.add(res);
    res.on('close', () => this.#clients.delete(res));
    this.#send(res, `retry: ${this.#o.retryMs}\n\n` + frame('locker', this.hello()));
    const last = this.last();
    if (last) this.#send(res, frame('screen', { state: last, sinceKeyMs: null } satisfies ScreenMessage));
    this.#arm();
    return true;
  }

  /** A key press was read: the next state written says how long it took. */
  keyPressed(): void {
    this.#keyAt = performance.now();
  }

  publish(state: ScreenState): void {
    const sinceKeyMs = this.#keyAt === undefined ? null : Math.round((performance.now() - this.#keyAt) * 1000) / 1000;
    this.#keyAt = undefined;
    const data = frame('screen', { state, sinceKeyMs } satisfies ScreenMessage);
    for (const res of this.#clients) this.#send(res, data);
  }

  close(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    for (const res of this.#clients) res.destroy();
    this.#clients.clear();
  }

  #send(res: ServerResponse, data: string): void {
    if (res.destroyed) return;
    res.write(data);
    if (res.writableLength > this.#o.maxBufferedBytes) {
      // Behind by more than any screen needs: drop it, it resyncs from the last state on reconnect.
      this.dropped++;
      this.#clients.delete(res);
      res.destroy();
    }
  }

  #arm(): void {
    if (this.#heartbeat) return;
    this.#heartbeat = setInterval(() => {
      if (this.#clients.size === 0) {
        clearInterval(this.#heartbeat);
        this.#heartbeat = undefined;
        return;
      }
      // An event, not a comment: the page sees it, so a silent stream (a daemon stopped dead) shows as offline.
      for (const res of this.#clients) this.#send(res, 'event: heartbeat\ndata: 0\n\n');
    }, this.#o.heartbeatMs);
    this.#heartbeat.unref();
  }
}

function frame(event: string, data: unknown): string {
  // JSON has no raw newlines, so one data line per message.
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
