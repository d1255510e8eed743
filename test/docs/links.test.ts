/**
 * Every link in README.md and docs/*.md resolves inside the repository: to a file that exists
 * and, with `#anchor`, to a heading of it (GitHub's slugs). No link leaves the repository
 * (`../` above its root, absolute paths); web links are not followed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';

const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Markdown outside fenced code blocks and inline code, where a link is a link. */
function prose(text: string): string {
  return text
    .split(/^```.*$/m)
    .filter((_, i) => i % 2 === 0)
    .join('\n')
    .replace(/`[^`\n]*`/g, '``');
}

function links(text: string): string[] {
  const out: string[] = [];
  for (const m of prose(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push(m[1]!);
  for (const m of prose(text).matchAll(/^\[[^\]]+\]:\s*(\S+)/gm)) out.push(m[1]!);
  return out;
}

/** GitHub's anchor for each heading of a Markdown file, with -1, -2 for repeats. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const block of text.split(/^```.*$/m).filter((_, i) => i % 2 === 0)) {
    for (const m of block.matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
      const slug = m[1]!
        .toLowerCase()
        .replace(/<[^>]+>/g, '')
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-');
      const n = seen.get(slug) ?? 0;
      seen.set(slug, n + 1);
      out.add(n === 0 ? slug : `${slug}-${n}`);
    }
  }
  return out;
}

describe('links in README.md and docs/*.md', () => {
  it('finds the documents and their links', () => {
    expect(docs).toContain('docs/design.md');
    expect(links(readFileSync(join(ROOT, 'README.md'), 'utf8')).length).toBeGreaterThan(15);
  });

  for (const doc of docs) {
    it(`${doc}: every link resolves to a file, and an anchor to a heading, inside the repository`, () => {
      const text = readFileSync(join(ROOT, doc), 'utf8');
      const broken: string[] = [];
      for (const link of links(text)) {
        if (/^(https?|mailto):/i.test(link)) continue;
        const [path = '', anchor] = link.split('#');
        if (path.startsWith('/') || /^[a-z]+:/i.test(path)) {
          broken.push(`${link}: not a path inside the repository`);
          continue;
        }
        const target = path === '' ? join(ROOT, doc) : resolve(ROOT, dirname(doc), decodeURIComponent(path));
        const inRepo = relative(ROOT, target);
        if (inRepo.startsWith('..') || inRepo.split(sep).includes('node_modules')) {
          broken.push(`${link}: outside the repository`);
          continue;
        }
        if (!existsSync(target)) {
          broken.push(`${link}: no such file`);
          continue;
        }
        if (anchor !== undefined && anchor !== '' && statSync(target).isFile() && target.endsWith('.md')) {
          if (!anchors(readFileSync(target, 'utf8')).has(anchor)) broken.push(`${link}: no heading with that anchor`);
        }
      }
      expect(broken).toEqual([]);
    });
  }

  it('names no path outside the repository in prose either', () => {
    const outside = docs.filter((doc) => /(^|[\s(`'"])(\.\.\/shared|\/work\/)/m.test(readFileSync(join(ROOT, doc), 'utf8')));
    expect(outside).toEqual([]);
  });
});
