import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, writeConfig } from './fixtures.js';

/** A config/examples/ file, with the ledger, socket and screen of this test. */
export function exampleConfig(name: string, dir: string, overrides: Record<string, unknown> = {}): string {
  const example = JSON.parse(readFileSync(join(ROOT, 'config', 'examples', name), 'utf8')) as Record<string, unknown>;
  return writeConfig(dir, {
    ...example,
    ledger: { path: join(dir, 'lockerd.db'), keyFile: join(dir, 'lockerd.key') },
    control: { socketPath: join(dir, 'lockerd.sock') },
    mqtt: { enabled: false },
    screen: { ...(example.screen as object), enabled: false },
    log: { level: 'debug' },
    ...overrides,
  });
}

// UPS numbers whose check digit holds: each a different parcel.
export const LABELS = ['1Z999AA10123456784', '1Z879E930346834440', '1Z5R89390357567127', '1Z12345E0112345675', '1Z999AA11000000005'];

