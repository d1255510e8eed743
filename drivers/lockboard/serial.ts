/**
 * The slice of the serialport binding interface (`@serialport/bindings-interface`) the bus uses.
 * Structural, so the real binding (bindings-cpp, through `serialport`), `@serialport/binding-mock`
 * and test wrappers all fit, and nothing here loads a native module.
 */

export interface SerialOpenOptions {
  path: string;
  baudRate: number;
  dataBits?: 5 | 6 | 7 | 8;
  stopBits?: 1 | 1.5 | 2;
  parity?: string;
  /** Exclusive access (TIOCEXCL): a second lockerd, or a stray terminal program, cannot share the bus. */
  lock?: boolean;
  rtscts?: boolean;
  xon?: boolean;
  xoff?: boolean;
  hupcl?: boolean;
}

export interface SerialBindingPort {
  readonly isOpen: boolean;
  close(): Promise<void>;
  /** Resolves with at least one byte; rejects (`canceled: true`) when the port is closed. */
  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }>;
  /** Resolves once the bytes are handed to the operating system. */
  write(buffer: Buffer): Promise<void>;
  /** Modem lines and, on Linux with bindings-cpp, `lowLatency`. Sets every flag on each call. */
  set(options: Record<string, boolean>): Promise<void>;
  flush(): Promise<void>;
}

export interface SerialBinding {
  open(options: SerialOpenOptions): Promise<SerialBindingPort>;
}

/**
 * The platform's real binding, loaded on first use only: importing `serialport` loads a native
 * module, which a locker on simulated boards never needs.
 */
export async function loadSystemBinding(): Promise<SerialBinding> {
  const mod = (await import('serialport')) as unknown as { SerialPort: { binding: SerialBinding } };
  return mod.SerialPort.binding;
}

/** The flags `set` must carry so that asking for low latency does not drop DTR and RTS as a side effect. */
export const LOW_LATENCY_FLAGS: Record<string, boolean> = {
  lowLatency: true, dtr: true, rts: true, brk: false, cts: false, dsr: false,
};

/** A short, technician-readable reason from whatever a binding threw. */
export function errorReason(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const msg = err.message.replace(/^Error: /, '');
    return code && !msg.includes(code) ? `${msg} (${code})` : msg;
  }
  return String(err);
}
