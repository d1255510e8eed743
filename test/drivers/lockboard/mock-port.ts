/**
 * `@serialport/binding-mock` with something on the other end of the wire: a byte-level lock-board
 * simulator or a scripted responder. The door controller and the bus run unchanged on top; the
 * hardware is replaced only at the binding, where bytes go in and out.
 *
 * Adds what the mock lacks for the port's life: `unplug()` makes the open port fail (a read error,
 * like a USB adapter pulled out) and further opens fail until `plug()`.
 */
import { MockBinding, type MockPortBinding } from '@serialport/binding-mock';
import type { SerialBinding, SerialBindingPort, SerialOpenOptions } from '../../../drivers/lockboard/serial.js';
import type { LockBoardSimulator } from '../../../drivers/lockboard/sim/simulator.js';

export interface Peer {
  /** Bytes the master wrote. */
  receive(bytes: Buffer, reply: (bytes: Buffer) => void): void;
}

export interface WriteRecord {
  at: number;
  bytes: Buffer;
}

let counter = 0;

export class MockWire {
  readonly path: string;
  readonly writes: WriteRecord[] = [];
  /** Every open attempt (successful or not), performance.now(). */
  readonly openAttempts: number[] = [];
  readonly setCalls: Record<string, boolean>[] = [];
  opens = 0;
  #plugged = true;
  #port: MockPortBinding | null = null;
  #disconnect: ((err: Error) => void) | null = null;
  #peer: Peer | null = null;
  setFails = false;

  constructor(options: { echo?: boolean; exists?: boolean } = {}) {
    this.path = `/dev/mock-lockbus-${process.pid}-${++counter}`;
    if (options.exists !== false) MockBinding.createPort(this.path, { echo: options.echo ?? false });
    else this.#plugged = false;
  }

  /** Attach a byte-level simulator: master bytes go to it, its replies come back as received data. */
  attach(sim: LockBoardSimulator): this {
    sim.on('transmit', (bytes) => this.emit(bytes));
    this.#peer = { receive: (bytes) => sim.receive(bytes) };
    return this;
  }

  respond(peer: Peer): this {
    this.#peer = peer;
    return this;
  }

  /** Bytes arriving at the master (from a board, or noise). */
  emit(bytes: Buffer): void {
    if (this.#port?.isOpen) this.#port.emitData(bytes);
  }

  get isOpen(): boolean {
    return this.#port?.isOpen === true;
  }

  unplug(): void {
    this.#plugged = false;
    this.#disconnect?.(Object.assign(new Error('device reports readiness to read but returned no data'), { disconnect: true }));
  }

  plug(): void {
    if (!this.#plugged) {
      MockBinding.createPort(this.path, {});
      this.#plugged = true;
    }
  }

  readonly binding: SerialBinding = {
    open: async (options: SerialOpenOptions): Promise<SerialBindingPort> => {
      this.openAttempts.push(performance.now());
      if (!this.#plugged) throw Object.assign(new Error(`Error: No such file or directory, cannot open ${options.path}`), { code: 'ENOENT' });
      const port = (await MockBinding.open({ ...options, baudRate: options.baudRate })) as MockPortBinding;
      this.opens++;
      this.#port = port;
      let fail!: (err: Error) => void;
      const failed = new Promise<never>((_, reject) => (fail = reject));
      failed.catch(() => {});
      this.#disconnect = fail;
      const wire = this;
      const wrapped: SerialBindingPort = {
        get isOpen() {
          return port.isOpen;
        },
        close: () => port.close(),
        read: (buffer, offset, length) => Promise.race([port.read(buffer, offset, length), failed]),
        write: async (bytes) => {
          await Promise.race([port.write(bytes), failed]);
          wire.writes.push({ at: performance.now(), bytes: Buffer.from(bytes) });
          wire.#peer?.receive(Buffer.from(bytes), (reply) => wire.emit(reply));
        },
        set: async (flags) => {
          wire.setCalls.push(flags);
          if (wire.setFails) throw new Error('Inappropriate ioctl for device, cannot set');
          await port.set(flags);
        },
        flush: () => port.flush(),
      };
      return wrapped;
    },
  };
}

export function resetMockPorts(): void {
  MockBinding.reset();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 5 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function until(cond: () => boolean, timeoutMs = 2000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(5);
  }
  return true;
}
