/**
 * Every shipped example config on the simulated hardware starts the real daemon, as
 * `npm start -- --config FILE` would, and answers `lockerctl status`. The ledger, socket and
 * screen port are moved into a temp dir and upstream is off; everything else is the example's.
 * Examples for real RS-485 buses are loaded by test/drivers/lockboard/config.test.ts instead.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Daemon, lockerctl } from '../helpers/daemon.js';
import { exampleConfig, exampleJson, ROOT, tempDir } from '../helpers/fixtures.js';
import { freePort } from '../helpers/mosquitto.js';

const examples = readdirSync(join(ROOT, 'config', 'examples'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, json: exampleJson(f) }))
  .filter((e) => (e.json.buses as { type: string }[]).every((b) => b.type === 'sim'));

describe('the example configs on simulated hardware', { timeout: 40_000 }, () => {
  const stops: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  it('include the demo and the storage kinds', () => {
    expect(examples.map((e) => e.file)).toEqual(expect.arrayContaining(['demo-autoclose.json', 'demo-short-hold.json', 'package-room.json', 'lockers-with-room-overflow.json', 'front-desk.json', 'outdoor-cabinet.json']));
  });

  it.each(examples.map((e) => [e.file, e.json] as const))('%s starts and answers lockerctl status', async (file, json) => {
    const { dir, cleanup } = tempDir();
    // The screen as the example has it (most serve it), on a port of its own.
    const config = exampleConfig(file, dir, { screen: { ...(json.screen as object | undefined), port: await freePort() } });
    const daemon = Daemon.spawn(config);
    stops.push(async () => {
      await daemon.stop();
      cleanup();
    });
    await daemon.ready(20_000);
    const status = await lockerctl(['--config', config, 'status', '--json']);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true, kioskId: json.kioskId });
  });
});
