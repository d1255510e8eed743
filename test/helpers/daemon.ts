import { expect } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './fixtures.js';

export const DAEMON = join(ROOT, 'dist', 'src', 'main.js');
export const LOCKERCTL = join(ROOT, 'scripts', 'lockerctl.mjs');

export function assertBuilt(): void {
  if (!existsSync(DAEMON)) throw new Error('dist/ is missing: end-to-end tests run the built daemon; run `npm test` (it builds first) or `npm run build`');
}

/** The built daemon as a child process, with its output kept for inspection. */
export class Daemon {
  output = '';
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (this.output += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (this.output += s));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static spawn(configPath: string, env: NodeJS.ProcessEnv = {}): Daemon {
    assertBuilt();
    return new Daemon(spawn(process.execPath, [DAEMON, '--config', configPath], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  /** Resolves once the daemon logged "lockerd ready"; rejects if it exits first. */
  async ready(timeoutMs = 15_000): Promise<void> {
    const start = Date.now();
    while (!this.output.includes('"msg":"lockerd ready"')) {
      if (this.child.exitCode !== null) throw new Error(`daemon exited with ${this.child.exitCode} before ready:\n${this.output}`);
      if (Date.now() - start > timeoutMs) throw new Error(`daemon not ready after ${timeoutMs} ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

export interface CtlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs lockerctl as a technician would (`npx lockerctl` runs this same script). */
export function lockerctl(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CtlResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [LOCKERCTL, ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `lockerctl --json` against the daemon of a config a test writes in its beforeAll (hence the
 * getter): each answer parsed, having checked it succeeded with nothing on stderr; `said` the
 * kiosk's prompts of a `sim` command; `events` the outbox events of one type, codes revealed.
 */
export function jsonCtl(configPath: () => string): {
  json: (...args: string[]) => Promise<any>;
  said: (...args: string[]) => Promise<string[]>;
  events: (type: string) => Promise<any[]>;
} {
  const json = async (...args: string[]): Promise<any> => {
    const r = await lockerctl(['--config', configPath(), '--json', ...args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };
  return {
    json,
    said: async (...args) => (await json(...args)).displays.map((d: { text: string }) => d.text),
    events: async (type) => (await json('outbox', '--reveal-codes', '--limit', '500')).events.filter((e: { type: string }) => e.type === type),
  };
}
