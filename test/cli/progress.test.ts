/**
 * Progress for a slow command, on stderr: after the first second, one line redrawn in place on a
 * terminal and erased before the answer; plain lines in a log or pipe. The slow daemon is a
 * control socket that answers `bus scan` after 1.3 s.
 */
import { readFileSync } from 'node:fs';
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
        const { id, command } = JSON.parse(line) as { id: number; command: string };
        if (command === 'parcels.export') {
          // Three records over 1.1 s, then the summary at 1.6 s.
          const record = { parcelId: '01935c1e-7c2a-7000-8000-000000000001', state: 'picked_up' };
          for (const at of [100, 600, 1100]) setTimeout(() => c.write(`${JSON.stringify({ id, ok: true, event: record })}\n`), at);
          setTimeout(() => c.end(`${JSON.stringify({ id, ok: true, result: { parcels: 3, since: null, until: '2026-12-01T00:00:00.000Z' } })}\n`), 1600);
          return;
        }
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

  it('counts the parcels an export has written to its file so far', async () => {
    const file = join(dir, 'out.json');
    let err = '';
    const code = await run(['--socket', socket, 'export', '--format', 'json', '--out', file], () => {}, (s) => (err += s), { stderrIsTTY: true });
    expect(code).toBe(0);
    expect(err).toMatch(/\r\x1b\[2K[|/\\-] exporting: 1 s, 3 parcels/);
    expect(err).toMatch(/\r\x1b\[2K3 parcels \(reserved since the ledger began to 2026-12-01T00:00:00.000Z\) written to /);
    expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(3);
  });
});
