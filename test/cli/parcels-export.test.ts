/**
 * lockerctl's proof-of-delivery commands: `parcels show ID` and `export`. Their words map to one
 * control request; bad input (an id that is not one, a date that is not one, a format lockerctl
 * does not write, a file that exists) is refused with what is wrong, before or by the daemon, and
 * leaves no file behind. The CSV is one that a spreadsheet opens safely.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/command.js';
import { commandHelp } from '../../src/cli/help.js';
import { parseCommandLine, run } from '../../src/cli/lockerctl.js';
import { csvField, csvHeader } from '../../src/cli/proof-format.js';
import { request } from '../../src/control/client.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';
import { inProcessLockerctl } from '../helpers/control-app.js';

const ID = '01935c1e-7c2a-7000-8000-000000000001';

describe('lockerctl parcels show and export: the command line', () => {
  const req = (...argv: string[]) => {
    const p = parseCommandLine(argv);
    return p.command!.request!(p.rest, p.flags);
  };

  it('maps each to one control request', () => {
    expect(req('parcels', 'show', ID.toUpperCase())).toEqual({ command: 'parcel.show', args: { id: ID } });
    expect(req('export', '--format', 'csv')).toEqual({ command: 'parcels.export', args: {} });
    expect(req('export', '--format=json', '--since', '2026-11-01')).toEqual({ command: 'parcels.export', args: { since: '2026-11-01T00:00:00.000Z' } });
    expect(req('export', '--format', 'csv', '--since', '2026-11-01T09:00+01:00', '--out', 'x.csv')).toEqual({ command: 'parcels.export', args: { since: '2026-11-01T08:00:00.000Z' } });
    // `parcels` alone still lists parcels.
    expect(req('parcels', '--limit', '3')).toEqual({ command: 'parcels', args: { limit: 3 } });
    for (const words of ['parcels show ID', 'export --format csv|json']) {
      const p = parseCommandLine([...words.split(' ').slice(0, words.startsWith('parcels') ? 2 : 1), '--help']);
      expect(commandHelp(p.command!, [p.command!])).toContain(`usage: lockerctl ${words}`);
    }
  });

  it('refuses an id that is not a parcel id without repeating it (it may be a code), and a date that is not a date', () => {
    expect(() => req('parcels', 'show', '48151623')).toThrow(new UsageError('parcels show needs a parcel id, a UUID such as 01935c1e-7c2a-7000-8000-000000000001 (see lockerctl parcels); that was not one (8 characters)'));
    expect(() => req('parcels', 'show')).toThrow('usage: lockerctl parcels show ID');
    expect(() => req('parcels', 'show', ID, ID)).toThrow('usage: lockerctl parcels show ID');
    expect(() => req('export', '--format', 'csv', '--since', '2026-02-30')).toThrow('--since must be a date (2026-11-01, midnight UTC) or a time with its zone (2026-11-01T08:00:00Z, 2026-11-01T09:00+01:00), not "2026-02-30"');
    expect(() => req('export', '--format', 'csv', '--since', '2026-11-01T08:00')).toThrow(/--since must be a date/);
    expect(() => req('export', '--format', 'csv', 'everything')).toThrow('usage: lockerctl export --format csv|json [--since DATE] [--out FILE]');
  });

  it('an export cut short (Ctrl-C, the daemon gone) removes its file and exits 1', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'cut.csv');
      const p = parseCommandLine(['export', '--format', 'csv', '--out', file]);
      const sink = p.command!.sink!(p.flags, () => {});
      expect(existsSync(file)).toBe(true);
      expect(sink.close({ stopped: true, events: 0 })).toEqual({ message: `lockerctl: export stopped after 0 parcels; ${file} removed\n`, exitCode: 1 });
      expect(existsSync(file)).toBe(false);
      // To stdout there is nothing to remove: it says the output is incomplete.
      const q = parseCommandLine(['export', '--format', 'json']);
      let out = '';
      const toStdout = q.command!.sink!(q.flags, (t) => (out += t));
      expect(toStdout.close({ stopped: true, events: 0 })).toEqual({ message: 'lockerctl: export stopped after 0 parcels; the output is incomplete\n', exitCode: 1 });
      expect(out).toBe('');
    } finally {
      cleanup();
    }
  });

  it('writes CSV a spreadsheet reads as text: quoted where needed, no formula', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(4)).toBe('4');
    expect(csvField('A01')).toBe('A01');
    expect(csvField('a, "b"\nc')).toBe('"a, ""b""\nc"');
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField('+1Z')).toBe("'+1Z");
    expect(csvField('@SUM')).toBe("'@SUM");
    expect(csvHeader().split(',').length).toBe(36);
  });
});

describe('lockerctl parcels show and export: refusals from the daemon', () => {
  let h: LockerHarness;
  let dir: string;
  let cleanup: () => void;
  let socket: string;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    const config = testConfig(dir);
    socket = config.control.socketPath;
    h = await LockerHarness.start(config, captureLogger().log, undefined, { controlSocket: true });
  });

  afterAll(async () => {
    await h.stop();
    cleanup();
  });

  const ctl = inProcessLockerctl(() => socket);

  it('a parcel the ledger does not hold is named, and so is a wrong format or a --json that does not apply', async () => {
    expect(await ctl('parcels', 'show', ID)).toEqual({ code: 65, out: '', err: `lockerctl: no parcel ${ID} in this locker's ledger; see lockerctl parcels\n` });
    const xml = await ctl('export', '--format', 'xml');
    expect(xml.code).toBe(64);
    expect(xml.err).toBe('lockerctl: export needs --format csv or --format json, not "xml"\nsee \'lockerctl export --help\'\n');
    expect((await ctl('export')).err).toBe('lockerctl: export needs --format csv or --format json\nsee \'lockerctl export --help\'\n');
    expect((await ctl('--json', 'export', '--format', 'json')).err).toBe('{"error":"export writes JSON with --format json (one record per line); drop --json","code":"usage"}\n');
  });

  it('refuses an export from a date later than the locker\'s clock, and leaves no file', async () => {
    const file = join(dir, 'future.csv');
    const r = await ctl('export', '--format', 'csv', '--since', '2999-01-01', '--out', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^lockerctl: "since" 2999-01-01T00:00:00.000Z is later than the locker's clock \(\S+\): nothing to export\n$/);
    expect(existsSync(file)).toBe(false);
    // A file that exists is refused before the daemon is asked, and left as it was.
    writeFileSync(file, 'keep me');
    const again = await ctl('export', '--format', 'csv', '--out', file);
    expect(again.code).toBe(64);
    expect(again.err).toBe(`lockerctl: ${file} exists; give a new file name (an export never overwrites)\nsee 'lockerctl export --help'\n`);
  });

  it('the daemon checks its own arguments too: whatever a script sends, a specific refusal', async () => {
    const refusal = (command: string, args: Record<string, unknown>) => request(socket, command, args).then(() => 'answered', (e: Error) => e.message);
    expect(await refusal('parcel.show', {})).toBe('missing argument "id": the parcel id (see lockerctl parcels)');
    expect(await refusal('parcel.show', { id: 12 })).toBe('missing argument "id": the parcel id (see lockerctl parcels)');
    expect(await refusal('parcel.show', { id: 'x'.repeat(5000) })).toBe('"id" is not a parcel id (5000 characters); a parcel id is a UUID such as 01935c1e-7c2a-7000-8000-000000000001 (see lockerctl parcels)');
    expect(await refusal('parcels.export', { since: 'last week' })).toMatch(/^"since" must be a date .*, not "last week"$/);
    expect(await refusal('parcels.export', { since: 20261101 })).toMatch(/^"since" must be a date/);
    // An empty ledger exports nothing, and says so.
    const events: unknown[] = [];
    expect(await request(socket, 'parcels.export', {}, 5000, { onEvent: (e) => events.push(e) })).toEqual({ parcels: 0, since: null, until: expect.any(String) });
    expect(events).toEqual([]);
  });
});
