/**
 * Staff mode at the kiosk, on the simulated locker (the real app; keys, scans and doors as a
 * person would): every entry of the staff menu end to end, the refusals of the "Bad
 * input" section, and a recall a restart interrupts between the door's intent and its close.
 * Every event the staff flow writes is checked against the MQTT contract.
 */
import { durationMs } from '../../src/locker/hold-policy.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomToken } from '../../src/barcode/token.js';
import type { LockerdConfig } from '../../src/config/types.js';
import { RECALL_INTERRUPTED, RECALL_UNANSWERED } from '../../src/locker/staff.js';
import { validators } from '../../src/sync/validate.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

const DAY = 86_400_000;
const PIN = '9999'; // staff-demo in config/default.json
const MENU = 'Staff menu, Demo staff. 1 = open a compartment, 2 = recall parcels ({n} past their hold), 3 = audit walk, 4 = in or out of service, 5 = reset the keypad throttle. * = log out.';
const menu = (n: number): string => MENU.replace('{n}', String(n));

describe('staff mode at the kiosk on the simulated locker', () => {
  let dir: string;
  let cleanup: () => void;
  let logs: ReturnType<typeof captureLogger>;
  let config: LockerdConfig;
  let clock: number;
  let h: LockerHarness;
  const now = (): number => clock;
  // Both clocks move together: a hold ends only on a clock seen sane (src/locker/hold-clock.ts).
  const monotonic = (): number => clock;

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    logs = captureLogger();
    clock = Date.now();
    config = testConfig(dir);
    h = await LockerHarness.start(config, logs.log, now, { monotonic });
  });

  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  /** Every event in the outbox is valid by the contract (type and data). */
  function expectEventsValid(): void {
    for (const e of h.app.ledger.outbox.list({ limit: 10_000 })) {
      const validate = validators.eventData.get(e.type);
      expect(validate, `no schema for ${e.type}`).toBeDefined();
      expect(validate!(e.data) ? null : { type: e.type, errors: validate!.errors }).toBeNull();
    }
  }

  const events = (type: string) => h.app.ledger.outbox.list({ limit: 10_000 }).filter((e) => e.type === type).map((e) => e.data);
  const audit = (action: string) => h.app.ledger.audit.recent(1000).filter((a) => a.action === action);
  const parcelIn = (compartmentId: string) => h.app.ledger.parcels.list({ limit: 1000 }).find((p) => p.compartmentId === compartmentId)!;

  it('walks every entry of the staff menu end to end', async () => {
    // Where the allocation puts them is its business: the compartments are named as they come.
    const c1 = await h.deposit({ unit: '101' });
    const c2 = await h.deposit({ unit: '102' });
    clock += durationMs(config.holds.length) + DAY; // the first two are past their hold now
    h.app.locker.checkHolds();
    const c3 = await h.deposit({ unit: '103' });
    const c4 = await h.deposit({ unit: '104' });
    // The audit walk goes in id order, the recall by expiry: the test expects c3 < c4 and c1 before c2.
    expect([c3, c4]).toEqual([c3, c4].sort());
    const free = h.app.ledger.compartments.all().map((c) => c.id).filter((id) => ![c1, c2, c3, c4].includes(id));
    const [f1] = free;
    const f1Index = h.app.ledger.compartments.all().findIndex((c) => c.id === f1) + 1;

    // A wrong PIN first: it counts against the PIN budget, and staff reset it below (5).
    expect(await h.keys('8888#')).toEqual(['That code or PIN is not valid. Codes have 8 digits.']);
    expect(await h.keys(`${PIN}#`)).toEqual([menu(2)]);
    expect(audit('staff.logged_in')).toEqual([expect.objectContaining({ actor: 'staff:staff-demo', detail: { credential: 'pin' } })]);
    expect(h.app.kiosk.lastScreen.choices.map((c) => [c.key, c.label])).toEqual([
      ['1', 'Open a door'], ['2', 'Recall parcels'], ['3', 'Audit walk'], ['4', 'In / out of service'], ['5', 'Reset keypad throttle'], ['*', 'Log out'],
    ]);

    // 5: reset the guessing throttle, as staff.
    expect(await h.keys('5#')).toEqual(['Keypad throttle reset: 0 wrong codes and 1 wrong PINs cleared.']);
    expect(events('kiosk.throttle_reset')).toEqual([expect.objectContaining({ actor: 'staff:staff-demo', pinFailuresCleared: 1, reason: 'reset at the kiosk staff menu' })]);
    expect(await h.keys('5#')).toEqual(['Nothing to reset: no wrong entry in the last day.']);

    // 1: open a given compartment (keyed as printed: A 0 3), with a reason; its parcel stays.
    expect(await h.keys('1#')).toEqual(['Key the compartment (e.g. A07, or its number) and press #. * = back.']);
    expect(await h.keys(`${c3}#`)).toEqual([`Why open ${c3}? 1 = parcel stuck, 2 = cleaning, 3 = inspection, 4 = resident assistance. * = back.`]);
    expect(await h.keys('3#')).toEqual([`Door ${c3} is open. Close it when you are done.`]);
    expect(h.app.locker.openDoors().map((d) => d.compartmentId)).toEqual([`${c3}`]);
    expect(await h.keys('*')).toEqual([`Close door ${c3} first.`]);
    expect(await h.door(`${c3}`, false)).toEqual([`Door ${c3} is shut.`, menu(2)]);
    expect(events('staff.door_opened')).toEqual([{ compartmentId: `${c3}`, staffId: 'staff-demo', purpose: 'open', reason: 'inspection', outcome: 'confirmed_open', parcelId: parcelIn(`${c3}`).id }]);
    expect(events('door.closed').at(-1)).toMatchObject({ compartmentId: `${c3}`, actor: 'staff:staff-demo' });
    expect(parcelIn(`${c3}`).state).toBe('deposited');
    // By its number in the list sorted by id.
    expect(await h.keys(`1#${f1Index}#`)).toEqual(['Key the compartment (e.g. A07, or its number) and press #. * = back.', `Why open ${f1}? 1 = parcel stuck, 2 = cleaning, 3 = inspection, 4 = resident assistance. * = back.`]);
    expect(await h.keys('*')).toEqual([menu(2)]);

    // 2 then #: the expired parcels one by one. The first is confirmed while its door is open...
    expect(await h.keys('2#')).toEqual(['2 parcels are past their hold. Press # to recall them one by one, or key a compartment and # to recall its parcel. * = back.']);
    expect(await h.keys('#')).toEqual([`Door ${c1} is open: parcel for unit 101. Take it out, then 1 = taken out (kept at the office), 2 = taken out to return to sender, 3 = left inside. Then close the door.`]);
    // The screen draws the flow's state: its step, the open door, the three answers (each a key and #).
    expect(h.app.kiosk.lastScreen).toMatchObject({ step: 'staff_recall_door', doors: [{ compartmentId: c1, state: 'open' }] });
    expect(h.app.kiosk.lastScreen.choices.map((c) => [c.key, c.label, c.sequence])).toEqual([['1', 'Taken out', ['1', '#']], ['2', 'Return to sender', ['2', '#']], ['3', 'Left inside', ['3', '#']]]);
    expect(await h.keys('1#')).toEqual([`Parcel for unit 101 recalled. Close door ${c1}.`]);
    expect(parcelIn(`${c1}`).state).toBe('recalled');
    expect(await h.door(`${c1}`, false)).toEqual([`Door ${c2} is open: parcel for unit 102. Take it out, then 1 = taken out (kept at the office), 2 = taken out to return to sender, 3 = left inside. Then close the door.`]);
    // ...the second after its door is shut: returned to sender.
    expect(await h.door(`${c2}`, false)).toEqual([`Door ${c2} is shut. What did you do with the parcel? 1 = taken out, 2 = return to sender, 3 = left inside.`]);
    expect(parcelIn(`${c2}`).state).toBe('deposited');
    expect(await h.keys('2#')).toEqual([`Parcel for unit 102 to be returned to sender. Close door ${c2}.`, 'Recall finished.', menu(0)]);
    expect(parcelIn(`${c2}`).state).toBe('returned');
    expect(events('parcel.recalled')).toEqual([
      expect.objectContaining({ parcelId: parcelIn(`${c1}`).id, compartmentId: `${c1}`, unit: '101', staffId: 'staff-demo', disposition: 'recalled', expired: true }),
      expect.objectContaining({ parcelId: parcelIn(`${c2}`).id, compartmentId: `${c2}`, unit: '102', staffId: 'staff-demo', disposition: 'returned', expired: true }),
    ]);
    expect(events('staff.door_opened').filter((e) => e.purpose === 'recall').map((e) => e.compartmentId)).toEqual([`${c1}`, `${c2}`]);
    // Their codes no longer open anything.
    expect(h.app.ledger.codes.liveForUnit('101')).toBeUndefined();

    // 2 then a compartment: a parcel within its hold needs 9 first; staff leave it inside.
    expect(await h.keys(`2#${c4}#`)).toEqual([
      '0 parcels are past their hold. Press # to recall them one by one, or key a compartment and # to recall its parcel. * = back.',
      expect.stringMatching(new RegExp(`^The parcel in ${c4} for unit 104 is held until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\. Press 9 and # to recall it anyway, or \\* to skip it\\.$`)),
    ]);
    expect(await h.keys('9#')).toEqual([expect.stringMatching(new RegExp(`^Door ${c4} is open: parcel for unit 104`))]);
    expect(await h.keys('3#')).toEqual([`Parcel for unit 104 left in ${c4}; it still waits. Close the door.`]);
    expect(await h.door(`${c4}`, false)).toEqual(['Recall finished.', menu(0)]);
    expect(parcelIn(`${c4}`).state).toBe('deposited');
    expect(events('staff.door_opened').at(-1)).toMatchObject({ compartmentId: `${c4}`, purpose: 'recall', reason: 'not expired, confirmed by staff' });

    // 3: the audit walk: A03 present, A04 missing.
    expect(await h.keys('3#')).toEqual([`Door ${c3} is open: 1 parcel(s) for unit 103. 1 = present, 2 = missing, then close the door. * = stop after this door.`]);
    expect(await h.keys('1#')).toEqual([`Noted. Close door ${c3}.`]);
    expect(await h.door(`${c3}`, false)).toEqual([`Door ${c4} is open: 1 parcel(s) for unit 104. 1 = present, 2 = missing, then close the door. * = stop after this door.`]);
    expect(await h.keys('2#')).toEqual([`Noted. Close door ${c4}.`]);
    expect(await h.door(`${c4}`, false)).toEqual(['Audit walk finished: 2 checked, 1 missing, 0 skipped.', menu(0)]);
    const [walk] = events('audit_walk.started');
    expect(walk).toMatchObject({ staffId: 'staff-demo', compartments: 2 });
    expect(events('audit_walk.parcel_missing')).toEqual([{ walkId: walk!.walkId, staffId: 'staff-demo', compartmentId: `${c4}`, parcelIds: [parcelIn(`${c4}`).id], units: ['104'] }]);
    expect(events('audit_walk.finished')).toEqual([{ walkId: walk!.walkId, staffId: 'staff-demo', checked: 2, present: 1, missing: 1, skipped: 0, complete: true }]);
    expect(h.app.ledger.compartments.get(`${c4}`)!.outOfService).toMatch(/^parcel missing at the audit walk/);
    expect(events('staff.door_opened').filter((e) => e.purpose === 'audit').map((e) => [e.compartmentId, e.walkId])).toEqual([[`${c3}`, walk!.walkId], [`${c4}`, walk!.walkId]]);

    // 4: out of service with a reason, and back.
    expect(await h.keys(`4#${c4}#`)).toEqual(['Key the compartment and press #: one in service goes out of service, one out of service comes back. * = back.', `${c4} is back in service.`]);
    expect(await h.keys(`4#${f1}#`)).toEqual(['Key the compartment and press #: one in service goes out of service, one out of service comes back. * = back.', `Why take ${f1} out of service? 1 = door fault, 2 = cleaning, 3 = inspection, 4 = other. * = back.`]);
    expect(await h.keys('2#')).toEqual([`${f1} is out of service.`]);
    expect(h.app.ledger.compartments.get(`${f1}`)!.outOfService).toBe('staff: cleaning');
    expect(events('compartment.service_changed')).toEqual([
      { compartmentId: `${c4}`, inService: true, reason: null, commandId: null, actor: 'staff:staff-demo' },
      { compartmentId: `${f1}`, inService: false, reason: 'staff: cleaning', commandId: null, actor: 'staff:staff-demo' },
    ]);

    // * logs out.
    expect(await h.keys('*')).toEqual(['Staff logged out. Thank you.']);
    expect(h.app.kiosk.state).toBe('idle');
    expect(audit('staff.logged_out')).toHaveLength(1);

    expectEventsValid();
    // Every staff action is in the audit trail under the staff member's name.
    const actions = h.app.ledger.audit.recent(1000).filter((a) => a.actor === 'staff:staff-demo').map((a) => a.action);
    for (const a of ['staff.logged_in', 'kiosk.throttle_reset', 'door.unlock_requested', 'parcel.recalled', 'parcel.returned', 'staff.recall_refused', 'staff.recall_left_inside', 'audit_walk.started', 'audit_walk.parcel_present', 'audit_walk.parcel_missing', 'audit_walk.finished', 'compartment.back_in_service', 'compartment.out_of_service', 'staff.logged_out']) {
      expect(actions).toContain(a);
    }
    const log = logs.text();
    // (Not the whole state: its times and seq are numbers that may hold any digits.)
    expect(JSON.stringify(h.screens.map((x) => [x.prompt, x.choices, x.doors, x.attention]))).not.toMatch(/9999|8888/);
    expect(log).not.toContain(PIN);
    expect(log).not.toContain('8888');
  });

  it('logs staff in by badge, and a staff member set upstream by PIN', async () => {
    const badge = randomToken();
    h.app.ledger.transaction(() => h.app.ledger.staff.upsert({ id: 'night-porter', name: null, pinHash: h.app.ledger.hasher.hash('pin', '24680'), badgeHash: h.app.ledger.hasher.hash('token', badge) }, 'remote'));
    expect(await h.scan(`LKB1/${badge}`)).toEqual([MENU.replace('Demo staff', 'night-porter').replace('{n}', '0')]);
    expect(audit('staff.logged_in')).toEqual([expect.objectContaining({ actor: 'staff:night-porter', detail: { credential: 'badge' } })]);
    expect(await h.keys('*')).toEqual(['Staff logged out. Thank you.']);
    expect(await h.keys('24680#')).toEqual([MENU.replace('Demo staff', 'night-porter').replace('{n}', '0')]);
  });

  it('on a session timeout, treats an unanswered recall as unconfirmed and ends an audit walk incomplete', async () => {
    await h.stop();
    config = testConfig(dir, { kiosk: { sessionTimeoutMs: 5_000 } });
    h = await LockerHarness.start(config, logs.log, now, { monotonic });
    const a = await h.deposit({ unit: '101' });
    clock += durationMs(config.holds.length) + DAY;
    h.app.locker.checkHolds();
    await h.keys(`${PIN}#2##`);
    expect(h.lastSaid()).toMatch(/^Door .+ is open: parcel for unit 101/);
    await new Promise((r) => setTimeout(r, 5_500));
    await h.settle();
    expect(h.lastSaid()).toBe('Session ended after no input. Start again.');
    expect(parcelIn(a).state).toBe('deposited');
    expect(h.app.ledger.compartments.get(a)!.outOfService).toBe(RECALL_UNANSWERED);
    expect(events('compartment.needs_inspection')).toEqual([{ compartmentId: a, reason: RECALL_UNANSWERED, parcelId: parcelIn(a).id }]);
    await h.door(a, false);

    await h.keys(`${PIN}#3#`);
    expect(h.lastSaid()).toMatch(/^Door .+ is open: 1 parcel\(s\) for unit 101/);
    await new Promise((r) => setTimeout(r, 5_500));
    await h.settle();
    expect(events('audit_walk.finished')).toEqual([expect.objectContaining({ checked: 0, complete: false })]);
    expectEventsValid();
  }, 20_000);

  describe('bad input', () => {
    it('counts a wrong staff PIN against the PIN budget like any other, until the right one waits too', async () => {
      const before = h.app.locker.throttleStatus().pin.failuresLastDay;
      expect(await h.keys('9998#')).toEqual(['That code or PIN is not valid. Codes have 8 digits.']);
      expect(h.app.locker.throttleStatus().pin.failuresLastDay).toBe(before + 1);
      expect(audit('courier.login_refused')).toHaveLength(1);
      // Wrong until the throttle makes everyone wait: then the right staff PIN waits as well.
      for (let i = 0; i < 20 && h.app.locker.guessingWaitMs('pin') === 0; i++) await h.keys('9998#');
      expect(h.app.locker.guessingWaitMs('pin')).toBeGreaterThan(0);
      expect(await h.keys(`${PIN}#`)).toEqual([expect.stringMatching(/^Too many wrong entries\. Try again in \d+ s\.$/)]);
      expect(h.app.kiosk.state).toBe('idle');
      expect(audit('staff.logged_in')).toEqual([]);
      expect(logs.text()).not.toContain('9998');
    });

    it('refuses staff actions on a busy compartment with the reason, audited, changing nothing', async () => {
      const a = await h.deposit({ unit: '101' });
      clock += durationMs(config.holds.length) + DAY;
      h.app.locker.checkHolds();
      // A technician has the parcel's compartment and A05 open: their operations are under way.
      await h.app.locker.openForTechnician(`${a}`, 'latch check');
      await h.app.locker.openForTechnician('A05', 'latch check');
      await h.keys(`${PIN}#`);
      const outboxBefore = h.app.ledger.outbox.list({ limit: 1000 }).length;
      expect(await h.keys('1#A05#')).toEqual([
        'Key the compartment (e.g. A07, or its number) and press #. * = back.',
        'A05 is in use: a door operation is under way. Try again when its door is shut.',
      ]);
      expect(await h.keys(`2#${a}#`)).toEqual([expect.stringContaining('1 parcels are past their hold'), `${a} is in use: a door operation is under way. Try again when its door is shut.`]);
      expect(await h.keys('4#A05#')).toEqual([expect.stringContaining('Key the compartment and press #'), 'A05 is in use: a door operation is under way. Try again when its door is shut.']);
      // The audit walk skips the busy compartment (and says so) rather than wait for it.
      expect(await h.keys('3#')).toEqual([`${a} skipped: its door is in use or did not open.`, 'Audit walk finished: 0 checked, 0 missing, 1 skipped.', menu(1)]);
      expect(audit('staff.open_refused')).toEqual([expect.objectContaining({ actor: 'staff:staff-demo', compartmentId: 'A05', detail: { reason: 'busy' } })]);
      expect(audit('staff.recall_refused')).toEqual([expect.objectContaining({ compartmentId: `${a}`, detail: { reason: 'busy' } })]);
      expect(audit('staff.service_refused')).toEqual([expect.objectContaining({ compartmentId: 'A05', detail: { reason: 'busy' } })]);
      expect(audit('audit_walk.compartment_skipped')).toEqual([expect.objectContaining({ compartmentId: `${a}`, detail: expect.objectContaining({ reason: 'busy' }) })]);
      // Nothing changed: the parcel waits, A05 is in service, no staff door opened.
      expect(parcelIn(`${a}`).state).toBe('deposited');
      expect(h.app.ledger.compartments.get('A05')!.outOfService).toBeNull();
      expect(h.app.ledger.outbox.list({ limit: 1000 }).slice(outboxBefore).map((e) => e.type)).toEqual(['audit_walk.started', 'audit_walk.finished']);
      expectEventsValid();
    });

    it('needs an explicit confirmation to recall a parcel within its hold; without it, nothing changes', async () => {
      const a = await h.deposit({ unit: '101' }); // held for days yet
      await h.keys(`${PIN}#`);
      const parcel = parcelIn(`${a}`);
      expect(await h.keys(`2#${a}#`)).toEqual([expect.any(String), expect.stringMatching(new RegExp(`^The parcel in ${a} for unit 101 is held until .+ Press 9 and # to recall it anyway, or \\* to skip it\\.$`))]);
      expect(audit('staff.recall_refused')).toEqual([expect.objectContaining({ actor: 'staff:staff-demo', compartmentId: `${a}`, parcelId: parcel.id, detail: { reason: 'not_expired', expiresAt: new Date(parcel.expiresAt!).toISOString() } })]);
      // Any other key is not the confirmation.
      expect(await h.keys('1#')).toEqual(['Press 9 and # to recall it anyway, or * to skip it.']);
      expect(await h.keys('#')).toEqual(['Press 9 and # to recall it anyway, or * to skip it.']);
      expect(h.app.locker.openDoors()).toEqual([]);
      // Skipped: back to the menu, the parcel untouched, no door asked for.
      expect(await h.keys('*')).toEqual([menu(0)]);
      expect(parcelIn(`${a}`).state).toBe('deposited');
      expect(h.app.ledger.doorOperations.activeFor(`${a}`)).toEqual([]);
      expect(audit('door.unlock_requested').filter((a) => a.actor === 'staff:staff-demo')).toEqual([]);
      expect(events('parcel.recalled')).toEqual([]);
      // The domain refuses it too, whoever asks without the confirmation.
      expect(await h.app.locker.staff.openForRecall({ id: 'staff-demo', name: null }, parcel.id)).toMatchObject({ ok: false, reason: 'not_expired' });
      expect(parcelIn(`${a}`).state).toBe('deposited');
    });

    it('refuses an unknown compartment, a bad menu key, a bad reason and a recall of an empty compartment, each audited', async () => {
      await h.keys(`${PIN}#`);
      expect(await h.keys('7#')).toEqual(['Press 1, 2, 3, 4 or 5 and #, or * to log out.']);
      expect(await h.keys('1#Z9#')).toEqual([expect.any(String), 'No such compartment. Key its id (e.g. A07) or its number, and #.']);
      expect(await h.keys('99#')).toEqual(['No such compartment. Key its id (e.g. A07) or its number, and #.']);
      expect(await h.keys('A02#8#')).toEqual([expect.stringContaining('Why open A02?'), 'Press 1, 2, 3 or 4 and # for the reason, or * to go back.']);
      expect(await h.keys('*2#A02#')).toEqual([menu(0), expect.stringContaining('past their hold'), 'No parcel is waiting in A02.']);
      expect(await h.scan('1Z999AA10123456784')).toEqual(['Scans do nothing in the staff menu.']);
      const refused = h.app.ledger.audit.recent(1000).filter((a) => a.actor === 'staff:staff-demo' && /refused|unknown/.test(a.action));
      expect(refused.map((a) => a.action)).toEqual(expect.arrayContaining(['staff.compartment_unknown', 'staff.recall_refused']));
      expect(h.app.ledger.outbox.list({ limit: 1000 })).toEqual([]);
    });
  });

  describe('a restart between a recall door\'s intent and its close', () => {
    let a: string;
    async function recallDoorOpen(): Promise<string> {
      a = await h.deposit({ unit: '101' });
      clock += durationMs(config.holds.length) + DAY;
      h.app.locker.checkHolds();
      await h.keys(`${PIN}#2##`);
      expect(h.app.locker.openDoors().map((d) => d.compartmentId)).toEqual([`${a}`]);
      return parcelIn(`${a}`).id;
    }

    it('without staff confirming: the parcel still waits, the compartment goes out of service and upstream is asked to check it', async () => {
      const parcelId = await recallDoorOpen();
      await h.stop();
      // The daemon comes back; the door was shut meanwhile (a fresh simulated locker has every door shut).
      h = await LockerHarness.start(config, logs.log, now, { monotonic });
      expect(h.app.ledger.doorOperations.activeFor(`${a}`)).toEqual([]);
      expect(h.app.ledger.parcels.get(parcelId)!.state).toBe('deposited');
      expect(h.app.ledger.compartments.get(`${a}`)!.outOfService).toBe(RECALL_INTERRUPTED);
      expect(events('compartment.needs_inspection')).toEqual([{ compartmentId: `${a}`, reason: RECALL_INTERRUPTED, parcelId }]);
      expect(audit('recall.interrupted')).toEqual([expect.objectContaining({ compartmentId: `${a}`, parcelId, detail: expect.objectContaining({ by: 'staff:staff-demo' }) })]);
      // Staff settle it with an audit walk, then put it back in service.
      await h.keys(`${PIN}#3#`);
      expect(h.lastSaid()).toMatch(new RegExp(`^Door ${a} is open: 1 parcel\\(s\\) for unit 101`));
      await h.keys('1#');
      await h.door(`${a}`, false);
      expect(await h.keys(`4#${a}#`)).toEqual([expect.any(String), `${a} is back in service.`]);
      expectEventsValid();
    });

    it('with the door still open when lockerd is back: the same once it shuts', async () => {
      const parcelId = await recallDoorOpen();
      await h.stop();
      h = await LockerHarness.start(config, logs.log, now, { monotonic, beforeStart: (app) => app.sim.boards!.setDoor(app.ledger.compartments.get(a)!, true) });
      // Watched, not settled yet: the door is open.
      expect(h.app.ledger.doorOperations.activeFor(a)).toHaveLength(1);
      expect(events('compartment.needs_inspection')).toEqual([]);
      await h.door(a, false);
      expect(h.app.ledger.doorOperations.activeFor(a)).toEqual([]);
      expect(h.app.ledger.parcels.get(parcelId)!.state).toBe('deposited');
      expect(h.app.ledger.compartments.get(a)!.outOfService).toBe(RECALL_INTERRUPTED);
      expect(events('compartment.needs_inspection')).toEqual([{ compartmentId: a, reason: RECALL_INTERRUPTED, parcelId }]);
      expect(events('door.closed').at(-1)).toMatchObject({ compartmentId: a, actor: 'staff:staff-demo' });
      expectEventsValid();
    });

    it('with staff having confirmed: the parcel stays recalled and the compartment in service', async () => {
      const parcelId = await recallDoorOpen();
      await h.keys('1#');
      await h.stop();
      h = await LockerHarness.start(config, logs.log, now, { monotonic });
      expect(h.app.ledger.parcels.get(parcelId)!.state).toBe('recalled');
      expect(h.app.ledger.compartments.get(`${a}`)!.outOfService).toBeNull();
      expect(events('compartment.needs_inspection')).toEqual([]);
      expectEventsValid();
    });
  });
});
