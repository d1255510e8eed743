import { describe, expect, it } from 'vitest';
import { decide, INITIAL_WATCHDOG_STATE, pingDue, watchdogTiming, type ProbeResult, type WatchdogTiming } from '../../src/systemd/watchdog-policy.js';
import { HealthWatchdog, type WatchdogClock } from '../../src/systemd/watchdog.js';
import { captureLogger } from '../helpers/fixtures.js';

const OK: ProbeResult = { ok: true };
const BUSY: ProbeResult = { ok: false, error: 'its write lock is held by another connection (SQLITE_BUSY)' };

describe('watchdogTiming', () => {
  it('pings at half of WatchdogSec, ticks at most every second, tolerates at most 1 s of lag', () => {
    expect(watchdogTiming(30_000)).toEqual({ pingEveryMs: 15_000, tickMs: 1000, lagLimitMs: 1000 });
    expect(watchdogTiming(2000)).toEqual({ pingEveryMs: 1000, tickMs: 250, lagLimitMs: 500 });
  });
});

describe('the watchdog policy', () => {
  const t: WatchdogTiming = { pingEveryMs: 15_000, tickMs: 1000, lagLimitMs: 1000 };

  it('pings when the loop is on time and the ledger takes the write lock', () => {
    const d = decide(INITIAL_WATCHDOG_STATE, { at: 0, lagMs: 3, probe: OK }, t);
    expect(d).toEqual({ ping: true, state: { lastPingAt: 0, unhealthySince: null } });
    expect(pingDue(d.state, 14_000, t)).toBe(false);
    expect(pingDue(d.state, 14_600, t)).toBe(true);
  });

  it('withholds the ping when the tick fired too late, and says why once per episode', () => {
    const first = decide({ lastPingAt: 0, unhealthySince: null }, { at: 15_000, lagMs: 4200, probe: OK }, t);
    expect(first.ping).toBe(false);
    expect(first.event).toEqual({ kind: 'unhealthy', reason: 'the event loop is unresponsive: a 1000 ms timer fired 4200 ms late (limit 1000 ms)' });
    const again = decide(first.state, { at: 16_000, lagMs: 1500, probe: OK }, t);
    expect(again).toEqual({ ping: false, state: first.state });
  });

  it('withholds the ping while the ledger write lock is held elsewhere', () => {
    const d = decide({ lastPingAt: 0, unhealthySince: null }, { at: 15_000, lagMs: 0, probe: BUSY }, t);
    expect(d.ping).toBe(false);
    expect(d.event).toEqual({ kind: 'unhealthy', reason: 'the ledger does not take a write: its write lock is held by another connection (SQLITE_BUSY)' });
  });

  it('a lag exactly at the limit still counts as responsive', () => {
    expect(decide(INITIAL_WATCHDOG_STATE, { at: 0, lagMs: 1000, probe: OK }, t).ping).toBe(true);
    expect(decide(INITIAL_WATCHDOG_STATE, { at: 0, lagMs: 1001, probe: OK }, t).ping).toBe(false);
  });

  it('resumes at the first healthy tick and says how long pings were withheld', () => {
    const sick = decide({ lastPingAt: 0, unhealthySince: null }, { at: 15_000, lagMs: 0, probe: BUSY }, t);
    const well = decide(sick.state, { at: 18_000, lagMs: 10, probe: OK }, t);
    expect(well).toEqual({ ping: true, state: { lastPingAt: 18_000, unhealthySince: null }, event: { kind: 'recovered', afterMs: 3000 } });
  });
});

/** Timers driven by hand: `advance(ms, lagMs)` fires the pending tick `lagMs` late. */
class ManualClock implements WatchdogClock {
  t = 0;
  pending: { fn: () => void; at: number } | undefined;
  now = (): number => this.t;
  setTimeout = (fn: () => void, ms: number): { unref: () => void } => {
    this.pending = { fn, at: this.t + ms };
    return { unref: () => undefined };
  };
  clearTimeout = (): void => {
    this.pending = undefined;
  };
  /** Fires the pending tick, `lagMs` after it was due. */
  fire(lagMs = 0): void {
    const p = this.pending!;
    this.pending = undefined;
    this.t = p.at + lagMs;
    p.fn();
  }
}

describe('HealthWatchdog, the timer shell', () => {
  function setup() {
    const clock = new ManualClock();
    const pings: number[] = [];
    let probe: ProbeResult = OK;
    let probes = 0;
    const { log, lines } = captureLogger();
    const w = new HealthWatchdog({ watchdogMs: 30_000, ping: () => void pings.push(clock.t), probe: () => (probes++, probe), log, clock });
    return { clock, pings, lines, w, setProbe: (p: ProbeResult) => (probe = p), probes: () => probes };
  }

  it('pings at start and then every 15 s while healthy, probing the ledger only when a ping is due', () => {
    const s = setup();
    s.w.start();
    for (let i = 0; i < 45; i++) s.clock.fire();
    expect(s.pings).toEqual([0, 15_000, 30_000, 45_000]);
    expect(s.probes()).toBe(4);
  });

  it('stops pinging while the ledger is locked, logs it once, and resumes after', () => {
    const s = setup();
    s.w.start();
    for (let i = 0; i < 14; i++) s.clock.fire();
    s.setProbe(BUSY);
    for (let i = 0; i < 20; i++) s.clock.fire(); // t = 34 s: two pings due and withheld
    expect(s.pings).toEqual([0]);
    s.setProbe(OK);
    s.clock.fire();
    expect(s.pings).toEqual([0, 35_000]);
    const said = s.lines.map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(said.filter((l) => l.msg.startsWith('watchdog pings withheld'))).toHaveLength(1);
    expect(said.find((l) => l.msg.startsWith('watchdog pings withheld'))).toMatchObject({ level: 50, msg: expect.stringContaining('its write lock is held by another connection') });
    expect(said.filter((l) => l.msg.startsWith('watchdog pings resumed'))).toMatchObject([{ level: 40, afterMs: 20_000 }]);
  });

  it('withholds the ping when its tick fired late (a blocked event loop), and pings at the next prompt tick', () => {
    const s = setup();
    s.w.start();
    for (let i = 0; i < 13; i++) s.clock.fire();
    s.clock.fire(5000); // the loop was blocked 5 s: t = 19 s, a ping was due
    expect(s.pings).toEqual([0]);
    s.clock.fire();
    expect(s.pings).toEqual([0, 20_000]);
  });

  it('sends nothing after stop()', () => {
    const s = setup();
    s.w.start();
    s.w.stop();
    expect(s.clock.pending).toBeUndefined();
    expect(s.pings).toEqual([0]);
  });
});

describe('HealthWatchdog on real timers', () => {
  it('stops pinging while the event loop is blocked and pings again once it runs', async () => {
    const pings: number[] = [];
    const { log } = captureLogger();
    // A generous lag limit: the machine running the tests is shared; the 600 ms block is far beyond it.
    const w = new HealthWatchdog({ watchdogMs: 200, ping: () => void pings.push(performance.now()), probe: () => OK, log, timing: { tickMs: 25, lagLimitMs: 150 } });
    w.start();
    await new Promise((r) => setTimeout(r, 500));
    const before = pings.length;
    expect(before).toBeGreaterThanOrEqual(3);
    const blockedFrom = performance.now();
    while (performance.now() - blockedFrom < 600); // a synchronous loop: no timer can fire
    const blockedTo = performance.now();
    await new Promise((r) => setTimeout(r, 300));
    w.stop();
    expect(pings.filter((p) => p > blockedFrom && p < blockedTo)).toEqual([]);
    // The tick that fired right after the block was late: no ping from it; later ones went.
    expect(pings.filter((p) => p >= blockedTo).length).toBeGreaterThanOrEqual(1);
    expect(pings.filter((p) => p >= blockedTo)[0]! - blockedTo).toBeGreaterThan(w.timing.tickMs / 2);
  });
});
