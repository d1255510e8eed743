import { MAX_REPLAY_EVENTS } from './contract.js';

/** What the outbox holds, as far as a replay or a confirmation needs to know. */
export interface OutboxExtent {
  /** The newest seq ever written (its row may have been pruned since). */
  newestSeq: number;
  /** The oldest seq still held, or null when the outbox is empty. */
  oldestHeldSeq: number | null;
  /** How many seqs of the asked range are still held. */
  heldInRange: number;
}

/**
 * Why `events.replay {fromSeq, toSeq}` cannot be carried out, or null when it can. Pure: the
 * inbox gathers the extent from the outbox. Seqs are never reused and only pruning removes rows,
 * so a range with fewer rows than seqs has been (partly) pruned.
 */
export function replayRefusal(fromSeq: number, toSeq: number, o: OutboxExtent): string | null {
  if (toSeq < fromSeq) return `toSeq ${toSeq} is before fromSeq ${fromSeq}`;
  const asked = toSeq - fromSeq + 1;
  if (asked > MAX_REPLAY_EVENTS) return `${asked} events asked for, more than the ${MAX_REPLAY_EVENTS} one replay may send: split the range`;
  if (toSeq > o.newestSeq) return `seq ${toSeq} has not been written yet: the newest event is seq ${o.newestSeq}`;
  if (o.heldInRange < asked) {
    const kept = o.oldestHeldSeq === null ? 'none is held any more' : `the oldest still held is seq ${o.oldestHeldSeq}`;
    return `${asked - o.heldInRange} of the events ${fromSeq}..${toSeq} were already pruned (mqtt.retentionDays) and cannot be sent again; ${kept}`;
  }
  return null;
}

/** Why `events.ack {throughSeq}` cannot be taken, or null when it can. */
export function confirmationRefusal(throughSeq: number, newestSeq: number): string | null {
  return throughSeq > newestSeq ? `seq ${throughSeq} has not been written yet: the newest event is seq ${newestSeq}; confirm only events received` : null;
}
