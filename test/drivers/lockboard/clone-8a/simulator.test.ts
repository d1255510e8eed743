/** Simulated 0x8A clone boards answer with the exact bytes of docs/LOCKBOARDS.md. */
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../mock-port.js';
import { hex, make, sims } from '../sim-rig.js';

afterEach(() => {
  for (const s of sims.splice(0)) s.close();
});

describe('exact bytes (docs/LOCKBOARDS.md examples)', () => {
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
});
