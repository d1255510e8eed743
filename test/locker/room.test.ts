/**
 * The package room's rules on the real app and ledger (simulated doors only): the scan-out
 * deadline flags parcels for staff and survives a restart, staff resolve flags, "done" marks all,
 * a label scanned at the welcome screen still scans out, and bad input changes nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { LockerdConfig } from '../../src/config/types.js';
import { captureLogger, tempDir, exampleConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';
import { LABELS } from '../helpers/room.js';

const MINUTE = 60_000;

describe('the package room', () => {
  let dir: string;
  let cleanup: () => void;
  let configPath: string;
  let h: LockerHarness;
  let t: number;
  const now = (): number => t;
  const logs = captureLogger('debug');

  const start = async (edit?: (c: Record<string, any>) => void): Promise<LockerHarness> => {
    if (edit) {
      const json = JSON.parse(readFileSync(configPath, 'utf8'));
      edit(json);
      writeFileSync(configPath, JSON.stringify(json));
    }
    const config: LockerdConfig = loadConfig(configPath);
    return LockerHarness.start(config, logs.log, now);
  };
  const events = (type: string) => h.app.ledger.outbox.list({ limit: 1000 }).filter((e) => e.type === type);

  /** A courier puts LABELS[i] for `unit` on the named shelf. */
  const store = async (i: number, unit: string): Promise<void> => {
    await h.scan(LABELS[i]!);
    await h.keys(`${unit}#`);
    expect(await h.keys('#')).toEqual([expect.stringMatching(/^Parcel stored on shelf R-/)]);
  };

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    configPath = exampleConfig('package-room.json', dir);
    t = Date.parse('2026-12-01T10:00:00Z');
    h = await start();
    await h.keys('111111#');
    await h.door('ROOM', false);
    await store(0, '303');
    await store(1, '303');
    await store(2, '201');
    await h.keys('*');
  });

  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  it('flags the parcels a resident did not scan out in time; they stay deposited and the code still opens the room', async () => {
    const code = h.app.ledger.outbox.list({ limit: 100 }).find((e) => e.type === 'parcel.deposited' && e.data.unit === '303' && e.data.code)!.data.code as string;
    expect(await h.keys(`${code}#`)).toEqual([expect.stringMatching(/^The room door is open\. Your parcels: R-A/)]);
    await h.door('ROOM', false);
    await h.scan(LABELS[0]!);
    // 10 minutes (scanOutWithinMs) later, one parcel was not scanned out.
    t += 10 * MINUTE - 1;
    expect(h.app.locker.rooms.checkScanOuts()).toBe(0);
    t += 1;
    expect(h.app.locker.rooms.checkScanOuts()).toBe(1);
    const flagged = h.app.locker.rooms.flagged();
    expect(flagged.map((p) => [p.tracking, p.state, p.pickupFlaggedAt])).toEqual([[LABELS[1], 'deposited', t]]);
    expect(events('parcel.pickup_unconfirmed').map((e) => e.data)).toEqual([expect.objectContaining({ placeId: 'R-A', unit: '303', compartmentId: 'ROOM' })]);
    expect(h.app.ledger.audit.recent(20).some((a) => a.action === 'parcel.pickup_unconfirmed' && a.parcelId === flagged[0]!.id)).toBe(true);
    // Checked again: nothing new.
    t += MINUTE;
    expect(h.app.locker.rooms.checkScanOuts()).toBe(0);
    // The resident comes back: the code still opens the room.
    expect(await h.keys(`${code}#`)).toEqual([`The room door is open. Your parcels: R-A (${LABELS[1]}). On your way out, scan each label here.`]);
  });

  it('rebuilds the scan-out deadline from the ledger at a restart', async () => {
    const code = h.app.ledger.outbox.list({ limit: 100 }).find((e) => e.type === 'parcel.deposited' && e.data.unit === '201' && e.data.code)!.data.code as string;
    await h.keys(`${code}#`);
    await h.door('ROOM', false);
    await h.stop();
    // Down past the deadline: the new boot flags it at start.
    t += 11 * MINUTE;
    h = await start();
    expect(h.app.locker.rooms.flagged().map((p) => p.tracking)).toEqual([LABELS[2]]);
    expect(events('parcel.pickup_unconfirmed')).toHaveLength(1);
  });

  it('staff resolve a flag: still there (it waits on, unflagged) or taken (picked up, confirmed by staff)', async () => {
    const rooms = h.app.locker.rooms;
    const byUnit = (u: string) => h.app.ledger.parcels.list().filter((p) => p.unit === u);
    const code303 = h.app.ledger.outbox.list({ limit: 100 }).find((e) => e.type === 'parcel.deposited' && e.data.unit === '303' && e.data.code)!.data.code as string;
    await h.keys(`${code303}#`);
    await h.door('ROOM', false);
    t += 10 * MINUTE;
    rooms.checkScanOuts();
    const [first, second] = rooms.flagged();
    expect(rooms.resolve(LABELS[4]!, 'taken', 'technician:alice')).toBeNull(); // not a parcel id: refused, nothing changed
    expect(rooms.resolve(byUnit('201')[0]!.id, 'taken', 'technician:alice')).toBeNull(); // not flagged
    expect(rooms.resolve(first!.id, 'still_there', 'technician:alice')!).toMatchObject({ state: 'deposited', pickupFlaggedAt: null });
    expect(rooms.resolve(second!.id, 'taken', 'technician:alice')!).toMatchObject({ state: 'picked_up' });
    expect(rooms.flagged()).toEqual([]);
    expect(events('parcel.pickup_resolved').map((e) => e.data.outcome).sort()).toEqual(['still_there', 'taken']);
    expect(events('parcel.picked_up').map((e) => e.data.confirmedBy)).toEqual(['staff']);
    // One of 303's parcels still waits: the code is live.
    expect(h.app.ledger.codes.liveForUnit('303')).toBeDefined();
  });

  it('a label scanned at the welcome screen after the resident left the list still scans the parcel out; someone else\'s is a wrong pickup', async () => {
    const code = h.app.ledger.outbox.list({ limit: 100 }).find((e) => e.type === 'parcel.deposited' && e.data.unit === '201' && e.data.code)!.data.code as string;
    await h.keys(`${code}#`);
    await h.door('ROOM', false);
    expect(await h.keys('*')).toEqual(['On your way out, scan each parcel label here.']);
    expect(h.app.kiosk.state).toBe('idle');
    // 303's parcel: nobody let in for it, so whoever scans it has someone else's.
    expect(await h.scan(LABELS[0]!)).toEqual(['That parcel is not yours. Please put it back on shelf R-A.']);
    expect(events('parcel.wrong_pickup').map((e) => e.data)).toEqual([expect.objectContaining({ unit: '303', byUnit: null, placeId: 'R-A' })]);
    expect(await h.scan(LABELS[2]!)).toEqual(['Thank you: your parcel from shelf R-A is checked out.']);
    expect(h.app.ledger.parcels.list().find((p) => p.tracking === LABELS[2])!.state).toBe('picked_up');
    // Its deadline ended with it: nothing is flagged later.
    t += 11 * MINUTE;
    expect(h.app.locker.rooms.checkScanOuts()).toBe(0);
  });

  it('refuses bad input and changes nothing: an unknown shelf, a full shelf, an unknown unit, a label not in the room', async () => {
    const rooms = h.app.locker.rooms;
    const courier = { id: 'ups-demo', carrier: 'UPS' } as never;
    const before = h.app.ledger.parcels.list().length;
    expect(rooms.depositOnShelf({ roomId: 'ROOM', courier, unit: '303', tracking: LABELS[3]!, carrier: 'UPS', shelf: 'R-Z' })).toEqual({ ok: false, reason: 'unknown_shelf' });
    expect(rooms.depositOnShelf({ roomId: 'ROOM', courier, unit: '303', tracking: LABELS[3]!, carrier: 'UPS', shelf: 'R-C' })).toEqual({ ok: true, parcelId: expect.any(String), placeId: 'R-C' });
    expect(rooms.depositOnShelf({ roomId: 'ROOM', courier, unit: '303', tracking: LABELS[4]!, carrier: 'UPS', shelf: 'R-C' })).toEqual({ ok: false, reason: 'shelf_full', placeId: 'R-C' });
    expect(rooms.depositOnShelf({ roomId: 'ROOM', courier, unit: '999', tracking: LABELS[4]!, carrier: 'UPS' })).toEqual({ ok: false, reason: 'unknown_unit' });
    expect(rooms.depositOnShelf({ roomId: 'ROOM', courier, unit: '303', tracking: LABELS[0]!, carrier: 'UPS' })).toMatchObject({ ok: false, reason: 'duplicate' });
    expect(h.app.ledger.parcels.list().length).toBe(before + 1);
    const outbox = h.app.ledger.outbox.list({ limit: 1000 }).length;
    expect(rooms.scanOut('ROOM', LABELS[4]!, { unit: '303', codeId: 1 })).toEqual({ ok: false, reason: 'not_in_room' });
    expect(h.app.ledger.outbox.list({ limit: 1000 }).length).toBe(outbox);
  });
});

describe('a package room with pickupConfirm "done"', () => {
  it('marks every listed parcel picked up when the resident presses #', async () => {
    const { dir, cleanup } = tempDir();
    const path = exampleConfig('package-room.json', dir);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    json.rooms[0].pickupConfirm = 'done';
    writeFileSync(path, JSON.stringify(json));
    const h = await LockerHarness.start(loadConfig(path), captureLogger().log);
    try {
      await h.keys('111111#');
      await h.door('ROOM', false);
      for (const label of LABELS.slice(0, 2)) {
        await h.scan(label);
        await h.keys('101#');
        await h.keys('#');
      }
      await h.keys('*');
      const said = await h.keys(`${h.latestCode()}#`);
      expect(said).toEqual([`The room door is open. Your parcels: R-A (${LABELS[0]}), R-A (${LABELS[1]}). On your way out, scan each label here, or press # when you have them all.`]);
      expect(h.screens.at(-1)!.choices.map((c) => c.labelId)).toEqual(['choice.cancel', 'choice.pickupDone']);
      expect(await h.keys('#')).toEqual(['Thank you. 2 parcels marked as collected.']);
      expect(h.app.ledger.parcels.list().map((p) => p.state)).toEqual(['picked_up', 'picked_up']);
      expect(h.app.ledger.outbox.list({ limit: 100 }).filter((e) => e.type === 'parcel.picked_up').map((e) => e.data.confirmedBy)).toEqual(['done', 'done']);
    } finally {
      await h.stop();
      cleanup();
    }
  });
});
