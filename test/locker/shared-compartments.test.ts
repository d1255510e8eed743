/**
 * Several parcels for one unit in one compartment (allocation.shareCompartments, issue 10 item 5):
 * the courier adds a parcel to the unit's compartment at the size prompt (key C), the pickup opens
 * it once and completes all of them, and counts keep parcels and compartments apart.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimLockBoards } from '../../drivers/sim/lock-boards.js';
import type { LockerdConfig } from '../../src/config/types.js';
import { Ledger } from '../../src/ledger/ledger.js';
import type { Courier } from '../../src/ledger/people.js';
import { applyConfig } from '../../src/locker/apply-config.js';
import { LockerService } from '../../src/locker/locker-service.js';
import { inventorySnapshot } from '../../src/sync/snapshots.js';
import { checkEvent } from '../../src/sync/validate.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

/** Every event in the outbox fits the contract (as published: an envelope around its data). */
function expectContract(ledger: Ledger): void {
  for (const e of ledger.outbox.list({ limit: 10_000 })) {
    expect(checkEvent({ id: e.id, seq: e.seq, type: e.type, at: new Date(e.at).toISOString(), kioskId: 'demo-locker', data: e.data }), e.type).toBeNull();
  }
}

const types = (ledger: Ledger): string[] => ledger.outbox.list({ limit: 10_000 }).map((e) => e.type);

describe('a shared compartment at the kiosk', () => {
  let dir: string;
  let cleanup: () => void;
  let h: LockerHarness;

  const start = async (overrides: Parameters<typeof testConfig>[1] = {}): Promise<void> => {
    h = await LockerHarness.start(testConfig(dir, overrides), captureLogger().log);
  };

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });

  afterEach(async () => {
    await h?.stop();
    cleanup();
  });

  /** A large parcel for unit 101 in A11 (the first L), door shut; the courier stays logged in. */
  async function firstLarge(): Promise<void> {
    await h.keys('111111#');
    await h.scan('1Z999AA10123456784');
    await h.keys('101#');
    expect(await h.keys('3#')).toEqual(['Door A11 is open. Put the parcel in and close the door. Too small? Press * for a bigger one.']);
    await h.door('A11', false);
  }

  it('offers "add to A11", shares it, then opens it once at pickup and completes both parcels', async () => {
    await start();
    await firstLarge();
    const code = h.latestCode();
    expect(await h.scan('1Z5R89390357567127')).toEqual(['UPS parcel. Key the unit number and press #. Press * to go back.']);
    expect(await h.keys('101#')).toEqual([
      'UPS parcel. Unit 101 has a parcel in A11. Press C to add this one to A11 if it fits, or choose a size: 1 = S, 2 = M, 3 = L, 4 = XL, or # for the smallest that fits.',
    ]);
    expect(h.app.kiosk.lastScreen.choices.map((c) => [c.key, c.labelId])).toContainEqual(['C', 'choice.shareCompartment']);
    expect(await h.keys('C')).toEqual(['Door A11 is open. Put the parcel beside the one inside and close the door. No room? Press * for another door.']);
    expect(h.app.kiosk.lastScreen.choices.map((c) => [c.key, c.labelId])).toEqual([['*', 'choice.noRoom'], ['D', 'choice.doorDidNotOpen']]);
    expect(await h.door('A11', false)).toEqual(['Parcel stored in A11. Scan the next parcel, or press * to log out.']);
    await h.keys('*');

    const parcels = h.app.ledger.parcels.allIn('A11');
    expect(parcels.map((p) => [p.state, p.unit, p.tracking])).toEqual([
      ['deposited', '101', '1Z999AA10123456784'],
      ['deposited', '101', '1Z5R89390357567127'],
    ]);
    // The second parcel joins the unit's live code: no new code goes upstream.
    const deposited = h.app.ledger.outbox.list().filter((e) => e.type === 'parcel.deposited');
    expect(deposited.map((e) => [e.data.compartmentId, e.data.codeId, typeof e.data.code])).toEqual([
      ['A11', deposited[0]!.data.codeId, 'string'],
      ['A11', deposited[0]!.data.codeId, 'undefined'],
    ]);

    // Parcels and compartments are counted apart: one L compartment occupied, two parcels in it.
    const inventory = inventorySnapshot(h.app.ledger, [], Date.now()) as { sizes: Record<string, { occupied: number; parcels: number; free: number }>; compartments: { id: string; parcels: number; state: string }[] };
    expect(inventory.sizes.L).toMatchObject({ occupied: 1, parcels: 2, free: 4 });
    expect(inventory.compartments.filter((c) => c.id === 'A11')).toEqual([expect.objectContaining({ state: 'occupied', parcels: 2 })]);
    expect(inventory.compartments).toHaveLength(h.app.config.compartments.length);
    expect(h.app.ledger.compartments.withOccupancy().find((c) => c.id === 'A11')).toMatchObject({ parcelId: parcels[0]!.id, parcels: 2 });

    // The pickup: one door, opened once, and its close completes both parcels.
    expect(await h.keys(`${code}#`)).toEqual(['Door A11 is open. Take your parcel and close the door.']);
    const pickupOps = h.app.ledger.db.prepare(`SELECT * FROM door_operations WHERE purpose = 'pickup'`).all();
    expect(pickupOps).toHaveLength(1);
    expect(await h.door('A11', false)).toEqual(['Thank you. All your parcels are collected.']);
    expect(parcels.map((p) => h.app.ledger.parcels.get(p.id)!.state)).toEqual(['picked_up', 'picked_up']);
    const picked = h.app.ledger.outbox.list().filter((e) => e.type === 'parcel.picked_up');
    expect(picked.map((e) => e.data.parcelId).sort()).toEqual(parcels.map((p) => p.id).sort());
    // The code was used once for both.
    expect(await h.keys(`${code}#`)).toEqual(['That code is not valid or its parcel was already collected. Check it and try again.']);
    expect(h.app.ledger.compartments.free().map((c) => c.id)).toContain('A11');
    expectContract(h.app.ledger);
  });

  it('offers nothing for a size that is not shared or for another unit', async () => {
    await start();
    // Unit 101's parcel in an S compartment: S is not shareable by default.
    await h.keys('111111#');
    await h.scan('1Z999AA10123456784');
    await h.keys('101#');
    await h.keys('1#');
    await h.door('A01', false);
    await h.scan('1Z5R89390357567127');
    expect(await h.keys('101#')).toEqual([expect.stringMatching(/^Size: 1 = S/)]);
    expect(h.app.kiosk.lastScreen.choices.map((c) => c.key)).not.toContain('C');
    // C without an offer is only a stray key: it becomes part of the entry, and # refuses it.
    expect(await h.keys('C#')).toEqual(['Press 1, 2, 3 or 4 for a size, or # for automatic.']);
    await h.keys('*');
    await h.keys('*');
    // An L parcel for 101, then a parcel for 102: never offered 101's compartment.
    await h.scan('1Z5R89390357567127');
    await h.keys('101#');
    await h.keys('3#');
    await h.door('A11', false);
    await h.scan('ABC12345678XYZ');
    expect(await h.keys('103#')).toEqual([expect.stringMatching(/^Size: 1 = S/)]);
  });

  it('offers nothing with allocation.shareCompartments empty', async () => {
    await start({ allocation: { shareCompartments: [] } });
    await firstLarge();
    await h.scan('1Z5R89390357567127');
    expect(await h.keys('101#')).toEqual([expect.stringMatching(/^Size: 1 = S/)]);
    expect(h.app.locker.shareableFor('101')).toBeNull();
  });

  it('"no room" at the shared door gives the parcel a compartment of its own; the first parcel stays', async () => {
    await start();
    await firstLarge();
    await h.scan('1Z5R89390357567127');
    await h.keys('101#');
    await h.keys('C');
    // Same size (L), not bigger: the compartment is full, not too small.
    expect(await h.keys('*')).toEqual(['Door A12 is open. Close door A11, put the parcel in A12 and close it.']);
    expect(await h.door('A11', false)).toEqual([]);
    expect(await h.door('A12', false)).toEqual(['Parcel stored in A12. Scan the next parcel, or press * to log out.']);
    expect(h.app.ledger.parcels.allIn('A11').map((p) => p.tracking)).toEqual(['1Z999AA10123456784']);
    expect(h.app.ledger.parcels.allIn('A12').map((p) => p.tracking)).toEqual(['1Z5R89390357567127']);
    expect(types(h.app.ledger)).not.toContain('door.forced_open');
  });

  it('a shared door that does not open: the parcel gets its own compartment of that size', async () => {
    await start();
    await firstLarge();
    await h.scan('1Z5R89390357567127');
    await h.keys('101#');
    h.sim.boards.setJammed(h.app.ledger.compartments.get('A11')!, true);
    expect(await h.keys('C')).toEqual(['Door A12 is open. Put the parcel in and close the door. Too small? Press * for a bigger one.']);
    expect(h.app.ledger.compartments.get('A11')!.outOfService).toMatch(/door did not open/);
    await h.door('A12', false);
    // The first parcel is still waiting in A11 (its pickup tries that door again).
    expect(h.app.ledger.parcels.allIn('A11').map((p) => p.state)).toEqual(['deposited']);
    expectContract(h.app.ledger);
  });

  it('a staff recall by remote door.open takes every parcel out of the shared compartment', async () => {
    await start();
    await firstLarge();
    await h.scan('1Z5R89390357567127');
    await h.keys('101#');
    await h.keys('C');
    await h.door('A11', false);
    expect(h.app.locker.remoteOpenRefusal('A11', false)).toMatch(/staffRecall/);
    expect(await h.app.locker.openForRemote('A11', 'recall', true, 'cmd-1')).toEqual({ ok: true, outcome: 'confirmed_open' });
    await h.door('A11', false);
    const returned = h.app.ledger.outbox.list().filter((e) => e.type === 'parcel.returned');
    expect(returned).toHaveLength(2);
    expect(h.app.ledger.parcels.list().map((p) => p.state)).toEqual(['returned', 'returned']);
    expect(h.app.ledger.codes.liveForUnit('101')).toBeUndefined();
    expectContract(h.app.ledger);
  });
});

describe('a shared compartment across a restart', () => {
  let dir: string;
  let cleanup: () => void;
  let config: LockerdConfig;
  let boards: SimLockBoards;
  let run: { ledger: Ledger; locker: LockerService } | undefined;
  const log = captureLogger().log;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    config = testConfig(dir);
    // The boards and their doors outlive the daemon, as the hardware does.
    boards = new SimLockBoards({ boards: [{ id: 'B1', locks: 16 }, { id: 'B2', locks: 16 }], autoCloseMs: 0, unlockDelayMs: 0 });
  });

  afterEach(async () => {
    await cut();
    cleanup();
  });

  async function boot(): Promise<{ ledger: Ledger; locker: LockerService }> {
    const ledger = Ledger.open({ path: config.ledger.path, keyFile: config.ledger.keyFile });
    applyConfig(ledger, config, Date.now());
    const locker = new LockerService({ ledger, doors: boards, config, log });
    await boards.start();
    await locker.start();
    run = { ledger, locker };
    return run;
  }

  /** Nothing finishes: the next boot sees the ledger as written and the doors as they are. */
  async function cut(): Promise<void> {
    if (!run) return;
    run.locker.stop();
    await boards.stop();
    run.ledger.close();
    run = undefined;
  }

  const close = async (r: { ledger: Ledger }, id: string): Promise<void> => {
    boards.setDoor(r.ledger.compartments.get(id)!, false);
    await new Promise((resolve) => setImmediate(resolve));
  };

  function courier(r: { locker: LockerService }): Courier {
    const login = r.locker.courierLogin('111111');
    if (!login.ok) throw new Error(login.reason);
    return login.courier;
  }

  it('a restart between the pickup\'s unlock and its close still completes both parcels when the door shuts', async () => {
    let r = await boot();
    const first = await r.locker.deposit({ courier: courier(r), unit: '101', size: 'L', carrier: 'UPS', tracking: '1Z999AA10123456784' });
    expect(first).toMatchObject({ ok: true, compartmentId: 'A11' });
    await close(r, 'A11');
    expect(r.locker.shareableFor('101')).toBe('A11');
    expect(r.locker.shareableFor('102')).toBeNull();
    const second = await r.locker.deposit({ courier: courier(r), unit: '101', size: 'auto', carrier: 'UPS', tracking: '1Z5R89390357567127', shareWith: 'A11' });
    expect(second).toMatchObject({ ok: true, compartmentId: 'A11', shared: true });
    await close(r, 'A11');
    const code = r.ledger.outbox.list().find((e) => e.type === 'parcel.deposited' && typeof e.data.code === 'string')!.data.code as string;

    const pickup = await r.locker.pickup(code);
    expect(pickup).toMatchObject({ ok: true, doors: [{ compartmentId: 'A11', outcome: 'confirmed_open' }] });
    if (!pickup.ok) throw new Error('pickup failed');
    expect(pickup.doors[0]!.parcelIds).toHaveLength(2);
    await cut();

    // Back up with the door still open: the operation is watched; its close completes both.
    r = await boot();
    expect(r.ledger.parcels.allIn('A11').map((p) => p.state)).toEqual(['deposited', 'deposited']);
    await close(r, 'A11');
    expect(r.ledger.parcels.list().map((p) => p.state)).toEqual(['picked_up', 'picked_up']);
    expect(r.ledger.outbox.list().filter((e) => e.type === 'parcel.picked_up')).toHaveLength(2);
    expect(r.ledger.codes.liveForUnit('101')).toBeUndefined();
    expect(r.ledger.doorOperations.allActive()).toEqual([]);
    expectContract(r.ledger);
  });

  it('a restart with the shared deposit door open: the close deposits the new parcel under the live code', async () => {
    let r = await boot();
    await r.locker.deposit({ courier: courier(r), unit: '101', size: 'L', carrier: 'UPS', tracking: '1Z999AA10123456784' });
    await close(r, 'A11');
    const codeId = r.ledger.codes.liveForUnit('101')!.id;
    await r.locker.deposit({ courier: courier(r), unit: '101', size: 'auto', carrier: 'UPS', tracking: '1Z5R89390357567127', shareWith: 'A11' });
    await cut();
    r = await boot();
    // A busy compartment is never offered: the deposit under way owns it until its door shuts.
    expect(r.locker.shareableFor('101')).toBeNull();
    await close(r, 'A11');
    expect(r.ledger.parcels.allIn('A11').map((p) => [p.state, p.codeId])).toEqual([['deposited', codeId], ['deposited', codeId]]);
    expectContract(r.ledger);
  });
});
