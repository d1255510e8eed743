/**
 * The same tracking number twice while its first parcel is still in the locker: refused at the
 * kiosk after the scan (or the keyed number), before any door opens; recorded in the audit trail,
 * and once per parcel upstream.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validators } from '../../src/sync/validate.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

describe('a tracking number already in the locker', () => {
  let cleanup: () => void;
  let h: LockerHarness;

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    h = await LockerHarness.start(testConfig(dir), captureLogger().log);
  });

  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  const counts = () => ({
    parcels: h.app.ledger.parcels.list({ limit: 10_000 }).length,
    ops: (h.app.ledger.db.prepare('SELECT count(*) AS n FROM door_operations').get() as { n: number }).n,
  });
  const refusedEvents = () => h.app.ledger.outbox.list({ limit: 10_000 }).filter((e) => e.type === 'deposit.refused');

  it('is refused after the scan, before a door opens, recorded, and heard upstream once', async () => {
    const first = await h.deposit({ unit: '101', tracking: '1Z999AA10123456784' });
    const parcel = h.app.ledger.parcels.activeIn(first)!;
    const before = counts();

    await h.keys('222222#');
    expect(await h.scan('1Z999AA10123456784')).toEqual([`This tracking number is already in the locker, in ${first}. Scan the next parcel, or press * to log out.`]);
    expect(h.app.kiosk.state).toBe('courier_scan');
    expect(h.app.locker.openDoors()).toEqual([]);
    expect(counts()).toEqual(before);
    expect(h.app.ledger.audit.recent(1)[0]).toMatchObject({ actor: 'courier:fedex-demo', action: 'deposit.refused_duplicate', compartmentId: first, parcelId: parcel.id });
    expect(refusedEvents().map((e) => e.data)).toEqual([
      { reason: 'duplicate', tracking: '1Z999AA10123456784', courierId: 'fedex-demo', carrier: 'FedEx', parcelId: parcel.id, compartmentId: first },
    ]);
    expect(validators.eventData.get('deposit.refused')!(refusedEvents()[0]!.data)).toBe(true);

    // Scanned again: refused again and audited, but upstream already knows.
    expect(await h.scan('1Z999AA10123456784')).toEqual([expect.stringContaining('already in the locker')]);
    expect(h.app.ledger.audit.recent(1)[0]).toMatchObject({ action: 'deposit.refused_duplicate' });
    expect(refusedEvents()).toHaveLength(1);

    // Another parcel goes in as usual in the same session.
    expect(await h.scan('1Z5R89390357567127')).toEqual(['UPS parcel. Key the unit number and press #. Press * to go back.']);
  });

  it('is refused when keyed, and while the first parcel is still only reserved', async () => {
    await h.keys('111111#');
    await h.keys('9101026837331000039521#');
    await h.keys('101#');
    await h.keys('#');
    const [open] = h.app.locker.openDoors();
    expect(h.app.ledger.parcels.activeIn(open!.compartmentId)!.state).toBe('reserved');
    // The deposit itself refuses it too (the kiosk asks first; nothing can store a number twice).
    const courier = h.app.ledger.people.courierByPinHash(h.app.ledger.hasher.hash('pin', '222222'))!;
    expect(await h.app.locker.deposit({ courier, unit: '202', size: 'auto', carrier: null, tracking: '9101026837331000039521' })).toEqual({ ok: false, reason: 'duplicate', compartmentId: open!.compartmentId });
    expect(h.app.locker.openDoors()).toHaveLength(1);
    await h.door(open!.compartmentId, false);
    expect(await h.keys('9101026837331000039521#')).toEqual([expect.stringContaining('already in the locker')]);
  });

  it('is taken again once the first parcel was picked up', async () => {
    const first = await h.deposit({ unit: '101', tracking: '1Z999AA10123456784' });
    expect(await h.keys(`${h.latestCode()}#`)).toEqual([`Door ${first} is open. Take your parcel and close the door.`]);
    await h.door(first, false);
    await h.keys('111111#');
    expect(await h.scan('1Z999AA10123456784')).toEqual(['UPS parcel. Key the unit number and press #. Press * to go back.']);
  });
});
