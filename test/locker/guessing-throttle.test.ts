import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LockerdConfig } from '../../src/config/types.js';
import { throttleCommands } from '../../src/control/commands/throttle.js';
import { worstCaseGuessesPerDay } from '../../src/locker/guessing.js';
import { CHECKPOINT_MS, GUESSING_STATE_KEY } from '../../src/locker/guessing-throttle.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { checkEvent } from '../../src/sync/validate.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';
import { prng } from '../helpers/prng.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const SAVED_TIME = Date.parse('2026-11-20T08:00:00.000Z'); // what a Pi without RTC boots to
const WRONG = '00000000#';

/**
 * A simulated kiosk computer: real time passes only when the test says so; each boot has its own
 * monotonic clock (a fresh origin, as after a power cycle) and a wall clock the test can set.
 */
class Machine {
  real = 0;
  #bootedAt = 0;
  #wallAtBoot = SAVED_TIME;
  #wallOffset = 0;
  readonly monotonicOrigin = 1_000_000;

  /** The wall clock: what it read at boot, plus the time since, plus any jump set meanwhile. */
  wall = (): number => this.#wallAtBoot + (this.real - this.#bootedAt) + this.#wallOffset;
  /** A monotonic clock that restarts at every boot (its origin is arbitrary). */
  monotonic = (): number => this.monotonicOrigin + (this.real - this.#bootedAt);

  boot(wallAtBoot: number): void {
    this.#bootedAt = this.real;
    this.#wallAtBoot = wallAtBoot;
    this.#wallOffset = 0;
  }

  /** NTP (or someone) sets the wall clock by `ms` during the run. */
  jumpWall(ms: number): void {
    this.#wallOffset += ms;
  }
}

describe('the guessing throttle on the kiosk', () => {
  let dir: string;
  let cleanup: () => void;
  let config: LockerdConfig;
  let m: Machine;
  let h: LockerHarness;
  const log = captureLogger('warn').log;

  const boot = async (wallAtBoot: number): Promise<void> => {
    m.boot(wallAtBoot);
    h = await LockerHarness.start(config, log, m.wall, { monotonic: m.monotonic });
  };
  const powerCycle = async (wallAtBoot: number, bootMs = 30_000): Promise<void> => {
    await h.stop();
    m.real += bootMs;
    await boot(wallAtBoot);
  };
  const rejected = (): number => h.app.ledger.audit.recent(100_000).filter((a) => a.action === 'pickup.code_rejected').length;
  const codeWait = (): number => h.app.locker.guessingWaitMs('code');
  /** Keys wrong codes as fast as allowed, 2 s each, until the kiosk makes the next one wait. */
  const guessUntilThrottled = async (max = 50): Promise<void> => {
    for (let i = 0; i < max && codeWait() === 0; i++) {
      await h.keys(WRONG);
      m.real += 2_000;
    }
  };

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    config = testConfig(dir);
    m = new Machine();
    await boot(SAVED_TIME);
  });

  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  it('remembers wrong codes when the kiosk reboots to an older time', async () => {
    await guessUntilThrottled();
    const before = codeWait();
    expect(before).toBeGreaterThan(0);
    // Power cut; the Pi boots to a saved time two days older, with a new monotonic origin.
    await powerCycle(m.wall() - 2 * DAY);
    expect(codeWait()).toBeGreaterThan(0);
    expect(codeWait()).toBeGreaterThanOrEqual(before - 10_000); // the boot took no seen time off
    expect(await h.keys(WRONG)).toEqual([expect.stringMatching(/^Too many wrong entries/)]);
  });

  it('holds an attacker who power-cycles the kiosk to the policy worst case, not ~15,800 a day', async () => {
    // The audit's attack. The Pi has no RTC: each boot starts from the same saved time (fake-hwclock
    // saves hourly; a power cut loses the rest), hours behind, and NTP sets the clock right 4 s
    // after lockerd starts. The attacker keys one guess before NTP (old code: that made every
    // earlier failure lie in the future, and forgot them all), then guesses until the kiosk makes
    // it wait, then pulls the plug (25-35 s to boot); if still made to wait, it waits.
    const bound = worstCaseGuessesPerDay(config.guessing);
    const r = prng(8);
    const trueTime = (): number => SAVED_TIME + 3 * HOUR + m.real;
    let bootedAt = 0;
    let synced = true;
    let cycledSinceLastGuess = false;
    m.jumpWall(trueTime() - m.wall());
    while (m.real < DAY && rejected() <= bound) {
      if (!synced && m.real - bootedAt >= 4_000) {
        m.jumpWall(trueTime() - m.wall());
        synced = true;
      }
      const wait = codeWait();
      if (wait === 0) {
        await h.keys(WRONG);
        m.real += 2_000;
        cycledSinceLastGuess = false;
      } else if (!cycledSinceLastGuess) {
        const bootMs = 25_000 + r.int(10_000);
        await powerCycle(SAVED_TIME + bootMs, bootMs);
        bootedAt = m.real;
        synced = false;
        cycledSinceLastGuess = true;
      } else {
        m.real += synced ? wait : 4_000;
      }
    }
    expect(rejected()).toBeLessThanOrEqual(bound);
    expect(rejected()).toBeGreaterThan(50); // the attacker did get its guesses, only slowly
    expect(h.app.ledger.outbox.list({ limit: 10_000 }).some((e) => e.type === 'kiosk.guessing_suspected')).toBe(true);
  }, 120_000);

  it('does not forget when the clock is set forward, during a run or across a restart', async () => {
    await guessUntilThrottled();
    const before = codeWait();
    expect(h.app.locker.throttleStatus().code.suspected).toBe(true);
    m.jumpWall(2 * DAY); // NTP corrects the clock by two days
    expect(codeWait()).toBe(before);
    expect(h.app.locker.throttleStatus().code).toMatchObject({ suspected: true, failuresLastDay: 10 });
    await powerCycle(m.wall() + 3 * DAY); // boots with the clock even further ahead
    // (At most the seen time since the last save is lost at a power cut: failures last longer, never shorter.)
    expect(codeWait()).toBeGreaterThanOrEqual(before);
    expect(codeWait()).toBeLessThanOrEqual(before + CHECKPOINT_MS);
    expect(h.app.locker.throttleStatus().code).toMatchObject({ suspected: true, failuresLastDay: 10 });
  });

  it('forgets with time the kiosk saw pass, whatever the wall clock says, saving seen time while nobody keys', async () => {
    await guessUntilThrottled();
    await h.stop();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      await boot(m.wall() - 5 * DAY);
      // Half a day with nobody at the kiosk; the throttle saves its clock every few minutes.
      for (let t = 0; t < DAY / 2; t += CHECKPOINT_MS) {
        m.real += CHECKPOINT_MS;
        vi.advanceTimersByTime(CHECKPOINT_MS);
      }
      await powerCycle(m.wall() - 5 * DAY);
      expect(h.app.locker.throttleStatus().code.failuresLastDay).toBe(10);
      m.real += DAY / 2;
      expect(h.app.locker.throttleStatus().code).toEqual({ waitMs: 0, suspected: false, failuresLastHour: 0, failuresLastDay: 0 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('carries the state of the old format (wall-clock times, one budget) over an upgrade', async () => {
    await h.stop();
    const ledger = Ledger.open({ path: config.ledger.path, keyFile: config.ledger.keyFile });
    const at = m.wall();
    ledger.transaction(() => ledger.meta.set(GUESSING_STATE_KEY, JSON.stringify({ failures: Array.from({ length: 12 }, (_, i) => at - 60_000 + i * 1_000) })));
    ledger.close();
    await boot(at - DAY); // and the clock went back meanwhile
    expect(h.app.locker.throttleStatus().code).toMatchObject({ failuresLastDay: 12, waitMs: expect.any(Number) });
    expect(h.app.locker.throttleStatus().pin.failuresLastDay).toBe(12);
    expect(codeWait()).toBeGreaterThan(0);
  });

  it('never keeps a resident with a correct code waiting more than 60 s for others\' typos before the alarm', async () => {
    await h.deposit({ unit: '101' });
    const code = h.latestCode();
    // 14 wrong codes, 7 minutes apart: never 10 within an hour, so no alarm. (The old policy
    // had the whole kiosk waiting 2 min by the 13th and 4 min by the 14th.)
    for (let i = 0; i < 14; i++) {
      m.real += 7 * MIN;
      expect(await h.keys(WRONG)).toEqual([expect.stringMatching(/not valid/)]);
    }
    expect(h.app.ledger.outbox.list({ limit: 1000 }).some((e) => e.type === 'kiosk.guessing_suspected')).toBe(false);
    m.real += 1_000;
    const said = await h.keys(`${code}#`);
    expect(said).toEqual([expect.stringMatching(/^Too many wrong entries. Try again in \d+ s.$/)]);
    expect(Number(/in (\d+) s/.exec(said[0]!)![1])).toBeLessThanOrEqual(60);
    m.real += 60_000;
    expect(await h.keys(`${code}#`)).toEqual([expect.stringMatching(/^Door A01 is open/)]);
  });

  it('keeps separate budgets: guessing codes does not lock couriers out, nor guessing PINs residents', async () => {
    await h.deposit({ unit: '101' });
    const code = h.latestCode();
    await guessUntilThrottled();
    expect(h.app.locker.throttleStatus().code.suspected).toBe(true);
    expect(await h.keys('111111#')).toEqual([expect.stringMatching(/^Hello UPS/)]);
    await h.keys('*');
    for (let i = 0; i < 10; i++) await h.keys('999999#');
    expect(h.app.locker.throttleStatus().pin.suspected).toBe(true);
    expect(await h.keys('111111#')).toEqual([expect.stringMatching(/^Too many wrong entries/)]);
    const events = h.app.ledger.outbox.list({ limit: 1000 }).filter((e) => e.type === 'kiosk.guessing_suspected');
    expect(events.map((e) => e.data.credential)).toEqual(['code', 'pin']);
    // A technician resets the throttle: the resident's code works again at once.
    expect(await h.keys(`${code}#`)).toEqual([expect.stringMatching(/^Too many wrong entries/)]);
    throttleCommands({ locker: h.app.locker }).get('throttle.reset')!({ reason: 'checked: kids at the keypad' }, { signal: new AbortController().signal, actor: 'technician:test' });
    expect(await h.keys(`${code}#`)).toEqual([expect.stringMatching(/^Door A01 is open/)]);
  });

  it('lets a technician reset the throttle, audited and sent upstream, keeping the alarm history', async () => {
    const handlers = throttleCommands({ locker: h.app.locker });
    const reset = (args: Record<string, unknown>): unknown => handlers.get('throttle.reset')!(args, { signal: new AbortController().signal, actor: 'technician:test' });
    expect(() => reset({})).toThrow('a throttle reset needs a reason (it goes into the audit trail and upstream)');
    expect(() => reset({ reason: 'x' })).toThrow('the keypad throttle holds no failures and no alarm: nothing to reset');
    expect(h.app.ledger.audit.recent(10).some((a) => a.action === 'kiosk.throttle_reset')).toBe(false);

    await guessUntilThrottled();
    expect(() => reset({ reason: '   ' })).toThrow(/needs a reason/);
    expect(() => reset({ reason: 'r'.repeat(201) })).toThrow('the reason is longer than 200 characters');
    expect(reset({ reason: 'false alarm, checked the camera' })).toMatchObject({ cleared: { code: { suspected: true, failuresLastDay: 10 }, pin: { suspected: false } } });
    expect(h.app.locker.throttleStatus().code).toEqual({ waitMs: 0, suspected: false, failuresLastHour: 0, failuresLastDay: 0 });

    const audit = h.app.ledger.audit.recent(100).map((a) => a.action);
    expect(audit).toContain('kiosk.guessing_suspected');
    expect(audit.filter((a) => a === 'pickup.code_rejected')).toHaveLength(10);
    expect(h.app.ledger.audit.recent(1)[0]).toMatchObject({ actor: 'technician:test', action: 'kiosk.throttle_reset', detail: { reason: 'false alarm, checked the camera', codeFailuresCleared: 10, pinFailuresCleared: 0, wasSuspected: true } });
    const events = h.app.ledger.outbox.list({ limit: 1000 });
    expect(events.map((e) => e.type)).toEqual(['parcel.deposited', 'kiosk.guessing_suspected', 'kiosk.throttle_reset'].filter((t) => events.some((e) => e.type === t)));
    for (const e of events) {
      expect(checkEvent({ id: e.id, seq: e.seq, type: e.type, at: new Date(e.at).toISOString(), kioskId: config.kioskId, data: e.data })).toBeNull();
    }
    expect(events.at(-1)!.data).toEqual({ reason: 'false alarm, checked the camera', actor: 'technician:test', codeFailuresCleared: 10, pinFailuresCleared: 0, wasSuspected: true });
  });
});
