/**
 * The README's walk-throughs of the other storage kinds, typed as written: each subsection of
 * "Package rooms, front desks, outdoor cabinets" starts the example its first line names
 * (`npm start -- --config FILE`; here the built daemon on that file, its ledger, socket and screen
 * moved into a temp dir and upstream off), then runs every `npx lockerctl` line in order. The
 * resident's code (`CODE`) is read from `sim notices` as a reader would. Each command must
 * succeed and print every "quoted" text of its comment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Daemon, LOCKERCTL } from '../helpers/daemon.js';
import { exampleConfig, ROOT, tempDir } from '../helpers/fixtures.js';
import { quoted, sectionOf, sh, shCommands } from '../helpers/walkthrough.js';

const SECTION = '## Package rooms, front desks, outdoor cabinets';
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const walks = [...sectionOf(readme, SECTION).matchAll(/^### (.+)$/gm)].map((m) => {
  const commands = shCommands(sectionOf(readme, `### ${m[1]}`));
  return { title: m[1]!, start: commands[0]!, commands: commands.slice(1) };
});

describe("the README's walk-throughs of rooms, desks and cabinets, typed literally", () => {
  it('walks each of the four storage examples', () => {
    expect(walks.map((w) => /--config (\S+)$/.exec(w.start)?.[1])).toEqual([
      'config/examples/package-room.json',
      'config/examples/lockers-with-room-overflow.json',
      'config/examples/front-desk.json',
      'config/examples/outdoor-cabinet.json',
    ]);
    for (const w of walks) expect(w.commands.every((c) => c.startsWith('npx lockerctl ')), w.title).toBe(true);
  });

  it.each(walks.map((w) => [w.title, w] as const))('%s', async (_title, walk) => {
    const { dir, cleanup } = tempDir();
    const configPath = exampleConfig(/--config config\/examples\/(\S+)$/.exec(walk.start)![1]!, dir);
    const daemon = Daemon.spawn(configPath);
    try {
      await daemon.ready(20_000);
      let code: string | null = null;
      for (const line of walk.commands) {
        if (line.includes('CODE') && code === null) throw new Error(`"${line}" needs the code, and no earlier step printed it`);
        const typed = code === null ? line : line.replaceAll('CODE', code);
        const r = await sh(typed.replace(/^npx lockerctl /, `"${process.execPath}" "${LOCKERCTL}" `), { LOCKERD_CONFIG: configPath });
        expect({ line: typed, code: r.code, stderr: r.stderr }).toEqual({ line: typed, code: 0, stderr: '' });
        if (/^npx lockerctl sim notices\b/.test(line)) {
          code = /key it: npx lockerctl sim keys (\d+)#/.exec(r.stdout)?.[1] ?? null;
          expect(code, r.stdout).toMatch(/^\d{8}$/);
        }
        for (const text of quoted(line)) expect(r.stdout, `${typed}\nprinted:\n${r.stdout}`).toContain(text);
      }
    } finally {
      await daemon.stop();
      cleanup();
    }
  }, 120_000);
});
