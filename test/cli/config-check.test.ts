/** `lockerctl config check FILE`: the daemon's own validation, no daemon, exit 0 or 78 (EX_CONFIG). */
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/lockerctl.js';
import { tempDir, testConfigJson, writeConfig } from '../helpers/fixtures.js';

async function ctl(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

describe('lockerctl config check', () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);

  it('says what a usable config holds', async () => {
    const good = writeConfig(dir, testConfigJson(dir));
    // --socket to nowhere: no daemon is asked.
    expect(await ctl('--socket', '/nonexistent.sock', 'config', 'check', good)).toEqual({
      code: 0,
      out: `${good}: config OK (locker demo-locker: 28 compartments on 2 boards, 1 bus; 20 units, 3 couriers, 1 staff member)\n`,
      err: '',
    });
    expect(JSON.parse((await ctl('--json', 'config', 'check', good)).out)).toMatchObject({ file: good, compartments: 28, couriers: 3 });
  });

  it("prints the daemon's problems, one per line, never a PIN, and exits 78", async () => {
    const json = testConfigJson(dir) as { couriers: { id: string; carrier: string; pin: string }[]; compartments: { board: string }[] };
    json.couriers[1]!.pin = json.couriers[0]!.pin;
    json.compartments[0]!.board = 'B9';
    const bad = writeConfig(dir, json, 'bad.json');
    const r = await ctl('config', 'check', bad);
    expect(r.code).toBe(78);
    expect(r.out).toBe('');
    const lines = r.err.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^lockerctl: ${bad}: `));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(r.err).toContain('B9');
    expect(r.err).not.toContain(json.couriers[0]!.pin);
    const asJson = await ctl('--json', 'config', 'check', bad);
    expect(asJson.code).toBe(78);
    expect(JSON.parse(asJson.err)).toEqual({ error: expect.stringContaining(`${bad}: `), code: 'config' });
    expect((await ctl('config', 'check', `${dir}/missing.json`)).err).toBe(`lockerctl: ${dir}/missing.json: cannot read the configuration: no such file or directory (ENOENT)\n`);
    expect((await ctl('config', 'check')).code).toBe(64);
  });
});
