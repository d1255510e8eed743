/**
 * The built daemon (node dist/src/main.js) with an RS-485 bus on a socat pseudo-terminal, the
 * standalone simulator on the other end: for each family a courier deposits a parcel and the
 * resident picks it up; on the CU16 bus the simulator also injects a forced door, a jammed lock,
 * a door left open and an unplugged board, and the daemon's events say so.
 *
 * The kiosk's keypad and scanner are the simulated ones (`lockerctl sim keys|scan`); doors are
 * opened and closed through the simulator's own commands, since the doors are on the pty bus.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LockBoardProtocol } from '../../../src/config/types.js';
import { Daemon, lockerctl } from '../../helpers/daemon.js';
import { ROOT, tempDir, writeConfig } from '../../helpers/fixtures.js';
import { SimProcess, SKIP_WITHOUT_SOCAT } from '../lockboard/sim-process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Running {
  daemon: Daemon;
  sim: SimProcess;
  config: { buses: { boards: { id: string; address: number }[] }[]; compartments: { id: string; board: string; lock: number }[] };
  configPath: string;
  cleanup: () => void;
}

const running: Running[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.daemon.stop();
    await r.sim.stop();
    r.cleanup();
  }
});

const SIM_ARGS: Record<LockBoardProtocol, string[]> = {
  'kerong-cu16': ['--boards', '2', '--locks', '16', '--baud', '19200', '--sensors'],
  'clone-8a': ['--boards', '1', '--locks', '24', '--baud', '9600'],
  'modbus-rtu': ['--boards', '2', '--locks', '8', '--baud', '9600'],
};

/** The shipped example config for `protocol`, pointed at a pty and a temporary directory. */
async function start(protocol: LockBoardProtocol, leftOpenMs = 120_000): Promise<Running> {
  const { dir, cleanup } = tempDir('lockerd-rs485-');
  const link = join(dir, 'bus');
  const sim = await SimProcess.start(link, ['--protocol', protocol, '--pulse-ms', '200', ...SIM_ARGS[protocol]]);
  const config = JSON.parse(readFileSync(join(ROOT, 'config', 'examples', `${protocol}.json`), 'utf8'));
  config.ledger = { path: join(dir, 'lockerd.db'), keyFile: join(dir, 'lockerd.key') };
  config.control = { socketPath: join(dir, 'lockerd.sock') };
  config.mqtt = { url: 'mqtt://127.0.0.1:9' };
  config.log = { level: 'debug' };
  config.doors = { leftOpenMs };
  config.couriers = [{ id: 'ups-demo', carrier: 'UPS', pin: '111111' }];
  const bus = config.buses[0];
  bus.path = link;
  bus.pollIntervalMs = 50;
  for (const b of bus.boards) b.pulseMs = 200;
  const configPath = writeConfig(dir, config);
  const daemon = Daemon.spawn(configPath);
  const r: Running = { daemon, sim, config, configPath, cleanup };
  running.push(r);
  await daemon.ready();
  return r;
}

async function ctl(r: Running, ...args: string[]): Promise<any> {
  const res = await lockerctl(['--config', r.configPath, '--json', ...args]);
  if (res.code !== 0) throw new Error(`lockerctl ${args.join(' ')} failed (${res.code}): ${res.stderr}`);
  return JSON.parse(res.stdout);
}

/** Bus address and lock of a compartment, for the simulator's door commands. */
function where(r: Running, compartmentId: string): string {
  const c = r.config.compartments.find((x) => x.id === compartmentId)!;
  const board = r.config.buses[0]!.boards.find((b) => b.id === c.board)!;
  return `${board.address} ${c.lock}`;
}

async function eventually<T>(what: string, f: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: not reached within ${timeoutMs} ms; last: ${JSON.stringify(v).slice(0, 2000)}`);
    await sleep(100);
  }
}

const outboxTypes = async (r: Running): Promise<{ type: string; data: Record<string, unknown> }[]> => (await ctl(r, 'outbox', '--limit', '200')).events;

/** A courier deposits one parcel for unit 101; returns the compartment. */
async function deposit(r: Running, tracking = '1Z999AA10123456784'): Promise<string> {
  expect((await ctl(r, 'sim', 'keys', '111111#')).displays[0].text).toBe('Hello UPS. Scan a parcel, or press * to log out.');
  const scanned = await ctl(r, 'sim', 'scan', tracking);
  expect(scanned.state, JSON.stringify(scanned.displays)).toBe('courier_unit');
  expect((await ctl(r, 'sim', 'keys', '101#')).state).toBe('courier_size');
  const opened = await ctl(r, 'sim', 'keys', '#');
  const said = opened.displays.map((d: { text: string }) => d.text).join(' | ');
  const m = /Door (\w+) is open\. Put the parcel in/.exec(said);
  if (!m) throw new Error(`no door opened; the kiosk said: ${said}`);
  return m[1]!;
}

async function closeAndWait(r: Running, compartment: string, state: string, parcelIndex = 0): Promise<void> {
  await r.sim.cmd(`close ${where(r, compartment)}`);
  await eventually(`parcel ${state}`, () => ctl(r, 'parcels'), (p) => p[parcelIndex]?.state === state);
}

async function pickup(r: Running, compartment: string): Promise<void> {
  const outbox = await ctl(r, 'outbox', '--reveal-codes');
  const code = outbox.events.find((e: { type: string }) => e.type === 'parcel.deposited').data.code as string;
  expect(code).toMatch(/^\d{8}$/);
  const said = (await ctl(r, 'sim', 'keys', `${code}#`)).displays.map((d: { text: string }) => d.text);
  expect(said).toContain(`Door ${compartment} is open. Take your parcel and close the door.`);
  await closeAndWait(r, compartment, 'picked_up');
}

describe.skipIf(SKIP_WITHOUT_SOCAT)('the daemon on an RS-485 bus over a pseudo-terminal', () => {
  for (const protocol of ['clone-8a', 'modbus-rtu'] as const) {
    it(`${protocol}: deposit and pickup through the simulated boards`, async () => {
      const r = await start(protocol);
      const compartment = await deposit(r);
      await closeAndWait(r, compartment, 'deposited');
      await ctl(r, 'sim', 'keys', '*');
      await pickup(r, compartment);
      expect((await outboxTypes(r)).map((e) => e.type).filter((t) => t.startsWith('parcel.'))).toEqual(['parcel.deposited', 'parcel.picked_up']);
      const fires = (await r.sim.cmd('fires')).result as unknown[];
      expect(fires).toHaveLength(2); // one pulse per door opening, never more
      expect(r.daemon.output).not.toContain('"level":50');
    }, 30_000);
  }

  it('kerong-cu16: deposit and pickup, then forced door, jammed lock, door left open and an unplugged board', async () => {
    const r = await start('kerong-cu16', 5000);
    const first = await deposit(r);
    expect(first).toBe('A01');
    await closeAndWait(r, first, 'deposited');
    await ctl(r, 'sim', 'keys', '*');
    await pickup(r, first);

    // Forced door: B14 is pulled open without any command.
    await r.sim.cmd(`force ${where(r, 'B14')}`);
    await eventually('door.forced_open', () => outboxTypes(r), (ev) => ev.some((e) => e.type === 'door.forced_open' && e.data.compartmentId === 'B14'));
    await r.sim.cmd(`close ${where(r, 'B14')}`);
    await eventually('door.closed', () => outboxTypes(r), (ev) => ev.some((e) => e.type === 'door.closed' && e.data.compartmentId === 'B14'));

    // Jammed lock: A01 (the courier's first choice) does not release; the kiosk offers another door.
    await r.sim.cmd(`jam ${where(r, 'A01')}`);
    const second = await deposit(r, '1Z5R89390357567127');
    expect(second).not.toBe('A01');
    const fault = (await outboxTypes(r)).find((e) => e.type === 'compartment.fault');
    expect(fault?.data).toMatchObject({ compartmentId: 'A01', outcome: 'unconfirmed' });
    const a01Fires = ((await r.sim.cmd('fires')).result as { address: number; lock: number }[]).filter((f) => f.address === 0 && f.lock === 1);
    // Deposit and pickup one pulse each; then the jammed attempt and one resend after a status read said "closed".
    expect(a01Fires).toHaveLength(2 + 2);

    // Door left open: the courier walks away from the open door (doors.leftOpenMs = 5 s).
    await eventually('door.left_open', () => outboxTypes(r), (ev) => ev.some((e) => e.type === 'door.left_open' && e.data.compartmentId === second), 9000);
    await closeAndWait(r, second, 'deposited', 0);

    // Unplugged board: offline with a reason in `lockerctl doors`, then back online by itself.
    await r.sim.cmd('unplug 1');
    const offline = await eventually('B2 offline', () => ctl(r, 'doors'), (d) => d.boards.some((b: { board: string; online: boolean }) => b.board === 'B2' && !b.online));
    expect(offline.boards.find((b: { board: string }) => b.board === 'B2').detail).toMatch(/no reply to kerong-cu16 status requests at address 1/);
    expect(r.daemon.output).toMatch(/lock board offline/);
    await r.sim.cmd('plug 1');
    await eventually('B2 online', () => ctl(r, 'doors'), (d) => d.boards.every((b: { online: boolean }) => b.online));

    const scan = await ctl(r, 'bus', 'scan');
    expect(scan[0]).toMatchObject({ bus: 'rs485-1', found: [{ address: 0, protocol: 'kerong-cu16', locks: 16, board: 'B1' }, { address: 1, protocol: 'kerong-cu16', locks: 16, board: 'B2' }] });
  }, 45_000);
});
