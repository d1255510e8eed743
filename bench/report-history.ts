/**
 * A believable month (or more) of locker history for the report's example and tests: couriers
 * on weekday mornings and afternoons, residents in the evenings, a busier last stretch in which
 * the small compartments run out, a few doors that misbehave. Written through the ledger's own
 * stores, in the order src/locker/ writes them; seeded, so the same arguments give the same ledger.
 * Not used by the daemon.
 */
import { COMPARTMENT_SIZES, type CompartmentSize } from '../src/config/types.js';
import type { Ledger } from '../src/ledger/ledger.js';
import { uuidv7 } from '../src/ledger/uuidv7.js';
import { mulberry32 } from '../drivers/sim/prng.js';
import { Calendar, MS_PER_HOUR } from '../src/reports/calendar.js';

const MINUTE = 60_000;

export interface DemoOptions {
  /** The history ends here (ms); parcels still waiting then stay deposited. */
  end: number;
  days: number;
  calendar: Calendar;
  seed?: number;
  carriers?: { courierId: string; carrier: string; weight: number }[];
}

interface Inside {
  id: string;
  compartmentId: string;
  depositedAt: number;
}

interface Visit {
  unit: string;
  codeId: number;
  at: number;
  parcels: Inside[];
}

const DEFAULT_CARRIERS = [
  { courierId: 'ups-demo', carrier: 'UPS', weight: 34 },
  { courierId: 'dhl-demo', carrier: 'DHL', weight: 26 },
  { courierId: 'fedex-demo', carrier: 'FedEx', weight: 14 },
  { courierId: 'usps-demo', carrier: 'USPS', weight: 12 },
  { courierId: 'amzl-demo', carrier: 'Amazon', weight: 10 },
  { courierId: 'local-demo', carrier: 'Speedy <Local> & Co', weight: 4 },
];
/** Parcel sizes as they come: mostly small. */
const SIZE_MIX: [CompartmentSize, number][] = [['S', 0.66], ['M', 0.26], ['L', 0.06], ['XL', 0.02]];
/** Deliveries on each weekday (Mon..Sun). */
const PER_WEEKDAY = [12, 10, 10, 10, 11, 5, 1];

/** Writes the history; returns how many parcels it delivered and how many couriers were turned away. */
export function writeDemoHistory(ledger: Ledger, o: DemoOptions): { delivered: number; refused: number } {
  const rand = mulberry32(o.seed ?? 0x5eed);
  const cal = o.calendar;
  const carriers = o.carriers ?? DEFAULT_CARRIERS;
  const weightSum = carriers.reduce((s, c) => s + c.weight, 0);
  const pick = <T>(items: readonly T[], weight: (t: T) => number, total: number): T => {
    let r = rand() * total;
    for (const it of items) if ((r -= weight(it)) < 0) return it;
    return items.at(-1)!;
  };
  const compartments = ledger.compartments.all().filter((c) => c.outOfService === null);
  const free = new Set(compartments.map((c) => c.id));
  const sizeOf = new Map(compartments.map((c) => [c.id, c.size]));
  const units = Array.from({ length: 120 }, (_, i) => `${Math.floor(i / 20) + 1}${String((i % 20) + 1).padStart(2, '0')}`);
  const visits = new Map<string, Visit>();
  let delivered = 0;
  let refused = 0;
  const lastDay = cal.dayOf(o.end);

  // Every moment of the simulation in time order: arrivals, then pickups interleaved.
  const arrivals: number[] = [];
  for (let day = lastDay - o.days + 1; day <= lastDay; day++) {
    const start = cal.startOfDay(day);
    const busy = day > lastDay - 8 ? 1.9 : 1; // the last stretch: a sale, the holidays
    const count = Math.round(PER_WEEKDAY[cal.weekdayOf(start)]! * busy * (0.8 + 0.4 * rand()));
    for (let k = 0; k < count; k++) {
      // Two rounds a day: 8:30-12:00 and 13:30-17:30.
      const morning = rand() < 0.6;
      const at = start + (morning ? 8.5 * MS_PER_HOUR + rand() * 3.5 * MS_PER_HOUR : 13.5 * MS_PER_HOUR + rand() * 4 * MS_PER_HOUR);
      if (at < o.end) arrivals.push(Math.floor(at));
    }
    // Two sale days: a van of small parcels at ten.
    if (day === lastDay - 6 || day === lastDay - 2) {
      for (let k = 0; k < 12; k++) arrivals.push(Math.floor(start + 10 * MS_PER_HOUR + rand() * 75 * MINUTE));
    }
  }
  arrivals.sort((a, b) => a - b);

  const pickupTime = (depositedAt: number): number => {
    const r = rand();
    const day = cal.dayOf(depositedAt);
    const evening = (d: number): number => cal.startOfDay(d) + 17 * MS_PER_HOUR + rand() * 5 * MS_PER_HOUR;
    if (r < 0.15) return depositedAt + 20 * MINUTE + rand() * 90 * MINUTE; // someone was home
    if (r < 0.8) return Math.max(depositedAt + 30 * MINUTE, evening(day));
    if (r < 0.95) return evening(day + 1);
    if (r < 0.99) return evening(day + 2 + Math.floor(rand() * 2));
    return evening(day + 4 + Math.floor(rand() * 2));
  };

  const pickUp = (v: Visit): void => {
    const actor = `resident:${v.unit}`;
    let at = v.at;
    v.parcels.forEach((p, k) => {
      const op = ledger.doorOperations.intent(p.compartmentId, 'pickup', p.id, actor, at, 'code');
      ledger.audit.record({ at, actor, action: 'door.unlock_requested', compartmentId: p.compartmentId, parcelId: p.id, detail: { purpose: 'pickup', operation: op } });
      const openedAt = at + 2000;
      at = openedAt + 8000 + Math.floor(rand() * 15_000);
      ledger.doorOperations.end(op, 'closed', 'confirmed_open', openedAt, at);
      ledger.parcels.end(p.id, 'deposited', 'picked_up', at);
      if (k === v.parcels.length - 1) ledger.codes.end(v.codeId, 'used', at);
      ledger.audit.record({ at, actor, action: 'parcel.picked_up', compartmentId: p.compartmentId, parcelId: p.id, detail: { operation: op, openedAt } });
      free.add(p.compartmentId);
    });
    visits.delete(v.unit);
  };

  const pickUpDue = (until: number): void => {
    for (;;) {
      let next: Visit | undefined;
      for (const v of visits.values()) if (v.at <= until && (!next || v.at < next.at)) next = v;
      if (!next) return;
      pickUp(next);
    }
  };

  ledger.transaction(() => {
    for (const t of arrivals) {
      pickUpDue(t);
      const c = pick(carriers, (x) => x.weight, weightSum);
      const actor = `courier:${c.courierId}`;
      const wanted = pick(SIZE_MIX, (x) => x[1], 1)[0];
      const unit = units[Math.floor(rand() * units.length)]!;
      const fitting = COMPARTMENT_SIZES.slice(COMPARTMENT_SIZES.indexOf(wanted));
      const compartmentId = fitting.map((s) => [...free].find((id) => sizeOf.get(id) === s)).find((id) => id !== undefined);
      if (compartmentId === undefined) {
        const fullSizes = fitting.filter((s) => compartments.some((x) => x.size === s));
        ledger.audit.record({ at: t, actor, action: 'deposit.refused_full', detail: { unit, size: wanted, fullSizes, courierId: c.courierId, carrier: c.carrier } });
        refused++;
        continue;
      }
      free.delete(compartmentId);
      const size = sizeOf.get(compartmentId)!;
      const id = uuidv7(t);
      ledger.parcels.reserve({ id, unit, size, compartmentId, carrier: c.carrier, tracking: `DEMO${String(delivered).padStart(8, '0')}`, courierId: c.courierId, reservedAt: t });
      const op = ledger.doorOperations.intent(compartmentId, 'deposit', id, actor, t, 'pin');
      ledger.audit.record({ at: t, actor, action: 'door.unlock_requested', compartmentId, parcelId: id, detail: { purpose: 'deposit', operation: op } });
      const at = t + 20_000 + Math.floor(rand() * 40_000);
      let visit = visits.get(unit);
      if (!visit) {
        const codeId = ledger.codes.insert(unit, ledger.hasher.hash('code', `demo-${id}`), at);
        visit = { unit, codeId, at: pickupTime(at), parcels: [] };
        visits.set(unit, visit);
      }
      ledger.doorOperations.end(op, 'closed', 'confirmed_open', t + 2000, at);
      ledger.parcels.markDeposited(id, visit.codeId, at, at + 7 * 24 * MS_PER_HOUR);
      ledger.audit.record({ at, actor, action: 'parcel.deposited', compartmentId, parcelId: id, detail: { operation: op, codeId: visit.codeId } });
      visit.parcels.push({ id, compartmentId, depositedAt: at });
      delivered++;
    }
    pickUpDue(o.end);
    // A few doors that needed someone: a latch that fails, a door left open, one forced.
    const incidents: [number, string, string, Record<string, unknown> | undefined][] = [
      [0.2, 'B03', 'door.unlock_failed', { outcome: 'unconfirmed' }],
      [0.55, 'B03', 'door.unlock_failed', { outcome: 'unconfirmed' }],
      [0.9, 'B03', 'door.unlock_failed', { outcome: 'no_response' }],
      [0.35, 'A05', 'door.left_open', { openedAt: 0 }],
      [0.7, 'A05', 'door.left_open', { openedAt: 0 }],
      [0.62, 'A12', 'door.forced_open', undefined],
      [0.8, 'A09', 'deposit.door_did_not_open', { operation: null }],
    ];
    const begin = cal.startOfDay(lastDay - o.days + 1);
    for (const [share, compartmentId, action, detail] of incidents) {
      if (!sizeOf.has(compartmentId)) continue;
      const at = Math.floor(begin + (o.end - begin) * share);
      ledger.audit.record({ at, actor: action === 'door.forced_open' ? 'unknown' : 'system', action, compartmentId, ...(detail ? { detail } : {}) });
    }
    if (sizeOf.has('B03')) ledger.compartments.setOutOfService('B03', 'door did not open for a deposit (no_response)');
  });
  return { delivered, refused };
}
