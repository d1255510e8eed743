/**
 * The README's walk-through, typed as written: every command of its ```sh blocks runs in a shell
 * against the built daemon on the demo locker, in order. The one thing substituted is the
 * resident's code (`CODE`, and the example code in the comments), read from `sim notices` as a
 * reader would. Each command must succeed, and every "quoted" screen text in its comment must be
 * in what it printed, so the walk-through cannot rot.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon, LOCKERCTL } from '../helpers/daemon.js';
import { ROOT, tempDir, testConfigJson, writeConfig } from '../helpers/fixtures.js';
import { grouped, quoted, sectionOf, sh, shCommands } from '../helpers/walkthrough.js';

const SECTION = '## Walk a parcel through the simulated locker';
/** The example code the README shows for `sim notices`; the reader's own replaces it. */
const EXAMPLE_CODE = '97193319';

/** The commands of the walk-through's ```sh blocks, in order. */
function walkthroughCommands(readme: string): string[] {
  return shCommands(sectionOf(readme, SECTION));
}

describe("the README's walk-through, typed literally", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  let cleanup: () => void;
  let daemon: Daemon;
  let configPath: string;

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    // The demo locker as `npm start` runs it, its files in a temporary directory and offline.
    configPath = writeConfig(dir, testConfigJson(dir));
    daemon = Daemon.spawn(configPath);
    await daemon.ready();
  });

  afterAll(async () => {
    await daemon?.stop();
    cleanup?.();
  });

  it('uses `npx lockerctl`, which is this package\'s own CLI', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(join(ROOT, pkg.bin.lockerctl!)).toBe(LOCKERCTL);
    const commands = walkthroughCommands(readme);
    expect(commands.length).toBeGreaterThanOrEqual(10);
    expect(commands.every((c) => c.startsWith('npx lockerctl '))).toBe(true);
  });

  it('delivers and picks up the parcel, each step printing what the README says', async () => {
    let code: string | null = null;
    for (const line of walkthroughCommands(readme)) {
      if (line.includes('CODE') && code === null) throw new Error(`"${line}" needs the code, and no earlier step printed it`);
      const typed = code === null ? line : line.replaceAll('CODE', code);
      // npx would find the same script through package.json's bin; run it directly (npx takes seconds to start here).
      const r = await sh(typed.replace(/^npx lockerctl /, `"${process.execPath}" "${LOCKERCTL}" `), { LOCKERD_CONFIG: configPath });
      expect({ line: typed, code: r.code, stderr: r.stderr }).toEqual({ line: typed, code: 0, stderr: '' });
      if (/^npx lockerctl sim notices\b/.test(line)) {
        code = /key it: npx lockerctl sim keys (\d+)#/.exec(r.stdout)?.[1] ?? null;
        expect(code, r.stdout).toMatch(/^\d{8}$/);
      }
      for (const text of quoted(line)) {
        const expected = code === null ? text : text.replace(grouped(EXAMPLE_CODE), grouped(code)).replace(EXAMPLE_CODE, code);
        expect(r.stdout, `${typed}\nprinted:\n${r.stdout}`).toContain(expected);
      }
    }
    expect(code).not.toBeNull();
    // The end state the walk-through describes: the parcel picked up, both events waiting for upstream.
    const parcels = await sh(`"${process.execPath}" "${LOCKERCTL}" --json parcels`, { LOCKERD_CONFIG: configPath });
    expect((JSON.parse(parcels.stdout) as { state: string; compartmentId: string }[]).map((p) => [p.compartmentId, p.state])).toEqual([['A01', 'picked_up']]);
    const outbox = await sh(`"${process.execPath}" "${LOCKERCTL}" --json outbox`, { LOCKERD_CONFIG: configPath });
    expect((JSON.parse(outbox.stdout) as { events: { type: string }[] }).events.map((e) => e.type)).toEqual(['parcel.picked_up', 'parcel.deposited']);
  }, 120_000); // a dozen CLI processes, one after another, on a shared machine

  it('shows in the README the code format sim notices prints', () => {
    expect(readme).toContain(`code ${grouped(EXAMPLE_CODE)}`);
    expect(readme).toContain(`key it: npx lockerctl sim keys ${EXAMPLE_CODE}#`);
  });
});
