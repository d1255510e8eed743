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
import * as a8 from '../clone-8a/codec.js';
import type { LatchPolarity } from '../codec.js';
import * as cu16 from '../kerong-cu16/codec.js';
import * as mb from '../modbus-rtu/codec.js';
import type { ProtocolName } from '../families.js';
import { Sleeper, charTimeMs, now } from '../timing.js';
import { RequestFramer, type SimRequest } from './requests.js';

/**
 * How a simulated board answers an unlock. CU16 units differ; 0x8A and Modbus boards answer (`ack`).
 * `zero-pulse` (Modbus): a board without timed pulses, which ignores the FC 05 pulse and answers
 * it with the value `00 00` instead of the echo; plain coil writes are carried out and echoed.
 */
export type UnlockReply = 'none' | 'ack' | 'status' | 'zero-pulse';
export const UNLOCK_REPLIES: readonly UnlockReply[] = ['none', 'ack', 'status', 'zero-pulse'];

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

export interface SimLockState {
  open: boolean;
  jammed: boolean;
  leftOpen: boolean;
  itemPresent: boolean;
  /** Modbus relay (coil) state. */
  relay: boolean;
}

interface Lock extends SimLockState {
  releaseTimer?: NodeJS.Timeout;
  pulseTimer?: NodeJS.Timeout;
  closeTimer?: NodeJS.Timeout;
}

interface Board {
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

/** Characters of silence that end a partial Modbus frame. */
const FRAME_BREAK_CHARS = 3.5;

export class LockBoardSimulator extends EventEmitter<LockBoardSimulatorEvents> {
  readonly protocol: ProtocolName;
  readonly counters: SimCounters = { requests: 0, replies: 0, collisions: 0, discarded: 0, noiseBytes: 0, echoedBytes: 0 };
  readonly fires: SimFire[] = [];
  readonly #boards = new Map<number, Board>();
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
    this.#framer = new RequestFramer(options.protocol);
    this.#random = options.random ?? Math.random;
    this.#charMs = options.baudRate > 0 ? charTimeMs(options.baudRate) : 0;
    this.#autoCloseMs = options.autoCloseMs ?? 0;
    for (const b of options.boards) {
      if (this.#boards.has(b.address)) throw new RangeError(`two simulated boards at address ${b.address}`);
      this.#boards.set(b.address, {
        address: b.address,
        locks: Array.from({ length: b.locks }, () => ({ open: false, jammed: false, leftOpen: false, itemPresent: false, relay: false })),
        polarity: b.polarity ?? 'one-is-closed',
        unlockReply: b.unlockReply ?? (options.protocol === 'kerong-cu16' ? 'none' : 'ack'),
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
    if (t - this.#lastRx > FRAME_BREAK_CHARS * this.#charMs && this.protocol === 'modbus-rtu') this.#framer.breakFrame();
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

  #handle(r: SimRequest, doneAt: number): void {
    if (r.family === 'kerong-cu16') this.#handleCu16(r, doneAt);
    else if (r.family === 'clone-8a') this.#handle8a(r, doneAt);
    else this.#handleModbus(r, doneAt);
  }

  #handleCu16(r: Extract<SimRequest, { family: 'kerong-cu16' }>, doneAt: number): void {
    if (r.cmd === 0x32) {
      // Broadcast status: every board answers (on a real bus they collide; here they queue).
      for (const b of this.#boards.values()) {
        if (b.unplugged) continue;
        const f = cu16.encodeStatusReply(b.address & 0x0f, this.#latchBits(b).slice(0, 16), this.#sensorBits(b).slice(0, 16));
        f[2] = cu16.CMD_BROADCAST_STATUS_REPLY;
        f[8] = cu16.sum8(f, 0, 8);
        this.#reply(b, f, doneAt);
      }
      return;
    }
    const board = this.#boards.get(r.addr >> 4);
    if (!board || board.unplugged) return;
    const lockIndex = r.addr & 0x0f;
    if (r.cmd === cu16.CMD_STATUS) {
      this.#reply(board, this.#cu16Status(board), doneAt);
    } else if (r.cmd === cu16.CMD_UNLOCK) {
      if (lockIndex < board.locks.length) this.#fire(board, lockIndex + 1, board.pulseMs);
      if (board.unlockReply === 'ack') this.#reply(board, Buffer.from(r.raw), doneAt);
      else if (board.unlockReply === 'status') this.#reply(board, this.#cu16Status(board), doneAt);
    } else if (r.cmd === cu16.CMD_UNLOCK_ALL) {
      for (let l = 1; l <= board.locks.length; l++) this.#fire(board, l, board.pulseMs);
      if (board.unlockReply === 'ack') this.#reply(board, Buffer.from(r.raw), doneAt);
    }
  }

  #cu16Status(board: Board): Buffer {
    return cu16.encodeStatusReply(board.address, this.#latchBits(board).slice(0, 16), this.#sensorBits(board).slice(0, 16));
  }

  #handle8a(r: Extract<SimRequest, { family: 'clone-8a' }>, doneAt: number): void {
    const board = this.#boards.get(r.board);
    if (!board || board.unplugged) return;
    if (r.hdr === a8.HDR_UNLOCK) {
      if (r.lock === 0) {
        for (let l = 1; l <= board.locks.length; l++) this.#fire(board, l, board.pulseMs);
        if (board.unlockReply !== 'none') this.#reply(board, a8.encodeReply('unlock', board.address, 0, false), doneAt);
        return;
      }
      if (r.lock > board.locks.length) return;
      this.#fire(board, r.lock, board.pulseMs);
      if (board.unlockReply !== 'none') this.#reply(board, a8.encodeReply('unlock', board.address, r.lock, this.#latchBit(board, r.lock)), doneAt);
      return;
    }
    if (r.lock === 0) {
      this.#reply(board, a8.encodeQueryAllReply(board.address, this.#latchBits(board).slice(0, a8.QUERY_ALL_LOCKS)), doneAt);
    } else if (r.lock <= board.locks.length) {
      this.#reply(board, a8.encodeReply('query', board.address, r.lock, this.#latchBit(board, r.lock)), doneAt);
    }
  }

  #handleModbus(r: Extract<SimRequest, { family: 'modbus-rtu' }>, doneAt: number): void {
    const broadcast = r.unit === 0;
    const board = this.#boards.get(r.unit);
    if (!broadcast && (!board || board.unplugged)) return;
    const targets = broadcast ? [...this.#boards.values()].filter((b) => !b.unplugged) : [board!];
    const exception = (b: Board, code: number): void => {
      if (!broadcast) this.#reply(b, mb.encodeException(b.address, r.fc, code), doneAt);
    };
    for (const b of targets) {
      const n = b.locks.length;
      if (r.fc === mb.FC_READ_COILS || r.fc === mb.FC_READ_DISCRETE_INPUTS) {
        if (broadcast) continue;
        if (r.b < 1 || r.b > mb.READ_BITS_MAX) {
          exception(b, 3);
          continue;
        }
        if (r.a + r.b > n) {
          exception(b, 2);
          continue;
        }
        const all = r.fc === mb.FC_READ_COILS ? b.locks.map((l) => l.relay) : this.#latchBits(b);
        this.#reply(b, mb.encodeBitsReply(b.address, r.fc, all.slice(r.a, r.a + r.b)), doneAt);
      } else if (r.fc === mb.FC_WRITE_SINGLE_COIL) {
        if (r.a >= mb.PULSE_COIL_BASE && r.a < mb.PULSE_COIL_BASE + n) {
          if (r.b < 1) {
            exception(b, 3);
            continue;
          }
          if (b.unlockReply === 'zero-pulse') {
            if (!broadcast) this.#reply(b, mb.encodeWriteCoilReply(b.address, r.a, mb.COIL_OFF), doneAt);
            continue;
          }
          this.#fire(b, r.a - mb.PULSE_COIL_BASE + 1, r.b * 100);
        } else if (r.a < n) {
          if (r.b !== mb.COIL_ON && r.b !== mb.COIL_OFF) {
            exception(b, 3);
            continue;
          }
          this.#setRelay(b, r.a + 1, r.b === mb.COIL_ON);
        } else {
          exception(b, 2);
          continue;
        }
        if (!broadcast && b.unlockReply !== 'none') this.#reply(b, Buffer.from(r.raw), doneAt);
      } else {
        exception(b, 1);
      }
    }
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
