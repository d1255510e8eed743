/**
 * Capped exponential backoff, the one retry-delay rule of every driver that reconnects by itself
 * (serial scanners and keypads, the RS-485 bus, libgpiod monitors): the first retry waits
 * `minMs`, each further one twice as long, never more than `maxMs`, for ever. Pure: the caller
 * counts its failed attempts and resets the count once the device works again.
 */

/** Attempts past this are all capped anyway; it keeps 2 ** n finite for any count. */
const MAX_DOUBLINGS = 30;

/**
 * The wait before retry number `attempt` (0: the first retry after a failure). A `maxMs` below
 * `minMs` is taken as `minMs`; a negative or fractional attempt counts as the whole part, from 0.
 */
export function backoffDelay(attempt: number, minMs: number, maxMs: number): number {
  const n = Math.min(MAX_DOUBLINGS, Math.max(0, Math.floor(Number.isFinite(attempt) ? attempt : MAX_DOUBLINGS)));
  return Math.min(Math.max(minMs, maxMs), minMs * 2 ** n);
}
