/**
 * Courier conveniences (issue 10 item 6), on the simulated locker: the "door did not open" key,
 * the carrier the label names shown after the scan, a full locker at login recorded upstream, and
 * a session that times out while its deposit door is still open.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Ledger } from '../../src/ledger/ledger.js';
import { checkEvent } from '../../src/sync/validate.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

function expectContract(ledger: Ledger): void {
  for (const e of ledger.outbox.list({ limit: 10_000 })) {
    expect(checkEvent({ id: e.id, seq: e.seq, type: e.type, at: new Date(e.at).toISOString(), kioskId: 'demo-locker', data: e.data }), e.type).toBeNull();
  }
}

const eventsOf = (ledger: Ledger, type: string) => ledger.outbox.list({ limit: 10_000 }).filter((e) => e.type === type);

describe('courier conveniences at the kiosk', () => {
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
    vi.useRealTimers();
    await h.stop();
    cleanup();
  });

  /** Logged in, a UPS label scanned, unit 101, size S: door A01 open. */
  async function depositDoorOpen(): Promise<void> {
    await h.keys('111111#');
    await h.scan('1Z999AA10123456784');
    await h.keys('101#');
    expect(await h.keys('1#')).toEqual(['Door A01 is open. Put the parcel in and close the door. Too small? Press * for a bigger one.']);
  }

  it('D at the open deposit door: that compartment is marked faulty and another of the size opens for the parcel', async () => {
    await depositDoorOpen();
    const parcelId = h.app.ledger.parcels.allIn('A01')[0]!.id;
    expect(h.app.kiosk.lastScreen.choices.map((c) => [c.key, c.labelId])).toContainEqual(['D', 'choice.doorDidNotOpen']);
    expect(await h.keys('D')).toEqual(['Door A01 is reported broken. Door A02 is open: put the parcel in A02 and close it.']);
    expect(h.app.kiosk.state).toBe('courier_door');
    expect(h.app.ledger.compartments.get('A01')!.outOfService).toBe('the courier reported that the door did not open');
    expect(h.app.ledger.parcels.get(parcelId)).toMatchObject({ state: 'reserved', compartmentId: 'A02' });
    expect(eventsOf(h.app.ledger, 'compartment.fault').map((e) => e.data)).toEqual([
      { compartmentId: 'A01', reason: 'the courier reported that the door did not open', outcome: 'reported_by_courier', parcelId },
    ]);
    // The first door's operation ended; that door was open after all (the sim opened it): it is
    // released, so its close is quiet (no forced door, nothing upstream).
    const ops = h.app.ledger.db.prepare(`SELECT compartment_id AS c, state FROM door_operations ORDER BY id`).all();
    expect(ops).toEqual([{ c: 'A01', state: 'abandoned' }, { c: 'A02', state: 'intent' }]);
    expect(await h.door('A01', false)).toEqual([]);
    expect(await h.door('A02', false)).toEqual(['Parcel stored in A02. Scan the next parcel, or press * to log out.']);
    expect(h.app.ledger.parcels.get(parcelId)).toMatchObject({ state: 'deposited', compartmentId: 'A02' });
    expect(eventsOf(h.app.ledger, 'door.forced_open')).toEqual([]);
    expect(eventsOf(h.app.ledger, 'door.closed')).toEqual([]);
    // A01 is out of service: the next S parcel never gets it.
    expect(h.app.ledger.compartments.free().map((c) => c.id)).not.toContain('A01');
    const audit = h.app.ledger.audit.recent(50).map((a) => a.action);
    expect(audit).toContain('deposit.door_did_not_open');
    expectContract(h.app.ledger);
  });

  it('D with nothing else free: the reservation is released, the courier keeps the parcel, upstream hears it as full', async () => {
    for (const c of h.app.ledger.compartments.all()) if (c.id !== 'A01') h.app.ledger.compartments.setOutOfService(c.id, 'test: closed for works');
    await depositDoorOpen();
    expect(await h.keys('D')).toEqual(['Door A01 is reported broken and no other compartment is free. Keep the parcel.']);
    expect(h.app.kiosk.state).toBe('courier_scan');
    expect(h.app.ledger.parcels.list()[0]!.state).toBe('cancelled');
    expect(eventsOf(h.app.ledger, 'deposit.refused').map((e) => e.data.reason)).toEqual(['full']);
    expect(await h.door('A01', false)).toEqual([]);
    expect(eventsOf(h.app.ledger, 'door.forced_open')).toEqual([]);
    expectContract(h.app.ledger);
  });

  it('D typed into an entry is only a character: * clears it first', async () => {
    await depositDoorOpen();
    await h.keys('1');
    expect(await h.keys('D')).toEqual([]);
    expect(h.app.locker.openDoors().map((d) => d.compartmentId)).toEqual(['A01']);
    expect(await h.keys('*')).toEqual(['Entry cleared.']);
  });

  it('shows the carrier the label names, in English and in Spanish; an unknown format shows none', async () => {
    await h.keys('222222#'); // a FedEx courier
    expect(await h.scan('1Z999AA10123456784')).toEqual(['UPS parcel. Key the unit number and press #. Press * to go back.']);
    await h.keys('*');
    expect(await h.scan('ABC12345678XYZ')).toEqual(['Key the unit number and press #. Press * to go back.']);
    await h.keys('*');
    await h.keys('*');
    await h.keys('A'); // Spanish at the welcome screen
    await h.keys('111111#');
    expect(await h.scan('1Z999AA10123456784')).toEqual(['Paquete de UPS. Marque el número de la unidad y oprima #. Oprima * para regresar.']);
  });

  it('a completely full locker at login is told at once and recorded as deposit.refused (full_at_login), once per login', async () => {
    for (const c of h.app.ledger.compartments.all()) h.app.ledger.compartments.setOutOfService(c.id, 'test: closed for works');
    expect(await h.keys('111111#')).toEqual(['Hello UPS. The locker is full: no compartment is free. Press * to log out.']);
    expect(eventsOf(h.app.ledger, 'deposit.refused').map((e) => e.data)).toEqual([{ reason: 'full_at_login', courierId: 'ups-demo', carrier: 'UPS' }]);
    // Scans in that session refuse with the usual `full`; the login itself is not counted again.
    await h.scan('1Z999AA10123456784');
    await h.keys('101#');
    await h.keys('#');
    expect(eventsOf(h.app.ledger, 'deposit.refused').map((e) => e.data.reason)).toEqual(['full_at_login', 'full']);
    await h.keys('*');
    // A second login is a second courier turned away.
    await h.keys('222222#');
    expect(eventsOf(h.app.ledger, 'deposit.refused').map((e) => [e.data.reason, e.data.courierId])).toEqual([['full_at_login', 'ups-demo'], ['full', 'ups-demo'], ['full_at_login', 'fedex-demo']]);
    expect(h.app.ledger.audit.recent(50).filter((a) => a.action === 'deposit.refused_full_at_login')).toHaveLength(2);
    expectContract(h.app.ledger);
    // A locker with a free compartment records nothing at login.
    h.app.ledger.compartments.setOutOfService('A01', null);
    await h.keys('*');
    await h.keys('111111#');
    expect(eventsOf(h.app.ledger, 'deposit.refused')).toHaveLength(3);
  });

  it('a session that times out with its deposit door open ends; the parcel is stored when the door shuts', async () => {
    await depositDoorOpen();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await h.keys('1'); // activity: the session timer restarts under the fake clock
    vi.advanceTimersByTime(h.app.config.kiosk.sessionTimeoutMs + 10);
    vi.useRealTimers();
    await h.settle();
    expect(h.lastSaid()).toBe('Session ended after no input. Door A01 is still open: close it and the parcel is stored.');
    expect(h.app.kiosk.state).toBe('idle');
    expect(logs.text()).toContain('kiosk session timed out with the deposit door open');
    // The door's operation goes on without the session: its close is the deposit.
    expect(await h.door('A01', false)).toEqual([]);
    expect(h.app.ledger.parcels.list()[0]).toMatchObject({ state: 'deposited', compartmentId: 'A01', courierId: 'ups-demo' });
    expect(eventsOf(h.app.ledger, 'parcel.deposited')).toHaveLength(1);
    expect(h.latestCode()).toMatch(/^[0-9]{8}$/);
    // Nobody is logged in any more: the next keys are the next person's.
    expect(await h.keys('*')).toEqual([expect.stringContaining('Residents')]);
    expectContract(h.app.ledger);
  });

  it('a session that times out after its door shut just ends', async () => {
    await depositDoorOpen();
    await h.door('A01', false);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await h.keys('1');
    vi.advanceTimersByTime(h.app.config.kiosk.sessionTimeoutMs + 10);
    vi.useRealTimers();
    await h.settle();
    expect(h.lastSaid()).toBe('Session ended after no input. Start again.');
  });
});
