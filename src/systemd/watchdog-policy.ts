/**
 * When to tell systemd "still alive" (WATCHDOG=1): the pure policy, facts in, verdict out; the
 * timers are in watchdog.ts. A ping is a claim that the daemon works, so it is sent only while
 * (a) the event loop is responsive: the last tick's timer fired within `lagLimitMs` of when it
 * was due, and (b) the ledger takes a write: the probe got the write lock (ledger-probe.ts).
 * Otherwise the ping is withheld and systemd restarts the daemon once WatchdogSec passes
 * without one. A short stall (a slow fsync on the SD card) costs nothing: the check runs again
 * at the next tick and the ping goes as soon as it passes; only a stall that lasts until
 * systemd's deadline ends in a restart.
 */

export interface WatchdogTiming {
  /** How often a ping is due: half of WatchdogSec, as sd_watchdog_enabled(3) advises. */
  pingEveryMs: number;
  /** How often the lag is measured (and a withheld ping tried again). */
  tickMs: number;
  /** How late a tick's timer may fire before the event loop counts as unresponsive. */
  lagLimitMs: number;
}

/** The timing for a watchdog period: a tick of at most 1 s, a lag limit of at most 1 s. */
export function watchdogTiming(watchdogMs: number): WatchdogTiming {
  const pingEveryMs = Math.max(1, Math.floor(watchdogMs / 2));
  const tickMs = Math.max(5, Math.min(1000, Math.floor(pingEveryMs / 4)));
  const lagLimitMs = Math.max(tickMs, Math.min(1000, Math.floor(pingEveryMs / 2)));
  return { pingEveryMs, tickMs, lagLimitMs };
}

export type ProbeResult = { ok: true } | { ok: false; error: string };

export interface WatchdogState {
  /** When the last ping went (monotonic ms); -Infinity before the first. */
  lastPingAt: number;
  /** Since when pings are withheld (the episode's start), or null while healthy. */
  unhealthySince: number | null;
}

export const INITIAL_WATCHDOG_STATE: WatchdogState = { lastPingAt: -Infinity, unhealthySince: null };

/** What a tick saw: when it fired, how late, and the probe's answer (probed only when a ping is due). */
export interface TickFacts {
  at: number;
  lagMs: number;
  probe: ProbeResult;
}

export type WatchdogEvent = { kind: 'unhealthy'; reason: string } | { kind: 'recovered'; afterMs: number };

export interface WatchdogDecision {
  ping: boolean;
  state: WatchdogState;
  /** Said once per episode: when pings stop, and when they resume. */
  event?: WatchdogEvent;
}

/** Whether a ping is due at `at` (half a tick early counts: ticks jitter). */
export function pingDue(state: WatchdogState, at: number, timing: WatchdogTiming): boolean {
  return at - state.lastPingAt >= timing.pingEveryMs - timing.tickMs / 2;
}

/** Why the daemon is not healthy at this tick, or null when it is. */
export function unhealthyReason(facts: TickFacts, timing: WatchdogTiming): string | null {
  if (facts.lagMs > timing.lagLimitMs) {
    return `the event loop is unresponsive: a ${timing.tickMs} ms timer fired ${Math.round(facts.lagMs)} ms late (limit ${timing.lagLimitMs} ms)`;
  }
  if (!facts.probe.ok) return `the ledger does not take a write: ${facts.probe.error}`;
  return null;
}

/** The verdict for a tick at which a ping is due. */
export function decide(state: WatchdogState, facts: TickFacts, timing: WatchdogTiming): WatchdogDecision {
  const reason = unhealthyReason(facts, timing);
  if (reason === null) {
    const recovered = state.unhealthySince !== null ? { kind: 'recovered' as const, afterMs: facts.at - state.unhealthySince } : undefined;
    return { ping: true, state: { lastPingAt: facts.at, unhealthySince: null }, ...(recovered ? { event: recovered } : {}) };
  }
  if (state.unhealthySince !== null) return { ping: false, state };
  return { ping: false, state: { ...state, unhealthySince: facts.at }, event: { kind: 'unhealthy', reason } };
}
