/**
 * The RS-485 bus scheduler: owns one serial port, runs one transaction at a time, keeps the
 * line quiet for the protocol's gap before each request, frames the reply with the family's
 * decoder within a deadline, drops our own echo, and reopens the port forever, with capped
 * exponential backoff, when it disappears.
 *
 * It knows nothing of locks or doors: the door controller builds requests, says which decoded
 * frame answers them, and decides what a missing reply means.
 */
import { EventEmitter } from 'node:events';
import { backoffDelay } from '../io/backoff.js';
import { SILENT_LOG, type DriverLog } from '../io/log.js';
import type { ReplyDecoder } from './codec.js';
import { LOW_LATENCY_FLAGS, errorReason, type SerialBinding, type SerialBindingPort } from './serial.js';
import { Sleeper, now, sleepUntil, wireTimeMs } from './timing.js';


export interface SerialBusOptions {
  /** Bus id from the config, for logs. */
  id: string;
  path: string;
  baudRate: number;
  /** How to get the binding; called once, on the first open (lazy native module). */
  loadBinding: () => Promise<SerialBinding>;
  /** The adapter hands our own request back before the reply (no automatic direction control). */
  echo: boolean;
  /** Ask the driver for low latency (Linux ASYNC_LOW_LATENCY; FTDI: latency timer 1 ms). Failure is ignored. */
  lowLatency: boolean;
  /** Default reply deadline, counted from the end of the request on the wire. */
  replyTimeoutMs: number;
  /** First reopen delay; doubles per failed attempt up to `reconnectMaxMs`. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  log?: DriverLog;
}

export type TxStatus =
  /** A frame the transaction accepted arrived in time. */
  | 'ok'
  /** The request went out (or was meant to wait for an optional reply) and nothing acceptable came back. */
  | 'timeout'
  /** The port is not open; nothing was sent. */
  | 'down'
  /** The bus is stopping; nothing was sent. */
  | 'stopped'
  /** The line never fell quiet for the gap within the deadline (noise, or another master): nothing was sent. */
  | 'busy';

export interface TxRequest<R> {
  request: Buffer;
  decoder: ReplyDecoder<R>;
  /** Is this decoded frame the reply to our request (right board, right lock)? Others are counted and ignored. */
  accept: (frame: R) => boolean;
  /** Quiet time the line needs before this request, ms. */
  gapMs: number;
  /** Reply deadline after the request's last byte is on the wire; defaults to the bus's `replyTimeoutMs`. */
  timeoutMs?: number;
  /** Unlocks and technician reads go before background polls. */
  urgent?: boolean;
}

export interface TxResult<R> {
  status: TxStatus;
  reply: R | null;
  /** `performance.now()` when the write was handed to the OS; null if nothing was sent. */
  writtenAt: number | null;
  /** Valid frames that were not the reply (another board's late answer...). */
  mismatched: number;
}

export interface BusCounters {
  /** Successful opens of the port (the first and every reopen). */
  opens: number;
  openFailures: number;
  disconnects: number;
  transactions: number;
  timeouts: number;
  /** Transactions not sent because the line never went quiet. */
  busy: number;
  /** Valid frames received that answered nothing we asked. */
  mismatched: number;
  /** Bytes that arrived while no transaction was open (line noise, late replies, unsolicited reports). */
  strayBytes: number;
  rxBytes: number;
  txBytes: number;
}

export type BusState = 'idle' | 'opening' | 'up' | 'down' | 'stopped';

interface Pending {
  tx: TxRequest<unknown>;
  resolve: (r: TxResult<unknown>) => void;
}

interface Current {
  tx: TxRequest<unknown>;
  done: boolean;
  mismatched: number;
  onReply: (frame: unknown) => void;
}

/** How long `start()` waits for the first open before letting the daemon go on. */
const FIRST_OPEN_WAIT_MS = 2_000;
/** A timer this late shows a busy event loop: a reply gets GRACE_MS more, a quiet line one more gap. */
const LATE_TIMER_MS = 5;
const GRACE_MS = 10;
/** A port that stayed up this long starts its next reconnect series from the shortest delay. */
const STABLE_UPTIME_MS = 10_000;

export interface SerialBusEvents {
  up: [];
  down: [reason: string];
}

export class SerialBus extends EventEmitter<SerialBusEvents> {
  readonly counters: BusCounters = {
    opens: 0, openFailures: 0, disconnects: 0, transactions: 0, timeouts: 0, busy: 0,
    mismatched: 0, strayBytes: 0, rxBytes: 0, txBytes: 0,
  };

  readonly #opt: SerialBusOptions;
  readonly #log: DriverLog;
  readonly #sleeper = new Sleeper();
  #binding: SerialBinding | null = null;
  #port: SerialBindingPort | null = null;
  #state: BusState = 'idle';
  #lastError: string | null = null;
  #upSince = 0;
  #queue: Pending[] = [];
  #busy = false;
  #current: Current | null = null;
  /** Last time the line carried anything: a byte received, or the end of our request on the wire. */
  #lastActivity = -Infinity;
  #downSignal: (() => void) | null = null;
  #upWaiters: ((up: boolean) => void)[] = [];
  #loop: Promise<void> | null = null;

  constructor(options: SerialBusOptions) {
    super();
    this.#opt = options;
    this.#log = options.log ?? SILENT_LOG;
  }

  get id(): string {
    return this.#opt.id;
  }

  get path(): string {
    return this.#opt.path;
  }

  get baudRate(): number {
    return this.#opt.baudRate;
  }

  get state(): BusState {
    return this.#state;
  }

  get isUp(): boolean {
    return this.#state === 'up';
  }

  /** Why the port is not up (open failure, disconnect), for technicians. */
  get lastError(): string | null {
    return this.#lastError;
  }

  get replyTimeoutMs(): number {
    return this.#opt.replyTimeoutMs;
  }

  /**
   * Starts opening the port and keeps it open forever. Waits for the first attempt (bounded),
   * never throws: a port that cannot be opened is retried in the background.
   */
  async start(): Promise<void> {
    if (this.#loop) return;
    this.#sleeper.reset();
    this.#state = 'opening';
    const first = new Promise<void>((resolve) => {
      this.#loop = this.#connectLoop(resolve).catch((err: unknown) => {
        // Not expected: the loop catches everything. Logged rather than crashing the daemon.
        this.#log.error({ bus: this.id, err: errorReason(err) }, 'serial bus loop failed');
      });
    });
    await Promise.race([first, new Promise((r) => setTimeout(r, FIRST_OPEN_WAIT_MS).unref())]);
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    this.#sleeper.cancel();
    this.#failQueue('stopped');
    this.#finishCurrent(null);
    this.#downSignal?.();
    for (const w of this.#upWaiters.splice(0)) w(false);
    const port = this.#port;
    this.#port = null;
    if (port?.isOpen) await port.close().catch(() => {});
    await this.#loop;
    this.#loop = null;
  }

  /** Resolves true once the port is up (at once if it is), false if the bus stops first. */
  whenUp(): Promise<boolean> {
    if (this.#state === 'up') return Promise.resolve(true);
    if (this.#state === 'stopped') return Promise.resolve(false);
    return new Promise((resolve) => this.#upWaiters.push(resolve));
  }

  /**
   * Queues one request/reply exchange. Urgent ones go before background ones; within a class,
   * first come first served. Resolves, never rejects (except for a request the decoder refuses,
   * which is a programming error).
   */
  transact<R>(tx: TxRequest<R>): Promise<TxResult<R>> {
    if (this.#state === 'stopped') return Promise.resolve(result('stopped'));
    if (this.#state !== 'up') return Promise.resolve(result('down'));
    return new Promise<TxResult<R>>((resolve) => {
      const pending: Pending = { tx: tx as TxRequest<unknown>, resolve: resolve as (r: TxResult<unknown>) => void };
      if (tx.urgent) {
        const firstBackground = this.#queue.findIndex((p) => !p.tx.urgent);
        if (firstBackground < 0) this.#queue.push(pending);
        else this.#queue.splice(firstBackground, 0, pending);
      } else {
        this.#queue.push(pending);
      }
      this.#pump();
    });
  }

  /** Transactions waiting (not counting the one in flight). */
  get queued(): number {
    return this.#queue.length;
  }

  // --- the transaction runner --------------------------------------------------------------

  #pump(): void {
    if (this.#busy || this.#state !== 'up') return;
    const next = this.#queue.shift();
    if (!next) return;
    this.#busy = true;
    this.#run(next.tx)
      .catch((err: unknown): TxResult<unknown> => {
        this.#log.error({ bus: this.id, err: errorReason(err) }, 'lock-board transaction failed');
        return result('timeout');
      })
      .then((r) => {
        this.#busy = false;
        next.resolve(r);
        this.#pump();
      });
  }

  async #run(tx: TxRequest<unknown>): Promise<TxResult<unknown>> {
    const timeoutMs = tx.timeoutMs ?? this.#opt.replyTimeoutMs;
    // Quiet gap: the line must have been silent for gapMs. Noise restarts the wait; a line that
    // never falls quiet within the deadline is reported busy rather than talked over.
    const giveUp = now() + timeoutMs;
    let wokeLate = false;
    let relistened = false;
    for (;;) {
      if (this.#state !== 'up') return result(this.#state === 'stopped' ? 'stopped' : 'down');
      const due = this.#lastActivity + tx.gapMs;
      const t = now();
      if (t >= due) {
        // Woken late, the process was busy: bytes heard meanwhile may still wait in the driver,
        // behind the timer that woke us. Listen for one more gap before talking.
        if (!wokeLate || relistened) break;
        relistened = true;
        wokeLate = false;
        await sleepUntil(t + tx.gapMs, this.#sleeper);
        continue;
      }
      if (t >= giveUp) {
        this.counters.busy++;
        return result('busy');
      }
      const wake = Math.min(due, giveUp);
      await sleepUntil(wake, this.#sleeper);
      wokeLate = now() - wake > LATE_TIMER_MS;
    }
    const port = this.#port;
    if (!port) return result('down');

    tx.decoder.reset();
    tx.decoder.expect(tx.request);
    if (this.#opt.echo) tx.decoder.expectEcho(tx.request);

    let onReply!: (frame: unknown) => void;
    const replied = new Promise<unknown>((resolve) => (onReply = resolve));
    const current: Current = { tx, done: false, mismatched: 0, onReply };
    this.#current = current;
    this.counters.transactions++;
    try {
      await port.write(tx.request);
    } catch (err) {
      this.#current = null;
      this.#disconnected(port, err);
      return result('down');
    }
    const writtenAt = now();
    this.counters.txBytes += tx.request.length;
    // The adapter's UART sends after the write returned: the line is ours until the last byte is out.
    const onWireUntil = writtenAt + wireTimeMs(tx.request.length, this.#opt.baudRate);
    this.#lastActivity = Math.max(this.#lastActivity, onWireUntil);

    let timer: NodeJS.Timeout | undefined;
    const deadlineAt = onWireUntil + timeoutMs;
    const deadline = new Promise<null>((resolve) => {
      let graced = false;
      const fire = (): void => {
        // A timer that fires late means the process was busy: the reply may be waiting in the
        // driver, behind this timer in the event loop. Give I/O one more short chance.
        if (!graced && now() - deadlineAt > LATE_TIMER_MS) {
          graced = true;
          timer = setTimeout(fire, GRACE_MS);
          return;
        }
        resolve(null);
      };
      timer = setTimeout(fire, Math.max(0, deadlineAt - now()));
    });
    const reply = current.done ? await replied : await Promise.race([replied, deadline]);
    clearTimeout(timer);
    current.done = true;
    if (this.#current === current) this.#current = null;
    if (reply === null || reply === undefined) {
      if (this.#state !== 'up') return { ...result(this.#state === 'stopped' ? 'stopped' : 'down'), writtenAt, mismatched: current.mismatched };
      this.counters.timeouts++;
      return { status: 'timeout', reply: null, writtenAt, mismatched: current.mismatched };
    }
    return { status: 'ok', reply, writtenAt, mismatched: current.mismatched };
  }

  #finishCurrent(frame: unknown): void {
    const cur = this.#current;
    if (!cur || cur.done) return;
    cur.done = true;
    cur.onReply(frame);
  }

  #onData(chunk: Buffer): void {
    this.#lastActivity = now();
    this.counters.rxBytes += chunk.length;
    const cur = this.#current;
    if (!cur || cur.done) {
      this.counters.strayBytes += chunk.length;
      return;
    }
    let frames: unknown[];
    try {
      frames = cur.tx.decoder.push(chunk);
    } catch (err) {
      // A decoder must not throw on bytes; if one does, the bytes are lost, not the daemon.
      this.#log.error({ bus: this.id, err: errorReason(err) }, 'lock-board decoder threw on received bytes');
      return;
    }
    for (const frame of frames) {
      if (cur.done) {
        this.counters.mismatched++;
        continue;
      }
      let ok = false;
      try {
        ok = cur.tx.accept(frame);
      } catch {
        ok = false;
      }
      if (ok) this.#finishCurrent(frame);
      else {
        cur.mismatched++;
        this.counters.mismatched++;
      }
    }
  }

  /** Read through a method: TypeScript would otherwise keep a narrowing of #state across awaits. */
  #stopped(): boolean {
    return this.#state === 'stopped';
  }

  #failQueue(status: TxStatus): void {
    for (const p of this.#queue.splice(0)) p.resolve(result(status));
  }

  // --- the port's life -----------------------------------------------------------------------

  async #connectLoop(firstAttemptDone: () => void): Promise<void> {
    let attempt = 0;
    let firstDone = false;
    let lastLogged: string | null = null;
    while (!this.#stopped()) {
      const opened = await this.#open();
      if (!firstDone) {
        firstDone = true;
        firstAttemptDone();
      }
      if (this.#stopped()) break;
      if (opened) {
        if (attempt > 0) this.#log.info({ bus: this.id, path: this.path, attempts: attempt }, 'serial port open again');
        else this.#log.info({ bus: this.id, path: this.path, baudRate: this.baudRate }, 'serial port open');
        lastLogged = null;
        await new Promise<void>((resolve) => {
          this.#downSignal = resolve;
        });
        this.#downSignal = null;
        if (this.#stopped()) break;
        if (now() - this.#upSince >= STABLE_UPTIME_MS) attempt = 0;
      }
      const delay = backoffDelay(attempt, this.#opt.reconnectMinMs, this.#opt.reconnectMaxMs);
      attempt++;
      const reason = this.#lastError ?? 'unknown';
      if (reason !== lastLogged) {
        this.#log.warn({ bus: this.id, path: this.path, reason, retryInMs: delay, maxRetryMs: this.#opt.reconnectMaxMs }, 'serial port unavailable; retrying with backoff, forever');
        lastLogged = reason;
      } else {
        this.#log.debug({ bus: this.id, path: this.path, reason, retryInMs: delay, attempt }, 'serial port still unavailable');
      }
      this.#state = 'down';
      await this.#sleeper.sleep(delay);
      if (!this.#stopped()) this.#state = 'opening';
    }
  }

  async #open(): Promise<boolean> {
    try {
      this.#binding ??= await this.#opt.loadBinding();
    } catch (err) {
      this.#lastError = `cannot load the serial port module: ${errorReason(err)}`;
      this.counters.openFailures++;
      return false;
    }
    let port: SerialBindingPort;
    try {
      port = await this.#binding.open({
        path: this.#opt.path, baudRate: this.#opt.baudRate, dataBits: 8, parity: 'none', stopBits: 1, lock: true,
      });
    } catch (err) {
      this.#lastError = `cannot open ${this.#opt.path}: ${errorReason(err)}`;
      this.counters.openFailures++;
      return false;
    }
    if (this.#state === 'stopped') {
      await port.close().catch(() => {});
      return false;
    }
    if (this.#opt.lowLatency) {
      try {
        await port.set(LOW_LATENCY_FLAGS);
      } catch (err) {
        // Pseudo-terminals and some USB drivers have no serial_struct: not an error, just slower replies.
        this.#log.debug({ bus: this.id, path: this.path, reason: errorReason(err) }, 'low-latency mode not available on this port');
      }
    }
    // Bytes that waited in the driver are from before us: drop them.
    await port.flush().catch(() => {});
    this.#port = port;
    this.#lastError = null;
    this.#upSince = now();
    this.#lastActivity = now();
    this.#state = 'up';
    this.counters.opens++;
    void this.#readLoop(port);
    for (const w of this.#upWaiters.splice(0)) w(true);
    this.emit('up');
    this.#pump();
    return true;
  }

  async #readLoop(port: SerialBindingPort): Promise<void> {
    const buf = Buffer.alloc(512);
    while (this.#port === port) {
      let n: number;
      try {
        n = (await port.read(buf, 0, buf.length)).bytesRead;
      } catch (err) {
        if (this.#port === port) this.#disconnected(port, err);
        return;
      }
      if (this.#port !== port) return;
      if (n > 0) this.#onData(buf.subarray(0, n));
    }
  }

  #disconnected(port: SerialBindingPort, err: unknown): void {
    if (this.#port !== port) return;
    this.#port = null;
    this.counters.disconnects++;
    this.#lastError = `${this.#opt.path} disconnected: ${errorReason(err)}`;
    if (this.#state !== 'stopped') this.#state = 'down';
    this.#finishCurrent(null);
    this.#failQueue('down');
    port.close().catch(() => {});
    this.#log.warn({ bus: this.id, path: this.path, reason: this.#lastError }, 'serial port lost');
    this.emit('down', this.#lastError);
    this.#downSignal?.();
  }
}

function result(status: TxStatus): TxResult<never> {
  return { status, reply: null, writtenAt: null, mismatched: 0 };
}
