/**
 * `staff.set` and `staff.remove` from upstream, through the real command inbox into the real app:
 * a staff member set upstream logs in at the keypad, one removed no longer does; a PIN the
 * keypad could mistake for a code, or that someone else has, is refused with a reason that never
 * echoes it, and changes nothing. No PIN reaches an ack, the audit trail or the log.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomToken } from '../../src/barcode/token.js';
import { LockerAdministration } from '../../src/locker/administration.js';
import { CommandInbox, type Ack } from '../../src/sync/command-inbox.js';
import { validators } from '../../src/sync/validate.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

describe('staff.set and staff.remove', () => {
  let h: LockerHarness;
  let cleanup: () => void;
  let logs: ReturnType<typeof captureLogger>;
  let acks: Ack[];
  let inbox: CommandInbox;
  let n = 0;

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
    for (const a of acks) expect(validators.ack(a) ? null : validators.ack.errors).toBeNull();
    await h.stop();
    cleanup();
  });

  async function send(type: string, data: Record<string, unknown>): Promise<Ack> {
    const id = `c-${++n}`;
    await inbox.handle(Buffer.from(JSON.stringify({ id, type, issuedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString(), data })));
    const ack = acks.filter((a) => a.commandId === id).at(-1);
    if (!ack) throw new Error(`no ack for ${id}`);
    return ack;
  }

  const staffRows = () => h.app.ledger.db.prepare('SELECT * FROM staff ORDER BY id').all() as Record<string, unknown>[];
  const MENU_OF = (name: string) => `Staff menu, ${name}. 1 = open a compartment, 2 = recall parcels (0 past their hold), 3 = audit walk, 4 = in or out of service, 5 = reset the keypad throttle. * = log out.`;

  it('sets a staff member who then logs in by PIN and badge; removes them, and their PIN is wrong again', async () => {
    const badge = randomToken();
    expect(await send('staff.set', { staffId: 'porter-1', name: 'Sam', pin: '13579', badge })).toMatchObject({ status: 'done' });
    const row = staffRows().find((r) => r.id === 'porter-1')!;
    expect(row).toMatchObject({ name: 'Sam', active: 1, source: 'remote' });
    expect((row.pin_hash as Buffer).equals(h.app.ledger.hasher.hash('pin', '13579'))).toBe(true);
    expect(JSON.stringify(staffRows())).not.toContain('13579');

    expect(await h.keys('13579#')).toEqual([MENU_OF('Sam')]);
    await h.keys('*');
    expect(await h.scan(`LKB1/${badge}`)).toEqual([MENU_OF('Sam')]);
    await h.keys('*');

    expect(await send('staff.remove', { staffId: 'porter-1' })).toMatchObject({ status: 'done' });
    expect(await h.keys('13579#')).toEqual(['That code or PIN is not valid. Codes have 8 digits.']);
    expect(await send('staff.remove', { staffId: 'porter-1' })).toMatchObject({ status: 'rejected', reason: 'staff member porter-1 does not exist' });

    const audited = h.app.ledger.audit.recent(100).filter((a) => a.action.startsWith('staff.'));
    expect(audited.map((a) => [a.action, a.actor]).reverse()).toEqual([
      ['staff.set', 'remote:c-1'], ['staff.logged_in', 'staff:porter-1'], ['staff.logged_out', 'staff:porter-1'], ['staff.logged_in', 'staff:porter-1'], ['staff.logged_out', 'staff:porter-1'], ['staff.removed', 'remote:c-2'],
    ]);
    const everything = JSON.stringify({ acks, audit: h.app.ledger.audit.recent(1000), outbox: h.app.ledger.outbox.list({ limit: 1000 }) }) + logs.text();
    expect(everything).not.toContain('13579');
    expect(everything).not.toContain(badge);
  });

  it('refuses a PIN of the codes\' length, a courier\'s or another staff member\'s, and a badge that never scans, without echoing them', async () => {
    const before = staffRows();
    const refused = [
      [{ staffId: 'x', pin: '12345678' }, 'a staff PIN must not have 8 digits: that is the length of retrieval codes'],
      [{ staffId: 'x', pin: '111111' }, 'a courier already has this PIN; choose another'],
      [{ staffId: 'x', pin: '9999' }, 'another staff member already has this PIN; choose another'],
      [{ staffId: 'x', pin: '24680', badge: `${randomToken().slice(0, 25)}B` }, expect.stringMatching(/^the badge token would never scan/)],
    ] as const;
    for (const [data, reason] of refused) {
      const ack = await send('staff.set', data);
      expect(ack).toMatchObject({ status: 'rejected', reason });
      expect(ack.reason).not.toContain(data.pin);
    }
    // Malformed: refused by the contract's schema, naming the field, not its value.
    const bad = await send('staff.set', { staffId: 'x', pin: '12a4' });
    expect(bad).toMatchObject({ status: 'rejected' });
    expect(bad.reason).toMatch(/^data\.pin must match pattern/);
    expect(bad.reason).not.toContain('12a4');
    expect(staffRows()).toEqual(before);
    expect(logs.text()).not.toContain('12345678');
    // A courier cannot take a staff member's PIN either.
    expect(await send('courier.set', { courierId: 'dhl-9', carrier: 'DHL', pin: '9999' })).toMatchObject({ status: 'rejected', reason: 'a staff member already has this PIN; choose another' });
  });
});
