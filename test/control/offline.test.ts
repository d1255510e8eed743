/**
 * Read-only commands answered from the ledger with the daemon stopped (src/control/offline.ts):
 * the same answers as the daemon's for what the ledger holds, what only the daemon knows said to
 * be unknown, credentials hidden, and not a byte of the ledger changed nor a file created beside
 * it (lockerctl may run as root; a -shm of root's would stop the daemon opening its ledger).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/lockerctl.js';
import { request } from '../../src/control/client.js';
import { readOnlyCommands } from '../../src/control/commands/index.js';
import { answerOffline, READ_ONLY_COMMANDS } from '../../src/control/offline.js';
import type { LockerdConfig } from '../../src/config/types.js';
import { LockerHarness } from '../helpers/locker-harness.js';
import { prng } from '../helpers/prng.js';
import { CommandError, isErrorKind } from '../../src/control/protocol.js';
import { captureLogger, tempDir, testConfig, testConfigJson, writeConfig } from '../helpers/fixtures.js';

const hashes = (dir: string): Record<string, string> =>
  Object.fromEntries(readdirSync(dir).filter((f) => f.startsWith('lockerd.db')).map((f) => [f, createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')]));

describe('answers from the ledger with the daemon stopped', () => {
  let dir: string;
  let cleanup: () => void;
  let config: LockerdConfig;
  let configPath: string;
  let h: LockerHarness | undefined;
  /** The daemon's answers, taken before it stopped. */
  let live: Record<string, unknown>;
  let code: string;

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    configPath = writeConfig(dir, testConfigJson(dir));
    config = testConfig(dir);
    h = await LockerHarness.start(config, captureLogger().log, undefined, { controlSocket: true });
    await h.deposit({ unit: '101' });
    code = h.latestCode();
    const socket = config.control.socketPath;
    live = {
      status: await request(socket, 'status'),
      compartments: await request(socket, 'compartments'),
      parcels: await request(socket, 'parcels'),
      audit: await request(socket, 'audit'),
      outbox: await request(socket, 'outbox'),
      report: await request(socket, 'report', { days: 7 }),
    };
  });

  afterEach(async () => {
    await h?.stop();
    cleanup();
  });

  const stop = async (): Promise<void> => {
    await h!.stop();
    h = undefined;
  };

  it('answers what the daemon answered, from a ledger closed cleanly, creating no file and changing no byte', async () => {
    await stop();
    const before = hashes(dir);
    expect(Object.keys(before)).toEqual(['lockerd.db']);
    expect(await answerOffline(config, 'parcels', {})).toEqual(live.parcels);
    expect(await answerOffline(config, 'audit', {})).toEqual(live.audit);
    const compartments = (await answerOffline(config, 'compartments', {})) as { doorOpen: boolean | null }[];
    // Whether a door is open only the running daemon knows.
    expect(compartments).toEqual((live.compartments as object[]).map((c) => ({ ...c, doorOpen: null })));
    const status = (await answerOffline(config, 'status', {})) as Record<string, unknown>;
    const daemon = live.status as Record<string, unknown>;
    expect(status).toEqual({
      kioskId: daemon.kioskId, running: false, unknown: expect.stringContaining('the kiosk, the doors, the boards, the upstream link'),
      bootCount: daemon.bootCount, simulated: true, compartments: daemon.compartments, storage: daemon.storage, returns: daemon.returns, outbox: daemon.outbox, ledger: daemon.ledger,
    });
    const parcel = (live.parcels as { id: string }[])[0]!;
    expect(await answerOffline(config, 'parcel.show', { id: parcel.id })).toMatchObject({ parcelId: parcel.id });
    const exported: unknown[] = [];
    expect(await answerOffline(config, 'parcels.export', {}, { onEvent: (e) => exported.push(e) })).toMatchObject({ parcels: 1 });
    expect(exported).toHaveLength(1);
    // The property manager's report too: the same figures (the period ends when it is asked for).
    type Figures = { totals: { deliveries: number }; days: unknown; carriers: unknown; dwell: unknown; sizing: unknown };
    const figures = ({ totals, days, carriers, dwell, sizing }: Figures) => ({ totals, days, carriers, dwell, sizing });
    const offlineReport = (await answerOffline(config, 'report', { days: 7 })) as Figures;
    expect(figures(offlineReport)).toEqual(figures(live.report as Figures));
    expect(offlineReport.totals.deliveries).toBe(1);
    expect(hashes(dir)).toEqual(before);
  });

  it('hides the codes as the socket does, and refuses a reveal (it would be audited)', async () => {
    await stop();
    const outbox = await answerOffline(config, 'outbox', {});
    expect(JSON.stringify(outbox)).not.toContain(code);
    expect({ ...(outbox as object), upstream: null }).toEqual({ ...(live.outbox as object), upstream: null });
    await expect(answerOffline(config, 'outbox', { revealCodes: true })).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringContaining('needs the running daemon') });
  });

  it('refuses what needs the daemon, and bad arguments as the daemon does', async () => {
    // lockerctl's list of what it may answer offline is the registry's, no more, no less.
    expect([...readOnlyCommands({ config, ledger: h!.app.ledger, now: Date.now, expiredParcels: () => [] }).keys()].sort()).toEqual([...READ_ONLY_COMMANDS].sort());
    await stop();
    for (const command of ['lock.open', 'compartment.service', 'sim.keys', 'selftest', 'ledger.backup', 'frobnicate']) {
      expect(READ_ONLY_COMMANDS.has(command)).toBe(false);
      await expect(answerOffline(config, command, {})).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringContaining('needs the running daemon') });
    }
    await expect(answerOffline(config, 'parcels', { state: 'lost' })).rejects.toMatchObject({ kind: 'usage' });
    await expect(answerOffline(config, 'parcel.show', { id: '01935c1e-7c2a-7000-8000-000000000001' })).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('answers random arguments with a result or a refusal of a valid kind, never a crash', async () => {
    await stop();
    const before = hashes(dir);
    const r = prng(0x0ff1);
    const names = ['state', 'limit', 'after', 'unsentOnly', 'revealCodes', 'id', 'since', 'extra'];
    const values: unknown[] = [null, true, false, 0, -1, 1, 5, 1e9, 1.5, '', 'deposited', 'expired', 'lost', '2026-11-01', '💥', 'x'.repeat(5000), [], {}, '01935c1e-7c2a-7000-8000-000000000001'];
    const commands = [...READ_ONLY_COMMANDS, 'lock.open', 'frobnicate'];
    const problems: string[] = [];
    for (let i = 0; i < 300; i++) {
      const command = commands[r.int(commands.length)]!;
      const args: Record<string, unknown> = {};
      for (let n = r.int(3); n > 0; n--) args[names[r.int(names.length)]!] = values[r.int(values.length)];
      try {
        await answerOffline(config, command, args, { onEvent: () => undefined });
      } catch (err) {
        if (!(err instanceof CommandError) || !isErrorKind(err.kind) || err.kind === 'internal') problems.push(`${command} ${JSON.stringify(args).slice(0, 100)}: ${String(err)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(hashes(dir)).toEqual(before);
  });

  it('reads a live or crashed ledger through its -shm without writing to it; without one, commits in the WAL are refused, not skipped', async () => {
    // The daemon still runs (its socket is just not where lockerctl looks): WAL and -shm exist.
    expect(existsSync(`${config.ledger.path}-shm`)).toBe(true);
    const before = hashes(dir);
    expect(await answerOffline(config, 'parcels', {})).toEqual(live.parcels);
    expect(hashes(dir)).toEqual(before);
    // A crash that lost the -shm: the WAL holds the deposit, which the main file lacks.
    const crashed = join(dir, 'crashed');
    copyFileSync(config.ledger.path, `${crashed}.db`);
    copyFileSync(`${config.ledger.path}-wal`, `${crashed}.db-wal`);
    const crashConfig = { ...config, ledger: { ...config.ledger, path: `${crashed}.db` } };
    await expect(answerOffline(crashConfig, 'parcels', {})).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringContaining('start lockerd (it recovers them)') });
    expect(existsSync(`${crashed}.db-shm`)).toBe(false);
  });

  it('lockerctl answers status and parcels when the daemon is stopped, saying so on stderr; other commands exit 69', async () => {
    await stop();
    const ctl = async (...argv: string[]): Promise<{ code: number; out: string; err: string }> => {
      let out = '';
      let err = '';
      const exit = await run(['--config', configPath, ...argv], (s) => (out += s), (s) => (err += s));
      return { code: exit, out, err };
    };
    const status = await ctl('status');
    expect(status.err).toBe('lockerd is not running: answered from the ledger (read-only)\n');
    expect(status.code).toBe(0);
    expect(status.out).toContain('lockerd NOT RUNNING');
    expect(status.out).toMatch(/\nS +11 +10 +1 +0 +1\n/);
    const parcels = await ctl('--json', 'parcels');
    expect(parcels.code).toBe(0);
    expect(JSON.parse(parcels.out)).toEqual(live.parcels);
    const doors = await ctl('doors');
    expect(doors.code).toBe(69);
    expect(doors.err).toMatch(/^lockerctl: lockerd is not running/);
    // A socket the config does not name is another daemon's: its ledger is not this one.
    const other = await ctl('--socket', join(dir, 'other.sock'), 'status');
    expect(other.code).toBe(69);
    expect(other.err).toMatch(/^lockerctl: lockerd is not running \(no control socket at /);
  });
});
