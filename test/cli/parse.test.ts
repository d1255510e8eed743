/**
 * lockerctl's parsing (node:util parseArgs, strict): switches take no value, options that take
 * one refuse to go without, unknown options and commands are named (with a suggestion when one
 * is close), and `--` ends the options.
 */
import { describe, expect, it } from 'vitest';
import { parseCommandLine, run } from '../../src/cli/lockerctl.js';
import { editDistance } from '../../src/cli/suggest.js';

const refusal = (...argv: string[]): string => {
  try {
    parseCommandLine(argv);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`parsed: ${argv.join(' ')}`);
};

async function ctl(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

describe('lockerctl parsing', () => {
  it('takes a switch only alone: --json=false is refused, not read as --json', async () => {
    expect(refusal('--json=false', 'status')).toBe('--json takes no value: give --json alone, or leave it out');
    expect(refusal('outbox', '--unsent=yes')).toBe('--unsent takes no value: give --unsent alone, or leave it out');
    const r = await ctl('--json=false', 'status');
    expect(r).toEqual({ code: 64, out: '', err: "lockerctl: --json takes no value: give --json alone, or leave it out\nsee 'lockerctl status --help'\n" });
  });

  it('refuses an option that needs a value without one, at the end or before another option', () => {
    expect(refusal('parcels', '--limit')).toBe('--limit needs a value, e.g. --limit N');
    expect(refusal('parcels', '--limit', '--json')).toBe('--limit needs a value, e.g. --limit N (for one starting with "-" write --limit=...)');
    expect(refusal('--socket')).toBe('--socket needs a value, e.g. --socket PATH');
    expect(refusal('status', '--socket')).toBe('--socket needs a value, e.g. --socket PATH');
  });

  it('names an unknown option, or the command it belongs to, with a suggestion when close', () => {
    expect(refusal('status', '--bogus')).toBe('unknown option --bogus');
    expect(refusal('outbox', '--unsnet')).toBe('unknown option --unsnet; did you mean --unsent?');
    expect(refusal('status', '--reason', 'x')).toBe("option --reason does not apply to 'status'");
    expect(refusal('status', '-x')).toBe('unknown option -x');
  });

  it('reads the global options anywhere, and a command option after its words', () => {
    const p = parseCommandLine(['status', '--json', '--socket', '/run/x.sock']);
    expect(p.flags).toEqual({ '--json': true, '--socket': '/run/x.sock' });
    const q = parseCommandLine(['lock', '--json', 'open', 'A03', '--reason=a = b']);
    expect(q.command!.request!(q.rest, q.flags)).toEqual({ command: 'lock.open', args: { compartment: 'A03', reason: 'a = b' } });
  });

  it('takes everything after -- as words, even what looks like an option', () => {
    const p = parseCommandLine(['sim', 'scan', '--', '--json', '-h']);
    expect(p.flags).toEqual({});
    expect(p.command!.request!(p.rest, p.flags)).toEqual({ command: 'sim.scan', args: { text: '--json -h' } });
    const q = parseCommandLine(['barcode', 'parse', '--', '-123']);
    expect(q.rest).toEqual(['-123']);
  });

  it('suggests the command a typo was meant to be (Damerau-Levenshtein, at most 2 edits)', () => {
    expect(editDistance('stauts', 'status')).toBe(1);
    expect(editDistance('status', 'status')).toBe(0);
    expect(editDistance('abc', 'xyz')).toBe(3);
    expect(refusal('stauts')).toBe("unknown command 'stauts'; did you mean 'status'?");
    expect(refusal('sim', 'dor', 'A01', 'open')).toBe("unknown command 'sim dor'; did you mean 'sim door'?");
    expect(refusal('lok', 'open', 'A01')).toBe("unknown command 'lok open'; did you mean 'lock open'?");
    expect(refusal('parcels', 'shwo', 'x')).toBe("unknown command 'parcels shwo'; did you mean 'parcels show'?");
    expect(refusal('compartmnts')).toBe("unknown command 'compartmnts'; did you mean 'compartments'?");
    expect(refusal('frobnicate')).toBe("unknown command 'frobnicate'");
    expect(refusal('sim')).toBe("'sim' needs one of: scan, keys, sign, door, notices, climate");
    // A word that is no command word (a code typed in the wrong place) is not repeated.
    expect(refusal('48151623#')).toBe("unknown command (9 characters that are not a command word)");
  });

  it('prints a suggestion and the help to read, in one line each, exit 64', async () => {
    expect(await ctl('stauts')).toEqual({ code: 64, out: '', err: "lockerctl: unknown command 'stauts'; did you mean 'status'?\nsee 'lockerctl --help'\n" });
    expect((await ctl('sim', 'dor', 'A01', 'open')).err).toBe("lockerctl: unknown command 'sim dor'; did you mean 'sim door'?\nsee 'lockerctl sim --help'\n");
    // An argument count the command refuses: its own help.
    expect(await ctl('parcels', 'show')).toEqual({ code: 64, out: '', err: "lockerctl: usage: lockerctl parcels show ID\nsee 'lockerctl parcels show --help'\n" });
  });
});
