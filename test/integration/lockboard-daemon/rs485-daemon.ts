/**
 * The built daemon (node dist/src/main.js) with an RS-485 bus on a socat pseudo-terminal and the
 * standalone simulator on the other end, configured from the shipped example of one family. The
 * tour every family's test file runs: a courier deposits a parcel and the resident picks it up;
 * then the simulator injects a forced door, a jammed lock, a door left open and an unplugged
 * board, and the daemon's events and `lockerctl doors` say so. One file per family, so that the
 * three run in parallel.
 *
 * The kiosk's keypad and scanner are the simulated ones (`lockerctl sim keys|scan`), asked for
 * here (`simulator`) and not in the shipped examples, which are real lockers; doors are opened
 * and closed through the simulator's own commands, since the doors are on the pty bus.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import type { LockBoardProtocol } from '../../../src/config/types.js';
import { Daemon, lockerctl } from '../../helpers/daemon.js';
import { ROOT, tempDir, writeConfig } from '../../helpers/fixtures.js';
import { SimProcess } from '../lockboard/sim-process.js';

export { SKIP_WITHOUT_SOCAT } from '../lockboard/sim-process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Running {
  protocol: LockBoardProtocol;
  daemon: Daemon;
  sim: SimProcess;
  config: { buses: { boards: { id: string; address: number; locks: number }[] }[]; compartments: { id: string; board: string; lock: number }[] };
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
  config.simulator = { keypad: true, scanner: true };
  // The screen listens on a fixed port, and the families run in parallel: not needed here.
  config.screen = { enabled: false };
  const bus = config.buses[0];
  bus.path = link;
  bus.pollIntervalMs = 50;
  for (const b of bus.boards) b.pulseMs = 200;
  const configPath = writeConfig(dir, config);
  const daemon = Daemon.spawn(configPath);
  const r: Running = { protocol, daemon, sim, config, configPath, cleanup };
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

/** Polls `f` until `ok` holds, or fails naming `what` and the last value. */
export async function eventually<T>(what: string, f: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
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

/**
 * Deposit and pickup, then every fault the simulator injects, with what the daemon must say about
 * each. Takes about 15 s (a door left open for doors.leftOpenMs = 5 s is part of it).
 */
export async function faultTour(protocol: LockBoardProtocol): Promise<void> {
  const r = await start(protocol, 5000);
  const first = await deposit(r);
  expect(first).toBe('A01');
  await closeAndWait(r, first, 'deposited');
  await ctl(r, 'sim', 'keys', '*');
  await pickup(r, first);
  expect((await outboxTypes(r)).map((e) => e.type).filter((t) => t.startsWith('parcel.'))).toEqual(['parcel.picked_up', 'parcel.deposited']); // newest first
  // One pulse per door opening, never more.
  expect((await r.sim.cmd('fires')).result).toHaveLength(2);

  // Forced door: the last compartment is pulled open without any command.
  const forced = r.config.compartments.at(-1)!.id;
  await r.sim.cmd(`force ${where(r, forced)}`);
  await eventually('door.forced_open', () => outboxTypes(r), (ev) => ev.some((e) => e.type === 'door.forced_open' && e.data.compartmentId === forced));
  await r.sim.cmd(`close ${where(r, forced)}`);
  await eventually('door.closed', () => outboxTypes(r), (ev) => ev.some((e) => e.type === 'door.closed' && e.data.compartmentId === forced));

  // Jammed lock: A01 (the courier's first choice) does not release; the kiosk offers another door.
  await r.sim.cmd(`jam ${where(r, 'A01')}`);
  const second = await deposit(r, '1Z5R89390357567127');
  expect(second).not.toBe('A01');
  const fault = (await outboxTypes(r)).find((e) => e.type === 'compartment.fault');
  expect(fault?.data).toMatchObject({ compartmentId: 'A01', outcome: 'unconfirmed' });
  const [a01Address, a01Lock] = where(r, 'A01').split(' ').map(Number);
  const a01Fires = ((await r.sim.cmd('fires')).result as { address: number; lock: number }[]).filter((f) => f.address === a01Address && f.lock === a01Lock);
  // Deposit and pickup one pulse each; then the jammed attempt and one resend after a status read said "closed".
  expect(a01Fires).toHaveLength(2 + 2);

  // Door left open: the courier walks away from the open door (doors.leftOpenMs = 5 s).
  await eventually('door.left_open', () => outboxTypes(r), (ev) => ev.some((e) => e.type === 'door.left_open' && e.data.compartmentId === second), 9000);
  await closeAndWait(r, second, 'deposited', 0);

  // Unplugged board (the last one): offline with a reason in `lockerctl doors`, then back online by itself.
  const board = r.config.buses[0]!.boards.at(-1)!;
  await r.sim.cmd(`unplug ${board.address}`);
  const offline = await eventually(`${board.id} offline`, () => ctl(r, 'doors'), (d) => d.boards.some((b: { board: string; online: boolean }) => b.board === board.id && !b.online));
  expect(offline.boards.find((b: { board: string }) => b.board === board.id).detail).toContain(`no reply to ${protocol} status requests at address ${board.address}`);
  expect(r.daemon.output).toMatch(/lock board offline/);
  await r.sim.cmd(`plug ${board.address}`);
  await eventually(`${board.id} online`, () => ctl(r, 'doors'), (d) => d.boards.every((b: { online: boolean }) => b.online));

  // A range keeps the Modbus scan short (all 247 units take about 12 s); 2 and 3 answer nowhere.
  const scan = await ctl(r, 'bus', 'scan', '--addresses', '0-3');
  expect(scan[0]).toMatchObject({
    bus: 'rs485-1',
    found: r.config.buses[0]!.boards.map((b) => ({ address: b.address, protocol, locks: b.locks, board: b.id })),
  });
  // Nothing above is an error of the daemon's own (a jammed lock and an offline board are warnings).
  expect(r.daemon.output).not.toContain('"level":50');
}
