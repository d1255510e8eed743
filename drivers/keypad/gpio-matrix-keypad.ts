/**
 * A matrix keypad wired to GPIO, scanned from user space. Rows are inputs (pulled up, active
 * low), columns outputs. Idle, every column is driven active and the rows are watched; when a row
 * goes active the shell scans (one column active at a time, rows read) every `scanIntervalMs`
 * until the keypad is released, so an idle keypad costs nothing. A kernel `gpio-matrix-keypad`
 * overlay debounces in the kernel and is better where it can be used (docs/input.md).
 */
import type { Key } from '../contracts.js';
import { InputDeviceBase } from '../io/device-base.js';
import { errorText, type DriverLog } from '../io/log.js';
import { sleep, type GpioBackend, type GpioBias, type GpioInput, type GpioOutput } from '../gpio/types.js';
import { MatrixDebouncer } from './matrix.js';

export interface GpioMatrixKeypadOptions {
  name: string;
  backend: () => Promise<GpioBackend>;
  rows: number[];
  columns: number[];
  /** One string per row, one key per column. */
  layout: string[];
  debounceMs: number;
  scanIntervalMs: number;
  /** Rows read active low and columns drive low (the usual pull-up wiring). */
  activeLow: boolean;
  rowBias?: GpioBias;
  /** Wait after selecting a column before reading the rows. */
  settleMs?: number;
  log: DriverLog;
  now?: () => number;
}

export class GpioMatrixKeypad extends InputDeviceBase {
  readonly #o: GpioMatrixKeypadOptions;
  readonly #debouncer: MatrixDebouncer;
  readonly #keys: Key[];
  #rows: GpioInput[] = [];
  #cols: GpioOutput[] = [];
  #unwatch: (() => void)[] = [];
  #running = false;
  #scanning = false;
  #stopRequested = false;

  constructor(o: GpioMatrixKeypadOptions) {
    super(o.name, 'keypad', 'gpio-matrix');
    this.#o = o;
    this.#debouncer = new MatrixDebouncer({ debounceMs: o.debounceMs });
    this.#keys = [];
    for (const row of o.layout) for (const c of row) this.#keys.push(c as Key);
    this.detail = `rows ${o.rows.join(',')} columns ${o.columns.join(',')}: not started`;
  }

  /** A scan is in progress (a key is down or was just released). */
  get scanning(): boolean {
    return this.#scanning;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#stopRequested = false;
    try {
      const backend = await this.#o.backend();
      for (const line of this.#o.rows) this.#rows.push(await backend.openInput(line, { activeLow: this.#o.activeLow, bias: this.#o.rowBias ?? 'pull-up' }));
      for (const line of this.#o.columns) this.#cols.push(await backend.openOutput(line, { activeLow: this.#o.activeLow, initial: true }));
      for (const row of this.#rows) this.#unwatch.push(row.watch((active) => active && void this.#scanLoop()));
      this.online = true;
      this.detail = `${backend.describe()}; rows ${this.#o.rows.join(',')} columns ${this.#o.columns.join(',')}`;
    } catch (err) {
      this.detail = `cannot use the GPIO lines: ${errorText(err)}`;
      this.#o.log.error({ device: this.name, err: errorText(err) }, 'matrix keypad unavailable');
      await this.#release();
      this.#running = false;
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.#stopRequested = true;
    while (this.#scanning) await sleep(5);
    await this.#release();
    this.#running = false;
    this.online = false;
  }

  async #release(): Promise<void> {
    for (const u of this.#unwatch) u();
    this.#unwatch = [];
    for (const l of [...this.#rows, ...this.#cols]) await l.close().catch(() => undefined);
    this.#rows = [];
    this.#cols = [];
  }

  /** Scans until the keypad is released, then re-arms the idle watch. */
  async #scanLoop(): Promise<void> {
    if (this.#scanning || !this.#running) return;
    this.#scanning = true;
    const now = this.#o.now ?? Date.now;
    try {
      for (;;) {
        if (this.#stopRequested) break;
        const closed = await this.#scanOnce();
        this.count('scans');
        const pressed = this.#debouncer.feed(closed, now());
        if (pressed !== null) {
          const key = this.#keys[pressed];
          if (key) this.emitKey(key);
        }
        if (closed.length === 0 && !this.#debouncer.active) break;
        await sleep(this.#o.scanIntervalMs);
      }
    } catch (err) {
      this.count('scanErrors');
      this.#o.log.warn({ device: this.name, err: errorText(err) }, 'matrix keypad scan failed');
    } finally {
      this.counters.chords = this.#debouncer.chords;
      // Idle again: every column active so that any key pulls its row.
      for (const c of this.#cols) if (!c.value) await c.write(true).catch(() => undefined);
      this.#scanning = false;
    }
    // A key pressed while the columns were being restored changed its row unseen: look once more.
    if (this.#running && !this.#stopRequested) {
      const held = await Promise.all(this.#rows.map((r) => r.read().catch(() => false)));
      // Never a tight loop, whatever the wiring does: the next look waits one scan interval.
      if (held.some(Boolean)) setTimeout(() => void this.#scanLoop(), this.#o.scanIntervalMs).unref?.();
    }
  }

  async #scanOnce(): Promise<number[]> {
    const closed: number[] = [];
    const ncols = this.#cols.length;
    for (let c = 0; c < ncols; c++) {
      // Only the lines that change are written (each write may be a process on the gpiod backend).
      for (let k = 0; k < ncols; k++) if (this.#cols[k]!.value !== (k === c)) await this.#cols[k]!.write(k === c);
      if (this.#o.settleMs) await sleep(this.#o.settleMs);
      for (let r = 0; r < this.#rows.length; r++) {
        if (await this.#rows[r]!.read()) closed.push(r * ncols + c);
      }
    }
    return closed;
  }
}
