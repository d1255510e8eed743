import type { BoardHealth, DoorHardware } from '../../drivers/contracts.js';
import type { Compartment } from '../ledger/compartments.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Logger } from '../log.js';

/**
 * Which lock boards answer. A board that stops answering is recorded and sent upstream once, and
 * its compartments take no new deposits until it answers again.
 */
export class BoardStatus {
  readonly #offline = new Set<string>();
  readonly #backListeners: ((board: string) => void)[] = [];

  constructor(
    private readonly deps: { ledger: Ledger; doors: DoorHardware; log: Logger; now: () => number },
  ) {}

  readonly #onBoard = (health: BoardHealth): void => {
    const wasOffline = this.#offline.has(health.board);
    if (health.online === !wasOffline) return;
    if (health.online) this.#offline.delete(health.board);
    else this.#offline.add(health.board);
    const { ledger, log } = this.deps;
    const at = this.deps.now();
    const type = health.online ? 'board.online' : 'board.offline';
    ledger.transaction(() => {
      ledger.audit.record({ at, actor: 'system', action: type, detail: { board: health.board, detail: health.detail } });
      ledger.outbox.append(type, at, { board: health.board, detail: health.detail.slice(0, 200) });
    });
    log[health.online ? 'info' : 'warn']({ board: health.board, detail: health.detail }, health.online ? 'lock board answers again' : 'lock board offline: its compartments take no deposits');
    if (health.online) for (const listener of this.#backListeners) listener(health.board);
  };

  /** `listener` runs whenever a board answers again after being offline. */
  onBack(listener: (board: string) => void): void {
    this.#backListeners.push(listener);
  }

  start(): void {
    this.deps.doors.on('board', this.#onBoard);
    for (const h of this.deps.doors.health()) if (!h.online) this.#offline.add(h.board);
  }

  stop(): void {
    this.deps.doors.off('board', this.#onBoard);
  }

  offlineBoards(): string[] {
    return [...this.#offline];
  }

  isOffline(board: string): boolean {
    return this.#offline.has(board);
  }

  /** The compartments whose board answers. */
  answering(compartments: readonly Compartment[]): Compartment[] {
    return compartments.filter((c) => !this.#offline.has(c.board));
  }
}
