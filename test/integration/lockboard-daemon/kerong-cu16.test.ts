/** The daemon on a kerong-cu16 bus over a pseudo-terminal: the tour of rs485-daemon.ts. */
import { describe, it } from 'vitest';
import { faultTour, SKIP_WITHOUT_SOCAT } from './rs485-daemon.js';

describe.skipIf(SKIP_WITHOUT_SOCAT)('the daemon on a kerong-cu16 bus over a pseudo-terminal', () => {
  it('deposit and pickup, then a forced door, a jammed lock, a door left open and an unplugged board', () => faultTour('kerong-cu16'), 45_000);
});
