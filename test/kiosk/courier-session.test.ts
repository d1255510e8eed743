/**
 * A resident who keys their code (or a courier their PIN) into a courier session that is still
 * open (it lasts until the session timeout) leaks nothing: no log line, no audit row and no
 * screen text carries the digits. An entry of exactly the code's length is taken for what it most
 * likely is, a code, and the kiosk says how to end the session. And the keypad's wording.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

const SESSION_OPEN = 'A courier session is open: press * to end it.';

describe('keyed entries during a courier session', () => {
  let h: LockerHarness;
  let cleanup: () => void;
  let logs: ReturnType<typeof captureLogger>;
  let code: string;

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    logs = captureLogger('debug');
    h = await LockerHarness.start(testConfig(dir), logs.log);
    await h.deposit({ unit: '101' });
    code = h.latestCode();
  });

  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  /** Everything the kiosk said, audited or logged since `from` (an audit id): none may hold `secret`. */
  const expectNoTrace = (secret: string, fromAudit: number, fromDisplay: number): void => {
    const audit = h.app.ledger.audit.recent(1000).filter((a) => a.id > fromAudit);
    expect(JSON.stringify(audit)).not.toContain(secret);
    expect(h.displays.slice(fromDisplay).map((d) => d.text).join('\n')).not.toContain(secret);
    expect(logs.text()).not.toContain(secret);
  };
  const lastAuditId = (): number => h.app.ledger.audit.recent(1)[0]!.id;

  it('at "scan a parcel", takes a code-length entry for a code: says so, records nothing, and * ends the session', async () => {
    await h.keys('222222#');
    expect(h.app.kiosk.state).toBe('courier_scan');
    const audit = lastAuditId();
    const shown = h.displays.length;
    expect(await h.keys(`${code}#`)).toEqual([SESSION_OPEN]);
    expect(h.app.kiosk.state).toBe('courier_scan');
    expect(lastAuditId()).toBe(audit); // not even a refusal row
    expectNoTrace(code, audit, shown);
    expect(await h.keys('*')).toEqual(['Logged out. Thank you.']);
    expect(await h.keys(`${code}#`)).toEqual(['Door A01 is open. Take your parcel and close the door.']);
  });

  it('at "key the unit", takes a code-length entry for a code, and one * ends the session', async () => {
    await h.keys('222222#');
    await h.scan('1Z999AA10123456784');
    expect(h.app.kiosk.state).toBe('courier_unit');
    const audit = lastAuditId();
    const shown = h.displays.length;
    expect(await h.keys(`${code}#`)).toEqual([SESSION_OPEN]);
    expect(lastAuditId()).toBe(audit);
    expectNoTrace(code, audit, shown);
    expect(await h.keys('*')).toEqual(['Logged out. Thank you.']);
    expect(h.app.kiosk.state).toBe('idle');
  });

  it('takes a pickup QR shown to a courier session the same way', async () => {
    const qr = h.app.ledger.outbox.list({ limit: 100 }).find((e) => e.type === 'parcel.deposited')!.data.pickupQr as string;
    await h.keys('222222#');
    await h.scan('1Z999AA10123456784');
    expect(await h.scan(qr)).toEqual([SESSION_OPEN]);
    expect(await h.keys('*')).toEqual(['Logged out. Thank you.']);
    expect(await h.scan(qr)).toEqual(['Door A01 is open. Take your parcel and close the door.']);
  });

  it('at "choose a size", too', async () => {
    await h.keys('222222#');
    await h.scan('1Z999AA10123456784');
    await h.keys('101#');
    expect(h.app.kiosk.state).toBe('courier_size');
    const audit = lastAuditId();
    const shown = h.displays.length;
    expect(await h.keys(`${code}#`)).toEqual([SESSION_OPEN]);
    expectNoTrace(code, audit, shown);
    expect(h.app.locker.openDoors()).toEqual([]);
  });

  it('still takes an existing unit whose number has the code length as that unit', async () => {
    h.app.ledger.transaction(() => h.app.ledger.people.upsertUnit({ id: '12345678', accessible: false }, 'remote'));
    await h.keys('222222#');
    await h.scan('1Z999AA10123456784');
    expect(await h.keys('12345678#')).toEqual([expect.stringContaining('Size: 1 = S')]);
  });

  it('refuses a PIN keyed as a unit by its length and a reason, never its digits, on screen, in the audit or the log', async () => {
    await h.keys('222222#');
    await h.scan('1Z999AA10123456784');
    const audit = lastAuditId();
    const shown = h.displays.length;
    // Another courier's PIN (USPS, 333333), keyed at the unit prompt.
    expect(await h.keys('333333#')).toEqual(['That unit number does not exist. Key the unit number again.']);
    expect(h.app.ledger.audit.recent(1)[0]).toMatchObject({ action: 'deposit.unit_unknown', actor: 'courier:fedex-demo', detail: { length: 6, reason: 'no such unit' } });
    expect(await h.keys('12AB#')).toEqual(['That unit number does not exist. Key the unit number again.']);
    expect(h.app.ledger.audit.recent(1)[0]!.detail).toEqual({ length: 4, reason: 'not a unit number' });
    expectNoTrace('333333', audit, shown);
    expect(h.app.kiosk.state).toBe('courier_unit');
  });

  it('logs a keyed number that is no tracking number, or fails its check digit, by its length only', async () => {
    await h.keys('222222#');
    const audit = lastAuditId();
    const shown = h.displays.length;
    expect(await h.keys('333333#')).toEqual(['That is not a tracking number. Key the number under the barcode and press #.']);
    expect(await h.keys('9101026837331000039522#')).toEqual(['That tracking number does not check out. Key it again.']);
    expectNoTrace('333333', audit, shown);
    expectNoTrace('9101026837331000039522', audit, shown);
    expect(logs.text()).toContain('"length":22');
  });
});

describe('wording at the keypad', () => {
  let h: LockerHarness;
  let cleanup: () => void;

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    h = await LockerHarness.start(testConfig(dir), captureLogger('info').log);
  });

  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  it('answers a code-length entry that matches nothing, and a used code, with both causes', async () => {
    expect(await h.keys('12345678#')).toEqual(['That code is not valid or its parcel was already collected. Check it and try again.']);
    await h.deposit({ unit: '101' });
    const code = h.latestCode();
    await h.keys(`${code}#`);
    await h.door('A01', false);
    expect(await h.keys(`${code}#`)).toEqual(['That code is not valid or its parcel was already collected. Check it and try again.']);
  });

  it('never accuses a resident of typing a PIN: another length says what a code looks like', async () => {
    // A code with a digit missing, one too many, a wrong PIN, letters: all the same answer.
    for (const entry of ['1234567', '123456789', '999999', '12A4']) {
      expect(await h.keys(`${entry}#`)).toEqual(['That code or PIN is not valid. Codes have 8 digits.']);
    }
  });
});
