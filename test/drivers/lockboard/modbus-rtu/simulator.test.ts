/** Simulated Modbus RTU boards answer with the exact bytes of docs/LOCKBOARDS.md. */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep, until } from '../mock-port.js';
import { hex, make, sims } from '../sim-rig.js';

afterEach(() => {
  for (const s of sims.splice(0)) s.close();
});

describe('exact bytes (docs/LOCKBOARDS.md examples)', () => {
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
});

describe('RTU framing by silence', () => {
  it('drops a partial request after 3.5 characters of silence, as RTU firmware does', async () => {
    const { sim, out } = make({ protocol: 'modbus-rtu', baudRate: 9600, boards: [{ address: 1, locks: 8 }] });
    sim.receive(hex('01 01 00 00'));
    await sleep(20); // 3.5 characters at 9600 baud are 3.65 ms
    sim.receive(hex('00 08 3D CC'));
    await sleep(30);
    expect(out).toEqual([]);
    sim.receive(hex('01 01 00 00 00 08 3D CC'));
    await until(() => out.length === 1);
    expect(out[0]!.bytes).toEqual(hex('01 01 01 00 51 88'));
  });
});
