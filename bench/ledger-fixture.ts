/**
 * Builds (once, then caches) a ledger with a long history: about N picked-up parcels, each with its
 * retrieval code, its two door operations and its audit rows, plus a full locker of parcels
 * waiting now (one per compartment, with their live codes).
 *
 * The rows are written through the real ledger stores (ParcelStore, CodeStore, DoorOperationStore,
 * AuditTrail, Outbox), with the same values and in the same order as src/locker/locker-service.ts
 * writes them, in simulated time: a parcel is reserved (code_id NULL), deposited a few seconds
 * later, and picked up hours later, after other parcels have been written. So rows grow after they
 * were inserted, as on a real locker, and the page fill is realistic. The schema comes from the real
 * migrations (Ledger.open), the compartments, units and couriers from the real applyConfig.
 * Only the transactions differ: many events per transaction, synchronous=OFF while building.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompartmentConfig, LockerdConfig, UnitConfig } from '../src/config/types.js';
import type { EventType } from '../src/sync/contract.js';
import { Ledger } from '../src/ledger/ledger.js';
import { createHash } from 'node:crypto';
import { MIGRATIONS, SCHEMA_VERSION } from '../src/ledger/migrations.js';
import { uuidv7 } from '../src/ledger/uuidv7.js';
import { applyConfig } from '../src/locker/apply-config.js';
import { generateUniqueCode } from '../src/locker/retrieval-code.js';
import { msSince, seededRandom } from './stats.js';

/** Bump when the shape of the generated rows changes, so stale caches are rebuilt. */
export const FIXTURE_FORMAT = 2;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A busy locker: 200 parcels a day, so a million parcels is about 14 years of history. */
const PARCELS_PER_DAY = 200;
/** Time a parcel waits: 10 minutes plus an exponential with this mean (capped below the hold time). */
const MEAN_DWELL_MS = 2 * HOUR;
/** A courier logs in once per visit and deposits this many parcels (one `courier.logged_in` audit row per visit). */
const PARCELS_PER_COURIER_VISIT = 5;
/** Simulation steps per bulk transaction. */
const STEPS_PER_TRANSACTION = 25_000;

/** A building of 20 floors × 20 units ("101".."2020"), keeping the default config's accessible units. */
export function buildingUnits(defaults: readonly UnitConfig[]): UnitConfig[] {
  const accessible = new Set(defaults.filter((u) => u.accessible).map((u) => u.id));
  const units: UnitConfig[] = [];
  for (let floor = 1; floor <= 20; floor++) {
    for (let n = 1; n <= 20; n++) {
      const id = `${floor}${String(n).padStart(2, '0')}`;
      units.push({ id, accessible: accessible.has(id) });
    }
  }
  return units;
}

export interface FixtureInfo {
  schemaVersion: number;
  format: number;
  historyParcels: number;
  /** Parcels deposited and waiting at the end (the locker is full). */
  waitingParcels: number;
  /** Plaintext of the live retrieval codes, so the benchmark can look them up (a bench artefact only). */
  liveCodes: string[];
  rows: { parcels: number; pickedUp: number; retrievalCodes: number; doorOperations: number; audit: number; outbox: number };
  simulatedDays: number;
  buildMs: number;
  builtAt: string;
}

export interface Fixture {
  dbPath: string;
  keyPath: string;
  info: FixtureInfo;
  fromCache: boolean;
}

export interface FixtureOptions {
  cacheDir: string;
  /** The locker the history belongs to (compartments, units, couriers, code length, hold days). */
  config: LockerdConfig;
  /** Picked-up parcels to simulate. */
  historyParcels: number;
  /** Sent outbox rows kept at the end (a real locker prunes sent rows; this is about a week's worth). */
  outboxKept: number;
  onProgress?: (message: string) => void;
}

function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

/** Returns the cached fixture when it matches the schema version and fixture format, else builds it. */
export function ledgerFixture(options: FixtureOptions): Fixture {
  const { cacheDir, historyParcels } = options;
  mkdirSync(cacheDir, { recursive: true });
  // Keyed by the migrations' text too: an edited (unreleased) migration must not reuse a stale ledger.
  const schemaHash = createHash('sha256').update(MIGRATIONS.map((m) => m.sql).join('\n')).digest('hex').slice(0, 8);
  const base = `ledger-schema${SCHEMA_VERSION}-${schemaHash}-f${FIXTURE_FORMAT}-${historyParcels}`;
  const dbPath = join(cacheDir, `${base}.db`);
  const keyPath = join(cacheDir, `${base}.key`);
  const infoPath = join(cacheDir, `${base}.json`);
  if (existsSync(dbPath) && existsSync(keyPath) && existsSync(infoPath)) {
    try {
      const info = JSON.parse(readFileSync(infoPath, 'utf8')) as FixtureInfo;
      if (info.schemaVersion === SCHEMA_VERSION && info.format === FIXTURE_FORMAT && info.historyParcels === historyParcels) {
        return { dbPath, keyPath, info, fromCache: true };
      }
    } catch {
      // An unreadable info file: rebuild.
    }
  }
  // Fixtures of the same size for another schema (version or migrations' text) or format are large
  // and useless now: drop them (names with and without the migrations' hash).
  const stale = new RegExp(`^ledger-schema\\d+-(?:[0-9a-f]{8}-)?f\\d+-${historyParcels}\\.`);
  for (const name of readdirSync(cacheDir)) {
    if (stale.test(name)) rmSync(join(cacheDir, name), { force: true });
  }
  const tmpDb = join(cacheDir, `${base}.building.db`);
  const tmpKey = join(cacheDir, `${base}.building.key`);
  removeDb(tmpDb);
  rmSync(tmpKey, { force: true });
  const started = process.hrtime.bigint();
  const info = build(tmpDb, tmpKey, options);
  info.buildMs = msSince(started);
  renameSync(tmpDb, dbPath);
  renameSync(tmpKey, keyPath);
  // Written last: its presence marks a complete fixture.
  writeFileSync(infoPath, `${JSON.stringify(info, null, 2)}\n`);
  return { dbPath, keyPath, info, fromCache: false };
}

function trackingNumber(carrier: string, rand: () => number): string {
  const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
  const ALNUM = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  switch (carrier) {
    case 'UPS':
      return `1Z${Array.from({ length: 16 }, () => ALNUM[Math.floor(rand() * ALNUM.length)]).join('')}`;
    case 'USPS':
      return `9400${digits(18)}`;
    default:
      return digits(12);
  }
}

interface WaitingParcel {
  id: string;
  compartment: CompartmentConfig;
  depositedAt: number;
}

/** The parcels one live code covers, and when the resident comes for them. */
interface LiveCode {
  codeId: number;
  code: string;
  unit: string;
  parcels: WaitingParcel[];
  visitAt: number;
}

function build(dbPath: string, keyPath: string, options: FixtureOptions): FixtureInfo {
  const { config, historyParcels, outboxKept } = options;
  const progress = options.onProgress ?? (() => {});
  const rand = seededRandom(0x10c4e7);
  const digit = (max: number): number => Math.floor(rand() * max);

  const interval = DAY / PARCELS_PER_DAY;
  const holdMs = config.codes.holdDays * DAY;
  const now = Date.now();
  const start = now - (historyParcels / PARCELS_PER_DAY + 1) * DAY;
  const units = config.units.map((u) => u.id);

  const ledger = Ledger.open({ path: dbPath, keyFile: keyPath });
  applyConfig(ledger, config, start - HOUR);
  const db = ledger.db;
  db.pragma('synchronous = OFF'); // Only for the bulk build; restored to FULL below.
  db.pragma('cache_size = -524288'); // 512 MiB: the B-trees being appended to stay in memory.
  const seedSequence = db.prepare(`INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)`);

  const free: CompartmentConfig[] = [...config.compartments];
  const live = new Map<number, LiveCode>();
  const liveByUnit = new Map<string, LiveCode>();
  const livePlaintexts = new Set<string>();
  const must = (ok: boolean, what: string): void => {
    if (!ok) throw new Error(`fixture build: ${what} changed no row; the simulation and the ledger disagree`);
  };
  const rows = { parcels: 0, pickedUp: 0, retrievalCodes: 0, doorOperations: 0, audit: 0, outbox: 0 };
  let clock = start;
  let nextArrival = start;
  let arrivals = 0;
  /** Events the outbox would have carried before the kept window; they give `seq` its real magnitude. */
  let eventsBefore = 0;
  let keeping = false;

  const audit = (e: Parameters<typeof ledger.audit.record>[0]): void => {
    ledger.audit.record(e);
    rows.audit++;
  };
  const event = (type: EventType, at: number, data: Record<string, unknown>): void => {
    if (!keeping && rows.pickedUp >= historyParcels - outboxKept / 2) {
      keeping = true;
      seedSequence.run(eventsBefore);
    }
    if (!keeping) {
      eventsBefore++;
      return;
    }
    const { seq } = ledger.outbox.append(type, at, data);
    ledger.outbox.acknowledgeThrough(seq, at + 300);
    rows.outbox++;
  };

  /** LockerService.deposit() then #completeDeposit(), as the courier closes the door. */
  const arrive = (t: number): void => {
    const courier = config.couriers[Math.floor(arrivals / PARCELS_PER_COURIER_VISIT) % config.couriers.length]!;
    const actor = `courier:${courier.id}`;
    if (arrivals % PARCELS_PER_COURIER_VISIT === 0) audit({ at: t - 30 * SECOND, actor, action: 'courier.logged_in' });
    arrivals++;
    const compartment = free.splice(Math.floor(rand() * free.length), 1)[0]!;
    const unit = units[Math.floor(rand() * units.length)]!;
    const parcelId = uuidv7(t);
    const tracking = trackingNumber(courier.carrier, rand);
    ledger.parcels.reserve({
      id: parcelId, unit, size: compartment.size, compartmentId: compartment.id,
      carrier: courier.carrier, tracking, courierId: courier.id, reservedAt: t,
    });
    rows.parcels++;
    const opId = ledger.doorOperations.intent(compartment.id, 'deposit', parcelId, actor, t);
    rows.doorOperations++;
    audit({ at: t, actor, action: 'door.unlock_requested', compartmentId: compartment.id, parcelId, detail: { purpose: 'deposit', operation: opId } });

    const openedAt = t + 2 * SECOND;
    const at = t + 20 * SECOND + Math.floor(rand() * 40 * SECOND);
    const expiresAt = at + holdMs;
    let entry = liveByUnit.get(unit);
    let code: string | null = null;
    if (!entry) {
      code = generateUniqueCode(config.codes.length, (c) => livePlaintexts.has(c), digit);
      livePlaintexts.add(code);
      const codeId = ledger.codes.insert(unit, ledger.hasher.hash('code', code), at);
      rows.retrievalCodes++;
      const dwell = 10 * MINUTE + Math.min(holdMs - 2 * HOUR, Math.floor(-Math.log(1 - rand()) * MEAN_DWELL_MS));
      entry = { codeId, code, unit, parcels: [], visitAt: at + dwell };
      live.set(codeId, entry);
      liveByUnit.set(unit, entry);
    }
    const codeId = entry.codeId;
    must(ledger.doorOperations.end(opId, 'closed', 'confirmed_open', openedAt, at), 'closing a deposit operation');
    must(ledger.parcels.markDeposited(parcelId, codeId, at, expiresAt), 'marking a parcel deposited');
    audit({ at, actor, action: 'parcel.deposited', compartmentId: compartment.id, parcelId, detail: { operation: opId, openedAt, codeId, newCode: code !== null } });
    event('parcel.deposited', at, {
      parcelId, compartmentId: compartment.id, size: compartment.size, unit, carrier: courier.carrier, tracking, courierId: courier.id, codeId,
      ...(code !== null ? { code } : {}),
      expiresAt: new Date(expiresAt).toISOString(),
    });
    entry.parcels.push({ id: parcelId, compartment, depositedAt: at });
    clock = at;
  };

  /** LockerService.pickup() then #completePickup() for each door, as the resident closes it. */
  const visit = (entry: LiveCode): void => {
    const t = Math.max(entry.visitAt, clock);
    const actor = `resident:${entry.unit}`;
    const ops = entry.parcels.map((p) => {
      const id = ledger.doorOperations.intent(p.compartment.id, 'pickup', p.id, actor, t);
      rows.doorOperations++;
      audit({ at: t, actor, action: 'door.unlock_requested', compartmentId: p.compartment.id, parcelId: p.id, detail: { purpose: 'pickup', operation: id } });
      return { id, p };
    });
    let at = t;
    ops.forEach(({ id, p }, k) => {
      const openedAt = at + 2 * SECOND;
      at = openedAt + 8 * SECOND + Math.floor(rand() * 20 * SECOND);
      must(ledger.doorOperations.end(id, 'closed', 'confirmed_open', openedAt, at), 'closing a pickup operation');
      must(ledger.parcels.end(p.id, 'deposited', 'picked_up', at), 'marking a parcel picked up');
      if (k === ops.length - 1) must(ledger.codes.end(entry.codeId, 'used', at), 'ending a code');
      audit({ at, actor, action: 'parcel.picked_up', compartmentId: p.compartment.id, parcelId: p.id, detail: { operation: id, openedAt } });
      event('parcel.picked_up', at, {
        parcelId: p.id, compartmentId: p.compartment.id, unit: entry.unit, codeId: entry.codeId,
        waitedSeconds: Math.round((at - p.depositedAt) / 1000),
      });
      free.push(p.compartment);
      rows.pickedUp++;
    });
    live.delete(entry.codeId);
    livePlaintexts.delete(entry.code);
    liveByUnit.delete(entry.unit);
    clock = at;
  };

  const step = (): void => {
    let next: LiveCode | undefined;
    for (const l of live.values()) if (!next || l.visitAt < next.visitAt) next = l;
    if (free.length > 0 && (!next || nextArrival <= next.visitAt)) {
      arrive(Math.max(nextArrival, clock + SECOND));
      nextArrival += Math.floor(interval * (0.25 + 1.5 * rand()));
    } else {
      visit(next!);
    }
  };

  let lastReport = 0;
  while (rows.pickedUp < historyParcels) {
    db.transaction(() => {
      for (let k = 0; k < STEPS_PER_TRANSACTION && rows.pickedUp < historyParcels; k++) step();
    })();
    if (rows.pickedUp - lastReport >= historyParcels / 10 || rows.pickedUp >= historyParcels) {
      lastReport = rows.pickedUp;
      progress(`${rows.pickedUp.toLocaleString('en-US')} / ${historyParcels.toLocaleString('en-US')} parcels picked up`);
    }
  }
  // Fill the locker: every compartment holds a parcel waiting for its resident.
  db.transaction(() => {
    while (free.length > 0) {
      arrive(Math.max(nextArrival, clock + SECOND));
      nextArrival += Math.floor(interval * (0.25 + 1.5 * rand()));
    }
  })();

  db.pragma('synchronous = FULL');
  db.pragma('wal_checkpoint(TRUNCATE)');
  ledger.close();
  return {
    schemaVersion: SCHEMA_VERSION,
    format: FIXTURE_FORMAT,
    historyParcels,
    waitingParcels: config.compartments.length,
    liveCodes: [...live.values()].map((l) => l.code),
    rows,
    simulatedDays: Math.round((clock - start) / DAY),
    buildMs: 0,
    builtAt: new Date().toISOString(),
  };
}
