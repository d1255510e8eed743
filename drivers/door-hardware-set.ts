import { EventEmitter } from 'node:events';
import type { BoardHealth, BusScanRange, BusScanResult, DoorHardware, DoorHardwareEvents, DoorStatus, LockAddress, UnlockResult } from './contracts.js';

/**
 * Several buses (serial ports or simulators) seen as one DoorHardware: calls are routed by board
 * id, events are merged. One bus failing to start does not stop the others.
 */
export class DoorHardwareSet extends EventEmitter implements DoorHardware {
  readonly #byBoard = new Map<string, DoorHardware>();

  constructor(private readonly members: { hardware: DoorHardware; boards: string[] }[]) {
    super();
    for (const m of members) {
      for (const b of m.boards) this.#byBoard.set(b, m.hardware);
      m.hardware.on('door', (c) => this.emit('door', c));
      m.hardware.on('board', (h) => this.emit('board', h));
    }
  }

  override on<E extends keyof DoorHardwareEvents>(event: E, listener: DoorHardwareEvents[E]): this {
    return super.on(event, listener);
  }

  override off<E extends keyof DoorHardwareEvents>(event: E, listener: DoorHardwareEvents[E]): this {
    return super.off(event, listener);
  }

  async start(): Promise<void> {
    await Promise.all(this.members.map((m) => m.hardware.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => m.hardware.stop()));
  }

  #route(address: LockAddress): DoorHardware {
    const hw = this.#byBoard.get(address.board);
    if (!hw) throw new Error(`no bus has board "${address.board}"`);
    return hw;
  }

  unlock(address: LockAddress): Promise<UnlockResult> {
    return this.#route(address).unlock(address);
  }

  read(address: LockAddress): Promise<DoorStatus | null> {
    return this.#route(address).read(address);
  }

  health(): BoardHealth[] {
    return this.members.flatMap((m) => m.hardware.health());
  }

  async scanBus(range?: BusScanRange): Promise<BusScanResult[]> {
    const all = await Promise.all(this.members.map((m) => m.hardware.scanBus?.(range) ?? Promise.resolve([])));
    return all.flat();
  }
}
