import Database from 'better-sqlite3';
import { chmodSync, copyFileSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testConfigJson, writeConfig } from '../helpers/fixtures.js';
import { Daemon, lockerctl } from '../helpers/daemon.js';

/** The audit actor of this test's lockerctl: the kernel's word for the Unix user running it. */
const ME = `technician:${userInfo().username}`;

describe('the built daemon, driven with lockerctl', () => {
  let dir: string;
  let cleanup: () => void;
  let configPath: string;
  let daemon: Daemon;
  const ctl = (...args: string[]) => lockerctl(['--config', configPath, ...args]);
  const json = async (...args: string[]): Promise<any> => {
    const r = await ctl('--json', ...args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    configPath = writeConfig(dir, testConfigJson(dir));
    // The usual umask, under which the ledger files came out 0644 (readable by all).
    const umask = process.umask(0o022);
    try {
      daemon = Daemon.spawn(configPath);
    } finally {
      process.umask(umask);
    }
    await daemon.ready();
  });

  afterAll(async () => {
    await daemon?.stop();
    cleanup();
  });

  it('walks a parcel from deposit to pickup and shows it in parcels and outbox', async () => {
    expect((await json('sim', 'keys', '111111#')).displays[0].text).toBe('Hello UPS. Scan a parcel, or press * to log out.');
    expect((await json('sim', 'scan', '1Z999AA10123456784')).state).toBe('courier_unit');
    expect((await json('sim', 'keys', '303#')).state).toBe('courier_size');
    const opened = await json('sim', 'keys', '2#');
    expect(opened.displays[0].text).toMatch(/^Door (\w+) is open\. Put the parcel in/);
    const compartment = /^Door (\w+)/.exec(opened.displays[0].text)![1]!;

    const status = await json('status');
    expect(status.openDoors.map((d: { compartmentId: string }) => d.compartmentId)).toEqual([compartment]);

    expect((await json('sim', 'door', compartment, 'close')).displays[0].text).toBe(`Parcel stored in ${compartment}. Scan the next parcel, or press * to log out.`);
    await json('sim', 'keys', '*');

    const parcels = await json('parcels');
    expect(parcels).toHaveLength(1);
    expect(parcels[0]).toMatchObject({ state: 'deposited', unit: '303', size: 'M', compartmentId: compartment, tracking: '1Z999AA10123456784' });

    const hidden = await json('outbox');
    expect(hidden.events[0].data.code).toMatch(/hidden/);
    const outbox = await json('outbox', '--reveal-codes');
    expect(outbox.depth.unsent).toBe(1);
    const deposited = outbox.events[0];
    expect(deposited).toMatchObject({ seq: 1, type: 'parcel.deposited', sent: false, data: { parcelId: parcels[0].id, unit: '303' } });
    const code: string = deposited.data.code;
    expect(code).toMatch(/^\d{8}$/);

    expect((await json('sim', 'keys', `${code}#`)).displays[0].text).toBe(`Door ${compartment} is open. Take your parcel and close the door.`);
    expect((await json('sim', 'door', compartment, 'close')).displays[0].text).toBe('Thank you. All your parcels are collected.');

    expect((await json('parcels'))[0].state).toBe('picked_up');
    // Newest first, like audit and parcels.
    expect((await json('outbox')).events.map((e: { type: string }) => e.type)).toEqual(['parcel.picked_up', 'parcel.deposited']);

    // The ledger on disk says the same, read by another process while the daemon runs (WAL).
    const db = new Database(join(dir, 'lockerd.db'), { readonly: true });
    expect(db.prepare(`SELECT state FROM parcels`).all()).toEqual([{ state: 'picked_up' }]);
    expect(db.prepare(`SELECT state FROM retrieval_codes`).all()).toEqual([{ state: 'used' }]);
    expect(db.prepare(`SELECT count(*) AS n FROM door_operations WHERE state = 'closed'`).get()).toEqual({ n: 2 });
    db.close();

    // Nothing secret reached the daemon's log.
    expect(daemon.output).toContain('parcel picked up');
    expect(daemon.output).not.toContain(code);
    expect(daemon.output).not.toContain('111111');
  }, 45_000); // about 7 s alone; on a loaded two-core machine it has passed 20 s

  it('prints human-readable status', async () => {
    const r = await ctl('status');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^locker demo-locker/);
    expect(r.stdout).toContain('(simulated hardware)');
    expect(r.stdout).toMatch(/upstream: disabled in the config; outbox: \d+ unsent/);
  });

  it('takes a compartment out of service and back: audited and sent upstream', async () => {
    const out = await ctl('compartment', 'service', 'B12', 'out', '--reason', 'hinge broken');
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toBe('compartment B12 is out of service: hinge broken\n');
    const listed = (await json('compartments')).find((c: { id: string }) => c.id === 'B12');
    expect(listed.outOfService).toBe('hinge broken');
    const back = await json('compartment', 'service', 'B12', 'in');
    expect(back).toEqual({ compartment: 'B12', inService: true, reason: null });
    expect((await json('compartments')).find((c: { id: string }) => c.id === 'B12').outOfService).toBeNull();
    const events = (await json('outbox', '--limit', '500')).events.filter((e: { type: string }) => e.type === 'compartment.service_changed');
    expect(events.map((e: { data: unknown }) => e.data)).toEqual([
      { compartmentId: 'B12', inService: true, reason: null, commandId: null, actor: ME },
      { compartmentId: 'B12', inService: false, reason: 'hinge broken', commandId: null, actor: ME },
    ]);
    const audit = (await json('audit', '--limit', '20')).filter((a: { compartmentId: string | null }) => a.compartmentId === 'B12');
    expect(audit.map((a: { actor: string; action: string }) => [a.actor, a.action])).toEqual([
      [ME, 'compartment.back_in_service'], [ME, 'compartment.out_of_service'],
    ]);

    const noReason = await ctl('compartment', 'service', 'B12', 'out');
    expect(noReason.code).toBe(64);
    expect(noReason.stderr).toContain('needs --reason TEXT');
    // Asked again, it succeeds and says so, writing nothing.
    const already = await ctl('compartment', 'service', 'B12', 'in');
    expect(already.code, already.stderr).toBe(0);
    expect(already.stdout).toBe('B12 was already in service\n');
    const unknown = await ctl('compartment', 'service', 'Z99', 'out', '--reason', 'x');
    expect(unknown.stderr).toContain('unknown compartment "Z99"; see lockerctl compartments');
  });

  it('selftest passes on the simulated locker, and fails with exit 2 and the fix when the key file is readable by others', async () => {
    const ok = await ctl('selftest');
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('OK    ledger           intact; WAL, synchronous=FULL\n');
    expect(ok.stdout).toContain('self-test passed');
    const report = await json('selftest');
    expect(report.checks.map((c: { check: string }) => c.check)).toEqual(['ledger', 'ledger files', 'secret key', 'disk', 'clock', 'lock boards', 'inputs', 'upstream', 'remote commands', 'doors', 'compartments', 'keypad throttle', 'storage records', 'technician ids', 'systemd notify']);
    expect(report.checks.find((c: { check: string }) => c.check === 'upstream')).toMatchObject({ verdict: 'ok', detail: 'disabled in the config' });

    const key = join(dir, 'lockerd.key');
    chmodSync(key, 0o644);
    try {
      const bad = await ctl('selftest');
      expect(bad.code).toBe(2);
      expect(bad.stdout).toContain(`FAIL  secret key       ${key} has mode 644: others can read it; chmod 600 ${key}`);
      expect(bad.stdout).toContain('self-test FAILED');
    } finally {
      chmodSync(key, 0o600);
    }
  });

  it('keeps the ledger, its WAL and its -shm mode 600 under umask 022; selftest fails on one others can read and gives the chmod', async () => {
    const ledger = join(dir, 'lockerd.db');
    const files = [ledger, `${ledger}-wal`, `${ledger}-shm`];
    expect(files.map((f) => [f, statSync(f).mode & 0o777])).toEqual(files.map((f) => [f, 0o600]));
    chmodSync(files[1]!, 0o644);
    try {
      const bad = await ctl('selftest');
      expect(bad.code).toBe(2);
      expect(bad.stdout).toContain(`FAIL  ledger files     ${files[1]} (mode 644): others can read the codes not yet sent; chmod 600 ${files[1]}\n`);
    } finally {
      chmodSync(files[1]!, 0o600);
    }
    expect((await ctl('selftest')).stdout).toContain('OK    ledger files     3 files, mode 600\n');
  });

  it('backs up the live ledger to a new file, mode 600, consistent and audited; never overwrites', async () => {
    const target = join(dir, 'backup.db');
    const r = await json('ledger', 'backup', target);
    expect(r).toMatchObject({ path: target, bytes: expect.any(Number) });
    expect(statSync(target).mode & 0o777).toBe(0o600);
    const copy = new Database(target, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      // The copy has what the live ledger had: the parcels of the earlier tests, and every event.
      const live = await json('parcels');
      expect(copy.prepare('SELECT count(*) FROM parcels').pluck().get()).toBe(live.length);
      const events = (await json('outbox', '--limit', '10000')).events as { seq: number }[];
      expect(copy.prepare('SELECT seq FROM outbox ORDER BY seq').pluck().all()).toEqual(events.map((e) => e.seq).sort((a, b) => a - b));
    } finally {
      copy.close();
    }
    expect((await json('audit', '--limit', '5')).find((a: { action: string }) => a.action === 'ledger.backed_up')).toMatchObject({ actor: ME, detail: { path: target } });
    // Restore as the README says: the copy and the key file, side by side, for a daemon to open.
    const { dir: other, cleanup: cleanupOther } = tempDir();
    copyFileSync(target, join(other, 'lockerd.db'));
    copyFileSync(join(dir, 'lockerd.key'), join(other, 'lockerd.key'));
    chmodSync(join(other, 'lockerd.key'), 0o600);
    const restoredConfig = writeConfig(other, testConfigJson(other));
    const restored = Daemon.spawn(restoredConfig);
    try {
      await restored.ready();
      const parcels = await lockerctl(['--config', restoredConfig, '--json', 'parcels']);
      expect(JSON.parse(parcels.stdout)).toEqual(await json('parcels'));
    } finally {
      await restored.stop();
      cleanupOther();
    }

    const again = await ctl('ledger', 'backup', target);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(`${target} exists; give a new file name (a backup never overwrites)`);
    const nowhere = await ctl('ledger', 'backup', join(dir, 'no-such-dir', 'b.db'));
    expect(nowhere.stderr).toContain('does not exist');
  });

  it('scans the simulated boards, all or only the addresses asked for', async () => {
    const all = await json('bus', 'scan');
    expect(all).toEqual([{ bus: 'sim', found: [expect.objectContaining({ address: 1, board: 'B1' }), expect.objectContaining({ address: 2, board: 'B2' })] }]);
    expect(await json('bus', 'scan', '--addresses', '2')).toEqual([{ bus: 'sim', found: [expect.objectContaining({ address: 2, board: 'B2' })] }]);
    expect(await json('bus', 'scan', '--addresses', '3-9')).toEqual([{ bus: 'sim', found: [] }]);
  });

  it('refuses bad lockerctl input with a clear message and a non-zero exit', async () => {
    const unknown = await ctl('sim', 'door', 'Z99', 'open');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('unknown compartment "Z99"');
    const badKeys = await ctl('sim', 'keys', '12x4#');
    expect(badKeys.code).not.toBe(0);
    expect(badKeys.stderr).toContain('not on the keypad: "x"');
    const badCommand = await ctl('frobnicate');
    expect(badCommand.code).toBe(64);
    expect(badCommand.stderr).toBe("lockerctl: unknown command 'frobnicate'\nsee 'lockerctl --help'\n");
    const badState = await ctl('parcels', '--state', 'lost');
    expect(badState.stderr).toContain('unknown parcel state "lost"');
    const tooHigh = await ctl('bus', 'scan', '--addresses', '1-300');
    expect(tooHigh.code).not.toBe(0);
    expect(tooHigh.stderr).toContain('"to" must be a bus address from 0 to 247');
    const backwards = await ctl('bus', 'scan', '--addresses', '9-2');
    expect(backwards.stderr).toContain('the scan range 9-2 is backwards; give the lower address first');
    // The daemon is still serving.
    expect((await ctl('status')).code).toBe(0);
  });

  it('shows the guessing throttle in status and selftest, and lets a technician reset it, audited', async () => {
    await json('sim', 'keys', '00000000#'.repeat(10));
    const status = await ctl('status');
    expect(status.stdout).toMatch(/keypad throttle, codes: wait \d+ s before the next check; 10 wrong in 24 h \(10 in the last hour\); GUESSING SUSPECTED/);
    expect(status.stdout).toContain('keypad throttle, PINs: no wait; 0 wrong in 24 h (0 in the last hour)');
    const check = (await json('selftest')).checks.find((c: { check: string }) => c.check === 'keypad throttle');
    expect(check).toMatchObject({ verdict: 'warn', detail: expect.stringContaining('guessing suspected (codes)') });

    const noReason = await ctl('throttle', 'reset');
    expect(noReason.code).toBe(64);
    expect(noReason.stderr).toContain('throttle reset needs --reason TEXT');
    const reset = await ctl('throttle', 'reset', '--reason', 'kids at the keypad, seen on camera');
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain('throttle reset; it held:\n  codes: wait');
    expect((await json('throttle', 'status')).code).toEqual({ waitMs: 0, suspected: false, failuresLastHour: 0, failuresLastDay: 0 });
    const again = await ctl('throttle', 'reset', '--reason', 'again');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('nothing to reset');

    const audit = await json('audit', '--limit', '20');
    expect(audit[0]).toMatchObject({ actor: expect.stringMatching(/^technician/), action: 'kiosk.throttle_reset', detail: { reason: 'kids at the keypad, seen on camera', codeFailuresCleared: 10, wasSuspected: true } });
    expect(audit.some((a: { action: string }) => a.action === 'kiosk.guessing_suspected')).toBe(true);
    const types = (await json('outbox', '--limit', '500')).events.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['kiosk.guessing_suspected', 'kiosk.throttle_reset']));
  }, 60_000);

  it('stops cleanly on SIGTERM and removes nothing from the ledger', async () => {
    expect(await daemon.stop()).toBe(0);
    expect(daemon.output).toContain('lockerd stopped');
    // Read-only commands answer from the ledger; the rest need the daemon (69).
    const r = await ctl('status');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('lockerd is not running: answered from the ledger (read-only)\n');
    expect(r.stdout).toContain('lockerd NOT RUNNING');
    const parcels = await ctl('--json', 'parcels');
    expect(parcels.code).toBe(0);
    expect(JSON.parse(parcels.stdout)[0].state).toBe('picked_up');
    const doors = await ctl('doors');
    expect(doors.code).toBe(69);
    expect(doors.stderr).toMatch(/lockerd is not running/);
    // Restart on the same ledger: the history is there.
    daemon = Daemon.spawn(configPath);
    await daemon.ready();
    expect((await json('parcels'))[0].state).toBe('picked_up');
    expect((await json('status')).bootCount).toBe(2);
  });
});

describe('the daemon refuses to start on bad files, with a clear message and a distinct exit code', () => {
  it('a config that is not JSON', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const d = Daemon.spawn(writeConfig(dir, '{ "kioskId": "x",\n  oops }'));
      expect(await d.exited).toBe(78);
      expect(d.output).toMatch(/not valid JSON at line 2, column 3/);
    } finally {
      cleanup();
    }
  });

  it('an invalid config, one message per problem', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const json = testConfigJson(dir) as { compartments: { size: string }[]; codes?: unknown };
      json.compartments[3]!.size = 'XXL';
      json.codes = { length: 99 };
      const d = Daemon.spawn(writeConfig(dir, json));
      expect(await d.exited).toBe(78);
      expect(d.output).toContain('compartments[3].size: "XXL" is not one of S, M, L, XL');
      expect(d.output).toContain('codes.length: 99 is above the maximum 12');
    } finally {
      cleanup();
    }
  });

  it('a corrupt ledger file, which it leaves as it was', async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, 'lockerd.db'), Buffer.alloc(8192, 0x5a));
      const d = Daemon.spawn(writeConfig(dir, testConfigJson(dir)));
      expect(await d.exited).toBe(65);
      expect(d.output).toMatch(/is not a SQLite database/);
    } finally {
      cleanup();
    }
  });
});
