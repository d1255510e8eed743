/**
 * Ledger records of rooms and desks that cannot be right, whichever flow wrote them: a place
 * holding more parcels than its capacity, a parcel whose place belongs to another room or desk
 * than the one its record names, a parcel in a locker that names a place, and a parcel waiting in
 * a room or at a desk with no place (staff could not find it). Read-only; the self-test reports
 * them (src/control/selftest.ts). Parcel ids are named, never units or codes.
 */
import type { Ledger } from './ledger.js';

export type StorageProblemKind = 'over_capacity' | 'place_of_another_area' | 'place_in_locker' | 'no_place';

export interface StorageProblem {
  kind: StorageProblemKind;
  /** The place, or the parcel, the problem is about; null on the line that counts the rest of a kind. */
  id: string | null;
  detail: string;
}

/** At most this many of each kind are named: the count says the rest. */
const EXAMPLES = 5;

interface Counted<T> { rows: T[]; total: number }

export function storageProblems(ledger: Ledger): StorageProblem[] {
  const db = ledger.db;
  const some = <T>(sql: string): Counted<T> => {
    const rows = db.prepare(`${sql} LIMIT ${EXAMPLES}`).all() as T[];
    const total = rows.length < EXAMPLES ? rows.length : (db.prepare(`SELECT count(*) FROM (${sql})`).pluck().get() as number);
    return { rows, total };
  };
  const out: StorageProblem[] = [];
  const more = (kind: StorageProblemKind, c: Counted<unknown>, what: string): void => {
    if (c.total > c.rows.length) out.push({ kind, id: null, detail: `and ${c.total - c.rows.length} more ${what}` });
  };

  const over = some<{ id: string; area: string; capacity: number; parcels: number }>(
    `SELECT pl.id, pl.area, pl.capacity, count(p.id) AS parcels FROM places pl JOIN parcels p ON p.place_id = pl.id AND p.state IN ('reserved','deposited')
      GROUP BY pl.id HAVING count(p.id) > pl.capacity ORDER BY pl.id`,
  );
  for (const r of over.rows) out.push({ kind: 'over_capacity', id: r.id, detail: `place ${r.id} of ${r.area} holds ${r.parcels} parcels, its capacity is ${r.capacity}: check the shelf, and its capacity in the config` });
  more('over_capacity', over, 'places over capacity');

  // Every parcel ever, not only those waiting: the proof of delivery names the place too.
  const elsewhere = some<{ id: string; compartment: string; place: string; area: string }>(
    // (A parcel in a locker naming a place is its own problem, below.)
    `SELECT p.id, p.compartment_id AS compartment, p.place_id AS place, pl.area FROM parcels p JOIN places pl ON pl.id = p.place_id
      JOIN compartments c ON c.id = p.compartment_id
      WHERE p.place_id IS NOT NULL AND pl.area <> p.compartment_id AND c.kind <> 'locker' ORDER BY p.id`,
  );
  for (const r of elsewhere.rows) out.push({ kind: 'place_of_another_area', id: r.id, detail: `parcel ${r.id} is recorded in ${r.compartment} but on place ${r.place}, which belongs to ${r.area}` });
  more('place_of_another_area', elsewhere, 'parcels on a place of another room or desk');

  const inLocker = some<{ id: string; compartment: string; place: string }>(
    `SELECT p.id, p.compartment_id AS compartment, p.place_id AS place FROM parcels p JOIN compartments c ON c.id = p.compartment_id
      WHERE p.place_id IS NOT NULL AND c.kind = 'locker' ORDER BY p.id`,
  );
  for (const r of inLocker.rows) out.push({ kind: 'place_in_locker', id: r.id, detail: `parcel ${r.id} is in locker ${r.compartment} yet names place ${r.place}: a locker has no places` });
  more('place_in_locker', inLocker, 'parcels in a locker naming a place');

  const noPlace = some<{ id: string; compartment: string; kind: string }>(
    `SELECT p.id, p.compartment_id AS compartment, c.kind FROM parcels p JOIN compartments c ON c.id = p.compartment_id
      WHERE p.place_id IS NULL AND c.kind IN ('room','desk') AND p.state IN ('reserved','deposited') ORDER BY p.id`,
  );
  for (const r of noPlace.rows) out.push({ kind: 'no_place', id: r.id, detail: `parcel ${r.id} waits in ${r.kind} ${r.compartment} with no shelf or place recorded: staff must find it by hand` });
  more('no_place', noPlace, 'parcels in a room or at a desk with no place');
  return out;
}
