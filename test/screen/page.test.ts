/**
 * The page's own files, read as the server serves them: its words in every language of the
 * kiosk's catalogue, and no way for a text from the daemon to become markup.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../src/kiosk/screen.js';
import { staticDir } from '../../src/screen/static-files.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("the screen page's files", () => {
  it('has every page string in every kiosk language, with the same placeholders', async () => {
    const { STRINGS } = (await import(pathToFileURL(join(staticDir(), 'strings.js')).href)) as { STRINGS: Record<string, Record<string, string>> };
    expect(Object.keys(STRINGS).sort()).toEqual([...LANGUAGES].sort());
    const en = STRINGS.en!;
    for (const language of LANGUAGES) {
      const table = STRINGS[language]!;
      expect(Object.keys(table).sort(), language).toEqual(Object.keys(en).sort());
      for (const [id, text] of Object.entries(table)) {
        expect(text.trim(), `${language}.${id}`).not.toBe('');
        expect(placeholders(text), `${language}.${id}`).toEqual(placeholders(en[id]!));
      }
    }
  });

  it('never turns text into markup: no innerHTML, outerHTML, insertAdjacentHTML, document.write or eval', () => {
    for (const f of readdirSync(staticDir()).filter((f) => f.endsWith('.js'))) {
      const js = readFileSync(join(staticDir(), f), 'utf8');
      expect(js, f).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
    }
  });

  it('has no inline script or style attribute in the page (the CSP would block them)', () => {
    const html = readFileSync(join(staticDir(), 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/<style/i);
  });
});
