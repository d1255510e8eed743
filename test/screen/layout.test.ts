import { describe, expect, it } from 'vitest';
import { lockerMap } from '../../src/screen/layout.js';
import { tempDir, testConfig } from '../helpers/fixtures.js';

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

  it('cleans up', () => cleanup());
});
