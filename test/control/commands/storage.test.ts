/**
 * lockerctl status, compartments, parcels and storage on a station with a package room and a
 * front desk beside its lockers: each kind counted as what it is (lockers in compartments, rooms
 * and desks in parcels against their places' capacity), through lockerctl's run() and the socket.
 */
import { describe, expect, it } from 'vitest';
import { request } from '../../../src/control/client.js';
import { answerOffline } from '../../../src/control/offline.js';
import type { LockerdConfig } from '../../../src/config/types.js';
import { useControlApp } from '../../helpers/control-app.js';
import type { DeepPartial } from '../../helpers/fixtures.js';
import { placeParcel } from '../../helpers/storage-parcels.js';

const STORAGE = {
  rooms: [{ id: 'ROOM', board: 'B2', lock: 16, shelves: [{ id: 'R-A', capacity: 2 }, { id: 'R-B', capacity: 1, size: 'M' }] }],
  desks: [{ id: 'DESK', places: [{ id: 'D-1', capacity: 3 }] }],
} as DeepPartial<LockerdConfig>;

describe('counting rooms and desks beside the lockers', () => {
  const t = useControlApp(STORAGE);
  const { ctl } = t;

  it('lists each room and desk with its places, parcels against capacity, as text and JSON', async () => {
    const ledger = t.app.ledger;
    placeParcel(ledger, { area: 'ROOM', place: 'R-A' });
    placeParcel(ledger, { area: 'ROOM', place: 'R-A' });
    placeParcel(ledger, { area: 'DESK', place: 'D-1', unit: '202' });
    const json = JSON.parse((await ctl('--json', 'storage')).out) as Record<string, unknown>;
    expect(json).toMatchObject({
      station: 'lockers',
      lockers: { total: 28, free: 28, occupied: 0, outOfService: 0, parcels: 0 },
      rooms: [{ id: 'ROOM', kind: 'room', outOfService: null, capacity: 3, parcels: 2, free: 1, places: [
        { id: 'R-A', capacity: 2, size: 'XL', active: true, parcels: 2, free: 0 },
        { id: 'R-B', capacity: 1, size: 'M', active: true, parcels: 0, free: 1 },
      ] }],
      desks: [{ id: 'DESK', kind: 'desk', capacity: 3, parcels: 1, free: 2 }],
    });
    // No parcel ids or units in the storage answer.
    expect(JSON.stringify(json)).not.toMatch(/"unit"|202/);
    const text = await ctl('storage');
    expect(text.code).toBe(0);
    expect(text.out).toContain('lockers: 28 compartments, 28 free, 0 occupied, 0 out of service; 0 parcels');
    expect(text.out).toContain('room ROOM: 2 of 3 parcels, 1 free; in service');
    expect(text.out).toMatch(/\nR-A +XL +2 +2 +0 +full\n/);
    expect(text.out).toContain('desk DESK: 1 of 3 parcels, 2 free; in service');
  });

  it('status counts lockers per size and each room and desk in parcels; compartments lists them by kind', async () => {
    const status = (await request(t.socket, 'status')) as { compartments: Record<string, { total: number }>; storage: { lockers: { total: number }; rooms: { id: string; parcels: number; capacity: number }[]; desks: { id: string }[] } };
    // The room and the desk are not counted as XL lockers.
    expect(Object.values(status.compartments).reduce((n, s) => n + s.total, 0)).toBe(28);
    expect(status.storage.lockers.total).toBe(28);
    expect(status.storage.rooms).toEqual([{ id: 'ROOM', kind: 'room', outOfService: null, capacity: 3, parcels: 2, free: 1 }]);
    expect(status.storage.desks.map((d) => d.id)).toEqual(['DESK']);
    const text = (await ctl('status')).out;
    expect(text).toContain('room ROOM: 2 of 3 parcels, 1 free (lockerctl storage lists its places)');
    expect(text).toContain('desk DESK: 1 of 3 parcels, 2 free');

    const rows = (await request(t.socket, 'compartments')) as { id: string; kind: string; parcels: number; capacity: number | null; doorOpen: boolean | null }[];
    expect(rows.filter((r) => r.kind === 'locker')).toHaveLength(28);
    expect(rows.find((r) => r.id === 'ROOM')).toMatchObject({ kind: 'room', parcels: 2, capacity: 3, doorOpen: false });
    // A desk has no door: whether it is open means nothing.
    expect(rows.find((r) => r.id === 'DESK')).toMatchObject({ kind: 'desk', parcels: 1, capacity: 3, doorOpen: null, board: null });
    expect((await ctl('compartments')).out).toMatch(/\nROOM +room +- +B2 +16 +- +false +2 +3 /);
  });

  it('parcels shows the shelf or place of a parcel in a room or at a desk', async () => {
    const rows = (await request(t.socket, 'parcels')) as { compartmentId: string; placeId: string | null }[];
    expect(rows.filter((r) => r.placeId !== null).map((r) => `${r.compartmentId}/${r.placeId}`).sort()).toEqual(['DESK/D-1', 'ROOM/R-A', 'ROOM/R-A']);
    expect((await ctl('parcels')).out).toMatch(/^id +state +unit +compartmentId +placeId /);
    expect((await ctl('parcels')).out).toMatch(/ DESK +D-1 /);
  });

  it('says when a room is out of service and a place inactive', async () => {
    const ledger = t.app.ledger;
    ledger.transaction(() => {
      ledger.storage.setOutOfService('ROOM', 'door strike broken');
      ledger.storage.deactivatePlace('R-A');
    });
    const room = ((await request(t.socket, 'storage')) as { rooms: { free: number; capacity: number; outOfService: string; places: { id: string; active: boolean; free: number }[] }[] }).rooms[0]!;
    expect(room).toMatchObject({ outOfService: 'door strike broken', capacity: 1, free: 0 });
    expect(room.places.find((p) => p.id === 'R-A')).toMatchObject({ active: false, free: 0 });
    const text = (await ctl('storage')).out;
    expect(text).toContain('room ROOM: 2 of 1 parcels, 0 free; OUT OF SERVICE: door strike broken');
    expect(text).toMatch(/\nR-A +XL +2 +2 +0 +inactive \(not in the config\)\n/);
  });

  it('answers storage from the ledger when the daemon is stopped, as the daemon did', async () => {
    const live = await request(t.socket, 'storage');
    expect(await answerOffline(t.app.config, 'storage', {})).toEqual(live);
  });
});

describe('the self-test on rooms and desks', () => {
  const t = useControlApp(STORAGE);

  it('reports a place over capacity as a warning, with the place named', async () => {
    for (const unit of ['101', '102', '103']) placeParcel(t.app.ledger, { area: 'ROOM', place: 'R-A', unit });
    const r = await t.ctl('selftest');
    expect(r.out).toMatch(/\nWARN +storage records +place R-A of ROOM holds 3 parcels, its capacity is 2/);
    const answer = (await request(t.socket, 'selftest')) as { checks: { check: string; verdict: string }[] };
    expect(answer.checks.find((c) => c.check === 'storage records')?.verdict).toBe('warn');
  });
});

describe('storage at a plain locker bank', () => {
  const t = useControlApp();

  it('says there are no rooms or desks, and refuses an argument it does not take', async () => {
    const r = await t.ctl('storage');
    expect(r).toEqual({ code: 0, err: '', out: 'station serves: lockers\nlockers: 28 compartments, 28 free, 0 occupied, 0 out of service; 0 parcels\nno rooms or desks in the ledger\n' });
    const extra = await t.ctl('storage', 'ROOM');
    expect(extra.code).toBe(64);
    expect(extra.out).toBe('');
  });
});
