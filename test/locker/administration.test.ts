import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatBadge, randomToken } from '../../src/barcode/index.js';
import { LockerAdministration, Refusal } from '../../src/locker/administration.js';
import { applyConfig } from '../../src/locker/apply-config.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

describe('changes upstream asks for, on the simulated locker', () => {
  let cleanup: () => void;
  let h: LockerHarness;
  let admin: LockerAdministration;
  let logs: ReturnType<typeof captureLogger>;

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    logs = captureLogger();
    h = await LockerHarness.start(testConfig(dir), logs.log);
    admin = new LockerAdministration(h.app.ledger, h.app.config);
  });
  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  it('an expected delivery fills in the unit when the courier scans it', async () => {
    admin.expectDelivery('1z999aa10123456784', '202', undefined, 'remote:t');
    await h.keys('111111#');
    expect(await h.scan('1Z999AA10123456784')).toEqual(['UPS parcel for unit 202. Size: 1 = S, 2 = M, 3 = L, 4 = XL, or # for the smallest that fits. Press * to go back.']);
    await h.keys('#');
    expect(h.app.ledger.parcels.list()[0]).toMatchObject({ unit: '202', state: 'reserved' });
    expect(() => admin.expectDelivery('X1', '777', undefined, 'remote:t')).toThrow(Refusal);
  });

  it('a cancelled parcel no longer opens with its code, and its compartment waits for removal', async () => {
    const compartment = await h.deposit({ unit: '101' });
    const code = h.latestCode();
    const parcel = h.app.ledger.parcels.list()[0]!;
    admin.cancelParcel(parcel.id, 'sender recalled', 'remote:c1', 'c1');
    expect(h.app.ledger.parcels.get(parcel.id)!.state).toBe('cancelled');
    expect(h.app.ledger.compartments.get(compartment)!.outOfService).toMatch(/cancelled parcel/);
    expect(await h.keys(`${code}#`)).toEqual(['That code is not valid or its parcel was already collected. Check it and try again.']);
    expect(() => admin.cancelParcel(parcel.id, 'again', 'remote:c2', 'c2')).toThrow(/is cancelled; only a waiting/);
    // Back in service once someone took it out.
    admin.setService(compartment, true, null, 'technician', null);
    expect(h.app.ledger.compartments.get(compartment)!.outOfService).toBeNull();
    expect(h.app.ledger.outbox.list().map((e) => e.type)).toEqual(['parcel.deposited', 'parcel.cancelled', 'compartment.service_changed']);
  });

  it('a compartment dropped from the config stays out of service until the config has it again', async () => {
    const { ledger, config } = h.app;
    applyConfig(ledger, { ...config, compartments: config.compartments.filter((c) => c.id !== 'B14') }, Date.now());
    expect(ledger.compartments.get('B14')!.outOfService).toBe('not in the config');
    expect(() => admin.setService('B14', true, null, 'technician', null)).toThrow(/B14 is not in the config file \(no lock is wired to it\); add it there and restart lockerd/);
    expect(ledger.compartments.get('B14')!.outOfService).toBe('not in the config');
    applyConfig(ledger, config, Date.now());
    expect(ledger.compartments.get('B14')!.outOfService).toBeNull();
  });

  it('extends a hold only forward', async () => {
    await h.deposit({ unit: '101' });
    const parcel = h.app.ledger.parcels.list()[0]!;
    const later = parcel.expiresAt! + 86_400_000;
    admin.extendHold(parcel.id, later, 'remote:e1', 'e1');
    expect(h.app.ledger.parcels.get(parcel.id)!.expiresAt).toBe(later);
    expect(() => admin.extendHold(parcel.id, later - 1, 'remote:e2', 'e2')).toThrow(/already held until/);
  });

  it('a courier set upstream logs in by PIN or badge, and a PIN of code length is refused', async () => {
    const badge = randomToken();
    admin.setCourier({ courierId: 'dhl-9', carrier: 'DHL', pin: '4321', badge }, 'remote:s1');
    expect(await h.keys('4321#')).toEqual(['Hello DHL. Scan a parcel, or press * to log out.']);
    await h.keys('*');
    expect(await h.scan(formatBadge(badge))).toEqual(['Hello DHL. Scan a parcel, or press * to log out.']);
    expect(() => admin.setCourier({ courierId: 'x', carrier: 'X', pin: '12345678' }, 'remote:s2')).toThrow(/length of retrieval codes/);
    expect(() => admin.setCourier({ courierId: 'y', carrier: 'Y', pin: '4321' }, 'remote:s3')).toThrow(/already has this PIN/);
    expect(logs.text()).not.toContain(badge);
    expect(JSON.stringify(h.app.ledger.audit.recent(20))).not.toMatch(/4321|12345678/);
  });

  it('an accessible resident restricts the unit to low compartments', async () => {
    admin.upsertResident('res-1', '101', true, 'remote:r1');
    const c = await h.deposit({ unit: '101' });
    expect(h.app.ledger.compartments.get(c)!.accessible).toBe(true);
    admin.removeResident('res-1', 'remote:r2');
    expect(h.app.ledger.people.unit('101')!.accessible).toBe(false);
  });

  it('a technician opens a door with a reason in the audit trail, and not twice at once', async () => {
    expect(await h.app.locker.openForTechnician('B03', 'hinge check')).toEqual({ ok: true, outcome: 'confirmed_open' });
    expect(await h.app.locker.openForTechnician('B03', 'again')).toEqual({ ok: false, reason: 'busy' });
    expect(await h.app.locker.openForTechnician('Z99', 'x')).toEqual({ ok: false, reason: 'unknown_compartment' });
    await h.door('B03', false);
    const actions = h.app.ledger.audit.recent(2);
    expect(actions.map((a) => a.action)).toEqual(['door.closed', 'door.unlock_requested']);
    expect(actions[1]!.detail).toMatchObject({ purpose: 'technician', reason: 'hinge check' });
    // Not a forced door: it was commanded.
    expect(h.app.ledger.outbox.list().some((e) => e.type === 'door.forced_open')).toBe(false);
  });
});
