/**
 * The report per kind of storage on a locker bank that overflows into a package room and a front
 * desk: parcels put on places straight through the ledger (whichever flow would), every figure
 * computed by hand below. Rooms and desks count parcels against their places' capacity, never as
 * compartments; their parcels are the lockers' overflow at a locker bank, their own deliveries at
 * a room station.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LockerdConfig } from '../../src/config/types.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { applyConfig } from '../../src/locker/apply-config.js';
import { buildReport, buildReportSliced, periodOfDays, type ReportOptions } from '../../src/reports/build.js';
import { Calendar } from '../../src/reports/calendar.js';
import { dailySummary } from '../../src/reports/daily.js';
import { checkEvent } from '../../src/sync/validate.js';
import { renderReportHtml } from '../../src/reports/html.js';
import { formatReportText } from '../../src/reports/text.js';
import { tempDir, testConfig, type DeepPartial } from '../helpers/fixtures.js';
import { placeParcel } from '../helpers/storage-parcels.js';
import { audit, deliver } from './ledger-history.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const utc = new Calendar('UTC');
const at = (iso: string): number => Date.parse(iso);

describe('the report per kind of storage', () => {
  let cleanup: () => void;
  let ledger: Ledger;

  beforeEach(() => {
    const t = tempDir();
    cleanup = t.cleanup;
    const base = testConfig(t.dir, {
      rooms: [{ id: 'ROOM', board: 'B2', lock: 16, shelves: [{ id: 'R-A', capacity: 2 }, { id: 'R-B', capacity: 2, size: 'M' }] }],
      desks: [{ id: 'DESK', places: [{ id: 'D-1', capacity: 10 }] }],
    } as DeepPartial<LockerdConfig>);
    // Two S lockers only, so they fill.
    const config: LockerdConfig = { ...base, compartments: base.compartments.filter((c) => c.id === 'A01' || c.id === 'A02') };
    ledger = Ledger.open({ path: config.ledger.path, keyFile: config.ledger.keyFile });
    applyConfig(ledger, config, at('2026-11-01T00:00:00Z'));
    deliver(ledger, { compartmentId: 'A01', size: 'S', carrier: 'UPS', at: '2026-11-29T09:00:00Z', pickedUpAt: '2026-11-29T19:00:00Z' }); // 36000 s
    deliver(ledger, { compartmentId: 'A01', size: 'S', carrier: 'UPS', at: '2026-11-30T08:00:00Z' });
    deliver(ledger, { compartmentId: 'A02', size: 'S', carrier: 'UPS', at: '2026-11-30T08:10:00Z' });
    // The lockers are full: three S parcels and an M go to the room and the desk.
    const r1 = placeParcel(ledger, { area: 'ROOM', place: 'R-A', unit: '201', size: 'S', at: at('2026-11-30T08:20:00Z') });
    placeParcel(ledger, { area: 'ROOM', place: 'R-A', unit: '202', size: 'S', at: at('2026-11-30T08:30:00Z') });
    placeParcel(ledger, { area: 'ROOM', place: 'R-B', unit: '203', size: 'S', at: at('2026-11-30T08:40:00Z') });
    placeParcel(ledger, { area: 'DESK', place: 'D-1', unit: '204', size: 'M', at: at('2026-11-30T09:00:00Z') });
    ledger.transaction(() => ledger.parcels.end(r1, 'deposited', 'picked_up', at('2026-11-30T10:20:00Z'))); // 7200 s
  });

  afterEach(() => {
    ledger.close();
    cleanup();
  });

  const options = (o: Partial<ReportOptions> = {}): ReportOptions => ({ period: periodOfDays(2, NOW, utc), calendar: utc, kioskId: 'demo-locker', now: NOW, ...o });

  it('counts each kind as what it is: lockers in compartments, the room and the desk in parcels against capacity', () => {
    const r = buildReport(ledger, options());
    expect(r.totals).toMatchObject({ deliveries: 7, pickups: 2, waitingNow: 5 });
    const kinds = Object.fromEntries(r.storage.kinds.map((k) => [k.id ?? 'lockers', k]));
    expect(Object.keys(kinds)).toEqual(['lockers', 'DESK', 'ROOM']);
    expect(kinds.lockers).toMatchObject({
      kind: 'lockers', counts: 'compartments', capacity: 2, deliveries: 3, overflowIn: 0, pickups: 1, waitingNow: 2,
      highWater: 2, highWaterAt: '2026-11-30T08:10:00.000Z', peakShare: 1, dwell: { parcels: 1, p50: 36000 },
    });
    expect(kinds.ROOM).toMatchObject({
      kind: 'room', counts: 'parcels', capacity: 4, outOfServiceNow: null, deliveries: 3, overflowIn: 3, pickups: 1, waitingNow: 2,
      // 08:20, 08:30, 08:40: three at once until the first pickup at 10:20.
      highWater: 3, highWaterAt: '2026-11-30T08:40:00.000Z', peakShare: 0.75, dwell: { parcels: 1, p50: 7200 },
      // 3 parcels need ceil(3 / 0.8) = 4 places: the room is just enough.
      needed: 4, add: 0, verdict: 'ok',
    });
    expect(kinds.DESK).toMatchObject({ kind: 'desk', capacity: 10, deliveries: 1, overflowIn: 1, highWater: 1, verdict: 'ok' });
  });

  it('counts the overflow by size and area, and the lockers\' sizing sees it as demand they did not meet', () => {
    const r = buildReport(ledger, options());
    expect(r.storage.station).toBe('lockers');
    expect(r.storage.overflow).toEqual({ parcels: 4, bySize: { S: 3, M: 1, L: 0, XL: 0 }, byArea: [{ id: 'DESK', parcels: 1 }, { id: 'ROOM', parcels: 3 }] });
    const s = r.sizing.sizes.find((x) => x.size === 'S')!;
    // Two S lockers, both in use, and three S parcels sent to the room on the same day: 5 needed at the peak, 7 with 20% free.
    expect(s).toMatchObject({ capacity: 2, highWater: 2, overflow: 0, toStorage: 3, toStorageWorstDay: 3, peakDemand: 5, needed: 7, add: 5, verdict: 'tight' });
    expect(r.storage.kinds[0]).toMatchObject({ needed: 9, add: 7, verdict: 'tight' }); // S 7 (+5), and M 2 (+2: none installed, one sent to the desk)
    // Nobody was turned away.
    expect(r.totals.overflow).toBe(0);
  });

  it('keeps the room\'s parcels out of the lockers\' size occupancy, and samples each kind', () => {
    const r = buildReport(ledger, options());
    const hour = (iso: string) => r.occupancy.samples.find((x) => x.at === iso)!;
    // 08:00-09:00: the two lockers; the room reaches three parcels; the desk none yet.
    expect(hour('2026-11-30T08:00:00.000Z')).toEqual({ at: '2026-11-30T08:00:00.000Z', sizes: { S: 2, M: 0, L: 0, XL: 0 }, kinds: { lockers: 2, ROOM: 3 } });
    expect(hour('2026-11-30T10:00:00.000Z').kinds).toEqual({ lockers: 2, ROOM: 3, DESK: 1 });
    expect(hour('2026-11-30T11:00:00.000Z').kinds).toEqual({ lockers: 2, ROOM: 2, DESK: 1 });
    expect(r.sizing.sizes.find((x) => x.size === 'XL')!.capacity).toBe(0);
    expect(r.dwell.bySize.S).toMatchObject({ parcels: 1, p50: 36000 }); // the lockers' only
    expect(r.dwell.all).toMatchObject({ parcels: 2 });
  });

  it('counts parcels a full room or desk turned away as demand it did not meet: short, however empty it looked', () => {
    const before = buildReport(ledger, options()).storage.kinds.find((k) => k.id === 'ROOM')!;
    expect(before.turnedAway).toBe(0);
    audit(ledger, '2026-11-30T10:30:00Z', 'room.full', null, { roomId: 'ROOM' });
    // A windowed summary row of the refusal recorder stands for several.
    audit(ledger, '2026-11-30T10:35:00Z', 'room.full', null, { roomId: 'ROOM', count: 3 });
    audit(ledger, '2026-11-30T10:36:00Z', 'desk.full', null, { desk: 'DESK' });
    const r = buildReport(ledger, options());
    const room = r.storage.kinds.find((k) => k.id === 'ROOM')!;
    expect(room).toMatchObject({ turnedAway: 4, verdict: 'short', needed: Math.ceil((before.highWater + 4) / 0.8) });
    expect(r.storage.kinds.find((k) => k.id === 'DESK')).toMatchObject({ turnedAway: 1, verdict: 'short' });
    expect(r.storage.kinds.find((k) => k.id === null)!.turnedAway).toBe(0);
    expect(formatReportText(r)).toContain('Package room ROOM: ');
    expect(formatReportText(r)).toContain('it was full and 4 parcels could not go in');
    expect(renderReportHtml(r)).toContain('<th class="n">Turned away full</th>');
  });

  it('at a package room station, the room\'s parcels are its own deliveries, not overflow', () => {
    const r = buildReport(ledger, options({ station: 'room' }));
    expect(r.storage.overflow.parcels).toBe(0);
    expect(r.storage.kinds.find((k) => k.id === 'ROOM')).toMatchObject({ deliveries: 3, overflowIn: 0 });
    expect(r.sizing.sizes.find((x) => x.size === 'S')).toMatchObject({ toStorage: 0, add: 1, verdict: 'tight' });
    // The page calls it what it is.
    expect(renderReportHtml(r)).toContain('<title>Package room report: ');
    expect(renderReportHtml(buildReport(ledger, options()))).toContain('<title>Parcel locker report: ');
  });

  it('calls a room that held more than its shelves take short, and says what is out of service', () => {
    ledger.transaction(() => {
      ledger.storage.deactivatePlace('R-B');
      ledger.storage.setOutOfService('ROOM', 'strike broken');
    });
    audit(ledger, '2026-11-30T11:00:00Z', 'door.left_open', 'ROOM', { openedAt: 0 });
    const r = buildReport(ledger, options());
    const room = r.storage.kinds.find((k) => k.id === 'ROOM')!;
    expect(room).toMatchObject({ capacity: 2, highWater: 3, verdict: 'short', needed: 4, add: 2, outOfServiceNow: 'strike broken' });
    // The room's door needed attention like a locker's, and the report says it is out of service now.
    expect(r.doors).toEqual([{ compartmentId: 'ROOM', failedOpens: 0, jammed: 0, forced: 0, leftOpen: 1, lastAt: '2026-11-30T11:00:00.000Z', outOfServiceNow: 'strike broken' }]);
  });

  it('says it in the terminal and on the page, and the daemon\'s sliced build agrees', async () => {
    const r = buildReport(ledger, options());
    expect(await buildReportSliced(ledger, options())).toEqual(r);
    const text = formatReportText(r);
    expect(text).toContain('  to the overflow 4 (DESK 1, ROOM 3): no compartment of their size was free\n');
    expect(text).toContain('By kind of storage:\n  Lockers: room for 2 compartments, 3 deliveries, at most 2 in use at once (100%): less than 20% free');
    expect(text).toContain('  Package room ROOM: room for 4 parcels, 3 deliveries (3 of them overflow from the lockers), at most 3 in use at once (75%): enough, at least 20% stayed free.');
    expect(text).toContain('S: 2 compartments, up to 2 in use at once (100%); 3 parcels went to the overflow for want of one (3 on the worst day): add 5 to keep 20% free.');
    const html = renderReportHtml(r);
    expect(html).toContain('<h2>Lockers, rooms and desks</h2>');
    expect(html).toContain('4 parcels went to the overflow because no compartment of their size was free: DESK 1, ROOM 3.');
    for (const chart of ['occupancy-kind-lockers', 'occupancy-kind-ROOM', 'occupancy-kind-DESK']) expect(html).toContain(`data-chart="${chart}"`);
  });

  it('sends the figures per kind upstream in the daily event, valid against the contract', () => {
    const r = buildReport(ledger, options());
    const data = dailySummary(r, '2026-11-30');
    expect(data.storage).toEqual({
      kinds: [
        { kind: 'lockers', id: null, capacity: 2, deliveries: 3, overflowIn: 0, pickups: 1, highWater: 2 },
        { kind: 'desk', id: 'DESK', capacity: 10, deliveries: 1, overflowIn: 1, pickups: 0, highWater: 1 },
        { kind: 'room', id: 'ROOM', capacity: 4, deliveries: 3, overflowIn: 3, pickups: 1, highWater: 3 },
      ],
      overflowParcels: 4,
    });
    expect(checkEvent({ id: '01935c1e-7c2a-7000-8000-000000000001', seq: 1, type: 'report.daily', at: new Date(NOW).toISOString(), kioskId: 'demo-locker', data })).toBeNull();
  });

  it('shows nothing of kinds at a plain locker bank', () => {
    const t = tempDir();
    const plain = Ledger.open({ path: `${t.dir}/p.db`, keyFile: `${t.dir}/p.key` });
    try {
      applyConfig(plain, testConfig(t.dir), at('2026-11-01T00:00:00Z'));
      deliver(plain, { compartmentId: 'A01', size: 'S', carrier: 'UPS', at: '2026-11-30T08:00:00Z' });
      const r = buildReport(plain, options());
      expect(r.storage.kinds.map((k) => k.kind)).toEqual(['lockers']);
      expect(renderReportHtml(r)).not.toContain('Lockers, rooms and desks');
      expect(formatReportText(r)).not.toContain('overflow');
    } finally {
      plain.close();
      t.cleanup();
    }
  });
});
