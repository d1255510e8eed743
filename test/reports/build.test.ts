/**
 * The report builder on a ledger with a known history (written through the ledger's own stores):
 * every figure a property manager reads, computed by hand below.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LockerdConfig } from '../../src/config/types.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { applyConfig } from '../../src/locker/apply-config.js';
import { buildReport, buildReportSliced, periodOfDays, refusedSize } from '../../src/reports/build.js';
import { ReportReads } from '../../src/reports/ledger-reads.js';
import { Calendar } from '../../src/reports/calendar.js';
import { compartmentsNeeded, sizeSizing } from '../../src/reports/sizing.js';
import { tempDir, testConfig } from '../helpers/fixtures.js';
import { audit, deliver, dropReturn } from './ledger-history.js';

const NOW = Date.parse('2026-11-30T12:00:00Z'); // a Monday
const utc = new Calendar('UTC');

describe('the report builder', () => {
  let cleanup: () => void;
  let ledger: Ledger;

  beforeEach(() => {
    const t = tempDir();
    cleanup = t.cleanup;
    const base = testConfig(t.dir);
    // A small locker, so its sizes fill: S A01 A02 A03 A07 B01, M A05 A09, L A11 A12, XL A13.
    const keep = new Set(['A01', 'A02', 'A03', 'B01', 'A05', 'A11', 'A13', 'A07', 'A09', 'A12']);
    const config: LockerdConfig = { ...base, compartments: base.compartments.filter((c) => keep.has(c.id)) };
    ledger = Ledger.open({ path: config.ledger.path, keyFile: config.ledger.keyFile });
    applyConfig(ledger, config, Date.parse('2026-11-01T00:00:00Z'));
    const d = (compartmentId: string, size: 'S' | 'M' | 'L' | 'XL', carrier: string | null, at: string, pickedUpAt?: string) =>
      deliver(ledger, { compartmentId, size, carrier, at, ...(pickedUpAt ? { pickedUpAt } : {}) });
    d('A01', 'S', 'UPS', '2026-11-20T10:00:00Z', '2026-11-21T10:00:00Z'); // outside the period
    d('A01', 'S', 'UPS', '2026-11-27T20:00:00Z', '2026-11-28T09:00:00Z'); // in before it began, picked up in it: 46800 s
    d('A02', 'S', 'UPS', '2026-11-28T10:00:00Z', '2026-11-28T10:30:00Z'); // 1800 s
    d('A05', 'M', 'UPS', '2026-11-28T10:15:00Z', '2026-11-29T10:15:00Z'); // 86400 s
    d('A11', 'L', 'DHL', '2026-11-29T14:00:00Z'); // waiting
    d('A13', 'XL', 'DHL', '2026-11-29T15:00:00Z'); // waiting
    dropReturn(ledger, { compartmentId: 'B01', size: 'S', at: '2026-11-29T15:30:00Z' });
    d('A03', 'S', null, '2026-11-30T09:00:00Z', '2026-11-30T09:10:00Z'); // 600 s
    d('A01', 'S', 'FedEx', '2026-11-30T09:30:00Z');
    d('A02', 'S', 'FedEx', '2026-11-30T09:40:00Z');
    d('A03', 'S', 'FedEx', '2026-11-30T09:50:00Z'); // S full: B01 (the return), A01, A02, A03
    audit(ledger, '2026-11-27T10:00:00Z', 'deposit.refused_full', null, { unit: '101', size: 'S', fullSizes: ['S'] }); // before the period
    audit(ledger, '2026-11-29T16:00:00Z', 'deposit.refused_full', null, { unit: '101', size: 'L', fullSizes: ['L', 'XL'] });
    audit(ledger, '2026-11-30T10:00:00Z', 'deposit.refused_full', null, { unit: '101', size: 'auto', fullSizes: ['S', 'M', 'L', 'XL'] });
    audit(ledger, '2026-11-30T10:05:00Z', 'deposit.refused_full_at_login', null, { courierId: 'ups-demo', carrier: 'UPS' });
    audit(ledger, '2026-11-28T11:00:00Z', 'door.unlock_failed', 'A07', { outcome: 'unconfirmed' });
    audit(ledger, '2026-11-29T11:00:00Z', 'door.unlock_failed', 'A07', { outcome: 'no_response' });
    audit(ledger, '2026-11-29T12:00:00Z', 'door.forced_open', 'A12');
    audit(ledger, '2026-11-29T13:00:00Z', 'door.left_open', 'A05', { openedAt: 0 });
    audit(ledger, '2026-11-30T08:00:00Z', 'deposit.door_did_not_open', 'A09', { operation: null });
    audit(ledger, '2026-11-30T08:01:00Z', 'door.closed', 'A12'); // not an incident
    ledger.transaction(() => ledger.compartments.setOutOfService('A07', 'door did not open for a deposit (no_response)'));
  });

  afterEach(() => {
    ledger.close();
    cleanup();
  });

  const report = () => buildReport(ledger, { period: periodOfDays(3, NOW, utc), calendar: utc, kioskId: 'demo-locker', now: NOW });

  it('reads the same in slices as at once, and the daemon\'s sliced build gives the same Report', async () => {
    const reads = new ReportReads(ledger);
    const { from, to } = periodOfDays(3, NOW, utc);
    const whole = [...reads.parcelSlices(from, to, 1_000_000)];
    const sliced = [...reads.parcelSlices(from, to, 3)];
    expect(whole).toHaveLength(1);
    expect(sliced.length).toBeGreaterThan(3);
    expect(sliced.flat()).toEqual(whole.flat());
    expect([...reads.incidentSlices(from, to, 2)].flat()).toEqual([...reads.incidentSlices(from, to, 1_000_000)].flat());
    expect([...reads.incidentSlices(from, to, 2)].flat()).toHaveLength(8);
    expect(await buildReportSliced(ledger, { period: { from, to }, calendar: utc, kioskId: 'demo-locker', now: NOW })).toEqual(report());
  });

  it('covers the last N local days, today included', () => {
    const r = report();
    expect(r.period).toEqual({ from: '2026-11-28T00:00:00.000Z', to: '2026-11-30T12:00:00.000Z', days: 3 });
    expect(r.timeZone).toBe('UTC');
    expect(r.ledgerSince).toBe('2026-11-01T00:00:00.000Z');
  });

  it('counts deliveries and pickups per day, by carrier, and when couriers came', () => {
    const r = report();
    expect(r.totals).toEqual({ deliveries: 8, pickups: 4, returns: 1, overflow: 3, doorIncidents: 5, waitingNow: 6 });
    expect(r.days).toEqual([
      { date: '2026-11-28', deliveries: 2, pickups: 2, overflow: 0 },
      { date: '2026-11-29', deliveries: 2, pickups: 1, overflow: 1 },
      { date: '2026-11-30', deliveries: 4, pickups: 1, overflow: 2 },
    ]);
    expect(r.carriers).toEqual([{ carrier: 'FedEx', deliveries: 3 }, { carrier: 'DHL', deliveries: 2 }, { carrier: 'UPS', deliveries: 2 }, { carrier: null, deliveries: 1 }]);
    expect(r.peakHours.busiest).toEqual({ weekday: 0, hour: 9, deposits: 4 });
    expect(r.peakHours.deposits[5]![10]).toBe(2); // Saturday 10:00
    expect(r.peakHours.deposits[6]![14]).toBe(1); // Sunday 14:00
    expect(r.peakHours.deposits.flat().reduce((a, b) => a + b, 0)).toBe(8);
  });

  it('gives nearest-rank dwell percentiles, overall and by size', () => {
    const r = report();
    expect(r.dwell.all).toEqual({ parcels: 4, p50: 1800, p90: 86400, p99: 86400 });
    expect(r.dwell.bySize.S).toEqual({ parcels: 3, p50: 1800, p90: 46800, p99: 46800 });
    expect(r.dwell.bySize.M).toEqual({ parcels: 1, p50: 86400, p90: 86400, p99: 86400 });
    expect(r.dwell.bySize.XL).toEqual({ parcels: 0, p50: null, p90: null, p99: null });
  });

  it('reconstructs occupancy hour by hour and its high-water mark per size', () => {
    const r = report();
    expect(r.occupancy.stepMinutes).toBe(60);
    expect(r.occupancy.samples).toHaveLength(60);
    const at = (iso: string) => r.occupancy.samples.find((s) => s.at === iso)!.sizes;
    expect(at('2026-11-28T00:00:00.000Z')).toEqual({ S: 1, M: 0, L: 0, XL: 0 }); // in since the evening before
    expect(at('2026-11-28T10:00:00.000Z')).toEqual({ S: 1, M: 1, L: 0, XL: 0 });
    expect(at('2026-11-30T09:00:00.000Z')).toEqual({ S: 4, M: 0, L: 1, XL: 1 });
    const hw = Object.fromEntries(r.sizing.sizes.map((s) => [s.size, [s.capacity, s.highWater, s.highWaterAt]]));
    expect(hw).toEqual({
      S: [5, 4, '2026-11-30T09:50:00.000Z'],
      M: [2, 1, '2026-11-28T10:15:00.000Z'],
      L: [2, 1, '2026-11-29T14:00:00.000Z'],
      XL: [1, 1, '2026-11-29T15:00:00.000Z'],
    });
  });

  it('counts couriers turned away from the audit trail, by the smallest size that was full', () => {
    const r = report();
    expect(r.overflow).toEqual({ bySize: { S: 1, M: 0, L: 1, XL: 0 }, unsized: 1, atLogin: 1 });
    expect(refusedSize({ size: 'auto', fullSizes: ['M', 'L'] })).toBe('M');
    expect(refusedSize({ size: 'XL', fullSizes: [] })).toBeNull();
    expect(refusedSize(null)).toBeNull();
  });

  it('lists the doors that needed attention, the worst first', () => {
    const r = report();
    expect(r.doors.map((d) => [d.compartmentId, d.failedOpens, d.jammed, d.forced, d.leftOpen])).toEqual([
      ['A07', 2, 0, 0, 0],
      ['A05', 0, 0, 0, 1],
      ['A09', 0, 1, 0, 0],
      ['A12', 0, 0, 1, 0],
    ]);
    expect(r.doors[0]!.outOfServiceNow).toBe('door did not open for a deposit (no_response)');
    expect(r.doors[0]!.lastAt).toBe('2026-11-29T11:00:00.000Z');
  });

  it('says per size whether the peak kept 20% free and how many compartments would', () => {
    const r = report();
    const v = Object.fromEntries(r.sizing.sizes.map((s) => [s.size, [s.verdict, s.peakDemand, s.needed, s.add]]));
    // S: 4 in use + 1 turned away = 5, / 0.8 = 6.25, so 7 of 5; L: 1 + 1 = 2, so 3 of 2;
    // M: 1 of 2 is 50%; XL: 1 of 1, 100%, needs 2.
    expect(v).toEqual({ S: ['short', 5, 7, 2], M: ['ok', 1, 2, 0], L: ['short', 2, 3, 1], XL: ['tight', 1, 2, 1] });
    expect(r.sizing.sizes[0]!.outOfService).toBe(1); // A07
    expect(r.sizing.summary).toBe('Add 2 S, 1 L and 1 XL compartments to keep 20% free at the busiest time.');
  });
});

describe('the sizing formula', () => {
  const load = { size: 'M' as const, capacity: 10, outOfService: 0, highWaterAt: null, overflow: 0, overflowWorstDay: 0 };

  it('keeps 20% free: 8 of 10 in use is enough, 9 is not', () => {
    expect(compartmentsNeeded(8)).toBe(10);
    expect(compartmentsNeeded(12)).toBe(15);
    expect(sizeSizing({ ...load, highWater: 8 })).toMatchObject({ verdict: 'ok', add: 0, needed: 10 });
    expect(sizeSizing({ ...load, highWater: 9 })).toMatchObject({ verdict: 'tight', add: 2, needed: 12 });
    expect(sizeSizing({ ...load, highWater: 10, overflow: 7, overflowWorstDay: 4 })).toMatchObject({ verdict: 'short', peakDemand: 14, needed: 18, add: 8 });
    expect(sizeSizing({ ...load, capacity: 0, highWater: 0 })).toMatchObject({ verdict: 'none_installed', add: 0 });
  });
});

describe('the local calendar', () => {
  it('places moments in the locker\'s days and hours across a DST change', () => {
    const berlin = new Calendar('Europe/Berlin');
    // 2026-10-25: clocks go back at 03:00 CEST; the day has 25 hours.
    const day = berlin.dayOf(Date.parse('2026-10-25T12:00:00Z'));
    expect(Calendar.dateOf(day)).toBe('2026-10-25');
    expect(new Date(berlin.startOfDay(day)).toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(new Date(berlin.startOfDay(day + 1)).toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect(berlin.hourOf(Date.parse('2026-10-25T23:30:00Z'))).toBe(0);
    expect(berlin.weekdayOf(Date.parse('2026-10-25T12:00:00Z'))).toBe(6); // a Sunday
    expect(Calendar.dayOfDate('2026-02-30')).toBeNull();
  });
});
