import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

describe('courier deposit and resident pickup on the simulated locker', () => {
  let dir: string;
  let cleanup: () => void;
  let logs: ReturnType<typeof captureLogger>;
  let h: LockerHarness;

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    logs = captureLogger();
    h = await LockerHarness.start(testConfig(dir), logs.log);
  });

  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  it('walks a parcel from courier login to resident pickup, with events, audit and no secret in the log', async () => {
    expect(await h.keys('111111#')).toEqual(['Hello UPS. Scan a parcel, or press * to log out.']);
    expect(await h.scan('1Z999AA10123456784')).toEqual(['UPS parcel. Key the unit number and press #. Press * to go back.']);
    expect(await h.keys('101#')).toEqual([expect.stringContaining('Size: 1 = S')]);
    expect(await h.keys('#')).toEqual(['Door A01 is open. Put the parcel in and close the door. Too small? Press * for a bigger one.']);
    expect(h.app.locker.openDoors().map((d) => d.compartmentId)).toEqual(['A01']);

    expect(await h.door('A01', false)).toEqual(['Parcel stored in A01. Scan the next parcel, or press * to log out.']);
    const [parcel] = h.app.ledger.parcels.list();
    expect(parcel).toMatchObject({ state: 'deposited', unit: '101', compartmentId: 'A01', carrier: 'UPS', tracking: '1Z999AA10123456784', courierId: 'ups-demo' });

    const deposited = h.app.ledger.outbox.list().find((e) => e.type === 'parcel.deposited')!;
    expect(deposited.data).toMatchObject({ parcelId: parcel!.id, compartmentId: 'A01', unit: '101', size: 'S' });
    const code = h.latestCode();
    expect(code).toMatch(/^[0-9]{8}$/);
    expect(await h.keys('*')).toEqual(['Logged out. Thank you.']);

    expect(await h.keys(`${code}#`)).toEqual(['Door A01 is open. Take your parcel and close the door.']);
    // Keying the code again while the door is open fires nothing (at the kiosk, or from anywhere).
    expect(await h.keys(`${code}#`)).toEqual(['Close the open door first.']);
    expect(await h.app.locker.pickup(code)).toEqual({ ok: false, reason: 'doors_open', compartments: ['A01'] });
    expect(await h.door('A01', false)).toEqual(['Thank you. All your parcels are collected.']);
    expect(h.app.ledger.parcels.get(parcel!.id)!.state).toBe('picked_up');
    expect(h.app.ledger.outbox.list().map((e) => e.type)).toEqual(['parcel.deposited', 'parcel.picked_up']);

    // The code was single use.
    expect(await h.keys(`${code}#`)).toEqual(['That code is not valid or its parcel was already collected. Check it and try again.']);

    const actions = h.app.ledger.audit.recent(100).map((a) => a.action).reverse();
    expect(actions).toEqual(['config.applied', 'courier.logged_in', 'door.unlock_requested', 'parcel.deposited', 'door.unlock_requested', 'parcel.picked_up', 'pickup.code_rejected']);

    const log = logs.text();
    expect(log).toContain('parcel deposited');
    expect(log).not.toContain(code);
    expect(log).not.toContain('111111');
  });

  it('stores the code only as a keyed hash', async () => {
    await h.deposit({ unit: '101' });
    const code = h.latestCode();
    const rows = h.app.ledger.db.prepare('SELECT * FROM retrieval_codes').all() as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(code);
    expect((rows[0]!.code_hash as Buffer).equals(h.app.ledger.hasher.hash('code', code))).toBe(true);
  });

  it('gives one code to every parcel for the same unit and opens all their doors', async () => {
    const first = await h.deposit({ unit: '202' });
    const code = h.latestCode();
    const second = await h.deposit({ unit: '202', pin: '222222' });
    const events = h.app.ledger.outbox.list().filter((e) => e.type === 'parcel.deposited');
    expect(events).toHaveLength(2);
    expect(events[1]!.data.code).toBeUndefined(); // the second parcel joins the live code
    expect(events[1]!.data.codeId).toBe(events[0]!.data.codeId);

    expect(await h.keys(`${code}#`)).toEqual([`Door ${first} is open. Take your parcel and close the door.`, `Door ${second} is open. Take your parcel and close the door.`]);
    expect(await h.door(first, false)).toEqual([]);
    expect(await h.door(second, false)).toEqual(['Thank you. All your parcels are collected.']);
  });

  it('puts the parcel in the smallest free compartment of the chosen size, then the next size up', async () => {
    expect(await h.deposit({ unit: '101', size: '2' })).toBe('A05');
    // Fill every M, then an M request goes to the smallest L.
    const mFree = h.app.ledger.compartments.free().filter((c) => c.size === 'M' && !c.accessible);
    for (let i = 0; i < mFree.length; i++) await h.deposit({ unit: '101', size: '2' });
    const accessibleM = h.app.ledger.compartments.free().filter((c) => c.size === 'M');
    expect(accessibleM.every((c) => c.accessible)).toBe(true);
  });

  it('refuses a deposit when every fitting size is full, says which sizes, and records it', async () => {
    const xl = h.app.ledger.compartments.all().filter((c) => c.size === 'XL');
    for (let i = 0; i < xl.length; i++) await h.deposit({ unit: '101', size: '4' });
    await h.keys('111111#');
    await h.scan('1Z999AA10123456784');
    await h.keys('101#');
    expect(await h.keys('4#')).toEqual(['No free compartment in size XL. Keep the parcel.']);
    const refused = h.app.ledger.outbox.list().filter((e) => e.type === 'deposit.refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.data).toMatchObject({ unit: '101', size: 'XL', fullSizes: ['XL'], reason: 'full' });
    expect(h.app.ledger.parcels.list({ state: 'reserved' })).toHaveLength(0);
  });

  it('opens another door when the first one does not open, and takes the jammed one out of service', async () => {
    h.sim.boards.setJammed({ board: 'B1', lock: 1 }, true);
    await h.keys('111111#');
    await h.scan('1Z999AA10123456784');
    await h.keys('101#');
    expect(await h.keys('1#')).toEqual(['Door A02 is open. Put the parcel in and close the door. Too small? Press * for a bigger one.']);
    expect(h.app.ledger.compartments.get('A01')!.outOfService).toMatch(/did not open/);
    expect(h.app.ledger.outbox.list().map((e) => e.type)).toEqual(['compartment.fault']);
    const cancelled = h.app.ledger.parcels.list({ state: 'cancelled' });
    expect(cancelled.map((p) => p.compartmentId)).toEqual(['A01']);
  });

  it('tells the courier to call support when no door opens at all', async () => {
    for (const lock of [1, 2, 3]) h.sim.boards.setJammed({ board: 'B1', lock }, true);
    await h.keys('111111#');
    await h.scan('1Z999AA10123456784');
    await h.keys('101#');
    expect(await h.keys('#')).toEqual(['No door could be opened. Keep the parcel and call support.']);
    expect(h.app.ledger.parcels.list({ state: 'reserved' })).toHaveLength(0);
    expect(h.app.ledger.outbox.list().filter((e) => e.type === 'compartment.fault')).toHaveLength(3);
  });

  it('takes no deposits into compartments of an offline board, and says when it is back', async () => {
    h.sim.boards.setOnline('B1', false);
    expect(await h.deposit({ unit: '101' })).toMatch(/^B/);
    h.sim.boards.setOnline('B1', true);
    expect(await h.deposit({ unit: '101' })).toBe('A01');
    const types = h.app.ledger.outbox.list().map((e) => e.type);
    expect(types.filter((t) => t.startsWith('board.'))).toEqual(['board.offline', 'board.online']);
  });

  it('lets a resident collect with the QR code and a courier log in with a badge', async () => {
    await h.deposit({ unit: '101' });
    const event = h.app.ledger.outbox.list().find((e) => e.type === 'parcel.deposited')!;
    const qr = event.data.pickupQr as string;
    expect(qr).toMatch(/^LKP1\/demo-locker\/[A-Z2-7]{26}$/);
    expect(qr).not.toContain(event.data.code as string);
    expect(await h.scan(qr.replace(/\/[A-Z2-7]{26}$/, '/AAAAAAAAAAAAAAAAAAAAAAAAAA'))).toEqual(['This QR code is not valid or its parcel was already collected.']);
    expect(await h.scan(qr.replace('demo-locker', 'other-locker'))).toEqual(['This QR code is for another locker.']);
    expect(await h.scan(qr)).toEqual(['Door A01 is open. Take your parcel and close the door.']);
    expect(await h.door('A01', false)).toEqual(['Thank you. All your parcels are collected.']);
    expect(await h.scan('LKB1/AAAAAAAAAAAAAAAAAAAAAAAAAA')).toEqual(['That badge is not valid.']);
  });

  it('gives a bigger door when the parcel does not fit, and the first door closes empty', async () => {
    await h.keys('111111#');
    await h.scan('1Z999AA10123456784');
    await h.keys('101#');
    await h.keys('1#');
    expect(await h.keys('*')).toEqual(['Door A05 is open. Close door A01, put the parcel in A05 and close it.']);
    expect(await h.door('A01', false)).toEqual([]);
    expect(await h.door('A05', false)).toEqual(['Parcel stored in A05. Scan the next parcel, or press * to log out.']);
    const [parcel] = h.app.ledger.parcels.list();
    expect(parcel).toMatchObject({ compartmentId: 'A05', size: 'M', state: 'deposited' });
    // The empty first door is no alarm upstream; both its opening and closing are in the audit trail.
    expect(h.app.ledger.outbox.list().map((e) => e.type)).toEqual(['parcel.deposited']);
    expect(h.app.ledger.compartments.free().map((c) => c.id)).toContain('A01');
  });

  it('tells a courier at login when the locker is full', async () => {
    for (const c of h.app.ledger.compartments.all()) h.app.ledger.transaction(() => h.app.ledger.compartments.setOutOfService(c.id, 'test'));
    expect(await h.keys('111111#')).toEqual(['Hello UPS. The locker is full: no compartment is free. Press * to log out.']);
  });

  it('lets the courier keep a parcel too big for any free door', async () => {
    const xl = h.app.ledger.compartments.all().filter((c) => c.size === 'XL');
    for (let i = 0; i < xl.length; i++) await h.deposit({ unit: '101', size: '4' });
    await h.keys('111111#');
    await h.scan('1Z999AA10123456784');
    await h.keys('202#');
    const opened = await h.keys('3#');
    const first = /^Door (\w+) is open/.exec(opened[0]!)![1]!;
    expect(await h.keys('*')).toEqual([`No bigger compartment is free. Keep the parcel and close door ${first}.`]);
    await h.door(first, false);
    expect(h.app.ledger.parcels.list({ state: 'deposited' })).toHaveLength(xl.length);
    expect(h.app.ledger.parcels.list({ state: 'cancelled' })).toHaveLength(1);
    expect(h.app.ledger.outbox.list().at(-1)).toMatchObject({ type: 'deposit.refused', data: { size: 'L', fullSizes: ['XL'], reason: 'full' } });
    expect(h.app.kiosk.state).toBe('courier_scan');
  });

  it('keeps accessible units to low compartments', async () => {
    const accessibleUnit = h.app.config.units.find((u) => u.accessible);
    expect(accessibleUnit).toBeDefined();
    const c = await h.deposit({ unit: accessibleUnit!.id });
    expect(h.app.ledger.compartments.get(c)!.accessible).toBe(true);
  });
});

describe('bad input at the kiosk gets a refusal and changes nothing but the audit trail', () => {
  let dir: string;
  let cleanup: () => void;
  let h: LockerHarness;
  let logs: ReturnType<typeof captureLogger>;

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    logs = captureLogger();
    h = await LockerHarness.start(testConfig(dir), logs.log);
  });

  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  const stateCounts = (): unknown => ({
    parcels: h.app.ledger.parcels.list({ limit: 10_000 }).length,
    outbox: h.app.ledger.outbox.list({ limit: 10_000 }).length,
    codes: (h.app.ledger.db.prepare('SELECT count(*) AS n FROM retrieval_codes').get() as { n: number }).n,
    ops: (h.app.ledger.db.prepare('SELECT count(*) AS n FROM door_operations').get() as { n: number }).n,
  });

  it('refuses a wrong PIN and a wrong code, audited without the secret', async () => {
    const before = stateCounts();
    expect(await h.keys('999999#')).toEqual(['That code or PIN is not valid. Codes have 8 digits.']);
    expect(await h.keys('12345678#')).toEqual(['That code is not valid or its parcel was already collected. Check it and try again.']);
    expect(stateCounts()).toEqual(before);
    const audit = h.app.ledger.audit.recent(2);
    expect(audit.map((a) => a.action)).toEqual(['pickup.code_rejected', 'courier.login_refused']);
    expect(JSON.stringify(audit)).not.toMatch(/999999|12345678/);
    expect(logs.text()).not.toMatch(/999999|12345678/);
  });

  it('refuses an unknown unit', async () => {
    await h.keys('111111#');
    await h.scan('1Z999AA10123456784');
    expect(await h.keys('999#')).toEqual(['That unit number does not exist. Key the unit number again.']);
    expect(h.app.kiosk.state).toBe('courier_unit');
    expect(h.app.ledger.audit.recent(1)[0]).toMatchObject({ action: 'deposit.unit_unknown', actor: 'courier:ups-demo' });
    expect(h.app.ledger.parcels.list()).toHaveLength(0);
  });

  it('refuses a 10,000-character scan and a scan with control characters', async () => {
    await h.keys('111111#');
    expect(await h.scan('1'.repeat(10_000))).toEqual(['That scan could not be read. Scan again or key the tracking number.']);
    expect(await h.scan('1Z999\u0007AA')).toEqual(['That scan could not be read. Scan again or key the tracking number.']);
    expect(h.app.kiosk.state).toBe('courier_scan');
    const refusals = h.app.ledger.audit.recent(2);
    expect(refusals.map((a) => a.detail)).toEqual([
      { reason: 'scan contains control characters', length: 8 },
      { reason: 'scan too long: 10000 characters (limit 512)', length: 10_000 },
    ]);
    expect(h.app.ledger.parcels.list()).toHaveLength(0);
  });

  it('understands labels: USPS IMpb with its GS, a wrong check digit, a regional carrier', async () => {
    await h.keys('111111#');
    // A wrong check digit on a carrier's own format: scan again.
    expect(await h.scan('1Z999AA10123456785')).toEqual(['That label did not read correctly. Scan again or key it in.']);
    expect(h.app.kiosk.state).toBe('courier_scan');
    // USPS IMpb: 420 + ZIP + GS + the tracking number, which is what gets stored.
    expect(await h.scan('420221539\u001d9101026837331000039521')).toEqual(['USPS parcel. Key the unit number and press #. Press * to go back.']);
    await h.keys('101#');
    await h.keys('#');
    await h.door('A01', false);
    expect(h.app.ledger.parcels.list()[0]).toMatchObject({ tracking: '9101026837331000039521', carrier: 'USPS', courierId: 'ups-demo' });
    // A format no carrier rule knows is accepted with the courier's carrier (regional carriers exist).
    expect(await h.scan('ABC12345678XYZ')).toEqual(['Key the unit number and press #. Press * to go back.']);
  });

  it('takes a keyed tracking number when the label will not scan, checked like a scan', async () => {
    await h.keys('111111#');
    // A USPS IMpb number with one digit wrong, then right.
    expect(await h.keys('9101026837331000039522#')).toEqual(['That tracking number does not check out. Key it again.']);
    expect(await h.keys('9101026837331000039521#')).toEqual(['USPS parcel. Key the unit number and press #. Press * to go back.']);
    await h.keys('101#');
    await h.keys('#');
    await h.door('A01', false);
    expect(h.app.ledger.parcels.list()[0]).toMatchObject({ tracking: '9101026837331000039521', carrier: 'USPS' });
    expect(h.app.ledger.audit.recent(20).find((a) => a.action === 'scan.check_digit_failed')?.detail).toMatchObject({ keyed: true });
  });

  it('bounds a key storm: the entry resets instead of growing', async () => {
    const said = await h.keys('1'.repeat(500));
    expect(said.filter((s) => s === 'Too many keys. Start again.').length).toBeGreaterThan(10);
    expect(await h.keys('#')).toEqual(['That code or PIN is not valid. Codes have 8 digits.']);
  });

  it('throttles guessing across the whole kiosk and keeps the throttle across a restart', async () => {
    // Ten wrong codes within the hour raise the alarm; from then on every check waits 15 min.
    for (let i = 0; i < h.app.config.guessing.alarmFailuresPerHour; i++) expect(await h.keys('00000000#')).toEqual(['That code is not valid or its parcel was already collected. Check it and try again.']);
    expect(await h.keys('00000000#')).toEqual([expect.stringMatching(/^Too many wrong entries. Try again in \d+ s.$/)]);
    expect(h.app.ledger.outbox.list().map((e) => e.type)).toEqual(['kiosk.guessing_suspected']);
    // Courier PINs have a budget of their own (docs/security.md).
    expect(await h.keys('111111#')).toEqual([expect.stringMatching(/^Hello UPS/)]);
    await h.keys('*');
    const config = h.app.config;
    await h.stop();
    h = await LockerHarness.start(config, logs.log);
    expect(await h.keys('00000000#')).toEqual([expect.stringMatching(/^Too many wrong entries/)]);
  });

  it('abandons an idle session after the timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      await h.keys('111111#');
      expect(h.app.kiosk.state).toBe('courier_scan');
      vi.advanceTimersByTime(h.app.config.kiosk.sessionTimeoutMs - 1);
      await h.settle();
      expect(h.app.kiosk.state).toBe('courier_scan');
      vi.advanceTimersByTime(1);
      await h.settle();
    } finally {
      vi.useRealTimers();
    }
    expect(h.app.kiosk.state).toBe('idle');
    expect(h.lastSaid()).toBe('Session ended after no input. Start again.');
  });
});

describe('doors nobody asked for', () => {
  let dir: string;
  let cleanup: () => void;
  let h: LockerHarness;

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    h = await LockerHarness.start(testConfig(dir), captureLogger().log);
  });

  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  it('reports a forced door, a door left open, and its closing', async () => {
    await h.deposit({ unit: '101' });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      await h.door('A01', true);
      vi.advanceTimersByTime(h.app.config.doors.leftOpenMs - 1);
      expect(h.app.ledger.outbox.list().some((e) => e.type === 'door.left_open')).toBe(false);
      vi.advanceTimersByTime(1);
    } finally {
      vi.useRealTimers();
    }
    const forced = h.app.ledger.outbox.list().find((e) => e.type === 'door.forced_open');
    expect(forced?.data).toMatchObject({ compartmentId: 'A01', parcelId: h.app.ledger.parcels.list()[0]!.id });
    expect(h.app.ledger.outbox.list().some((e) => e.type === 'door.left_open' && e.data.compartmentId === 'A01')).toBe(true);
    await h.door('A01', false);
    expect(h.app.ledger.outbox.list().at(-1)).toMatchObject({ type: 'door.closed', data: { compartmentId: 'A01' } });
    // The parcel is still there as far as the ledger knows: a forced door does not pick it up.
    expect(h.app.ledger.parcels.list()[0]!.state).toBe('deposited');
  });
});

describe('a restart in the middle of a door operation', () => {
  it('sends an interrupted deposit to a technician and keeps an interrupted pickup waiting', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const config = testConfig(dir);
      let h = await LockerHarness.start(config, captureLogger().log);
      await h.deposit({ unit: '101' });
      const code = h.latestCode();
      // A second deposit is interrupted after the intent, with the door open: power cut.
      await h.keys('222222#');
      await h.scan('1Z999AA10123456784');
      await h.keys('202#');
      await h.keys('#');
      expect(h.app.locker.openDoors().map((d) => d.compartmentId)).toEqual(['A02']);
      await h.stop();

      // On the next boot the simulated boards start with every door shut (as if pushed shut meanwhile).
      h = await LockerHarness.start(config, captureLogger().log);
      const ledger: Ledger = h.app.ledger;
      expect(ledger.doorOperations.allActive()).toHaveLength(0);
      expect(ledger.compartments.get('A02')!.outOfService).toMatch(/restart interrupted/);
      expect(ledger.parcels.list().find((p) => p.compartmentId === 'A02')!.state).toBe('cancelled');
      expect(ledger.outbox.list().map((e) => e.type)).toContain('compartment.needs_inspection');
      // The first parcel is untouched and its code still works.
      // Power cut again, this time with the pickup door open: the parcel keeps waiting.
      expect(await h.keys(`${code}#`)).toEqual(['Door A01 is open. Take your parcel and close the door.']);
      await h.stop();
      h = await LockerHarness.start(config, captureLogger().log);
      const parcel = h.app.ledger.parcels.list().find((p) => p.compartmentId === 'A01')!;
      expect(parcel.state).toBe('deposited');
      expect(await h.keys(`${code}#`)).toEqual(['Door A01 is open. Take your parcel and close the door.']);
      await h.door('A01', false);
      expect(h.app.ledger.parcels.get(parcel.id)!.state).toBe('picked_up');
      await h.stop();
    } finally {
      cleanup();
    }
  });
});
