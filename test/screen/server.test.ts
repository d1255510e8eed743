/**
 * The screen's web server on its own (a real HTTP server on a free loopback port, a real
 * ScreenInput), and through the whole app (createApp on the simulated locker) for the input
 * router's flood mute and the audit trail of refused key requests.
 */
import { EventEmitter } from 'node:events';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Key, KioskInput } from '../../drivers/contracts.js';
import { createApp, type App } from '../../src/app.js';
import { screenCommands } from '../../src/control/commands/screen.js';
import type { ScreenState } from '../../src/kiosk/screen.js';
import { ScreenInput } from '../../src/screen/input.js';
import { ScreenServer, type ScreenSource } from '../../src/screen/server.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';

function state(seq: number, text = `prompt ${seq}`): ScreenState {
  return {
    seq, at: Date.now(), step: 'welcome', tone: 'info', language: 'en', prompt: { id: 'welcome', params: {}, text },
    choices: [], doors: [], countdown: null, entryLength: 0, attention: [],
  };
}

class FakeKiosk extends EventEmitter implements ScreenSource {
  lastScreen: ScreenState | undefined = state(1);
  show(s: ScreenState): void {
    this.lastScreen = s;
    this.emit('screen', s);
  }
}

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** A raw request: the path goes on the wire exactly as given (no URL normalisation). */
function http(port: number, method: string, path: string, o: { body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: o.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

const postKey = (port: number, body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }) => http(port, 'POST', '/key', { body, headers });

/** Reads SSE frames off a plain socket until `until` says enough. */
function sse(port: number): { socket: Socket; frames: () => { event: string; data: any }[]; text: () => string } {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.setEncoding('utf8').on('data', (c: string) => (text += c));
  socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  const frames = () =>
    text.split('\r\n\r\n').slice(1).join('\r\n\r\n').split('\n\n').flatMap((f) => {
      const event = /^event: (.*)$/m.exec(f)?.[1];
      const data = /^data: (.*)$/m.exec(f)?.[1];
      return event && data ? [{ event, data: JSON.parse(data) }] : [];
    });
  return { socket, frames, text: () => text };
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the screen server', () => {
  let kiosk: FakeKiosk;
  let input: ScreenInput;
  let server: ScreenServer;
  let port: number;
  let pressed: Key[];
  let refusals: string[];
  const logs = captureLogger('info');

  async function start(stream = {}): Promise<void> {
    kiosk = new FakeKiosk();
    input = new ScreenInput();
    pressed = [];
    refusals = [];
    input.on('input', (i: KioskInput) => i.kind === 'key' && pressed.push(i.key));
    server = new ScreenServer({ host: '127.0.0.1', port: 0, source: kiosk, input, log: logs.log, hello: () => ({ name: 'Test locker' }), refuse: (r) => refusals.push(r), stream });
    await server.start();
    port = Number(new URL(server.url).port);
  }

  afterEach(async () => {
    await server?.stop();
  });

  describe('files', () => {
    beforeEach(() => start());

    it('serves the page and its files with a strict CSP, nosniff and no framing', async () => {
      const page = await http(port, 'GET', '/');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain('<script type="module" src="/screen.js">');
      // No inline script anywhere: the CSP forbids it, so the page must not need it.
      expect(page.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      const csp = page.headers['content-security-policy'] as string;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      const js = await http(port, 'GET', '/screen.js');
      expect(js.status).toBe(200);
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect((await http(port, 'GET', '/screen.css')).headers['content-type']).toBe('text/css; charset=utf-8');
      const head = await http(port, 'HEAD', '/strings.js');
      expect(head.status).toBe(200);
      expect(head.body).toBe('');
    });

    it.each([
      '/../package.json', '/%2e%2e/package.json', '/%2E%2E%2Fpackage.json', '/..%2fpackage.json', '/static/../../../package.json',
      '/src/screen/server.ts', '//etc/passwd', '/etc/passwd', '/%2fetc%2fpasswd', '/screen.js%00.html', '/screen.js\u0000', '/..\\..\\package.json',
      '/index.html/', '/.', '/..', '/nope.html', '/screen.ts', '/favicon.ico',
    ])('never serves %j: 404', async (path) => {
      const r = await http(port, 'GET', encodeURI(path) === path || path.includes('%') ? path : path.replace('\u0000', '%00'));
      expect(r.status).toBe(404);
      expect(r.body).not.toContain('"name": "lockerd"');
      expect(r.body).not.toContain('root:');
      expect(r.headers['content-security-policy']).toBeDefined();
    });

    it('answers 405 with Allow for a known path and another method', async () => {
      for (const [method, path, allow] of [['POST', '/', 'GET, HEAD'], ['PUT', '/screen.js', 'GET, HEAD'], ['GET', '/key', 'POST'], ['DELETE', '/events', 'GET'], ['POST', '/events', 'GET']] as const) {
        const r = await http(port, method, path);
        expect(r.status, `${method} ${path}`).toBe(405);
        expect(r.headers.allow).toBe(allow);
      }
    });

    it('answers only to its own address (a rebound DNS name gets nothing)', async () => {
      expect((await http(port, 'GET', '/', { headers: { Host: 'evil.example:80' } })).status).toBe(421);
      expect((await http(port, 'GET', '/', { headers: { Host: `evil.example:${port}` } })).status).toBe(421);
      expect((await http(port, 'GET', '/', { headers: { Host: `localhost:${port}` } })).status).toBe(200);
      expect((await postKey(port, '{"key":"1"}', { 'Content-Type': 'application/json', Host: `attacker.test:${port}` })).status).toBe(421);
      expect(pressed).toEqual([]);
    });
  });

  it('does not stop the daemon when the page is missing: it says so and serves nothing', async () => {
    const empty = tempDir();
    const lines = captureLogger('info');
    const broken = new ScreenServer({ host: '127.0.0.1', port: 0, source: new FakeKiosk(), input: new ScreenInput(), log: lines.log, hello: () => ({}), refuse: () => undefined, staticDir: empty.dir });
    await broken.start();
    expect(broken.listening).toBe(false);
    expect(lines.text()).toContain('the screen page is not served: its files cannot be read');
    await broken.stop();
    empty.cleanup();
  });

  it('warns at start when told to listen beyond loopback', async () => {
    const lines = captureLogger('info');
    // A TEST-NET address no interface has: the bind fails (and is retried), no packet is sent.
    const wide = new ScreenServer({ host: '192.0.2.1', port: 0, source: new FakeKiosk(), input: new ScreenInput(), log: lines.log, hello: () => ({}), refuse: () => undefined });
    await wide.start();
    expect(lines.text()).toContain('the screen page listens beyond loopback');
    await wide.stop();
    await start(); // 127.0.0.1, with the suite's logger
    expect(logs.text()).not.toContain('beyond loopback');
  });

  describe('POST /key', () => {
    beforeEach(() => start());

    it('presses each key of the keypad alphabet on the screen input', async () => {
      for (const k of ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '#', '*', 'A', 'B', 'C', 'D']) {
        const r = await postKey(port, JSON.stringify({ key: k }));
        expect(r.status, k).toBe(204);
        expect(r.headers['cache-control']).toBe('no-store');
      }
      expect(pressed.join('')).toBe('0123456789#*ABCD');
      expect(refusals).toEqual([]);
    });

    it.each([
      ['a named key', '{"key":"enter"}'], ['two keys', '{"key":"12"}'], ['a lower-case letter', '{"key":"a"}'], ['a number', '{"key":5}'],
      ['a bare key', '5'], ['an extra member', '{"key":"5","repeat":9}'], ['an array', '["5"]'], ['nothing', ''], ['null', 'null'],
      ['a key with a NUL', '{"key":"5\\u0000"}'], ['a long body', JSON.stringify({ key: '1'.repeat(500) })], ['an emoji', '{"key":"🔑"}'],
    ])('refuses %s with 400, records it, presses nothing', async (_what, body) => {
      const r = await postKey(port, body);
      expect(r.status).toBe(400);
      expect(r.body).toMatch(/key/);
      expect(pressed).toEqual([]);
      expect(refusals).toHaveLength(1);
      // What the request carried never reaches the record: it may be part of a code.
      expect(refusals[0]).not.toContain('1111');
    });

    it('refuses a body that is not JSON, and a request from another origin', async () => {
      expect((await postKey(port, '{"key":"5"}', { 'Content-Type': 'text/plain' })).status).toBe(400);
      expect((await postKey(port, 'key=5', { 'Content-Type': 'application/x-www-form-urlencoded' })).status).toBe(400);
      expect((await postKey(port, '{"key":"5"}', { 'Content-Type': 'application/json', Origin: 'http://evil.example' })).status).toBe(403);
      expect(pressed).toEqual([]);
      expect(refusals).toHaveLength(3);
      expect((await postKey(port, '{"key":"5"}', { 'Content-Type': 'application/json', Origin: `http://127.0.0.1:${port}` })).status).toBe(204);
      expect(pressed).toEqual(['5']);
    });

    it('refuses a chunked body that grows past the limit without reading it all', async () => {
      const r = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/key', headers: { 'Content-Type': 'application/json' } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', () => resolve(-1));
        req.write('{"key":"');
        req.write('1'.repeat(10_000));
        setTimeout(() => req.destroy(), 500).unref();
        void reject;
      });
      expect(r).toBe(400);
      expect(pressed).toEqual([]);
    });
  });

  describe('GET /events', () => {
    it('sends the locker and the last state on connect, then each new state, uncached, with a retry delay', async () => {
      await start();
      const c = sse(port);
      await until(() => c.frames().length >= 2);
      expect(c.text()).toMatch(/Content-Type: text\/event-stream/i);
      expect(c.text()).toMatch(/Cache-Control: no-store/i);
      expect(c.text()).toMatch(/\nretry: \d+\n/);
      expect(c.frames()[0]).toEqual({ event: 'locker', data: { name: 'Test locker' } });
      expect(c.frames()[1]!.data.state.seq).toBe(1);
      kiosk.show(state(2));
      kiosk.show(state(3));
      await until(() => c.frames().length >= 4);
      expect(c.frames().slice(2).map((f) => f.data.state.seq)).toEqual([2, 3]);
      c.socket.destroy();
      await until(() => server.clients === 0);
    });

    it('says how long the daemon took from a key request to writing the next state', async () => {
      await start();
      const c = sse(port);
      await until(() => c.frames().length >= 2);
      expect(c.frames()[1]!.data.sinceKeyMs).toBeNull();
      input.on('input', () => setTimeout(() => kiosk.show(state(2)), 20));
      await postKey(port, '{"key":"7"}');
      await until(() => c.frames().length >= 3);
      const ms = c.frames()[2]!.data.sinceKeyMs as number;
      expect(ms).toBeGreaterThanOrEqual(15);
      expect(ms).toBeLessThan(1_000);
      c.socket.destroy();
    });

    it('sends heartbeats, so the page can tell a silent daemon from an idle one', async () => {
      await start({ heartbeatMs: 50 });
      const c = sse(port);
      await until(() => c.frames().filter((f) => f.event === 'heartbeat').length >= 2);
      c.socket.destroy();
    });

    it('drops a client that stops reading, never slowing the kiosk; the others keep up, and it resyncs on reconnect', async () => {
      await start({ maxBufferedBytes: 64 * 1024 });
      const stuck = sse(port);
      const healthy = sse(port);
      await until(() => stuck.frames().length >= 2 && healthy.frames().length >= 2);
      stuck.socket.pause(); // a browser that hangs: its socket buffers fill, then ours
      const big = 'x'.repeat(8_000);
      let worst = 0;
      let seq = 1;
      // Enough to fill both kernels' socket buffers several times over.
      while (server.droppedClients === 0 && seq < 20_000) {
        const t = performance.now();
        kiosk.show(state(++seq, big));
        worst = Math.max(worst, performance.now() - t);
        await new Promise((r) => setImmediate(r)); // the kiosk emits between inputs, not in one tight loop
      }
      expect(server.droppedClients).toBe(1);
      // Publishing only queues, bounded: no state took the kiosk more than a few milliseconds.
      expect(worst).toBeLessThan(50);
      await until(() => healthy.frames().at(-1)?.data.state?.seq === seq, 10_000);
      expect(server.clients).toBe(1);
      stuck.socket.destroy();
      // The page's EventSource reconnects: it gets the last state at once.
      const again = sse(port);
      await until(() => again.frames().length >= 2);
      expect(again.frames()[1]!.data.state.seq).toBe(seq);
      again.socket.destroy();
      healthy.socket.destroy();
    });

    it('bounds the number of screens connected', async () => {
      await start({ maxClients: 2 });
      const a = sse(port);
      const b = sse(port);
      await until(() => server.clients === 2);
      const r = await http(port, 'GET', '/events');
      expect(r.status).toBe(503);
      a.socket.destroy();
      b.socket.destroy();
    });
  });
});

describe('the screen in the app', () => {
  let dir: string;
  let cleanup: () => void;
  let app: App;
  let port: number;
  const logs = captureLogger('info');

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    app = createApp(testConfig(dir, { screen: { enabled: true, port: 0 }, flood: { maxInputsPerSecond: 5, sustainedMs: 1_000, refusalWindowMs: 60_000 } }), logs.log);
    await app.start();
    port = Number(new URL(app.screen!.url).port);
  });

  afterEach(async () => {
    await app.stop();
    cleanup();
  });

  it('delivers taps through the input router to the kiosk, and mutes a flood of them like a key storm', async () => {
    app.router.divert((d) => d.name === 'sim-keypad', () => undefined); // nothing else types meanwhile
    const mutes = () => app.ledger.audit.recent(1000).filter((a) => a.action === 'input.muted');
    // One tap reaches the kiosk: its entry is one key long.
    expect((await postKey(port, '{"key":"1"}')).status).toBe(204);
    await app.kiosk.idle();
    expect(app.kiosk.lastScreen.entryLength).toBe(1);
    expect((await postKey(port, '{"key":"*"}')).status).toBe(204);
    await app.kiosk.idle();
    expect(app.kiosk.lastScreen.entryLength).toBe(0);
    // A storm: far more than 5 a second for a second.
    await Promise.all(Array.from({ length: 40 }, () => postKey(port, '{"key":"1"}')));
    await app.kiosk.idle();
    expect(app.router.muted('screen')).toBe(true);
    expect(mutes()).toHaveLength(1);
    expect(mutes()[0]!.detail).toMatchObject({ device: 'screen' });
  });

  it('records refused key requests in the audit trail, bounded like any refusal', async () => {
    for (let i = 0; i < 20; i++) expect((await postKey(port, '{"key":"enter"}')).status).toBe(400);
    const rows = app.ledger.audit.recent(1000).filter((a) => a.action === 'screen.key_refused');
    // The first at once, the repeats counted into one summary when the window closes.
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'screen' });
  });

  it('counts as a keypad online only while a page is connected (the self-test and lockerctl inputs)', async () => {
    const screen = app.router.devices.find((d) => d.name === 'screen') as ScreenInput;
    expect(screen.health()).toMatchObject({ kind: 'keypad', type: 'screen', online: false, detail: expect.stringContaining('no screen shows the page') });
    const c = sse(port);
    await until(() => app.screen!.clients === 1);
    expect(screen.health()).toMatchObject({ online: true, detail: expect.stringContaining('1 screen(s) connected') });
    c.socket.destroy();
    await until(() => app.screen!.clients === 0);
    expect(screen.health().online).toBe(false);
  });

  it('tells lockerctl screen url where the page is, or that it is off', async () => {
    const url = screenCommands({ config: app.config, screen: app.screen }).get('screen.url')!;
    expect(await url({}, { actor: 'technician:test' } as never)).toEqual({ url: `http://127.0.0.1:${port}/`, listening: true, clients: 0, droppedClients: 0 });
    const off = screenCommands({ config: app.config, screen: undefined }).get('screen.url')!;
    expect(() => off({}, { actor: 'technician:test' } as never)).toThrow(/screen\.enabled is false/);
  });

  it('keeps serving when its port is taken, and says so', async () => {
    const other = createApp(testConfig(tempDir().dir, { screen: { enabled: true, port } }), logs.log);
    await other.start();
    expect(other.screen!.listening).toBe(false);
    expect(logs.text()).toContain('the screen page cannot listen');
    await other.stop();
  });
});
