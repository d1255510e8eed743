import specs from '@asyncapi/specs';
import { Ajv } from 'ajv';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { version } from '../../src/app.js';
import { renderAsyncApi } from '../../src/sync/asyncapi.js';
import { EVENT_TYPES } from '../../src/sync/contract.js';
import { ROOT } from '../helpers/fixtures.js';

const DOC = join(ROOT, 'docs', 'mqtt.asyncapi.yaml');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('the MQTT contract', () => {
  const text = readFileSync(DOC, 'utf8');
  const doc = parse(text) as { asyncapi: string; components: { messages: Record<string, { payload: object; examples: { payload: unknown }[] }> }; channels: Record<string, { address: string }> };

  it('is committed exactly as generated from the schemas the daemon validates with (run `npm run contract`)', () => {
    expect(text).toBe(renderAsyncApi(version()));
    expect(doc.asyncapi).toBe('3.0.0');
  });

  it('is a valid AsyncAPI 3.0.0 document by the official schema', () => {
    // The official schema bundles its own draft-07 meta-schema: let it, instead of ajv's.
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, meta: false, validateSchema: false });
    const validate = ajv.compile(specs.schemas['3.0.0'] as object);
    expect(validate(doc) ? null : validate.errors?.slice(0, 5)).toBeNull();
    // The check has teeth: an AsyncAPI 2 style operation is refused.
    const broken = structuredClone(doc) as unknown as { operations: Record<string, { action: string }> };
    broken.operations.publishEvents!.action = 'publish';
    expect(validate(broken)).toBe(false);
  });

  it('has an example for every message, and every example passes its schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/);
    const messages = Object.entries(doc.components.messages);
    expect(messages.length).toBeGreaterThan(30);
    for (const [name, m] of messages) {
      expect(m.examples.length, name).toBeGreaterThan(0);
      const validate = ajv.compile(m.payload);
      for (const e of m.examples) expect(validate(e.payload) ? null : { name, errors: validate.errors }).toBeNull();
    }
  });

  it('keeps every topic within 7 levels with a 5-level prefix', () => {
    for (const c of Object.values(doc.channels)) expect(c.address.split('/').length + 4).toBeLessThanOrEqual(7);
  });

  it('covers every event type the code writes to the outbox', () => {
    const written = new Set<string>();
    for (const file of [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'drivers'))]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/outbox\.append\(\s*'([a-z_.]+)'/g)) written.add(m[1]!);
    }
    expect(written.size).toBeGreaterThan(10);
    expect([...written].filter((t) => !(EVENT_TYPES as string[]).includes(t))).toEqual([]);
  });
});
