import { EventEmitter } from 'node:events';
import type { DoorChange, DoorHardware } from '../../drivers/contracts.js';
import type { Compartment } from '../ledger/compartments.js';
import type { Logger } from '../log.js';

export interface DoorMonitorEvents {
  /** A latch reported open. */
  opened: [compartment: Compartment, at: number];
  /** A latch reported closed; `openedAt` is when this monitor saw it open, if it did. */
  closed: [compartment: Compartment, at: number, openedAt: number | null];
  /** A door has stayed open longer than the configured time. */
  leftOpen: [compartment: Compartment, openedAt: number];
}

/**
 * Turns raw latch changes from the boards into door events per compartment and keeps the
 * left-open timers. Knows nothing of parcels: the locker service gives the events their meaning.
 */
export class DoorMonitor extends EventEmitter<DoorMonitorEvents> {
  readonly #byLock = new Map<string, Compartment>();
  readonly #openSince = new Map<string, number>();
  readonly #leftOpenTimers = new Map<string, NodeJS.Timeout>();
  readonly #onChange = (change: DoorChange): void => this.#handle(change);

  constructor(
    private readonly hardware: DoorHardware,
    compartments: readonly Compartment[],
    private readonly leftOpenMs: number,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    super();
    for (const c of compartments) this.#byLock.set(`${c.board}/${c.lock}`, c);
  }

  start(): void {
    this.hardware.on('door', this.#onChange);
  }

  stop(): void {
    this.hardware.off('door', this.#onChange);
    for (const t of this.#leftOpenTimers.values()) clearTimeout(t);
    this.#leftOpenTimers.clear();
  }

  isOpen(compartmentId: string): boolean {
    return this.#openSince.has(compartmentId);
  }

  openDoors(): { compartmentId: string; since: number }[] {
    return [...this.#openSince].map(([compartmentId, since]) => ({ compartmentId, since }));
  }

  /** Feeds a state learned by reading the board (at start-up), as if it had been reported. */
  observe(compartment: Compartment, open: boolean): void {
    this.#handle({ board: compartment.board, lock: compartment.lock, open, at: new Date(this.now()) });
  }

  #handle(change: DoorChange): void {
    const compartment = this.#byLock.get(`${change.board}/${change.lock}`);
    if (!compartment) {
      this.log.warn({ board: change.board, lock: change.lock, open: change.open }, 'latch change on a lock that no compartment uses; check the wiring and the config');
      return;
    }
    const at = this.now();
    const since = this.#openSince.get(compartment.id);
    if (change.open) {
      if (since !== undefined) return; // Already known open: a repeated report.
      this.#openSince.set(compartment.id, at);
      const timer = setTimeout(() => this.emit('leftOpen', compartment, at), this.leftOpenMs);
      timer.unref();
      this.#leftOpenTimers.set(compartment.id, timer);
      this.emit('opened', compartment, at);
    } else {
      clearTimeout(this.#leftOpenTimers.get(compartment.id));
      this.#leftOpenTimers.delete(compartment.id);
      this.#openSince.delete(compartment.id);
      this.emit('closed', compartment, at, since ?? null);
    }
  }
}
