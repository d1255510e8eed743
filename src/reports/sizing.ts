/**
 * The sizing verdict: per size, whether the busiest moment of the period left the headroom
 * installers recommend free, and how many compartments would restore it. Pure. The formula and
 * why are in docs/reports.md ("Sizing").
 */
import type { CompartmentSize } from '../config/types.js';
import { percent as pct, plural } from './format.js';
import type { KindFigures, SizeSizing, SizingVerdict } from './report.js';

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
  /** Parcels sent to a room or desk for want of a compartment of this size (none without overflow). */
  toStorage?: number;
  toStorageWorstDay?: number;
}

/** Compartments that keep `headroomPercent` free with `demand` in use: ceil(demand / (1 - h)), in integers. */
export function compartmentsNeeded(demand: number, headroomPercent = HEADROOM_PERCENT): number {
  return Math.ceil((demand * 100) / (100 - headroomPercent));
}

export function sizeSizing(load: SizeLoad, headroomPercent = HEADROOM_PERCENT): SizeSizing {
  // Couriers turned away at the peak would have occupied compartments too: the worst day's
  // refusals are added to the high-water mark (they overlap it: a parcel waits hours, the
  // refusals of one day fall within its busiest stretch).
  // Parcels sent to a room or desk were demand the lockers could not meet, like refusals; but
  // nobody was turned away, so they make the size tight, not short.
  const toStorage = load.toStorage ?? 0;
  const toStorageWorstDay = load.toStorageWorstDay ?? 0;
  const peakDemand = load.highWater + load.overflowWorstDay + toStorageWorstDay;
  const needed = compartmentsNeeded(peakDemand, headroomPercent);
  const add = Math.max(0, needed - load.capacity);
  let verdict: SizingVerdict;
  if (load.capacity === 0 && peakDemand === 0) verdict = 'none_installed';
  else if (load.overflow > 0) verdict = 'short';
  else if (add > 0) verdict = 'tight';
  else verdict = 'ok';
  return { ...load, toStorage, toStorageWorstDay, peakShare: load.capacity > 0 ? load.highWater / load.capacity : 0, peakDemand, needed, add, verdict };
}

/**
 * A room or desk: capacity in parcels against the most it held at once. It turns nobody away
 * (staff or a courier find room), so holding more than its capacity is `short`.
 */
export function areaSizing(capacity: number, highWater: number, headroomPercent = HEADROOM_PERCENT, turnedAway = 0): Pick<KindFigures, 'needed' | 'add' | 'verdict' | 'peakShare'> {
  // A parcel turned away at a full room was demand it did not meet, like a courier the lockers refused.
  const needed = compartmentsNeeded(highWater + turnedAway, headroomPercent);
  const add = Math.max(0, needed - capacity);
  let verdict: SizingVerdict;
  if (capacity === 0 && highWater === 0 && turnedAway === 0) verdict = 'none_installed';
  else if (highWater > capacity || turnedAway > 0) verdict = 'short';
  else if (add > 0) verdict = 'tight';
  else verdict = 'ok';
  return { needed, add, verdict, peakShare: capacity > 0 ? highWater / capacity : 0 };
}

const KIND_NAMES = { lockers: 'Lockers', room: 'Package room', desk: 'Front desk' } as const;

/** The kind's name as the report says it: `Lockers`, `Package room ROOM`, `Front desk DESK`. */
export const kindName = (k: Pick<KindFigures, 'kind' | 'id'>): string => (k.id === null ? KIND_NAMES[k.kind] : `${KIND_NAMES[k.kind]} ${k.id}`);

/** One sentence per kind of storage, for the page and the terminal. */
export function kindSentence(k: KindFigures, headroomPercent = HEADROOM_PERCENT): string {
  const unit = k.counts === 'compartments' ? 'compartment' : 'parcel';
  const head = `${kindName(k)}: room for ${plural(k.capacity, unit)}, ${plural(k.deliveries, 'delivery', 'deliveries')}${k.overflowIn > 0 ? ` (${k.overflowIn} of them overflow from the lockers)` : ''}, at most ${k.highWater} in use at once (${pct(k.peakShare)})`;
  const oos = k.outOfServiceNow ? `; out of service now: ${k.outOfServiceNow}` : '';
  switch (k.verdict) {
    case 'none_installed':
      return `${kindName(k)}: no room configured and nothing stored.`;
    case 'ok':
      return `${head}: enough, at least ${headroomPercent}% stayed free${oos}.`;
    case 'tight':
      if (k.counts === 'compartments') return `${head}: less than ${headroomPercent}% free at the busiest time; add ${plural(k.add, 'compartment')} (per size below)${oos}.`;
      return `${head}: less than ${headroomPercent}% free at the busiest time, room for ${plural(k.add, 'parcel')} more would restore it${oos}.`;
    case 'short':
      if (k.counts === 'compartments') return `${head}: couriers were turned away; see the sizes below${oos}.`;
      if (k.turnedAway > 0) return `${head}: it was full and ${plural(k.turnedAway, 'parcel')} could not go in; room for ${k.add} more parcels would keep ${headroomPercent}% free${oos}.`;
      return `${head}: it held more than its capacity; room for ${k.add} more parcels would keep ${headroomPercent}% free${oos}.`;
  }
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
      if (s.toStorage > 0) return `${head}, up to ${s.highWater} in use at once (${pct(s.peakShare)}); ${plural(s.toStorage, 'parcel')} went to the overflow for want of one (${s.toStorageWorstDay} on the worst day): add ${s.add} to keep ${headroomPercent}% free${oos}.`;
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
