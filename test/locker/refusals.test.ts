import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.js';
import { MAX_OPEN_WINDOWS, RefusalRecorder, RefusalWindows } from '../../src/locker/refusals.js';
import { captureLogger, tempDir } from '../helpers/fixtures.js';

const refused = (reason: string, actor = 'kiosk') => ({ actor, action: 'scan.refused', detail: { reason, length: 3 } });

describe('RefusalWindows (pure)', () => {
  it('writes the first refusal of a kind at once and counts the identical ones into one summary', () => {
    const w = new RefusalWindows(60_000);
    expect(w.offer(refused('scan contains control characters'), 1_000)).toEqual({ write: 'now', summaries: [] });
    for (let i = 1; i <= 2999; i++) expect(w.offer(refused('scan contains control characters'), 1_000 + i * 10).write).toBe('counted');
    expect(w.due(60_999)).toEqual([]);
    expect(w.due(61_000)).toEqual([
      { actor: 'kiosk', action: 'scan.refused', at: 1_000 + 2999 * 10, detail: { reason: 'scan contains control characters', count: 2999, since: new Date(1_010).toISOString() } },
    ]);
    // The next one opens a new window: written at once again.
    expect(w.offer(refused('scan contains control characters'), 61_001).write).toBe('now');
  });

  it('keeps kinds apart by actor, action and reason, but not by the numbers in a reason', () => {
    const w = new RefusalWindows(60_000);
    expect(w.offer(refused('scan too long: 900 characters (limit 512)'), 0).write).toBe('now');
    expect(w.offer(refused('scan too long: 700 characters (limit 512)'), 1).write).toBe('counted');
    expect(w.offer(refused('scan contains control characters'), 2).write).toBe('now');
    expect(w.offer(refused('scan contains control characters', 'courier:ups-1'), 3).write).toBe('now');
    expect(w.offer({ actor: 'kiosk', action: 'scan.check_digit_failed', detail: { carrier: 'UPS' } }, 4).write).toBe('now');
    expect(w.offer({ actor: 'kiosk', action: 'scan.check_digit_failed', detail: { carrier: 'FedEx' } }, 5).write).toBe('counted');
  });

  it('closes a window in the same call that a later refusal after it arrives, summary first', () => {
    const w = new RefusalWindows(1_000);
    w.offer(refused('r'), 0);
    w.offer(refused('r'), 10);
    expect(w.offer(refused('r'), 1_000)).toEqual({ write: 'now', summaries: [expect.objectContaining({ at: 10, detail: expect.objectContaining({ count: 1 }) })] });
  });

  it('closes a window whose clock went back instead of holding it open', () => {
    const w = new RefusalWindows(60_000);
    w.offer(refused('r'), 100_000);
    w.offer(refused('r'), 100_001);
    expect(w.offer(refused('r'), 5_000)).toMatchObject({ write: 'now', summaries: [{ detail: { count: 1 } }] });
  });

  it('writes every refusal when the window is 0 (the behaviour before windows)', () => {
    const w = new RefusalWindows(0);
    for (let i = 0; i < 5; i++) expect(w.offer(refused('r'), i).write).toBe('now');
    expect(w.drain()).toEqual([]);
  });

  it('bounds the open windows: beyond the limit the oldest is closed early', () => {
    const w = new RefusalWindows(60_000);
    for (let i = 0; i <= MAX_OPEN_WINDOWS; i++) {
      w.offer(refused(`r`, `courier:c${i}`), i);
      w.offer(refused(`r`, `courier:c${i}`), i);
    }
    expect(w.drain()).toHaveLength(MAX_OPEN_WINDOWS);
  });
});

describe('RefusalRecorder on a real ledger', () => {
  let dir: string;
  let cleanup: () => void;
  let ledger: Ledger;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    ({ dir, cleanup } = tempDir());
    ledger = Ledger.open({ path: join(dir, 'l.db'), keyFile: join(dir, 'l.key') });
  });

  afterEach(() => {
    ledger.close();
    cleanup();
    vi.useRealTimers();
  });

  const rows = () => ledger.audit.recent(10_000).filter((a) => a.action === 'scan.refused');

  it('writes the first row at once and the count when the window closes, even after the flood stopped', () => {
    const r = new RefusalRecorder({ ledger, now: Date.now, windowMs: 60_000, log: captureLogger().log });
    let commits = 0;
    ledger.on('committed', () => commits++);
    for (let i = 0; i < 3000; i++) r.record('kiosk', 'scan.refused', { reason: 'scan contains control characters', length: 4 });
    expect(rows()).toHaveLength(1);
    expect(commits).toBe(1);
    vi.advanceTimersByTime(60_001);
    const all = rows();
    expect(all).toHaveLength(2);
    expect(all[0]!.detail).toMatchObject({ reason: 'scan contains control characters', count: 2999 });
    expect(all.reduce((n, a) => n + ((a.detail?.count as number | undefined) ?? 1), 0)).toBe(3000);
    expect(commits).toBe(2);
  });

  it('writes what is still counted at a clean stop', () => {
    const r = new RefusalRecorder({ ledger, now: Date.now, windowMs: 60_000, log: captureLogger().log });
    for (let i = 0; i < 10; i++) r.record('kiosk', 'scan.refused', { reason: 'x' });
    r.flush();
    expect(rows().map((a) => a.detail?.count ?? 1)).toEqual([9, 1]);
  });
});
