/**
 * The self-test's look at rooms and desks: records that cannot be right, whichever flow wrote
 * them, each found and named (place or parcel id, never a unit or code); a sound ledger has none.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LockerdConfig } from '../../src/config/types.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { storageProblems } from '../../src/ledger/storage-problems.js';
import { applyConfig } from '../../src/locker/apply-config.js';
import { tempDir, testConfig, type DeepPartial } from '../helpers/fixtures.js';
import { placeParcel } from '../helpers/storage-parcels.js';

const STORAGE = {
  rooms: [{ id: 'ROOM', board: 'B2', lock: 16, shelves: [{ id: 'R-A', capacity: 2 }, { id: 'R-B', capacity: 1, size: 'M' }] }],
  desks: [{ id: 'DESK', places: [{ id: 'D-1', capacity: 3 }] }],
} as DeepPartial<LockerdConfig>;

describe('storage problems in the ledger', () => {
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

  it('finds none in a sound ledger, full places included', () => {
    placeParcel(ledger, { area: 'ROOM', place: 'R-A' });
    placeParcel(ledger, { area: 'ROOM', place: 'R-A' });
    placeParcel(ledger, { area: 'DESK', place: 'D-1', unit: '202' });
    expect(storageProblems(ledger)).toEqual([]);
  });

  it('names a place over capacity, a parcel on another area\'s place, a place in a locker, a room parcel with no place', () => {
    for (let i = 0; i < 3; i++) placeParcel(ledger, { area: 'ROOM', place: 'R-A', unit: `10${i}` });
    const wrongArea = placeParcel(ledger, { area: 'DESK', place: 'R-B', unit: '201' });
    const inLocker = placeParcel(ledger, { area: 'A01', place: 'D-1', unit: '202' });
    const noPlace = placeParcel(ledger, { area: 'ROOM', place: 'R-B', unit: '203' });
    ledger.db.prepare('UPDATE parcels SET place_id = NULL WHERE id = ?').run(noPlace);
    const problems = storageProblems(ledger);
    expect(problems.map((p) => [p.kind, p.id])).toEqual([
      ['over_capacity', 'R-A'],
      ['place_of_another_area', wrongArea],
      ['place_in_locker', inLocker],
      ['no_place', noPlace],
    ]);
    expect(problems[0]!.detail).toBe('place R-A of ROOM holds 3 parcels, its capacity is 2: check the shelf, and its capacity in the config');
    expect(problems[1]!.detail).toBe(`parcel ${wrongArea} is recorded in DESK but on place R-B, which belongs to ROOM`);
    expect(problems[2]!.detail).toContain('is in locker A01 yet names place D-1');
    // Units never appear.
    expect(JSON.stringify(problems)).not.toMatch(/\b20[123]\b|\b10[012]\b/);
  });

  it('names the first few of each kind and counts the rest', () => {
    for (let i = 0; i < 7; i++) placeParcel(ledger, { area: 'A01', place: 'D-1', unit: `3${i}` });
    const problems = storageProblems(ledger).filter((p) => p.kind === 'place_in_locker');
    expect(problems).toHaveLength(6);
    expect(problems.at(-1)!.detail).toBe('and 2 more parcels in a locker naming a place');
  });

  it('a picked-up parcel no longer fills its place', () => {
    const ids = [0, 1, 2].map((i) => placeParcel(ledger, { area: 'ROOM', place: 'R-A', unit: `40${i}` }));
    ledger.transaction(() => ledger.parcels.end(ids[0]!, 'deposited', 'picked_up', 2));
    expect(storageProblems(ledger)).toEqual([]);
  });
});
