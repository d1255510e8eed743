/**
 * Every command answers --help on its own (and `lockerctl help WORDS` the same): its synopsis,
 * what it does, its options and an example, within 80 columns. The overview is short and grouped,
 * and ends with the exit statuses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandName } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { groupOf } from '../../src/cli/parse.js';
import { run } from '../../src/cli/lockerctl.js';
import { lockerctl } from '../helpers/daemon.js';
import { ROOT } from '../helpers/fixtures.js';

async function ctl(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

const tooWide = (text: string): string[] => text.split('\n').filter((l) => l.length > 80);

describe('lockerctl help', () => {
  it.each(COMMANDS.map((c) => [commandName(c), c] as const))('%s --help: usage, description, options, example, within 80 columns', async (_name, c) => {
    const r = await ctl(...c.words, '--help');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out.startsWith(`usage: lockerctl ${c.usage.split(' ').slice(0, c.words.length).join(' ')}`)).toBe(true);
    expect(r.out).toMatch(/\nexamples?:\n {2}lockerctl /);
    for (const f of c.flags ?? []) {
      expect(r.out).toContain(f.name);
      expect(f.help, `${commandName(c)} ${f.name} has no help text`).toBeTruthy();
    }
    expect(c.description, `${commandName(c)} has no description`).toBeTruthy();
    expect(c.group, `${commandName(c)} has no group`).toBeTruthy();
    expect(tooWide(r.out)).toEqual([]);
    // The same text by `help WORDS` and by -h, and whatever else is on the line.
    expect((await ctl('help', ...c.words)).out).toBe(r.out);
    expect((await ctl(...c.words, '-h', '--bogus', 'extra')).out).toBe(r.out);
  });

  it('lists a group of commands by its first word (lockerctl sim --help)', async () => {
    const groups = new Set(COMMANDS.map((c) => groupOf(c.words, COMMANDS)?.join(' ')).filter((g): g is string => g !== undefined));
    expect([...groups]).toEqual(expect.arrayContaining(['sim', 'lock', 'bus', 'ledger', 'throttle', 'parcels', 'gpio', 'config']));
    for (const g of groups) {
      const r = await ctl(...g.split(' '), '--help');
      expect(r.code, g).toBe(0);
      expect(tooWide(r.out)).toEqual([]);
      for (const c of COMMANDS.filter((c) => commandName(c).startsWith(`${g} `))) expect(r.out).toContain(commandName(c));
    }
    // A command that is also a group's first word shows its own help, naming the longer ones.
    expect((await ctl('parcels', '--help')).out).toContain('see also: lockerctl parcels show');
  });

  it('gives a short grouped overview for --help and for no command at all, with the exit statuses', async () => {
    const r = await ctl('--help');
    expect(r.code).toBe(0);
    expect(await ctl()).toEqual(r);
    expect((await ctl('help')).out).toBe(r.out);
    const lines = r.out.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(25);
    expect(tooWide(r.out)).toEqual([]);
    for (const c of COMMANDS) expect(r.out.replace(/\n\s+/g, ' ')).toContain(commandName(c));
    expect(r.out).toMatch(/^the locker: +status, /m);
    expect(r.out.replace(/\n\s+/g, ' ')).toMatch(/exit status: 0 done, 1 refused by the locker, 2 self-test failed, 64 usage error, 65 .*, 69 lockerd unreachable .*, 77 permission denied, 78 unusable config/);
  });

  it("prints the package's version", async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(await ctl('--version')).toEqual({ code: 0, out: `lockerctl ${version}\n`, err: '' });
    expect(JSON.parse((await ctl('--json', '--version')).out)).toEqual({ version });
  });

  it('docs/lockerctl.md lists every command and every exit status', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'lockerctl.md'), 'utf8');
    for (const c of COMMANDS) expect(doc, commandName(c)).toContain(`| \`${c.usage.replace(/\|/g, '\\|')}\` |`);
    for (const status of [0, 1, 2, 64, 65, 69, 70, 77, 78]) expect(doc).toMatch(new RegExp(`^\\| ${status} \\|`, 'm'));
  });

  it('answers help from the installed script too, without a daemon or a config', async () => {
    const r = await lockerctl(['sim', 'door', '--help'], { LOCKERD_CONFIG: '/nonexistent/config.json' });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^usage: lockerctl sim door COMPARTMENT open\|close\n/);
    expect((await lockerctl(['stauts'])).stderr).toBe("lockerctl: unknown command 'stauts'; did you mean 'status'?\nsee 'lockerctl --help'\n");
  });
});
