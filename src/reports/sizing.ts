/**
 * The sizing verdict: per size, whether the busiest moment of the period left the headroom
 * installers recommend free, and how many compartments would restore it. Pure. The formula and
 * why are in docs/reports.md ("Sizing").
 */
import type { CompartmentSize } from '../config/types.js';
import { percent as pct, plural } from './format.js';
import type { SizeSizing, SizingVerdict } from './report.js';

/** Installers keep about a fifth of each size free at the peak: couriers arrive in bursts. */
export const HEADROOM_PERCENT = 20;

export interface SizeLoad {
  size: CompartmentSize;
  capacity: number;
  outOfService: number;
  highWater: number;
  highWaterAt: string | null;
  overflow: number;
  overflowWorstDay: number;
}

/** Compartments that keep `headroomPercent` free with `demand` in use: ceil(demand / (1 - h)), in integers. */
export function compartmentsNeeded(demand: number, headroomPercent = HEADROOM_PERCENT): number {
  return Math.ceil((demand * 100) / (100 - headroomPercent));
}

export function sizeSizing(load: SizeLoad, headroomPercent = HEADROOM_PERCENT): SizeSizing {
  // Couriers turned away at the peak would have occupied compartments too: the worst day's
  // refusals are added to the high-water mark (they overlap it: a parcel waits hours, the
  // refusals of one day fall within its busiest stretch).
  const peakDemand = load.highWater + load.overflowWorstDay;
  const needed = compartmentsNeeded(peakDemand, headroomPercent);
  const add = Math.max(0, needed - load.capacity);
  let verdict: SizingVerdict;
  if (load.capacity === 0 && peakDemand === 0) verdict = 'none_installed';
  else if (load.overflow > 0) verdict = 'short';
  else if (add > 0) verdict = 'tight';
  else verdict = 'ok';
  return { ...load, peakShare: load.capacity > 0 ? load.highWater / load.capacity : 0, peakDemand, needed, add, verdict };
}


/** One sentence per size, for the page and the terminal. */
export function sizeSentence(s: SizeSizing, headroomPercent = HEADROOM_PERCENT): string {
  const head = `${s.size}: ${plural(s.capacity, 'compartment')}`;
  const oos = s.outOfService > 0 ? ` (${s.outOfService} out of service now: repair ${s.outOfService === 1 ? 'it' : 'them'} first)` : '';
  switch (s.verdict) {
    case 'none_installed':
      return `${s.size}: none installed and none needed.`;
    case 'ok':
      return `${head}, at most ${s.highWater} in use at once (${pct(s.peakShare)}): enough, at least ${headroomPercent}% stayed free${oos}.`;
    case 'tight':
      return `${head}, up to ${s.highWater} in use at once (${pct(s.peakShare)}), no courier turned away, but less than ${headroomPercent}% free at the busiest time: add ${s.add}${oos}.`;
    case 'short':
      if (s.add === 0) return `${head}, at most ${s.highWater} in use at once (${pct(s.peakShare)}), yet ${plural(s.overflow, 'courier')} turned away: check the compartments out of service and those kept for accessible units${oos}.`;
      return `${head}, up to ${s.highWater} in use at once (${pct(s.peakShare)}); ${plural(s.overflow, 'courier')} turned away for want of one (${s.overflowWorstDay} on the worst day): add ${s.add} to keep ${headroomPercent}% free${oos}.`;
  }
}

/** The verdict in one line: what to add, or that nothing is needed. */
export function sizingSummary(sizes: readonly SizeSizing[], headroomPercent = HEADROOM_PERCENT): string {
  const adds = sizes.filter((s) => s.add > 0);
  if (adds.length === 0) return `Every size kept at least ${headroomPercent}% of its compartments free at its busiest: no change needed.`;
  const list = adds.map((s) => `${s.add} ${s.size}`);
  const words = list.length === 1 ? list[0]! : `${list.slice(0, -1).join(', ')} and ${list.at(-1)!}`;
  const total = adds.reduce((n, s) => n + s.add, 0);
  return `Add ${words} ${total === 1 ? 'compartment' : 'compartments'} to keep ${headroomPercent}% free at the busiest time.`;
}
