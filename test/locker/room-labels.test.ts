import { describe, expect, it } from 'vitest';
import type { LockerdConfig } from '../../src/config/types.js';
import type { Courier } from '../../src/ledger/people.js';
import { parseShelfLabel } from '../../src/locker/room-labels.js';
import { overflowIntoRooms } from '../../src/locker/room-overflow.js';
import type { PackageRooms } from '../../src/locker/room.js';
import { captureLogger } from '../helpers/fixtures.js';

describe('shelf labels', () => {
  const shelves = ['R-A', 'R-B'];
  it('reads a plain shelf id only when it is a shelf of the room, and a prefixed one always', () => {
    expect(parseShelfLabel('R-A', shelves)).toEqual({ shelf: 'R-A', prefixed: false, known: true });
    expect(parseShelfLabel(' R-B\r\n', shelves)).toEqual({ shelf: 'R-B', prefixed: false, known: true });
    expect(parseShelfLabel('LKS1/R-B', shelves)).toEqual({ shelf: 'R-B', prefixed: true, known: true });
    // Prefixed but no such shelf: still a shelf label, refused as unknown (never taken for a parcel).
    expect(parseShelfLabel('LKS1/R-Z', shelves)).toEqual({ shelf: 'R-Z', prefixed: true, known: false });
    expect(parseShelfLabel('R-Z', shelves)).toBeNull();
    expect(parseShelfLabel('1Z999AA10123456784', shelves)).toBeNull();
    expect(parseShelfLabel('r-a', shelves)).toBeNull();
  });
});

describe('overflow from lockers into rooms', () => {
  const courier = { id: 'ups-demo', carrier: 'UPS' } as Courier;
  const req = { courier, unit: '303', size: 'L' as const, carrier: 'UPS', tracking: '1Z999AA10123456784' };
  const config = (overflow: LockerdConfig['allocation']['overflow']) => ({ allocation: { overflow } }) as LockerdConfig;
  /** Rooms as the overflow sees them: which exist, and what each answers (the real ones are tested end to end). */
  const rooms = (answers: Record<string, Awaited<ReturnType<PackageRooms['overflow']>>>) => {
    const asked: string[] = [];
    const fake = {
      room: (id: string) => (id in answers ? { id } : undefined),
      overflow: async (id: string) => {
        asked.push(id);
        return answers[id]!;
      },
    } as unknown as PackageRooms;
    return { fake, asked };
  };
  const open = (roomId: string) => ({ ok: true as const, parcelId: 'p1', compartmentId: roomId, placeId: 'R-A', size: 'L' as const, outcome: 'confirmed_open' as const });

  it('tries the targets in order that list the size, skipping a desk and a room that cannot take it', async () => {
    const { fake, asked } = rooms({ R1: { ok: false, reason: 'no_place' }, R2: open('R2'), R3: open('R3') });
    const go = overflowIntoRooms(config([{ to: 'R3', sizes: ['S'] }, { to: 'DESK', sizes: ['L'] }, { to: 'R1', sizes: ['L'] }, { to: 'R2', sizes: ['L', 'XL'] }, { to: 'R3', sizes: ['L'] }]), fake, captureLogger().log);
    expect(await go({ ...req, size: 'L' }, '303')).toEqual({ ok: true, parcelId: 'p1', compartmentId: 'R2', size: 'L', placeId: 'R-A' });
    expect(asked).toEqual(['R1', 'R2']);
  });

  it('counts "smallest that fits" as S, and says null (refuse as full) when nothing takes it', async () => {
    const { fake, asked } = rooms({ R1: open('R1') });
    const go = overflowIntoRooms(config([{ to: 'R1', sizes: ['L'] }]), fake, captureLogger().log);
    expect(await go({ ...req, size: 'auto' }, '303')).toBeNull();
    expect(asked).toEqual([]);
  });

  it('a room door that did not open: doors_failed when no other target took the parcel', async () => {
    const { fake } = rooms({ R1: { ...open('R1'), outcome: 'no_response' } });
    const go = overflowIntoRooms(config([{ to: 'R1', sizes: ['L'] }]), fake, captureLogger().log);
    expect(await go(req, '303')).toEqual({ ok: false, reason: 'doors_failed', tried: ['R1'] });
  });
});
