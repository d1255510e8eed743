/**
 * The door operator on its own: a real ledger and the simulated lock boards, no flow above it.
 * What every flow relies on: an intent is durable with whatever it was prepared with, or nothing
 * is; a failed unlock ends its operation with the flow's writes in one transaction; a close goes
 * to the purpose's handler inside the close's transaction; a failing kiosk listener never stops a door.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimLockBoards } from '../../drivers/sim/lock-boards.js';
import type { Compartment } from '../../src/ledger/compartments.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { applyConfig } from '../../src/locker/apply-config.js';
import { BoardStatus } from '../../src/locker/board-status.js';
import { DoorOperator } from '../../src/locker/door-operator.js';
import { LockerBus } from '../../src/locker/locker-events.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';

describe('the door operator', () => {
  let cleanup: () => void;
  let ledger: Ledger;
  let boards: SimLockBoards;
  let operator: DoorOperator;
  let bus: LockerBus;
  let logs: ReturnType<typeof captureLogger>;
  let a01: Compartment;

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    const config = testConfig(dir);
    ledger = Ledger.open({ path: config.ledger.path, keyFile: config.ledger.keyFile });
    applyConfig(ledger, config, Date.now());
    boards = new SimLockBoards({ boards: config.buses[0]!.boards.map((b) => ({ id: b.id, locks: b.locks })), autoCloseMs: 0, unlockDelayMs: 0 });
    await boards.start();
    logs = captureLogger();
    bus = new LockerBus(logs.log);
    const status = new BoardStatus({ ledger, doors: boards, log: logs.log, now: Date.now });
    operator = new DoorOperator({ ledger, doors: boards, config, log: logs.log, now: Date.now, bus, boards: status });
    await operator.start();
    a01 = ledger.compartments.get('A01')!;
  });

  afterEach(async () => {
    operator.stop();
    await boards.stop();
    ledger.close();
    cleanup();
  });

  const audit = () => ledger.audit.recent(100).map((r) => r.action).reverse();
  const settle = () => new Promise((r) => setTimeout(r, 20));

  it('writes nothing when what the intent was prepared with fails', () => {
    expect(() =>
      operator.intend([{ compartment: a01, purpose: 'technician', parcelId: null, actor: 'technician:ann' }], () => {
        throw new Error('the reservation failed');
      }),
    ).toThrow(/reservation failed/);
    expect(ledger.doorOperations.activeFor('A01')).toEqual([]);
    expect(audit()).not.toContain('door.unlock_requested');
  });

  it('ends a door that did not open as failed, with the flow\'s writes in the same transaction', async () => {
    boards.setJammed(a01, true);
    const { operation, outcome } = await operator.open(
      { compartment: a01, purpose: 'technician', parcelId: null, actor: 'technician:ann', credential: 'pin' },
      { failed: (result, at) => ledger.outbox.append('compartment.fault', at, { compartmentId: 'A01', reason: `test (${result})`, outcome: result as 'unconfirmed' }) },
    );
    expect(outcome).toBe('unconfirmed');
    expect(ledger.doorOperations.get(operation)).toMatchObject({ state: 'failed', outcome: 'unconfirmed', credential: 'pin' });
    expect(audit().slice(-2)).toEqual(['door.unlock_requested', 'door.unlock_failed']);
    expect(ledger.outbox.list({ limit: 10 }).map((e) => e.type)).toEqual(['compartment.fault']);
  });

  it('rolls the end of a failed unlock back with the flow\'s write that failed: the operation is settled at the next start', async () => {
    boards.setJammed(a01, true);
    await expect(
      operator.open({ compartment: a01, purpose: 'technician', parcelId: null, actor: 'technician:ann' }, {
        failed: () => {
          throw new Error('disk full');
        },
      }),
    ).rejects.toThrow(/disk full/);
    expect(ledger.doorOperations.activeFor('A01')).toHaveLength(1);
    expect(audit()).not.toContain('door.unlock_failed');
  });

  it('gives a close to the purpose\'s handler inside the close\'s transaction, then runs what it returns after the commit', async () => {
    const seen: string[] = [];
    operator.handle('staff', {
      announcesClose: true,
      closed: ({ op, compartment, at }) => {
        // The operation has ended by now, in the same transaction.
        seen.push(`closed ${compartment.id} ${ledger.doorOperations.get(op.id)!.state} inTransaction=${ledger.db.inTransaction}`);
        ledger.audit.record({ at, actor: op.actor, action: 'door.closed', compartmentId: compartment.id });
        return () => seen.push(`after inTransaction=${ledger.db.inTransaction}`);
      },
    });
    const closedOnBus: string[] = [];
    bus.on('doorClosed', (e) => closedOnBus.push(e.compartmentId));
    const { outcome } = await operator.open({ compartment: a01, purpose: 'staff', parcelId: null, actor: 'staff:ann' });
    expect(outcome).toBe('confirmed_open');
    expect(operator.busy('A01')).toBe(true);
    boards.setDoor(a01, false);
    await settle();
    expect(seen).toEqual(['closed A01 closed inTransaction=true', 'after inTransaction=false']);
    expect(closedOnBus).toEqual(['A01']);
    expect(operator.busy('A01')).toBe(false);
    // Upstream heard this door open (announcesClose): it hears the close.
    expect(ledger.outbox.list({ limit: 10 }).map((e) => e.type)).toEqual(['door.closed']);
  });

  it('keeps opening doors when a kiosk listener throws', async () => {
    bus.on('doorUnlocking', () => {
      throw new Error('the screen broke');
    });
    const { outcome } = await operator.open({ compartment: a01, purpose: 'technician', parcelId: null, actor: 'technician:ann' });
    expect(outcome).toBe('confirmed_open');
    expect(logs.text()).toContain('a listener of locker events failed');
  });

  it('calls a door that opens without an intent forced, once, and its close goes upstream', async () => {
    boards.setDoor(a01, true);
    await settle();
    boards.setDoor(a01, false);
    await settle();
    expect(ledger.outbox.list({ limit: 10 }).map((e) => e.type)).toEqual(['door.forced_open', 'door.closed']);
  });
});
