import { describe, expect, it } from 'vitest';
import type { LockerdConfig } from '../../src/config/types.js';
import { lockerMap, storageCount } from '../../src/screen/layout.js';
import { tempDir, testConfig, type DeepPartial } from '../helpers/fixtures.js';

describe("the screen's map of the doors", () => {
  const { dir, cleanup } = tempDir();
  const demo = testConfig(dir);

  it('is one column per board, doors from the top in lock order, by default', () => {
    const map = lockerMap(demo);
    expect(map).toMatchObject({ columns: 2, rows: 14 });
    expect(map.cells.find((c) => c.id === 'A01')).toEqual({ id: 'A01', column: 1, row: 1, size: 'S', accessible: false });
    expect(map.cells.find((c) => c.id === 'B14')).toMatchObject({ column: 2, row: 14 });
    expect(map.cells.filter((c) => c.accessible).map((c) => c.id)).toEqual(['A07', 'A08', 'B07', 'B08']);
    // Lock order, not config order.
    const shuffled = testConfig(dir, { compartments: [...demo.compartments].reverse() });
    expect(lockerMap(shuffled).cells.find((c) => c.id === 'A01')).toMatchObject({ column: 1, row: 1 });
  });

  it('follows screen.layout.columns, each from the top down', () => {
    const ids = demo.compartments.map((c) => c.id);
    const columns = [ids.slice(0, 7), ids.slice(7, 14), ids.slice(14, 21), ids.slice(21)];
    const map = lockerMap(testConfig(dir, { screen: { layout: { columns } } }));
    expect(map).toMatchObject({ columns: 4, rows: 7 });
    expect(map.cells.find((c) => c.id === 'A08')).toMatchObject({ column: 2, row: 1 });
    expect(map.cells.find((c) => c.id === 'B14')).toMatchObject({ column: 4, row: 7, accessible: false });
  });

  it('follows column/row on the compartments', () => {
    const placed = demo.compartments.map((c, i) => ({ ...c, column: (i % 7) + 1, row: Math.floor(i / 7) + 1 }));
    const map = lockerMap(testConfig(dir, { compartments: placed }));
    expect(map).toMatchObject({ columns: 7, rows: 4 });
    expect(map.cells.find((c) => c.id === 'A08')).toMatchObject({ column: 1, row: 2 });
  });

  const ROOM = { id: 'ROOM', name: 'Mail room', board: 'B2', lock: 16, shelves: [{ id: 'R-A', capacity: 20 }, { id: 'R-B', capacity: 10 }] };
  const DESK = { id: 'DESK', places: [{ id: 'D-1', capacity: 30 }] };

  it('draws only the lockers\' doors at a locker bank with a room and a desk, and counts each kind', () => {
    const config = testConfig(dir, { rooms: [ROOM], desks: [DESK] } as DeepPartial<LockerdConfig>);
    const map = lockerMap(config);
    expect(map.cells).toHaveLength(28);
    expect(map.cells.map((c) => c.id)).not.toContain('ROOM');
    expect(storageCount(config)).toEqual({
      station: 'lockers',
      lockers: 28,
      rooms: [{ id: 'ROOM', name: 'Mail room', places: 2, capacity: 30 }],
      desks: [{ id: 'DESK', name: 'DESK', places: 1, capacity: 30 }],
    });
  });

  it("draws no locker map on a package room's screen: its one door, the room's, alone", () => {
    const config = testConfig(dir, { storage: 'room', rooms: [ROOM] } as DeepPartial<LockerdConfig>);
    expect(lockerMap(config)).toEqual({ columns: 1, rows: 1, cells: [{ id: 'ROOM', column: 1, row: 1, size: 'XL', accessible: false }] });
    expect(storageCount(config)).toMatchObject({ station: 'room', rooms: [{ id: 'ROOM', places: 2 }] });
  });

  it('cleans up', () => cleanup());
});
