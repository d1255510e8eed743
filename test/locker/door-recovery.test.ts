/**
 * Power cuts in the middle of a door's life, on an RS-485 locker: the real LockerService over the
 * real lock-board controller and its bus, with the byte-level board simulator on the other end of
 * @serialport/binding-mock. A "power cut" stops everything without letting any of it finish; the
 * simulator (the boards and their doors) lives on, as the hardware does.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DoorHardware, DoorStatus, LockAddress } from '../../drivers/contracts.js';
import { LockBoardSimulator } from '../../drivers/lockboard/sim/simulator.js';
import { SimLockBoards } from '../../drivers/sim/lock-boards.js';
import { parseConfig } from '../../src/config/load.js';
import type { LockerdConfig } from '../../src/config/types.js';
import { buildDoors } from '../../src/hardware/doors.js';
import { Ledger } from '../../src/ledger/ledger.js';
import type { Courier } from '../../src/ledger/people.js';
import { applyConfig } from '../../src/locker/apply-config.js';
import { LockerService } from '../../src/locker/locker-service.js';
import { validators } from '../../src/sync/validate.js';
import { MockWire, resetMockPorts, until } from '../drivers/lockboard/mock-port.js';
import { captureLogger, tempDir, testConfig, testConfigJson } from '../helpers/fixtures.js';

/** Board B1 is at address 0, B2 at 1 (kerong-cu16); compartment A01 is B1 lock 1. */
const ADDRESS: Record<string, number> = { B1: 0, B2: 1 };

interface Run {
  ledger: Ledger;
  doors: DoorHardware;
  locker: LockerService;
}

describe('door operations across a power cut on an RS-485 locker', () => {
  let dir: string;
  let cleanup: () => void;
  let sim: LockBoardSimulator;
  let wire: MockWire;
  let config: LockerdConfig;
  let run: Run | undefined;
  const logs = captureLogger();

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    sim = new LockBoardSimulator({
      protocol: 'kerong-cu16', baudRate: 0,
      boards: [0, 1].map((address) => ({ address, locks: 16, pulseMs: 60, releaseMs: 5 })),
    });
    wire = new MockWire().attach(sim);
    const json = testConfigJson(dir);
    json.buses = [{
      id: 'rs485-1', type: 'rs485', path: wire.path, protocol: 'kerong-cu16', baudRate: 115200,
      replyTimeoutMs: 25, pollIntervalMs: 10, offlineAfterMisses: 3, powerGroupGapMs: 0, reconnectMinMs: 50, reconnectMaxMs: 100,
      boards: [{ id: 'B1', address: 0, locks: 16, pulseMs: 60 }, { id: 'B2', address: 1, locks: 16, pulseMs: 60 }],
    }];
    config = parseConfig(JSON.stringify(json), 'test-config.json');
  });

  afterEach(async () => {
    await powerCut();
    sim.close();
    resetMockPorts();
    cleanup();
  });

  async function boot(): Promise<Run> {
    const ledger = Ledger.open({ path: config.ledger.path, keyFile: config.ledger.keyFile });
    applyConfig(ledger, config, Date.now());
    const { doors } = buildDoors(config.buses, logs.log, { loadBinding: async () => wire.binding });
    const locker = new LockerService({ ledger, doors, config, log: logs.log });
    await doors.start();
    await locker.start();
    run = { ledger, doors, locker };
    return run;
  }

  /** Nothing finishes: the next boot sees the ledger as it was written and the doors as they are. */
  async function powerCut(): Promise<void> {
    if (!run) return;
    run.locker.stop();
    await run.doors.stop();
    run.ledger.close();
    run = undefined;
  }

  const where = (_r: Run, compartmentId: string): { address: number; lock: number } => {
    const c = config.compartments.find((x) => x.id === compartmentId)!;
    return { address: ADDRESS[c.board]!, lock: c.lock };
  };

  function courier(r: Run, pin = '111111'): Courier {
    const login = r.locker.courierLogin(pin);
    if (!login.ok) throw new Error(`login failed: ${login.reason}`);
    return login.courier;
  }

  async function depositDoorOpen(r: Run, tracking: string): Promise<{ parcelId: string; compartmentId: string }> {
    const result = await r.locker.deposit({ courier: courier(r), unit: '101', size: 'S', carrier: null, tracking });
    if (!result.ok) throw new Error(`deposit failed: ${result.reason}`);
    expect(sim.lockState(where(r, result.compartmentId).address, where(r, result.compartmentId).lock).open).toBe(true);
    return result;
  }

  const eventsOf = (r: Run, type: string) => r.ledger.outbox.list({ limit: 10_000 }).filter((e) => e.type === type);

  it('settles an unfinished deposit when its board, offline at boot, comes back (no restart needed)', async () => {
    let r = await boot();
    const { parcelId, compartmentId } = await depositDoorOpen(r, '1Z999AA10123456784');
    await powerCut();

    // Meanwhile the door was pushed shut, and the board lost its cable.
    const { address, lock } = where(r, compartmentId);
    sim.closeDoor(address, lock);
    sim.setBoardFault(address, 'unplugged', true);
    r = await boot();
    expect(r.locker.offlineBoards()).toEqual(['B1']);
    expect(r.ledger.doorOperations.activeFor(compartmentId)).toHaveLength(1);
    expect(r.ledger.parcels.get(parcelId)!.state).toBe('reserved');
    expect(await r.locker.openForTechnician(compartmentId, 'check')).toEqual({ ok: false, reason: 'busy' });

    // The cable goes back in: the board answers, and what the last run left is settled from its
    // door exactly as at boot (a deposit whose door is shut and was never seen open again: nobody
    // knows whether the parcel went in).
    sim.setBoardFault(address, 'unplugged', false);
    expect(await until(() => r.ledger.doorOperations.activeFor(compartmentId).length === 0, 3000)).toBe(true);
    expect(r.locker.offlineBoards()).toEqual([]);
    expect(r.ledger.parcels.get(parcelId)!.state).toBe('cancelled');
    expect(r.ledger.compartments.get(compartmentId)!.outOfService).toMatch(/restart interrupted/);
    expect(eventsOf(r, 'compartment.needs_inspection').map((e) => e.data)).toEqual([{ compartmentId, reason: expect.stringMatching(/restart interrupted/), parcelId }]);
    // The door is free for a technician again, without a restart.
    expect(await r.locker.openForTechnician(compartmentId, 'inspect after the power cut')).toEqual({ ok: true, outcome: 'confirmed_open' });
  });

  it('completes an unfinished deposit whose door is still open when its board comes back', async () => {
    let r = await boot();
    const { parcelId, compartmentId } = await depositDoorOpen(r, '1Z999AA10123456784');
    await powerCut();
    const { address, lock } = where(r, compartmentId);
    sim.setBoardFault(address, 'unplugged', true);
    r = await boot();
    sim.setBoardFault(address, 'unplugged', false);
    expect(await until(() => r.locker.openDoors().some((d) => d.compartmentId === compartmentId), 3000)).toBe(true);
    sim.closeDoor(address, lock);
    expect(await until(() => r.ledger.parcels.get(parcelId)!.state === 'deposited', 3000)).toBe(true);
    expect(eventsOf(r, 'door.forced_open')).toEqual([]);
  });

  it('after a restart, the open too-small door of a "bigger door" request is the courier\'s, not a forced door', async () => {
    let r = await boot();
    const { parcelId, compartmentId: small } = await depositDoorOpen(r, '1Z999AA10123456784');
    const bigger = await r.locker.biggerDoor(parcelId, courier(r));
    if (!bigger.ok) throw new Error(`bigger door failed: ${bigger.reason}`);
    await powerCut();

    // Both doors still stand open at the next boot.
    r = await boot();
    expect(await until(() => r.locker.openDoors().length === 2, 3000)).toBe(true);
    expect(eventsOf(r, 'door.forced_open')).toEqual([]);
    expect(r.ledger.audit.recent(100).filter((a) => a.action === 'door.forced_open')).toEqual([]);

    // The courier shuts the small door: quietly, in the audit trail under the courier's name.
    sim.closeDoor(where(r, small).address, where(r, small).lock);
    expect(await until(() => !r.locker.openDoors().some((d) => d.compartmentId === small), 3000)).toBe(true);
    const closed = r.ledger.audit.recent(100).find((a) => a.action === 'door.closed' && a.compartmentId === small);
    expect(closed).toMatchObject({ actor: 'courier:ups-demo', detail: { released: true } });
    expect(eventsOf(r, 'door.closed')).toEqual([]);
    // ...and the parcel is stored in the bigger one.
    sim.closeDoor(where(r, bigger.compartmentId).address, where(r, bigger.compartmentId).lock);
    expect(await until(() => r.ledger.parcels.get(parcelId)!.state === 'deposited', 3000)).toBe(true);

    // The release is spent: forcing the small door now is an alarm again.
    sim.forceDoor(where(r, small).address, where(r, small).lock);
    expect(await until(() => eventsOf(r, 'door.forced_open').length === 1, 3000)).toBe(true);
    for (const e of r.ledger.outbox.list({ limit: 10_000 })) expect(validators.eventData.get(e.type)!(e.data), e.type).toBe(true);
  });

  it('forgets a released door found shut at boot, so a later forced open is an alarm', async () => {
    let r = await boot();
    const { parcelId, compartmentId: small } = await depositDoorOpen(r, '1Z999AA10123456784');
    await r.locker.biggerDoor(parcelId, courier(r));
    await powerCut();
    sim.closeDoor(where(r, small).address, where(r, small).lock);
    r = await boot();
    expect(r.ledger.audit.recent(100).find((a) => a.action === 'door.closed' && a.compartmentId === small)).toMatchObject({ actor: 'courier:ups-demo' });
    sim.forceDoor(where(r, small).address, where(r, small).lock);
    expect(await until(() => eventsOf(r, 'door.forced_open').length === 1, 3000)).toBe(true);
  });

  // Doors upstream heard of as forced or left open; A01 is board B1 (address 0), lock 1.

  it('a forced door still open after a restart is not alarmed twice, and its close goes upstream', async () => {
    let r = await boot();
    sim.forceDoor(0, 1);
    expect(await until(() => eventsOf(r, 'door.forced_open').length === 1, 3000)).toBe(true);
    await powerCut();
    r = await boot();
    expect(await until(() => r.locker.openDoors().some((d) => d.compartmentId === 'A01'), 3000)).toBe(true);
    expect(eventsOf(r, 'door.forced_open')).toHaveLength(1);
    sim.closeDoor(0, 1);
    expect(await until(() => eventsOf(r, 'door.closed').length === 1, 3000)).toBe(true);
    expect(eventsOf(r, 'door.closed')[0]!.data).toMatchObject({ compartmentId: 'A01', actor: 'unknown' });
    // Shut: the next forcing is news again.
    sim.forceDoor(0, 1);
    expect(await until(() => eventsOf(r, 'door.forced_open').length === 2, 3000)).toBe(true);
    for (const e of r.ledger.outbox.list({ limit: 10_000 })) expect(validators.eventData.get(e.type)!(e.data), e.type).toBe(true);
  });

  it('a forced door shut while the daemon was down: its close goes upstream at the next start', async () => {
    let r = await boot();
    sim.forceDoor(0, 1);
    expect(await until(() => eventsOf(r, 'door.forced_open').length === 1, 3000)).toBe(true);
    await powerCut();
    sim.closeDoor(0, 1);
    r = await boot();
    expect(await until(() => eventsOf(r, 'door.closed').length === 1, 3000)).toBe(true);
    expect(eventsOf(r, 'door.closed')[0]!.data).toMatchObject({ compartmentId: 'A01', actor: 'unknown' });
    expect(validators.eventData.get('door.closed')!(eventsOf(r, 'door.closed')[0]!.data)).toBe(true);
  });

  it('a door left open across a restart is reported left open once, and its close goes upstream', async () => {
    config.doors.leftOpenMs = 5_000;
    let r = await boot();
    const opened = await r.locker.openForTechnician('A01', 'replace the latch', 'technician:test');
    expect(opened).toMatchObject({ ok: true, outcome: 'confirmed_open' });
    expect(await until(() => eventsOf(r, 'door.left_open').length === 1, 8000)).toBe(true);
    await powerCut();
    r = await boot();
    // Long enough for the restarted monitor to find it open past leftOpenMs again.
    await new Promise((res) => setTimeout(res, 6_000));
    expect(eventsOf(r, 'door.left_open')).toHaveLength(1);
    sim.closeDoor(0, 1);
    expect(await until(() => eventsOf(r, 'door.closed').length === 1, 3000)).toBe(true);
  }, 30_000);
});

describe('a board that counts as online but misses the read that settles its doors', () => {
  /** The simulated boards, with one injected fault: the next `misses` status reads get no answer. */
  class MissingReads extends SimLockBoards {
    misses = 0;
    override async read(address: LockAddress): Promise<DoorStatus | null> {
      if (this.misses > 0) {
        this.misses--;
        return null;
      }
      return super.read(address);
    }
  }

  it('is read again a few seconds later, and what the last run left is settled then', async () => {
    const { dir, cleanup } = tempDir();
    const config = testConfig(dir);
    const boards = () => new MissingReads({ boards: config.buses[0]!.boards, autoCloseMs: 0, unlockDelayMs: 0 });
    const boot = async (doors: MissingReads) => {
      const ledger = Ledger.open({ path: config.ledger.path, keyFile: config.ledger.keyFile });
      applyConfig(ledger, config, Date.now());
      const locker = new LockerService({ ledger, doors, config, log: captureLogger().log });
      await doors.start();
      await locker.start();
      return { ledger, locker, doors };
    };
    try {
      let r = await boot(boards());
      const login = r.locker.courierLogin('111111');
      if (!login.ok) throw new Error('login failed');
      const deposit = await r.locker.deposit({ courier: login.courier, unit: '101', size: 'S', carrier: null, tracking: null });
      if (!deposit.ok) throw new Error('deposit failed');
      r.locker.stop();
      r.ledger.close();

      // Next boot: fresh boards (every door shut), and the first read goes unanswered.
      const doors = boards();
      doors.misses = 1;
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        r = await boot(doors);
        expect(r.ledger.doorOperations.activeFor(deposit.compartmentId)).toHaveLength(1);
        await vi.advanceTimersByTimeAsync(5_000);
      } finally {
        vi.useRealTimers();
      }
      expect(await until(() => r.ledger.doorOperations.activeFor(deposit.compartmentId).length === 0, 2000)).toBe(true);
      expect(r.ledger.parcels.get(deposit.parcelId)!.state).toBe('cancelled');
      r.locker.stop();
      r.ledger.close();
    } finally {
      cleanup();
    }
  });
});
