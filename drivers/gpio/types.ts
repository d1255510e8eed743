/**
 * One GPIO interface, three backends (sysfs, libgpiod command-line tools, simulated). Lines are
 * numbered by their offset on the chip, which on a Raspberry Pi is the BCM GPIO number printed
 * on header diagrams ("GPIO17"); the sysfs backend adds the chip's base itself. Values are
 * logical: `true` means active, with `activeLow` applied by the backend.
 */

export type GpioBackendName = 'sysfs' | 'gpiod' | 'sim';

/** Pull resistor. sysfs cannot set it (use the board's config.txt `gpio=` lines); gpiod can. */
export type GpioBias = 'as-is' | 'pull-up' | 'pull-down' | 'disable';

export interface GpioInputOptions {
  activeLow?: boolean;
  bias?: GpioBias;
  /** Hardware/kernel debounce where the backend has it (gpiod v2); consumers debounce too. */
  debounceMs?: number;
}

export interface GpioOutputOptions {
  activeLow?: boolean;
  /** Logical value set when the line is opened (default inactive). */
  initial?: boolean;
}

export interface GpioInput {
  readonly line: number;
  /** The current logical value. */
  read(): Promise<boolean>;
  /** Calls `listener` on every change of the logical value; returns the unsubscribe function. */
  watch(listener: (value: boolean, at: Date) => void): () => void;
  close(): Promise<void>;
}

export interface GpioOutput {
  readonly line: number;
  /** The logical value last written. */
  readonly value: boolean;
  write(value: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface GpioBackend {
  readonly name: GpioBackendName;
  /** For technicians: which chip, tools version, root... */
  describe(): string;
  openInput(line: number, options?: GpioInputOptions): Promise<GpioInput>;
  openOutput(line: number, options?: GpioOutputOptions): Promise<GpioOutput>;
}

/** Thrown with a message a technician can act on. */
export class GpioError extends Error {
  override name = 'GpioError';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
