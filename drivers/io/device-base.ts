/**
 * What every scanner and keypad shell shares: the `input` event of the InputDevice contract,
 * named counters and a health line for technicians, and a tap on the raw bytes. Content (scans,
 * keys) is never logged here: scans go to the kiosk, which logs a safe summary; keys can be
 * codes and PINs.
 */
import { EventEmitter } from 'node:events';
import type { InputDevice, InputDiagnostics, InputHealth, Key, KioskInput, RawInputChunk } from '../contracts.js';

export function hasInputDiagnostics(device: unknown): device is InputDiagnostics {
  const d = device as Partial<InputDiagnostics> | null | undefined;
  return typeof d?.health === 'function' && typeof d.onRaw === 'function';
}

export abstract class InputDeviceBase extends EventEmitter implements InputDevice, InputDiagnostics {
  protected readonly counters: Record<string, number> = {};
  protected online = false;
  protected detail = '';
  readonly #rawListeners = new Set<(chunk: RawInputChunk) => void>();

  constructor(
    readonly name: string,
    readonly kind: 'scanner' | 'keypad',
    readonly type: string,
  ) {
    super();
  }

  override on(event: 'input', listener: (input: KioskInput) => void): this {
    return super.on(event, listener);
  }

  override off(event: 'input', listener: (input: KioskInput) => void): this {
    return super.off(event, listener);
  }

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;

  health(): InputHealth {
    return { name: this.name, kind: this.kind, type: this.type, online: this.online, detail: this.detail, counters: { ...this.counters } };
  }

  onRaw(listener: (chunk: RawInputChunk) => void): () => void {
    this.#rawListeners.add(listener);
    return () => this.#rawListeners.delete(listener);
  }

  protected count(counter: string, n = 1): void {
    this.counters[counter] = (this.counters[counter] ?? 0) + n;
  }

  protected emitRaw(bytes: Uint8Array): void {
    if (this.#rawListeners.size === 0) return;
    const chunk: RawInputChunk = { source: this.name, bytes: Uint8Array.from(bytes), at: new Date() };
    for (const l of this.#rawListeners) {
      try {
        l(chunk);
      } catch {
        // a diagnostics listener must never break the device
      }
    }
  }

  protected emitScan(text: string, symbology?: string): void {
    this.count('scans');
    const input: KioskInput = { kind: 'scan', text, source: this.name, at: new Date() };
    if (symbology !== undefined) input.symbology = symbology;
    this.#emitInput(input);
  }

  protected emitKey(key: Key): void {
    this.count('keys');
    this.#emitInput({ kind: 'key', key, source: this.name, at: new Date() });
  }

  #emitInput(input: KioskInput): void {
    // A listener that throws must not unwind into the driver's read loop.
    for (const l of this.listeners('input') as ((i: KioskInput) => void)[]) {
      try {
        l(input);
      } catch {
        this.count('listenerErrors');
      }
    }
  }
}
