/** A simulator with its transmissions recorded, for the simulator tests of every family. */
import { LockBoardSimulator, type LockBoardSimulatorOptions } from '../../../drivers/lockboard/sim/simulator.js';

export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
export const compact = (s: string) => s.replace(/\s+/g, '').toUpperCase();

/** Simulators made by `make`; each test file closes them after each test. */
export const sims: LockBoardSimulator[] = [];

export function make(options: LockBoardSimulatorOptions): { sim: LockBoardSimulator; out: { at: number; bytes: Buffer }[]; heard: () => string } {
  const sim = new LockBoardSimulator(options);
  sims.push(sim);
  const out: { at: number; bytes: Buffer }[] = [];
  sim.on('transmit', (bytes) => out.push({ at: performance.now(), bytes }));
  return { sim, out, heard: () => Buffer.concat(out.map((o) => o.bytes)).toString('hex').toUpperCase() };
}
