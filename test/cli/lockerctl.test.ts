import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/command.js';
import { parseCommandLine, run, usage } from '../../src/cli/lockerctl.js';

describe('lockerctl command line', () => {
  it('maps words and options to one control request', () => {
    const p = parseCommandLine(['--json', 'lock', 'open', 'A03', '--reason', 'hinge check']);
    expect(p.flags['--json']).toBe(true);
    expect(p.command!.request!(p.rest, p.flags)).toEqual({ command: 'lock.open', args: { compartment: 'A03', reason: 'hinge check' } });
    const q = parseCommandLine(['parcels', '--state=deposited', '--limit', '5']);
    expect(q.command!.request!(q.rest, q.flags)).toEqual({ command: 'parcels', args: { state: 'deposited', limit: 5 } });
  });

  it('refuses what it does not understand, saying what', () => {
    expect(() => parseCommandLine(['frobnicate'])).toThrow(new UsageError('unknown command "frobnicate"'));
    expect(() => parseCommandLine(['status', '--bogus'])).toThrow('unknown option --bogus');
    expect(() => parseCommandLine(['status', '--reason', 'x'])).toThrow('option --reason does not apply to "status"');
    const p = parseCommandLine(['lock', 'open', 'A03']);
    expect(() => p.command!.request!(p.rest, p.flags)).toThrow(/needs --reason/);
    const q = parseCommandLine(['parcels', '--limit', '0']);
    expect(() => q.command!.request!(q.rest, q.flags)).toThrow('--limit must be a whole number of at least 1');
  });

  it('lists every command in its usage text', () => {
    for (const words of ['status', 'sim door', 'lock open', 'bus scan', 'mqtt check', 'doors']) expect(usage()).toContain(words);
  });

  it('exits 64 with the usage on a usage error, and 1 when no daemon answers', async () => {
    const err: string[] = [];
    expect(await run(['nope'], () => {}, (s) => err.push(s))).toBe(64);
    expect(err.join('')).toMatch(/^lockerctl: unknown command "nope"/);
    const err2: string[] = [];
    expect(await run(['--socket', '/nonexistent/lockerd.sock', 'status'], () => {}, (s) => err2.push(s))).toBe(1);
    expect(err2.join('')).toMatch(/lockerd is not running/);
  });
});
