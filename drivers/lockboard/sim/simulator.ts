/**
 * Simulated lock boards of one family on one RS-485 bus, at the byte level: they hear the
 * master's requests, answer with the exact bytes of their family after their turnaround time,
 * paced at the bus's baud rate, and fire, jam and open their locks like the real thing.
 *
 * Transport-free: bytes from the master go in through `receive`, bytes to the master come out
 * as `transmit` events. `sim/port-link.ts` connects it to a serial port (one end of a socat
 * pseudo-terminal pair), tests connect it to `@serialport/binding-mock`.
 *
 * Wire model: every byte occupies the line for one character time (10 bits). A request is
 * complete when its last byte has been on the line; the board's reply starts `turnaroundMs`
 * later and reaches the master when its last byte has been sent. A master byte received while
 * a board is sending counts as a collision (a scheduler that talks over a reply).
 *
 * Faults: per board `silent` (hears and acts, never answers), `unplugged` (nothing at all),
 * `corrupt` (a share of replies with a wrong checksum); per lock `jammed` (the latch does not
 * release), `leftOpen` (the door, once open, is never closed by auto-close), `force` (the door
 * is pulled open without a command); per bus `echo` (the adapter hands every request back)
 * and `noise` (random bytes at random times).
 */
import { EventEmitter } from 'node:events';
import type { LatchPolarity } from '../codec.js';
import type { ProtocolName } from '../families.js';
import { Sleeper, charTimeMs, now } from '../timing.js';
import { SIM_FAMILIES } from './families.js';
import type { SimBoard, SimBus, SimFamily, SimLockState, SimRequest, UnlockReply } from './family.js';
import { RequestFramer } from './requests.js';

export interface SimBoardOptions {
  address: number;
  locks: number;
  /** How the board reports its latch bit (default `one-is-closed`). */
  polarity?: LatchPolarity;
  unlockReply?: UnlockReply;
  /** Time from the end of a request to the start of the reply (default 0). */
  turnaroundMs?: number;
  /** How long the board powers a lock it fires (default 500); board-timed Modbus pulses use the request's length. */
  pulseMs?: number;
  /** Time from the start of the pulse to the latch reading open (default 20). */
  releaseMs?: number;
  /** CU16 infrared item-present sensors fitted (default false: the sensor bits read 0). */
  sensors?: boolean;
}

export interface LockBoardSimulatorOptions {
  protocol: ProtocolName;
  /** Pacing; 0 = no wire time at all (replies after the turnaround only). */
  baudRate: number;
  boards: SimBoardOptions[];
  /** A door closes by itself this long after it opened (0 = only when told to). */
  autoCloseMs?: number;
  /** Source of randomness (faults, noise); seed it for reproducible runs. */
  random?: () => number;
}

export type BoardFault = 'silent' | 'unplugged' | 'corrupt';

interface Lock extends SimLockState {
  releaseTimer?: NodeJS.Timeout;
  pulseTimer?: NodeJS.Timeout;
  closeTimer?: NodeJS.Timeout;
}

interface Board extends SimBoard {
  address: number;
  locks: Lock[];
  polarity: LatchPolarity;
  unlockReply: UnlockReply;
  turnaroundMs: number;
  pulseMs: number;
  releaseMs: number;
  sensors: boolean;
  silent: boolean;
  unplugged: boolean;
  /** Share of replies sent with a broken checksum, 0..1. */
  corrupt: number;
}

export interface SimFire {
  address: number;
  lock: number;
  /** performance.now() in this process when the pulse started. */
  at: number;
  pulseMs: number;
}

export interface SimDoorEvent {
  address: number;
  lock: number;
  open: boolean;
  cause: 'unlock' | 'forced' | 'closed' | 'auto-close';
}

export interface SimCounters {
  requests: number;
  replies: number;
  /** Master bytes that arrived while a board was sending. */
  collisions: number;
  /** Bytes that framed no request (noise, a wrong protocol, our own corrupted frames). */
  discarded: number;
  noiseBytes: number;
  echoedBytes: number;
}

export interface LockBoardSimulatorEvents {
  transmit: [bytes: Buffer];
  door: [event: SimDoorEvent];
  fire: [fire: SimFire];
  request: [request: SimRequest];
}

interface Delivery {
  at: number;
  bytes: Buffer;
}

export class LockBoardSimulator extends EventEmitter<LockBoardSimulatorEvents> {
  readonly protocol: ProtocolName;
  readonly counters: SimCounters = { requests: 0, replies: 0, collisions: 0, discarded: 0, noiseBytes: 0, echoedBytes: 0 };
  readonly fires: SimFire[] = [];
  readonly #boards = new Map<number, Board>();
  readonly #family: SimFamily;
  readonly #framer: RequestFramer;
  readonly #random: () => number;
  readonly #sleeper = new Sleeper();
  readonly #charMs: number;
  #autoCloseMs: number;
  #echo = false;
  #noiseTimer: NodeJS.Timeout | undefined;
  #noiseRate = 0;
  /** Until when the master's bytes occupy the line. */
  #rxBusyUntil = -Infinity;
  /** Until when a board's reply occupies the line. */
  #txBusyUntil = -Infinity;
  #txBusyFrom = -Infinity;
  #lastRx = -Infinity;
  #queue: Delivery[] = [];
  #pumping = false;
  #closed = false;

  constructor(options: LockBoardSimulatorOptions) {
    super();
    this.protocol = options.protocol;
    this.#family = SIM_FAMILIES[options.protocol];
    this.#framer = new RequestFramer((buf, p, end) => this.#family.judge(buf, p, end));
    this.#random = options.random ?? Math.random;
    this.#charMs = options.baudRate > 0 ? charTimeMs(options.baudRate) : 0;
    this.#autoCloseMs = options.autoCloseMs ?? 0;
    for (const b of options.boards) {
      if (this.#boards.has(b.address)) throw new RangeError(`two simulated boards at address ${b.address}`);
      this.#boards.set(b.address, {
        address: b.address,
        locks: Array.from({ length: b.locks }, () => ({ open: false, jammed: false, leftOpen: false, itemPresent: false, relay: false })),
        polarity: b.polarity ?? 'one-is-closed',
        unlockReply: b.unlockReply ?? this.#family.defaultUnlockReply,
        turnaroundMs: b.turnaroundMs ?? 0,
        pulseMs: b.pulseMs ?? 500,
        releaseMs: b.releaseMs ?? 20,
        sensors: b.sensors ?? false,
        silent: false,
        unplugged: false,
        corrupt: 0,
      });
    }
  }

  get addresses(): number[] {
    return [...this.#boards.keys()];
  }

  /** Stops timers (noise, pulses, auto-close); nothing is sent afterwards. */
  close(): void {
    this.#closed = true;
    this.#sleeper.cancel();
    clearTimeout(this.#noiseTimer);
    for (const b of this.#boards.values()) {
      for (const l of b.locks) {
        clearTimeout(l.releaseTimer);
        clearTimeout(l.pulseTimer);
        clearTimeout(l.closeTimer);
      }
    }
    this.#queue = [];
  }

  // --- the wire ----------------------------------------------------------------------------

  /** Bytes the master sent. */
  receive(chunk: Uint8Array): void {
    if (this.#closed || chunk.length === 0) return;
    const t = now();
    const breakChars = this.#family.frameBreakChars;
    if (breakChars !== undefined && t - this.#lastRx > breakChars * this.#charMs) this.#framer.breakFrame();
    this.#lastRx = t;
    if (t >= this.#txBusyFrom && t < this.#txBusyUntil) this.counters.collisions++;
    this.#rxBusyUntil = Math.max(t, this.#rxBusyUntil) + chunk.length * this.#charMs;
    const doneAt = this.#rxBusyUntil;
    if (this.#echo) {
      this.counters.echoedBytes += chunk.length;
      this.#deliver(Buffer.from(chunk), doneAt);
    }
    const before = this.#framer.discarded;
    const requests = this.#framer.push(chunk);
    this.counters.discarded += this.#framer.discarded - before;
    for (const r of requests) {
      this.counters.requests++;
      this.emit('request', r);
      this.#handle(r, doneAt);
    }
  }

  /** Queues `bytes` to reach the master at `at` (performance.now() time), in order. */
  #deliver(bytes: Buffer, at: number): void {
    let i = this.#queue.length;
    while (i > 0 && this.#queue[i - 1]!.at > at) i--;
    this.#queue.splice(i, 0, { at, bytes });
    void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const next = this.#queue[0]!;
        if (next.at > now()) {
          await this.#sleeper.until(next.at);
          continue; // an earlier delivery may have been queued meanwhile
        }
        this.#queue.shift();
        this.emit('transmit', next.bytes);
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** A board sends `frame` after its turnaround; the line is busy for the frame's wire time. */
  #reply(board: Board, frame: Buffer, requestDoneAt: number): void {
    if (board.silent || board.unplugged) return;
    let bytes = frame;
    if (board.corrupt > 0 && this.#random() < board.corrupt) {
      bytes = Buffer.from(frame);
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ (1 + Math.floor(this.#random() * 255));
    }
    const start = Math.max(requestDoneAt + board.turnaroundMs, this.#txBusyUntil);
    const end = start + bytes.length * this.#charMs;
    this.#txBusyFrom = start;
    this.#txBusyUntil = end;
    this.counters.replies++;
    this.#deliver(bytes, end);
  }

  // --- requests ------------------------------------------------------------------------------

  /** The family carries the request out; what it does to boards and locks goes through here. */
  #handle(r: SimRequest, doneAt: number): void {
    const bus: SimBus = {
      board: (address) => {
        const b = this.#boards.get(address);
        return b && !b.unplugged ? b : undefined;
      },
      plugged: () => [...this.#boards.values()].filter((b) => !b.unplugged),
      reply: (board, frame) => this.#reply(this.#own(board), frame, doneAt),
      fire: (board, lock, pulseMs) => this.#fire(this.#own(board), lock, pulseMs),
      setRelay: (board, lock, on) => this.#setRelay(this.#own(board), lock, on),
      latchBits: (board) => this.#latchBits(this.#own(board)),
      latchBit: (board, lock) => this.#latchBit(this.#own(board), lock),
      sensorBits: (board) => this.#sensorBits(this.#own(board)),
    };
    this.#family.handle(r, bus);
  }

  /** A board handed back by a family is one of ours (the SimBus hands out nothing else). */
  #own(board: SimBoard): Board {
    const b = this.#boards.get(board.address);
    if (b !== board) throw new Error(`simulated board at address ${board.address} is not on this bus`);
    return b;
  }

  // --- locks -------------------------------------------------------------------------------

  #latchBit(board: Board, lock: number): boolean {
    const open = board.locks[lock - 1]?.open ?? false;
    return board.polarity === 'one-is-open' ? open : !open;
  }

  #latchBits(board: Board): boolean[] {
    return board.locks.map((_, i) => this.#latchBit(board, i + 1));
  }

  #sensorBits(board: Board): boolean[] {
    return board.locks.map((l) => board.sensors && l.itemPresent);
  }

  /** The board powers `lock` for `pulseMs`; unless jammed, the latch releases and the door springs open. */
  #fire(board: Board, lock: number, pulseMs: number): void {
    const l = board.locks[lock - 1];
    if (!l) return;
    const fire: SimFire = { address: board.address, lock, at: now(), pulseMs };
    this.fires.push(fire);
    if (this.fires.length > 10_000) this.fires.splice(0, 1000);
    this.emit('fire', fire);
    l.relay = true;
    clearTimeout(l.pulseTimer);
    l.pulseTimer = setTimeout(() => (l.relay = false), pulseMs);
    l.pulseTimer.unref();
    if (l.jammed) return;
    clearTimeout(l.releaseTimer);
    l.releaseTimer = setTimeout(() => this.#setOpen(board, lock, true, 'unlock'), Math.min(board.releaseMs, pulseMs));
    l.releaseTimer.unref();
  }

  /** Host-timed Modbus relay: powered from on until off. */
  #setRelay(board: Board, lock: number, on: boolean): void {
    const l = board.locks[lock - 1]!;
    if (on && !l.relay) {
      const fire: SimFire = { address: board.address, lock, at: now(), pulseMs: 0 };
      this.fires.push(fire);
      this.emit('fire', fire);
      if (!l.jammed) {
        clearTimeout(l.releaseTimer);
        l.releaseTimer = setTimeout(() => {
          if (l.relay) this.#setOpen(board, lock, true, 'unlock');
        }, board.releaseMs);
        l.releaseTimer.unref();
      }
    } else if (!on && l.relay) {
      const last = [...this.fires].reverse().find((f) => f.address === board.address && f.lock === lock && f.pulseMs === 0);
      if (last) last.pulseMs = now() - last.at;
    }
    clearTimeout(l.pulseTimer);
    l.relay = on;
  }

  #setOpen(board: Board, lock: number, open: boolean, cause: SimDoorEvent['cause']): boolean {
    const l = board.locks[lock - 1]!;
    if (l.open === open) return false;
    l.open = open;
    clearTimeout(l.closeTimer);
    l.closeTimer = undefined;
    if (open && this.#autoCloseMs > 0 && !l.leftOpen) {
      l.closeTimer = setTimeout(() => this.#setOpen(board, lock, false, 'auto-close'), this.#autoCloseMs);
      l.closeTimer.unref();
    }
    this.emit('door', { address: board.address, lock, open, cause });
    return true;
  }

  // --- control (tests, the standalone simulator's commands) ------------------------------------

  #board(address: number): Board {
    const b = this.#boards.get(address);
    if (!b) throw new RangeError(`no simulated board at address ${address} (addresses: ${this.addresses.join(', ')})`);
    return b;
  }

  #lock(address: number, lock: number): Lock {
    const b = this.#board(address);
    const l = b.locks[lock - 1];
    if (!l || !Number.isInteger(lock)) throw new RangeError(`board ${address} has no lock ${lock} (it has 1..${b.locks.length})`);
    return l;
  }

  lockState(address: number, lock: number): SimLockState {
    const { open, jammed, leftOpen, itemPresent, relay } = this.#lock(address, lock);
    return { open, jammed, leftOpen, itemPresent, relay };
  }

  /** Someone pushes the door shut. Returns whether it changed. */
  closeDoor(address: number, lock: number): boolean {
    this.#lock(address, lock);
    return this.#setOpen(this.#board(address), lock, false, 'closed');
  }

  /** The door is pulled open without any command: a forced door. Returns whether it changed. */
  forceDoor(address: number, lock: number): boolean {
    this.#lock(address, lock);
    return this.#setOpen(this.#board(address), lock, true, 'forced');
  }

  setJammed(address: number, lock: number, jammed: boolean): void {
    this.#lock(address, lock).jammed = jammed;
  }

  /** The door, once open, stays open: auto-close does not apply to it. */
  setLeftOpen(address: number, lock: number, leftOpen: boolean): void {
    const l = this.#lock(address, lock);
    l.leftOpen = leftOpen;
    if (leftOpen) {
      clearTimeout(l.closeTimer);
      l.closeTimer = undefined;
    }
  }

  setItem(address: number, lock: number, present: boolean): void {
    this.#lock(address, lock).itemPresent = present;
  }

  /** `corrupt` takes a share of replies (0..1); the others on/off. */
  setBoardFault(address: number, fault: BoardFault, value: boolean | number): void {
    const b = this.#board(address);
    if (fault === 'corrupt') b.corrupt = typeof value === 'number' ? Math.max(0, Math.min(1, value)) : value ? 1 : 0;
    else b[fault] = value === true || (typeof value === 'number' && value > 0);
  }

  boardFaults(address: number): { silent: boolean; unplugged: boolean; corrupt: number } {
    const b = this.#board(address);
    return { silent: b.silent, unplugged: b.unplugged, corrupt: b.corrupt };
  }

  setUnlockReply(address: number, reply: UnlockReply): void {
    this.#board(address).unlockReply = reply;
  }

  setTurnaround(address: number, ms: number): void {
    this.#board(address).turnaroundMs = Math.max(0, ms);
  }

  /** The adapter (or a second transceiver) echoes every byte the master sends. */
  setEcho(on: boolean): void {
    this.#echo = on;
  }

  get echo(): boolean {
    return this.#echo;
  }

  setAutoClose(ms: number): void {
    this.#autoCloseMs = Math.max(0, ms);
  }

  /** Bursts of 1..8 random bytes, `perSecond` on average (0 = off). */
  setNoise(perSecond: number): void {
    this.#noiseRate = Math.max(0, perSecond);
    clearTimeout(this.#noiseTimer);
    this.#noiseTimer = undefined;
    if (this.#noiseRate > 0) this.#scheduleNoise();
  }

  get noise(): number {
    return this.#noiseRate;
  }

  /** Sends raw bytes to the master as if a board (or the line) had: for tests and demos. */
  inject(bytes: Uint8Array): void {
    this.#deliver(Buffer.from(bytes), now());
  }

  #scheduleNoise(): void {
    const wait = (-Math.log(1 - this.#random()) / this.#noiseRate) * 1000;
    this.#noiseTimer = setTimeout(() => {
      if (this.#closed || this.#noiseRate === 0) return;
      const n = 1 + Math.floor(this.#random() * 8);
      const bytes = Buffer.alloc(n);
      for (let i = 0; i < n; i++) bytes[i] = Math.floor(this.#random() * 256);
      this.counters.noiseBytes += n;
      this.#deliver(bytes, now());
      this.#scheduleNoise();
    }, Math.min(wait, 60_000));
    this.#noiseTimer.unref();
  }

  /** Every board and lock, for the standalone simulator's `status`. */
  snapshot(): { address: number; faults: { silent: boolean; unplugged: boolean; corrupt: number }; locks: ({ lock: number } & SimLockState)[] }[] {
    return [...this.#boards.values()].map((b) => ({
      address: b.address,
      faults: { silent: b.silent, unplugged: b.unplugged, corrupt: b.corrupt },
      locks: b.locks.map((l, i) => ({ lock: i + 1, open: l.open, jammed: l.jammed, leftOpen: l.leftOpen, itemPresent: l.itemPresent, relay: l.relay })),
    }));
  }
}
