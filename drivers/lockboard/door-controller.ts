/**
 * The lock boards of one RS-485 bus behind the DoorHardware interface: unlocks that never fire a
 * lock twice by accident, power groups, a continuous status poll that turns latch changes into
 * `door` events, and board health (`board` events) that recovers by itself.
 *
 * Door events are sent on changes only. The first reading of a board reports the doors that are
 * open at that moment (as if they had just opened) and says nothing of the closed ones: the core
 * treats a `closed` report for a door it never saw open as news only at start-up. start() takes
 * that first reading of every board (so health() is right when the core starts) and reports the
 * open doors just after it has returned, when the caller listens. A change of
 * an item-present sensor is reported while the door is open (the parcel going in or out); while
 * the door is closed it is only remembered, for `read` and the next door event.
 */
import { EventEmitter } from 'node:events';
import type {
  BoardHealth, BusScanRange, BusScanResult, DoorChange, DoorHardware, DoorHardwareEvents, DoorStatus, LockAddress, UnlockResult,
} from '../contracts.js';
import { SILENT_LOG, type DriverLog } from '../io/log.js';
import { SerialBus } from './bus.js';
import { latchOpen, type ReplyDecoder } from './codec.js';
import type { PowerGroups } from './power-groups.js';
import { FAMILIES, type ProtocolName } from './families.js';
import type { BoardSpec, Family, ReplyMeaning, StatusReading } from './family.js';
import type { SerialBinding } from './serial.js';
import { Sleeper, now } from './timing.js';

export interface LockBoardBusOptions {
  /** Bus id from the config. */
  id: string;
  path: string;
  baudRate: number;
  echo: boolean;
  lowLatency: boolean;
  replyTimeoutMs: number;
  /** Quiet time before each request; undefined = the family's own (`Family.defaultGapMs`). */
  quietGapMs?: number;
  /** A poll cycle (every board once) starts at most this often; 0 = back to back. */
  pollIntervalMs: number;
  /** Consecutive missed polls before a board is reported offline. */
  offlineAfterMisses: number;
  /** Unlock commands per unlock call at most; more than one only after a status read said "still closed". */
  unlockAttempts: number;
  /** Extra status reads after a pulse when the first gets no reply (reads are harmless; unlocks are not). */
  statusRetries: number;
  /** Spacing added to a lock's pulse before the next lock of its power group may fire. */
  powerGroupGapMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  boards: BoardSpec[];
  loadBinding: () => Promise<SerialBinding>;
  /** Shared by every bus of the locker. */
  powerGroups: PowerGroups;
  log?: DriverLog;
  /** Called with the duration of each full poll cycle (benchmarks, diagnostics). */
  onPollCycle?: (ms: number) => void;
}

interface BoardCounters {
  polls: number;
  replies: number;
  timeouts: number;
  mismatched: number;
  refused: number;
  /** Writes answered with something other than their echo (`not_echoed` replies). */
  notEchoed: number;
  unlocks: number;
  unlockResends: number;
}

interface Board {
  spec: BoardSpec;
  family: Family;
  decoder: ReplyDecoder<unknown>;
  gapMs: number;
  /** null: no reply yet since start. */
  online: boolean | null;
  misses: number;
  reason: string | null;
  /** Latch open per lock (index lock - 1); undefined until first read. */
  open: (boolean | undefined)[];
  /** Last `performance.now()` a reading showed the lock open. */
  openSeenAt: number[];
  items: (boolean | undefined)[];
  counters: BoardCounters;
  /** Decoder stats at the last good reply, to say why replies stopped counting. */
  statsAtLastReply: { checksumErrors: number; discardedBytes: number };
  mismatchedSinceReply: number;
  pendingRead: Promise<StatusReading | null> | null;
  lockChains: Map<number, Promise<unknown>>;
  /**
   * Locks start()'s first reading found open, reported just after start() returns. A lock whose
   * state changes before that is reported as the change only (once, not again as "found open").
   */
  initialOpen: Set<number>;
}

/** Thrown for a board or lock this bus does not have: a wiring or config mistake. */
export class LockAddressError extends Error {
  override name = 'LockAddressError';
}

const SCAN_TIMEOUT_MAX_MS = 50;
/** start() reads every board once (so health is known when the core starts) for at most this long. */
const FIRST_CYCLE_MAX_MS = 1500;
const RELAY_OFF_ATTEMPTS = 5;

/** What a technician can do about a refused unlock, when the family has nothing more specific to say. */
const REFUSAL_HINT = ': check the board address and its lock count';

export class LockBoardController extends EventEmitter implements DoorHardware {
  readonly bus: SerialBus;
  readonly #opt: LockBoardBusOptions;
  readonly #log: DriverLog;
  readonly #boards = new Map<string, Board>();
  readonly #sleeper = new Sleeper();
  #running = false;
  /** During start()'s first reading, door events are held back (nobody listens yet). */
  #starting = false;
  #pollLoop: Promise<void> | null = null;
  #scan: Promise<unknown> | null = null;
  #cycles = 0;
  #lastCycleMs: number | null = null;

  constructor(options: LockBoardBusOptions) {
    super();
    this.#opt = options;
    this.#log = options.log ?? SILENT_LOG;
    this.bus = new SerialBus({
      id: options.id, path: options.path, baudRate: options.baudRate, loadBinding: options.loadBinding,
      echo: options.echo, lowLatency: options.lowLatency, replyTimeoutMs: options.replyTimeoutMs,
      reconnectMinMs: options.reconnectMinMs, reconnectMaxMs: options.reconnectMaxMs, log: this.#log,
    });
    for (const spec of options.boards) {
      const family = FAMILIES[spec.protocol];
      if (spec.locks < 1 || spec.locks > family.maxLocks) throw new LockAddressError(`board "${spec.id}": ${spec.protocol} boards have 1 to ${family.maxLocks} locks, not ${spec.locks}`);
      if (spec.address < family.addressMin || spec.address > family.addressMax) throw new LockAddressError(`board "${spec.id}": ${spec.protocol} addresses are ${family.addressMin} to ${family.addressMax}, not ${spec.address}`);
      this.#boards.set(spec.id, {
        spec, family, decoder: family.newDecoder(),
        gapMs: options.quietGapMs ?? family.defaultGapMs(options.baudRate),
        online: null, misses: 0, reason: 'no reply yet', open: new Array(spec.locks).fill(undefined),
        openSeenAt: new Array(spec.locks).fill(-Infinity), items: new Array(spec.locks).fill(undefined),
        counters: { polls: 0, replies: 0, timeouts: 0, mismatched: 0, refused: 0, notEchoed: 0, unlocks: 0, unlockResends: 0 },
        statsAtLastReply: { checksumErrors: 0, discardedBytes: 0 }, mismatchedSinceReply: 0,
        pendingRead: null, lockChains: new Map(), initialOpen: new Set(),
      });
    }
    this.bus.on('down', (reason) => {
      for (const b of this.#boards.values()) this.#setOnline(b, false, `serial port down: ${reason}`);
    });
  }

  override on<E extends keyof DoorHardwareEvents>(event: E, listener: DoorHardwareEvents[E]): this {
    return super.on(event, listener);
  }

  override off<E extends keyof DoorHardwareEvents>(event: E, listener: DoorHardwareEvents[E]): this {
    return super.off(event, listener);
  }

  get boardIds(): string[] {
    return [...this.#boards.keys()];
  }

  /** Poll cycles completed, and the duration of the last one. */
  get pollStats(): { cycles: number; lastCycleMs: number | null } {
    return { cycles: this.#cycles, lastCycleMs: this.#lastCycleMs };
  }

  /** Opens the port (waiting for the first attempt, bounded) and starts polling. Never throws for a missing port. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#sleeper.reset();
    await this.bus.start();
    if (!this.bus.isUp) {
      for (const b of this.#boards.values()) this.#setOnline(b, false, `serial port down: ${this.bus.lastError ?? 'not open'}`);
    } else {
      // Read every board once, so that health() is right when the core starts. The doors found
      // open are reported just after start() returns, once the caller has had a chance to listen.
      this.#starting = true;
      const until = now() + FIRST_CYCLE_MAX_MS;
      try {
        for (const b of this.#boards.values()) {
          if (now() > until || !this.bus.isUp) break;
          await this.#status(b, false);
        }
      } finally {
        this.#starting = false;
      }
      setImmediate(() => this.#reportInitial());
    }
    this.#pollLoop = this.#poll().catch((err: unknown) => {
      this.#log.error({ bus: this.#opt.id, err: String(err) }, 'lock-board poll loop failed');
    });
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#sleeper.cancel();
    await this.bus.stop();
    await this.#pollLoop;
    this.#pollLoop = null;
  }

  health(): BoardHealth[] {
    return [...this.#boards.values()].map((b) => this.#health(b));
  }

  async read(address: LockAddress): Promise<DoorStatus | null> {
    const { board, lock } = this.#lookup(address);
    if (!board.pendingRead) {
      board.pendingRead = this.#status(board, true).finally(() => {
        board.pendingRead = null;
      });
    }
    const reading = await board.pendingRead;
    if (reading === null) return null;
    const item = board.items[lock - 1];
    return { board: board.spec.id, lock, open: board.open[lock - 1] === true, ...(item !== undefined ? { itemPresent: item } : {}) };
  }

  unlock(address: LockAddress): Promise<UnlockResult> {
    const { board, lock } = this.#lookup(address);
    // One unlock per lock at a time: a second caller waits and then runs its own, confirmed, attempt.
    const previous = board.lockChains.get(lock) ?? Promise.resolve();
    const run = previous.then(() => this.#unlock(board, lock));
    const settled = run.catch(() => {});
    board.lockChains.set(lock, settled);
    void settled.then(() => {
      if (board.lockChains.get(lock) === settled) board.lockChains.delete(lock);
    });
    return run;
  }

  async scanBus(range?: BusScanRange): Promise<BusScanResult[]> {
    const out: BusScanResult = { bus: this.#opt.id, path: this.#opt.path, found: [] };
    if (!this.bus.isUp) return [{ ...out, error: `serial port down: ${this.bus.lastError ?? 'not open'}` }];
    const scan = this.#runScan(out, range);
    this.#scan = scan;
    try {
      await scan;
    } finally {
      this.#scan = null;
    }
    return [out];
  }

  // --- unlock ------------------------------------------------------------------------------

  async #unlock(b: Board, lock: number): Promise<UnlockResult> {
    const { spec, family } = b;
    // Host-timed pulse: the relay-off request the host sends when the pulse is over; null when the board times it.
    const relayOff = family.relayOffRequest?.(spec, lock) ?? null;
    let attempts = 0;
    let heard = false;
    let refusal: { kind: 'refused' | 'not_echoed'; reason: string } | null = null;
    for (;;) {
      if (!this.#running) return { outcome: heard ? 'unconfirmed' : 'no_response', attempts };
      const release = await this.#opt.powerGroups.acquire(spec.powerGroup, this.#sleeper);
      let firedAt: number | null = null;
      try {
        const r = await this.bus.transact({
          request: family.unlockRequest(spec, lock),
          decoder: b.decoder,
          accept: (f) => family.interpret(spec, 'unlock', lock, f) !== null,
          gapMs: b.gapMs,
          urgent: true,
        });
        firedAt = r.writtenAt;
        if (firedAt === null) {
          // Nothing went out (port down, line never quiet, stopping): no pulse, nothing to confirm.
          this.#log.warn({ bus: this.#opt.id, board: spec.id, lock, status: r.status }, 'unlock not sent');
          return { outcome: heard ? 'unconfirmed' : 'no_response', attempts };
        }
        attempts++;
        b.counters.unlocks++;
        if (r.status === 'ok' && r.reply !== null) {
          heard = true;
          this.#replied(b);
          const meaning = family.interpret(spec, 'unlock', lock, r.reply);
          if (meaning?.kind === 'refused' || meaning?.kind === 'not_echoed') refusal = { kind: meaning.kind, reason: meaning.reason };
          this.#applyMeaning(b, meaning);
        }
        if (relayOff !== null) {
          await this.#sleeper.until(firedAt + spec.pulseMs);
          if (await this.#relayOff(b, lock, relayOff)) heard = true;
        }
      } finally {
        release(firedAt, spec.pulseMs + this.#opt.powerGroupGapMs);
      }
      if (firedAt === null) return { outcome: heard ? 'unconfirmed' : 'no_response', attempts };
      // Read the latch once the pulse is over; polls of the other boards go on meanwhile.
      await this.#sleeper.until(firedAt + spec.pulseMs);
      let reading: StatusReading | null = null;
      for (let i = 0; i <= this.#opt.statusRetries && reading === null && this.#running; i++) {
        reading = await this.#status(b, true);
      }
      if (b.openSeenAt[lock - 1]! >= firedAt) {
        this.#log.info({ bus: this.#opt.id, board: spec.id, lock, attempts }, 'unlock confirmed: latch open');
        return { outcome: 'confirmed_open', attempts };
      }
      if (reading === null) {
        // No status: whether the lock fired is unknown, so it is never fired again.
        const outcome = heard ? 'unconfirmed' : 'no_response';
        this.#log.warn({ bus: this.#opt.id, board: spec.id, lock, attempts, outcome }, 'unlock not confirmed: no status reply after the pulse; not resending');
        return { outcome, attempts };
      }
      heard = true;
      if (refusal !== null) {
        // The board said no (or answered another value than the one sent): it did not power the
        // lock, and it will do the same again.
        const what = refusal.kind === 'refused' ? 'refused the unlock' : 'did not echo the unlock (it did not take it)';
        this.#log.error({ bus: this.#opt.id, board: spec.id, lock, attempts, reason: refusal.reason }, `lock board ${what}; not resending${family.refusalHint?.(spec, refusal.kind) ?? REFUSAL_HINT}`);
        return { outcome: 'unconfirmed', attempts };
      }
      if (attempts >= this.#opt.unlockAttempts) {
        this.#log.warn({ bus: this.#opt.id, board: spec.id, lock, attempts }, 'unlock not confirmed: the latch still reads closed (jammed, or the door is held shut)');
        return { outcome: 'unconfirmed', attempts };
      }
      b.counters.unlockResends++;
      this.#log.info({ bus: this.#opt.id, board: spec.id, lock, attempts }, 'latch still closed after the pulse; sending the unlock again');
    }
  }

  /** Host-timed pulse: switch the relay off with `request`, insisting, since a powered lock overheats. */
  async #relayOff(b: Board, lock: number, request: Buffer): Promise<boolean> {
    const { spec, family } = b;
    for (let i = 0; i < RELAY_OFF_ATTEMPTS; i++) {
      const r = await this.bus.transact({
        request,
        decoder: b.decoder,
        accept: (f) => family.interpret(spec, 'relay-off', lock, f) !== null,
        gapMs: b.gapMs,
        urgent: true,
      });
      // An answer that is not the echo of "off" does not say the relay is off: insist.
      if (r.status === 'ok' && r.reply !== null && family.interpret(spec, 'relay-off', lock, r.reply)?.kind === 'ack') return true;
      if (r.status === 'ok' && r.reply !== null) this.#applyMeaning(b, family.interpret(spec, 'relay-off', lock, r.reply));
      if (r.status === 'stopped') break;
    }
    this.#log.error({ bus: this.#opt.id, board: spec.id, lock }, 'relay did not confirm it switched off after a host-timed pulse; check the lock and prefer the board-timed pulse');
    return false;
  }

  // --- status ------------------------------------------------------------------------------

  /** One status transaction for board `b`, applied to the door state; null if no usable reply. */
  async #status(b: Board, urgent: boolean): Promise<StatusReading | null> {
    const { spec, family } = b;
    b.counters.polls++;
    const r = await this.bus.transact({
      request: family.statusRequest(spec),
      decoder: b.decoder,
      accept: (f) => family.interpret(spec, 'status', 0, f) !== null,
      gapMs: b.gapMs,
      urgent,
    });
    b.mismatchedSinceReply += r.mismatched;
    b.counters.mismatched += r.mismatched;
    if (r.status === 'down' || r.status === 'stopped') return null;
    if (r.status !== 'ok' || r.reply === null) {
      b.counters.timeouts += r.status === 'timeout' ? 1 : 0;
      this.#missed(b, r.status === 'busy' ? 'the line never fell quiet (noise, or another master on the bus)' : this.#whyNoReply(b));
      return null;
    }
    const meaning = family.interpret(spec, 'status', 0, r.reply);
    if (meaning?.kind !== 'status') {
      b.counters.refused++;
      this.#missed(b, meaning?.kind === 'refused' ? `the board refuses the status request: ${meaning.reason}` : 'unexpected reply to a status request');
      return null;
    }
    this.#replied(b);
    this.#applyStatus(b, meaning.reading);
    return meaning.reading;
  }

  #whyNoReply(b: Board): string {
    const s = b.decoder.stats;
    const checksum = s.checksumErrors - b.statsAtLastReply.checksumErrors;
    const garbage = s.discardedBytes - b.statsAtLastReply.discardedBytes;
    const { protocol, address } = b.spec;
    if (checksum > 0) return `replies fail their checksum (${checksum} since the last good one): noise, or a wrong baud rate`;
    if (b.mismatchedSinceReply > 0) return `no reply from address ${address}, but other ${protocol} frames arrive: check the address setting`;
    if (garbage > 0) return `bytes arrive but form no ${protocol} reply: wrong protocol or baud rate?`;
    return `no reply to ${protocol} status requests at address ${address}: check power, wiring (A/B), address and protocol`;
  }

  #replied(b: Board): void {
    b.counters.replies++;
    b.misses = 0;
    b.mismatchedSinceReply = 0;
    b.statsAtLastReply = { checksumErrors: b.decoder.stats.checksumErrors, discardedBytes: b.decoder.stats.discardedBytes };
    this.#setOnline(b, true, null);
  }

  #missed(b: Board, reason: string): void {
    b.misses++;
    b.reason = reason;
    if (b.misses >= this.#opt.offlineAfterMisses) this.#setOnline(b, false, reason);
  }

  #setOnline(b: Board, online: boolean, reason: string | null): void {
    b.reason = reason;
    if (b.online === online) return;
    b.online = online;
    if (online) this.#log.info({ bus: this.#opt.id, board: b.spec.id }, 'lock board online');
    else this.#log.warn({ bus: this.#opt.id, board: b.spec.id, reason }, 'lock board offline: its compartments cannot be used until it answers again');
    this.#emitSafe('board', this.#health(b));
  }

  #applyMeaning(b: Board, meaning: ReplyMeaning | null): void {
    if (!meaning) return;
    if (meaning.kind === 'status') this.#applyStatus(b, meaning.reading);
    else if (meaning.kind === 'lock-state') this.#applyLock(b, meaning.lock, meaning.latch, undefined);
    else if (meaning.kind === 'refused') {
      b.counters.refused++;
      this.#log.warn({ bus: this.#opt.id, board: b.spec.id, reason: meaning.reason }, 'lock board refused a command');
    } else if (meaning.kind === 'not_echoed') {
      b.counters.notEchoed++;
      this.#log.warn({ bus: this.#opt.id, board: b.spec.id, reason: meaning.reason }, 'lock board answered a write without its echo');
    }
  }

  #applyStatus(b: Board, reading: StatusReading): void {
    for (let lock = 1; lock <= b.spec.locks; lock++) {
      const item = reading.sensors ? reading.sensors[lock - 1] === true : undefined;
      this.#applyLock(b, lock, reading.latches[lock - 1] === true, item);
    }
  }

  #applyLock(b: Board, lock: number, rawLatch: boolean, item: boolean | undefined): void {
    const i = lock - 1;
    const open = latchOpen(rawLatch, b.spec.polarity);
    const before = b.open[i];
    const itemBefore = b.items[i];
    b.open[i] = open;
    if (open) b.openSeenAt[i] = now();
    if (item !== undefined) b.items[i] = item;
    const itemNow = b.items[i];
    if (before === undefined && this.#starting) {
      if (open) b.initialOpen.add(lock);
      return;
    }
    const report = before === undefined
      ? open
      : before !== open || (open && item !== undefined && item !== itemBefore);
    if (!report) return;
    // Reported as the change it is: not again as "found open" by the report that follows start().
    b.initialOpen.delete(lock);
    const change: DoorChange = {
      board: b.spec.id, lock, open, ...(itemNow !== undefined ? { itemPresent: itemNow } : {}), at: new Date(),
    };
    this.#emitSafe('door', change);
  }

  /** The doors start()'s first reading found open, as they are now. */
  #reportInitial(): void {
    if (!this.#running) return;
    for (const b of this.#boards.values()) {
      const locks = [...b.initialOpen].sort((x, y) => x - y);
      b.initialOpen.clear();
      for (const lock of locks) {
        if (b.open[lock - 1] !== true) continue;
        const item = b.items[lock - 1];
        this.#emitSafe('door', { board: b.spec.id, lock, open: true, ...(item !== undefined ? { itemPresent: item } : {}), at: new Date() });
      }
    }
  }

  #emitSafe(event: keyof DoorHardwareEvents, payload: DoorChange | BoardHealth): void {
    try {
      this.emit(event, payload);
    } catch (err) {
      // A listener's failure must not stop the poll: the next change is still reported.
      this.#log.error({ bus: this.#opt.id, event, err: err instanceof Error ? err.message : String(err) }, 'door event listener threw');
    }
  }

  // --- the poll loop -----------------------------------------------------------------------

  async #poll(): Promise<void> {
    while (this.#running) {
      if (!this.bus.isUp) {
        await this.bus.whenUp();
        continue;
      }
      const started = now();
      let complete = true;
      for (const b of this.#boards.values()) {
        if (this.#scan) await this.#scan.catch(() => {});
        if (!this.#running || !this.bus.isUp) {
          complete = false;
          break;
        }
        await this.#status(b, false);
      }
      if (complete && this.#running) {
        this.#cycles++;
        this.#lastCycleMs = now() - started;
        this.#opt.onPollCycle?.(this.#lastCycleMs);
      }
      // Yield at least once so a bus whose every transaction fails at once cannot starve the loop.
      await this.#sleeper.until(Math.max(started + this.#opt.pollIntervalMs, now()));
      await new Promise((r) => setImmediate(r));
    }
  }

  // --- scan --------------------------------------------------------------------------------

  async #runScan(out: BusScanResult, range: BusScanRange | undefined): Promise<void> {
    const timeoutMs = Math.min(this.#opt.replyTimeoutMs, SCAN_TIMEOUT_MAX_MS);
    const protocols = [...new Set([...this.#boards.values()].map((b) => b.spec.protocol))] as ProtocolName[];
    for (const name of protocols) {
      const family = FAMILIES[name];
      const decoder = family.newDecoder();
      const gapMs = this.#opt.quietGapMs ?? family.defaultGapMs(this.#opt.baudRate);
      const last = Math.min(family.addressMax, range?.to ?? Infinity);
      for (let address = Math.max(family.addressMin, range?.from ?? 0); address <= last; address++) {
        if (!this.#running) return;
        const probe = family.probe(address);
        const r = await this.bus.transact({ request: probe.request, decoder, accept: probe.answers, gapMs, timeoutMs, urgent: true });
        if (r.status === 'down' || r.status === 'stopped') {
          out.error = `serial port down during the scan: ${this.bus.lastError ?? r.status}`;
          return;
        }
        if (r.status !== 'ok') continue;
        const configured = [...this.#boards.values()].find((b) => b.spec.protocol === name && b.spec.address === address);
        out.found.push({
          address, protocol: name, locks: configured?.spec.locks ?? family.scanLocks ?? 0,
          ...(configured ? { board: configured.spec.id } : {}),
        });
      }
    }
  }

  // --- helpers -----------------------------------------------------------------------------

  #lookup(address: LockAddress): { board: Board; lock: number } {
    const board = this.#boards.get(address.board);
    if (!board) throw new LockAddressError(`bus "${this.#opt.id}" has no board "${address.board}" (boards: ${this.boardIds.join(', ')})`);
    if (!Number.isInteger(address.lock) || address.lock < 1 || address.lock > board.spec.locks) {
      throw new LockAddressError(`board "${address.board}" has no lock ${address.lock} (it has 1..${board.spec.locks})`);
    }
    return { board, lock: address.lock };
  }

  #health(b: Board): BoardHealth {
    const s = b.decoder.stats;
    const bc = this.bus.counters;
    const where = `${this.#opt.path} ${b.spec.protocol} @${b.spec.address}`;
    const state = b.online === true ? '' : b.online === null ? `: ${b.reason ?? 'waiting for the first reply'}` : `: ${b.reason ?? 'offline'}`;
    const counters: Record<string, number> = {
      polls: b.counters.polls,
      replies: b.counters.replies,
      timeouts: b.counters.timeouts,
      checksum_errors: s.checksumErrors,
      discarded_bytes: s.discardedBytes,
      echoes: s.echoes,
      unsolicited: s.unsolicited,
      mismatched: b.counters.mismatched,
      refused: b.counters.refused,
      not_echoed: b.counters.notEchoed,
      unlocks: b.counters.unlocks,
      unlock_resends: b.counters.unlockResends,
      port_opens: bc.opens,
      port_disconnects: bc.disconnects,
      stray_bytes: bc.strayBytes,
    };
    return {
      board: b.spec.id,
      online: b.online === true,
      detail: `${where}${state}`,
      errors: b.counters.timeouts + s.checksumErrors + b.counters.mismatched + b.counters.refused + b.counters.notEchoed,
      counters,
    };
  }
}
