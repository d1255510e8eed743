/**
 * A locker whose config does not ask for the simulated keypad and scanner has none: `lockerctl
 * sim keys|scan` is refused with the config key to set, nothing reaches the kiosk, and nothing
 * is recorded. (The default config asks for them: test/e2e/daemon.test.ts drives them.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { request } from '../../../src/control/client.js';
import { captureLogger, tempDir, testConfig } from '../../helpers/fixtures.js';
import { inProcessLockerctl } from '../../helpers/lockerctl-run.js';

describe('a locker without simulated inputs', () => {
  let app: App;
  let cleanup: () => void;
  let socket: string;

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    const config = testConfig(dir, { simulator: { keypad: false, scanner: false } });
    socket = config.control.socketPath;
    app = createApp(config, captureLogger().log, { controlSocket: true });
    await app.start();
  });

  afterAll(async () => {
    await app.stop();
    cleanup();
  });

  const ctl = inProcessLockerctl(() => socket);

  it('refuses sim keys and sim scan as unavailable (exit 69), naming the config key, and changes nothing', async () => {
    const auditBefore = app.ledger.audit.recent(1000).length;
    const keys = await ctl('sim', 'keys', '111111#');
    expect(keys.code).toBe(69);
    expect(keys.err).toBe('lockerctl: this locker has no simulated keypad: "sim keys" needs simulator.keypad: true in the config (for a demo or test locker only: it lets anyone who may use lockerctl type at the kiosk)\n');
    const scan = await ctl('sim', 'scan', 'LKP1/demo-locker/abc');
    expect(scan.code).toBe(69);
    expect(scan.err).toContain('this locker has no simulated scanner: "sim scan" needs simulator.scanner: true in the config');
    expect(app.kiosk.state).toBe('idle');
    expect(app.ledger.audit.recent(1000)).toHaveLength(auditBefore);
    // Nor can a technician's test reach one: there is no such device.
    expect(((await request(socket, 'inputs')) as { name: string }[]).map((d) => d.name)).toEqual([]);
    await expect(request(socket, 'input.test', { kind: 'keypad' })).rejects.toMatchObject({ message: 'no keypad is configured', kind: 'unavailable' });
  });

  it('still simulates the doors of its sim bus', async () => {
    expect(await request(socket, 'sim.door', { compartment: 'A01', action: 'open' })).toMatchObject({ compartment: 'A01', door: 'open', changed: true });
    await request(socket, 'sim.door', { compartment: 'A01', action: 'close' });
  });
});
