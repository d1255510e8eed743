/**
 * docs/configuration.md, generated from the settings schema (./schema.ts) so the reference cannot
 * drift from what the daemon accepts: every key, its type, default and allowed values come from the
 * schema, its meaning from the key's `title` (`description`, where a string has a `pattern`, is the
 * wording of the error a bad value gets, and is shown as what is allowed). The prose around the
 * tables is the template in ./config-docs-template.ts. `npm run docs:config` writes the file;
 * test/config/docs.test.ts fails when the committed one differs.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from './paths.js';
import { configSchema } from './schema.js';
import { CONFIGURATION_TEMPLATE } from './config-docs-template.js';

type Node = {
  type?: string;
  properties?: Record<string, Node>;
  required?: string[];
  items?: Node;
  oneOf?: Node[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  title?: string;
  description?: string;
};

/** One row of a key table. */
export interface KeyRow {
  /** As written in the docs and in error messages: `buses[].boards[].id`. */
  path: string;
  type: string;
  default: string;
  allowed: string;
  meaning: string;
  /** The `type` values of the list entries that have this key (all of them: empty). */
  branches: string[];
}

const code = (v: unknown): string => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;

function typeOf(n: Node): string {
  if (n.type === 'array') return 'list';
  if (n.type) return n.type;
  const values = n.enum ?? (n.const !== undefined ? [n.const] : []);
  if (values.length > 0 && values.every((v) => typeof v === 'string')) return 'string';
  if (values.length > 0 && values.every((v) => Number.isInteger(v))) return 'integer';
  return n.properties ? 'object' : '';
}

function range(min: number | undefined, max: number | undefined, unit = ''): string {
  if (min !== undefined && max !== undefined) return min === max ? `${min}${unit}` : `${min} to ${max}${unit}`;
  if (max !== undefined) return `at most ${max}${unit}`;
  if (min !== undefined) return `at least ${min}${unit}`;
  return '';
}

function allowedOf(n: Node): string {
  if (n.pattern !== undefined && n.description) return n.description;
  if (n.enum) return n.enum.map(code).join(', ');
  if (n.const !== undefined) return code(n.const);
  switch (n.type) {
    case 'boolean':
      return '`true`, `false`';
    case 'integer':
    case 'number':
      return range(n.minimum, n.maximum);
    case 'string':
      return range(n.minLength, n.maxLength, ' characters');
    case 'array': {
      const count = range(n.minItems, n.maxItems, ' entries');
      const each = n.items?.enum ? `, each one of ${n.items.enum.map(code).join(', ')}` : '';
      return count + each;
    }
    default:
      return n.properties ? 'see the keys below' : '';
  }
}

function meaningOf(n: Node): string {
  if (n.title) return n.title;
  // A description without a pattern says what the key is for (it is not an error's wording).
  return n.pattern === undefined && n.description ? n.description : '';
}

type Raw = KeyRow & { requiredIn: string[]; allowedIn: Array<[string, string]> };

/** Every key of `node`, depth first, in the schema's order; list entries of several types merged. */
function collect(node: Node, prefix: string, required: boolean, out: Map<string, Raw>, branch: string | null): void {
  const add = (path: string, n: Node, isRequired: boolean): void => {
    const row = out.get(path);
    if (row) {
      if (branch !== null && !row.branches.includes(branch)) row.branches.push(branch);
      // The same key in entries of another type: `type` lists every value, other keys say where they differ.
      const allowed = allowedOf(n);
      if (n.const !== undefined) row.allowed = `${row.allowed}, ${allowed}`;
      else if (allowed !== row.allowedIn[0]![1] && branch !== null) row.allowedIn.push([branch, allowed]);
      if (isRequired && branch !== null) row.requiredIn.push(branch);
      return;
    }
    out.set(path, {
      path,
      type: typeOf(n),
      default: n.default !== undefined ? `\`${JSON.stringify(n.default)}\`` : '',
      allowed: allowedOf(n),
      meaning: meaningOf(n),
      branches: branch === null ? [] : [branch],
      requiredIn: isRequired ? [branch ?? ''] : [],
      allowedIn: [[branch ?? '', allowedOf(n)]],
    });
  };
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    add(path, child, (node.required ?? []).includes(key));
    collect(child, path, false, out, branch);
  }
  void required;
  if (node.items) collect(node.items, `${prefix}[]`, false, out, branch);
  for (const b of node.oneOf ?? []) collect(b, prefix, false, out, String(b.properties?.type?.const ?? ''));
}

/** The rows of every key the schema accepts, keyed by path. */
export function keyRows(schema: object = configSchema): Map<string, KeyRow> {
  const raw = new Map<string, Raw>();
  collect(schema as Node, '', false, raw, null);
  // Which branches a list entry has: a key in all of them needs no "`serial`:" before it.
  const branchesOf = new Map<string, string[]>();
  const walkLists = (n: Node, prefix: string): void => {
    for (const [k, c] of Object.entries(n.properties ?? {})) walkLists(c, prefix ? `${prefix}.${k}` : k);
    if (n.items) {
      if (n.items.oneOf) branchesOf.set(`${prefix}[]`, n.items.oneOf.map((b) => String(b.properties?.type?.const ?? '')));
      walkLists(n.items, `${prefix}[]`);
      for (const b of n.items.oneOf ?? []) walkLists(b, `${prefix}[]`);
    }
  };
  walkLists(schema as Node, '');
  const rows = new Map<string, KeyRow>();
  for (const [path, r] of raw) {
    const list = [...branchesOf.keys()].find((l) => path.startsWith(`${l}.`));
    const all = list ? branchesOf.get(list)! : [];
    const partial = list !== undefined && r.branches.length < all.length;
    let def = r.default;
    if (def === '' && r.requiredIn.length > 0) {
      def = list && r.requiredIn.length < all.length ? `required for ${r.requiredIn.map(code).join(', ')}` : 'required';
    }
    if (def === '') def = 'not set';
    const allowed = r.allowedIn.length > 1 ? r.allowedIn.map(([b, a]) => `${code(b)}: ${a}`).join('; ') : r.allowed;
    rows.set(path, { path, type: r.type, default: def, allowed, meaning: r.meaning, branches: partial ? r.branches : [] });
  }
  return rows;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(rows: KeyRow[], prefixBranches: boolean): string {
  const lines = ['| key | type | default | allowed | meaning |', '|---|---|---|---|---|'];
  for (const r of rows) {
    const prefix = prefixBranches && r.branches.length > 0 ? `${r.branches.map(code).join(', ')}: ` : '';
    lines.push(`| \`${r.path}\` | ${r.type} | ${cell(r.default)} | ${cell(r.allowed)} | ${cell(prefix + r.meaning)} |`);
  }
  return lines.join('\n');
}

/**
 * The whole document: the template with each `{{table SECTION [type=T]}}` line replaced by the
 * keys of that section (`top`: the top-level keys; `log`: `log.*`; `buses[]`: `buses[].*`), each
 * key shown once: a `type=T` table lists the keys of entries of that type not already shown.
 */
export function renderConfigDocs(schema: object = configSchema, template = CONFIGURATION_TEMPLATE): string {
  const rows = keyRows(schema);
  const shown = new Set<string>();
  const body = template.replace(/^\{\{table (\S+)(?: type=(\S+))?\}\}$/gm, (_m, section: string, type: string | undefined) => {
    const picked = [...rows.values()].filter((r) => {
      if (shown.has(r.path)) return false;
      const inSection = section === 'top' ? !r.path.includes('.') && !r.path.includes('[') : r.path === section || r.path.startsWith(`${section}.`);
      if (!inSection) return false;
      return type === undefined || r.branches.length === 0 || r.branches.includes(type);
    });
    if (picked.length === 0) throw new Error(`the configuration template's table "${section}${type ? ` type=${type}` : ''}" has no keys: is the section name right?`);
    for (const r of picked) shown.add(r.path);
    return table(picked, type === undefined);
  });
  const left = [...rows.keys()].filter((p) => !shown.has(p));
  if (left.length > 0) throw new Error(`the configuration template has no table for ${left.join(', ')}: add a {{table ...}} line for its section`);
  return body;
}

export const CONFIGURATION_DOC = join('docs', 'configuration.md');

/** `npm run docs:config`: writes docs/configuration.md; `--check` only says whether it is up to date. */
function main(argv: string[]): number {
  const path = join(packageRoot(), CONFIGURATION_DOC);
  const text = renderConfigDocs();
  if (argv.includes('--check')) {
    const same = readFileSync(path, 'utf8') === text;
    process.stdout.write(same ? `${path} is up to date\n` : `${path} differs from the schema: run npm run docs:config\n`);
    return same ? 0 : 1;
  }
  writeFileSync(path, text);
  process.stdout.write(`wrote ${path}\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
