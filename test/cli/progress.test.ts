/**
 * Progress for a slow command, on stderr: after the first second, one line redrawn in place on a
 * terminal and erased before the answer; plain lines in a log or pipe. The slow daemon is a
 * control socket that answers `bus scan` after 1.3 s.
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/lockerctl.js';
import { tempDir } from '../helpers/fixtures.js';

describe('lockerctl progress', () => {
  const { dir, cleanup } = tempDir();
  const socket = join(dir, 'slow.sock');
  let server: Server;

  beforeAll(async () => {
    server = createServer((c) => {
      c.setEncoding('utf8').once('data', (line: string) => {
        const { id } = JSON.parse(line) as { id: number };
        const found = [{ bus: 'sim', found: [{ address: 1, protocol: 'sim', locks: 16, board: 'B1' }] }];
        setTimeout(() => c.end(`${JSON.stringify({ id, ok: true, result: found })}\n`), 1300);
      });
    });
    await new Promise<void>((r) => server.listen(socket, r));
  });

  afterAll(() => {
    server.close();
    cleanup();
  });

  const scan = async (tty: boolean, ...extra: string[]) => {
    let out = '';
    let err = '';
    const code = await run(['--socket', socket, ...extra, 'bus', 'scan'], (s) => (out += s), (s) => (err += s), { stderrIsTTY: tty });
    return { code, out, err };
  };

  it('redraws one spinner line with the elapsed time on a terminal, and erases it before the answer', async () => {
    const r = await scan(true);
    expect(r.code).toBe(0);
    expect(r.out).toContain('B1');
    expect(r.err).toMatch(/^(\r\x1b\[2K[|/\\-] scanning the buses: 1 s)+\r\x1b\[2K$/);
  });

  it('writes a plain line instead in a log or pipe, and nothing extra under --json', async () => {
    expect((await scan(false)).err).toBe('lockerctl: scanning the buses: 1 s\n');
    const json = await scan(false, '--json');
    expect(json.err).toBe('');
    expect(JSON.parse(json.out)).toEqual([{ bus: 'sim', found: [{ address: 1, protocol: 'sim', locks: 16, board: 'B1' }] }]);
  });
});
