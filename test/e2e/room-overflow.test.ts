import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, exampleConfig } from '../helpers/fixtures.js';
import { Daemon, jsonCtl } from '../helpers/daemon.js';
import { LABELS } from '../helpers/room.js';

describe('a locker bank overflowing into its package room (config/examples/lockers-with-room-overflow.json)', () => {
  let dir: string;
  let cleanup: () => void;
  let configPath: string;
  let daemon: Daemon;
  const { json, said, events } = jsonCtl(() => configPath);

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    configPath = exampleConfig('lockers-with-room-overflow.json', dir);
    daemon = Daemon.spawn(configPath);
    await daemon.ready();
  });

  afterAll(async () => {
    await daemon?.stop();
    cleanup();
  });

  it('fills the L compartment, overflows the next L parcel onto a shelf through the room door, and the resident code opens both', async () => {
    await json('sim', 'keys', '111111#');
    // The one L compartment takes the first parcel.
    await json('sim', 'scan', LABELS[0]!);
    await json('sim', 'keys', '303#');
    expect(await said('sim', 'keys', '3#')).toEqual(['Door A04 is open. Put the parcel in and close the door. Too small? Press * for a bigger one.']);
    await json('sim', 'door', 'A04', 'close');

    // The next L parcel: no compartment of L or bigger is free; the room takes it.
    await json('sim', 'scan', LABELS[1]!);
    await json('sim', 'keys', '303#');
    const overflow = await json('sim', 'keys', '3#');
    expect(overflow.displays.map((d: { text: string }) => d.text)).toEqual(['No compartment is free for this size. Take the parcel to the package room, shelf R-A: the room door is open. Close it behind you.']);
    expect(overflow.state).toBe('courier_door');
    expect(overflow.screens.at(-1).choices).toEqual([]);
    expect((await json('parcels'))[0]).toMatchObject({ state: 'reserved', compartmentId: 'ROOM', placeId: 'R-A', size: 'L' });
    expect((await json('status')).openDoors.map((d: { compartmentId: string }) => d.compartmentId)).toEqual(['ROOM']);
    expect(await said('sim', 'door', 'ROOM', 'close')).toEqual(['Parcel stored on shelf R-A of the package room. Scan the next parcel, or press * to log out.']);
    await json('sim', 'keys', '*');

    expect((await json('parcels'))[0]).toMatchObject({ state: 'deposited', compartmentId: 'ROOM', placeId: 'R-A' });
    const deposited = await events('parcel.deposited');
    expect(deposited.map((e) => [e.data.compartmentId, e.data.placeId ?? null])).toEqual([['ROOM', 'R-A'], ['A04', null]]);
    expect(deposited.filter((e) => e.data.code === undefined).map((e) => e.data.compartmentId)).toEqual(['ROOM']); // joined the live code
    expect(await events('deposit.refused')).toEqual([]);

    // The resident's one code opens A04 and the room door, and lists the room parcel.
    const code: string = deposited.find((e) => e.data.code !== undefined).data.code;
    const pickup = await json('sim', 'keys', `${code}#`);
    expect(pickup.displays.map((d: { text: string }) => d.text)).toEqual([
      'Door A04 is open. Take your parcel and close the door.',
      `Your parcels in the package room: R-A (${LABELS[1]}). The room door is open; on your way out, scan each label at the room.`,
    ]);
    expect(pickup.state).toBe('room_resident');
    expect(pickup.screens.at(-1).doors).toEqual([{ compartmentId: 'A04', state: 'open' }, { compartmentId: 'ROOM', state: 'open' }]);
    await json('sim', 'door', 'A04', 'close');
    await json('sim', 'door', 'ROOM', 'close');
    // Scanned out at this kiosk, with the same flow as at a room station.
    expect(await said('sim', 'scan', LABELS[1]!)).toEqual(['Thank you. All your parcels are collected.']);

    const parcels = await json('parcels');
    expect(parcels.map((p: { state: string }) => p.state)).toEqual(['picked_up', 'picked_up']);
    const pickedUp = await events('parcel.picked_up');
    expect(pickedUp.map((e) => [e.data.compartmentId, e.data.confirmedBy ?? null])).toEqual([['ROOM', 'scan'], ['A04', null]]);
    const audit = await json('audit', '--limit', '100');
    const roomOps = audit.filter((a: { action: string; compartmentId: string }) => a.action === 'door.unlock_requested' && a.compartmentId === 'ROOM').map((a: { detail: { purpose: string } }) => a.detail.purpose);
    expect(roomOps.sort()).toEqual(['room_deposit', 'room_pickup']);
  }, 60_000);
});
