import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { CONFIGURATION_DOC, keyRows, renderConfigDocs } from '../../src/config/config-docs.js';
import { packageRoot } from '../../src/config/paths.js';
import { configSchema } from '../../src/config/schema.js';

type Node = { properties?: Record<string, Node>; items?: Node; oneOf?: Node[]; default?: unknown };

/** Every key the schema accepts, written as in the docs: `buses[].boards[].id`. Walked here, not by the generator. */
function keyPaths(node: Node, prefix: string, out: Array<{ path: string; node: Node }>): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push({ path, node: child });
    keyPaths(child, path, out);
  }
  if (node.items) keyPaths(node.items, `${prefix}[]`, out);
  for (const branch of node.oneOf ?? []) keyPaths(branch, prefix, out);
}

describe('the configuration reference, docs/configuration.md', () => {
  const doc = readFileSync(join(packageRoot(), CONFIGURATION_DOC), 'utf8');
  const keys: Array<{ path: string; node: Node }> = [];
  keyPaths(configSchema as Node, '', keys);

  it('is the text generated from the schema (run npm run docs:config after changing the schema or the template)', () => {
    expect(doc).toBe(renderConfigDocs());
  });

  it('documents every key of the schema, each with what it means', () => {
    expect(keys.length).toBeGreaterThan(40);
    const missing = keys.filter(({ path }) => !doc.includes(`| \`${path}\` |`)).map(({ path }) => path);
    expect(missing).toEqual([]);
    const unexplained = [...keyRows().values()].filter((r) => r.meaning.trim().length < 3).map((r) => r.path);
    expect(unexplained).toEqual([]);
  });

  it('states each scalar default as the schema has it', () => {
    const wrong = keys
      .filter(({ node }) => node.default !== undefined && typeof node.default !== 'object')
      .filter(({ path, node }) => !rowOf(doc, path).includes(`| \`${JSON.stringify(node.default)}\` |`))
      .map(({ path }) => path);
    expect(wrong).toEqual([]);
  });

  it('refuses a template that leaves a key out, naming it', () => {
    expect(() => renderConfigDocs(configSchema, '{{table top}}\n')).toThrow(/has no table for log\.level, /);
  });
});

function rowOf(doc: string, path: string): string {
  return doc.split('\n').find((line) => line.startsWith(`| \`${path}\` |`)) ?? '';
}
