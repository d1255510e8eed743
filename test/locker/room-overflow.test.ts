/**
 * Overflow into a room when the room door fails, and when a restart interrupts it: the reservation
 * on the shelf ends as a locker deposit's would, and the courier keeps the parcel.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { captureLogger, tempDir, exampleConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';
import { LABELS } from '../helpers/room.js';

describe('overflow into the package room', () => {
  let h: LockerHarness;
  let cleanup: () => void;
  let configPath: string;
  const logs = captureLogger('debug');
  const events = (type: string) => h.app.ledger.outbox.list({ limit: 1000 }).filter((e) => e.type === type);

  /** Fills A04 (the one L) and asks for another L. */
  const overflowL = async (): Promise<string[]> => {
    await h.keys('111111#');
    await h.scan(LABELS[0]!);
    await h.keys('303#');
    await h.keys('3#');
    await h.door('A04', false);
    await h.scan(LABELS[1]!);
    await h.keys('303#');
    return h.keys('3#');
  };

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    configPath = exampleConfig('lockers-with-room-overflow.json', dir);
    h = await LockerHarness.start(loadConfig(configPath), logs.log);
  });

  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  it('a room door that does not open ends the shelf reservation; the courier keeps the parcel', async () => {
    h.sim.boards.setJammed(h.app.ledger.compartments.get('ROOM')!, true);
    expect(await overflowL()).toEqual(['No door could be opened. Keep the parcel and call support.']);
    const parcel = h.app.ledger.parcels.list().find((p) => p.tracking === LABELS[1])!;
    expect(parcel).toMatchObject({ state: 'cancelled', compartmentId: 'ROOM', placeId: 'R-A' });
    expect(events('compartment.fault').map((e) => e.data.compartmentId)).toEqual(['ROOM']);
    // The shelf counts nothing of it; the room door is out of service, like a locker door that failed, so overflow stops trying it.
    expect(h.app.ledger.storage.place('R-A')!.parcels).toBe(0);
    expect(h.app.ledger.storage.area('ROOM')!.outOfService).toMatch(/room door did not open/);
    await h.scan(LABELS[2]!);
    await h.keys('303#');
    expect(await h.keys('3#')).toEqual(['No free compartment in size L, XL. Keep the parcel.']);
  });

  it('a restart while the overflow door was open cancels the reservation and asks for an inspection', async () => {
    await overflowL();
    expect(h.app.ledger.parcels.list()[0]).toMatchObject({ state: 'reserved', compartmentId: 'ROOM' });
    await h.stop();
    // The door was shut while the daemon was down (never seen shut): nobody knows whether the parcel went in.
    h = await LockerHarness.start(loadConfig(configPath), logs.log, undefined, { beforeStart: (app) => app.sim.boards!.setDoor(app.ledger.compartments.get('ROOM')!, false) });
    expect(h.app.ledger.parcels.list().find((p) => p.tracking === LABELS[1])).toMatchObject({ state: 'cancelled' });
    expect(events('compartment.needs_inspection').map((e) => e.data.compartmentId)).toEqual(['ROOM']);
    expect(events('parcel.deposited').map((e) => e.data.compartmentId)).toEqual(['A04']);
  });
});
