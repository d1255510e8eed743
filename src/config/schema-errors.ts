/**
 * Schema validation (ajv) and its errors in sentences: the key in JS style, the bad value (never
 * a PIN, a password or a badge) and what was expected; a mistyped key gets the likely one.
 */
// The named export avoids the CommonJS default-import ambiguity under NodeNext.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { formatPath, type Segment } from './key-path.js';
import { configSchema } from './schema.js';

const HIDDEN = '(hidden)';

let compiled: ValidateFunction | undefined;

export function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({
      allErrors: true,
      useDefaults: true,
      discriminator: true,
      verbose: true, // gives each error its parentSchema: allowed keys, pattern descriptions
      strict: true,
    });
    compiled = ajv.compile(configSchema);
  }
  return compiled;
}

/** Values here may be PINs: couriers[N].pin, and couriers / couriers[N] in case a PIN landed there. */
function isSecretPath(segments: readonly Segment[]): boolean {
  if (segments[0] === 'mqtt' && segments[1] === 'password') return true;
  if (segments[0] === 'staff') return segments.length <= 2 || segments[2] === 'pin' || segments[2] === 'badge';
  return segments[0] === 'couriers' && (segments.length <= 2 || segments[2] === 'pin');
}

/** A broker URL may carry `user:password@`; a message shows the host, not the credentials. */
function withoutUrlPassword(at: readonly Segment[], value: unknown): unknown {
  if (at[0] !== 'mqtt' || at[1] !== 'url' || typeof value !== 'string') return value;
  return value.replace(/^([^/]*\/\/)[^/]*@/, '$1(hidden)@');
}

function show(value: unknown, secret: boolean): string {
  if (secret) return HIDDEN;
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') {
    return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)` : JSON.stringify(value);
  }
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

/** Resolves a JSON pointer against the data so array indices become numbers. */
function segmentsOf(pointer: string, data: unknown): Segment[] {
  if (pointer === '') return [];
  const out: Segment[] = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(key)) {
      out.push(Number(key));
      node = node[Number(key)];
    } else {
      out.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return out;
}

function isUnder(path: readonly Segment[], prefix: readonly Segment[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => path[i] === s);
}

export function describeSchemaErrors(errors: readonly ErrorObject[], data: unknown): string[] {
  const withPaths = errors.map((e) => ({ e, at: segmentsOf(e.instancePath, data) }));
  // A value of the wrong type makes every other complaint about it (or inside it) noise.
  const wrongType = new Set(withPaths.filter(({ e }) => e.keyword === 'type').map(({ at }) => JSON.stringify(at)));
  const insideWrongType = (at: Segment[]) => at.some((_, i) => wrongType.has(JSON.stringify(at.slice(0, i + 1)))) || wrongType.has('[]');
  const specific = withPaths.filter(
    ({ e }) => !['oneOf', 'anyOf', 'if', 'not', 'discriminator'].includes(e.keyword),
  );

  const seen = new Set<string>();
  const problems: string[] = [];
  for (const { e, at } of withPaths) {
    if (e.keyword !== 'type' && insideWrongType(at)) continue;
    // Combinator errors only repeat what the branch errors below them already say.
    if (['oneOf', 'anyOf', 'if', 'not'].includes(e.keyword) && specific.some(({ at: s }) => isUnder(s, at))) continue;
    const problem = describeError(e, at);
    if (!seen.has(problem.subject)) {
      seen.add(problem.subject);
      problems.push(problem.text);
    }
  }
  return problems;
}

function describeError(e: ErrorObject, at: Segment[]): { subject: string; text: string } {
  const path = formatPath(at);
  const value = show(withoutUrlPassword(at, e.data), isSecretPath(at));
  const params = e.params as Record<string, unknown>;
  const schema = (e.parentSchema ?? {}) as Record<string, unknown>;
  const say = (subject: Segment[], sentence: string) => ({ subject: formatPath(subject), text: `${formatPath(subject)}: ${sentence}` });

  switch (e.keyword) {
    case 'type': {
      const types = String(params.type).split(',').map((t) => TYPE_WORDS[t] ?? t);
      return say(at, `${value} is not ${types.join(' or ')}`);
    }
    case 'enum':
      return say(at, `${value} is not one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`);
    case 'const':
      return say(at, `${value} is not ${JSON.stringify(params.allowedValue)}`);
    case 'minimum':
      return say(at, `${value} is below the minimum ${String(params.limit)}`);
    case 'maximum':
      return say(at, `${value} is above the maximum ${String(params.limit)}`);
    case 'exclusiveMinimum':
      return say(at, `${value} must be above ${String(params.limit)}`);
    case 'exclusiveMaximum':
      return say(at, `${value} must be below ${String(params.limit)}`);
    case 'minLength':
      return say(at, `${value} is too short (at least ${String(params.limit)} characters)`);
    case 'maxLength':
      return say(at, `${value} is too long (at most ${String(params.limit)} characters)`);
    case 'pattern': {
      const expected = typeof schema.description === 'string' ? schema.description : `text matching ${String(params.pattern)}`;
      return say(at, `${value} is not valid: expected ${expected}`);
    }
    case 'minItems':
      return say(at, `has ${countOf(e.data)} entries, fewer than the minimum ${String(params.limit)}`);
    case 'maxItems':
      return say(at, `has ${countOf(e.data)} entries, more than the maximum ${String(params.limit)}`);
    case 'required': {
      const key = String(params.missingProperty);
      return { subject: formatPath([...at, key]), text: `${path}: missing required key ${JSON.stringify(key)}` };
    }
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((schema.properties ?? {}) as object);
      const guess = closest(key, allowed);
      const hint = guess ? `; did you mean ${JSON.stringify(guess)}?` : '';
      return say([...at, key], `unknown key${hint} (allowed: ${allowed.join(', ')})`);
    }
    case 'discriminator': {
      const tagName = String(params.tag);
      const kinds = ((schema.oneOf ?? []) as Array<{ properties?: Record<string, { const?: unknown }> }>)
        .map((b) => String(b.properties?.[tagName]?.const));
      const tagValue = (e.data as Record<string, unknown> | undefined)?.[tagName];
      if (tagValue === undefined) {
        return { subject: formatPath([...at, tagName]), text: `${path}: missing required key ${JSON.stringify(tagName)}` };
      }
      return say([...at, tagName], `${show(tagValue, false)} is not one of ${kinds.join(', ')}`);
    }
    case 'oneOf':
    case 'anyOf':
      return say(at, `${value} does not match any of the allowed forms`);
    default:
      return say(at, `${e.message ?? 'is not valid'}`);
  }
}

function countOf(data: unknown): number {
  return Array.isArray(data) ? data.length : 0;
}

/** The allowed key a typo most likely meant: edit distance at most 2, or same letters in another case. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  if (key.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
