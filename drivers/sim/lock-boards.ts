import { EventEmitter } from 'node:events';
import type { BoardHealth, BusScanRange, BusScanResult, DoorChange, DoorHardware, DoorHardwareEvents, DoorStatus, LockAddress, UnlockResult } from '../contracts.js';

export interface SimLockBoardsOptions {
  boards: { id: string; locks: number }[];
  /** The door swings shut by itself this long after it opened; 0 = only when told to. */
  autoCloseMs: number;
  /** Time between the unlock command and the latch reading open. */
  unlockDelayMs: number;
}

interface SimLock {
  open: boolean;
  /** Fault injection: the latch does not release. */
  jammed: boolean;
  itemPresent: boolean;
  autoClose?: NodeJS.Timeout;
}

interface SimBoard {
  id: string;
  locks: SimLock[];
  online: boolean;
  errors: number;
}

/** Thrown for a board or lock the simulator does not have: a wiring or config mistake. */
export class SimAddressError extends Error {
  override name = 'SimAddressError';
}

/**
 * In-process simulated lock boards behind the same DoorHardware interface as the RS-485 drivers:
 * an unlock opens the door (after `unlockDelayMs`), a door closes when told to or by itself after
 * `autoCloseMs`. Faults can be injected for tests and demos: a jammed lock, a board that is offline.
 */
export class SimLockBoards extends EventEmitter implements DoorHardware {
  readonly #boards = new Map<string, SimBoard>();
  #running = false;

  constructor(private readonly options: SimLockBoardsOptions) {
    super();
    for (const b of options.boards) {
      this.#boards.set(b.id, {
        id: b.id,
        online: true,
        errors: 0,
        locks: Array.from({ length: b.locks }, () => ({ open: false, jammed: false, itemPresent: false })),
      });
    }
  }

  override on<E extends keyof DoorHardwareEvents>(event: E, listener: DoorHardwareEvents[E]): this {
    return super.on(event, listener);
  }

  override off<E extends keyof DoorHardwareEvents>(event: E, listener: DoorHardwareEvents[E]): this {
    return super.off(event, listener);
  }

  async start(): Promise<void> {
    this.#running = true;
  }

  async stop(): Promise<void> {
    this.#running = false;
    for (const b of this.#boards.values()) for (const l of b.locks) clearTimeout(l.autoClose);
  }

  #lock(address: LockAddress): { board: SimBoard; lock: SimLock } {
    const board = this.#boards.get(address.board);
    if (!board) throw new SimAddressError(`simulated board "${address.board}" does not exist (boards: ${[...this.#boards.keys()].join(', ')})`);
    const lock = board.locks[address.lock - 1];
    if (!lock) throw new SimAddressError(`simulated board "${address.board}" has no lock ${address.lock} (it has 1..${board.locks.length})`);
    return { board, lock };
  }

  async unlock(address: LockAddress): Promise<UnlockResult> {
    const { board, lock } = this.#lock(address);
    if (!this.#running || !board.online) {
      board.errors++;
      return { outcome: 'no_response', attempts: 1 };
    }
    if (this.options.unlockDelayMs > 0) await new Promise((r) => setTimeout(r, this.options.unlockDelayMs));
    if (lock.jammed) return { outcome: 'unconfirmed', attempts: 1 };
    if (!lock.open) this.#set(address, lock, true);
    return { outcome: 'confirmed_open', attempts: 1 };
  }

  async read(address: LockAddress): Promise<DoorStatus | null> {
    const { board, lock } = this.#lock(address);
    if (!board.online) return null;
    return { board: address.board, lock: address.lock, open: lock.open, itemPresent: lock.itemPresent };
  }

  health(): BoardHealth[] {
    return [...this.#boards.values()].map((b) => ({ board: b.id, online: b.online, detail: `simulated, ${b.locks.length} locks`, errors: b.errors }));
  }

  async scanBus(range?: BusScanRange): Promise<BusScanResult[]> {
    const found = [...this.#boards.values()]
      .map((b, i) => ({ board: b, address: i + 1 }))
      .filter(({ board, address }) => board.online && (!range || (address >= range.from && address <= range.to)))
      .map(({ board, address }) => ({ address, protocol: 'sim', locks: board.locks.length, board: board.id }));
    return [{ bus: 'sim', found }];
  }

  /** A person pushes the door shut, or pulls it open (which on a latched door means force). */
  setDoor(address: LockAddress, open: boolean): { changed: boolean } {
    const { lock } = this.#lock(address);
    if (lock.open === open) return { changed: false };
    this.#set(address, lock, open);
    return { changed: true };
  }

  /** Fault injection: a jammed latch does not release on unlock. */
  setJammed(address: LockAddress, jammed: boolean): void {
    this.#lock(address).lock.jammed = jammed;
  }

  /** Fault injection: an offline board answers nothing. */
  setOnline(boardId: string, online: boolean): void {
    const board = this.#boards.get(boardId);
    if (!board) throw new SimAddressError(`simulated board "${boardId}" does not exist`);
    if (board.online === online) return;
    board.online = online;
    this.emit('board', { board: board.id, online, detail: 'simulated', errors: board.errors } satisfies BoardHealth);
  }

  #set(address: LockAddress, lock: SimLock, open: boolean): void {
    lock.open = open;
    clearTimeout(lock.autoClose);
    lock.autoClose = undefined;
    if (open && this.options.autoCloseMs > 0) {
      lock.autoClose = setTimeout(() => this.#set(address, lock, false), this.options.autoCloseMs);
      lock.autoClose.unref();
    }
    const change: DoorChange = { board: address.board, lock: address.lock, open, itemPresent: lock.itemPresent, at: new Date() };
    this.emit('door', change);
  }
}
