/**
 * What the generic board simulator (./simulator.ts) needs from each lock-board family: how its
 * boards frame the master's requests from the byte stream, and how they carry one out and answer
 * it. Each family fills it in in its own folder (`<family>/simulator.ts`); ./families.ts lists
 * them. The simulator keeps the wire (pacing, echo, noise, collisions), the locks (pulses,
 * jams, doors) and the faults; a family only speaks its bytes.
 */

/** A request a simulated board heard; `raw` is its exact bytes. Families add their decoded fields. */
export interface SimRequest {
  raw: Buffer;
}

/** The framer's verdict on the bytes from `p`: wait for more, no request starts here, or a request of `length` bytes. */
export type Judge<R extends SimRequest = SimRequest> =
  | { kind: 'more' }
  | { kind: 'skip' }
  | { kind: 'frame'; length: number; request: R };

/**
 * How a simulated board answers an unlock. CU16 units differ; 0x8A and Modbus boards answer (`ack`).
 * `zero-pulse` (Modbus): a board without timed pulses, which ignores the FC 05 pulse and answers
 * it with the value `00 00` instead of the echo; plain coil writes are carried out and echoed.
 */
export type UnlockReply = 'none' | 'ack' | 'status' | 'zero-pulse';
export const UNLOCK_REPLIES: readonly UnlockReply[] = ['none', 'ack', 'status', 'zero-pulse'];

export interface SimLockState {
  open: boolean;
  jammed: boolean;
  leftOpen: boolean;
  itemPresent: boolean;
  /** Modbus relay (coil) state. */
  relay: boolean;
}

/** One simulated board, as a family's request handler sees it. */
export interface SimBoard {
  readonly address: number;
  /** Index k is lock k + 1. */
  readonly locks: readonly Readonly<SimLockState>[];
  readonly unlockReply: UnlockReply;
  /** How long the board powers a lock it fires itself. */
  readonly pulseMs: number;
}

/** What the generic simulator does for a family's request handler, for the request being handled. */
export interface SimBus {
  /** The board at `address`, unless there is none or it is unplugged. */
  board(address: number): SimBoard | undefined;
  /** Every board that is plugged in, in the order they were configured. */
  plugged(): SimBoard[];
  /** `board` sends `frame` after its turnaround, as the answer to this request (a silent board sends nothing). */
  reply(board: SimBoard, frame: Buffer): void;
  /** The board powers `lock` for `pulseMs`; unless jammed, the latch releases and the door springs open. */
  fire(board: SimBoard, lock: number, pulseMs: number): void;
  /** A host-timed relay: powered from on until off. */
  setRelay(board: SimBoard, lock: number, on: boolean): void;
  /** The latch bits as the board reports them (its polarity applied); index k is lock k + 1. */
  latchBits(board: SimBoard): boolean[];
  latchBit(board: SimBoard, lock: number): boolean;
  /** Item-present bits (all false on a board without sensors). */
  sensorBits(board: SimBoard): boolean[];
}

export interface SimFamily<R extends SimRequest = SimRequest> {
  /** Frames a request at `buf[p..end)` the way the board's firmware would: header, length, checksum. */
  judge(buf: Buffer, p: number, end: number): Judge<R>;
  /** Characters of line silence that end a partial request (Modbus RTU: 3.5); absent: none do. */
  frameBreakChars?: number;
  /** How the family's boards answer an unlock unless told otherwise. */
  defaultUnlockReply: UnlockReply;
  /** The standalone simulator's defaults for this family (scripts/lockboard-sim.mjs). */
  defaults: { locks: number; baudRate: number };
  /** Carries out `request` on the boards it addresses and answers it through `bus`. */
  handle(request: R, bus: SimBus): void;
}
