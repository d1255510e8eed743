import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseConfig } from '../../src/config/load.js';
import type { LockerdConfig } from '../../src/config/types.js';
import { createLogger, type Logger } from '../../src/log.js';

export const ROOT = join(import.meta.dirname, '..', '..');

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'lockerd-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? merge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** The raw default config (the built-in simulated locker) as JSON data. */
export function defaultConfigJson(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, 'config', 'default.json'), 'utf8')) as Record<string, unknown>;
}

/**
 * The default config with its files moved into `dir`, doors that do not close by themselves and
 * an instant unlock, plus any overrides. Validated by the real config loader.
 */
export function testConfigJson(dir: string, overrides: DeepPartial<LockerdConfig> = {}): Record<string, unknown> {
  const base = defaultConfigJson();
  const buses = (base.buses as Record<string, unknown>[]).map((b) => ({ ...b, autoCloseMs: 0, unlockDelayMs: 0 }));
  return merge(
    merge(base, {
      ledger: { path: join(dir, 'lockerd.db'), keyFile: join(dir, 'lockerd.key') },
      control: { socketPath: join(dir, 'lockerd.sock') },
      // Upstream is off unless a test brings its own broker (test/helpers/mosquitto.ts).
      mqtt: { enabled: false },
      // The screen page listens on a fixed port: tests that want it give their own free port.
      screen: { enabled: false },
      log: { level: 'debug' },
      buses,
    }),
    overrides as Record<string, unknown>,
  );
}

export function testConfig(dir: string, overrides: DeepPartial<LockerdConfig> = {}): LockerdConfig {
  return parseConfig(JSON.stringify(testConfigJson(dir, overrides)), 'test-config.json');
}

export function writeConfig(dir: string, json: unknown, name = 'config.json'): string {
  const path = join(dir, name);
  writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json, null, 2));
  return path;
}

/** A logger whose JSON lines are kept in memory, so tests can check what reached the log. */
export function captureLogger(level: LockerdConfig['log']['level'] = 'debug'): { log: Logger; lines: string[]; text: () => string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  const log = createLogger({ level, destination, pretty: false });
  return { log, lines, text: () => lines.join('') };
}

/** A shipped example config (config/examples/NAME) as JSON. */
export function exampleJson(name: string): Record<string, any> {
  return JSON.parse(readFileSync(join(ROOT, 'config', 'examples', name), 'utf8')) as Record<string, any>;
}

/**
 * A config/examples/ file as `npm start -- --config FILE` runs it, with the ledger, socket and log
 * of this test, upstream off and the screen off (unless `overrides` say otherwise); written to
 * `dir`, its path returned. `overrides` replace whole top-level keys.
 */
export function exampleConfig(name: string, dir: string, overrides: Record<string, unknown> = {}): string {
  const example = exampleJson(name);
  return writeConfig(dir, {
    ...example,
    ledger: { path: join(dir, 'lockerd.db'), keyFile: join(dir, 'lockerd.key') },
    control: { socketPath: join(dir, 'lockerd.sock') },
    mqtt: { enabled: false },
    screen: { ...(example.screen as object | undefined), enabled: false },
    log: { level: 'debug' },
    ...overrides,
  });
}
