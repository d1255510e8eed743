/** The daemon on a clone-8a bus over a pseudo-terminal: the tour of rs485-daemon.ts. */
import { describe, it } from 'vitest';
import { faultTour, SKIP_WITHOUT_SOCAT } from './rs485-daemon.js';

describe.skipIf(SKIP_WITHOUT_SOCAT)('the daemon on a clone-8a bus over a pseudo-terminal', () => {
  it('deposit and pickup, then a forced door, a jammed lock, a door left open and an unplugged board', () => faultTour('clone-8a'), 45_000);
});
