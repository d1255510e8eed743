import type { MetaStore } from '../ledger/meta.js';

/**
 * Doors upstream heard of as forced open or left open, until they shut: upstream then hears of
 * the close. Kept in the ledger's meta table, written in the transaction of the report and of the
 * close, so a restart while such a door stands open neither raises the alarm a second time nor
 * forgets to report the close.
 */
export type DoorReport = 'forced' | 'leftOpen';

const KEY = 'reported_doors';

/** Per compartment: when the door reported opened (ms), per kind of report. */
type Reports = Record<string, Partial<Record<DoorReport, number>>>;

function read(meta: MetaStore): Reports {
  const raw = meta.get(KEY);
  if (raw === undefined) return {};
  try {
    const value = JSON.parse(raw) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Reports) : {};
  } catch {
    return {};
  }
}

const time = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** What upstream was told of this door since it last shut: for each report, when the door opened. */
export function reportsOf(meta: MetaStore, compartmentId: string): { forced: number | null; leftOpen: number | null } {
  const all = read(meta);
  const r = Object.hasOwn(all, compartmentId) && all[compartmentId] && typeof all[compartmentId] === 'object' ? all[compartmentId]! : {};
  return { forced: time(r.forced), leftOpen: time(r.leftOpen) };
}

/** Compartments with a report outstanding (their door not seen shut since). */
export function reportedDoors(meta: MetaStore): string[] {
  return Object.keys(read(meta));
}

/** Call inside the transaction that appends the report's event; `openedAt`: when the door opened. */
export function markReported(meta: MetaStore, compartmentId: string, report: DoorReport, openedAt: number): void {
  const all = read(meta);
  all[compartmentId] = { ...(Object.hasOwn(all, compartmentId) ? all[compartmentId] : {}), [report]: openedAt };
  meta.set(KEY, JSON.stringify(all));
}

/** Call inside the transaction that records the door's close. */
export function clearReported(meta: MetaStore, compartmentId: string): void {
  const all = read(meta);
  if (!Object.hasOwn(all, compartmentId)) return;
  delete all[compartmentId];
  meta.set(KEY, JSON.stringify(all));
}
