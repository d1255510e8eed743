/** Simulated Kerong CU16 boards answer with the exact bytes of docs/LOCKBOARDS.md. */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep, until } from '../mock-port.js';
import { compact, hex, make, sims } from '../sim-rig.js';

afterEach(() => {
  for (const s of sims.splice(0)) s.close();
});

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
});

describe('framing', () => {
  it('a request split by a pause is still one request: CU16 frames by header and checksum, not by silence', async () => {
    const { sim, out } = make({ protocol: 'kerong-cu16', baudRate: 19200, boards: [{ address: 0, locks: 16 }] });
    sim.receive(hex('02 00'));
    await sleep(20);
    sim.receive(hex('30 03 35'));
    await until(() => out.length === 1);
    expect(out[0]!.bytes.subarray(0, 3)).toEqual(hex('02 00 35'));
  });
});

