/**
 * The byte-level board simulator frames requests out of noise, paces its replies at the baud
 * rate, and injects every fault it advertises. Each family's exact bytes are tested in its own
 * folder (<family>/simulator.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { charTimeMs } from '../../../drivers/lockboard/timing.js';
import { sleep, until } from './mock-port.js';
import { compact, hex, make, sims } from './sim-rig.js';

afterEach(() => {
  for (const s of sims.splice(0)) s.close();
});

describe('framing', () => {
  it('finds a request behind garbage and ignores frames with a bad checksum', async () => {
    const { sim, out } = make({ protocol: 'kerong-cu16', baudRate: 0, boards: [{ address: 0, locks: 1 }] });
    sim.receive(hex('FF 02 02 00 30 03 36'));
    sim.receive(hex('00 02 00'));
    sim.receive(hex('30 03 35'));
    await until(() => out.length === 1);
    await sleep(10);
    expect(out).toHaveLength(1);
    expect(sim.counters.discarded).toBeGreaterThan(0);
  });
});

describe('timing', () => {
  it('paces a reply at the baud rate: request and reply both take their wire time', async () => {
    const { sim, out } = make({ protocol: 'kerong-cu16', baudRate: 9600, boards: [{ address: 0, locks: 16 }] });
    const wire = 14 * charTimeMs(9600);
    // Never early, on every run; never systematically late, judged on the best of several runs
    // because a timer on this shared 2-core machine can be late by any amount once.
    const took: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      sim.receive(hex('02 00 30 03 35'));
      await until(() => out.length === i + 1);
      took.push(out[i]!.at - t0);
      await sleep(2);
    }
    for (const t of took) expect(t).toBeGreaterThanOrEqual(wire - 0.01);
    expect(Math.min(...took)).toBeLessThan(wire + 4);
  });

  it('adds the board turnaround, and counts a master that talks while a board is sending', async () => {
    const { sim, out } = make({ protocol: 'kerong-cu16', baudRate: 9600, boards: [{ address: 0, locks: 16, turnaroundMs: 20 }] });
    const t0 = performance.now();
    sim.receive(hex('02 00 30 03 35'));
    await sleep(5 * charTimeMs(9600) + 22);
    sim.receive(hex('02 00 30 03 35')); // the reply is on the line right now
    await until(() => out.length === 2, 1000);
    expect(out[0]!.at - t0).toBeGreaterThanOrEqual(14 * charTimeMs(9600) + 20 - 0.01);
    expect(sim.counters.collisions).toBe(1);
  });
});

describe('faults', () => {
  it('silent: hears and acts, never answers; unplugged: nothing at all', async () => {
    const { sim, out } = make({ protocol: 'kerong-cu16', baudRate: 0, boards: [{ address: 0, locks: 4, unlockReply: 'ack' }, { address: 1, locks: 4 }] });
    sim.setBoardFault(0, 'silent', true);
    sim.receive(hex('02 00 31 03 36'));
    sim.receive(hex('02 00 30 03 35'));
    sim.setBoardFault(1, 'unplugged', true);
    sim.receive(hex('02 10 31 03 46'));
    await sleep(40);
    expect(out).toEqual([]);
    expect(sim.lockState(0, 1).open).toBe(true);
    expect(sim.lockState(1, 1).open).toBe(false);
    expect(sim.fires).toHaveLength(1);
  });

  it('corrupt: the reply goes out with a wrong checksum', async () => {
    const { sim, out } = make({ protocol: 'clone-8a', baudRate: 0, boards: [{ address: 1, locks: 24 }] });
    sim.setBoardFault(1, 'corrupt', true);
    sim.receive(hex('80 01 00 33 B2'));
    await until(() => out.length === 1);
    const f = out[0]!.bytes;
    expect(f.subarray(0, 6)).toEqual(hex('80 01 FF FF FF 33'));
    expect(f[6]).not.toBe(0x80 ^ 0x01 ^ 0xff ^ 0xff ^ 0xff ^ 0x33);
  });

  it('echo: every request comes back before the reply', async () => {
    const { sim, heard, out } = make({ protocol: 'modbus-rtu', baudRate: 0, boards: [{ address: 1, locks: 8 }] });
    sim.setEcho(true);
    sim.receive(hex('01 01 00 00 00 08 3D CC'));
    await until(() => out.length === 2);
    expect(heard()).toBe(compact('01 01 00 00 00 08 3D CC 01 01 01 00 51 88'));
  });

  it('noise: random bursts on the line', async () => {
    const { sim, out } = make({ protocol: 'kerong-cu16', baudRate: 0, boards: [{ address: 0, locks: 4 }], random: () => 0.5 });
    sim.setNoise(500);
    await until(() => out.length >= 3, 2000);
    sim.setNoise(0);
    expect(sim.counters.noiseBytes).toBeGreaterThan(0);
  });

  it('jammed: the lock fires but the latch stays; forced: open without a command; left open: no auto-close', async () => {
    const { sim } = make({ protocol: 'kerong-cu16', baudRate: 0, boards: [{ address: 0, locks: 4, releaseMs: 1 }], autoCloseMs: 30 });
    const doors: string[] = [];
    sim.on('door', (e) => doors.push(`${e.lock}:${e.open ? 'open' : 'closed'}:${e.cause}`));
    sim.setJammed(0, 1, true);
    sim.receive(hex('02 00 31 03 36'));
    await sleep(10);
    expect(sim.fires).toHaveLength(1);
    expect(sim.lockState(0, 1).open).toBe(false);
    expect(sim.forceDoor(0, 2)).toBe(true);
    sim.setLeftOpen(0, 3, true);
    sim.receive(hex('02 01 31 03 37')); // unlock lock 2 of board 0 ... is lock index 1 = lock 2, already open
    sim.receive(hex('02 02 31 03 38')); // lock 3
    await sleep(80);
    expect(sim.lockState(0, 3).open).toBe(true); // left open: never closed by itself
    expect(sim.lockState(0, 2).open).toBe(false); // forced door closed by auto-close
    expect(doors).toEqual(['2:open:forced', '3:open:unlock', '2:closed:auto-close']);
  });
});
