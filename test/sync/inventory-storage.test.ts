/**
 * The retained inventory snapshot on a station with a room and a desk beside its lockers: each
 * kind counted as what it is, place by place, valid against the published contract, and no
 * parcel id, unit or technician's free text in it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LockerdConfig } from '../../src/config/types.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { applyConfig } from '../../src/locker/apply-config.js';
import { inventorySnapshot } from '../../src/sync/snapshots.js';
import { describeErrors, validators } from '../../src/sync/validate.js';
import { tempDir, testConfig, type DeepPartial } from '../helpers/fixtures.js';
import { placeParcel } from '../helpers/storage-parcels.js';

const STORAGE = {
  rooms: [{ id: 'ROOM', board: 'B2', lock: 16, shelves: [{ id: 'R-A', capacity: 2 }, { id: 'R-B', capacity: 1, size: 'M' }] }],
  desks: [{ id: 'DESK', places: [{ id: 'D-1', capacity: 3 }] }],
} as DeepPartial<LockerdConfig>;

describe('the inventory snapshot per storage kind', () => {
  let cleanup: () => void;
  let ledger: Ledger;

  beforeEach(() => {
    const t = tempDir();
    cleanup = t.cleanup;
    ledger = Ledger.open({ path: `${t.dir}/l.db`, keyFile: `${t.dir}/l.key` });
    applyConfig(ledger, testConfig(t.dir, STORAGE), 1);
  });
  afterEach(() => {
    ledger.close();
    cleanup();
  });

  const valid = (snapshot: unknown): string => (validators.inventory(snapshot) ? '' : describeErrors(validators.inventory, 'inventory'));

  it('counts lockers in compartments and each room and desk in parcels per place, and matches the contract', () => {
    const parcel = placeParcel(ledger, { area: 'ROOM', place: 'R-A', unit: '4711' });
    placeParcel(ledger, { area: 'DESK', place: 'D-1', unit: '4712' });
    const s = inventorySnapshot(ledger, ['B1'], Date.parse('2026-12-01T10:00:00Z')) as { compartments: { id: string }[]; storage: Record<string, unknown> };
    expect(valid(s)).toBe('');
    // The room and the desk are not compartments with a door of their own.
    expect(s.compartments.map((c) => c.id)).not.toContain('ROOM');
    expect(s.storage).toEqual({
      // B1's 14 compartments are on an offline board: out of service, not free.
      lockers: { total: 28, free: 14, occupied: 0, outOfService: 14, parcels: 0 },
      rooms: [{ id: 'ROOM', state: 'in_service', capacity: 3, parcels: 1, free: 2, places: [
        { id: 'R-A', size: 'XL', active: true, capacity: 2, parcels: 1, free: 1 },
        { id: 'R-B', size: 'M', active: true, capacity: 1, parcels: 0, free: 1 },
      ] }],
      desks: [{ id: 'DESK', state: 'in_service', capacity: 3, parcels: 1, free: 2, places: [{ id: 'D-1', size: 'XL', active: true, capacity: 3, parcels: 1, free: 2 }] }],
    });
    expect(JSON.stringify(s)).not.toMatch(new RegExp(`${parcel}|4711|4712`));
  });

  it('says a room is out of service without the technician\'s reason, and an inactive place takes nothing', () => {
    ledger.transaction(() => {
      ledger.storage.setOutOfService('ROOM', 'strike broken, call Joe on 0171 555 0100');
      ledger.storage.deactivatePlace('D-1');
    });
    const s = inventorySnapshot(ledger, [], 0) as { storage: { rooms: { state: string; free: number }[]; desks: { capacity: number; free: number; places: { active: boolean }[] }[] } };
    expect(valid(s)).toBe('');
    expect(s.storage.rooms[0]).toMatchObject({ state: 'out_of_service', free: 0 });
    expect(s.storage.desks[0]).toMatchObject({ capacity: 0, free: 0, places: [{ active: false }] });
    expect(JSON.stringify(s)).not.toContain('Joe');
  });
});
