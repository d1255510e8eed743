import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, exampleConfig } from '../helpers/fixtures.js';
import { Daemon, jsonCtl, lockerctl } from '../helpers/daemon.js';
import { LABELS } from '../helpers/room.js';

describe('a package room station (config/examples/package-room.json), driven with lockerctl sim', () => {
  let dir: string;
  let cleanup: () => void;
  let configPath: string;
  let daemon: Daemon;
  const { json, said, events } = jsonCtl(() => configPath);

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    // The room door left open raises its alarm soon (the shortest the config allows).
    configPath = exampleConfig('package-room.json', dir, { doors: { leftOpenMs: 5_000 } });
    daemon = Daemon.spawn(configPath);
    await daemon.ready();
  });

  afterAll(async () => {
    await daemon?.stop();
    cleanup();
  });

  it('a courier session: the room door unlocks, shelves are named or chosen by label, each parcel is deposited with its shelf at once', async () => {
    const login = await json('sim', 'keys', '111111#');
    expect(login.displays.map((d: { text: string }) => d.text)).toContain('Hello UPS. The room door is unlocked. Scan a parcel, or press * to log out.');
    expect(login.state).toBe('room_scan');
    // The room door is a door like any other: open now, through a door operation in the courier's name.
    expect((await json('status')).openDoors.map((d: { compartmentId: string }) => d.compartmentId)).toEqual(['ROOM']);
    expect(await said('sim', 'door', 'ROOM', 'close')).toEqual([]);
    // A technician's door list has the room's door, shut again.
    expect((await json('doors')).doors).toEqual([expect.objectContaining({ compartment: 'ROOM', kind: 'room', board: 'RB', lock: 1, door: 'closed', parcelId: null })]);

    // A parcel: scan, key the unit, the kiosk names the first shelf with room; # puts it there.
    expect((await json('sim', 'scan', LABELS[0]!)).state).toBe('room_unit');
    expect(await said('sim', 'keys', '303#')).toEqual(['Parcel for unit 303: put it on shelf R-A and press #, or scan the label of the shelf you put it on. Press * to go back.']);
    expect(await said('sim', 'keys', '#')).toEqual(['Parcel stored on shelf R-A. Scan the next parcel, or press * to log out.']);

    // Another: the courier puts it elsewhere and scans that shelf's label (plain or prefixed).
    await json('sim', 'scan', LABELS[1]!);
    await json('sim', 'keys', '201#');
    expect(await said('sim', 'scan', 'R-X')).toEqual(['Put this parcel on shelf R-A and press # first, or press * to go back.']);
    expect(await said('sim', 'scan', 'LKS1/R-X')).toEqual(['That shelf is not in this room. Scan a shelf label of this room, or press # for shelf R-A.']);
    expect(await said('sim', 'scan', 'LKS1/R-C')).toEqual(['Parcel stored on shelf R-C. Scan the next parcel, or press * to log out.']);

    // R-C holds one: full now.
    await json('sim', 'scan', LABELS[2]!);
    await json('sim', 'keys', '303#');
    expect(await said('sim', 'scan', 'R-C')).toEqual(['Shelf R-C is full. Put the parcel on shelf R-A and press #, or scan another shelf.']);
    expect(await said('sim', 'keys', '#')).toEqual(['Parcel stored on shelf R-A. Scan the next parcel, or press * to log out.']);

    // The same label again: refused, as at the locker.
    expect(await said('sim', 'scan', LABELS[0]!)).toEqual(['This tracking number is already stored, on R-A. Scan the next parcel, or press * to log out.']);
    // The door again (C), then log out.
    expect(await said('sim', 'keys', 'C')).toEqual(['The room door is unlocked again. Scan a parcel, or press * to log out.']);
    await json('sim', 'door', 'ROOM', 'close');
    expect(await said('sim', 'keys', '*')).toEqual(['Logged out. Thank you.']);

    const parcels = await json('parcels');
    expect(parcels.map((p: { tracking: string; placeId: string; state: string; compartmentId: string }) => [p.tracking, p.compartmentId, p.placeId, p.state])).toEqual([
      [LABELS[2], 'ROOM', 'R-A', 'deposited'],
      [LABELS[1], 'ROOM', 'R-C', 'deposited'],
      [LABELS[0], 'ROOM', 'R-A', 'deposited'],
    ]);
    const deposited = await events('parcel.deposited');
    expect(deposited.map((e) => [e.data.unit, e.data.placeId, e.data.compartmentId])).toEqual([['303', 'R-A', 'ROOM'], ['201', 'R-C', 'ROOM'], ['303', 'R-A', 'ROOM']]);
    // One code for unit 303's two parcels, as at the locker.
    expect(deposited.filter((e) => e.data.code !== undefined)).toHaveLength(2);
    const audit = await json('audit', '--limit', '100');
    expect(audit.filter((a: { action: string; detail: { purpose?: string } }) => a.action === 'door.unlock_requested' && a.detail.purpose === 'room_deposit')).toHaveLength(2);
    expect(audit.some((a: { action: string }) => a.action === 'room.shelf_unknown')).toBe(true);
  }, 60_000);

  it("a resident: the code opens the room door, the screen lists the parcels, each label scanned out; someone else's label is a wrong pickup; a label not in the room is refused", async () => {
    const deposited = await events('parcel.deposited');
    const code303: string = deposited.find((e) => e.data.unit === '303' && e.data.code !== undefined).data.code;
    const opened = await json('sim', 'keys', `${code303}#`);
    expect(opened.state).toBe('room_resident');
    expect(opened.displays.map((d: { text: string }) => d.text)).toEqual([`The room door is open. Your parcels: R-A (${LABELS[0]}), R-A (${LABELS[2]}). On your way out, scan each label here.`]);
    expect(opened.screens.at(-1).doors).toEqual([{ compartmentId: 'ROOM', state: 'open' }]);
    await json('sim', 'door', 'ROOM', 'close');

    // Unit 201's parcel: not theirs.
    expect(await said('sim', 'scan', LABELS[1]!)).toEqual(['That parcel is not yours. Please put it back on shelf R-C.']);
    const wrong = await events('parcel.wrong_pickup');
    expect(wrong.map((e) => e.data)).toEqual([expect.objectContaining({ compartmentId: 'ROOM', placeId: 'R-C', unit: '201', byUnit: '303' })]);
    // A label of nothing in the room.
    expect(await said('sim', 'scan', LABELS[3]!)).toEqual(['That label is not of a parcel waiting in this room.']);

    expect(await said('sim', 'scan', LABELS[0]!)).toEqual([`Thank you: your parcel from shelf R-A. Still to scan: R-A (${LABELS[2]}).`]);
    const done = await json('sim', 'scan', LABELS[2]!);
    expect(done.displays.map((d: { text: string }) => d.text)).toEqual(['Thank you. All your parcels are collected.']);
    expect(done.state).toBe('idle');

    const parcels = await json('parcels');
    expect(parcels.filter((p: { state: string }) => p.state === 'picked_up').map((p: { tracking: string }) => p.tracking).sort()).toEqual([LABELS[0], LABELS[2]].sort());
    expect(parcels.find((p: { tracking: string }) => p.tracking === LABELS[1]).state).toBe('deposited');
    const pickedUp = await events('parcel.picked_up');
    expect(pickedUp.map((e) => [e.data.placeId, e.data.confirmedBy])).toEqual([['R-A', 'scan'], ['R-A', 'scan']]);
    // The code is used up: nothing waits on it.
    expect(await said('sim', 'keys', `${code303}#`)).toEqual(['That code is not valid or its parcel was already collected. Check it and try again.']);
    // Nothing secret reached the log.
    expect(daemon.output).not.toContain(code303);
    expect(daemon.output).not.toContain('111111');
  }, 60_000);

  it('watches the room door like any door: forced open, left open, and its close', async () => {
    // Nobody asked for it: forced open.
    await json('sim', 'door', 'ROOM', 'open');
    expect((await events('door.forced_open')).map((e) => e.data.compartmentId)).toEqual(['ROOM']);
    await json('sim', 'door', 'ROOM', 'close');
    // A courier's session door held open past doors.leftOpenMs.
    await json('sim', 'keys', '222222#');
    const deadline = Date.now() + 15_000;
    while ((await events('door.left_open')).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect((await events('door.left_open')).map((e) => e.data.compartmentId)).toEqual(['ROOM']);
    await json('sim', 'door', 'ROOM', 'close');
    await json('sim', 'keys', '*');
    expect((await events('door.closed')).map((e) => e.data.compartmentId)).toEqual(['ROOM', 'ROOM']);
  }, 60_000);

  it('staff see flagged parcels and refuse to resolve what is not flagged, changing nothing', async () => {
    expect(await json('parcels', '--flagged')).toEqual([]);
    const waiting = (await json('parcels')).find((p: { state: string }) => p.state === 'deposited');
    const r = await lockerctl(['--config', configPath, 'parcels', 'resolve', waiting.id, 'taken']);
    expect(r.code).toBe(65);
    expect(r.stderr).toContain('is not a flagged parcel waiting in a package room; see lockerctl parcels --flagged');
    const bad = await lockerctl(['--config', configPath, 'parcels', 'resolve', waiting.id, 'gone']);
    expect(bad.code).toBe(64);
    expect((await json('parcels')).find((p: { id: string }) => p.id === waiting.id).state).toBe('deposited');
  });
});
