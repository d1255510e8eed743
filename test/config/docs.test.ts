import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { packageRoot } from '../../src/config/paths.js';
import { configSchema } from '../../src/config/schema.js';

type Node = { properties?: Record<string, Node>; items?: Node; oneOf?: Node[]; default?: unknown };

/** Every key the schema accepts, written as in the docs: `buses[].boards[].id`. */
function keyPaths(node: Node, prefix: string, out: Array<{ path: string; node: Node }>): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push({ path, node: child });
    keyPaths(child, path, out);
  }
  if (node.items) keyPaths(node.items, `${prefix}[]`, out);
  for (const branch of node.oneOf ?? []) keyPaths(branch, prefix, out);
}

describe('the configuration reference in README.md', () => {
  const doc = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  const keys: Array<{ path: string; node: Node }> = [];
  keyPaths(configSchema as Node, '', keys);

  it('documents every key of the schema', () => {
    expect(keys.length).toBeGreaterThan(40);
    const missing = keys.filter(({ path }) => !doc.includes(`| \`${path}\` |`)).map(({ path }) => path);
    expect(missing).toEqual([]);
  });

  it('states each scalar default as the schema has it', () => {
    const wrong = keys
      .filter(({ node }) => node.default !== undefined && typeof node.default !== 'object')
      .filter(({ path, node }) => !rowOf(doc, path).includes(`| \`${JSON.stringify(node.default)}\` |`))
      .map(({ path }) => path);
    expect(wrong).toEqual([]);
  });
});

function rowOf(doc: string, path: string): string {
  return doc.split('\n').find((line) => line.startsWith(`| \`${path}\` |`)) ?? '';
}
