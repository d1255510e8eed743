import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KioskInput } from '../../drivers/contracts.js';
import { SimInput } from '../../drivers/sim/input.js';
import { FloodPolicy, type DeviceMuted, type DeviceUnmuted } from '../../src/hardware/input-flood.js';
import { InputRouter } from '../../src/hardware/inputs.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';

/** The shipped defaults, from the real config loader. */
function defaults() {
  const { dir, cleanup } = tempDir();
  try {
    return testConfig(dir).flood;
  } finally {
    cleanup();
  }
}

describe('FloodPolicy (pure)', () => {
  const settings = defaults();

  it('has defaults a fast courier and a fast typist stay far below', () => {
    expect(settings).toMatchObject({ maxInputsPerSecond: 30, sustainedMs: 3000, mutedForMs: 60_000, maxMutedForMs: 3_600_000 });
  });

  it('never mutes a courier scanning a trolley of labels quickly, with keyed units in between', () => {
    const p = new FloodPolicy(settings);
    let t = 0;
    // An hour of work: a label every 300 ms in bursts of 10 (a scanner's fastest re-read), each
    // followed by a unit keyed at 15 keys a second, and sometimes a double read of one label.
    let dropped = 0;
    const offer = (device: string, at: number) => void (p.offer(device, at).deliver || dropped++);
    for (let round = 0; round < 1000; round++) {
      for (let i = 0; i < 10; i++) {
        offer('scanner-1', (t += 300));
        if (i % 3 === 0) offer('scanner-1', (t += 20));
        for (let k = 0; k < 5; k++) offer('keypad-1', (t += 66));
      }
    }
    expect(t).toBeGreaterThan(3_600_000);
    expect(dropped).toBe(0);
    expect(p.isMuted('scanner-1') || p.isMuted('keypad-1')).toBe(false);
  });

  it('never mutes a person mashing the keypad at 20 keys a second for a few seconds', () => {
    const p = new FloodPolicy(settings);
    for (let i = 0; i < 80; i++) expect(p.offer('keypad-1', i * 50).deliver).toBe(true);
  });

  it('mutes a device that sends more than the rate, sustained, once, and unmutes it after the period', () => {
    const p = new FloodPolicy(settings);
    const decisions = Array.from({ length: 3000 }, (_, i) => p.offer('scanner-1', 1_000 + i / 3));
    const muted = decisions.filter((d) => !d.deliver && d.muted).map((d) => (d as { muted: DeviceMuted }).muted);
    expect(muted).toEqual([{ device: 'scanner-1', inputsPerSecond: expect.any(Number), mutedForMs: 60_000, until: expect.any(Number) }]);
    expect(muted[0]!.inputsPerSecond).toBeGreaterThan(2500);
    // Limit is 90 inputs in 3 s: the 91st is the first one dropped.
    expect(decisions.filter((d) => d.deliver)).toHaveLength(90);
    expect(p.unmuteDue(muted[0]!.until - 1)).toEqual([]);
    expect(p.unmuteDue(muted[0]!.until)).toEqual([{ device: 'scanner-1', droppedInputs: 2910, mutedForMs: 60_000 }]);
    expect(p.isMuted('scanner-1')).toBe(false);
    expect(p.nextUnmute()).toBeUndefined();
  });

  it('mutes a device that floods again soon twice as long, up to the maximum, and forgives a calm one', () => {
    const p = new FloodPolicy({ ...settings, mutedForMs: 60_000, maxMutedForMs: 200_000 });
    let t = 0;
    const flood = (): DeviceMuted => {
      for (;;) {
        const d = p.offer('scanner-1', (t += 1));
        if (!d.deliver && d.muted) return d.muted;
      }
    };
    const lengths: number[] = [];
    for (let i = 0; i < 4; i++) {
      const m = flood();
      lengths.push(m.mutedForMs);
      t = m.until;
      p.unmuteDue(t);
    }
    expect(lengths).toEqual([60_000, 120_000, 200_000, 200_000]);
    t += 200_000;
    expect(flood().mutedForMs).toBe(60_000);
  });

  it('never mutes when maxInputsPerSecond is 0', () => {
    const p = new FloodPolicy({ ...settings, maxInputsPerSecond: 0 });
    for (let i = 0; i < 1000; i++) expect(p.offer('scanner-1', 0).deliver).toBe(true);
  });
});

describe('InputRouter muting a flooding device', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  function router(exemptSim = false) {
    const scanner = new SimInput('scanner-1');
    const keypad = new SimInput('sim-keypad');
    const delivered: KioskInput[] = [];
    const muted: DeviceMuted[] = [];
    const unmuted: DeviceUnmuted[] = [];
    const logs = captureLogger();
    const r = new InputRouter([scanner, keypad], (i) => delivered.push(i), {
      flood: defaults(), now: Date.now, log: logs.log,
      exempt: exemptSim ? (d) => d === keypad : undefined,
      onMuted: (m) => muted.push(m), onUnmuted: (u) => unmuted.push(u),
    });
    return { r, scanner, keypad, delivered, muted, unmuted, logs };
  }

  it('drops a flood after one mute report and unmutes the device by itself when the period ends', () => {
    const { r, scanner, keypad, delivered, muted, unmuted, logs } = router();
    for (let i = 0; i < 3000; i++) scanner.scan('\x07junk');
    expect(muted).toHaveLength(1);
    expect(r.muted('scanner-1')).toBe(true);
    expect(delivered).toHaveLength(90);
    keypad.press('1'); // another device is not muted
    expect(delivered).toHaveLength(91);
    expect(logs.lines.filter((l) => l.includes('is flooding the kiosk'))).toHaveLength(1);

    vi.advanceTimersByTime(59_000);
    expect(unmuted).toEqual([]);
    vi.advanceTimersByTime(1_100);
    expect(unmuted).toEqual([{ device: 'scanner-1', droppedInputs: 2910, mutedForMs: 60_000 }]);
    expect(r.muted('scanner-1')).toBe(false);
    scanner.scan('1Z999AA10123456784');
    expect(delivered.at(-1)).toMatchObject({ kind: 'scan', text: '1Z999AA10123456784' });
    expect(muted).toHaveLength(1);
    expect(logs.lines.filter((l) => l.includes('input device unmuted'))).toHaveLength(1);
    r.stop();
  });

  it('never mutes an exempt device, and does not count input diverted to a technician test', () => {
    const { r, scanner, keypad, delivered, muted } = router(true);
    for (let i = 0; i < 3000; i++) keypad.press('1');
    expect(delivered).toHaveLength(3000);
    const seen: KioskInput[] = [];
    const release = r.divert((d) => d === scanner, (i) => seen.push(i));
    for (let i = 0; i < 3000; i++) scanner.scan('x');
    release();
    expect(seen).toHaveLength(3000);
    expect(muted).toEqual([]);
    r.stop();
  });
});
