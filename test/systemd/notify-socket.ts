/**
 * A service manager's end of sd_notify for tests: a Unix datagram socket, which Node cannot make,
 * bound by python3 (installed by .ci/run). Each datagram it receives is one message, kept with
 * its arrival time. Outside CI a missing python3 skips the tests; under CI=true it is an error.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const RECEIVER = String.raw`
import json, socket, sys, time
path, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\0' + path[1:] if path.startswith('@') else path)
print(json.dumps('bound'), flush=True)
if mode == 'stall':
    while True: time.sleep(3600)
while True:
    print(json.dumps(s.recv(65536).decode('utf-8', 'replace')), flush=True)
`;

let checked: boolean | undefined;

/** True when the tests must be skipped: python3 missing outside CI. Under CI=true it throws. */
export function skipWithoutPython(): boolean {
  checked ??= spawnSync('python3', ['-c', 'import socket'], { stdio: 'ignore' }).status === 0;
  if (checked) return false;
  if (process.env.CI) throw new Error('python3 is required under CI=true: it binds the datagram socket the sd_notify tests receive on');
  return true;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export interface Received {
  at: number;
  text: string;
}

export class NotifySocket {
  readonly messages: Received[] = [];
  private constructor(readonly path: string, private readonly child: ChildProcess) {}

  /** Binds `path` (a file path, or @name for the abstract namespace); `stall` never reads. */
  static async open(path: string, mode: 'read' | 'stall' = 'read'): Promise<NotifySocket> {
    const child = spawn('python3', ['-c', RECEIVER, path, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.once('exit', () => running.delete(child));
    const socket = new NotifySocket(path, child);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      let bound = false;
      lines.on('line', (line) => {
        const text = JSON.parse(line) as string;
        if (!bound && text === 'bound') {
          bound = true;
          resolve();
        } else socket.messages.push({ at: Date.now(), text });
      });
      child.once('exit', (code) => reject(new Error(`python3 exited with ${code} before binding ${path}: ${stderr}`)));
    });
    return socket;
  }

  /** Resolves with the first message (after `from`) matching `match`. */
  async next(match: (text: string) => boolean, timeoutMs = 10_000, from = 0, what = 'a notify message'): Promise<Received & { index: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.messages.findIndex((m, i) => i >= from && match(m.text));
      if (index >= 0) return { ...this.messages[index]!, index };
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms; received: ${JSON.stringify(this.messages.map((m) => m.text))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}
