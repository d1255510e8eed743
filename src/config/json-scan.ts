/**
 * JSON syntax: a small scanner that finds where a document stops being JSON (JSON.parse's own
 * messages differ between Node versions and can quote secrets), and which keys repeat.
 */
import { formatPath, type Segment } from './key-path.js';

export interface JsonScan {
  error?: { offset: number; reason: string };
  /** JS-style paths of keys that appear twice in one object. */
  duplicates: string[];
}

class JsonSyntaxError extends Error {
  constructor(readonly offset: number, readonly reason: string) {
    super(reason);
  }
}

// Deeper than any valid config; stops the recursive scanner from exhausting the stack.
const MAX_DEPTH = 64;

export function scanJson(text: string): JsonScan {
  const duplicates: string[] = [];
  let pos = 0;

  const fail = (reason: string, at = pos): never => {
    throw new JsonSyntaxError(at, reason);
  };

  const skipSpace = () => {
    for (;;) {
      const ch = text[pos];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') pos++;
      else if (ch === '/' && (text[pos + 1] === '/' || text[pos + 1] === '*')) fail('comments are not allowed in JSON');
      else return;
    }
  };

  const unexpected = (expected: string): never => {
    if (pos >= text.length) return fail(`unexpected end of file; expected ${expected}`);
    const ch = text[pos]!;
    if (ch === "'") return fail(`unexpected "'"; JSON strings and keys need double quotes`);
    if (/[A-Za-z0-9_]/.test(ch)) return fail(`unexpected text; expected ${expected} (strings and keys need double quotes)`);
    return fail(`unexpected ${JSON.stringify(ch)}; expected ${expected}`);
  };

  const string = (): string => {
    const start = pos;
    pos++; // opening quote
    let out = '';
    for (;;) {
      if (pos >= text.length) fail('unterminated string (missing closing double quote)', start);
      const code = text.charCodeAt(pos);
      if (code === 0x22) {
        pos++;
        return out;
      }
      if (code < 0x20) fail('line break or control character inside a string (missing closing double quote?)');
      if (code === 0x5c) {
        const esc = text[pos + 1];
        if (esc === 'u') {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9A-Fa-f]{4}$/.test(hex)) fail('invalid \\u escape in a string');
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) {
          out += esc;
          pos += 2;
        } else {
          fail('invalid escape sequence in a string (write a backslash as \\\\)');
        }
      } else {
        out += text[pos];
        pos++;
      }
    }
  };

  const number = () => {
    const re = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return fail('invalid number');
    pos += m[0].length;
    if (/[0-9A-Za-z.]/.test(text[pos] ?? '')) fail('invalid number');
  };

  const value = (path: Segment[], depth: number): void => {
    if (depth > MAX_DEPTH) fail('nested too deeply');
    skipSpace();
    const ch = text[pos];
    if (ch === '{') return object(path, depth);
    if (ch === '[') return array(path, depth);
    if (ch === '"') {
      string();
      return;
    }
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return number();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return;
      }
    }
    unexpected('a value');
  };

  const object = (path: Segment[], depth: number) => {
    pos++; // {
    const keys = new Set<string>();
    let comma: number | undefined;
    skipSpace();
    if (text[pos] === '}') {
      pos++;
      return;
    }
    for (;;) {
      skipSpace();
      if (text[pos] === '}' && comma !== undefined) fail('trailing comma before "}"', comma);
      if (text[pos] !== '"') unexpected('a key in double quotes');
      const key = string();
      if (keys.has(key)) duplicates.push(formatPath([...path, key]));
      keys.add(key);
      skipSpace();
      if (text[pos] !== ':') unexpected('":" after the key');
      pos++;
      value([...path, key], depth + 1);
      skipSpace();
      if (text[pos] === ',') {
        comma = pos++;
        continue;
      }
      if (text[pos] === '}') {
        pos++;
        return;
      }
      unexpected('"," or "}"');
    }
  };

  const array = (path: Segment[], depth: number) => {
    pos++; // [
    let comma: number | undefined;
    skipSpace();
    if (text[pos] === ']') {
      pos++;
      return;
    }
    for (let i = 0; ; i++) {
      skipSpace();
      if (text[pos] === ']' && comma !== undefined) fail('trailing comma before "]"', comma);
      value([...path, i], depth + 1);
      skipSpace();
      if (text[pos] === ',') {
        comma = pos++;
        continue;
      }
      if (text[pos] === ']') {
        pos++;
        return;
      }
      unexpected('"," or "]"');
    }
  };

  try {
    value([], 0);
    skipSpace();
    if (pos < text.length) fail('unexpected text after the end of the JSON document');
    return { duplicates };
  } catch (err) {
    if (err instanceof JsonSyntaxError) return { error: { offset: err.offset, reason: err.reason }, duplicates };
    throw err;
  }
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
