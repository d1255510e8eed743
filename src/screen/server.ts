/**
 * The kiosk screen's web server (Node `http`, no framework): the page and its files, the live
 * feed of screen states (GET /events), and the page's key presses (POST /key). Everything else is
 * refused: 404 for an unknown path, 405 for a known one with the wrong method. A key request with
 * anything but one key of the keypad alphabet is refused with 400 and recorded like bad keypad
 * input (never with what it carried: it may be part of a code).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Key } from '../../drivers/contracts.js';
import type { ScreenState } from '../kiosk/screen.js';
import type { Logger } from '../log.js';
import type { ScreenInput } from './input.js';
import { loadStaticFiles, type StaticFile } from './static-files.js';
import { ScreenStream, type StreamOptions } from './stream.js';
import { MAX_SIGNATURE_BODY, parseSignatureMessage } from './signature-message.js';

/** What the screen shows: the kiosk session (its `screen` events and its last state). */
export interface ScreenSource {
  readonly lastScreen: ScreenState | undefined;
  on(event: 'screen', listener: (state: ScreenState) => void): unknown;
  off(event: 'screen', listener: (state: ScreenState) => void): unknown;
}

/** The keys the page may send: exactly the physical keypad's (no named keys: the page has no Enter). */
export const SCREEN_KEYS: readonly Key[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '#', '*', 'A', 'B', 'C', 'D'];

/** A key request body is `{"key":"5"}`: a few bytes. Anything longer is refused unread. */
const MAX_KEY_BODY = 64;

const CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
  "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=()',
};

export interface ScreenServerOptions {
  host: string;
  port: number;
  source: ScreenSource;
  input: ScreenInput;
  /** What the page draws besides the state: the locker's name, support contact, map. */
  hello: () => unknown;
  /** Records a refused key request (audit trail, flood-bounded by the refusal windows). */
  refuse: (reason: string) => void;
  log: Logger;
  staticDir?: string;
  stream?: Partial<StreamOptions>;
  /** Delay before retrying a listen that failed (doubles up to 30 s). */
  retryMinMs?: number;
  /** A signature from the pad (POST /signature), shape-checked; the kiosk judges it. Absent: 404. */
  sign?: (strokes: unknown[]) => void;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

export class ScreenServer {
  readonly #o: ScreenServerOptions;
  readonly #files: Map<string, StaticFile> | Error;
  readonly #stream: ScreenStream;
  readonly #server: Server;
  readonly #onScreen = (s: ScreenState): void => this.#stream.publish(s);
  #retry: NodeJS.Timeout | undefined;
  #retryMs: number;
  #stopped = false;
  #port: number | undefined;

  constructor(options: ScreenServerOptions) {
    this.#o = options;
    // A broken install (the page's files missing) must not stop the locker: start() says so.
    try {
      this.#files = loadStaticFiles(options.staticDir);
    } catch (err) {
      this.#files = err instanceof Error ? err : new Error(String(err));
    }
    this.#stream = new ScreenStream(options.hello, () => options.source.lastScreen, options.stream);
    this.#retryMs = options.retryMinMs ?? 1_000;
    this.#server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 5_000 }, (req, res) => this.#handle(req, res));
    // Bounds what a misbehaving client can hold open; the screen itself needs two or three.
    this.#server.maxConnections = 64;
    this.#server.maxHeadersCount = 32;
  }

  /** The URL the page is at, once listening (the configured one before). */
  get url(): string {
    const host = this.#o.host.includes(':') ? `[${this.#o.host}]` : this.#o.host;
    return `http://${host}:${this.#port ?? this.#o.port}/`;
  }

  get listening(): boolean {
    return this.#server.listening;
  }

  get clients(): number {
    return this.#stream.clients;
  }

  get droppedClients(): number {
    return this.#stream.dropped;
  }

  /** Starts listening; a port that cannot be had is logged and retried: the kiosk works without its screen. */
  async start(): Promise<void> {
    this.#o.source.on('screen', this.#onScreen);
    if (!isLoopback(this.#o.host)) {
      this.#o.log.warn({ host: this.#o.host, port: this.#o.port }, 'the screen page listens beyond loopback: other machines on the network can see the kiosk screen and press its keys (screen.host)');
    }
    if (this.#files instanceof Error) {
      this.#o.log.error({ err: { message: this.#files.message } }, 'the screen page is not served: its files cannot be read (reinstall lockerd); the kiosk works without its screen');
      return;
    }
    await this.#listen();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.#o.source.off('screen', this.#onScreen);
    this.#stream.close();
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #listen(): Promise<void> {
    return new Promise((resolve) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        this.#server.off('listening', onListening);
        this.#o.log.error({ err: { code: err.code, message: err.message }, host: this.#o.host, port: this.#o.port, retryInMs: this.#retryMs }, 'the screen page cannot listen (is another lockerd or program on the port? see screen.port); retrying');
        this.#retry = setTimeout(() => void this.#listen(), this.#retryMs);
        this.#retry.unref();
        this.#retryMs = Math.min(30_000, this.#retryMs * 2);
        resolve();
      };
      const onListening = (): void => {
        this.#server.off('error', onError);
        const address = this.#server.address();
        this.#port = typeof address === 'object' && address ? address.port : this.#o.port;
        this.#o.log.info({ url: this.url }, 'screen page served');
        resolve();
      };
      if (this.#stopped) return resolve();
      this.#server.once('error', onError);
      this.#server.once('listening', onListening);
      this.#server.listen(this.#o.port, this.#o.host);
    });
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    // The raw path, not a decoded or normalised one: the names served are plain (see
    // ./static-files.ts), so anything with escapes, dot segments or odd characters is not one of them.
    const raw = req.url ?? '';
    const path = raw.split('?', 1)[0]!;
    if (!/^\/[A-Za-z0-9_.-]*$/.test(path) || /^\/\.\.?$/.test(path)) return this.#status(res, 404, 'not found');
    if (!this.#hostAllowed(req.headers.host)) return this.#status(res, 421, 'this server answers only to the address it listens on');
    if (path === '/events') {
      if (req.method !== 'GET') return this.#method(res, 'GET');
      if (!this.#stream.add(res)) return this.#status(res, 503, 'too many screens connected', { 'Retry-After': '5' });
      return;
    }
    if (path === '/key') {
      if (req.method !== 'POST') return this.#method(res, 'POST');
      return this.#key(req, res);
    }
    if (path === '/signature' && this.#o.sign) {
      if (req.method !== 'POST') return this.#method(res, 'POST');
      return this.#signature(req, res, this.#o.sign);
    }
    const file = this.#files instanceof Error ? undefined : this.#files.get(path);
    if (!file) return this.#status(res, 404, 'not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.#method(res, 'GET, HEAD');
    // Revalidated every time: the page changes with the daemon, and it is tiny and local.
    res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': file.body.length, 'Cache-Control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  /**
   * The Host header must name this server: a page from elsewhere that rebinds its DNS name to
   * 127.0.0.1 must not reach the kiosk's keys. Any host is fine on a wildcard listen address.
   */
  #hostAllowed(host: string | undefined): boolean {
    if (host === undefined) return false;
    const listen = this.#o.host;
    if (listen === '0.0.0.0' || listen === '::') return true;
    const port = String(this.#port ?? this.#o.port);
    const names = new Set([listen.includes(':') ? `[${listen}]` : listen]);
    if (isLoopback(listen)) for (const n of ['localhost', '127.0.0.1', '[::1]']) names.add(n);
    return [...names].some((n) => host.toLowerCase() === `${n}:${port}` || (port === '80' && host.toLowerCase() === n));
  }

  #key(req: IncomingMessage, res: ServerResponse): void {
    this.#jsonBody(req, res, { what: 'key', example: '{"key":"5"}', max: MAX_KEY_BODY, tooLong: { status: 400, reason: `key request too long: one key is a few bytes, at most ${MAX_KEY_BODY}` } }, (text, refuse) => {
      const key = parseKey(text);
      if (key === null) return refuse(400, 'not one key of the keypad: send {"key":"K"} with K one of 0-9 # * A B C D');
      this.#stream.keyPressed();
      this.#o.input.press(key);
      res.writeHead(204, { 'Cache-Control': 'no-store' });
      res.end();
    });
  }

  /** The pad's strokes: the same checks as a key, a bigger bound; the screen's next state says what came of it. */
  #signature(req: IncomingMessage, res: ServerResponse, sign: (strokes: unknown[]) => void): void {
    this.#jsonBody(req, res, { what: 'signature', example: '{"strokes":[...]}', max: MAX_SIGNATURE_BODY, tooLong: { status: 413, reason: `signature request too long: at most ${MAX_SIGNATURE_BODY} bytes` } }, (text, refuse) => {
      const message = parseSignatureMessage(text);
      if (!message.ok) return refuse(400, message.reason);
      sign(message.strokes);
      res.writeHead(202, { 'Cache-Control': 'no-store' });
      res.end();
    });
  }

  /**
   * Reads a small JSON request of the page: refused (recorded, and answered with `status`) when
   * it comes from another origin (a form or fetch from another site must not type on the kiosk; no
   * CORS is answered either), is not JSON, or is longer than `max`, before or while it arrives.
   */
  #jsonBody(
    req: IncomingMessage,
    res: ServerResponse,
    o: { what: string; example: string; max: number; tooLong: { status: number; reason: string } },
    handle: (text: string, refuse: (status: number, reason: string) => void) => void,
  ): void {
    const refuse = (status: number, reason: string): void => {
      this.#o.refuse(reason);
      this.#status(res, status, reason);
    };
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) {
      req.resume();
      return refuse(403, `${o.what} request from another origin`);
    }
    if (!/^application\/json(;|$)/i.test(req.headers['content-type'] ?? '')) {
      req.resume();
      return refuse(400, `${o.what} request is not JSON: send ${o.example} as application/json`);
    }
    if (Number(req.headers['content-length'] ?? NaN) > o.max) {
      req.resume();
      return refuse(o.tooLong.status, o.tooLong.reason);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > o.max) {
        done = true;
        return refuse(o.tooLong.status, o.tooLong.reason);
      }
      chunks.push(c);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      if (done) return;
      done = true;
      handle(Buffer.concat(chunks).toString('utf8'), refuse);
    });
  }

  #method(res: ServerResponse, allow: string): void {
    this.#status(res, 405, `method not allowed here (allowed: ${allow})`, { Allow: allow });
  }

  #status(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = `${message}\n`;
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...headers });
    res.end(body);
  }
}

/** `{"key":"5"}` → '5'; anything else (other members, two keys, a named key) → null. */
export function parseKey(body: string): Key | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const keys = Object.keys(parsed);
  if (keys.length !== 1 || keys[0] !== 'key') return null;
  const key = (parsed as { key: unknown }).key;
  return typeof key === 'string' && (SCREEN_KEYS as readonly string[]).includes(key) ? (key as Key) : null;
}
