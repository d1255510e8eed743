/**
 * The self-test's verdicts: each check fails or warns on the facts that call for it, and says
 * what to do.
 */
import { describe, expect, it } from 'vitest';
import { judge, type SelfTestFacts, type Verdict } from '../../src/control/selftest.js';

const NOW = Date.parse('2026-11-25T18:00:00Z');
const MIB = 1024 * 1024;

function healthy(): SelfTestFacts {
  return {
    now: NOW,
    ledger: { quickCheck: 'ok', journalMode: 'wal', synchronous: 2, newestEntryAt: NOW - 1000 },
    ledgerFiles: [
      { path: '/var/lib/lockerd/ledger.db', mode: 0o600 },
      { path: '/var/lib/lockerd/ledger.db-wal', mode: 0o600 },
      { path: '/var/lib/lockerd/ledger.db-shm', mode: 0o600 },
    ],
    keyFile: { path: '/var/lib/lockerd/lockerd.key', mode: 0o100600 },
    diskFreeBytes: 4096 * MIB,
    boards: [{ board: 'B1', online: true, detail: '/dev/ttyUSB0 kerong-cu16 @0', errors: 0 }],
    inputs: [
      { name: 'scanner', kind: 'scanner', type: 'serial', online: true, detail: '/dev/ttyACM0', counters: {} },
      { name: 'keypad', kind: 'keypad', type: 'serial', online: true, detail: '/dev/ttyUSB1', counters: {} },
    ],
    upstream: { enabled: true, connected: true, unsent: 0, oldestUnsentAt: null },
    linkFindings: [],
    openDoors: [],
    leftOpenMs: 120_000,
    compartments: [{ id: 'A01', outOfService: null, occupied: false }, { id: 'A02', outOfService: null, occupied: true }],
    guessingWaitMs: 0,
    guessingSuspected: [],
    storage: { areas: 0, problems: [] },
    climate: null,
  };
}

const verdicts = (f: SelfTestFacts): Record<string, Verdict> => Object.fromEntries(judge(f).map((c) => [c.check, c.verdict]));
const detail = (f: SelfTestFacts, check: string): string => judge(f).find((c) => c.check === check)!.detail;

describe('self-test verdicts', () => {
  it('a healthy locker passes every check', () => {
    expect(Object.values(verdicts(healthy())).every((v) => v === 'ok')).toBe(true);
    expect(judge(healthy())).toHaveLength(13);
  });

  it('a damaged or misconfigured ledger fails', () => {
    const damaged = healthy();
    damaged.ledger.quickCheck = '*** in database main ***\nPage 7: btreeInitPage() returns error code 11';
    expect(verdicts(damaged).ledger).toBe('fail');
    expect(detail(damaged, 'ledger')).toMatch(/restore the ledger from a backup/);
    const notWal = healthy();
    notWal.ledger.journalMode = 'delete';
    expect(detail(notWal, 'ledger')).toBe('journal_mode=delete, synchronous=2: lockerd needs WAL and FULL; report this as a bug');
  });

  it('a ledger, WAL or -shm others can read fails, naming each and the chmod; 0640 for the service group passes', () => {
    const f = healthy();
    f.ledgerFiles[1]!.mode = 0o644;
    f.ledgerFiles[2]!.mode = 0o604;
    expect(verdicts(f)['ledger files']).toBe('fail');
    expect(detail(f, 'ledger files')).toBe(
      '/var/lib/lockerd/ledger.db-wal (mode 644), /var/lib/lockerd/ledger.db-shm (mode 604): others can read the codes not yet sent; ' +
        'chmod 600 /var/lib/lockerd/ledger.db-wal /var/lib/lockerd/ledger.db-shm',
    );
    const group = healthy();
    for (const file of group.ledgerFiles) file.mode = 0o640;
    expect(verdicts(group)['ledger files']).toBe('ok');
    const groupWrites = healthy();
    groupWrites.ledgerFiles[0]!.mode = 0o660;
    expect(verdicts(groupWrites)['ledger files']).toBe('fail');
  });

  it('a key file others can read, or none at all, fails', () => {
    const open = healthy();
    open.keyFile = { path: '/k', mode: 0o100640 };
    expect(detail(open, 'secret key')).toBe('/k has mode 640: others can read it; chmod 600 /k');
    const missing = healthy();
    missing.keyFile = { path: '/k', error: 'ENOENT' };
    expect(verdicts(missing)['secret key']).toBe('fail');
  });

  it('disk: a warning below 500 MiB, a failure below 50 MiB', () => {
    const f = healthy();
    f.diskFreeBytes = 400 * MIB;
    expect(verdicts(f).disk).toBe('warn');
    f.diskFreeBytes = 20 * MIB;
    expect(verdicts(f).disk).toBe('fail');
    expect(detail(f, 'disk')).toMatch(/^20 MiB free for the ledger: deposits will fail/);
  });

  it('a clock behind the ledger fails; a minute of slack is allowed', () => {
    const f = healthy();
    f.ledger.newestEntryAt = NOW + 30_000;
    expect(verdicts(f).clock).toBe('ok');
    f.ledger.newestEntryAt = NOW + 3 * 3_600_000;
    expect(verdicts(f).clock).toBe('fail');
    expect(detail(f, 'clock')).toBe("2026-11-25T18:00:00.000Z is 3 h before the ledger's newest entry: the clock went back (no RTC, no NTP?); hold times and remote commands depend on it");
  });

  it('an offline board fails and is named with its detail', () => {
    const f = healthy();
    f.boards.push({ board: 'B2', online: false, detail: 'no reply to kerong-cu16 status requests at address 1', errors: 12 });
    expect(verdicts(f)['lock boards']).toBe('fail');
    expect(detail(f, 'lock boards')).toContain('B2 (no reply to kerong-cu16 status requests at address 1)');
  });

  it('inputs: a scanner offline warns; no keypad online fails', () => {
    const f = healthy();
    f.inputs[0]!.online = false;
    expect(verdicts(f).inputs).toBe('warn');
    f.inputs[1]!.online = false;
    expect(verdicts(f).inputs).toBe('fail');
    expect(detail(f, 'inputs')).toMatch(/residents cannot key their codes/);
  });

  it('upstream: offline only warns (the locker works offline); a day-old backlog warns louder', () => {
    const f = healthy();
    f.upstream = { enabled: true, connected: false, unsent: 3, oldestUnsentAt: NOW - 600_000 };
    expect(verdicts(f).upstream).toBe('warn');
    expect(detail(f, 'upstream')).toBe('not connected (the locker works offline); 3 events waiting, oldest 10 min old; lockerctl mqtt check says why');
    f.upstream.oldestUnsentAt = NOW - 30 * 3_600_000;
    expect(detail(f, 'upstream')).toMatch(/oldest 30 h old: residents have not been told of those parcels/);
    f.upstream = { enabled: false, connected: false, unsent: 0, oldestUnsentAt: null };
    expect(verdicts(f).upstream).toBe('ok');
  });

  it('doors open past doors.leftOpenMs warn, compartments out of service or a full locker warn, a throttled keypad warns', () => {
    const f = healthy();
    f.openDoors = [{ compartmentId: 'A01', since: NOW - 10_000 }];
    expect(verdicts(f).doors).toBe('ok');
    f.openDoors = [{ compartmentId: 'A01', since: NOW - 600_000 }];
    expect(detail(f, 'doors')).toBe('open for long: A01 (10 min)');
    f.compartments[0]!.outOfService = 'door did not open for a deposit (unconfirmed)';
    expect(verdicts(f).compartments).toBe('warn');
    expect(detail(f, 'compartments')).toContain('A01 (door did not open for a deposit (unconfirmed)); lockerctl compartment service ID in');
    f.compartments[0]!.outOfService = null;
    f.compartments[0]!.occupied = true;
    expect(detail(f, 'compartments')).toBe('none free: the locker is full');
    expect(detail(f, 'keypad throttle')).toBe('not throttled');
    f.guessingWaitMs = 29_500;
    expect(verdicts(f)['keypad throttle']).toBe('warn');
    expect(detail(f, 'keypad throttle')).toBe('entries are refused for 30 s after repeated wrong codes or PINs (at most a minute before the alarm)');
    f.guessingSuspected = ['code'];
    expect(detail(f, 'keypad throttle')).toBe('guessing suspected (codes): each wrong entry makes everyone wait, now 30 s; see lockerctl throttle status, and lockerctl throttle reset --reason TEXT once checked');
    f.guessingWaitMs = 0;
    expect(verdicts(f)['keypad throttle']).toBe('warn');
  });

  it('storage records: a place over capacity warns, a parcel on the wrong area\'s place or a place in a locker fails', () => {
    const f = healthy();
    expect(detail(f, 'storage records')).toBe('no rooms or desks');
    f.storage.areas = 2;
    expect(detail(f, 'storage records')).toBe('2 rooms and desks: every parcel on a place of its own area, no place over capacity');
    f.storage.problems.push({ kind: 'over_capacity', id: 'R-A', detail: 'place R-A of ROOM holds 3 parcels, its capacity is 2: check the shelf, and its capacity in the config' });
    expect(verdicts(f)['storage records']).toBe('warn');
    f.storage.problems.push({ kind: 'place_in_locker', id: 'p1', detail: 'parcel p1 is in locker A01 yet names place D-1: a locker has no places' });
    expect(verdicts(f)['storage records']).toBe('fail');
    expect(detail(f, 'storage records')).toMatch(/^place R-A of ROOM holds 3 parcels.*; parcel p1 is in locker A01 .*; the ledger names the wrong place: find the parcels \(lockerctl parcels show ID\)/);
  });

  it('a room or desk station has no compartments, and that is no full locker', () => {
    const f = healthy();
    f.compartments = [];
    expect(verdicts(f).compartments).toBe('ok');
    expect(detail(f, 'compartments')).toBe('none: this station is a package room or a front desk (see storage records)');
  });

  it('cabinet climate: checked only when watched; a lost sensor, a stuck output or an alarm warns, no temperature at all fails', () => {
    const f = healthy();
    expect(judge(f).map((c) => c.check)).not.toContain('cabinet climate');
    const sensor = (id: string, quantity: string, value: number | null, lost = false, lastReason: string | null = null) => ({ id, quantity, value, lost, lastReason });
    f.climate = { sensors: [sensor('top', 'temperature', 18.5), sensor('hum', 'humidity', 60)], heater: { wired: true }, fan: { wired: true }, alarms: { tooCold: false, tooHot: false, blind: false } };
    expect(verdicts(f)['cabinet climate']).toBe('ok');
    expect(detail(f, 'cabinet climate')).toBe('top 18.5 °C');
    f.climate.alarms.tooCold = true;
    f.climate.sensors[1] = sensor('hum', 'humidity', null, true, 'missing');
    f.climate.fan = { wired: true, error: 'GPIO 6: EBUSY' };
    expect(verdicts(f)['cabinet climate']).toBe('warn');
    expect(detail(f, 'cabinet climate')).toBe('sensor lost: hum (missing); the fan cannot be switched: GPIO 6: EBUSY; the cabinet is too cold (lockerctl climate)');
    f.climate.alarms.blind = true;
    f.climate.sensors[0] = sensor('top', 'temperature', null, true, 'power_on_value');
    expect(verdicts(f)['cabinet climate']).toBe('fail');
    expect(detail(f, 'cabinet climate')).toMatch(/^no temperature reading \(top: power_on_value\): the heater is off and the fan on/);
  });
});
