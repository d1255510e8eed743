/**
 * Our Modbus RTU framing checked against an independent implementation: mbpoll, a master built
 * on libmodbus (Debian package `mbpoll`), talks to the standalone simulator over a real
 * pseudo-terminal. The simulator encodes with the same codec the daemon decodes with, so a CRC or
 * framing mistake shared by both would pass our own tests but not this one.
 */
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/fixtures.js';
import { SimProcess, SKIP_WITHOUT_SOCAT } from './sim-process.js';

function haveMbpoll(): boolean {
  const found = spawnSync('mbpoll', ['-V'], { stdio: 'ignore' }).error === undefined;
  if (!found && process.env.CI) throw new Error('CI=true but mbpoll is not installed: .ci/run must apt-get install mbpoll');
  return found;
}

/** Runs mbpoll once; returns the values it printed as `[ref]: value` lines. */
function mbpoll(tty: string, args: string[], write: string[] = []): Promise<{ code: number; values: Map<number, number>; output: string }> {
  return new Promise((resolve) => {
    // Values to write come after the device, as mbpoll expects.
    execFile('mbpoll', ['-m', 'rtu', '-b', '9600', '-P', 'none', '-a', '1', '-1', '-o', '1', ...args, tty, ...write], { timeout: 10_000 }, (err, stdout, stderr) => {
      const values = new Map<number, number>();
      for (const m of stdout.matchAll(/^\[(\d+)\]:\s+(-?\d+)/gm)) values.set(Number(m[1]), Number(m[2]));
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, values, output: stdout + stderr });
    });
  });
}

describe.skipIf(SKIP_WITHOUT_SOCAT || !haveMbpoll())('Modbus RTU against libmodbus (mbpoll)', () => {
  let cleanup: () => void;
  let sim: SimProcess;
  let link: string;

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    link = join(dir, 'bus');
    sim = await SimProcess.start(link, ['--protocol', 'modbus-rtu', '--boards', '1', '--locks', '8', '--pulse-ms', '300']);
  });

  afterEach(async () => {
    await sim.stop();
    cleanup();
  });

  it('answers FC 02 with the latch inputs, and libmodbus accepts every frame and CRC', async () => {
    await sim.cmd('open 1 3');
    const r = await mbpoll(link, ['-t', '1', '-r', '1', '-c', '8']);
    expect(r.code, r.output).toBe(0);
    // one-is-closed: 1 = latched; door 3 was pulled open.
    expect([...r.values.entries()]).toEqual([[1, 1], [2, 1], [3, 0], [4, 1], [5, 1], [6, 1], [7, 1], [8, 1]]);
  });

  it('switches a relay with FC 05 and reads it back with FC 01; the powered lock releases', async () => {
    const on = await mbpoll(link, ['-t', '0', '-r', '2'], ['1']);
    expect(on.code, on.output).toBe(0);
    const coils = await mbpoll(link, ['-t', '0', '-r', '1', '-c', '4']);
    expect([...coils.values.entries()]).toEqual([[1, 0], [2, 1], [3, 0], [4, 0]]);
    await new Promise((r) => setTimeout(r, 100));
    const inputs = await mbpoll(link, ['-t', '1', '-r', '2', '-c', '1']);
    expect(inputs.values.get(2), inputs.output).toBe(0);
    const off = await mbpoll(link, ['-t', '0', '-r', '2'], ['0']);
    expect(off.code, off.output).toBe(0);
  });

  it('answers a read beyond its inputs with a Modbus exception that libmodbus understands', async () => {
    const r = await mbpoll(link, ['-t', '1', '-r', '8', '-c', '4']);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/Illegal data address/i);
  });
});
