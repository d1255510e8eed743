/**
 * Pseudo-terminal pairs made by socat: the code under test opens `<name>-dev` as it would a
 * /dev/ttyACM0; the test writes to (and reads from) `<name>-host`, the other end. Every socat
 * started here is killed by `close()`, and at the latest when the test process exits.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

let socatChecked: boolean | undefined;

/** Whether socat is installed. */
export function hasSocat(): boolean {
  socatChecked ??= spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
  return socatChecked;
}

/**
 * True when socat tests must be skipped: only outside CI. Under CI=true a missing socat is an
 * error, never a skip.
 */
export function skipWithoutSocat(): boolean {
  if (hasSocat()) return false;
  if (process.env.CI) throw new Error('socat is required under CI=true (apt-get install socat)');
  return true;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export class PtyPair {
  readonly dev: string;
  readonly host: string;
  #child: ChildProcess | undefined;
  #fd: number | undefined;

  private constructor(dir: string, name: string) {
    this.dev = join(dir, `${name}-dev`);
    this.host = join(dir, `${name}-host`);
  }

  /** Starts socat and waits for both links. */
  static async open(dir: string, name: string): Promise<PtyPair> {
    const p = new PtyPair(dir, name);
    await p.start();
    return p;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  async start(): Promise<void> {
    if (this.#child) return;
    const child = spawn('socat', [`pty,raw,echo=0,link=${this.dev}`, `pty,raw,echo=0,link=${this.host}`], { stdio: 'ignore' });
    running.add(child);
    child.once('exit', () => running.delete(child));
    this.#child = child;
    const deadline = Date.now() + 5000;
    while (!existsSync(this.dev) || !existsSync(this.host)) {
      if (child.exitCode !== null) throw new Error(`socat exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('socat did not create its pseudo-terminals within 5 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    this.#fd = openSync(this.host, 'r+');
  }

  /** Writes to the host end: the device end reads these bytes. */
  write(data: string | Uint8Array): void {
    if (this.#fd === undefined) throw new Error('pty pair is not running');
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(this.#fd, buf, off, buf.length - off);
  }

  /** Kills socat: to the device end it looks like an unplugged USB serial device. */
  async stop(): Promise<void> {
    if (this.#fd !== undefined) {
      closeSync(this.#fd);
      this.#fd = undefined;
    }
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    // socat removes its links on exit; wait for that so a restart makes fresh ones.
    const deadline = Date.now() + 2000;
    while ((existsSync(this.dev) || existsSync(this.host)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  close(): Promise<void> {
    return this.stop();
  }
}

/** Polls `check` until it is true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
