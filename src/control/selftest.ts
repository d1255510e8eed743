/**
 * `lockerctl selftest`: what a technician checks first, each with a verdict and what to do.
 * `judge` is the policy (pure, facts in, checks out); `selfTestCommand` gathers the facts from the
 * running daemon. A failed check is something that stops deliveries or pickups, or risks parcels
 * and codes; a warning needs attention but the locker works.
 */
import { statSync, statfsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BoardHealth, InputHealth } from '../../drivers/contracts.js';
import type { LockerdConfig } from '../config/types.js';
import { CLOCK_BACK_TOLERANCE_MS } from '../ledger/audit.js';
import type { Ledger } from '../ledger/ledger.js';
import { ledgerFileModes, tooOpen } from '../ledger/ledger-files.js';
import { storageProblems, type StorageProblem } from '../ledger/storage-problems.js';
import type { LockerService } from '../locker/locker-service.js';
import { linkFindings, type LinkFinding } from '../sync/deployment.js';
import type { SyncService } from '../sync/sync-service.js';
import { notifySupport, SDNOTIFY_FIX, type NotifySupport } from '../systemd/notify.js';
import { kernelPeerIdentity, PEERCRED_FIX, UNKNOWN_TECHNICIAN, type PeerCredentialsSupport, type PeerIdentity } from './peer.js';
import type { CommandHandler } from './server.js';

export type Verdict = 'ok' | 'warn' | 'fail';

export interface Check {
  check: string;
  verdict: Verdict;
  detail: string;
}

export interface SelfTestFacts {
  now: number;
  ledger: { quickCheck: string; journalMode: string; synchronous: number; newestEntryAt: number | null };
  /** Permission bits of the ledger's main file, WAL and -shm (those that exist). */
  ledgerFiles: { path: string; mode: number }[];
  /** Permission bits of the secret key file, or the reason it could not be read. */
  keyFile: { path: string; mode: number } | { path: string; error: string };
  /** Bytes available to lockerd on the ledger's file system, or null if unknown. */
  diskFreeBytes: number | null;
  boards: BoardHealth[];
  inputs: InputHealth[];
  upstream: { enabled: boolean; connected: boolean; unsent: number; oldestUnsentAt: number | null };
  /** What is wrong with the MQTT link's protection for remote commands (src/sync/deployment.ts). */
  linkFindings: LinkFinding[];
  openDoors: { compartmentId: string; since: number }[];
  leftOpenMs: number;
  compartments: { id: string; outOfService: string | null; occupied: boolean }[];
  guessingWaitMs: number;
  /** Budgets (`code`, `pin`) in the alarm regime: sustained guessing was seen. */
  guessingSuspected: string[];
  /** Rooms and desks in the ledger, and what is wrong with their records (src/ledger/storage-problems.ts). */
  storage: { areas: number; problems: StorageProblem[] };
  /** The outdoor cabinet's climate watch (docs/cabinet.md); null when it is off. */
  climate: ClimateFacts | null;
}

/** What the self-test needs of the cabinet's climate (ClimateUnit.status()). */
export interface ClimateFacts {
  sensors: { id: string; quantity: string; value: number | null; lost: boolean; lastReason: string | null }[];
  heater: { wired: boolean; error?: string };
  fan: { wired: boolean; error?: string };
  alarms: { tooCold: boolean; tooHot: boolean; blind: boolean };
}

const MIB = 1024 * 1024;
export const DISK_FAIL_BYTES = 50 * MIB;
export const DISK_WARN_BYTES = 500 * MIB;
export const UPSTREAM_STALE_MS = 24 * 3_600_000;

const list = (xs: string[], max = 6): string => (xs.length > max ? `${xs.slice(0, max).join(', ')} and ${xs.length - max} more` : xs.join(', '));
const ago = (ms: number): string => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : ms < 7_200_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 3_600_000)} h`);

export function judge(f: SelfTestFacts): Check[] {
  const out: Check[] = [];
  const add = (check: string, verdict: Verdict, detail: string): void => void out.push({ check, verdict, detail });

  if (f.ledger.quickCheck !== 'ok') add('ledger', 'fail', `SQLite quick_check: ${f.ledger.quickCheck.slice(0, 200)}; stop lockerd and restore the ledger from a backup`);
  else if (f.ledger.journalMode !== 'wal' || f.ledger.synchronous !== 2) add('ledger', 'fail', `journal_mode=${f.ledger.journalMode}, synchronous=${f.ledger.synchronous}: lockerd needs WAL and FULL; report this as a bug`);
  else add('ledger', 'ok', 'intact; WAL, synchronous=FULL');

  out.push(judgeLedgerFiles(f.ledgerFiles));

  if ('error' in f.keyFile) add('secret key', 'fail', `${f.keyFile.path}: ${f.keyFile.error}`);
  else if ((f.keyFile.mode & 0o077) !== 0) add('secret key', 'fail', `${f.keyFile.path} has mode ${(f.keyFile.mode & 0o777).toString(8)}: others can read it; chmod 600 ${f.keyFile.path}`);
  else add('secret key', 'ok', `${f.keyFile.path}, mode 600`);

  if (f.diskFreeBytes === null) add('disk', 'warn', 'free space unknown');
  else if (f.diskFreeBytes < DISK_FAIL_BYTES) add('disk', 'fail', `${Math.floor(f.diskFreeBytes / MIB)} MiB free for the ledger: deposits will fail when it is full; free space now`);
  else if (f.diskFreeBytes < DISK_WARN_BYTES) add('disk', 'warn', `${Math.floor(f.diskFreeBytes / MIB)} MiB free for the ledger`);
  else add('disk', 'ok', `${Math.floor(f.diskFreeBytes / MIB)} MiB free`);

  if (f.ledger.newestEntryAt !== null && f.ledger.newestEntryAt - f.now > CLOCK_BACK_TOLERANCE_MS) {
    add('clock', 'fail', `${new Date(f.now).toISOString()} is ${ago(f.ledger.newestEntryAt - f.now)} before the ledger's newest entry: the clock went back (no RTC, no NTP?); hold times and remote commands depend on it`);
  } else add('clock', 'ok', new Date(f.now).toISOString());

  const offline = f.boards.filter((b) => !b.online);
  if (f.boards.length === 0) add('lock boards', 'fail', 'no lock boards configured');
  else if (offline.length > 0) add('lock boards', 'fail', `offline: ${list(offline.map((b) => `${b.board} (${b.detail})`), 3)}; their compartments are not offered`);
  else add('lock boards', 'ok', `${f.boards.length} online`);

  const keypads = f.inputs.filter((i) => i.kind === 'keypad');
  const inputsOffline = f.inputs.filter((i) => !i.online);
  if (keypads.length > 0 && keypads.every((k) => !k.online)) add('inputs', 'fail', `no keypad online (${list(keypads.map((k) => `${k.name}: ${k.detail}`), 3)}): residents cannot key their codes`);
  else if (inputsOffline.length > 0) add('inputs', 'warn', `offline: ${list(inputsOffline.map((i) => `${i.name} (${i.detail})`), 3)}`);
  else add('inputs', 'ok', `${f.inputs.length} online`);

  const u = f.upstream;
  const backlog = u.unsent === 0 ? 'nothing waiting' : `${u.unsent} events waiting, oldest ${ago(f.now - (u.oldestUnsentAt ?? f.now))} old`;
  if (!u.enabled) add('upstream', 'ok', 'disabled in the config');
  else if (u.oldestUnsentAt !== null && f.now - u.oldestUnsentAt > UPSTREAM_STALE_MS) add('upstream', 'warn', `${u.connected ? 'connected' : 'not connected'}; ${backlog}: residents have not been told of those parcels; check with lockerctl mqtt check`);
  else if (!u.connected) add('upstream', 'warn', `not connected (the locker works offline); ${backlog}; lockerctl mqtt check says why`);
  else add('upstream', 'ok', `connected; ${backlog}`);

  // Whoever can publish to the commands topic can open doors: fail when that is anyone on the network.
  const linkFailures = f.linkFindings.filter((x) => x.severity === 'fail');
  if (!u.enabled) add('remote commands', 'ok', 'none: upstream is disabled in the config');
  else if (linkFailures.length > 0) add('remote commands', 'fail', linkFailures.map((x) => x.detail).join('; and '));
  else if (f.linkFindings.length > 0) add('remote commands', 'warn', f.linkFindings.map((x) => x.detail).join('; and '));
  else add('remote commands', 'ok', 'the link is encrypted (or local) and the kiosk logs in with credentials of its own');

  const leftOpen = f.openDoors.filter((d) => f.now - d.since > f.leftOpenMs);
  if (leftOpen.length > 0) add('doors', 'warn', `open for long: ${list(leftOpen.map((d) => `${d.compartmentId} (${ago(f.now - d.since)})`))}`);
  else add('doors', 'ok', f.openDoors.length === 0 ? 'all closed' : `${f.openDoors.length} open just now`);

  const oos = f.compartments.filter((c) => c.outOfService !== null);
  const free = f.compartments.filter((c) => c.outOfService === null && !c.occupied);
  if (f.compartments.length === 0) add('compartments', 'ok', 'none: this station is a package room or a front desk (see storage records)');
  else if (oos.length > 0) add('compartments', 'warn', `${free.length} free; out of service: ${list(oos.map((c) => `${c.id} (${c.outOfService})`), 4)}; lockerctl compartment service ID in, once fixed`);
  else if (free.length === 0) add('compartments', 'warn', 'none free: the locker is full');
  else add('compartments', 'ok', `${free.length} of ${f.compartments.length} free`);

  if (f.guessingSuspected.length > 0) {
    const what = f.guessingSuspected.map((k) => (k === 'code' ? 'codes' : 'PINs')).join(' and ');
    add('keypad throttle', 'warn', `guessing suspected (${what}): each wrong entry makes everyone wait${f.guessingWaitMs > 0 ? `, now ${Math.ceil(f.guessingWaitMs / 1000)} s` : ''}; see lockerctl throttle status, and lockerctl throttle reset --reason TEXT once checked`);
  } else if (f.guessingWaitMs > 0) add('keypad throttle', 'warn', `entries are refused for ${Math.ceil(f.guessingWaitMs / 1000)} s after repeated wrong codes or PINs (at most a minute before the alarm)`);
  else add('keypad throttle', 'ok', 'not throttled');

  out.push(judgeStorage(f.storage));
  if (f.climate) out.push(judgeClimate(f.climate));
  return out;
}

/**
 * The outdoor cabinet: no temperature reading left (the heater and fan run blind, in their fail-safe
 * state) fails; a lost sensor of several, an output that cannot be switched, or the cabinet too
 * cold or too hot for the locks and the screen warns.
 */
export function judgeClimate(c: ClimateFacts): Check {
  const check = 'cabinet climate';
  if (c.alarms.blind) return { check, verdict: 'fail', detail: `no temperature reading (${list(c.sensors.filter((s) => s.quantity === 'temperature').map((s) => `${s.id}: ${s.lastReason ?? 'none yet'}`), 3) || 'no sensor found'}): the heater is off and the fan on until one comes back; check the sensor's wiring (lockerctl climate)` };
  const problems: string[] = [];
  const lost = c.sensors.filter((s) => s.lost);
  if (lost.length > 0) problems.push(`sensor lost: ${list(lost.map((s) => `${s.id} (${s.lastReason ?? 'no reading'})`), 3)}`);
  for (const [name, o] of [['heater', c.heater], ['fan', c.fan]] as const) if (o.wired && o.error) problems.push(`the ${name} cannot be switched: ${o.error}`);
  if (c.alarms.tooCold) problems.push('the cabinet is too cold');
  if (c.alarms.tooHot) problems.push('the cabinet is too hot');
  if (problems.length > 0) return { check, verdict: 'warn', detail: `${problems.join('; ')} (lockerctl climate)` };
  const temps = c.sensors.filter((s) => s.quantity === 'temperature' && s.value !== null).map((s) => `${s.id} ${s.value} °C`);
  return { check, verdict: 'ok', detail: temps.length > 0 ? temps.join(', ') : 'watching' };
}

/**
 * A parcel recorded on another area's place, or on a place in a locker, sends a resident or staff
 * to the wrong place: fail. A place over capacity (its capacity lowered in the config, a courier
 * who put one more on it) or a parcel with no place: staff can still find it, warn.
 */
export function judgeStorage(s: SelfTestFacts['storage']): Check {
  const check = 'storage records';
  if (s.problems.length === 0) return { check, verdict: 'ok', detail: s.areas === 0 ? 'no rooms or desks' : `${s.areas === 1 ? '1 room or desk' : `${s.areas} rooms and desks`}: every parcel on a place of its own area, no place over capacity` };
  const wrong = s.problems.some((p) => p.kind === 'place_of_another_area' || p.kind === 'place_in_locker');
  return { check, verdict: wrong ? 'fail' : 'warn', detail: `${s.problems.map((p) => p.detail).join('; ')}${wrong ? '; the ledger names the wrong place: find the parcels (lockerctl parcels show ID) and report this as a bug' : ''}` };
}

/** The ledger, its WAL and -shm hold codes not yet sent: 0600 (0640 for the service group) at most. */
export function judgeLedgerFiles(files: SelfTestFacts['ledgerFiles']): Check {
  const open = files.filter((f) => tooOpen(f.mode));
  if (open.length > 0) {
    return {
      check: 'ledger files',
      verdict: 'fail',
      detail: `${list(open.map((f) => `${f.path} (mode ${(f.mode & 0o777).toString(8)})`), 3)}: others can read the codes not yet sent; chmod 600 ${open.map((f) => f.path).join(' ')}`,
    };
  }
  if (files.length === 0) return { check: 'ledger files', verdict: 'fail', detail: 'the ledger file cannot be found' };
  return { check: 'ledger files', verdict: 'ok', detail: `${files.length} files, mode ${[...new Set(files.map((f) => (f.mode & 0o777).toString(8)))].join('/')}` };
}

export interface SelfTestContext {
  config: LockerdConfig;
  ledger: Ledger;
  locker: LockerService;
  boards: () => BoardHealth[];
  inputs: () => InputHealth[];
  sync?: SyncService;
  now: () => number;
  /** How the control socket tells technicians apart (default: the kernel's, see peer.ts). */
  peers?: PeerIdentity;
  /** Whether systemd listens for sd_notify ($NOTIFY_SOCKET set), and whether the addon can send. */
  serviceManager?: { underSystemd: boolean; support?: NotifySupport };
  /** The cabinet's climate watch, when the daemon runs one. */
  climate?: () => ClimateFacts | null;
}

/**
 * SQLite's quick_check reads every page: seconds on a large ledger on an SD card. It runs on a
 * read-only connection in a worker thread, so that the kiosk and the bus poll go on meanwhile.
 */
const QUICK_CHECK_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { readonly: true, fileMustExist: true });
try { parentPort.postMessage(String(db.pragma('quick_check', { simple: true }))); } finally { db.close(); }
`;
const QUICK_CHECK_TIMEOUT_MS = 300_000;

function quickCheck(path: string): Promise<string> {
  return new Promise((resolve) => {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(QUICK_CHECK_WORKER, { eval: true, workerData: { module, path } });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve(`no answer within ${QUICK_CHECK_TIMEOUT_MS / 1000} s`);
    }, QUICK_CHECK_TIMEOUT_MS);
    const done = (result: string): void => {
      clearTimeout(timer);
      resolve(result);
    };
    worker.once('message', (m: string) => done(m));
    worker.once('error', (err) => done(`could not run: ${err.message}`));
    worker.once('exit', (code) => done(`the check stopped (exit ${code})`));
  });
}

/** The `selftest` control command: gathers the facts, returns `{ ok, checks }`. */
export function selfTestCommand(ctx: SelfTestContext): [string, CommandHandler] {
  return ['selftest', async () => {
    const { ledger, config } = ctx;
    let keyFile: SelfTestFacts['keyFile'];
    try {
      keyFile = { path: config.ledger.keyFile, mode: statSync(config.ledger.keyFile).mode };
    } catch (err) {
      keyFile = { path: config.ledger.keyFile, error: (err as NodeJS.ErrnoException).code ?? 'cannot read it' };
    }
    let diskFreeBytes: number | null = null;
    try {
      const s = statfsSync(dirname(ledger.path));
      diskFreeBytes = s.bavail * s.bsize;
    } catch {
      // unknown: reported as a warning
    }
    const depth = ledger.outbox.depth();
    const facts: SelfTestFacts = {
      now: ctx.now(),
      ledger: {
        quickCheck: await quickCheck(ledger.path),
        journalMode: ledger.db.pragma('journal_mode', { simple: true }) as string,
        synchronous: ledger.db.pragma('synchronous', { simple: true }) as number,
        newestEntryAt: ledger.audit.latestAt(),
      },
      ledgerFiles: ledgerFileModes(ledger.path),
      keyFile,
      diskFreeBytes,
      boards: ctx.boards(),
      inputs: ctx.inputs(),
      upstream: { enabled: config.mqtt.enabled, connected: ctx.sync?.connected ?? false, unsent: depth.unsent, oldestUnsentAt: depth.oldestUnsentAt },
      linkFindings: linkFindings(config.mqtt),
      openDoors: ctx.locker.openDoors(),
      leftOpenMs: config.doors.leftOpenMs,
      compartments: ledger.compartments.withOccupancy().map((c) => ({ id: c.id, outOfService: c.outOfService, occupied: c.parcelId !== null })),
      guessingWaitMs: ctx.locker.guessingWaitMs(),
      guessingSuspected: Object.entries(ctx.locker.throttleStatus()).filter(([, b]) => b.suspected).map(([k]) => k),
      storage: { areas: ledger.storage.areas().length, problems: storageProblems(ledger) },
      climate: ctx.climate?.() ?? null,
    };
    const checks = [
      ...judge(facts),
      technicianIdentityCheck((ctx.peers ?? kernelPeerIdentity).support()),
      serviceNotifyCheck(ctx.serviceManager?.underSystemd ?? false, ctx.serviceManager?.support ?? notifySupport()),
    ];
    return { ok: checks.every((c) => c.verdict !== 'fail'), checks };
  }];
}

/**
 * Whether the audit trail can name the technician behind each lockerctl request. A warning, not
 * a failure: deliveries and pickups go on, but technicians' actions are recorded without a name.
 */
export function technicianIdentityCheck(support: PeerCredentialsSupport): Check {
  if (support.available) return { check: 'technician ids', verdict: 'ok', detail: 'lockerctl requests are audited with the Unix user behind them' };
  return {
    check: 'technician ids',
    verdict: 'warn',
    detail: `cannot read who connects to the control socket (${support.reason}): technicians are audited as ${UNKNOWN_TECHNICIAN}; fix: ${PEERCRED_FIX}`,
  };
}

/**
 * Whether lockerd can tell systemd it is ready and alive (src/systemd/notify.ts). lockerd.service
 * is Type=notify: without the addon READY=1 never arrives and systemd stops the daemon at its
 * start timeout, so under systemd that is a failure; elsewhere (a terminal) a warning.
 */
export function serviceNotifyCheck(underSystemd: boolean, support: NotifySupport): Check {
  if (support.available) {
    return { check: 'systemd notify', verdict: 'ok', detail: underSystemd ? 'READY=1, STATUS= and watchdog pings reach systemd' : 'not run by systemd (no NOTIFY_SOCKET); the sd_notify addon is built' };
  }
  if (underSystemd) {
    return { check: 'systemd notify', verdict: 'fail', detail: `cannot send READY=1 or watchdog pings (${support.reason}): systemd stops lockerd at its start timeout; fix: ${SDNOTIFY_FIX}` };
  }
  return { check: 'systemd notify', verdict: 'warn', detail: `the sd_notify addon does not load (${support.reason}): as lockerd.service (Type=notify) lockerd would be stopped at start; fix: ${SDNOTIFY_FIX}` };
}
