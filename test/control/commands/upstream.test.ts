/** The daemon's `mqtt.check`: its own settings, one check at a time, failures as refusals. */
import { describe, expect, it } from 'vitest';
import type { LockerdConfig } from '../../../src/config/types.js';
import { upstreamCommands } from '../../../src/control/commands/upstream.js';
import type { LinkCheck } from '../../../src/sync/check.js';
import { tempDir, testConfig } from '../../helpers/fixtures.js';

describe('mqtt.check in the daemon', () => {
  it('checks with the config the daemon runs with, one check at a time', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const config = testConfig(dir, { mqtt: { url: 'mqtt://broker.daemon.example:1884' } });
      const seen: LockerdConfig[] = [];
      let finish!: () => void;
      const check = (c: LockerdConfig): Promise<LinkCheck> => {
        seen.push(c);
        return new Promise((resolve) => (finish = () => resolve({ url: c.mqtt.url, protocolVersion: 5, connectMs: 1, roundTripMs: 1, tls: null })));
      };
      const handler = upstreamCommands({ config, check }).get('mqtt.check')!;
      const ctx = { signal: new AbortController().signal, actor: 'technician:test' };
      const first = handler({}, ctx) as Promise<LinkCheck>;
      await expect(handler({}, ctx)).rejects.toThrow('a link check is already running; wait for its answer and try again');
      finish();
      expect((await first).url).toBe('mqtt://broker.daemon.example:1884');
      expect(seen).toEqual([config]);
      const failing = upstreamCommands({ config, check: async () => { throw new Error('cannot connect to mqtt://broker.daemon.example:1884: ECONNREFUSED'); } }).get('mqtt.check')!;
      await expect(failing({}, ctx)).rejects.toMatchObject({ name: 'CommandError', message: 'cannot connect to mqtt://broker.daemon.example:1884: ECONNREFUSED' });
    } finally {
      cleanup();
    }
  });
});
