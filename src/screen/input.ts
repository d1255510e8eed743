import { EventEmitter } from 'node:events';
import type { InputDevice, InputDiagnostics, InputHealth, Key, KioskInput } from '../../drivers/contracts.js';

/**
 * The touch screen as an input device: taps on the page's keypad and choice buttons arrive here
 * (POST /key) and go through the same InputRouter as a physical keypad, so the flood mute, the
 * refusal windows and the guessing throttle apply to them alike. It can press only what the
 * physical keypad can.
 */
export class ScreenInput extends EventEmitter implements InputDevice, InputDiagnostics {
  readonly name = 'screen';
  #keys = 0;

  /**
   * `status` says whether the screen can take keys now (the server listens and a page is
   * connected): the self-test counts the screen as a keypad only then.
   */
  constructor(private readonly status: () => { online: boolean; detail: string } = () => ({ online: true, detail: 'the touch page on the kiosk screen (POST /key)' })) {
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

  /** What `lockerctl keypad test` and the self-test show; the page has no raw bytes. */
  health(): InputHealth {
    return { name: this.name, kind: 'keypad', type: 'screen', ...this.status(), counters: { keys: this.#keys } };
  }

  onRaw(): () => void {
    return () => undefined;
  }

  press(key: Key): void {
    this.#keys++;
    this.emit('input', { kind: 'key', key, source: this.name, at: new Date() } satisfies KioskInput);
  }
}
