/**
 * `lockerctl outbox` lists the newest events first, like `audit` and `parcels`, and pages back
 * through history with `--after SEQ`: the events listed after SEQ, i.e. older than it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/lockerctl.js';
import { captureLogger, tempDir, testConfig } from '../../helpers/fixtures.js';
import { LockerHarness } from '../../helpers/locker-harness.js';

interface Page {
  events: { seq: number; sent: boolean }[];
  next: number | null;
}

describe('lockerctl outbox, newest first, with --after', () => {
  let h: LockerHarness;
  let cleanup: () => void;
  let socket: string;

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    const config = testConfig(dir);
    socket = config.control.socketPath;
    h = await LockerHarness.start(config, captureLogger('info').log, undefined, { controlSocket: true });
    const { ledger } = h.app;
    ledger.transaction(() => {
      for (let i = 0; i < 250; i++) ledger.outbox.append('door.closed', Date.now(), { compartmentId: 'A01', openForMs: i });
    });
  });

  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  const ctl = async (...args: string[]): Promise<{ code: number; out: string }> => {
    let out = '';
    const code = await run(['--socket', socket, ...args], (s) => (out += s), (s) => (out += s));
    return { code, out };
  };
  const page = async (...args: string[]): Promise<Page> => JSON.parse((await ctl('--json', 'outbox', ...args)).out) as Page;
  const seqs = (from: number, to: number): number[] => Array.from({ length: from - to + 1 }, (_, i) => from - i);

  it('shows the newest 100 first, and --after pages back to the oldest', async () => {
    const first = await page();
    expect(first.events.map((e) => e.seq)).toEqual(seqs(250, 151));
    expect(first.next).toBe(151);
    const second = await page('--after', String(first.next));
    expect(second.events.map((e) => e.seq)).toEqual(seqs(150, 51));
    const third = await page('--after', String(second.next));
    expect(third.events.map((e) => e.seq)).toEqual(seqs(50, 1));
    expect(third.next).toBeNull();
    expect((await page('--after', '1')).events).toEqual([]);
    expect((await page('--after', '20', '--limit', '5')).events.map((e) => e.seq)).toEqual([19, 18, 17, 16, 15]);
    // Exactly a page left: no next page to offer.
    expect((await page('--after', '6', '--limit', '5')).next).toBeNull();
  });

  it('with --unsent, pages through the unsent events only', async () => {
    h.app.ledger.outbox.acknowledgeThrough(240, Date.now());
    const unsent = await page('--unsent');
    expect(unsent.events.map((e) => e.seq)).toEqual(seqs(250, 241));
    expect(unsent.next).toBeNull();
    expect((await page('--unsent', '--after', '245')).events.map((e) => e.seq)).toEqual(seqs(244, 241));
  });

  it('tells the technician how to see older events, and refuses a bad --after', async () => {
    const text = await ctl('outbox', '--limit', '3');
    expect(text.out.split('\n').filter((l) => /^\d+ +door\.closed/.test(l)).map((l) => Number(l.split(' ')[0]))).toEqual([250, 249, 248]);
    expect(text.out).toContain('older events: lockerctl outbox --after 248 (with the same options)');
    for (const bad of ['0', '-3', 'x', '1.5']) {
      const r = await ctl('outbox', '--after', bad);
      expect(r.code).toBe(64);
      expect(r.out).toContain('--after must be an outbox seq, a whole number of at least 1');
    }
  });
});
