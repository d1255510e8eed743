import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LockerdConfig } from '../../src/config/types.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { choosePlace } from '../../src/locker/allocation.js';
import { applyConfig, NOT_IN_CONFIG } from '../../src/locker/apply-config.js';
import { tempDir, testConfig, type DeepPartial } from '../helpers/fixtures.js';

const ROOM = { id: 'ROOM', board: 'B1', lock: 16, shelves: [{ id: 'R-A', capacity: 2 }, { id: 'R-B', capacity: 1, size: 'M' }] };
const DESK = { id: 'DESK', places: [{ id: 'D-1', capacity: 3 }] };

describe('rooms, desks and their places in the ledger', () => {
  let dir: string;
  let cleanup: () => void;
  let ledger: Ledger;
  const config = (o: DeepPartial<LockerdConfig>): LockerdConfig => testConfig(dir, o);

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    ledger = Ledger.open({ path: `${dir}/l.db`, keyFile: `${dir}/l.key` });
  });
  afterEach(() => {
    ledger.close();
    cleanup();
  });

  it('applies rooms and desks from the config without counting them as lockers', () => {
    const lockers = ledger.compartments.all().length;
    applyConfig(ledger, config({ rooms: [ROOM], desks: [DESK] } as DeepPartial<LockerdConfig>), 1);
    expect(ledger.compartments.all().map((c) => c.id)).not.toContain('ROOM');
    expect(ledger.compartments.all().length).toBeGreaterThan(lockers);
    expect(ledger.compartments.free().some((c) => c.id === 'ROOM' || c.id === 'DESK')).toBe(false);
    // The room door is a door the monitor watches; the desk has none.
    expect(ledger.compartments.doors().find((c) => c.id === 'ROOM')).toMatchObject({ kind: 'room', board: 'B1', lock: 16 });
    expect(ledger.compartments.get('DESK')).toBeUndefined();
    expect(ledger.storage.areas()).toEqual([
      { id: 'DESK', kind: 'desk', board: null, lock: null, outOfService: null },
      { id: 'ROOM', kind: 'room', board: 'B1', lock: 16, outOfService: null },
    ]);
    expect(ledger.storage.places('ROOM')).toEqual([
      { id: 'R-A', area: 'ROOM', capacity: 2, size: 'XL', active: true, parcels: 0 },
      { id: 'R-B', area: 'ROOM', capacity: 1, size: 'M', active: true, parcels: 0 },
    ]);
  });

  it('keeps a dropped room out of service and its shelves inactive, and brings them back', () => {
    applyConfig(ledger, config({ rooms: [ROOM] } as DeepPartial<LockerdConfig>), 1);
    applyConfig(ledger, config({}), 2);
    expect(ledger.storage.area('ROOM')?.outOfService).toBe(NOT_IN_CONFIG);
    expect(ledger.storage.places('ROOM').map((p) => p.active)).toEqual([false, false]);
    applyConfig(ledger, config({ rooms: [ROOM] } as DeepPartial<LockerdConfig>), 3);
    expect(ledger.storage.area('ROOM')?.outOfService).toBeNull();
    expect(ledger.storage.places('ROOM').map((p) => p.active)).toEqual([true, true]);
  });

  it('counts the parcels on a place and fills shelves in order, by size and capacity', () => {
    applyConfig(ledger, config({ rooms: [ROOM] } as DeepPartial<LockerdConfig>), 1);
    const reserve = (id: string, place: string): void =>
      ledger.parcels.reserve({ id, unit: '101', size: 'M', compartmentId: 'ROOM', placeId: place, carrier: null, tracking: null, courierId: null, reservedAt: 1 });
    expect(choosePlace(ledger.storage.places('ROOM'), 'L')?.id).toBe('R-A');
    reserve('p1', 'R-A');
    reserve('p2', 'R-A');
    expect(ledger.storage.place('R-A')?.parcels).toBe(2);
    expect(ledger.parcels.get('p1')).toMatchObject({ compartmentId: 'ROOM', placeId: 'R-A' });
    // R-A is full; R-B takes up to M only.
    expect(choosePlace(ledger.storage.places('ROOM'), 'L')).toBeNull();
    expect(choosePlace(ledger.storage.places('ROOM'), 'S')?.id).toBe('R-B');
    expect(choosePlace(ledger.storage.places('ROOM'), null)?.id).toBe('R-B');
  });
});
