/**
 * Commands from upstream fuzzed (seeded, reproducible): random bytes, byte-flipped commands, and
 * well-formed envelopes of every command type whose fields are swapped for random JSON values,
 * removed or joined by unknown ones, with ids that repeat and clocks that disagree. Against the
 * real app on the simulated locker. Whatever arrives:
 * - handle() never throws, and every command gets exactly one final ack (`done`, `failed` or
 *   `rejected`), after at most an `accepted`;
 * - nothing reaches the internal-error path, and nothing is logged at error level;
 * - a rejected command changes nothing in the locker's tables;
 * - no PIN or badge sent in a command shows up in an ack or the log;
 * - the ledger passes SQLite's integrity and foreign-key checks, and the outbox has no gap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockerAdministration } from '../../src/locker/administration.js';
import { COMMAND_DATA, COMMAND_TYPES } from '../../src/sync/contract.js';
import { CommandInbox, type Ack } from '../../src/sync/command-inbox.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';
import { prng } from '../helpers/prng.js';

const N = 4000;
const SECRET_FIELD = /pin|badge/i;
const DOMAIN_TABLES = ['compartments', 'parcels', 'units', 'residents', 'couriers', 'retrieval_codes', 'expected_deliveries'];

type Rng = ReturnType<typeof prng>;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[r.int(xs.length)]!;

const STRINGS = ['', ' ', 'A01', 'B05', 'Z99', '101', '999', 'UPS', 'DHL', '__proto__', 'constructor', 'toString', '💥', '\u0000', 'a'.repeat(300), '01935c1e-7c2a-7000-8000-000000000001', "'; DROP TABLE parcels; --", '2026-11-25T12:00:00Z', 'NaN', '-1'];

function randomString(r: Rng): string {
  if (r.next() < 0.5) return pick(r, STRINGS);
  const n = r.int(40);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(r.next() < 0.9 ? 0x20 + r.int(95) : r.int(0x3000));
  return s;
}

function randomJson(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 2 ? 4 : 6)) {
    case 0: return null;
    case 1: return r.next() < 0.5;
    case 2: return pick(r, [0, -1, 1, 1.5, 2 ** 53, -(2 ** 31), 1e308, 255, 256, 65536]);
    case 3: return randomString(r);
    case 4: return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: r.int(4) }, () => [randomString(r), randomJson(r, depth + 1)]));
  }
}

/** A command's example data with some fields replaced, removed or added. */
function mutatedData(r: Rng, type: string): unknown {
  const spec = COMMAND_DATA[type];
  if (!spec || r.next() < 0.1) return randomJson(r);
  const data: Record<string, unknown> = { ...(spec.example as Record<string, unknown>) };
  for (const key of Object.keys(data)) {
    const roll = r.next();
    if (roll < 0.25) data[key] = randomJson(r);
    else if (roll < 0.35) delete data[key];
    else if (SECRET_FIELD.test(key) && roll < 0.7) data[key] = String(10_000_000 + r.int(89_999_999)); // a fresh, valid PIN
  }
  if (type === 'courier.set' && r.next() < 0.3) data.badge = r.next() < 0.7 ? `LKB1/${r.int(1e12).toString(36).toUpperCase().padEnd(22, 'Q')}` : randomJson(r);
  if (r.next() < 0.1) data[randomString(r)] = randomJson(r);
  return data;
}

function randomTime(r: Rng, now: number): unknown {
  const roll = r.next();
  if (roll < 0.7) return new Date(now + (r.int(120) - 10) * 1000).toISOString();
  if (roll < 0.8) return new Date(now + r.int(10) * 3_600_000).toISOString(); // far ahead
  if (roll < 0.9) return new Date(now - r.int(10) * 3_600_000).toISOString(); // long ago
  return randomJson(r);
}

function randomCommand(r: Rng, now: number, ids: string[]): Buffer {
  const roll = r.next();
  if (roll < 0.1) return Buffer.from(r.bytes(r.int(200)));
  const type = r.next() < 0.9 ? pick(r, COMMAND_TYPES) : randomString(r);
  const envelope: Record<string, unknown> = {
    id: r.next() < 0.2 && ids.length > 0 ? pick(r, ids) : `fuzz-${r.int(1e9).toString(36)}`,
    type,
    issuedAt: new Date(now - r.int(5000)).toISOString(),
    expiresAt: randomTime(r, now),
    data: mutatedData(r, type),
  };
  if (r.next() < 0.1) envelope.issuedAt = randomTime(r, now);
  if (r.next() < 0.05) delete envelope[pick(r, Object.keys(envelope))];
  if (r.next() < 0.05) envelope[randomString(r)] = randomJson(r);
  if (typeof envelope.id === 'string') ids.push(envelope.id);
  const bytes = Buffer.from(JSON.stringify(envelope));
  if (roll < 0.2) for (let i = r.int(4); i >= 0; i--) bytes[r.int(bytes.length)] = r.int(256);
  return bytes;
}

/** String values of a command, split into those of secret fields (PINs, badges) and the others. */
function valuesIn(payload: Buffer): { secret: string[]; other: string[] } {
  const out = { secret: [] as string[], other: [] as string[] };
  const walk = (v: unknown, key: string): void => {
    if (typeof v === 'string') (SECRET_FIELD.test(key) ? out.secret : out.other).push(v);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  try {
    walk(JSON.parse(payload.toString('utf8')), '');
  } catch {
    // not JSON: no fields
  }
  return out;
}

describe('command inbox fuzz', () => {
  let h: LockerHarness;
  let cleanup: () => void;
  const logs = captureLogger('info');

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    h = await LockerHarness.start(testConfig(dir), logs.log);
    // A waiting parcel, so that cancels, holds and reissues have something to act on.
    await h.deposit({ unit: '101' });
  });

  afterAll(async () => {
    await h.stop();
    cleanup();
  });

  it(`survives ${N} hostile commands with one final ack each and no change from the refused ones`, async () => {
    const { ledger } = h.app;
    const config = h.app.config;
    const now = Date.now();
    const acks: Ack[] = [];
    const inbox = new CommandInbox({
      ledger, locker: h.app.locker, admin: new LockerAdministration(ledger, config, () => now), config, log: logs.log,
      sendAck: (a) => acks.push(a), now: () => now,
    });
    const snapshot = (): string => DOMAIN_TABLES.map((t) => ledger.db.prepare(`SELECT * FROM ${t}`).all().map((row) => JSON.stringify(row)).sort().join('\n')).join('\n\n');
    const r = prng(0xc0de);
    const ids: string[] = [];
    const problems: string[] = [];
    const secrets = new Set<string>();
    const others = new Set<string>();
    const finals = { done: 0, failed: 0, rejected: 0 };

    for (let i = 0; i < N; i++) {
      const payload = randomCommand(r, now, ids);
      const values = valuesIn(payload);
      for (const v of values.secret) if (v.length >= 6) secrets.add(v);
      for (const v of values.other) others.add(v);
      const before = snapshot();
      const from = acks.length;
      try {
        await inbox.handle(payload);
      } catch (err) {
        problems.push(`#${i} threw ${String(err)}: ${payload.toString('utf8').slice(0, 200)}`);
        continue;
      }
      const mine = acks.slice(from);
      const statuses = mine.map((a) => a.status);
      const final = statuses.at(-1);
      const shapeOk = (statuses.length === 1 && final !== 'accepted') || (statuses.length === 2 && statuses[0] === 'accepted' && final !== 'accepted');
      if (!shapeOk) problems.push(`#${i} acks ${JSON.stringify(statuses)}: ${payload.toString('utf8').slice(0, 200)}`);
      if (final === 'done' || final === 'failed' || final === 'rejected') finals[final]++;
      for (const a of mine) if (a.reason?.startsWith('internal error')) problems.push(`#${i} internal error: ${payload.toString('utf8').slice(0, 200)}`);
      if (final === 'rejected' && snapshot() !== before) problems.push(`#${i} rejected (${mine.at(-1)!.reason}) but changed the ledger: ${payload.toString('utf8').slice(0, 200)}`);
      if (problems.length > 10) break;
    }

    expect(problems).toEqual([]);
    // The generator reaches every outcome, not only the schema's refusals.
    expect(finals.done).toBeGreaterThan(50);
    expect(finals.rejected).toBeGreaterThan(N / 2);
    const reasons = new Set(acks.map((a) => a.reason?.split(/[":(]/)[0]));
    expect(reasons.size).toBeGreaterThan(10);

    // A secret also sent in an ordinary field (a compartment id, say) may rightly be echoed there.
    const said = JSON.stringify(acks) + logs.text().replace(/"time":\d+/g, '');
    const leaked = [...secrets].filter((v) => !others.has(v) && said.includes(v));
    expect(secrets.size).toBeGreaterThan(100);
    expect(leaked).toEqual([]);
    expect(logs.lines.filter((l) => l.includes('"level":50'))).toEqual([]);
    expect(ledger.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(ledger.db.pragma('foreign_key_check')).toEqual([]);
    const seqs = ledger.db.prepare('SELECT seq FROM outbox ORDER BY seq').pluck().all() as number[];
    expect(seqs.every((s, k) => k === 0 || s === seqs[k - 1]! + 1)).toBe(true);
  }, 120_000);
});
