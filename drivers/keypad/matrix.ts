/**
 * 3x4 / 4x4 matrix keypads, pure part: a scan is the set of (row, column) contacts closed at one
 * instant; the debouncer turns successive scans into key presses. A key counts as pressed once it
 * has been seen closed, alone, for `debounceMs` (20-50 ms), and can be pressed again only after
 * the keypad has read open for `debounceMs`. Two or more keys at once (a chord, or the ghost
 * keys a diode-less matrix shows) produce nothing.
 */
import type { Key } from '../contracts.js';

export interface MatrixDebouncerOptions {
  debounceMs: number;
}

export class MatrixDebouncer {
  readonly #ms: number;
  /** The single key seen closed and since when; null when none or several. */
  #candidate: { index: number; since: number } | null = null;
  /** A key was reported and not yet released. */
  #latched = false;
  #openSince: number | null = null;
  chords = 0;

  constructor(options: MatrixDebouncerOptions) {
    this.#ms = Math.max(0, options.debounceMs);
  }

  /** Feeds one scan (indices of closed contacts) taken at `now`; returns the key index pressed, if any. */
  feed(closed: readonly number[], now: number): number | null {
    if (closed.length === 0) {
      this.#candidate = null;
      this.#openSince ??= now;
      if (this.#latched && now - this.#openSince >= this.#ms) this.#latched = false;
      return null;
    }
    this.#openSince = null;
    if (closed.length > 1) {
      if (this.#candidate !== null || !this.#latched) this.chords++;
      this.#candidate = null;
      this.#latched = true; // nothing until everything is released
      return null;
    }
    const index = closed[0]!;
    if (this.#latched) return null;
    if (this.#candidate?.index !== index) {
      this.#candidate = { index, since: now };
      if (this.#ms > 0) return null;
    }
    if (now - this.#candidate.since >= this.#ms) {
      this.#latched = true;
      this.#candidate = null;
      return index;
    }
    return null;
  }

  /** True while a key is held or a press is being confirmed (the shell keeps scanning). */
  get active(): boolean {
    return this.#latched || this.#candidate !== null;
  }
}

/** Key layouts: one string per row, one character per column, from the alphabet 0-9 * # A-D. */
export const STANDARD_LAYOUTS: Record<string, string[]> = {
  '3x4': ['123', '456', '789', '*0#'],
  '4x4': ['123A', '456B', '789C', '*0#D'],
};

export function layoutKeys(layout: readonly string[]): Key[] {
  const keys: Key[] = [];
  for (const row of layout) for (const c of row) keys.push(c as Key);
  return keys;
}
