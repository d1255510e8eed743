/**
 * The door controller with the real serialport binding, over a real pseudo-terminal pair made by
 * socat, against the standalone simulator (scripts/lockboard-sim.mjs) in its own process: every
 * family, and every fault the simulator injects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BoardHealth, DoorChange } from '../../../drivers/contracts.js';
import { LockBoardController, type LockBoardBusOptions } from '../../../drivers/lockboard/door-controller.js';
import { PowerGroups } from '../../../drivers/lockboard/power-groups.js';
import { FAMILIES, type ProtocolName } from '../../../drivers/lockboard/families.js';
import { SIM_FAMILIES } from '../../../drivers/lockboard/sim/families.js';
import type { BoardSpec } from '../../../drivers/lockboard/family.js';
import { loadSystemBinding } from '../../../drivers/lockboard/serial.js';
import { DoorMonitor } from '../../../src/locker/door-monitor.js';
import type { Compartment } from '../../../src/ledger/compartments.js';
import { captureLogger } from '../../helpers/fixtures.js';
import { SimProcess, SKIP_WITHOUT_SOCAT } from './sim-process.js';

const FIRST = (p: ProtocolName): number => FAMILIES[p].addressMin;
const BAUD = (p: ProtocolName): number => SIM_FAMILIES[p].defaults.baudRate;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(10);
  }
  return true;
}

let dir: string;
const sims: SimProcess[] = [];
const controllers: LockBoardController[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lockbus-'));
});

afterEach(async () => {
  await Promise.all(controllers.splice(0).map((c) => c.stop()));
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;

async function startSim(protocol: ProtocolName, extra: string[] = []): Promise<SimProcess> {
  const sim = await SimProcess.start(join(dir, `bus${++n}`), ['--protocol', protocol, '--boards', '2', '--locks', '8', '--pulse-ms', '100', '--baud', String(BAUD(protocol)), ...extra]);
  sims.push(sim);
  return sim;
}

interface Ctl {
  ctl: LockBoardController;
  doors: DoorChange[];
  boards: BoardHealth[];
}

async function startController(sim: SimProcess, protocol: ProtocolName, over: Partial<LockBoardBusOptions> = {}, board: Partial<BoardSpec> = {}): Promise<Ctl> {
  const ctl = new LockBoardController({
    id: 'pty', path: sim.link, baudRate: BAUD(protocol), echo: false, lowLatency: true, replyTimeoutMs: 80, pollIntervalMs: 20,
    offlineAfterMisses: 3, unlockAttempts: 2, statusRetries: 1, powerGroupGapMs: 20, reconnectMinMs: 50, reconnectMaxMs: 400,
    boards: [0, 1].map((i) => ({
      id: `B${i + 1}`, protocol, address: FIRST(protocol) + i, locks: 8, polarity: 'one-is-closed', pulseMs: 120,
      powerGroup: `board:B${i + 1}`, sensors: false, modbus: { feedback: 'inputs', feedbackStart: 0, relayStart: 0, pulse: 'board' }, ...board,
    })),
    loadBinding: loadSystemBinding, powerGroups: new PowerGroups(), ...over,
  });
  controllers.push(ctl);
  const c: Ctl = { ctl, doors: [], boards: [] };
  ctl.on('door', (d) => c.doors.push(d));
  ctl.on('board', (h) => c.boards.push(h));
  await ctl.start();
  expect(await until(() => ctl.health().every((h) => h.online), 5000)).toBe(true);
  return c;
}

const fires = async (sim: SimProcess) => (await sim.cmd('fires')).result as { address: number; lock: number }[];

describe.skipIf(SKIP_WITHOUT_SOCAT)('lock boards over a socat pseudo-terminal, standalone simulator', () => {
  for (const protocol of ['kerong-cu16', 'clone-8a', 'modbus-rtu'] as const) {
    it(`${protocol}: unlock confirmed, door events from the poll, live reads`, async () => {
      const sim = await startSim(protocol);
      const { ctl, doors } = await startController(sim, protocol);
      const a = FIRST(protocol);
      expect(await ctl.unlock({ board: 'B2', lock: 5 })).toEqual({ outcome: 'confirmed_open', attempts: 1 });
      expect(doors).toEqual([expect.objectContaining({ board: 'B2', lock: 5, open: true })]);
      expect(await ctl.read({ board: 'B2', lock: 5 })).toEqual({ board: 'B2', lock: 5, open: true });
      await sim.cmd(`close ${a + 1} 5`);
      expect(await until(() => doors.length === 2)).toBe(true);
      expect(doors[1]).toMatchObject({ board: 'B2', lock: 5, open: false });
      // One fire only; Modbus board-timed pulses carry the controller's pulse (120 ms, in 100 ms units).
      expect(await fires(sim)).toEqual([{ address: a + 1, lock: 5, at: expect.any(Number), pulseMs: protocol === 'modbus-rtu' ? 200 : 100 }]);
      const counters = (await sim.cmd('counters')).result as { collisions: number };
      expect(counters.collisions).toBe(0);
    });
  }

  it('faults on a CU16 bus: forced door, jammed lock, silence, corrupted checksums, noise, unplugged board', async () => {
    const sim = await startSim('kerong-cu16', ['--sensors']);
    const { ctl, doors, boards } = await startController(sim, 'kerong-cu16', {}, { sensors: true });

    // Forced door: opened with no command; the poll reports it within a cycle.
    await sim.cmd('force 0 2');
    expect(await until(() => doors.length === 1)).toBe(true);
    expect(doors[0]).toMatchObject({ board: 'B1', lock: 2, open: true, itemPresent: false });

    // Jammed lock: fired twice (the second only after a status read said closed), then unconfirmed.
    await sim.cmd('jam 0 3');
    expect(await ctl.unlock({ board: 'B1', lock: 3 })).toEqual({ outcome: 'unconfirmed', attempts: 2 });
    expect((await fires(sim)).filter((f) => f.address === 0 && f.lock === 3)).toHaveLength(2);

    // Silence: the board acts but never answers. Offline after the misses; an unlock fires once, never again.
    await sim.cmd('silent 1 on');
    expect(await until(() => boards.some((b) => b.board === 'B2' && !b.online))).toBe(true);
    expect(await ctl.unlock({ board: 'B2', lock: 1 })).toEqual({ outcome: 'no_response', attempts: 1 });
    expect((await fires(sim)).filter((f) => f.address === 1)).toHaveLength(1);
    await sim.cmd('silent 1 off');
    expect(await until(() => ctl.health().every((h) => h.online))).toBe(true);
    // The door that opened while the board was silent is reported once it answers.
    expect(await until(() => doors.some((d) => d.board === 'B2' && d.lock === 1 && d.open))).toBe(true);

    // Corrupted checksums: counted, named as the reason, never turned into door states.
    const before = doors.length;
    await sim.cmd('corrupt 0 on');
    await sim.cmd('force 0 4');
    expect(await until(() => !ctl.health()[0]!.online)).toBe(true);
    expect(ctl.health()[0]!.detail).toMatch(/fail their checksum/);
    expect(doors.length).toBe(before);
    await sim.cmd('corrupt 0 off');
    expect(await until(() => doors.some((d) => d.lock === 4 && d.board === 'B1'))).toBe(true);

    // Noise on the line: decoding resyncs; unlocks still work; no phantom events.
    await sim.cmd('noise 40');
    const during = doors.length;
    expect((await ctl.unlock({ board: 'B1', lock: 6 })).outcome).toBe('confirmed_open');
    await sleep(300);
    await sim.cmd('noise off');
    expect(doors.slice(during).map((d) => `${d.board}/${d.lock}/${d.open}`)).toEqual(['B1/6/true']);
    const c = ctl.health()[0]!.counters!;
    expect(c.discarded_bytes! + c.stray_bytes!).toBeGreaterThan(0);

    // Item-present sensor while the door is open.
    await sim.cmd('item 0 6 on');
    expect(await until(() => doors.some((d) => d.lock === 6 && d.itemPresent === true))).toBe(true);

    // Board unplugged: offline with a reason, and back online by itself.
    await sim.cmd('unplug 1');
    expect(await until(() => !ctl.health()[1]!.online)).toBe(true);
    expect(ctl.health()[1]!.detail).toMatch(/no reply to kerong-cu16 status requests at address 1/);
    await sim.cmd('plug 1');
    expect(await until(() => ctl.health()[1]!.online)).toBe(true);
  }, 30_000);

  it('an echoing adapter: with echo configured, requests coming back are dropped', async () => {
    const sim = await startSim('kerong-cu16', ['--unlock-reply', 'ack']);
    await sim.cmd('echo on');
    const { ctl } = await startController(sim, 'kerong-cu16', { echo: true });
    expect(await ctl.unlock({ board: 'B1', lock: 1 })).toEqual({ outcome: 'confirmed_open', attempts: 1 });
    expect(ctl.health()[0]!.counters!.echoes).toBeGreaterThan(2);
  });

  it('a door left open: the core\'s door monitor raises left-open from the controller\'s events', async () => {
    const sim = await startSim('clone-8a', ['--auto-close', '150']);
    const { ctl } = await startController(sim, 'clone-8a');
    const compartments = [{ id: 'A01', board: 'B1', lock: 1 }, { id: 'A02', board: 'B1', lock: 2 }] as unknown as Compartment[];
    const monitor = new DoorMonitor(ctl, compartments, 400, captureLogger().log, Date.now);
    const seen: string[] = [];
    monitor.on('opened', (c) => seen.push(`opened ${c.id}`));
    monitor.on('closed', (c) => seen.push(`closed ${c.id}`));
    monitor.on('leftOpen', (c) => seen.push(`left open ${c.id}`));
    monitor.start();
    try {
      await sim.cmd('leftopen 1 1 on'); // A01's door will not swing shut; A02's will (auto-close)
      expect((await ctl.unlock({ board: 'B1', lock: 1 })).outcome).toBe('confirmed_open');
      expect((await ctl.unlock({ board: 'B1', lock: 2 })).outcome).toBe('confirmed_open');
      expect(await until(() => seen.includes('left open A01'), 3000)).toBe(true);
      expect(seen).toEqual(['opened A01', 'opened A02', 'closed A02', 'left open A01']);
    } finally {
      monitor.stop();
    }
  });

  it('the adapter disappears (socat gone) and comes back: boards offline, then everything recovers by itself', async () => {
    const sim = await startSim('modbus-rtu');
    const { ctl } = await startController(sim, 'modbus-rtu');
    await sim.cmd('port-unplug 700');
    expect(await until(() => !ctl.bus.isUp && ctl.health().every((h) => !h.online), 3000)).toBe(true);
    expect(ctl.health()[0]!.detail).toMatch(/serial port down/);
    expect(await ctl.unlock({ board: 'B1', lock: 1 })).toEqual({ outcome: 'no_response', attempts: 0 });
    await sim.waitFor((l) => l.event === 'port' && l.state === 'up', 5000);
    expect(await until(() => ctl.health().every((h) => h.online), 5000)).toBe(true);
    expect(ctl.bus.counters.disconnects).toBeGreaterThanOrEqual(1);
    expect((await ctl.unlock({ board: 'B1', lock: 1 })).outcome).toBe('confirmed_open');
  }, 20_000);

  it('a reply that arrives while the process is busy is not lost to its own deadline', async () => {
    const sim = await startSim('kerong-cu16');
    const { ctl } = await startController(sim, 'kerong-cu16', { pollIntervalMs: 60_000, replyTimeoutMs: 30 });
    await sleep(50);
    const writes = ctl.bus.counters.txBytes;
    const read = ctl.read({ board: 'B1', lock: 1 });
    // Once the request is out, block the event loop well past the deadline; the reply lands in
    // the driver meanwhile, and the deadline's timer comes due before the read callback runs.
    // Half a second: the simulator is another process, which a loaded CI machine may not run for
    // a while (120 ms was once too short there); the deadline is 30 ms either way.
    while (ctl.bus.counters.txBytes === writes) await new Promise((r) => setImmediate(r));
    const end = Date.now() + 500;
    while (Date.now() < end) { /* busy */ }
    expect(await read).toEqual({ board: 'B1', lock: 1, open: false });
  });
});
