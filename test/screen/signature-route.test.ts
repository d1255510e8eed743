/**
 * The screen's signature route (POST /signature) on a real HTTP server, and the parser of its
 * message, fuzzed: only `{"strokes": [...]}` within the byte bound reaches the kiosk; anything else
 * is refused with a reason, recorded like a bad key request, and never reaches it.
 */
import { EventEmitter } from 'node:events';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScreenState } from '../../src/kiosk/screen.js';
import { ScreenInput } from '../../src/screen/input.js';
import { ScreenServer } from '../../src/screen/server.js';
import { MAX_SIGNATURE_BODY, parseSignatureMessage } from '../../src/screen/signature-message.js';
import { captureLogger } from '../helpers/fixtures.js';
import { prng } from '../helpers/prng.js';

class FakeKiosk extends EventEmitter {
  lastScreen: ScreenState | undefined = undefined;
}

function post(port: number, body: string | Buffer, headers: Record<string, string> = { 'Content-Type': 'application/json' }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/signature', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('POST /signature', () => {
  let server: ScreenServer | undefined;
  afterEach(async () => {
    await server?.stop();
  });

  async function start(withSign: boolean): Promise<{ port: number; signed: unknown[][]; refusals: string[] }> {
    const signed: unknown[][] = [];
    const refusals: string[] = [];
    server = new ScreenServer({
      host: '127.0.0.1', port: 0, source: new FakeKiosk(), input: new ScreenInput(), log: captureLogger('info').log, hello: () => ({ name: 'Desk' }),
      refuse: (r) => refusals.push(r), ...(withSign ? { sign: (s: unknown[]) => signed.push(s) } : {}),
    });
    await server.start();
    return { port: Number(new URL(server.url).port), signed, refusals };
  }

  it('hands the strokes to the kiosk and answers 202', async () => {
    const { port, signed } = await start(true);
    const strokes = [[[1, 2], [3, 4]]];
    expect(await post(port, JSON.stringify({ strokes }))).toMatchObject({ status: 202 });
    expect(signed).toEqual([strokes]);
  });

  it('refuses what is not a signature message, and says why', async () => {
    const { port, signed, refusals } = await start(true);
    expect(await post(port, '{"strokes":1}')).toEqual({ status: 400, body: '"strokes" is a list of strokes\n' });
    expect(await post(port, '{"strokes":[],"x":1}')).toMatchObject({ status: 400, body: expect.stringContaining('exactly one member') });
    expect(await post(port, 'not json')).toMatchObject({ status: 400 });
    expect(await post(port, '{"strokes":[]}', { 'Content-Type': 'text/plain' })).toMatchObject({ status: 400, body: expect.stringContaining('not JSON') });
    expect(await post(port, '{"strokes":[]}', { 'Content-Type': 'application/json', Origin: 'http://evil.example' })).toMatchObject({ status: 403 });
    expect(await post(port, Buffer.alloc(MAX_SIGNATURE_BODY + 1, 0x20))).toMatchObject({ status: 413, body: expect.stringContaining('too long') });
    expect(signed).toEqual([]);
    expect(refusals).toHaveLength(6);
  });

  it('does not exist where no signature is ever asked for (a locker station)', async () => {
    const { port } = await start(false);
    expect(await post(port, '{"strokes":[]}')).toMatchObject({ status: 404 });
  });

  it('parses fuzzed bodies without throwing; only an object with just "strokes" as a list passes', () => {
    const r = prng(7);
    const pieces = ['{', '}', '[', ']', '"strokes"', ':', ',', '1', '-2', '"x"', 'null', 'true', ' ', '\u0000', '1e999', '"__proto__"'];
    for (let i = 0; i < 3000; i++) {
      const body = Array.from({ length: r.int(16) }, () => pieces[r.int(pieces.length)]).join('');
      const result = parseSignatureMessage(body);
      if (result.ok) {
        const parsed = JSON.parse(body);
        expect(Object.keys(parsed)).toEqual(['strokes']);
        expect(Array.isArray(parsed.strokes)).toBe(true);
      } else {
        expect(result.reason.length).toBeGreaterThan(0);
      }
    }
  });
});
