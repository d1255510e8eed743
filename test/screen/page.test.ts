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

/** WCAG 2.x relative luminance and contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
}

describe("the screen page's colours", () => {
  const css = readFileSync(join(staticDir(), 'screen.css'), 'utf8');
  const block = (selector: string) => {
    const body = new RegExp(`${selector.replace('.', '\\.')}\\s*\\{([^}]*)\\}`).exec(css)![1]!;
    return Object.fromEntries([...body.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6})/g)].map((m) => [m[1], m[2]]));
  };
  const normal = block(':root');
  const modes = { normal, 'high contrast': { ...normal, ...block('body.hc') } };
  // Text on its background (4.5:1, WCAG 2.2 AA 1.4.3) and the highlights against the page (3:1, 1.4.11).
  const text = [['fg', 'bg'], ['fg', 'panel'], ['muted', 'bg'], ['on-primary', 'primary'], ['primary', 'on-primary'], ['err', 'err-bg'], ['fg', 'ok-bg'], ['on-open', 'open'], ['on-state', 'closed'], ['on-state', 'failed']];
  const shapes = [['open-edge', 'bg'], ['closed', 'bg'], ['failed', 'bg'], ['line', 'bg'], ['primary', 'bg'], ['focus', 'bg']];

  for (const [mode, v] of Object.entries(modes)) {
    it(`meets WCAG 2.2 AA in ${mode} mode`, () => {
      for (const [f, b] of text) expect(contrast(v[f!]!, v[b!]!), `${mode}: --${f} on --${b}`).toBeGreaterThanOrEqual(4.5);
      for (const [f, b] of shapes) expect(contrast(v[f!]!, v[b!]!), `${mode}: --${f} against --${b}`).toBeGreaterThanOrEqual(3);
    });
  }
});
