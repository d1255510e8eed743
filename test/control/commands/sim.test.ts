/**
 * A locker whose config does not ask for the simulated keypad and scanner has none: `lockerctl
 * sim keys|scan` is refused with the config key to set, nothing reaches the kiosk, and nothing
 * is recorded. (The default config asks for them: test/e2e/daemon.test.ts drives them.)
 */
import { describe, expect, it } from 'vitest';
import { request } from '../../../src/control/client.js';
import { useControlApp } from '../../helpers/control-app.js';

describe('a locker without simulated inputs', () => {
  const t = useControlApp({ simulator: { keypad: false, scanner: false } });

  const { ctl } = t;

  it('refuses sim keys and sim scan as unavailable (exit 69), naming the config key, and changes nothing', async () => {
    const auditBefore = t.app.ledger.audit.recent(1000).length;
    const keys = await ctl('sim', 'keys', '111111#');
    expect(keys.code).toBe(69);
    expect(keys.err).toBe('lockerctl: this locker has no simulated keypad: "sim keys" needs simulator.keypad: true in the config (for a demo or test locker only: it lets anyone who may use lockerctl type at the kiosk)\n');
    const scan = await ctl('sim', 'scan', 'LKP1/demo-locker/abc');
    expect(scan.code).toBe(69);
    expect(scan.err).toContain('this locker has no simulated scanner: "sim scan" needs simulator.scanner: true in the config');
    expect(t.app.kiosk.state).toBe('idle');
    expect(t.app.ledger.audit.recent(1000)).toHaveLength(auditBefore);
    // Nor can a technician's test reach one: there is no such device.
    expect(((await request(t.socket, 'inputs')) as { name: string }[]).map((d) => d.name)).toEqual([]);
    await expect(request(t.socket, 'input.test', { kind: 'keypad' })).rejects.toMatchObject({ message: 'no keypad is configured', kind: 'unavailable' });
  });

  it('still simulates the doors of its sim bus', async () => {
    expect(await request(t.socket, 'sim.door', { compartment: 'A01', action: 'open' })).toMatchObject({ compartment: 'A01', door: 'open', changed: true });
    await request(t.socket, 'sim.door', { compartment: 'A01', action: 'close' });
  });
});
