import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LimitedLog, LineBudget } from '../../drivers/log-limit.js';
import { captureLogger } from '../helpers/fixtures.js';

describe('LineBudget (pure)', () => {
  it('admits the first lines of a message per window and counts the rest', () => {
    const b = new LineBudget({ linesPerWindow: 3, windowMs: 60_000 });
    const writes = Array.from({ length: 100 }, (_, i) => b.take('info', 'scan refused', i).write);
    expect(writes.filter(Boolean)).toHaveLength(3);
    expect(b.take('info', 'not a parcel label', 100).write).toBe(true);
    expect(b.due(59_999)).toEqual([]);
    expect(b.due(60_000)).toEqual([{ level: 'info', msg: 'scan refused', count: 97, since: 0 }]);
    expect(b.take('info', 'scan refused', 60_001).write).toBe(true);
  });

  it('treats lines that differ only in numbers as one, and bounds the number of distinct lines', () => {
    const b = new LineBudget({ linesPerWindow: 1, windowMs: 60_000 });
    expect(b.take('info', 'kiosk: Unit 12 does not exist', 0).write).toBe(true);
    expect(b.take('info', 'kiosk: Unit 345 does not exist', 0).write).toBe(false);
    let written = 0;
    for (let i = 0; i < 10_000; i++) if (b.take('info', `line ${String.fromCharCode(65 + (i % 26))}${i.toString(36).replace(/[0-9]/g, 'x')}`, 1).write) written++;
    expect(written).toBeLessThanOrEqual(257);
  });

  it('never limits when linesPerWindow is 0', () => {
    const b = new LineBudget({ linesPerWindow: 0, windowMs: 60_000 });
    for (let i = 0; i < 100; i++) expect(b.take('info', 'x', 0).write).toBe(true);
  });
});

describe('LimitedLog', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  it('writes one "N similar lines suppressed" line when the window closes, even when the flood stopped', () => {
    const logs = captureLogger();
    const log = new LimitedLog(logs.log, { linesPerWindow: 10, windowMs: 60_000 });
    for (let i = 0; i < 3000; i++) log.info({ scan: { length: 5 } }, 'scan refused');
    expect(logs.lines).toHaveLength(10);
    vi.advanceTimersByTime(60_001);
    expect(logs.lines).toHaveLength(11);
    expect(JSON.parse(logs.lines[10]!)).toMatchObject({ level: 30, suppressed: 2990, msg: '2990 similar lines suppressed: scan refused' });
  });
});
