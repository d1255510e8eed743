/**
 * lockerctl report against the real app on the simulated locker: deposits, a pickup and a
 * courier turned away at the kiosk, then the report as text, JSON and an HTML file; bad input
 * (--days 0, --days abc, an existing --html FILE) refused with exit 64 and nothing written.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClientError, request } from '../../src/control/client.js';
import type { Report } from '../../src/reports/report.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';
import { inProcessLockerctl } from '../helpers/control-app.js';

describe('lockerctl report', { timeout: 60_000 }, () => {
  let dir: string;
  let cleanup: () => void;
  let h: LockerHarness;
  let socket: string;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    const config = testConfig(dir);
    socket = config.control.socketPath;
    h = await LockerHarness.start(config, captureLogger().log, undefined, { controlSocket: true });
    // The three XL compartments filled, a fourth XL parcel refused, then one resident collects.
    for (const unit of ['101', '103', '105']) await h.deposit({ unit, size: '4' });
    const code = h.latestCode();
    await expect(h.deposit({ unit: '201', size: '4' })).rejects.toThrow(/No free compartment in size XL/);
    await h.keys('*');
    await h.keys(`${code}#`);
    const open = h.app.locker.openDoors().at(-1)!.compartmentId;
    await h.door(open, true);
    await h.door(open, false);
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
    cleanup?.();
  });

  const ctl = inProcessLockerctl(() => socket);

  it('reports what the locker did, as JSON', async () => {
    const r = await ctl('--json', 'report', '--days', '7');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as Report;
    expect(report.period.days).toBe(7);
    expect(report.totals).toMatchObject({ deliveries: 3, pickups: 1, overflow: 1, waitingNow: 2 });
    expect(report.overflow.bySize.XL).toBe(1);
    const xl = report.sizing.sizes.find((s) => s.size === 'XL')!;
    expect(xl).toMatchObject({ capacity: 3, highWater: 3, overflow: 1, verdict: 'short' });
    expect(report.carriers).toEqual([{ carrier: 'UPS', deliveries: 3 }]);
  });

  it('prints a summary by default', async () => {
    const r = await ctl('report');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\(30 days, /);
    expect(r.out).toContain('deliveries      3 (0.1 a day), pickups 1');
    expect(r.out).toContain('turned away     1 (XL 1)');
    expect(r.out).toMatch(/XL: 3 compartments, up to 3 in use at once \(100%\); 1 courier turned away/);
  });

  it('writes the page to a new file, and never over an existing one', async () => {
    const file = join(dir, 'report.html');
    const r = await ctl('report', '--html', file);
    expect(r).toMatchObject({ code: 0, out: '' });
    expect(r.err).toBe(`report of 30 days written to ${file}\n`);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    for (const chart of ['daily', 'heatmap', 'occupancy-XL', 'dwell', 'carriers', 'overflow']) expect(html).toContain(`data-chart="${chart}"`);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    const again = await ctl('report', '--html', file);
    expect(again).toEqual({ code: 64, out: '', err: `lockerctl: ${file} exists; give a new file name (a report never overwrites)\nsee 'lockerctl report --help'\n` });
    expect(readFileSync(file, 'utf8')).toBe(html);
  });

  it('refuses a number of days that is not one, on either side', async () => {
    expect(await ctl('report', '--days', '0')).toEqual({ code: 64, out: '', err: expect.stringMatching(/^lockerctl: --days must be a whole number of days from 1 to 730, not "0"\n/) });
    expect((await ctl('report', '--days', 'abc')).err).toMatch(/^lockerctl: --days must be a whole number of days from 1 to 730, not "abc"\n/);
    expect((await ctl('report', '--days', '1.5')).code).toBe(64);
    const file = join(dir, 'not-written.html');
    expect((await ctl('report', '--days', '-3', '--html', file)).code).toBe(64);
    expect(existsSync(file)).toBe(false);
    // The daemon checks too: another client may send anything.
    for (const days of [0, 'abc', 1.5, 731]) {
      const e = await request(socket, 'report', { days }).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(ControlClientError);
      expect((e as ControlClientError).kind).toBe('usage');
    }
  });
});
