/**
 * Reads, validates and completes lockerd's configuration. Every problem found is reported at
 * once, one sentence each, naming the key in JS style (`compartments[3].size`), the bad value
 * and what was expected, so a technician can fix a file in one pass. Courier PINs never appear
 * in any message.
 *
 * The jobs are in their own modules: reading the file (read-file.ts), the JSON scanner for
 * positions and repeated keys (json-scan.ts), the schema's errors in words (schema-errors.ts)
 * and the checks across settings (cross-checks.ts).
 */
import { ConfigError } from './config-error.js';
import { crossCheck, moveHoldDays } from './cross-checks.js';
import { lineColumn, scanJson } from './json-scan.js';
import { readConfigText } from './read-file.js';
import { describeSchemaErrors, validator } from './schema-errors.js';
import type { LockerdConfig } from './types.js';

export { ConfigError } from './config-error.js';
export { MAX_CONFIG_BYTES } from './read-file.js';

/** Reads and validates the configuration file at `path`; throws ConfigError listing every problem. */
export function loadConfig(path: string): LockerdConfig {
  return parseConfig(readConfigText(path), path);
}

/** Validates configuration text; `source` names it in messages. Throws ConfigError. */
export function parseConfig(text: string, source: string): LockerdConfig {
  // A BOM is invisible in editors; accept it rather than report an invisible character.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new ConfigError(source, ['the file is empty; expected a JSON object']);

  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    // JSON.parse's own message may quote the surrounding text (a PIN, say), so it is not used.
    const found = scanJson(body).error;
    const where = found ? lineColumn(body, found.offset) : undefined;
    const problem = found && where
      ? `not valid JSON at line ${where.line}, column ${where.column}: ${found.reason}`
      : 'not valid JSON';
    throw new ConfigError(source, [problem]);
  }

  const problems = scanJson(body).duplicates.map(
    (p) => `${p}: key appears more than once in the same object (only the last one would count)`,
  );

  const validate = validator();
  if (!validate(data)) {
    problems.push(...describeSchemaErrors(validate.errors ?? [], data));
  } else {
    problems.push(...moveHoldDays(data as LockerdConfig));
    problems.push(...crossCheck(data as LockerdConfig));
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
  return data as LockerdConfig;
}
