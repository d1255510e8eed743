import { EventEmitter } from 'node:events';
import type { InputDevice, Key, KioskInput } from '../contracts.js';

/** A simulated keypad or scanner, fed by the control socket (`lockerctl sim keys|scan`). */
export class SimInput extends EventEmitter implements InputDevice {
  constructor(readonly name: string) {
    super();
  }

  override on(event: 'input', listener: (input: KioskInput) => void): this {
    return super.on(event, listener);
  }

  override off(event: 'input', listener: (input: KioskInput) => void): this {
    return super.off(event, listener);
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  press(key: Key): void {
    this.emit('input', { kind: 'key', key, source: this.name, at: new Date() } satisfies KioskInput);
  }

  scan(text: string): void {
    this.emit('input', { kind: 'scan', text, source: this.name, at: new Date() } satisfies KioskInput);
  }
}
