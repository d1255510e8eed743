/**
 * `courier.set` from upstream: a badge token the kiosk's scanner would never read (26 base32
 * characters that are not the canonical spelling of 128 bits) is refused with a reason that does
 * not echo it, and changes nothing; a canonical one logs the courier in when scanned.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseBadge } from '../../src/barcode/badge.js';
import { randomToken } from '../../src/barcode/token.js';
import { LockerAdministration } from '../../src/locker/administration.js';
import { CommandInbox, type Ack } from '../../src/sync/command-inbox.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

describe('courier.set and badge tokens', () => {
  let h: LockerHarness;
  let cleanup: () => void;
  let logs: ReturnType<typeof captureLogger>;
  let acks: Ack[];
  let inbox: CommandInbox;

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    logs = captureLogger('debug');
    h = await LockerHarness.start(testConfig(dir), logs.log);
    const { ledger, config } = h.app;
    acks = [];
    inbox = new CommandInbox({ ledger, locker: h.app.locker, admin: new LockerAdministration(ledger, config), config, log: logs.log, sendAck: (a) => acks.push(a) });
  });

  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  const courierSet = (id: string, badge: string): Buffer =>
    Buffer.from(JSON.stringify({ id, type: 'courier.set', issuedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString(), data: { courierId: 'dhl-7', carrier: 'DHL', pin: '480213', badge } }));

  it('refuses a token that can never scan, without echoing it, and changes nothing', async () => {
    // 26 base32 characters, but the last one carries non-zero spare bits: no 128-bit value spells it.
    const bad = `${randomToken().slice(0, 25)}B`;
    expect(parseBadge(`LKB1/${bad}`)).toBeNull(); // what the scanner makes of it
    const couriers = () => h.app.ledger.db.prepare('SELECT count(*) AS n FROM couriers').get();
    const before = couriers();
    await inbox.handle(courierSet('c-bad', bad));
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({ commandId: 'c-bad', status: 'rejected' });
    expect(acks[0]!.reason).toMatch(/^the badge token would never scan: it must be 26 characters of canonical RFC 4648 base32/);
    expect(acks[0]!.reason).not.toContain(bad);
    expect(couriers()).toEqual(before);
    expect(h.app.ledger.commands.seen('c-bad')).toBe('rejected');
    expect(JSON.stringify(h.app.ledger.audit.recent(100))).not.toContain(bad);
    expect(logs.text()).not.toContain(bad);
  });

  it('takes a canonical token, which then logs the courier in', async () => {
    const good = randomToken();
    await inbox.handle(courierSet('c-good', good));
    expect(acks.map((a) => a.status)).toEqual(['done']);
    expect(await h.scan(`LKB1/${good}`)).toEqual(['Hello DHL. Scan a parcel, or press * to log out.']);
  });
});
