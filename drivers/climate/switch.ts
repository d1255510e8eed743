/**
 * The heater or the fan: one GPIO output (a relay or MOSFET) over the shared GpioBackend, the
 * same abstraction as the kiosk's buzzer and lights. A line that cannot be opened is reported and
 * retried at the next switch; the rest of the cabinet keeps working.
 */
import { errorText } from '../io/log.js';
import type { GpioBackend, GpioOutput } from '../gpio/types.js';

export class GpioSwitch {
  #output: GpioOutput | undefined;
  #error: string | undefined;

  constructor(
    readonly name: string,
    readonly line: number,
    readonly activeLow: boolean,
    private readonly backend: () => Promise<GpioBackend>,
  ) {}

  /** Whether the output is on (as last written), null when the line is not usable. */
  get on(): boolean | null {
    return this.#output ? this.#output.value : null;
  }

  get error(): string | undefined {
    return this.#error;
  }

  /** Opens the line, off. Never throws: the reason is kept for `lockerctl climate`. */
  async open(): Promise<boolean> {
    if (this.#output) return true;
    try {
      this.#output = await (await this.backend()).openOutput(this.line, { activeLow: this.activeLow, initial: false });
      this.#error = undefined;
      return true;
    } catch (err) {
      this.#error = errorText(err);
      return false;
    }
  }

  /** Switches it; throws with the reason when the line cannot be driven. */
  async set(on: boolean): Promise<void> {
    if (!(await this.open())) throw new Error(`${this.name} (GPIO line ${this.line}) cannot be used: ${this.#error}`);
    try {
      await this.#output!.write(on);
    } catch (err) {
      this.#error = errorText(err);
      throw new Error(`${this.name} (GPIO line ${this.line}) could not be switched ${on ? 'on' : 'off'}: ${this.#error}`);
    }
  }

  /** Off and released (the daemon stops: a heater must not stay on unattended). */
  async close(): Promise<void> {
    await this.#output?.write(false).catch(() => undefined);
    await this.#output?.close().catch(() => undefined);
    this.#output = undefined;
  }
}
