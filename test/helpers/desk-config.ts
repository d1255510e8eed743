import type { LockerdConfig } from '../../src/config/types.js';
import { testConfig } from './fixtures.js';

export const DESK_STATEMENT = 'I received the parcels listed.';

/** A front-desk station (storage "desk") on the test config: desk DESK with places D-1 (1 parcel, M) and D-2 (5, XL). */
export function deskConfig(dir: string, overrides: Record<string, unknown> = {}): LockerdConfig {
  return testConfig(dir, {
    storage: 'desk',
    buses: [{ id: 'sim', type: 'sim', autoCloseMs: 0, unlockDelayMs: 0, boards: [{ id: 'B1', locks: 1 }] }],
    compartments: [],
    desks: [{ id: 'DESK', statement: DESK_STATEMENT, places: [{ id: 'D-1', capacity: 1, size: 'M' }, { id: 'D-2', capacity: 5, size: 'XL' }] }],
    ...overrides,
  } as never);
}
