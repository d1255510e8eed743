/**
 * The built daemon on a kerong-cu16 bus over a pseudo-terminal, with the standalone simulator on
 * the other end: a deposit door is open when the daemon is SIGKILLed (a power cut); meanwhile the
 * door is pushed shut and its board loses its cable. The next daemon starts with that board
 * offline, so the deposit cannot be settled at boot; once the board is plugged back it must be
 * settled from its door, without a restart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Daemon, lockerctl } from '../../helpers/daemon.js';
import { ROOT, tempDir, writeConfig } from '../../helpers/fixtures.js';
import { SimProcess, SKIP_WITHOUT_SOCAT } from '../lockboard/sim-process.js';
import { eventually } from './rs485-daemon.js';

describe.skipIf(SKIP_WITHOUT_SOCAT)('the daemon after a power cut, with a lock board offline at boot', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('settles the unfinished deposit when the board comes back, no restart needed', async () => {
    const { dir, cleanup } = tempDir('lockerd-powercut-');
    cleanups.push(cleanup);
    const link = join(dir, 'bus');
    const sim = await SimProcess.start(link, ['--protocol', 'kerong-cu16', '--pulse-ms', '200', '--boards', '2', '--locks', '16', '--baud', '19200', '--sensors']);
    cleanups.push(() => sim.stop());
    const config = JSON.parse(readFileSync(join(ROOT, 'config', 'examples', 'kerong-cu16.json'), 'utf8'));
    config.ledger = { path: join(dir, 'lockerd.db'), keyFile: join(dir, 'lockerd.key') };
    config.control = { socketPath: join(dir, 'lockerd.sock') };
    config.mqtt = { url: 'mqtt://127.0.0.1:9' };
    config.log = { level: 'debug' };
    config.couriers = [{ id: 'ups-demo', carrier: 'UPS', pin: '111111' }];
    // The keypad and scanner are typed through lockerctl sim here; the shipped example is a real locker.
    config.simulator = { keypad: true, scanner: true };
    config.screen = { enabled: false }; // a fixed port, and other daemon tests run in parallel
    config.buses[0].path = link;
    config.buses[0].pollIntervalMs = 50;
    for (const b of config.buses[0].boards) b.pulseMs = 200;
    const configPath = writeConfig(dir, config);
    const ctl = async (...args: string[]): Promise<{ code: number; out: any; stderr: string }> => {
      const res = await lockerctl(['--config', configPath, '--json', ...args]);
      return { code: res.code, out: res.code === 0 ? JSON.parse(res.stdout) : null, stderr: res.stderr };
    };

    let daemon = Daemon.spawn(configPath);
    cleanups.push(() => daemon.stop().then(() => undefined));
    await daemon.ready();
    await ctl('sim', 'keys', '111111#');
    await ctl('sim', 'scan', '1Z999AA10123456784');
    await ctl('sim', 'keys', '101#');
    const opened = (await ctl('sim', 'keys', '#')).out.displays.map((d: { text: string }) => d.text).join(' | ');
    expect(opened).toContain('Door A01 is open. Put the parcel in');

    // Power cut with the door open; meanwhile the door is pushed shut and board B1 (address 0) is unplugged.
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    await sim.cmd('close 0 1');
    await sim.cmd('unplug 0');
    daemon = Daemon.spawn(configPath);
    await daemon.ready();
    await eventually('B1 offline', async () => (await ctl('doors')).out, (d) => d.boards.some((b: { board: string; online: boolean }) => b.board === 'B1' && !b.online));
    const busy = await ctl('lock', 'open', 'A01', '--reason', 'check');
    expect(busy.code).not.toBe(0);
    expect(busy.stderr).toContain('a door operation on A01 is under way');
    expect((await ctl('parcels')).out[0]).toMatchObject({ compartmentId: 'A01', state: 'reserved' });

    // The cable goes back in: the deposit is settled from the shut door, as it would be at boot.
    await sim.cmd('plug 0');
    const parcels = await eventually('deposit settled', async () => (await ctl('parcels')).out, (p) => p[0]?.state !== 'reserved', 10_000);
    expect(parcels[0]).toMatchObject({ compartmentId: 'A01', state: 'cancelled' });
    const events = (await ctl('outbox', '--limit', '200')).out.events as { type: string; data: Record<string, unknown> }[];
    expect(events.find((e) => e.type === 'compartment.needs_inspection')?.data).toMatchObject({ compartmentId: 'A01' });
    const compartments = (await ctl('compartments')).out as { id: string; outOfService: string | null }[];
    expect(compartments.find((c) => c.id === 'A01')!.outOfService).toMatch(/restart interrupted/);
    // The technician can open it to inspect, without restarting the daemon.
    const inspect = await ctl('lock', 'open', 'A01', '--reason', 'inspect after the power cut');
    expect(inspect.out, inspect.stderr).toEqual({ compartment: 'A01', outcome: 'confirmed_open' });
  }, 60_000);
});
