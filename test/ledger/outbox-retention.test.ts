/**
 * When the outbox lets go of retrieval codes and rows, with the clock injected: a PUBACK alone
 * keeps the code (a broker can acknowledge and then lose an event) for mqtt.codeRetentionHours
 * after it; upstream's own confirmation (events.ack) erases it at once; pruning never deletes an
 * unsent row, nor one still holding a code, and nothing upstream has not confirmed before
 * mqtt.retentionDays.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.js';
import type { EventType } from '../../src/sync/contract.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-11-20T10:00:00Z');
const deposit = (code: string): Record<string, unknown> => ({
  parcelId: '01935c1e-7c2a-7000-8000-000000000001', compartmentId: 'A01', size: 'S', unit: '101', carrier: 'UPS', tracking: null, courierId: null,
  codeId: 1, code, pickupQr: 'LKP1/k/ABCDEFGHIJKLMNOPQRSTUVWXYZ', expiresAt: '2026-12-02T15:29:34.516Z',
});

describe('outbox: codes and rows kept until upstream confirms, within bounds', () => {
  let dir: string;
  let cleanup: () => void;
  let ledger: Ledger;
  const open = (): Ledger => Ledger.open({ path: join(dir, 'l.db'), keyFile: join(dir, 'k') });
  const append = (type: EventType, at: number, data: Record<string, unknown>): number => ledger.transaction(() => ledger.outbox.append(type, at, data).seq);
  const dataOf = (seq: number): Record<string, unknown> | undefined => ledger.outbox.list({ limit: 1000 }).find((e) => e.seq === seq)?.data;
  const seqs = (): number[] => ledger.outbox.list({ limit: 1000 }).map((e) => e.seq);

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    ledger = open();
  });
  afterEach(() => {
    ledger.close();
    cleanup();
  });

  it('keeps the code after the PUBACK and erases it codeRetentionHours later, not before', () => {
    const seq = append('parcel.deposited', T0, deposit('47443416'));
    const pubackAt = T0 + 5 * HOUR; // sent late, after an outage: the hours count from the PUBACK
    ledger.outbox.acknowledgeThrough(seq, pubackAt);
    expect(dataOf(seq)).toMatchObject({ code: '47443416', pickupQr: expect.any(String) });
    // As the hourly round calls it at `now`, with mqtt.codeRetentionHours = 72.
    const round = (now: number): number => ledger.outbox.eraseExpiredCodes(now - 72 * HOUR);
    expect(round(T0 + 72 * HOUR + 1)).toBe(0); // 72 h after the event, but not after the PUBACK
    expect(round(pubackAt + 72 * HOUR - 60_000)).toBe(0);
    expect(dataOf(seq)!.code).toBe('47443416');
    expect(round(pubackAt + 72 * HOUR + 1)).toBe(1);
    expect(dataOf(seq)!.code).toBeUndefined();
    expect(dataOf(seq)!.pickupQr).toBeUndefined();
    expect(dataOf(seq)!.codeId).toBe(1);
  });

  it('never erases the code of an event the broker has not acknowledged, however old', () => {
    const seq = append('code.reissued', T0, { unit: '101', codeId: 2, code: '90817263', pickupQr: 'LKP1/k/ABCDEFGHIJKLMNOPQRSTUVWXYZ', previousCodeId: 1, parcelIds: [], commandId: 'c' });
    expect(ledger.outbox.eraseExpiredCodes(T0 + 365 * DAY)).toBe(0);
    expect(ledger.outbox.prune(T0 + 365 * DAY, { retentionMs: DAY, unconfirmedGraceMs: HOUR })).toBe(0);
    expect(dataOf(seq)!.code).toBe('90817263');
  });

  it('erases the codes at once when upstream confirms, and the confirmation never moves back', () => {
    const a = append('parcel.deposited', T0, deposit('11111111'));
    const b = append('parcel.deposited', T0 + 1, deposit('22222222'));
    const c = append('parcel.deposited', T0 + 2, deposit('33333333'));
    ledger.outbox.acknowledgeThrough(c, T0 + 10);
    expect(ledger.transaction(() => ledger.outbox.confirmThrough(b, T0 + 20))).toBe(2);
    expect([dataOf(a)!.code, dataOf(b)!.code, dataOf(c)!.code]).toEqual([undefined, undefined, '33333333']);
    expect(ledger.transaction(() => ledger.outbox.confirmThrough(a, T0 + 30))).toBe(0);
    expect(ledger.outbox.confirmedSeq).toBe(b);
    // Durable: a restart remembers it, and a rolled-back confirmation leaves no trace.
    ledger.close();
    ledger = open();
    expect(ledger.outbox.confirmedSeq).toBe(b);
    expect(() => ledger.transaction(() => {
      ledger.outbox.confirmThrough(c, T0 + 40);
      throw new Error('rolled back');
    })).toThrow('rolled back');
    expect(ledger.outbox.confirmedSeq).toBe(b);
    expect(dataOf(c)!.code).toBe('33333333');
  });

  // As the hourly round calls it, with mqtt.retentionDays = 7 and mqtt.codeRetentionHours = 72.
  const round = (now: number): number => {
    ledger.outbox.eraseExpiredCodes(now - 72 * HOUR);
    return ledger.outbox.prune(now, { retentionMs: 7 * DAY, unconfirmedGraceMs: 72 * HOUR });
  };
  const leftOpen = (at: number): number => append('door.left_open', at, { compartmentId: 'A01', openSince: new Date(at).toISOString() });

  it('keeps what upstream has not confirmed for 72 h after the PUBACK, even when older than retentionDays', () => {
    const old = leftOpen(T0);
    const held = append('parcel.deposited', T0 + 1, deposit('44444444'));
    const recent = leftOpen(T0 + 6 * DAY);
    const unsent = leftOpen(T0 + 2);
    // The broker acknowledged the first three only after a long outage, a week after the first.
    const pubackAt = T0 + 7 * DAY;
    ledger.outbox.acknowledgeThrough(recent, pubackAt);
    // An hour later nothing goes: upstream may yet find the broker lost them and ask for a replay.
    expect(round(pubackAt + HOUR)).toBe(0);
    expect(round(pubackAt + 71 * HOUR)).toBe(0);
    expect(seqs()).toEqual([old, held, recent, unsent].sort((a, b) => a - b));
    // 72 h after the PUBACK (by the round's marks) the old rows go, the code row with its code.
    expect(round(pubackAt + 73 * HOUR)).toBe(2);
    expect(seqs()).toEqual([recent, unsent]);
    expect(dataOf(recent)).toBeDefined();
    // What is gone stays gone: seqs are never reused, and the newest written is still known.
    expect(ledger.outbox.newestSeq()).toBe(unsent);
    expect(ledger.outbox.oldestHeldSeq()).toBe(recent);
    expect(ledger.outbox.heldIn(old, recent)).toBe(1);
    // Unsent rows never go.
    expect(round(pubackAt + 365 * DAY)).toBe(1);
    expect(seqs()).toEqual([unsent]);
  });

  it('prunes what upstream confirmed once older than retentionDays, and nothing younger', () => {
    const old = leftOpen(T0);
    const young = leftOpen(T0 + 5 * DAY);
    ledger.outbox.acknowledgeThrough(young, T0 + 7 * DAY);
    ledger.transaction(() => ledger.outbox.confirmThrough(young, T0 + 7 * DAY));
    expect(round(T0 + 7 * DAY + HOUR)).toBe(1);
    expect(seqs()).toEqual([young]);
    expect(old).toBeLessThan(young);
  });

  it('reads a range back exactly as first published, codes included while held', () => {
    const seq = append('parcel.deposited', T0, deposit('55555555'));
    const [first] = ledger.outbox.unsentPage('k', 0, 10);
    const [again] = ledger.outbox.range('k', seq, seq);
    expect(again).toEqual(first);
    expect(JSON.parse(again!.envelope)).toMatchObject({ seq, data: { code: '55555555' } });
  });
});

describe('the sync service erases unconfirmed codes on its hourly round, by the kiosk clock', () => {
  let dir: string;
  let cleanup: () => void;
  let h: LockerHarness | undefined;

  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(async () => {
    await h?.stop();
    cleanup();
  });

  it('keeps a PUBACKed code for mqtt.codeRetentionHours, then erases it and says so', async () => {
    let now = Date.now();
    const config = testConfig(dir, { mqtt: { codeRetentionHours: 24 } });
    h = await LockerHarness.start(config, captureLogger().log, () => now);
    await h.deposit({ unit: '101' });
    const code = h.latestCode();
    const ledger = h.app.ledger;
    ledger.outbox.acknowledgeThrough(ledger.outbox.newestSeq(), now); // as the publisher does at PUBACK
    await h.stop();

    now += 23 * HOUR;
    h = await LockerHarness.start(config, captureLogger().log, () => now);
    expect(h.latestCode()).toBe(code);
    await h.stop();

    now += 2 * HOUR;
    const logs = captureLogger();
    h = await LockerHarness.start(config, logs.log, () => now);
    expect(() => h!.latestCode()).toThrow(/no parcel.deposited event with a code/);
    expect(logs.text()).toContain('erased retrieval codes upstream never confirmed');
    expect(logs.text()).not.toContain(code);
  });
});
