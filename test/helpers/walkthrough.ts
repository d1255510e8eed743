/**
 * A README walk-through, typed as written: the commands of a section's ```sh blocks and the
 * screen texts their comments quote. Used by test/docs/readme-*.test.ts so a walk-through
 * cannot rot.
 */
import { execFile } from 'node:child_process';
import { ROOT } from './fixtures.js';

/** The text of the section that starts with `heading` (up to the next heading of its level or above). */
export function sectionOf(readme: string, heading: string): string {
  const start = readme.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "${heading}" section`);
  const level = /^#+/.exec(heading)![0].length;
  const next = new RegExp(`\\n#{1,${level}} `, 'g');
  next.lastIndex = start + heading.length;
  const end = next.exec(readme)?.index;
  return readme.slice(start, end);
}

/** The commands of a section's ```sh blocks, in order. */
export function shCommands(section: string): string[] {
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].flatMap((m) => m[1]!.split('\n').filter((l) => l.trim() !== ''));
}

/** The screen texts a command's comment quotes, split at "..." (what the README leaves out). */
export function quoted(line: string): string[] {
  const comment = line.indexOf(' # ');
  if (comment < 0) return [];
  return [...line.slice(comment).matchAll(/"([^"]+)"/g)].flatMap((m) => m[1]!.split('...').map((s) => s.trim().replace(/,$/, ''))).filter((s) => s !== '');
}

/** A retrieval code as the kiosk prints it, in groups of four. */
export function grouped(code: string): string {
  return code.replace(/(\d{4})(?=\d)/g, '$1 ');
}

export function sh(line: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile('bash', ['-c', line], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr });
    });
  });
}
