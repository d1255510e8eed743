/**
 * Holds that end, walked on the simulated locker with a simulated clock: reminders at their
 * offsets, the end of the hold, a code that stops (config) and the kiosk sending the resident to
 * the office, `parcel.extend_hold` reviving it, restarts in the middle, and clocks set back and
 * forward. Both clocks are simulated: the wall clock (`now`) and the monotonic one no clock setting
 * moves; time passing moves both, a clock setting moves only the wall clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/lockerctl.js';
import type { LockerdConfig } from '../../src/config/types.js';
import { LockerAdministration } from '../../src/locker/administration.js';
import { HoldClock } from '../../src/locker/hold-clock.js';
import { validators } from '../../src/sync/validate.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SETTLE = HoldClock.SETTLE_MS + MINUTE;

const CONTACT_OFFICE = 'Your parcel was kept past its pickup date and this code no longer opens it. Please contact the office.';

describe('holds that end, on the simulated locker', () => {
  let dir: string;
  let cleanup: () => void;
  let logs: ReturnType<typeof captureLogger>;
  let h: LockerHarness;
  let config: LockerdConfig;
  let wall: number;
  let mono: number;
  const now = () => wall;
  const monotonic = () => mono;
  /** Time passes: both clocks move. */
  const pass = (ms: number) => {
    wall += ms;
    mono += ms;
  };

  const boot = async (): Promise<LockerHarness> => (h = await LockerHarness.start(config, logs.log, now, { monotonic, controlSocket: true }));
  const events = (type?: string) => h.app.ledger.outbox.list({ limit: 10_000 }).filter((e) => type === undefined || e.type === type);
  const admin = () => new LockerAdministration(h.app.ledger, h.app.config, now);

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    logs = captureLogger();
    wall = Date.parse('2026-11-25T10:00:00Z');
    mono = 1_000;
    config = testConfig(dir, { holds: { length: '3d', lengthBySize: { XL: '2d' }, reminders: [{ after: '1d' }, { before: '12h' }], atEnd: 'code_stops' } });
    await boot();
  });

  afterEach(async () => {
    try {
      // Every event written for upstream is valid against the contract.
      for (const e of events()) expect(validators.eventData.get(e.type)!(e.data), e.type).toBe(true);
    } finally {
      await h.stop();
      cleanup();
    }
  });

  it('reminds at the offsets, ends the hold, stops the code (not a wrong code), and extend_hold revives it', async () => {
    const compartment = await h.deposit({ unit: '101' });
    const code = h.latestCode();
    const qr = events('parcel.deposited')[0]!.data.pickupQr as string;
    const parcel = h.app.ledger.parcels.list()[0]!;
    expect(parcel.expiresAt).toBe(parcel.depositedAt! + 3 * DAY);

    pass(SETTLE);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 0, expired: 0 });
    pass(DAY - SETTLE - MINUTE);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 0, expired: 0 });
    pass(2 * MINUTE);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 1, expired: 0 });
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 0, expired: 0 });
    pass(1.5 * DAY);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 1, expired: 0 });
    expect(events('parcel.reminder_due').map((e) => e.data)).toEqual([
      { parcelId: parcel.id, compartmentId: compartment, unit: '101', reminder: 1, dueAt: new Date(parcel.depositedAt! + DAY).toISOString(), expiresAt: new Date(parcel.expiresAt!).toISOString(), codeStopsAtEnd: true },
      { parcelId: parcel.id, compartmentId: compartment, unit: '101', reminder: 2, dueAt: new Date(parcel.expiresAt! - 12 * HOUR).toISOString(), expiresAt: new Date(parcel.expiresAt!).toISOString(), codeStopsAtEnd: true },
    ]);

    // The hold ends: keying the code a moment later ends it at once (no need to wait for the
    // minute's check), and the kiosk sends the resident to the office.
    pass(12 * HOUR);
    expect(await h.keys(`${code}#`)).toEqual([CONTACT_OFFICE]);
    expect(await h.scan(qr)).toEqual([CONTACT_OFFICE]);
    expect(events('parcel.hold_expired').map((e) => e.data)).toEqual([{ parcelId: parcel.id, compartmentId: compartment, unit: '101', expiresAt: new Date(parcel.expiresAt!).toISOString(), codeStopped: true }]);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 0, expired: 0 });
    // Not a wrong code: the throttle counted nothing, and the refusal is audited as what it is.
    expect(h.app.locker.throttleStatus().code.failuresLastDay).toBe(0);
    const actions = h.app.ledger.audit.recent(20).map((a) => a.action);
    expect(actions).toContain('pickup.hold_ended');
    expect(actions).not.toContain('pickup.code_rejected');
    expect(actions).not.toContain('pickup.qr_rejected');
    // Still inside: deposited, occupying its compartment, no door opened.
    expect(h.app.ledger.parcels.get(parcel.id)!.state).toBe('deposited');
    expect(h.app.locker.openDoors()).toEqual([]);
    expect(h.app.ledger.compartments.free().map((c) => c.id)).not.toContain(compartment);
    expect(h.app.ledger.compartments.withOccupancy().find((c) => c.id === compartment)!.parcelId).toBe(parcel.id);
    expect(h.app.locker.expiredParcels()).toEqual([
      expect.objectContaining({ parcelId: parcel.id, unit: '101', compartmentId: compartment, expiresAt: parcel.expiresAt, overdueMs: wall - parcel.expiresAt!, codeStopped: true }),
    ]);

    // lockerctl parcels --state expired lists it, with how long past the hold.
    pass(2 * HOUR);
    let out = '';
    expect(await run(['--socket', config.control.socketPath, 'parcels', '--state', 'expired'], (s) => (out += s), (s) => (out += s))).toBe(0);
    expect(out).toContain(parcel.id);
    expect(out).toMatch(new RegExp(`${compartment}\\s.*\\s2h\\d*m?\\s+true`));
    out = '';
    await run(['--socket', config.control.socketPath, '--json', 'parcels', '--state', 'expired'], (s) => (out += s), (s) => (out += s));
    expect(JSON.parse(out)).toEqual([expect.objectContaining({ id: parcel.id, state: 'expired', unit: '101', compartmentId: compartment, codeStopped: true })]);
    expect((JSON.parse(out) as { overdueSeconds: number }[])[0]!.overdueSeconds).toBeGreaterThanOrEqual(2 * 3600);

    // Upstream extends the hold: the code opens it again, and only the reminders still ahead of
    // the extension come (the "after 1d" one lies behind it, "12h before the end" ahead).
    admin().extendHold(parcel.id, wall + DAY, 'remote:x1', 'x1');
    expect(h.app.locker.expiredParcels()).toEqual([]);
    pass(MINUTE);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 0, expired: 0 });
    pass(12 * HOUR);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 1, expired: 0 });
    expect(events('parcel.reminder_due').map((e) => e.data.reminder)).toEqual([1, 2, 2]);
    expect(await h.keys(`${code}#`)).toEqual([`Door ${compartment} is open. Take your parcel and close the door.`]);
    expect(await h.door(compartment, false)).toEqual(['Thank you. All your parcels are collected.']);
    expect(h.app.ledger.parcels.get(parcel.id)!.state).toBe('picked_up');
  });

  it('holds parcels in compartments of a size for that size\'s length', async () => {
    const xl = await h.deposit({ unit: '202', size: '4' });
    const p = h.app.ledger.parcels.list().find((x) => x.compartmentId === xl)!;
    expect(h.app.ledger.compartments.get(xl)!.size).toBe('XL');
    expect(p.expiresAt! - p.depositedAt!).toBe(2 * DAY);
    expect(events('parcel.deposited')[0]!.data.expiresAt).toBe(new Date(p.expiresAt!).toISOString());
  });

  it('with code_keeps_working, the end is reported and the code still opens the parcel', async () => {
    await h.stop();
    config = testConfig(dir, { holds: { length: '2h' } });
    await boot();
    const compartment = await h.deposit({ unit: '101' });
    const code = h.latestCode();
    pass(2 * HOUR + MINUTE);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 0, expired: 1 });
    expect(events('parcel.hold_expired')[0]!.data.codeStopped).toBe(false);
    expect(h.app.locker.expiredParcels()[0]).toMatchObject({ compartmentId: compartment, codeStopped: false });
    expect(await h.keys(`${code}#`)).toEqual([`Door ${compartment} is open. Take your parcel and close the door.`]);
    await h.door(compartment, false);
    expect(h.app.locker.expiredParcels()).toEqual([]);
  });

  it('opens the parcels still held and sends the resident to the office for the rest', async () => {
    const first = await h.deposit({ unit: '303' });
    const code = h.latestCode();
    pass(2 * DAY);
    const second = await h.deposit({ unit: '303', pin: '222222' });
    pass(DAY + MINUTE);
    expect(await h.keys(`${code}#`)).toEqual([
      `Door ${second} is open. Take your parcel and close the door.`,
      'Some of your parcels were kept past their pickup date: please contact the office for them.',
    ]);
    expect(await h.door(second, false)).toEqual(['Thank you. For your other parcels, please contact the office.']);
    expect(h.app.locker.expiredParcels().map((p) => p.compartmentId)).toEqual([first]);
    // The code still covers the parcel left inside, so an extension makes it open that one too.
    expect(h.app.ledger.codes.liveForUnit('303')).toBeDefined();
  });

  it('survives restarts in the middle: nothing sent twice, nothing missed', async () => {
    await h.deposit({ unit: '101' });
    const parcel = h.app.ledger.parcels.list()[0]!;
    pass(DAY + MINUTE);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 1, expired: 0 });

    // Restart at once: nothing is sent again.
    await h.stop();
    await boot();
    pass(SETTLE);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 0, expired: 0 });

    // Down while the second reminder falls due: it is sent after the next start (once the clock
    // has run steadily), once.
    await h.stop();
    pass(1.6 * DAY);
    await boot();
    expect(h.app.locker.checkHolds()).toMatchObject({ reminded: 0, expired: 0, waitingForClockMs: expect.any(Number) });
    pass(SETTLE);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 1, expired: 0 });
    expect(events('parcel.reminder_due').map((e) => e.data.reminder)).toEqual([1, 2]);

    // Down across the end of the hold: the start's check ends it (and the timer runs it without
    // anyone calling checkHolds).
    await h.stop();
    pass(2 * DAY);
    await boot();
    // The start's check found it due, and waits for the clock to run steadily.
    expect(events('parcel.hold_expired')).toEqual([]);
    expect(logs.text()).toContain('holds are due; waiting for the clock to run steadily');
    pass(SETTLE);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 0, expired: 1 });
    await h.stop();
    await boot();
    pass(SETTLE);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 0, expired: 0 });
    expect(events().map((e) => e.type).filter((t) => t !== 'parcel.deposited')).toEqual(['parcel.reminder_due', 'parcel.reminder_due', 'parcel.hold_expired']);
    expect(h.app.locker.expiredParcels().map((p) => p.parcelId)).toEqual([parcel.id]);
  });

  it('a reminder missed with the next one during an outage: only the latest is sent', async () => {
    await h.deposit({ unit: '101' });
    await h.stop();
    pass(2.6 * DAY);
    await boot();
    pass(SETTLE);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 1, expired: 0 });
    expect(events('parcel.reminder_due').map((e) => e.data.reminder)).toEqual([2]);
  });

  it('a clock set back sends no reminder twice and revives no hold', async () => {
    const compartment = await h.deposit({ unit: '101' });
    const code = h.latestCode();
    pass(DAY + 2 * MINUTE);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 1, expired: 0 });
    // Set back by a minute past the reminder's time... and, across a restart, by more.
    wall -= 90_000;
    pass(MINUTE);
    expect(h.app.locker.checkHolds()).toMatchObject({ reminded: 0, expired: 0, waitingForClockMs: expect.any(Number) });
    pass(SETTLE);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 0, expired: 0 });
    await h.stop();
    wall -= 3 * HOUR;
    await boot();
    pass(SETTLE);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 0, expired: 0 });

    // The end of the hold comes before the second reminder was checked for: it supersedes it.
    pass(2 * DAY + 3 * HOUR);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 0, expired: 1 });
    wall -= 2 * DAY;
    pass(MINUTE);
    h.app.locker.checkHolds();
    pass(SETTLE);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 0, expired: 0 });
    expect(await h.keys(`${code}#`)).toEqual([CONTACT_OFFICE]);
    expect(h.app.locker.expiredParcels().map((p) => p.compartmentId)).toEqual([compartment]);
    expect(events('parcel.reminder_due').map((e) => e.data.reminder)).toEqual([1]);
    expect(events('parcel.hold_expired')).toHaveLength(1);
  });

  it('a clock set forward by mistake, then put right, ends no hold and sends no reminder', async () => {
    const compartment = await h.deposit({ unit: '101' });
    const code = h.latestCode();
    pass(SETTLE);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 0, expired: 0 });

    // During a run: the clock jumps 5 days ahead; NTP puts it right 3 minutes later.
    wall += 5 * DAY;
    pass(MINUTE);
    expect(h.app.locker.checkHolds()).toMatchObject({ reminded: 0, expired: 0, waitingForClockMs: expect.any(Number) });
    pass(2 * MINUTE);
    expect(h.app.locker.expiredParcels()).toEqual([]);
    wall -= 5 * DAY;
    pass(MINUTE);
    expect(h.app.locker.checkHolds()).toMatchObject({ reminded: 0, expired: 0, waitingForClockMs: expect.any(Number) });
    pass(SETTLE);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 0, expired: 0 });
    expect(logs.text()).toContain('the wall clock stepped');

    // At boot: a Pi without RTC starts 5 days ahead, NTP corrects it 5 minutes later.
    await h.stop();
    wall += 5 * DAY;
    await boot();
    pass(5 * MINUTE);
    expect(h.app.locker.checkHolds()).toMatchObject({ reminded: 0, expired: 0 });
    wall -= 5 * DAY;
    pass(MINUTE);
    expect(h.app.locker.checkHolds()).toMatchObject({ reminded: 0, expired: 0, waitingForClockMs: expect.any(Number) });
    pass(SETTLE);
    expect(h.app.locker.checkHolds()).toEqual({ reminded: 0, expired: 0 });
    expect(events('parcel.reminder_due')).toEqual([]);
    expect(events('parcel.hold_expired')).toEqual([]);
    expect(await h.keys(`${code}#`)).toEqual([`Door ${compartment} is open. Take your parcel and close the door.`]);
  });
});
