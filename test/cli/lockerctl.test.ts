import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { commandHelp } from '../../src/cli/help.js';
import { parseCommandLine, run, usage } from '../../src/cli/lockerctl.js';

describe('lockerctl command line', () => {
  it('maps words and options to one control request', () => {
    const p = parseCommandLine(['--json', 'lock', 'open', 'A03', '--reason', 'hinge check']);
    expect(p.flags['--json']).toBe(true);
    expect(p.command!.request!(p.rest, p.flags)).toEqual({ command: 'lock.open', args: { compartment: 'A03', reason: 'hinge check' } });
    const q = parseCommandLine(['parcels', '--state=deposited', '--limit', '5']);
    expect(q.command!.request!(q.rest, q.flags)).toEqual({ command: 'parcels', args: { state: 'deposited', limit: 5 } });
    const s = parseCommandLine(['bus', 'scan', '--addresses', '1-16']);
    expect(s.command!.request!(s.rest, s.flags)).toEqual({ command: 'bus.scan', args: { from: 1, to: 16 } });
    const one = parseCommandLine(['bus', 'scan', '--addresses=5']);
    expect(one.command!.request!(one.rest, one.flags)).toEqual({ command: 'bus.scan', args: { from: 5, to: 5 } });
    const all = parseCommandLine(['bus', 'scan']);
    expect(all.command!.request!(all.rest, all.flags)).toEqual({ command: 'bus.scan', args: {} });
  });

  it('refuses what it does not understand, saying what', () => {
    expect(() => parseCommandLine(['frobnicate'])).toThrow(/^unknown command 'frobnicate'$/);
    expect(() => parseCommandLine(['status', '--bogus'])).toThrow('unknown option --bogus');
    expect(() => parseCommandLine(['status', '--reason', 'x'])).toThrow("option --reason does not apply to 'status'");
    const p = parseCommandLine(['lock', 'open', 'A03']);
    expect(() => p.command!.request!(p.rest, p.flags)).toThrow(/needs --reason/);
    const q = parseCommandLine(['parcels', '--limit', '0']);
    expect(() => q.command!.request!(q.rest, q.flags)).toThrow('--limit must be a whole number of at least 1');
    for (const bad of ['x', '1-', '1-2-3', '1..4']) {
      const s = parseCommandLine(['bus', 'scan', '--addresses', bad]);
      expect(() => s.command!.request!(s.rest, s.flags)).toThrow('--addresses takes one address or a range, e.g. --addresses 5 or --addresses 1-16');
    }
    // A value that starts with a dash is taken for an option unless it is a number or written with "=".
    expect(() => parseCommandLine(['bus', 'scan', '--addresses', '--json'])).toThrow('--addresses needs a value, e.g. --addresses N|FROM-TO (for one starting with "-" write --addresses=...)');
    for (const neg of [['--addresses', '-4'], ['--addresses=-4']]) {
      const p = parseCommandLine(['bus', 'scan', ...neg]);
      expect(() => p.command!.request!(p.rest, p.flags)).toThrow('--addresses takes one address or a range');
    }
  });

  it('maps throttle reset to one request, and refuses it without a reason', () => {
    const p = parseCommandLine(['throttle', 'reset', '--reason', 'checked the camera: a child']);
    expect(p.command!.request!(p.rest, p.flags)).toEqual({ command: 'throttle.reset', args: { reason: 'checked the camera: a child' } });
    const q = parseCommandLine(['throttle', 'reset']);
    expect(() => q.command!.request!(q.rest, q.flags)).toThrow('throttle reset needs --reason TEXT (it goes into the audit trail and upstream)');
    const st = parseCommandLine(['throttle', 'status']);
    expect(st.command!.request!(st.rest, st.flags)).toEqual({ command: 'throttle.status', args: {} });
    const budget = { waitMs: 0, suspected: false, failuresLastHour: 0, failuresLastDay: 0 };
    expect(st.command!.format({ code: { waitMs: 899_500, suspected: true, failuresLastHour: 10, failuresLastDay: 12 }, pin: budget })).toBe(
      'codes: wait 900 s before the next check; 12 wrong in 24 h (10 in the last hour); GUESSING SUSPECTED: each wrong entry makes everyone wait; lockerctl throttle reset --reason TEXT clears it\nPINs: no wait; 0 wrong in 24 h (0 in the last hour)\n',
    );
  });

  it('lists every command in its overview, and each command shows its synopsis in its own help', async () => {
    for (const words of ['status', 'sim door', 'lock open', 'bus scan', 'mqtt check', 'doors', 'throttle reset']) expect(await usage()).toContain(words);
    for (const c of COMMANDS) expect(commandHelp(c, COMMANDS)).toContain(`usage: lockerctl ${c.usage}`);
  });

  it('exits 64 with one line and where to read more on a usage error, and 69 (EX_UNAVAILABLE) when no daemon answers', async () => {
    const err: string[] = [];
    expect(await run(['nope'], () => {}, (s) => err.push(s))).toBe(64);
    expect(err.join('')).toBe("lockerctl: unknown command 'nope'\nsee 'lockerctl --help'\n");
    const err2: string[] = [];
    expect(await run(['--socket', '/nonexistent/lockerd.sock', 'status'], () => {}, (s) => err2.push(s))).toBe(69);
    expect(err2.join('')).toMatch(/^lockerctl: lockerd is not running \(no control socket at \/nonexistent\/lockerd.sock\); start it with npm start or systemctl start lockerd\n$/);
  });
});
