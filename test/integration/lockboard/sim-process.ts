/**
 * A simulated lock board as a child process on one end of a socat pseudo-terminal pair, driven
 * through its stdin commands and reporting JSON lines on stdout: our standalone simulator
 * (`scripts/lockboard-sim.mjs`), or an independent one such as pymodbus-board.py.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../helpers/fixtures.js';

export const SIM_SCRIPT = join(ROOT, 'scripts', 'lockboard-sim.mjs');
const SIM_BUILT = join(ROOT, 'dist', 'drivers', 'lockboard', 'sim', 'cli.js');

/** socat is needed for the pseudo-terminal pair; without it the tests skip, except under CI=true. */
export function haveSocat(): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
}

export const SKIP_WITHOUT_SOCAT = !haveSocat() && !process.env.CI;

export interface SimEvent {
  event?: string;
  reply?: string;
  ok?: boolean;
  error?: string;
  result?: unknown;
  [key: string]: unknown;
}

export class SimProcess {
  readonly lines: SimEvent[] = [];
  stderr = '';
  #buf = '';
  #waiters: (() => void)[] = [];
  readonly exited: Promise<number | null>;

  private constructor(readonly name: string, readonly child: ChildProcess, readonly link: string) {
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      this.#buf += s;
      let nl: number;
      while ((nl = this.#buf.indexOf('\n')) >= 0) {
        const line = this.#buf.slice(0, nl);
        this.#buf = this.#buf.slice(nl + 1);
        try {
          this.lines.push(JSON.parse(line) as SimEvent);
        } catch {
          this.lines.push({ event: 'unparsed', line });
        }
      }
      for (const w of this.#waiters.splice(0)) w();
    });
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (this.stderr += s));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts the simulator with `args` (after --link LINK) and waits for its "ready" line. */
  static async start(link: string, args: string[]): Promise<SimProcess> {
    if (!existsSync(SIM_BUILT)) throw new Error('dist/ is missing: the simulator runs built; run `npm test` (it builds first) or `npm run build`');
    return SimProcess.spawn('lockboard-sim', process.execPath, [SIM_SCRIPT, '--link', link, ...args], link);
  }

  /**
   * Starts any board process that prints `{"event":"ready"}` once it listens on `link`. It gets
   * its own process group, so that a socat it started is killed with it.
   */
  static async spawn(name: string, command: string, args: string[], link: string): Promise<SimProcess> {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const sim = new SimProcess(name, child, link);
    await sim.waitFor((l) => l.event === 'ready', 10_000);
    return sim;
  }

  /** Resolves with the first line (from `from` on) that matches. */
  async waitFor(pred: (l: SimEvent) => boolean, timeoutMs = 5000, from = 0): Promise<SimEvent> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.slice(from).find(pred);
      if (hit) return hit;
      if (this.child.exitCode !== null) throw new Error(`${this.name} exited with ${this.child.exitCode}: ${this.stderr}`);
      const left = end - Date.now();
      if (left <= 0) throw new Error(`${this.name}: no matching line within ${timeoutMs} ms; lines: ${JSON.stringify(this.lines.slice(-10))} stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Sends one command line and returns its reply (throws if the simulator refused it). */
  async cmd(line: string): Promise<SimEvent> {
    const from = this.lines.length;
    const word = line.trim().split(/\s+/)[0]!;
    this.child.stdin!.write(`${line}\n`);
    const reply = await this.waitFor((l) => l.reply === word, 5000, from);
    if (!reply.ok) throw new Error(`${this.name} refused "${line}": ${reply.error}`);
    return reply;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      process.kill(-this.child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-this.child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, 3000);
    await this.exited;
    clearTimeout(timer);
  }
}
