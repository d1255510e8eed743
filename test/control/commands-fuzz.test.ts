/**
 * The control socket's commands fuzzed (seeded, reproducible) through the real socket of the real
 * app on the simulated locker: every command lockerctl can send, and unknown ones, with argument
 * objects made of the names the commands read and random values. Whatever a technician's script
 * sends, each request gets an answer (a result, or a refusal that says what is wrong), never an
 * internal error; the daemon keeps serving; the ledger stays sound.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { ControlClientError, request } from '../../src/control/client.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { prng } from '../helpers/prng.js';

const N = 1500;
/** `input.test` streams until interrupted; the streaming tests cover it. */
const COMMANDS = ['status', 'selftest', 'ledger.backup', 'compartments', 'compartment.service', 'parcels', 'outbox', 'audit', 'lock.open', 'bus.scan', 'doors', 'sim.scan', 'sim.keys', 'sim.door', 'inputs', 'gpio.status', 'gpio.pulse', 'gpio.sim', 'mqtt.check', 'throttle.status', 'throttle.reset', 'parcel.show', 'parcels.export', 'frobnicate', '', '__proto__', 'constructor'];
const ARG_NAMES = ['action', 'compartment', 'inService', 'path', 'keys', 'reason', 'text', 'active', 'device', 'from', 'to', 'json', 'kind', 'limit', 'minutes', 'ms', 'name', 'raw', 'revealCodes', 'state', 'unsentOnly', 'id', 'since', '__proto__', 'extra'];
const VALUES: unknown[] = [
  null, true, false, 0, -1, 1, 2, 5, 100, 247, 248, 1e9, 1.5, Number.MAX_SAFE_INTEGER, '', 'A01', 'B05', 'Z99', 'open', 'close', 'deposited', 'lost',
  '123#', '*', '#', '12x4#', '1Z999AA10123456784', 'LKP1/x/y', '01935c1e-7c2a-7000-8000-000000000001', '2026-11-01', '2026-11-01T08:00+01:00', 'tamper', 'buzzer', 'x'.repeat(5000), '💥', '\u0000', [], [1, 'a'], {}, { a: 1 },
];

type Rng = ReturnType<typeof prng>;
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
    let answered = 0;
    for (let i = 0; i < N && problems.length < 10; i++) {
      const command = pick(r, COMMANDS);
      const args = randomArgs(r);
      try {
        await request(socket, command, args, 10_000);
        answered++;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (!(err instanceof ControlClientError) || /internal error|did not answer|not running/.test(message)) {
          problems.push(`#${i} ${command} ${JSON.stringify(args).slice(0, 200)}: ${message}`);
        } else {
          refusals.add(message.replace(/"[^"]*"/g, '""').slice(0, 60));
        }
      }
    }
    expect(problems).toEqual([]);
    expect(answered).toBeGreaterThan(N / 10);
    // Refusals are specific: many different messages, not one catch-all.
    expect(refusals.size).toBeGreaterThan(8);
    expect(logs.lines.filter((l) => l.includes('"level":50'))).toEqual([]);
    expect(await request(socket, 'status', {})).toMatchObject({ kioskId: expect.any(String) });
    expect(app.ledger.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(app.ledger.db.pragma('foreign_key_check')).toEqual([]);
  }, 120_000);
});
