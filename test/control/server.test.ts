import { statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request } from '../../src/control/client.js';
import { CommandError } from '../../src/control/protocol.js';
import { ControlServer, ControlSocketError } from '../../src/control/server.js';
import { captureLogger, tempDir } from '../helpers/fixtures.js';

/** Sends raw bytes and collects the response lines until the server closes or `lines` arrived. */
function raw(path: string, payload: string, lines = 1): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    let buf = '';
    s.setEncoding('utf8');
    s.on('connect', () => s.write(payload));
    s.on('data', (d: string) => {
      buf += d;
      const got = buf.split('\n').filter(Boolean);
      if (got.length >= lines) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('close', () => resolve(buf.split('\n').filter(Boolean)));
    s.on('error', reject);
  });
}

describe('the control socket', () => {
  let dir: string;
  let cleanup: () => void;
  let path: string;
  let server: ControlServer;
  let calls: unknown[];

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    path = join(dir, 'ctl.sock');
    calls = [];
    const handlers = new Map<string, (args: Record<string, unknown>) => unknown>([
      ['echo', (args) => (calls.push(args), args)],
      ['refuse', () => { throw new CommandError('no, and here is why'); }],
      ['crash', () => { throw new Error('secret internal detail'); }],
    ]);
    server = new ControlServer(path, handlers, captureLogger().log);
    await server.start();
  });

  afterEach(async () => {
    await server.stop();
    cleanup();
  });

  it('is a socket with mode 0660', () => {
    const st = statSync(path);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o660);
  });

  it('answers a request', async () => {
    expect(await request(path, 'echo', { a: 1 })).toEqual({ a: 1 });
  });

  it('refuses malformed requests without calling any handler', async () => {
    expect(await raw(path, 'not json\n')).toEqual([JSON.stringify({ id: null, ok: false, error: 'request is not valid JSON', code: 'usage' })]);
    expect(JSON.parse((await raw(path, '[1,2]\n'))[0]!).error).toBe('request must be a JSON object');
    expect(JSON.parse((await raw(path, '{"command":"echo"}\n'))[0]!).error).toBe('request needs an integer "id"');
    expect(JSON.parse((await raw(path, '{"id":1,"command":"echo","args":[1]}\n'))[0]!).error).toBe('"args" must be an object');
    expect(JSON.parse((await raw(path, '{"id":2,"command":"nope"}\n'))[0]!).error).toMatch(/^unknown command "nope" \(known: echo, refuse, crash\)/);
    expect(calls).toEqual([]);
  });

  it('refuses an oversized request and closes the connection', async () => {
    const lines = await raw(path, 'x'.repeat(200_000));
    expect(JSON.parse(lines[0]!).error).toMatch(/longer than 65536 bytes/);
    expect(calls).toEqual([]);
    expect(await request(path, 'echo', { still: 'alive' })).toEqual({ still: 'alive' });
  });

  it('passes a refusal through and hides internal errors', async () => {
    await expect(request(path, 'refuse')).rejects.toThrow('no, and here is why');
    await expect(request(path, 'crash')).rejects.toThrow('internal error in "crash"; see the daemon log');
  });

  it('answers pipelined requests in order', async () => {
    const lines = await raw(path, '{"id":1,"command":"echo","args":{"n":1}}\n{"id":2,"command":"echo","args":{"n":2}}\n', 2);
    expect(lines.map((l) => JSON.parse(l).id)).toEqual([1, 2]);
  });

  it('refuses to start a second daemon on the same socket', async () => {
    const second = new ControlServer(path, new Map(), captureLogger().log);
    await expect(second.start()).rejects.toThrow(ControlSocketError);
  });

  it('says clearly when no daemon runs', async () => {
    await expect(request(join(dir, 'none.sock'), 'status')).rejects.toThrow(/lockerd is not running/);
  });
});

describe('a streamed answer', () => {
  it('keeps no item alive once it is written, however long the stream (an export of every parcel)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { dir, cleanup } = tempDir();
    const path = join(dir, 'stream.sock');
    const written: WeakRef<object>[] = [];
    let alive = -1;
    async function* items(): AsyncGenerator<object, { alive: number }> {
      for (let i = 0; i < 300; i++) {
        const item = { i, pad: `${'x'.repeat(2000)}${i}` };
        written.push(new WeakRef(item));
        yield item;
      }
      // The first 200 went out long ago: nothing of the server's should still hold them.
      await nextTurn();
      gc();
      await nextTurn();
      gc();
      alive = written.slice(0, 200).filter((r) => r.deref() !== undefined).length;
      return { alive };
    }
    const server = new ControlServer(path, new Map([['many', () => items()]]), captureLogger().log);
    await server.start();
    try {
      let events = 0;
      expect(await request(path, 'many', {}, 10_000, { onEvent: () => events++ })).toEqual({ alive: 0 });
      expect(events).toBe(300);
      expect(alive).toBe(0);
    } finally {
      await server.stop();
      cleanup();
    }
  });
});

describe('the control client', () => {
  it('fails clearly, rather than hang, when the daemon goes away before answering', async () => {
    const { dir, cleanup } = tempDir();
    const path = join(dir, 'dying.sock');
    const { createServer } = await import('node:net');
    // A "daemon" that accepts the request and dies without a word.
    const server = createServer((s) => s.once('data', () => s.destroy()));
    await new Promise<void>((r) => server.listen(path, r));
    try {
      await expect(request(path, 'status', {}, 10_000)).rejects.toThrow('lockerd closed the connection before answering "status"');
    } finally {
      server.close();
      cleanup();
    }
  });
});
