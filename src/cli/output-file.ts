import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './command.js';

/**
 * A file lockerctl writes an answer into (an export, a report page): always a new one, created
 * before the daemon is asked, so an existing file is never overwritten and a refusal leaves
 * nothing behind; `discard` removes it again when the answer did not come whole.
 */
export class OutputFile {
  #fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.#fd = fd;
  }

  /** `what` names it in the refusal: "an export never overwrites". */
  static create(file: string, mode: number, what: string): OutputFile {
    const path = resolve(file);
    try {
      return new OutputFile(path, openSync(path, 'wx', mode));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new UsageError(`${path} exists; give a new file name (${what} never overwrites)`);
      throw new UsageError(`cannot create ${path} (${code ?? (err as Error).message})`);
    }
  }

  write(text: string): void {
    if (this.#fd !== undefined) writeSync(this.#fd, text);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  /** Closes and removes it. */
  discard(): void {
    this.close();
    unlinkSync(this.path);
  }
}
