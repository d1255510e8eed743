/**
 * The byte-level board simulator answers with the exact bytes of docs/LOCKBOARDS.md, paces its
 * replies at the baud rate, and injects every fault it advertises.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LockBoardSimulator, type LockBoardSimulatorOptions } from '../../../drivers/lockboard/sim/simulator.js';
import { charTimeMs } from '../../../drivers/lockboard/timing.js';
import { sleep, until } from './mock-port.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const sims: LockBoardSimulator[] = [];

afterEach(() => {
  for (const s of sims.splice(0)) s.close();
});

function make(options: LockBoardSimulatorOptions): { sim: LockBoardSimulator; out: { at: number; bytes: Buffer }[]; heard: () => string } {
  const sim = new LockBoardSimulator(options);
  sims.push(sim);
  const out: { at: number; bytes: Buffer }[] = [];
  sim.on('transmit', (bytes) => out.push({ at: performance.now(), bytes }));
  return { sim, out, heard: () => Buffer.concat(out.map((o) => o.bytes)).toString('hex').toUpperCase() };
}

const compact = (s: string) => s.replace(/\s+/g, '').toUpperCase();

describe('exact bytes (docs/LOCKBOARDS.md examples)', () => {
  it('Kerong CU16: status of a board with only lock 1 latched, unlock acknowledgement', async () => {
    const { sim, heard, out } = make({ protocol: 'kerong-cu16', baudRate: 0, boards: [{ address: 0, locks: 1, unlockReply: 'ack' }, { address: 1, locks: 16 }] });
    sim.receive(hex('02 00 30 03 35'));
    await until(() => out.length === 1);
    expect(heard()).toBe(compact('02 00 35 01 00 00 00 03 3B'));
    sim.receive(hex('02 00 31 03 36'));
    await until(() => out.length === 2);
    expect(out[1]!.bytes).toEqual(hex('02 00 31 03 36'));
    expect(sim.fires.map((f) => [f.address, f.lock])).toEqual([[0, 1]]);
    // Board 1 ("02 10 30 03 45"): all 16 latched, no sensors.
    sim.receive(hex('02 10 30 03 45'));
    await until(() => out.length === 3);
    expect(out[2]!.bytes).toEqual(hex('02 10 35 FF FF 00 00 03 48'));
  });

  it('Kerong CU16: unlock of lock 16 and of board 1 lock 1 fire the right locks; sensors report', async () => {
    const { sim, out } = make({ protocol: 'kerong-cu16', baudRate: 0, boards: [{ address: 0, locks: 16, sensors: true }, { address: 1, locks: 16 }] });
    sim.receive(hex('02 0F 31 03 45'));
    sim.receive(hex('02 10 31 03 46'));
    expect(sim.fires.map((f) => [f.address, f.lock])).toEqual([[0, 16], [1, 1]]);
    expect(out).toEqual([]); // default CU16: no reply to an unlock
    sim.setItem(0, 9, true);
    sim.receive(hex('02 00 30 03 35'));
    await until(() => out.length === 1);
    expect(out[0]!.bytes.subarray(5, 7)).toEqual(hex('00 01'));
  });

  it('0x8A clones: unlock, query one, query all with the reversed byte order', async () => {
    const { sim, out } = make({ protocol: 'clone-8a', baudRate: 0, boards: [{ address: 1, locks: 24 }] });
    sim.receive(hex('8A 01 01 11 9B'));
    await until(() => out.length === 1);
    expect(out[0]!.bytes).toEqual(hex('8A 01 01 11 9B')); // still closed when it answers
    await until(() => sim.lockState(1, 1).open);
    sim.receive(hex('80 01 01 33 B3'));
    await until(() => out.length === 2);
    expect(out[1]!.bytes).toEqual(hex('80 01 01 00 80')); // open now
    // Only locks 1, 9 and 17 latched: the documented query-all example.
    for (let l = 1; l <= 24; l++) if (![1, 9, 17].includes(l)) sim.forceDoor(1, l);
    sim.closeDoor(1, 1);
    sim.receive(hex('80 01 00 33 B2'));
    await until(() => out.length === 3);
    expect(out[2]!.bytes).toEqual(hex('80 01 01 01 01 33 B3'));
    // Lock 2 (B1 bit 1) and lock 24 (B3 bit 7) latched: the bytes go out as B3 B2 B1.
    for (const l of [1, 9, 17]) sim.forceDoor(1, l);
    sim.closeDoor(1, 2);
    sim.closeDoor(1, 24);
    sim.receive(hex('80 01 00 33 B2'));
    await until(() => out.length === 4);
    expect(out[3]!.bytes.subarray(2, 5)).toEqual(hex('80 00 02'));
  });

  it('Modbus RTU: write coil, read coils, board-timed pulse, exceptions', async () => {
    const { sim, out } = make({ protocol: 'modbus-rtu', baudRate: 0, boards: [{ address: 1, locks: 8 }] });
    sim.receive(hex('01 05 00 00 FF 00 8C 3A'));
    await until(() => out.length === 1);
    expect(out[0]!.bytes).toEqual(hex('01 05 00 00 FF 00 8C 3A'));
    sim.receive(hex('01 05 00 06 FF 00 6C 3B'));
    await until(() => out.length === 2);
    sim.receive(hex('01 01 00 00 00 08 3D CC'));
    await until(() => out.length === 3);
    expect(out[2]!.bytes).toEqual(hex('01 01 01 41 91 B8'));
    sim.receive(hex('01 05 02 00 00 07 8D B0'));
    await until(() => out.length === 4);
    expect(out[3]!.bytes).toEqual(hex('01 05 02 00 00 07 8D B0'));
    expect(sim.fires.at(-1)).toMatchObject({ address: 1, lock: 1, pulseMs: 700 });
    // Reading beyond the 8 inputs: exception 2 (illegal data address).
    sim.receive(hex('01 02 00 00 00 10 79 C6'));
    await until(() => out.length === 5);
    expect(out[4]!.bytes.subarray(0, 3)).toEqual(hex('01 82 02'));
    // Another unit's request: nothing.
    sim.receive(hex('02 01 00 00 00 08 3D FF'));
    await sleep(10);
    expect(out).toHaveLength(5);
  });

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
