import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger, SecretKeyError } from '../../src/ledger/ledger.js';
import { uuidv7 } from '../../src/ledger/uuidv7.js';
import { tempDir } from '../helpers/fixtures.js';

describe('the ledger and its secret key', () => {
  let dir: string;
  let cleanup: () => void;
  const open = (keyFile = join(dir, 'key')) => Ledger.open({ path: join(dir, 'l.db'), keyFile });

  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('creates the key with mode 0600 and counts boots', () => {
    const a = open();
    expect(statSync(join(dir, 'key')).mode & 0o777).toBe(0o600);
    expect(a.bootCount).toBe(1);
    a.close();
    const b = open();
    expect(b.bootCount).toBe(2);
    b.close();
  });

  it('hashes with the key: same input, same hash; other domain or other key, other hash', () => {
    const a = open();
    expect(a.hasher.hash('code', '12345678').equals(a.hasher.hash('code', '12345678'))).toBe(true);
    expect(a.hasher.hash('code', '12345678').equals(a.hasher.hash('pin', '12345678'))).toBe(false);
    const other = Ledger.open({ path: join(dir, 'other.db'), keyFile: join(dir, 'other.key') });
    expect(a.hasher.hash('code', '12345678').equals(other.hasher.hash('code', '12345678'))).toBe(false);
    expect(JSON.stringify({ h: a.hasher })).not.toMatch(/[0-9a-f]{64}/);
    a.close();
    other.close();
  });

  it('refuses to start when the key file of an existing ledger is missing, instead of making a new one', () => {
    open().close();
    const keyless = join(dir, 'missing.key');
    expect(() => open(keyless)).toThrow(SecretKeyError);
    expect(() => open(keyless)).toThrow(/is missing but the ledger already holds hashed codes/);
  });

  it('refuses a key file from another install', () => {
    open().close();
    const foreign = Ledger.open({ path: join(dir, 'x.db'), keyFile: join(dir, 'foreign.key') });
    foreign.close();
    expect(() => open(join(dir, 'foreign.key'))).toThrow(/does not belong to the ledger/);
  });

  it('refuses a key file that others can read, and says how to fix it', () => {
    open().close();
    chmodSync(join(dir, 'key'), 0o644);
    expect(() => open()).toThrow(/chmod 600/);
  });

  it('refuses a damaged key file without printing it', () => {
    writeFileSync(join(dir, 'short.key'), 'abc', { mode: 0o600 });
    expect(() => open(join(dir, 'short.key'))).toThrow(/is 3 bytes, expected 32/);
  });

  it('leaves no copy of an erased code in the database file (secure_delete)', () => {
    // Where the old cell's bytes end up depends on the page layout: try a range of layouts.
    // Without secure_delete, some of these leave the code in the page's free space.
    for (let trial = 0; trial < 20; trial++) {
      const path = join(dir, `sd-${trial}.db`);
      const l = Ledger.open({ path, keyFile: join(dir, `sd-${trial}.key`) });
      const code = String(10_000_000 + trial * 7919);
      l.transaction(() => {
        for (let i = 0; i < trial; i++) l.outbox.append('door.closed', Date.now(), { compartmentId: 'A01', openForMs: i });
        l.outbox.append('parcel.deposited', Date.now(), { parcelId: 'p', code, pickupQr: 'LKP1/k/QRTOKENQRTOKENQRTOKENQRTO', pad: 'x'.repeat(trial * 20) });
        for (let i = 0; i < 20; i++) l.outbox.append('door.closed', Date.now(), { compartmentId: 'A01', openForMs: i });
      });
      l.checkpoint();
      expect(readFileSync(path).includes(code)).toBe(true);
      l.outbox.acknowledgeThrough(1000, Date.now() - 1);
      // Erased either way: upstream confirmed it (events.ack), or mqtt.codeRetentionHours ran out.
      if (trial % 2 === 0) l.transaction(() => l.outbox.confirmThrough(l.outbox.newestSeq(), Date.now()));
      else expect(l.outbox.eraseExpiredCodes(Date.now())).toBe(1);
      l.checkpoint();
      const bytes = readFileSync(path);
      expect(bytes.includes(code), `layout ${trial}`).toBe(false);
      expect(bytes.includes('QRTOKENQRTOKEN'), `layout ${trial}`).toBe(false);
      expect(l.outbox.list({ afterSeq: trial, limit: 1 })[0]!.data).toEqual({ parcelId: 'p', pad: 'x'.repeat(trial * 20) });
      l.close();
    }
  });

  it('refuses an outbox append outside a transaction', () => {
    const l = open();
    expect(() => l.outbox.append('kiosk.tamper', 1, {})).toThrow(/inside the transaction/);
    l.close();
  });

  it('keeps outbox rows in seq order with unique, time-ordered UUIDv7 ids', () => {
    const l = open();
    const rows = l.transaction(() => Array.from({ length: 50 }, (_, i) => l.outbox.append('kiosk.tamper', 1_700_000_000_000, { i })));
    expect(rows.map((r) => r.seq)).toEqual([...rows.map((r) => r.seq)].sort((a, b) => a - b));
    const ids = l.outbox.list({ limit: 100 }).map((e) => e.id);
    expect(new Set(ids).size).toBe(50);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    l.close();
  });
});

describe('uuidv7', () => {
  it('encodes the millisecond timestamp in the first 48 bits', () => {
    const id = uuidv7(0x0123_4567_89ab + 1e6);
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(0x0123_4567_89ab + 1e6);
  });
});
