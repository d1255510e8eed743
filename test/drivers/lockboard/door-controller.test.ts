/**
 * The door controller over @serialport/binding-mock, with the byte-level board simulator on the
 * other end: unlock outcomes, no blind resend, power groups, door events from the poll, sensors,
 * board health, the port's life and the technician's scan.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BoardHealth, DoorChange } from '../../../drivers/contracts.js';
import { LockBoardController, LockAddressError, type LockBoardBusOptions } from '../../../drivers/lockboard/door-controller.js';
import * as cu16 from '../../../drivers/lockboard/kerong-cu16/codec.js';
import { SILENT_LOG } from '../../../drivers/io/log.js';
import { PowerGroups } from '../../../drivers/lockboard/power-groups.js';
import { FAMILIES, PROTOCOLS, type ProtocolName } from '../../../drivers/lockboard/families.js';
import type { BoardSpec } from '../../../drivers/lockboard/family.js';
import { LockBoardSimulator, type SimBoardOptions } from '../../../drivers/lockboard/sim/simulator.js';
import { MockWire, resetMockPorts, sleep, until } from './mock-port.js';

interface Rig {
  sim: LockBoardSimulator;
  wire: MockWire;
  ctl: LockBoardController;
  doors: DoorChange[];
  boards: BoardHealth[];
  powerGroups: PowerGroups;
  /** Requests of a kind the master wrote, in order. */
  written: (pred: (b: Buffer) => boolean) => Buffer[];
}

const rigs: Rig[] = [];

afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await r.ctl.stop();
    r.sim.close();
  }
  resetMockPorts();
});

/** Each family's first board address. */
const FIRST = Object.fromEntries(PROTOCOLS.map((p) => [p, FAMILIES[p].addressMin])) as Record<ProtocolName, number>;

function spec(protocol: ProtocolName, i: number, over: Partial<BoardSpec> = {}): BoardSpec {
  return {
    id: `B${i + 1}`, protocol, address: FIRST[protocol] + i, locks: 8, polarity: 'one-is-closed', pulseMs: 60,
    powerGroup: `board:B${i + 1}`, sensors: false,
    modbus: { feedback: 'inputs', feedbackStart: 0, relayStart: 0, pulse: 'board' }, ...over,
  };
}

async function rig(options: {
  protocol?: ProtocolName;
  boards?: number;
  sim?: Partial<SimBoardOptions>;
  specs?: (i: number) => Partial<BoardSpec>;
  ctl?: Partial<LockBoardBusOptions>;
  echo?: boolean;
  start?: boolean;
  before?: (sim: LockBoardSimulator) => void;
} = {}): Promise<Rig> {
  const protocol = options.protocol ?? 'kerong-cu16';
  const n = options.boards ?? 2;
  const sim = new LockBoardSimulator({
    protocol, baudRate: 0,
    boards: Array.from({ length: n }, (_, i) => ({ address: FIRST[protocol] + i, locks: 8, pulseMs: 60, releaseMs: 5, ...options.sim })),
  });
  if (options.echo) sim.setEcho(true);
  options.before?.(sim);
  const wire = new MockWire().attach(sim);
  const powerGroups = options.ctl?.powerGroups ?? new PowerGroups();
  const ctl = new LockBoardController({
    id: 'bus1', path: wire.path, baudRate: 115200, echo: options.echo ?? false, lowLatency: true,
    replyTimeoutMs: 25, pollIntervalMs: 10, offlineAfterMisses: 3, unlockAttempts: 2, statusRetries: 1,
    powerGroupGapMs: 20, reconnectMinMs: 20, reconnectMaxMs: 100,
    boards: Array.from({ length: n }, (_, i) => spec(protocol, i, options.specs?.(i))),
    loadBinding: async () => wire.binding, powerGroups, ...options.ctl,
  });
  const r: Rig = {
    sim, wire, ctl, doors: [], boards: [], powerGroups,
    written: (pred) => wire.writes.map((w) => w.bytes).filter(pred),
  };
  ctl.on('door', (d) => r.doors.push(d));
  ctl.on('board', (h) => r.boards.push(h));
  rigs.push(r);
  if (options.start !== false) {
    await ctl.start();
    expect(await until(() => ctl.health().every((h) => h.online), 2000)).toBe(true);
  }
  return r;
}

const isCu16Unlock = (b: Buffer) => b[0] === 0x02 && b[2] === cu16.CMD_UNLOCK;
const isCu16Status = (b: Buffer) => b[0] === 0x02 && b[2] === cu16.CMD_STATUS;

describe('unlock outcomes', () => {
  for (const protocol of PROTOCOLS) {
    it(`${protocol}: confirmed open after one pulse, with exactly one door-open event`, async () => {
      const r = await rig({ protocol });
      const a = FIRST[protocol];
      const result = await r.ctl.unlock({ board: 'B1', lock: 3 });
      expect(result).toEqual({ outcome: 'confirmed_open', attempts: 1 });
      expect(r.sim.lockState(a, 3).open).toBe(true);
      expect(r.sim.fires.filter((f) => f.address === a)).toHaveLength(1);
      // Polls keep running after the unlock: still exactly one event for that door.
      await sleep(80);
      expect(r.doors.filter((d) => d.board === 'B1' && d.lock === 3)).toEqual([expect.objectContaining({ open: true })]);
      expect(r.doors).toHaveLength(1);
    });
  }

  it('the open event reaches listeners before unlock() resolves (the core then knows the door is open)', async () => {
    const r = await rig();
    let seenBeforeResolve = false;
    const p = r.ctl.unlock({ board: 'B2', lock: 1 }).then((res) => {
      seenBeforeResolve = r.doors.length === 1;
      return res;
    });
    expect((await p).outcome).toBe('confirmed_open');
    expect(seenBeforeResolve).toBe(true);
  });

  it('jammed lock: resent only after a status read said "still closed", at most unlockAttempts times, then unconfirmed', async () => {
    const r = await rig({ ctl: { unlockAttempts: 3 } });
    r.sim.setJammed(0, 2, true);
    const before = r.wire.writes.length;
    const result = await r.ctl.unlock({ board: 'B1', lock: 2 });
    expect(result).toEqual({ outcome: 'unconfirmed', attempts: 3 });
    expect(r.sim.fires.filter((f) => f.address === 0 && f.lock === 2)).toHaveLength(3);
    // Between any two unlock frames there is a status request to that board that was answered.
    const seq = r.wire.writes.slice(before).map((w) => w.bytes);
    const unlockIdx = seq.map((b, i) => (isCu16Unlock(b) ? i : -1)).filter((i) => i >= 0);
    expect(unlockIdx).toHaveLength(3);
    for (let k = 1; k < unlockIdx.length; k++) {
      const between = seq.slice(unlockIdx[k - 1]! + 1, unlockIdx[k]);
      expect(between.some((b) => isCu16Status(b) && b[1] === 0x00)).toBe(true);
    }
    expect(r.doors).toEqual([]);
    expect(r.ctl.health()[0]!.counters).toMatchObject({ unlocks: 3, unlock_resends: 2 });
  });

  it('no response from an unplugged board: one unlock frame, never resent', async () => {
    const r = await rig();
    r.sim.setBoardFault(1, 'unplugged', true);
    const result = await r.ctl.unlock({ board: 'B2', lock: 4 });
    expect(result).toEqual({ outcome: 'no_response', attempts: 1 });
    expect(r.written((b) => isCu16Unlock(b) && b[1] === 0x13)).toHaveLength(1);
  });

  it('a board that acts but cannot answer: the door opens, the status stays unknown, and the lock is not fired again', async () => {
    const r = await rig();
    r.sim.setBoardFault(0, 'silent', true);
    const result = await r.ctl.unlock({ board: 'B1', lock: 5 });
    expect(result).toEqual({ outcome: 'no_response', attempts: 1 });
    expect(r.sim.lockState(0, 5).open).toBe(true);
    expect(r.sim.fires.filter((f) => f.address === 0)).toHaveLength(1);
  });

  it('a board that takes the command (reply) but then gives no status: unconfirmed, not resent', async () => {
    const r = await rig({ protocol: 'clone-8a' });
    r.sim.setJammed(1, 1, true);
    // Answer the unlock, then go silent before the status read.
    r.sim.on('fire', () => setTimeout(() => r.sim.setBoardFault(1, 'silent', true), 2));
    const result = await r.ctl.unlock({ board: 'B1', lock: 1 });
    expect(result).toEqual({ outcome: 'unconfirmed', attempts: 1 });
    expect(r.sim.fires).toHaveLength(1);
  });

  it('a door already seen open during the pulse is confirmed even if it closed again before the read', async () => {
    const r = await rig({ ctl: { pollIntervalMs: 0 }, specs: () => ({ pulseMs: 150 }) });
    r.sim.on('door', (e) => {
      if (e.open && e.cause === 'unlock') setTimeout(() => r.sim.closeDoor(e.address, e.lock), 40);
    });
    const result = await r.ctl.unlock({ board: 'B1', lock: 1 });
    expect(result).toEqual({ outcome: 'confirmed_open', attempts: 1 });
    expect(r.sim.fires).toHaveLength(1);
    expect(r.doors.map((d) => d.open)).toEqual([true, false]);
  });

  it('the port is down: nothing is sent, no_response with zero attempts', async () => {
    const r = await rig();
    r.wire.unplug();
    await until(() => !r.ctl.bus.isUp);
    expect(await r.ctl.unlock({ board: 'B1', lock: 1 })).toEqual({ outcome: 'no_response', attempts: 0 });
  });

  it('refuses a board or lock it does not have (a config mistake), without sending anything', async () => {
    const r = await rig();
    const n = r.wire.writes.length;
    expect(() => r.ctl.unlock({ board: 'B9', lock: 1 })).toThrow(LockAddressError);
    expect(() => r.ctl.unlock({ board: 'B1', lock: 9 })).toThrow(/has no lock 9/);
    await expect(r.ctl.read({ board: 'B1', lock: 0 })).rejects.toThrow(LockAddressError);
    expect(r.written(isCu16Unlock)).toHaveLength(0);
    expect(r.wire.writes.length - n).toBeLessThan(20);
  });

  it('Modbus host-timed pulse: relay on, off after the pulse, then confirmed', async () => {
    const r = await rig({ protocol: 'modbus-rtu', specs: () => ({ modbus: { feedback: 'inputs', feedbackStart: 0, relayStart: 0, pulse: 'host' } }) });
    const result = await r.ctl.unlock({ board: 'B2', lock: 2 });
    expect(result).toEqual({ outcome: 'confirmed_open', attempts: 1 });
    expect(r.sim.lockState(2, 2)).toMatchObject({ open: true, relay: false });
    const fire = r.sim.fires.find((f) => f.address === 2)!;
    expect(fire.pulseMs).toBeGreaterThanOrEqual(55);
  });

  it('Modbus host-timed pulse: a relay-off the board does not answer is sent again, 5 times in all, then logged as an error', async () => {
    const errors: { obj: Record<string, unknown>; msg: string }[] = [];
    const log = { ...SILENT_LOG, error: (obj: object, msg: string) => errors.push({ obj: obj as Record<string, unknown>, msg }) };
    const r = await rig({ protocol: 'modbus-rtu', boards: 1, specs: () => ({ modbus: { feedback: 'inputs', feedbackStart: 0, relayStart: 0, pulse: 'host' } }), ctl: { log } });
    // The board answers the relay-on, then goes quiet: it still hears and switches, it never answers.
    r.sim.once('fire', () => setImmediate(() => r.sim.setBoardFault(1, 'silent', true)));
    const result = await r.ctl.unlock({ board: 'B1', lock: 3 });
    const relayOff = Buffer.from([0x01, 0x05, 0x00, 0x02, 0x00, 0x00]);
    expect(r.written((b) => b.subarray(0, 6).equals(relayOff))).toHaveLength(5);
    expect(r.sim.lockState(1, 3).relay).toBe(false);
    // It took the command and no status came back after the pulse: never fired again.
    expect(result).toEqual({ outcome: 'unconfirmed', attempts: 1 });
    expect(errors).toEqual([expect.objectContaining({
      obj: { bus: 'bus1', board: 'B1', lock: 3 },
      msg: 'relay did not confirm it switched off after a host-timed pulse; check the lock and prefer the board-timed pulse',
    })]);
  });

  it('a board that refuses the unlock (Modbus exception) is not asked again, and the log says what to change', async () => {
    const errors: { obj: Record<string, unknown>; msg: string }[] = [];
    const log = { ...SILENT_LOG, error: (obj: object, msg: string) => errors.push({ obj: obj as Record<string, unknown>, msg }) };
    // relayStart 8 on an 8-relay board: the timed pulse names a channel the board does not have.
    const r = await rig({ protocol: 'modbus-rtu', specs: () => ({ modbus: { feedback: 'inputs', feedbackStart: 0, relayStart: 8, pulse: 'board' } }), ctl: { log } });
    const result = await r.ctl.unlock({ board: 'B1', lock: 1 });
    expect(result).toEqual({ outcome: 'unconfirmed', attempts: 1 });
    expect(r.sim.fires).toEqual([]);
    expect(r.written((b) => b[1] === 0x05)).toHaveLength(1);
    expect(errors).toEqual([expect.objectContaining({ msg: expect.stringMatching(/refused the unlock; not resending: .*set modbus.pulse to "host"/) })]);
    expect(errors[0]!.obj.reason).toMatch(/Modbus exception 2 \(illegal data address\)/i);
    expect(r.ctl.health().find((h) => h.board === 'B1')).toMatchObject({ online: true });
  });

  it('a board that answers the timed pulse 00 00 instead of its echo (it ignored it) is not asked again, and the log says what to change', async () => {
    const errors: { obj: Record<string, unknown>; msg: string }[] = [];
    const log = { ...SILENT_LOG, error: (obj: object, msg: string) => errors.push({ obj: obj as Record<string, unknown>, msg }) };
    const r = await rig({ protocol: 'modbus-rtu', sim: { unlockReply: 'zero-pulse' }, ctl: { log, unlockAttempts: 3 } });
    const result = await r.ctl.unlock({ board: 'B1', lock: 4 });
    expect(result).toEqual({ outcome: 'unconfirmed', attempts: 1 });
    expect(r.sim.fires).toEqual([]);
    expect(r.written((b) => b[1] === 0x05)).toHaveLength(1);
    expect(errors).toEqual([expect.objectContaining({ msg: expect.stringMatching(/did not echo the unlock.*not resending: .*set modbus.pulse to "host"/) })]);
    expect(errors[0]!.obj.reason).toBe('FC 05 to coil 0x0203 with value 0x0001 was answered with coil 0x0203 value 0x0000, not its echo');
    const health = r.ctl.health().find((h) => h.board === 'B1')!;
    expect(health).toMatchObject({ online: true });
    expect(health.counters!.not_echoed).toBe(1);
  });

  it('the same board opens with modbus.pulse "host" (the setting the log names)', async () => {
    const r = await rig({ protocol: 'modbus-rtu', sim: { unlockReply: 'zero-pulse' }, specs: () => ({ modbus: { feedback: 'inputs', feedbackStart: 0, relayStart: 0, pulse: 'host' } }) });
    expect(await r.ctl.unlock({ board: 'B1', lock: 4 })).toEqual({ outcome: 'confirmed_open', attempts: 1 });
    expect(r.sim.lockState(1, 4)).toMatchObject({ open: true, relay: false });
  });

  it('works through an echoing adapter (each request comes back before the reply)', async () => {
    const r = await rig({ protocol: 'modbus-rtu', echo: true });
    expect((await r.ctl.unlock({ board: 'B1', lock: 1 })).outcome).toBe('confirmed_open');
    expect(r.ctl.health()[0]!.counters!.echoes).toBeGreaterThan(0);
    expect(r.sim.counters.echoedBytes).toBeGreaterThan(0);
  });
});

describe('power groups', () => {
  it('locks of one group fire one at a time, spaced by pulse + gap, even across boards', async () => {
    const r = await rig({ specs: () => ({ powerGroup: 'psu-1', pulseMs: 60 }), ctl: { powerGroupGapMs: 30 } });
    const results = await Promise.all([
      r.ctl.unlock({ board: 'B1', lock: 1 }), r.ctl.unlock({ board: 'B2', lock: 1 }), r.ctl.unlock({ board: 'B1', lock: 2 }),
    ]);
    expect(results.map((x) => x.outcome)).toEqual(['confirmed_open', 'confirmed_open', 'confirmed_open']);
    const at = r.sim.fires.map((f) => f.at).sort((a, b) => a - b);
    expect(at).toHaveLength(3);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(89);
  });

  it('different groups fire without waiting for each other', async () => {
    const r = await rig({ specs: (i) => ({ powerGroup: `psu-${i}`, pulseMs: 200 }) });
    await Promise.all([r.ctl.unlock({ board: 'B1', lock: 1 }), r.ctl.unlock({ board: 'B2', lock: 1 })]);
    const [a, b] = r.sim.fires.map((f) => f.at);
    expect(Math.abs(a! - b!)).toBeLessThan(100);
  });

  it('a group spans buses: one PowerGroups instance shared by two controllers', async () => {
    const shared = new PowerGroups();
    const r1 = await rig({ boards: 1, specs: () => ({ powerGroup: 'psu', pulseMs: 60 }), ctl: { powerGroups: shared, powerGroupGapMs: 20 } });
    const r2 = await rig({ boards: 1, specs: () => ({ powerGroup: 'psu', pulseMs: 60 }), ctl: { powerGroups: shared, powerGroupGapMs: 20 } });
    await Promise.all([r1.ctl.unlock({ board: 'B1', lock: 1 }), r2.ctl.unlock({ board: 'B1', lock: 1 })]);
    const gap = Math.abs(r1.sim.fires[0]!.at - r2.sim.fires[0]!.at);
    expect(gap).toBeGreaterThanOrEqual(79);
  });
});

describe('door events from the status poll', () => {
  it('reports a forced door and its closing, each once', async () => {
    const r = await rig();
    r.sim.forceDoor(1, 6);
    expect(await until(() => r.doors.length === 1)).toBe(true);
    expect(r.doors[0]).toMatchObject({ board: 'B2', lock: 6, open: true });
    r.sim.closeDoor(1, 6);
    expect(await until(() => r.doors.length === 2)).toBe(true);
    expect(r.doors[1]).toMatchObject({ board: 'B2', lock: 6, open: false });
    await sleep(60);
    expect(r.doors).toHaveLength(2);
  });

  it('at start, reports the doors that are open and nothing about the closed ones', async () => {
    const r = await rig({ start: false, before: (sim) => (sim.forceDoor(0, 2), sim.forceDoor(1, 8)) });
    await r.ctl.start();
    expect(await until(() => r.doors.length === 2)).toBe(true);
    await sleep(50);
    expect(r.doors.map((d) => `${d.board}/${d.lock}/${d.open}`).sort()).toEqual(['B1/2/true', 'B2/8/true']);
  });

  it('when start() resolves, board health is known; a listener added right after still gets the open doors', async () => {
    const r = await rig({ start: false, before: (sim) => sim.forceDoor(1, 3) });
    r.sim.setBoardFault(0, 'unplugged', true);
    const late: DoorChange[] = [];
    await r.ctl.start();
    // As the core does: subscribe after `await doors.start()`, seed from health().
    r.ctl.on('door', (d) => late.push(d));
    expect(r.ctl.health().map((h) => h.online)).toEqual([false, true]);
    expect(r.doors).toEqual([]);
    expect(await until(() => late.length === 1)).toBe(true);
    expect(late[0]).toMatchObject({ board: 'B2', lock: 3, open: true });
    await sleep(50);
    expect(late).toHaveLength(1);
  });

  it('applies the board polarity (one-is-open boards report bit 1 for an open latch)', async () => {
    const r = await rig({ sim: { polarity: 'one-is-open' }, specs: () => ({ polarity: 'one-is-open' }) });
    expect(r.doors).toEqual([]);
    expect((await r.ctl.unlock({ board: 'B1', lock: 7 })).outcome).toBe('confirmed_open');
    expect(await r.ctl.read({ board: 'B1', lock: 7 })).toEqual({ board: 'B1', lock: 7, open: true });
    expect(await r.ctl.read({ board: 'B1', lock: 6 })).toEqual({ board: 'B1', lock: 6, open: false });
  });

  it('a wrong polarity setting shows every door open at start: the installer sees it at once', async () => {
    const r = await rig({ boards: 1, specs: () => ({ polarity: 'one-is-open' }), start: false });
    await r.ctl.start();
    expect(await until(() => r.doors.length === 8)).toBe(true);
  });

  it('item-present sensors: reported while the door is open, remembered while it is closed', async () => {
    const r = await rig({ sim: { sensors: true }, specs: () => ({ sensors: true }) });
    r.sim.setItem(0, 1, true); // closed door: no event
    await sleep(60);
    expect(r.doors).toEqual([]);
    expect(await r.ctl.read({ board: 'B1', lock: 1 })).toEqual({ board: 'B1', lock: 1, open: false, itemPresent: true });
    expect((await r.ctl.unlock({ board: 'B1', lock: 1 })).outcome).toBe('confirmed_open');
    expect(r.doors.at(-1)).toMatchObject({ lock: 1, open: true, itemPresent: true });
    r.sim.setItem(0, 1, false); // the resident takes the parcel out
    expect(await until(() => r.doors.length === 2)).toBe(true);
    expect(r.doors[1]).toMatchObject({ lock: 1, open: true, itemPresent: false });
  });

  it('never reports a door state from a reply that failed its checksum', async () => {
    const r = await rig();
    r.sim.setBoardFault(0, 'corrupt', 1);
    r.sim.forceDoor(0, 1);
    await sleep(100);
    expect(r.doors).toEqual([]);
    expect(r.ctl.health()[0]!.counters!.checksum_errors).toBeGreaterThan(0);
    r.sim.setBoardFault(0, 'corrupt', 0);
    expect(await until(() => r.doors.length === 1)).toBe(true);
  });

  it('keeps working through line noise, without phantom door events', async () => {
    const r = await rig({ ctl: { replyTimeoutMs: 40 } });
    r.sim.setNoise(200);
    await sleep(300);
    expect(r.doors).toEqual([]);
    expect((await r.ctl.unlock({ board: 'B2', lock: 2 })).outcome).toBe('confirmed_open');
    r.sim.setNoise(0);
    expect(r.doors.every((d) => d.board === 'B2' && d.lock === 2 && d.open)).toBe(true);
    expect(r.sim.counters.noiseBytes).toBeGreaterThan(0);
  });

  it('a door opened right after start() returns is reported once, not again as found open at start', async () => {
    const r = await rig({ start: false });
    await r.ctl.start();
    // Before start()'s deferred report of the doors it found open has run.
    r.sim.forceDoor(0, 1);
    expect(await until(() => r.doors.length >= 1)).toBe(true);
    await sleep(100);
    expect(r.doors.map((d) => `${d.board}/${d.lock}:${d.open}`)).toEqual(['B1/1:true']);
  });

  it('a listener that throws does not stop the poll', async () => {
    const r = await rig();
    r.ctl.on('door', () => {
      throw new Error('listener bug');
    });
    r.sim.forceDoor(0, 1);
    expect(await until(() => r.doors.length === 1)).toBe(true);
    r.sim.forceDoor(0, 2);
    expect(await until(() => r.doors.length === 2)).toBe(true);
  });
});

describe('board health', () => {
  it('a board that misses offlineAfterMisses polls goes offline with a reason, and comes back by itself', async () => {
    const r = await rig();
    r.sim.setBoardFault(1, 'unplugged', true);
    expect(await until(() => r.boards.some((h) => h.board === 'B2' && !h.online))).toBe(true);
    const off = r.ctl.health().find((h) => h.board === 'B2')!;
    expect(off.online).toBe(false);
    expect(off.detail).toMatch(/no reply to kerong-cu16 status requests at address 1/);
    expect(r.ctl.health().find((h) => h.board === 'B1')!.online).toBe(true);
    expect(await r.ctl.read({ board: 'B2', lock: 1 })).toBeNull();
    r.sim.setBoardFault(1, 'unplugged', false);
    expect(await until(() => r.ctl.health().every((h) => h.online))).toBe(true);
    expect(r.boards.filter((h) => h.board === 'B2').map((h) => h.online)).toEqual([true, false, true]);
  });

  it('a door that moved while its board was offline is reported when it answers again', async () => {
    const r = await rig();
    r.sim.forceDoor(0, 3);
    expect(await until(() => r.doors.length === 1)).toBe(true);
    r.sim.setBoardFault(0, 'unplugged', true);
    expect(await until(() => !r.ctl.health()[0]!.online)).toBe(true);
    r.sim.closeDoor(0, 3);
    r.sim.setBoardFault(0, 'unplugged', false);
    expect(await until(() => r.doors.length === 2)).toBe(true);
    expect(r.doors[1]).toMatchObject({ lock: 3, open: false });
  });

  it('a misconfigured address shows up as offline with a reason, not as door states', async () => {
    const r = await rig({ boards: 1, specs: () => ({ address: 7 }), start: false });
    await r.ctl.start();
    expect(await until(() => r.boards.length === 1)).toBe(true);
    expect(r.boards[0]).toMatchObject({ online: false });
    expect(r.boards[0]!.detail).toMatch(/address 7.*check power, wiring \(A\/B\), address and protocol/);
    expect(r.doors).toEqual([]);
  });

  it('a board of another family (or at another baud rate) answering garbage is offline with that reason', async () => {
    const wire = new MockWire();
    // Every request is answered with bytes that form no CU16 reply (0x8A frames, say).
    wire.respond({ receive: (_b, reply) => setTimeout(() => reply(Buffer.from([0x80, 0x01, 0xff, 0xff, 0xff, 0x33, 0xb3])), 1) });
    const ctl = new LockBoardController({
      id: 'bus1', path: wire.path, baudRate: 19200, echo: false, lowLatency: true, replyTimeoutMs: 20, pollIntervalMs: 5,
      offlineAfterMisses: 3, unlockAttempts: 2, statusRetries: 1, powerGroupGapMs: 20, reconnectMinMs: 20, reconnectMaxMs: 50,
      boards: [spec('kerong-cu16', 0)], loadBinding: async () => wire.binding, powerGroups: new PowerGroups(),
    });
    const sim = new LockBoardSimulator({ protocol: 'kerong-cu16', baudRate: 0, boards: [] });
    rigs.push({ sim, wire, ctl, doors: [], boards: [], powerGroups: new PowerGroups(), written: () => [] });
    const doors: DoorChange[] = [];
    ctl.on('door', (d) => doors.push(d));
    await ctl.start();
    expect(await until(() => /bytes arrive but form no kerong-cu16 reply: wrong protocol or baud rate\?/.test(ctl.health()[0]!.detail))).toBe(true);
    expect(ctl.health()[0]!.online).toBe(false);
    expect(doors).toEqual([]);
  });

  it('replies failing their checksum are named as the reason', async () => {
    const r = await rig();
    r.sim.setBoardFault(0, 'corrupt', 1);
    expect(await until(() => !r.ctl.health()[0]!.online)).toBe(true);
    expect(r.ctl.health()[0]!.detail).toMatch(/fail their checksum/);
  });

  it('the port going away takes every board offline; they come back when it returns', async () => {
    const r = await rig();
    r.wire.unplug();
    expect(await until(() => r.ctl.health().every((h) => !h.online))).toBe(true);
    expect(r.ctl.health()[0]!.detail).toMatch(/serial port down/);
    r.wire.plug();
    expect(await until(() => r.ctl.health().every((h) => h.online), 3000)).toBe(true);
    expect((await r.ctl.unlock({ board: 'B1', lock: 1 })).outcome).toBe('confirmed_open');
  });

  it('a missing port at start does not stop start(); the boards are offline with the reason', async () => {
    const sim = new LockBoardSimulator({ protocol: 'kerong-cu16', baudRate: 0, boards: [{ address: 0, locks: 8 }] });
    const wire = new MockWire({ exists: false }).attach(sim);
    const ctl = new LockBoardController({
      id: 'bus1', path: wire.path, baudRate: 19200, echo: false, lowLatency: true, replyTimeoutMs: 25, pollIntervalMs: 10,
      offlineAfterMisses: 3, unlockAttempts: 2, statusRetries: 1, powerGroupGapMs: 20, reconnectMinMs: 20, reconnectMaxMs: 50,
      boards: [spec('kerong-cu16', 0)], loadBinding: async () => wire.binding, powerGroups: new PowerGroups(),
    });
    rigs.push({ sim, wire, ctl, doors: [], boards: [], powerGroups: new PowerGroups(), written: () => [] });
    await ctl.start();
    expect(ctl.health()[0]).toMatchObject({ online: false });
    expect(ctl.health()[0]!.detail).toMatch(/serial port down: cannot open/);
    wire.plug();
    expect(await until(() => ctl.health()[0]!.online, 2000)).toBe(true);
  });
});

describe('reads and scans', () => {
  it('concurrent reads of one board share one status transaction', async () => {
    const r = await rig({ ctl: { pollIntervalMs: 10_000 } });
    await sleep(20);
    const before = r.written(isCu16Status).length;
    const all = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((lock) => r.ctl.read({ board: 'B1', lock })));
    expect(all.every((s) => s?.open === false)).toBe(true);
    expect(r.written(isCu16Status).length - before).toBe(1);
  });

  for (const protocol of PROTOCOLS) {
    it(`${protocol}: bus scan finds the boards that answer, with protocol and locks`, async () => {
      const r = await rig({ protocol, boards: 2, ctl: { replyTimeoutMs: 5 } });
      const [scan] = await r.ctl.scanBus();
      expect(scan!.bus).toBe('bus1');
      expect(scan!.found.map((f) => [f.address, f.protocol, f.board])).toEqual([
        [FIRST[protocol], protocol, 'B1'], [FIRST[protocol] + 1, protocol, 'B2'],
      ]);
      expect(scan!.found[0]!.locks).toBe(8);
    }, 10_000);
  }

  it('bus scan of an address range probes only those addresses', async () => {
    const r = await rig({ protocol: 'modbus-rtu', boards: 2, ctl: { replyTimeoutMs: 5, pollIntervalMs: 10_000 } });
    // The first poll cycle runs at start; the next is 10 s away.
    expect(await until(() => r.ctl.pollStats.cycles >= 1, 2000)).toBe(true);
    const before = r.wire.writes.length;
    const [scan] = await r.ctl.scanBus({ from: 2, to: 6 });
    expect(scan!.found.map((f) => [f.address, f.board])).toEqual([[2, 'B2']]);
    const probed = r.wire.writes.slice(before).map((w) => w.bytes[0]);
    expect(probed).toEqual([2, 3, 4, 5, 6]);
    // A range beyond the family's own addresses is cut to them (Modbus units start at 1).
    const [low] = await r.ctl.scanBus({ from: 0, to: 1 });
    expect(low!.found.map((f) => f.address)).toEqual([1]);
  });

  it('bus scan with the port down says why', async () => {
    const r = await rig();
    r.wire.unplug();
    await until(() => !r.ctl.bus.isUp);
    const [scan] = await r.ctl.scanBus();
    expect(scan!.error).toMatch(/serial port down/);
  });
});
