/**
 * Connects a LockBoardSimulator to an open serial port (the simulator's end of a socat
 * pseudo-terminal pair, or a real adapter to test a master on another machine): bytes read
 * from the port go to the boards, the boards' replies are written to the port in order.
 */
import type { SerialBindingPort } from '../serial.js';
import type { LockBoardSimulator } from './simulator.js';

export class SimPortLink {
  #closed = false;
  #writes: Promise<void> = Promise.resolve();
  readonly #onTransmit = (bytes: Buffer): void => {
    if (this.#closed) return;
    // The binding takes one write at a time.
    this.#writes = this.#writes.then(() => this.port.write(bytes)).catch((err: unknown) => this.onError(err));
  };
  /** Resolves when the port fails or is closed. */
  readonly ended: Promise<void>;

  constructor(
    readonly sim: LockBoardSimulator,
    readonly port: SerialBindingPort,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    sim.on('transmit', this.#onTransmit);
    this.ended = this.#readLoop();
  }

  async #readLoop(): Promise<void> {
    const buf = Buffer.alloc(512);
    while (!this.#closed) {
      try {
        const { bytesRead } = await this.port.read(buf, 0, buf.length);
        if (bytesRead > 0) this.sim.receive(buf.subarray(0, bytesRead));
      } catch (err) {
        if (!this.#closed) this.onError(err);
        break;
      }
    }
    this.sim.off('transmit', this.#onTransmit);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.sim.off('transmit', this.#onTransmit);
    await this.#writes.catch(() => {});
    if (this.port.isOpen) await this.port.close().catch(() => {});
    await this.ended;
  }
}
