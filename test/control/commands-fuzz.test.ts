/**
 * The control socket's commands fuzzed (seeded, reproducible) through the real socket of the real
 * app on the simulated locker: every command lockerctl can send, and unknown ones, with argument
 * objects made of the names the commands read and random values. Whatever a technician's script
 * sends, each request gets an answer (a result, or a refusal that says what is wrong), never an
 * internal error; the daemon keeps serving; the ledger stays sound. Every refusal carries a kind
 * lockerctl turns into its exit status (usage, not_found, refused, unavailable, ...), read here from
 * the wire itself, and the kinds a technician meets most are checked case by case.
 */
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { ControlClientError, request } from '../../src/control/client.js';
import { isErrorKind, type ControlResponse } from '../../src/control/protocol.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { prng } from '../helpers/prng.js';

const N = 1500;
/** `input.test` streams until interrupted; the streaming tests cover it. */
const COMMANDS = ['status', 'selftest', 'ledger.backup', 'compartments', 'compartment.service', 'parcels', 'outbox', 'audit', 'lock.open', 'bus.scan', 'doors', 'sim.scan', 'sim.keys', 'sim.door', 'inputs', 'gpio.status', 'gpio.pulse', 'gpio.sim', 'mqtt.check', 'throttle.status', 'throttle.reset', 'parcel.show', 'parcels.export', 'screen.url', 'storage', 'frobnicate', '', '__proto__', 'constructor'];
const ARG_NAMES = ['action', 'compartment', 'inService', 'path', 'keys', 'reason', 'text', 'active', 'device', 'from', 'to', 'json', 'kind', 'limit', 'minutes', 'ms', 'name', 'raw', 'revealCodes', 'state', 'unsentOnly', 'id', 'since', 'after', '__proto__', 'extra'];
const VALUES: unknown[] = [
  null, true, false, 0, -1, 1, 2, 5, 100, 247, 248, 1e9, 1.5, Number.MAX_SAFE_INTEGER, '', 'A01', 'B05', 'Z99', 'open', 'close', 'deposited', 'lost',
  '123#', '*', '#', '12x4#', '1Z999AA10123456784', 'LKP1/x/y', '01935c1e-7c2a-7000-8000-000000000001', '2026-11-01', '2026-11-01T08:00+01:00', 'tamper', 'buzzer', 'x'.repeat(5000), '💥', '\u0000', [], [1, 'a'], {}, { a: 1 },
];

type Rng = ReturnType<typeof prng>;

/** One request on its own connection, and the daemon's final answer line as it is on the wire. */
function rawRequest(socket: string, command: string, args: Record<string, unknown>): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const s = createConnection(socket);
    let buffer = '';
    s.setEncoding('utf8');
    s.on('connect', () => s.write(`${JSON.stringify({ id: 1, command, args })}\n`));
    s.on('error', reject);
    s.on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const response = JSON.parse(buffer.slice(0, nl)) as ControlResponse;
        buffer = buffer.slice(nl + 1);
        if (response.ok && 'event' in response) continue;
        s.destroy();
        resolve(response);
        return;
      }
    });
  });
}
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[r.int(xs.length)]!;

function randomArgs(r: Rng): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (let i = r.int(4); i > 0; i--) args[pick(r, ARG_NAMES)] = pick(r, VALUES);
  return args;
}

describe('control commands fuzz', () => {
  let app: App;
  let cleanup: () => void;
  let socket: string;
  const logs = captureLogger('info');

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    const config = testConfig(dir);
    socket = config.control.socketPath;
    app = createApp(config, logs.log, { controlSocket: true });
    await app.start();
  });

  afterAll(async () => {
    await app.stop();
    cleanup();
  });

  it(`answers ${N} random requests, each with a result or a specific refusal`, async () => {
    const r = prng(0xc7e1);
    const problems: string[] = [];
    const refusals = new Set<string>();
    const kinds = new Set<string>();
    let answered = 0;
    for (let i = 0; i < N && problems.length < 10; i++) {
      const command = pick(r, COMMANDS);
      const args = randomArgs(r);
      const answer = await rawRequest(socket, command, args);
      if (answer.ok) {
        answered++;
        continue;
      }
      const what = `#${i} ${command} ${JSON.stringify(args).slice(0, 200)}: ${answer.error} (${String(answer.code)})`;
      if (!isErrorKind(answer.code) || answer.code === 'internal' || /internal error/.test(answer.error)) problems.push(what);
      else {
        kinds.add(answer.code);
        refusals.add(answer.error.replace(/"[^"]*"/g, '""').slice(0, 60));
      }
    }
    expect(problems).toEqual([]);
    // Bad arguments, unknown names and parts this locker lacks are each told apart.
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['not_found', 'unavailable', 'usage']));
    expect(answered).toBeGreaterThan(N / 10);
    // Refusals are specific: many different messages, not one catch-all.
    expect(refusals.size).toBeGreaterThan(8);
    expect(logs.lines.filter((l) => l.includes('"level":50'))).toEqual([]);
    expect(await request(socket, 'status', {})).toMatchObject({ kioskId: expect.any(String) });
    expect(app.ledger.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(app.ledger.db.pragma('foreign_key_check')).toEqual([]);
  }, 120_000);

  it('gives each refusal the kind lockerctl exits by', async () => {
    const kindOf = async (command: string, args: Record<string, unknown>): Promise<string> => {
      try {
        await request(socket, command, args, 10_000);
        return 'ok';
      } catch (err) {
        if (!(err instanceof ControlClientError)) throw err;
        return err.kind;
      }
    };
    const cases: [string, Record<string, unknown>, string][] = [
      ['frobnicate', {}, 'usage'],
      ['compartment.service', { inService: true }, 'usage'],
      ['compartment.service', { compartment: 'A01', inService: 'yes' }, 'usage'],
      ['compartment.service', { compartment: 'A01', inService: false }, 'usage'],
      ['compartment.service', { compartment: 'Z99', inService: true }, 'not_found'],
      ['lock.open', { compartment: 'Z99', reason: 'check' }, 'not_found'],
      ['sim.door', { compartment: 'Z99', action: 'open' }, 'not_found'],
      ['sim.door', { compartment: 'A01', action: 'wiggle' }, 'usage'],
      ['sim.keys', { keys: '12x4#' }, 'usage'],
      ['parcels', { state: 'lost' }, 'usage'],
      ['parcels', { limit: 0 }, 'usage'],
      ['outbox', { after: -1 }, 'usage'],
      ['parcel.show', { id: 'nope' }, 'usage'],
      ['parcel.show', { id: '01935c1e-7c2a-7000-8000-000000000001' }, 'not_found'],
      ['parcels.export', { since: '2999-01-01' }, 'refused'],
      ['bus.scan', { from: 9, to: 3 }, 'usage'],
      ['gpio.pulse', { name: 'siren' }, 'not_found'],
      ['screen.url', {}, 'unavailable'],
      ['ledger.backup', { path: 'relative.db' }, 'usage'],
      ['throttle.reset', { reason: 'nothing held' }, 'refused'],
    ];
    const got = [];
    for (const [command, args] of cases) got.push([command, args, await kindOf(command, args)]);
    expect(got).toEqual(cases);
  });
});
