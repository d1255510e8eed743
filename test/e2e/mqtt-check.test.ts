/**
 * `lockerctl --socket PATH mqtt check` checks the broker of the daemon behind the socket, with the
 * settings that daemon runs with, not those of whichever config file lockerctl would read
 * (LOCKERD_CONFIG, or config/default.json): here that file names another live broker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon, lockerctl } from '../helpers/daemon.js';
import { tempDir, testConfigJson, writeConfig } from '../helpers/fixtures.js';
import { Broker, brokerAvailable } from '../helpers/mosquitto.js';

describe.skipIf(!brokerAvailable())('lockerctl mqtt check against a running daemon', () => {
  let dir: string;
  let cleanup: () => void;
  let cleanupDecoy: () => void;
  let broker: Broker;
  let decoy: Broker;
  let daemon: Daemon;
  let socket: string;
  let decoyConfig: string;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    broker = await Broker.start({ dir });
    const { dir: decoyDir, cleanup: c } = tempDir();
    cleanupDecoy = c;
    decoy = await Broker.start({ dir: decoyDir });
    const json = testConfigJson(dir, { mqtt: { enabled: true, url: broker.url } });
    socket = (json.control as { socketPath: string }).socketPath;
    daemon = Daemon.spawn(writeConfig(dir, json));
    await daemon.ready();
    // What lockerctl would read on its own: another broker, another socket.
    decoyConfig = writeConfig(decoyDir, testConfigJson(decoyDir, { mqtt: { enabled: true, url: decoy.url } }), 'decoy.json');
  });

  afterAll(async () => {
    await daemon?.stop();
    await broker?.stop('SIGKILL');
    await decoy?.stop('SIGKILL');
    cleanup();
    cleanupDecoy();
  });

  it("tests the daemon's broker, not the one of the config file lockerctl finds", async () => {
    const r = await lockerctl(['--socket', socket, '--json', 'mqtt', 'check'], { LOCKERD_CONFIG: decoyConfig });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const check = JSON.parse(r.stdout);
    expect(check).toMatchObject({ url: broker.url, protocolVersion: 5, tls: null });
    expect(check.roundTripMs).toBeGreaterThanOrEqual(0);
    const text = await lockerctl(['--socket', socket, 'mqtt', 'check'], { LOCKERD_CONFIG: decoyConfig });
    expect(text.stdout).toMatch(new RegExp(`^broker ${broker.url} \\(MQTT 5\\): connected in [\\d.]+ ms, round trip [\\d.]+ ms\\nno TLS \\(plain TCP\\)\\n$`));
  });

  it("says the daemon's broker is down while the other one is up", async () => {
    await broker.stop('SIGKILL');
    try {
      const r = await lockerctl(['--socket', socket, 'mqtt', 'check'], { LOCKERD_CONFIG: decoyConfig });
      // A broker that does not answer is a part that is unavailable (69), not a refusal.
      expect(r.code).toBe(69);
      expect(r.stderr).toMatch(new RegExp(`^lockerctl: cannot connect to ${broker.url}: `));
      // The daemon is still serving.
      expect((await lockerctl(['--socket', socket, 'status'])).code).toBe(0);
    } finally {
      await broker.start();
    }
  });
});
