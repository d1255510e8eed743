/**
 * report.daily: the previous local day's summary, exactly once per day across restarts and
 * clocks set back, never for days before the ledger existed, valid by the MQTT contract.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LockerdConfig } from '../../src/config/types.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { applyConfig } from '../../src/locker/apply-config.js';
import { Calendar } from '../../src/reports/calendar.js';
import { DailyReportUnit, LAST_REPORTED_DAY } from '../../src/reports/daily.js';
import { checkEvent } from '../../src/sync/validate.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { audit, deliver } from './ledger-history.js';

const utc = new Calendar('UTC');

describe('the daily report event', () => {
  let cleanup: () => void;
  let config: LockerdConfig;
  let ledger: Ledger;
  let clock: number;
  const open = () => Ledger.open({ path: config.ledger.path, keyFile: config.ledger.keyFile });
  const unit = () => new DailyReportUnit({ ledger, kioskId: 'demo-locker', now: () => clock, log: captureLogger().log, calendar: utc });
  const at = (iso: string) => (clock = Date.parse(iso));
  const events = () => ledger.outbox.list({ limit: 1000 }).filter((e) => e.type === 'report.daily');

  beforeEach(() => {
    const t = tempDir();
    cleanup = t.cleanup;
    config = testConfig(t.dir);
    ledger = open();
    applyConfig(ledger, config, Date.parse('2026-11-28T08:00:00Z')); // the ledger's first day
  });

  afterEach(() => {
    ledger.close();
    cleanup();
  });

  it('sends the previous day once, after midnight, and not for days before the ledger existed', async () => {
    at('2026-11-28T20:00:00Z');
    expect(await unit().reportDue()).toEqual([]); // yesterday, the 27th, the ledger did not exist
    deliver(ledger, { compartmentId: 'A01', size: 'S', carrier: 'UPS', at: '2026-11-28T09:00:00Z', pickedUpAt: '2026-11-28T10:00:00Z' });
    deliver(ledger, { compartmentId: 'A02', size: 'S', carrier: 'UPS', at: '2026-11-28T09:20:00Z', pickedUpAt: '2026-11-28T19:20:00Z' });
    deliver(ledger, { compartmentId: 'A05', size: 'M', carrier: 'DHL', at: '2026-11-28T14:00:00Z' });
    audit(ledger, '2026-11-28T15:00:00Z', 'deposit.refused_full', null, { size: 'XL', fullSizes: ['XL'] });
    audit(ledger, '2026-11-28T16:00:00Z', 'door.forced_open', 'A12');
    deliver(ledger, { compartmentId: 'A03', size: 'S', carrier: 'UPS', at: '2026-11-29T00:01:00Z' }); // the next day

    at('2026-11-29T00:05:00Z');
    expect(await unit().reportDue()).toEqual(['2026-11-28']);
    const [e] = events();
    expect(e!.at).toBe(clock);
    expect(e!.data).toEqual({
      date: '2026-11-28', timeZone: 'UTC', from: '2026-11-28T00:00:00.000Z', to: '2026-11-29T00:00:00.000Z',
      deliveries: 3, pickups: 2, returns: 0,
      byCarrier: [{ carrier: 'UPS', deliveries: 2 }, { carrier: 'DHL', deliveries: 1 }],
      peakHour: { hour: 9, deliveries: 2 },
      dwellSeconds: { p50: 3600, p90: 36000 },
      occupancyHighWater: { S: { highWater: 2, capacity: 11 }, M: { highWater: 1, capacity: 9 }, L: { highWater: 0, capacity: 5 }, XL: { highWater: 0, capacity: 3 } },
      overflow: { total: 1, bySize: { S: 0, M: 0, L: 0, XL: 1 }, unsized: 0 },
      doorIncidents: 1,
      // A plain locker bank: one kind, no overflow into rooms or desks.
      storage: { kinds: [{ kind: 'lockers', id: null, capacity: 28, deliveries: 3, overflowIn: 0, pickups: 2, highWater: 2 }], overflowParcels: 0 },
    });
    expect(checkEvent({ id: e!.id, seq: e!.seq, type: e!.type, at: new Date(e!.at).toISOString(), kioskId: 'demo-locker', data: e!.data })).toBeNull();
    expect(ledger.meta.get(LAST_REPORTED_DAY)).toBe('2026-11-28');
    expect(await unit().reportDue()).toEqual([]);
  });

  it('never sends a day twice: not after a restart, not when the clock goes back', async () => {
    at('2026-11-29T00:05:00Z');
    expect(await unit().reportDue()).toEqual(['2026-11-28']);
    ledger.close();
    ledger = open(); // a restart
    at('2026-11-29T03:00:00Z');
    expect(await unit().reportDue()).toEqual([]);
    at('2026-11-28T23:00:00Z'); // the clock went back over midnight
    expect(await unit().reportDue()).toEqual([]);
    at('2026-11-29T00:30:00Z');
    expect(await unit().reportDue()).toEqual([]);
    expect(events().map((e) => e.data.date)).toEqual(['2026-11-28']);
  });

  it('catches up the days missed while the daemon was down, at most a week', async () => {
    at('2026-11-29T00:05:00Z');
    await unit().reportDue();
    at('2026-12-02T06:00:00Z');
    expect(await unit().reportDue()).toEqual(['2026-11-29', '2026-11-30', '2026-12-01']);
    at('2026-12-20T06:00:00Z');
    expect(await unit().reportDue()).toEqual(['2026-12-13', '2026-12-14', '2026-12-15', '2026-12-16', '2026-12-17', '2026-12-18', '2026-12-19']);
    const dates = events().map((e) => e.data.date);
    expect(new Set(dates).size).toBe(dates.length);
  });

  it('sends a day once when two checks overlap', async () => {
    at('2026-11-29T00:05:00Z');
    const [a, b] = await Promise.all([unit().reportDue(), unit().reportDue()]);
    expect([...a, ...b]).toEqual(['2026-11-28']);
    expect(events()).toHaveLength(1);
  });

  it('looks by itself once started, and stops', async () => {
    at('2026-11-29T00:05:00Z');
    const u = new DailyReportUnit({ ledger, kioskId: 'demo-locker', now: () => clock, log: captureLogger().log, calendar: utc, checkEveryMs: 10 });
    u.start();
    await u.running;
    expect(events()).toHaveLength(1); // at start
    at('2026-11-30T00:05:00Z');
    await new Promise((r) => setTimeout(r, 50));
    await u.running;
    u.stop();
    expect(events().map((e) => e.data.date)).toEqual(['2026-11-28', '2026-11-29']);
    at('2026-12-01T00:05:00Z');
    await new Promise((r) => setTimeout(r, 30));
    expect(events()).toHaveLength(2);
  });
});
