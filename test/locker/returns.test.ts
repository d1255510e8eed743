/**
 * Returns on the simulated locker, driven as people would: a resident drops off a prepaid return
 * at the kiosk (B, label, unit, size, door), a courier of its carrier collects it (C, #, door).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LockerdConfig } from '../../src/config/types.js';
import type { Parcel } from '../../src/ledger/parcels.js';
import { inventorySnapshot } from '../../src/sync/snapshots.js';
import { checkEvent, validators } from '../../src/sync/validate.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

const UPS_RETURN = '1Z999AA11000000005';
const UPS_RETURN_2 = '1Z999AA11000000014';
const UPS_DELIVERY = '1Z999AA11000000023';
const USPS_RETURN = 'RB100000003US';

/** A resident's drop-off from the welcome screen to the open door; returns what the kiosk said. */
async function dropOff(h: LockerHarness, label: string, unit = '101', size = ''): Promise<string[]> {
  return [...(await h.keys('B')), ...(await h.scan(label)), ...(await h.keys(`${unit}#`)), ...(await h.keys(`${size}#`))];
}

function lastOpen(h: LockerHarness): string {
  const id = h.app.locker.openDoors().at(-1)?.compartmentId;
  if (!id) throw new Error(`no door open; kiosk said: ${h.lastSaid()}`);
  return id;
}

function events(h: LockerHarness, config: LockerdConfig, type?: string): { type: string; data: Record<string, unknown> }[] {
  const all = h.app.ledger.outbox.list({ limit: 10_000 });
  for (const e of all) expect(checkEvent({ id: e.id, seq: e.seq, type: e.type, at: new Date(e.at).toISOString(), kioskId: config.kioskId, data: e.data }), e.type).toBeNull();
  return type ? all.filter((e) => e.type === type) : all;
}

function actions(h: LockerHarness): string[] {
  return h.app.ledger.audit.recent(1000).map((a) => a.action).reverse();
}

function choiceKeys(h: LockerHarness): string[] {
  return h.app.kiosk.lastScreen.choices.map((c) => `${c.key}:${c.labelId}`);
}

/** What a refusal must not change: every parcel, as it is. */
function parcels(h: LockerHarness): Parcel[] {
  return h.app.ledger.parcels.list({ limit: 1000 });
}

describe('returns on the simulated locker', () => {
  let dir: string;
  let cleanup: () => void;
  let logs: ReturnType<typeof captureLogger>;
  let config: LockerdConfig;
  let h: LockerHarness;

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    logs = captureLogger();
    config = testConfig(dir);
    h = await LockerHarness.start(config, logs.log);
  });

  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  it('walks a return from the resident to the courier of its carrier, with events, inventory and audit', async () => {
    expect(choiceKeys(h)).toEqual(['A:choice.language', 'B:choice.sendReturn']);
    expect(await h.keys('B')).toEqual(['Send a return: scan the barcode of the return label, or key its tracking number and press #. Press * to cancel.']);
    expect(await h.scan(UPS_RETURN)).toEqual(['UPS return. Key your unit number and press #. Press * to cancel.']);
    expect(await h.keys('101#')).toEqual([expect.stringContaining('Size: 1 = S')]);
    expect(await h.keys('#')).toEqual(['Door A01 is open. Put the return in and close the door. Press * to cancel.']);
    expect(h.app.kiosk.lastScreen).toMatchObject({ step: 'return_door', doors: [{ compartmentId: 'A01', state: 'open' }], choices: [{ key: '*', labelId: 'choice.cancel' }] });
    expect(await h.door('A01', false)).toEqual(['Thank you. Your return is in A01; UPS will collect it.']);
    expect(h.app.kiosk.lastScreen).toMatchObject({ step: 'goodbye', tone: 'success' });
    expect(h.app.kiosk.state).toBe('idle');

    const [ret] = parcels(h);
    expect(ret).toMatchObject({ direction: 'outbound', state: 'deposited', unit: '101', compartmentId: 'A01', carrier: 'UPS', tracking: UPS_RETURN, codeId: null, courierId: null, expiresAt: null });
    expect(events(h, config).map((e) => [e.type, e.data])).toEqual([['return.deposited', { parcelId: ret!.id, compartmentId: 'A01', size: 'S', carrier: 'UPS', tracking: UPS_RETURN, unit: '101' }]]);

    // Occupancy counts it, and says it is a return and for whom.
    const inventory = inventorySnapshot(h.app.ledger, [], Date.now());
    expect(validators.inventory(inventory)).toBe(true);
    expect((inventory.sizes as Record<string, { occupied: number }>).S!.occupied).toBe(1);
    expect(inventory.returns).toEqual({ waiting: 1, bySize: { S: 1, M: 0, L: 0, XL: 0 }, byCarrier: { UPS: 1 } });
    expect(h.app.locker.freeCompartments()).toBe(h.app.ledger.compartments.all().length - 1);

    // A courier of another carrier is not told of it, and is offered no collection.
    expect(await h.keys('222222#')).toEqual(['Hello FedEx. Scan a parcel, or press * to log out.']);
    expect(choiceKeys(h)).toEqual(['*:choice.logOut']);
    expect(await h.keys('*')).toEqual(['Logged out. Thank you.']);

    // The courier of its carrier is, and collects it door by door.
    expect(await h.keys('111111#')).toEqual(['Hello UPS. Returns waiting for UPS: 1; press C to collect them. Scan a parcel, or press * to log out.']);
    expect(choiceKeys(h)).toEqual(['*:choice.logOut', 'C:choice.collectReturns']);
    expect(await h.keys('C')).toEqual([`Door A01 is open: take the return ${UPS_RETURN}, press # to confirm, then close the door. Returns after this one: 0. Press * to stop after this door.`]);
    expect(choiceKeys(h)).toEqual(['*:choice.stopCollecting', '#:choice.returnTaken']);
    expect(await h.keys('#')).toEqual(['Thank you. Close door A01.']);
    expect(await h.door('A01', false)).toEqual(['Returns collected: 1. Scan a parcel, or press * to log out.']);
    expect(h.app.kiosk.state).toBe('courier_scan');
    expect(choiceKeys(h)).toEqual(['*:choice.logOut']);

    expect(h.app.ledger.parcels.get(ret!.id)).toMatchObject({ state: 'collected', courierId: 'ups-demo', endedAt: expect.any(Number) });
    expect(events(h, config, 'return.collected').map((e) => e.data)).toEqual([{ parcelId: ret!.id, compartmentId: 'A01', courierId: 'ups-demo', carrier: 'UPS', tracking: UPS_RETURN }]);
    expect(inventorySnapshot(h.app.ledger, [], Date.now()).returns).toEqual({ waiting: 0, bySize: { S: 0, M: 0, L: 0, XL: 0 }, byCarrier: {} });
    expect(actions(h)).toEqual([
      'config.applied',
      'door.unlock_requested', 'return.deposited',
      'courier.logged_in', 'courier.logged_in',
      'door.unlock_requested', 'return.taken', 'return.collected',
    ]);
    const opened = h.app.ledger.doorOperations.allActive();
    expect(opened).toEqual([]);
  });

  it('never offers a return to a pickup code, not even the code of the unit that sent it', async () => {
    const delivery = await h.deposit({ unit: '101', tracking: UPS_DELIVERY });
    const code = h.latestCode();
    await dropOff(h, USPS_RETURN, '101');
    const returnDoor = lastOpen(h);
    expect(await h.door(returnDoor, false)).toEqual([`Thank you. Your return is in ${returnDoor}; USPS will collect it.`]);

    expect(await h.keys(`${code}#`)).toEqual([`Door ${delivery} is open. Take your parcel and close the door.`]);
    expect(h.app.locker.openDoors().map((d) => d.compartmentId)).toEqual([delivery]);
    expect(await h.door(delivery, false)).toEqual(['Thank you. All your parcels are collected.']);
    // The code is used up (nothing else waits on it): the return never counted as the unit's parcel.
    expect(await h.keys(`${code}#`)).toEqual(['That code is not valid or its parcel was already collected. Check it and try again.']);
    const ret = parcels(h).find((p) => p.direction === 'outbound')!;
    expect(ret).toMatchObject({ state: 'deposited', compartmentId: returnDoor, codeId: null });
    expect(h.app.ledger.doorOperations.allActive()).toEqual([]);
  });

  it('refuses a label of a delivery to this locker and a return already inside: specific, audited, nothing changed', async () => {
    await h.deposit({ unit: '101', tracking: UPS_DELIVERY });
    const before = parcels(h);
    const outboxBefore = h.app.ledger.outbox.list({ limit: 1000 }).length;

    // The resident's own delivery (waiting in the locker) is not a return label.
    expect(await h.keys('B')).toHaveLength(1);
    expect(await h.scan(UPS_DELIVERY)).toEqual(['That label is a parcel delivered to this locker, not a return label. Scan the return label you were given.']);
    expect(h.app.kiosk.state).toBe('return_label');
    expect(parcels(h)).toEqual(before);
    expect(h.app.locker.openDoors()).toEqual([]);
    const refused = events(h, config, 'return.refused');
    expect(refused.map((e) => e.data)).toEqual([{ reason: 'own_delivery', tracking: UPS_DELIVERY, carrier: 'UPS', parcelId: before[0]!.id, compartmentId: before[0]!.compartmentId }]);
    // Scanned again: audited again, upstream heard it once.
    await h.scan(UPS_DELIVERY);
    expect(events(h, config, 'return.refused')).toHaveLength(1);
    expect(actions(h).filter((a) => a === 'return.refused')).toHaveLength(2);

    // Once picked up it is still the resident's delivery, not a return.
    await h.keys('*');
    await h.keys(`${h.latestCode()}#`);
    await h.door(before[0]!.compartmentId, false);
    expect(parcels(h)[0]!.state).toBe('picked_up');
    const pickedUp = parcels(h);
    await h.keys('B');
    expect(await h.scan(UPS_DELIVERY)).toEqual(['That label is a parcel delivered to this locker, not a return label. Scan the return label you were given.']);
    expect(parcels(h)).toEqual(pickedUp);
    await h.keys('*');

    // A return already inside.
    await dropOff(h, UPS_RETURN);
    const door = lastOpen(h);
    await h.door(door, false);
    const withReturn = parcels(h);
    await h.keys('B');
    expect(await h.scan(UPS_RETURN)).toEqual([`This return is already in the locker, in ${door}.`]);
    expect(parcels(h)).toEqual(withReturn);
    expect(h.app.locker.openDoors()).toEqual([]);
    expect(events(h, config, 'return.refused').map((e) => e.data.reason)).toEqual(['own_delivery', 'already_inside']);
    const rows = h.app.ledger.audit.recent(1000).filter((a) => a.action === 'return.refused');
    // The third own_delivery repeats the second within flood.refusalWindowMs: counted into its summary row (src/locker/refusals.ts).
    expect(rows.map((r) => (r.detail as { reason: string }).reason).reverse()).toEqual(['own_delivery', 'own_delivery', 'already_inside']);
    h.app.locker.stop(); // flushes the open window: the summary row counts the repeat
    expect(h.app.ledger.audit.recent(1000).find((a) => a.action === 'return.refused' && (a.detail as { count?: number }).count !== undefined)?.detail).toMatchObject({ reason: 'own_delivery', count: 1 });
    expect(h.app.ledger.outbox.list({ limit: 1000 }).length - outboxBefore).toBeGreaterThan(0);
  });

  it('refuses a label with no known carrier, a pickup QR, and a code keyed at the label prompt, without logging the code', async () => {
    await h.keys('B');
    const before = parcels(h);
    expect(await h.scan('TEST00000001')).toEqual(['The carrier of this label is not recognised, so no courier would collect it here. Please take it to the carrier.']);
    const row = h.app.ledger.audit.recent(10).find((a) => a.action === 'return.refused')!;
    expect(row.detail).toEqual({ reason: 'unknown_carrier', length: 12, keyed: false });
    // A retrieval code's digits keyed here are nobody's tracking number: refused, never logged.
    expect(await h.keys('48151623#')).toEqual(['That is not a tracking number. Key the number under the barcode and press #.']);
    expect(await h.scan('LKP1/demo-locker/ABCDEFGHIJKLMNOPQRSTUVWXYA')).toEqual(['That is not a return label. Scan the barcode of the prepaid return label.']);
    expect(h.app.kiosk.state).toBe('return_label');
    expect(h.app.ledger.audit.recent(10).find((a) => a.action === 'return.refused')!.detail).toEqual({ reason: 'not_a_label', kind: 'pickup', keyed: false });
    expect(JSON.stringify(h.app.ledger.audit.recent(100))).not.toContain('ABCDEFGHIJKLMNOPQRSTUVWXYA');
    expect(parcels(h)).toEqual(before);
    expect(logs.text()).not.toContain('48151623');
    expect(JSON.stringify(h.app.ledger.audit.recent(100))).not.toContain('48151623');
  });

  it('refuses a label upstream announced as a delivery for this locker', async () => {
    h.app.ledger.transaction(() => h.app.ledger.expectedDeliveries.upsert(UPS_DELIVERY, '202', Date.now() + 86_400_000, Date.now()));
    await h.keys('B');
    expect(await h.scan(UPS_DELIVERY)).toEqual(['That label is a parcel delivered to this locker, not a return label. Scan the return label you were given.']);
    expect(events(h, config, 'return.refused').map((e) => e.data)).toEqual([{ reason: 'own_delivery', tracking: UPS_DELIVERY, carrier: 'UPS', parcelId: null, compartmentId: null }]);
    expect(parcels(h)).toEqual([]);
  });

  it('opens another door when the first does not open, for a drop-off and for a collection', async () => {
    h.sim.boards.setJammed(h.app.ledger.compartments.get('A01')!, true);
    expect((await dropOff(h, UPS_RETURN)).at(-1)).toBe('Door A02 is open. Put the return in and close the door. Press * to cancel.');
    expect(h.app.ledger.compartments.get('A01')!.outOfService).toMatch(/door did not open for a return/);
    await h.door('A02', false);
    await dropOff(h, UPS_RETURN_2);
    await h.door(lastOpen(h), false);
    const [first, second] = parcels(h).filter((p) => p.state === 'deposited').sort((a, b) => a.id.localeCompare(b.id));
    expect(first!.compartmentId).toBe('A02');
    h.sim.boards.setJammed(h.app.ledger.compartments.get('A02')!, true);
    await h.keys('111111#');
    // A02's return stays (reported upstream); the next return's door opens instead.
    expect(await h.keys('C')).toEqual([expect.stringContaining(`Door ${second!.compartmentId} is open: take the return ${UPS_RETURN_2}`)]);
    expect(h.app.ledger.parcels.get(first!.id)!.state).toBe('deposited');
    expect(events(h, config, 'compartment.fault').map((e) => e.data.compartmentId)).toEqual(['A01', 'A02']);
    // Confirmed and shut: the jammed door is not tried again in this collection.
    await h.keys('#');
    expect(await h.door(second!.compartmentId, false)).toEqual(['Returns collected: 1. Scan a parcel, or press * to log out.']);
    expect(events(h, config, 'compartment.fault')).toHaveLength(2);
  });

  it('cancels with * at every step, the open door too (which then closes empty)', async () => {
    await h.keys('B');
    expect(await h.keys('*')).toEqual(['Return cancelled.']);
    await h.keys('B');
    await h.scan(UPS_RETURN);
    expect(await h.keys('*')).toEqual(['Return cancelled.']);
    await h.keys('B');
    await h.scan(UPS_RETURN);
    expect(await h.keys('999#')).toEqual(['That unit number does not exist. Key your unit number again, or press * to cancel.']);
    await h.keys('101#');
    expect(await h.keys('*')).toEqual(['Return cancelled.']);
    expect(parcels(h)).toEqual([]);

    await dropOff(h, UPS_RETURN);
    const door = lastOpen(h);
    expect(await h.keys('*')).toEqual([`Return cancelled. Take it back and close door ${door}.`]);
    expect(parcels(h)[0]).toMatchObject({ state: 'cancelled', direction: 'outbound' });
    expect(await h.door(door, false)).toEqual([]);
    expect(parcels(h)[0]!.state).toBe('cancelled');
    expect(events(h, config, 'return.deposited')).toEqual([]);
    expect(actions(h)).toContain('return.cancelled');
    // The same label can be dropped off again.
    await dropOff(h, UPS_RETURN);
    await h.door(lastOpen(h), false);
    expect(events(h, config, 'return.deposited')).toHaveLength(1);
  });

  it('leaves a return whose door was shut without the courier confirming, and stops a collection with *', async () => {
    for (const label of [UPS_RETURN, UPS_RETURN_2]) {
      await dropOff(h, label);
      await h.door(lastOpen(h), false);
    }
    const [first, second] = parcels(h).sort((a, b) => a.id.localeCompare(b.id));

    expect(await h.keys('111111#')).toEqual([expect.stringContaining('Returns waiting for UPS: 2')]);
    expect(await h.keys('C')).toEqual([expect.stringContaining(`Door ${first!.compartmentId} is open: take the return ${UPS_RETURN}`)]);
    expect(await h.door(first!.compartmentId, false)).toEqual([`You did not confirm taking the return, so it stays in ${first!.compartmentId}. Press C to collect returns, scan a parcel, or press * to log out.`]);
    expect(h.app.ledger.parcels.get(first!.id)!.state).toBe('deposited');
    expect(actions(h).at(-1)).toBe('return.not_collected');
    expect(events(h, config, 'return.collected')).toEqual([]);

    // Both again: the first is taken and the next door opens by itself; * stops after the second.
    expect(await h.keys('C')).toEqual([expect.stringContaining('Returns after this one: 1.')]);
    await h.keys('#');
    expect(await h.door(first!.compartmentId, false)).toEqual([expect.stringContaining(`Door ${second!.compartmentId} is open: take the return ${UPS_RETURN_2}`)]);
    expect(await h.keys('*')).toEqual([`No other door will open. Close door ${second!.compartmentId}; press # first if you took the return.`]);
    await h.keys('#');
    expect(await h.door(second!.compartmentId, false)).toEqual(['Returns collected: 2. Scan a parcel, or press * to log out.']);
    expect(events(h, config, 'return.collected').map((e) => e.data.parcelId)).toEqual([first!.id, second!.id]);
    expect(await h.keys('C')).toEqual([]); // nothing waits: C is not a choice, just a key typed
  });
});

describe('a restart in the middle of a return', () => {
  it('sends an interrupted drop-off to a technician; a confirmed collection is collected, an unconfirmed one checked', async () => {
    const { dir, cleanup } = tempDir();
    const config = testConfig(dir);
    let h = await LockerHarness.start(config, captureLogger().log);
    try {
      // Drop-off interrupted with its door open (intent written, never closed): power cut.
      await dropOff(h, UPS_RETURN);
      const interrupted = lastOpen(h);
      await h.stop();
      // The simulated boards start with every door shut: nobody knows whether the return went in.
      h = await LockerHarness.start(config, captureLogger().log);
      expect(h.app.ledger.doorOperations.allActive()).toEqual([]);
      expect(parcels(h)[0]).toMatchObject({ state: 'cancelled', direction: 'outbound', compartmentId: interrupted });
      expect(h.app.ledger.compartments.get(interrupted)!.outOfService).toMatch(/restart interrupted a return drop-off/);
      expect(events(h, config, 'compartment.needs_inspection').map((e) => e.data.parcelId)).toEqual([parcels(h)[0]!.id]);
      expect(events(h, config, 'return.deposited')).toEqual([]);

      // Two returns in; a collection confirmed ("taken") and cut before the door shut.
      for (const label of [UPS_RETURN, UPS_RETURN_2]) {
        await dropOff(h, label);
        await h.door(lastOpen(h), false);
      }
      const [taken, left] = parcels(h).filter((p) => p.state === 'deposited').sort((a, b) => a.id.localeCompare(b.id));
      await h.keys('111111#');
      await h.keys('C');
      expect(lastOpen(h)).toBe(taken!.compartmentId);
      await h.keys('#');
      await h.stop();
      h = await LockerHarness.start(config, captureLogger().log);
      expect(h.app.ledger.parcels.get(taken!.id)).toMatchObject({ state: 'collected', courierId: 'ups-demo' });
      expect(events(h, config, 'return.collected').map((e) => e.data)).toEqual([{ parcelId: taken!.id, compartmentId: taken!.compartmentId, courierId: 'ups-demo', carrier: 'UPS', tracking: UPS_RETURN }]);
      expect(h.app.ledger.compartments.get(taken!.compartmentId)!.outOfService).toBeNull();

      // A collection cut before the courier confirmed: the return stays on the books, staff check the compartment.
      await h.keys('111111#');
      expect(await h.keys('C')).toEqual([expect.stringContaining(`Door ${left!.compartmentId} is open`)]);
      await h.stop();
      h = await LockerHarness.start(config, captureLogger().log);
      expect(h.app.ledger.parcels.get(left!.id)!.state).toBe('deposited');
      expect(h.app.ledger.compartments.get(left!.compartmentId)!.outOfService).toMatch(/restart interrupted a return collection/);
      expect(events(h, config, 'compartment.needs_inspection').map((e) => e.data.parcelId)).toEqual([parcels(h).find((p) => p.state === 'cancelled')!.id, left!.id]);
      expect(events(h, config, 'return.collected')).toHaveLength(1);
      // Not offered to a courier while its compartment is out of service.
      expect(await h.keys('111111#')).toEqual(['Hello UPS. Scan a parcel, or press * to log out.']);
      expect(h.app.ledger.doorOperations.allActive()).toEqual([]);
    } finally {
      await h.stop();
      cleanup();
    }
  });
});
