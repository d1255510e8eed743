/**
 * The proof-of-delivery record of a parcel, built from a real ledger: the rows are written by the
 * real app on the simulated locker (deposits, forced doors, technician and remote opens, pickups,
 * a door that did not open), in simulated time, then read back as a property manager would.
 * Rows from before the pickup flow recorded its credential (`via` on the `parcel.picked_up` audit
 * row) are checked as such rows are: written by hand.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/ledger/audit.js';
import type { DoorOperation } from '../../src/ledger/door-operations.js';
import type { Parcel } from '../../src/ledger/parcels.js';
import { parcelCommands } from '../../src/control/commands/parcels.js';
import { LockerAdministration } from '../../src/locker/administration.js';
import { buildProofOfDelivery, parcelIdOf, parseExportDate, ProofOfDeliveryReader, type ProofOfDelivery } from '../../src/locker/proof-of-delivery.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

describe('proof of delivery on the simulated locker', () => {
  let cleanup: () => void;
  let h: LockerHarness;
  let t: number;
  /** Moves the locker's clock to T0 + `seconds`. */
  const clock = (seconds: number): void => {
    t = T0 + seconds * 1000;
  };

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    t = T0;
    h = await LockerHarness.start(testConfig(dir), captureLogger().log, () => t);
  });

  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  const record = (id: string): ProofOfDelivery => new ProofOfDeliveryReader(h.app.ledger).forParcel(id, t)!;

  /** A courier deposit of one parcel for `unit`, with the clock moving as a courier would. */
  async function deposit(start: number, unit: string, tracking: string): Promise<{ parcelId: string; compartment: string }> {
    clock(start);
    await h.keys('111111#');
    await h.scan(tracking);
    await h.keys(`${unit}#`);
    clock(start + 5);
    await h.keys('#');
    const compartment = h.app.locker.openDoors().at(-1)!.compartmentId;
    clock(start + 30);
    await h.door(compartment, false);
    await h.keys('*');
    return { parcelId: h.app.ledger.parcels.activeIn(compartment)!.id, compartment };
  }

  it('names the courier, the doors\' times, the pickup and every movement of that door meanwhile, and nothing of other doors', async () => {
    const { parcelId, compartment } = await deposit(0, '101', '1Z999AA10123456784');
    expect(compartment).toBe('A01');
    // Someone forces A01 an hour later and shuts it; a technician opens it for a reason; A02 moves too.
    clock(3600);
    await h.door('A01', true);
    clock(3610);
    await h.door('A01', false);
    clock(4000);
    await h.app.locker.openForTechnician('A01', 'latch rattles', 'technician:alice');
    clock(4020);
    await h.door('A01', false);
    await h.app.locker.openForTechnician('A02', 'not this one', 'technician:alice');
    await h.door('A02', false);
    // Before the pickup the record says the parcel is still inside.
    const waiting = record(parcelId);
    expect(waiting.ended).toBeNull();
    expect(waiting.pickup).toBeNull();
    // The reservation is the courier's size key, 5 s into the deposit.
    expect(waiting.window).toEqual({ from: at(5), to: null });

    clock(7200);
    const code = h.latestCode();
    await h.keys(`${code}#`);
    clock(7215);
    await h.door('A01', false);

    const r = record(parcelId);
    expect(r).toMatchObject({
      parcelId, state: 'picked_up', unit: '101', size: 'S', compartmentId: 'A01', carrier: 'UPS', tracking: '1Z999AA10123456784',
      courier: { id: 'ups-demo', carrier: 'UPS' },
      reservedAt: at(5),
      deposit: { doorOpenedAt: at(5), doorClosedAt: at(30), depositedAt: at(30) },
      pickup: { at: at(7215), actor: 'resident:101', doorOpenedAt: at(7200), doorClosedAt: at(7215) },
      ended: { state: 'picked_up', at: at(7215), actor: 'resident:101', action: 'parcel.picked_up' },
      window: { from: at(5), to: at(7215) },
    });
    expect(r.codeId).toEqual(expect.any(Number));
    // Keyed at the keypad.
    expect(r.pickup!.via).toBe('code');

    const moves = r.doorMovements.map((m) => (m.kind === 'operation' ? `${m.requestedAt} ${m.purpose} ${m.actor} ${m.state} ${m.openedAt} ${m.endedAt} ${m.reason ?? ''}`.trim() : `${m.at} ${m.action} ${m.actor}`));
    expect(moves).toEqual([
      `${at(5)} deposit courier:ups-demo closed ${at(5)} ${at(30)}`,
      `${at(3600)} door.forced_open unknown`,
      `${at(3610)} door.closed unknown`,
      `${at(4000)} technician technician:alice closed ${at(4000)} ${at(4020)} latch rattles`,
      `${at(7200)} pickup resident:101 closed ${at(7200)} ${at(7215)}`,
    ]);
    expect(r.doorMovements.every((m) => m.compartmentId === 'A01')).toBe(true);
    expect(r.history.map((a) => a.action)).toEqual(['door.unlock_requested', 'parcel.deposited', 'door.forced_open', 'door.unlock_requested', 'door.unlock_requested', 'parcel.picked_up']);
    // Never the code, in any field.
    expect(JSON.stringify(r)).not.toContain(code);
  });

  it('a pickup with the QR code says so', async () => {
    const { parcelId } = await deposit(0, '101', '1Z999AA10123456784');
    const qr = h.app.ledger.outbox.list({ limit: 100 }).find((e) => e.type === 'parcel.deposited')!.data.pickupQr as string;
    clock(600);
    expect(await h.scan(qr)).toEqual(['Door A01 is open. Take your parcel and close the door.']);
    clock(610);
    await h.door('A01', false);
    expect(record(parcelId).pickup).toMatchObject({ via: 'qr', actor: 'resident:101', at: at(610) });
  });

  it('a parcel moved to a bigger door lists the too-small door it was first given, and its close', async () => {
    clock(0);
    await h.keys('111111#');
    await h.scan('1Z999AA10123456784');
    await h.keys('101#');
    await h.keys('1#');
    clock(10);
    expect(await h.keys('*')).toEqual(['Door A05 is open. Close door A01, put the parcel in A05 and close it.']);
    clock(20);
    await h.door('A01', false);
    clock(30);
    await h.door('A05', false);
    const parcel = h.app.ledger.parcels.activeIn('A05')!;
    const r = record(parcel.id);
    expect(r.compartmentId).toBe('A05');
    expect(r.deposit).toMatchObject({ doorOpenedAt: at(10), doorClosedAt: at(30), depositedAt: at(30) });
    expect(r.doorMovements).toEqual([
      expect.objectContaining({ kind: 'operation', compartmentId: 'A01', purpose: 'deposit', state: 'abandoned', outcome: 'parcel too big', requestedAt: at(0), parcelId: parcel.id }),
      expect.objectContaining({ kind: 'operation', compartmentId: 'A05', purpose: 'deposit', state: 'closed', requestedAt: at(10) }),
      // The released door shut after its operation ended: a movement of its own.
      expect.objectContaining({ kind: 'event', compartmentId: 'A01', action: 'door.closed', actor: 'courier:ups-demo', at: at(20) }),
    ]);
  });

  it('a deposit whose door did not open ends cancelled, with the door\'s outcome as the reason', async () => {
    h.sim.boards.setJammed({ board: 'B1', lock: 1 }, true);
    clock(0);
    await h.keys('111111#');
    await h.scan('1Z999AA10123456784');
    await h.keys('101#');
    await h.keys('1#');
    const cancelled = h.app.ledger.parcels.list({ state: 'cancelled' })[0]!;
    const r = record(cancelled.id);
    expect(r.deposit).toBeNull();
    expect(r.pickup).toBeNull();
    expect(r.ended).toEqual({ state: 'cancelled', at: at(0), actor: 'courier:ups-demo', action: 'door.unlock_failed', reason: 'unconfirmed' });
    expect(r.doorMovements).toEqual([expect.objectContaining({ kind: 'operation', compartmentId: 'A01', state: 'failed', outcome: 'unconfirmed', openedAt: null })]);
  });

  it('a parcel recalled by a remote open ends returned, by whom, and one cancelled upstream says why', async () => {
    const first = await deposit(0, '101', '1Z999AA10123456784');
    clock(100);
    await h.app.locker.openForRemote(first.compartment, 'sender recalled it', true, 'cmd-9');
    clock(130);
    await h.door(first.compartment, false);
    const r = record(first.parcelId);
    expect(r.ended).toEqual({ state: 'returned', at: at(130), actor: 'remote:cmd-9', action: 'parcel.returned', reason: null });
    expect(r.doorMovements.at(-1)).toMatchObject({ kind: 'operation', purpose: 'remote', actor: 'remote:cmd-9', reason: 'sender recalled it', endedAt: at(130) });

    const second = await deposit(200, '202', '1Z5R89390357567127');
    clock(300);
    new LockerAdministration(h.app.ledger, h.app.config, () => t).cancelParcel(second.parcelId, 'wrong building', 'remote:cmd-10', 'cmd-10');
    expect(record(second.parcelId).ended).toEqual({ state: 'cancelled', at: at(300), actor: 'remote:cmd-10', action: 'parcel.cancelled', reason: 'wrong building' });
  });

  it('pages the parcels reserved in a time range, oldest first, by id', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await deposit(i * 100, '101', `TEST0000000${i}`)).parcelId);
    const reader = new ProofOfDeliveryReader(h.app.ledger);
    const page1 = reader.page(null, T0 + 100_000, t, 2);
    expect(page1.map((r) => r.parcelId)).toEqual(ids.slice(1, 3));
    const page2 = reader.page(page1.at(-1)!.parcelId, T0 + 100_000, t, 2);
    expect(page2.map((r) => r.parcelId)).toEqual(ids.slice(3, 5));
    expect(reader.page(page2.at(-1)!.parcelId, T0 + 100_000, t, 2)).toEqual([]);
    // Up to a time: what was reserved later stays out.
    expect(reader.page(null, T0, T0 + 250_000, 10).map((r) => r.parcelId)).toEqual(ids.slice(0, 3));
    // Slices end when their time is up (a clock that moves 5 ms per look), the last one says so.
    let ms = 0;
    const slow = () => (ms += 5);
    expect(reader.slice(null, T0, t, 2, slow)).toEqual({ records: reader.page(null, T0, t, 4), done: false });
    expect(reader.slice(ids[3]!, T0, t, 2, slow).records.map((r) => r.parcelId)).toEqual([ids[4]]);
    expect(reader.slice(ids[3]!, T0, t, 2, slow).done).toBe(true);
  });

  it('the export command streams every record, oldest first, slice after slice, and ends with a summary', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await deposit(i * 100, '101', `TEST0000000${i}`)).parcelId);
    const exportAll = parcelCommands({ ledger: h.app.ledger, now: () => t, sliceMs: 0 }).get('parcels.export')!;
    const run = async (args: Record<string, unknown>) => {
      const it = (await exportAll(args, { signal: new AbortController().signal, actor: 'technician:test' })) as AsyncGenerator<ProofOfDelivery, unknown>;
      const got: string[] = [];
      for (;;) {
        const step = await it.next();
        if (step.done) return { got, summary: step.value };
        got.push(step.value.parcelId);
      }
    };
    // Slices of 4 records (no time at all to spend): two slices for six parcels.
    expect(await run({})).toEqual({ got: ids, summary: { parcels: 6, since: null, until: new Date(t).toISOString() } });
    expect(await run({ since: at(200) })).toEqual({ got: ids.slice(2), summary: { parcels: 4, since: at(200), until: new Date(t).toISOString() } });
  });
});

describe('the pickup credential and the end of a parcel, from its audit rows', () => {
  const parcel: Parcel = {
    id: '01935c1e-7c2a-7000-8000-000000000001', unit: '101', size: 'M', compartmentId: 'B02', state: 'picked_up', carrier: 'DHL', tracking: 'JD0001',
    courierId: 'dhl-1', codeId: 4, reservedAt: T0, depositedAt: T0 + 30_000, expiresAt: T0 + 86_400_000, endedAt: T0 + 60_000, direction: 'inbound', expiredAt: null, remindedThrough: null, placeId: null, pickupFlaggedAt: null, signatureId: null, collector: null,
  };
  const op = (id: number, purpose: DoorOperation['purpose'], requestedAt: number, endedAt: number): DoorOperation => ({
    id, compartmentId: 'B02', purpose, parcelId: parcel.id, actor: purpose === 'deposit' ? 'courier:dhl-1' : 'resident:101', state: 'closed', outcome: 'confirmed_open', requestedAt, openedAt: requestedAt + 1000, endedAt, credential: null,
  });
  const row = (id: number, atMs: number, actor: string, action: string, detail?: Record<string, unknown>): AuditRecord => ({ id, at: atMs, actor, action, compartmentId: 'B02', parcelId: parcel.id, detail });
  const build = (pickedUp: AuditRecord) =>
    buildProofOfDelivery({
      parcel, courier: { id: 'dhl-1', carrier: 'DHL' }, compartmentAudit: [],
      parcelAudit: [row(1, T0, 'courier:dhl-1', 'door.unlock_requested', { purpose: 'deposit', operation: 1 }), row(2, T0 + 30_000, 'courier:dhl-1', 'parcel.deposited', { operation: 1, codeId: 4 }), pickedUp],
      operations: [op(1, 'deposit', T0, T0 + 30_000), op(2, 'pickup', T0 + 50_000, T0 + 60_000)],
    });

  it('says code, QR or staff as the pickup row records it, and unknown for a row without it or with anything else', () => {
    for (const via of ['code', 'qr', 'staff'] as const) {
      expect(build(row(3, T0 + 60_000, 'resident:101', 'parcel.picked_up', { operation: 2, via })).pickup).toEqual({
        at: new Date(T0 + 60_000).toISOString(), actor: 'resident:101', via, operationId: 2, doorOpenedAt: new Date(T0 + 51_000).toISOString(), doorClosedAt: new Date(T0 + 60_000).toISOString(),
      });
    }
    expect(build(row(3, T0 + 60_000, 'resident:101', 'parcel.picked_up', { operation: 2 })).pickup!.via).toBe('unknown');
    expect(build(row(3, T0 + 60_000, 'resident:101', 'parcel.picked_up', { operation: 2, via: 'pin' })).pickup!.via).toBe('unknown');
  });

  it('lists the operations once: their request, failure and close rows are not repeated as events', () => {
    const r = buildProofOfDelivery({
      parcel, courier: undefined, parcelAudit: [],
      compartmentAudit: [
        row(10, T0 + 50_000, 'resident:101', 'door.unlock_requested', { purpose: 'pickup', operation: 2 }),
        row(11, T0 + 55_000, 'system', 'door.left_open', { openedAt: T0 + 51_000 }),
        row(12, T0 + 60_000, 'resident:101', 'door.closed', { operation: 2, openedAt: T0 + 51_000 }),
      ],
      operations: [op(2, 'pickup', T0 + 50_000, T0 + 60_000)],
    });
    expect(r.doorMovements.map((m) => (m.kind === 'event' ? m.action : `operation ${m.operationId}`))).toEqual(['operation 2', 'door.left_open']);
    // A courier no longer in the ledger is still named, without a company.
    expect(r.courier).toEqual({ id: 'dhl-1', carrier: null });
  });
});

describe('parcel ids and export dates', () => {
  it('takes a UUID in any case, and nothing else', () => {
    expect(parcelIdOf(' 01935C1E-7C2A-7000-8000-000000000001 ')).toBe('01935c1e-7c2a-7000-8000-000000000001');
    for (const bad of ['', '12345678', '01935c1e-7c2a-7000-8000-00000000000', '01935c1e7c2a700080000000000000001', 'g1935c1e-7c2a-7000-8000-000000000001']) expect(parcelIdOf(bad)).toBeNull();
  });

  it('takes a date (midnight UTC) or a time with its zone, and refuses the rest', () => {
    expect(parseExportDate('2026-11-01')).toBe(Date.parse('2026-11-01T00:00:00Z'));
    expect(parseExportDate('2026-11-01T09:30+01:00')).toBe(Date.parse('2026-11-01T08:30:00Z'));
    expect(parseExportDate('2026-11-01t08:30:05.250z')).toBe(Date.parse('2026-11-01T08:30:05.250Z'));
    for (const bad of ['', 'yesterday', '2026-02-30', '2026-13-01', '2026-11-01T08:30', '2026-11-01 08:30Z', '2026-11-01T24:00Z', '01/11/2026', '1793577600000']) expect(parseExportDate(bad), bad).toBeNull();
  });
});
