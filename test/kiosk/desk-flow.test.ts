/**
 * The front desk at the kiosk (storage "desk"), on the real app with the simulated keypad and
 * scanner: staff-only login, intake to a place (suggested, keyed, scanned), the signed pickup,
 * an authorised collector, and the refusals of the "Bad input" for desks. Every event
 * written is checked against the MQTT contract.
 */
import { SIGNING_MS } from '../../src/kiosk/flows/desk.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signatureHash } from '../../src/locker/desk-signature.js';
import { validators } from '../../src/sync/validate.js';
import { deskConfig, DESK_STATEMENT } from '../helpers/desk-config.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { recordDeposit } from '../../src/locker/deposit-record.js';
import { randomToken } from '../../src/barcode/token.js';
import { LockerHarness } from '../helpers/locker-harness.js';

const STATEMENT = DESK_STATEMENT;
const MENU = 'Front desk, Demo staff. 1 = log a parcel in, 2 = hand parcels over. * = log out.';
/** A signature: a zig-zag across the pad. */
const STROKES = [Array.from({ length: 20 }, (_, i) => [100 + i * 20, i % 2 === 0 ? 100 : 180])];

describe('the front desk at the kiosk', () => {
  let dir: string;
  let cleanup: () => void;
  let logs: ReturnType<typeof captureLogger>;
  let h: LockerHarness;

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    logs = captureLogger();
    h = await LockerHarness.start(deskConfig(dir), logs.log);
  });

  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  const events = (type: string) => h.app.ledger.outbox.list({ limit: 10_000 }).filter((e) => e.type === type).map((e) => e.data as Record<string, unknown>);
  const audit = (action: string) => h.app.ledger.audit.recent(1000).filter((a) => a.action === action);
  function expectEventsValid(): void {
    for (const e of h.app.ledger.outbox.list({ limit: 10_000 })) {
      const validate = validators.eventData.get(e.type);
      expect(validate, `no schema for ${e.type}`).toBeDefined();
      expect(validate!(e.data) ? null : { type: e.type, errors: validate!.errors }).toBeNull();
    }
  }

  it('only staff log in: a courier\'s PIN is refused with the reason, a wrong PIN counts as a guess', async () => {
    expect(h.app.kiosk.lastScreen.prompt.text).toBe('Front desk. Staff: key your PIN and press #, or scan your badge.');
    expect(await h.keys('111111#')).toEqual(['This desk is run by staff: only staff log in here. Ask at the desk.']);
    expect(h.app.kiosk.state).toBe('idle');
    expect(audit('desk.login_refused')).toEqual([expect.objectContaining({ actor: 'courier:ups-demo' })]);
    const before = h.app.locker.throttleStatus().pin.failuresLastHour;
    expect(await h.keys('123456#')).toEqual(['That PIN is not valid. Staff: key your PIN and press #.']);
    expect(h.app.locker.throttleStatus().pin.failuresLastHour).toBe(before + 1);
    expect(await h.keys('9999#')).toEqual([MENU]);
    expect(h.app.kiosk.state).toBe('desk_menu');
    expect(logs.text()).not.toContain('9999');
  });

  it('logs parcels in to the suggested, a keyed and a scanned place; refuses an unknown place, a full one and a duplicate', async () => {
    await h.keys('9999#');
    expect(await h.keys('1#')).toEqual(['Scan the parcel, or key its tracking number and press #. Press * for the menu.']);
    expect(await h.scan('1Z999AA10123456784')).toEqual(['UPS parcel. Key the unit number and press #. Press * to go back.']);
    expect(await h.keys('999#')).toEqual(['That unit number does not exist. Key the unit number again.']);
    expect(await h.keys('101#')).toEqual(["Parcel for unit 101. Put it on D-1 and press #, or key another place's number and #, or scan its label. Press * to go back."]);
    expect(h.app.kiosk.lastScreen.panel).toEqual({ kind: 'places', places: [{ number: 1, id: 'D-1', size: 'M', free: 1, suggested: true }, { number: 2, id: 'D-2', size: 'XL', free: 5, suggested: false }] });
    expect(await h.keys('#')).toEqual(['Logged in: unit 101, on D-1. The resident is notified. Scan the next parcel.']);
    const [deposited] = events('parcel.deposited');
    expect(deposited).toMatchObject({ compartmentId: 'DESK', placeId: 'D-1', unit: '101', carrier: 'UPS', tracking: '1Z999AA10123456784', courierId: null, code: expect.stringMatching(/^[0-9]{8}$/) });
    expect(h.app.ledger.parcels.get(deposited!.parcelId as string)).toMatchObject({ state: 'deposited', placeId: 'D-1', compartmentId: 'DESK' });

    // The same label again: refused, says where the first one is.
    expect(await h.scan('1Z999AA10123456784')).toEqual(['This tracking number is already here, at D-1. Scan the next parcel.']);
    // D-1 is full now: the next one is suggested D-2; staff key 1 (D-1, full), 7 (no such place), scan an unknown label, then D-2's.
    await h.scan('TEST00000002');
    expect(h.app.kiosk.state).toBe('desk_unit');
    await h.keys('102#');
    expect(h.app.kiosk.lastScreen.prompt.params).toMatchObject({ place: 'D-2' });
    expect(await h.keys('1#')).toEqual(expect.arrayContaining(['Place D-1 is full. Choose another one.']));
    expect(await h.keys('7#')).toEqual(['That is not a place of this desk. Choose one from the list or scan its label.']);
    expect(await h.scan('SHELF-9')).toEqual(['That is not a place of this desk. Choose one from the list or scan its label.']);
    expect(events('parcel.deposited')).toHaveLength(1);
    expect(audit('desk.place_unknown').length).toBeGreaterThan(0);
    expect(await h.scan('D-2')).toEqual(['Logged in: unit 102, on D-2. The resident is notified. Scan the next parcel.']);
    expect(events('parcel.deposited')[1]).toMatchObject({ placeId: 'D-2', unit: '102' });
    expectEventsValid();
  });

  it('hands parcels over against the code and a signature: picked up, signed, hashed, in one go', async () => {
    await h.keys('9999#1#');
    await h.scan('1Z999AA10123456784');
    await h.keys('101##');
    await h.scan('TEST00000003');
    await h.keys('101##*');
    const code = events('parcel.deposited')[0]!.code as string;
    expect(events('parcel.deposited')[1]!.code).toBeUndefined(); // joined the live code
    expect(await h.keys('2#')).toEqual(["Key the resident's code and press #, or scan their QR code. Press * for the menu."]);
    const codeGuesses = h.app.locker.throttleStatus().code.failuresLastHour;
    expect(await h.keys('12345678#')).toEqual(['That code is not valid or its parcels were already collected. Check it and try again.']);
    expect(h.app.locker.throttleStatus().code.failuresLastHour).toBe(codeGuesses + 1);
    expect(await h.keys(`${code}#`)).toEqual(['Unit 101: 2 parcel(s) on D-1, D-2. Press # for the resident to sign. Press * to cancel.']);
    expect(h.app.kiosk.lastScreen.panel).toMatchObject({ kind: 'parcels', unit: '101', collectors: [] });
    expect(await h.keys('#')).toEqual(['Please sign below to confirm you received 2 parcel(s).']);
    expect(h.app.kiosk.lastScreen.panel).toMatchObject({ kind: 'signature', statement: STATEMENT, pad: { width: 1000, height: 300 } });
    // Drawing sends nothing until Done: the pad's session outlasts the kiosk's usual one.
    expect(h.app.kiosk.lastScreen.countdown).toMatchObject({ kind: 'session' });
    const left = h.app.kiosk.lastScreen.countdown!.endsAt - Date.now();
    expect(left).toBeGreaterThan(h.app.config.kiosk.sessionTimeoutMs);
    expect(left).toBeLessThanOrEqual(SIGNING_MS);

    // An empty signature and a dot: refused, nothing changed, still asking.
    await h.app.kiosk.sign({ strokes: [] });
    expect(h.app.kiosk.lastDisplay?.text).toBe('The signature was not accepted: the signature is empty: the resident signs on the pad. Please sign again.');
    await h.app.kiosk.sign({ strokes: [[[5, 5], [6, 6], [5, 6], [6, 5], [5, 5], [6, 6], [5, 6], [6, 5]]] });
    expect(h.app.kiosk.lastDisplay?.text).toContain('too small');
    expect(h.app.kiosk.state).toBe('desk_sign');
    expect(events('parcel.picked_up')).toHaveLength(0);

    await h.app.kiosk.sign({ strokes: STROKES });
    expect(h.app.kiosk.lastDisplay?.text).toBe('Signed: 2 parcel(s) handed over for unit 101.');
    expect(h.app.kiosk.state).toBe('desk_menu');
    const picked = events('parcel.picked_up');
    expect(picked).toHaveLength(2);
    const signatureId = picked[0]!.signatureId as number;
    expect(picked.every((e) => e.signatureId === signatureId && e.collector === null && e.compartmentId === 'DESK')).toBe(true);
    const sig = h.app.ledger.signatures.get(signatureId)!;
    expect(sig).toMatchObject({ desk: 'DESK', staffId: 'staff-demo', unit: '101', collector: null, statement: STATEMENT });
    expect(sig.path).toMatch(/^M100 100l20 80 20 -80/);
    expect(signatureHash(sig)).toBe(sig.sha256);
    for (const e of picked) expect(h.app.ledger.parcels.get(e.parcelId as string)).toMatchObject({ state: 'picked_up', signatureId });
    // Neither the code nor the signature's path reaches the log.
    expect(logs.text()).not.toContain(code);
    expect(logs.text()).not.toContain(sig.path);
    // The code is used: keyed again, nothing waits.
    await h.keys('2#');
    expect(await h.keys(`${code}#`)).toEqual(['That code is not valid or its parcels were already collected. Check it and try again.']);
    expectEventsValid();
  });

  it('logs staff in by badge, skips the unit upstream announced, and refuses a resident\'s QR at the welcome screen', async () => {
    await h.stop();
    const badge = randomToken();
    h = await LockerHarness.start(deskConfig(dir, { staff: [{ id: 'staff-demo', name: 'Demo staff', pin: '9999', badge }] }), logs.log);
    expect(await h.scan(`LKB1/${badge}`)).toEqual([MENU]);
    h.app.ledger.transaction(() => h.app.ledger.expectedDeliveries.upsert('1Z999AA10123456784', '103', Date.now() + 86_400_000, Date.now()));
    await h.keys('1#');
    expect(await h.scan('1Z999AA10123456784')).toEqual(["Parcel for unit 103. Put it on D-1 and press #, or key another place's number and #, or scan its label. Press * to go back."]);
    await h.keys('#**');
    const { pickupQr } = events('parcel.deposited')[0]! as { pickupQr: string };
    expect(await h.scan(pickupQr)).toEqual(['This desk is run by staff: only staff log in here. Ask at the desk.']);
    expect(h.app.kiosk.state).toBe('idle');
    // Staff scan it at the code prompt: the parcels are listed.
    await h.keys('9999#2#');
    expect(await h.scan(pickupQr)).toEqual(['Unit 103: 1 parcel(s) on D-1. Press # for the resident to sign. Press * to cancel.']);
  });

  it('lets staff choose an authorised collector, recorded with the parcel and in the signed record', async () => {
    await h.keys('9999#1#');
    await h.scan('1Z999AA10123456784');
    await h.keys('103##*');
    const { parcelId, code } = events('parcel.deposited')[0]! as { parcelId: string; code: string };
    h.app.ledger.transaction(() => h.app.ledger.authorisations.add({ id: 'auth-1', unit: '103', collector: 'Sam Lee', parcelId: null, createdAt: Date.now(), expiresAt: Date.now() + 86_400_000 }));
    await h.keys(`2#${code}#`);
    expect(h.app.kiosk.lastScreen.panel).toMatchObject({ kind: 'parcels', collectors: [{ number: 1, name: 'Sam Lee' }] });
    expect(h.app.kiosk.lastScreen.choices.map((c) => c.label)).toContain('Collected by someone else');
    expect(await h.keys('1#')).toEqual(['Collected by Sam Lee for unit 103: 1 parcel(s) on D-1. Press # to sign. Press * to cancel.']);
    await h.keys('#');
    expect(h.app.kiosk.lastScreen.panel).toMatchObject({ kind: 'signature', collector: 'Sam Lee' });
    await h.app.kiosk.sign({ strokes: STROKES });
    expect(h.app.ledger.parcels.get(parcelId)).toMatchObject({ state: 'picked_up', collector: 'Sam Lee' });
    const sig = h.app.ledger.signatures.get(h.app.ledger.parcels.get(parcelId)!.signatureId!)!;
    expect(sig.collector).toBe('Sam Lee');
    expect(signatureHash(sig)).toBe(sig.sha256);
    expect(h.app.ledger.authorisations.get('auth-1')!.usedAt).not.toBeNull();
    expect(events('parcel.picked_up')[0]).toMatchObject({ collector: 'Sam Lee' });
    expectEventsValid();
  });

  it('hands a collector authorised for one parcel that parcel only', async () => {
    await h.keys('9999#1#');
    await h.scan('1Z999AA10123456784');
    await h.keys('104##');
    await h.scan('TEST00000005');
    await h.keys('104##*');
    const [first, second] = events('parcel.deposited') as { parcelId: string; code?: string }[];
    h.app.ledger.transaction(() => h.app.ledger.authorisations.add({ id: 'auth-2', unit: '104', collector: 'Jo Kim', parcelId: second!.parcelId, createdAt: Date.now(), expiresAt: Date.now() + 86_400_000 }));
    await h.keys(`2#${first!.code}#`);
    expect(await h.keys('1#')).toEqual(['Collected by Jo Kim for unit 104: 1 parcel(s) on D-2. Press # to sign. Press * to cancel.']);
    await h.keys('#');
    await h.app.kiosk.sign({ strokes: STROKES });
    expect(h.app.ledger.parcels.get(second!.parcelId)).toMatchObject({ state: 'picked_up', collector: 'Jo Kim' });
    expect(h.app.ledger.parcels.get(first!.parcelId)).toMatchObject({ state: 'deposited', collector: null });
    // The code still covers the first parcel.
    await h.keys(`2#${first!.code}#`);
    expect(h.app.kiosk.lastDisplay?.text).toBe('Unit 104: 1 parcel(s) on D-1. Press # for the resident to sign. Press * to cancel.');
  });
});

describe('a locker station with parcels at the front desk', () => {
  it('tells the resident how many wait at the desk, and opens nothing for them', async () => {
    const { dir, cleanup } = tempDir();
    const logs = captureLogger();
    const config = testConfig(dir, { desks: [{ id: 'DESK', statement: DESK_STATEMENT, places: [{ id: 'D-1', capacity: 5, size: 'XL' }] }] } as never);
    const h = await LockerHarness.start(config, logs.log);
    try {
      const { ledger } = h.app;
      const at = Date.now();
      const recorded = ledger.transaction(() => {
        ledger.parcels.reserve({ id: '01935c1e-7c2a-7000-8000-0000000000a1', unit: '101', size: 'M', compartmentId: 'DESK', carrier: 'UPS', tracking: 'T1', courierId: null, reservedAt: at, placeId: 'D-1' });
        return recordDeposit(ledger, config, { parcel: ledger.parcels.get('01935c1e-7c2a-7000-8000-0000000000a1')!, compartmentId: 'DESK', size: 'M', at, actor: 'test', detail: {} });
      });
      const code = (ledger.outbox.list({ limit: 10 }).find((e) => e.type === 'parcel.deposited')!.data as { code: string }).code;
      expect(recorded.newCode).toBe(true);
      expect(await h.keys(`${code}#`)).toEqual(['1 parcel(s) wait at the front desk: collect them there.']);
      expect(h.app.ledger.doorOperations.activeFor('A01')).toEqual([]);
      expect(h.app.ledger.parcels.get('01935c1e-7c2a-7000-8000-0000000000a1')!.state).toBe('deposited');
    } finally {
      await h.stop();
      cleanup();
    }
  });
});
