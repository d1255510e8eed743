/**
 * What upstream hears of doors that are not a courier's or a resident's: a technician's `lock
 * open` (with or without a parcel inside), a remote `door.open`, and the close of every door it
 * heard was left open. On the simulated locker, through the real app.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { validators } from '../../src/sync/validate.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

describe('door events upstream', () => {
  let cleanup: () => void;
  let h: LockerHarness;

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    h = await LockerHarness.start(testConfig(dir), captureLogger().log);
  });

  afterEach(async () => {
    // Every event written is one the contract allows.
    for (const e of h.app.ledger.outbox.list({ limit: 10_000 })) expect(validators.eventData.get(e.type)?.(e.data), `${e.type} ${JSON.stringify(e.data)}`).toBe(true);
    vi.useRealTimers();
    await h.stop();
    cleanup();
  });

  const events = () => h.app.ledger.outbox.list({ limit: 10_000 }).map((e) => ({ type: e.type, data: e.data }));
  const typesSince = (n: number) => events().slice(n).map((e) => e.type);

  /** Lets the door stand open for `doors.leftOpenMs` (the monitor's timer is faked from the open on). */
  async function leaveOpen(open: () => Promise<unknown>): Promise<void> {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await open();
    vi.advanceTimersByTime(h.app.config.doors.leftOpenMs);
    vi.useRealTimers();
  }

  it('a technician opening a door holding a parcel is heard upstream, and so is its close after it was left open', async () => {
    const compartment = await h.deposit({ unit: '101' });
    const parcel = h.app.ledger.parcels.activeIn(compartment)!;
    const before = events().length;
    await leaveOpen(() => h.app.locker.openForTechnician(compartment, 'replace the latch', 'technician:alice'));
    expect(events().slice(before)).toEqual([
      { type: 'door.technician_opened', data: { compartmentId: compartment, reason: 'replace the latch', actor: 'technician:alice', outcome: 'confirmed_open', parcelId: parcel.id } },
      { type: 'door.left_open', data: { compartmentId: compartment, openSince: expect.any(String) } },
    ]);
    await h.door(compartment, false);
    expect(events().at(-1)).toEqual({ type: 'door.closed', data: { compartmentId: compartment, openForMs: expect.any(Number), actor: 'technician:alice' } });
    // A technician's open is not a pickup: the parcel is still waiting.
    expect(h.app.ledger.parcels.get(parcel.id)!.state).toBe('deposited');
  });

  it('every technician open goes upstream, also one whose door did not open, and the close of one shut at once', async () => {
    h.sim.boards.setJammed({ board: 'B1', lock: 2 }, true);
    const before = events().length;
    expect(await h.app.locker.openForTechnician('A02', 'jammed?', 'technician:bob')).toEqual({ ok: true, outcome: 'unconfirmed' });
    expect(events().slice(before)).toEqual([{ type: 'door.technician_opened', data: { compartmentId: 'A02', reason: 'jammed?', actor: 'technician:bob', outcome: 'unconfirmed', parcelId: null } }]);
    expect(await h.app.locker.openForTechnician('A03', 'look inside', 'technician:bob')).toEqual({ ok: true, outcome: 'confirmed_open' });
    await h.door('A03', false);
    expect(typesSince(before)).toEqual(['door.technician_opened', 'door.technician_opened', 'door.closed']);
    expect(events().at(-1)!.data).toMatchObject({ compartmentId: 'A03', actor: 'technician:bob' });
  });

  it('a remote door open left open is closed upstream too', async () => {
    await leaveOpen(() => h.app.locker.openForRemote('B05', 'resident locked out', false, 'cmd-7'));
    expect(typesSince(0)).toEqual(['door.remote_opened', 'door.left_open']);
    await h.door('B05', false);
    expect(events().at(-1)).toEqual({ type: 'door.closed', data: { compartmentId: 'B05', openForMs: expect.any(Number), actor: 'remote:cmd-7' } });
  });

  it('a deposit door reported left open gets its close reported with the parcel', async () => {
    await h.keys('111111#');
    await h.scan('1Z999AA10123456784');
    await h.keys('101#');
    await leaveOpen(() => h.keys('#'));
    expect(typesSince(0)).toEqual(['door.left_open']);
    await h.door('A01', false);
    expect(typesSince(0)).toEqual(['door.left_open', 'parcel.deposited', 'door.closed']);
    expect(events().at(-1)!.data).toMatchObject({ compartmentId: 'A01', actor: 'courier:ups-demo' });
  });

  it('the too-small door of a "bigger door" request closes in the courier\'s name, and its release is spent by any close', async () => {
    await h.keys('111111#');
    await h.scan('1Z999AA10123456784');
    await h.keys('101#');
    await h.keys('1#');
    expect(await h.keys('*')).toEqual(['Door A05 is open. Close door A01, put the parcel in A05 and close it.']);
    await h.door('A05', false);
    // A01 still stands open and is free: the next parcel may be given to it.
    expect(await h.scan('1Z5R89390357567127')).toEqual(['UPS parcel. Key the unit number and press #. Press * to go back.']);
    await h.keys('202#');
    expect(await h.keys('1#')).toEqual([expect.stringMatching(/^Door A01 is open/)]);
    await h.door('A01', false);
    expect(h.app.ledger.parcels.activeIn('A01')!.state).toBe('deposited');
    // The release is spent: forcing A01 now is an alarm.
    await h.door('A01', true);
    expect(events().filter((e) => e.type === 'door.forced_open').map((e) => e.data.compartmentId)).toEqual(['A01']);
  });
});
