/** The one reconnect backoff of the drivers: what a technician reads as "500 ms, doubling to 30 s, forever". */
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../drivers/io/backoff.js';

describe('backoffDelay', () => {
  it('starts at the minimum, doubles per failed attempt, stops at the cap and stays there', () => {
    const delays = Array.from({ length: 9 }, (_, i) => backoffDelay(i, 500, 30_000));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('never overflows however long the device stays away', () => {
    expect(backoffDelay(1_000_000, 500, 30_000)).toBe(30_000);
    expect(backoffDelay(Number.MAX_SAFE_INTEGER, 1, 2 ** 40)).toBe(2 ** 30);
    expect(backoffDelay(Infinity, 500, 30_000)).toBe(30_000);
  });

  it('takes odd inputs safely: a cap below the minimum, negative or fractional attempts', () => {
    expect(backoffDelay(3, 5000, 1000)).toBe(5000);
    expect(backoffDelay(-2, 500, 30_000)).toBe(500);
    expect(backoffDelay(1.9, 500, 30_000)).toBe(1000);
    expect(backoffDelay(NaN, 500, 30_000)).toBe(30_000);
  });
});
