/**
 * Where lockerctl finds the control socket without being told: --socket, $LOCKERD_SOCKET, the
 * control.socketPath of --config FILE (or $LOCKERD_CONFIG), the installed service's socket, then
 * the demo config's. Reading a config for it reads that one key, not the whole configuration.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { socketPath, type SocketLookup } from '../../src/cli/socket.js';
import { INSTALLED_SOCKET_PATH, readSocketPath } from '../../src/config/socket-path.js';
import { ROOT, tempDir, writeConfig } from '../helpers/fixtures.js';

describe('lockerctl socket lookup', () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);
  const config = writeConfig(dir, { control: { socketPath: '/srv/locker/control.sock' } });
  const dev = (env: NodeJS.ProcessEnv = {}, exists: string[] = []): SocketLookup => ({ env, root: () => ROOT, exists: (p) => exists.includes(p) });

  it('takes --socket first, then $LOCKERD_SOCKET, then the config named by --config or $LOCKERD_CONFIG', async () => {
    const env = { LOCKERD_SOCKET: '/tmp/env.sock', LOCKERD_CONFIG: config };
    expect(await socketPath({ '--socket': '/tmp/flag.sock', '--config': config }, dev(env))).toBe('/tmp/flag.sock');
    expect(await socketPath({ '--config': config }, dev(env))).toBe('/tmp/env.sock');
    expect(await socketPath({ '--config': config }, dev({ LOCKERD_CONFIG: '/nonexistent.json' }))).toBe('/srv/locker/control.sock');
    expect(await socketPath({}, dev({ LOCKERD_CONFIG: config }))).toBe('/srv/locker/control.sock');
    // An empty variable is unset, as systemd's Environment=LOCKERD_SOCKET= leaves it.
    expect(await socketPath({}, dev({ LOCKERD_SOCKET: '', LOCKERD_CONFIG: config }))).toBe('/srv/locker/control.sock');
  });

  it("uses the installed service's socket when lockerd is installed, else the demo config's", async () => {
    expect(await socketPath({}, dev({}, [INSTALLED_SOCKET_PATH]))).toBe('/run/lockerd/lockerd.sock');
    expect(await socketPath({}, { env: {}, root: () => '/opt/lockerd', exists: () => false })).toBe('/run/lockerd/lockerd.sock');
    // The demo daemon runs in the package's directory (npm start): its relative path is from there.
    expect(await socketPath({}, dev())).toBe(join(ROOT, 'var', 'lockerd.sock'));
  });

  it('reads only control.socketPath: a config the daemon would refuse still names its socket, PINs are never quoted', async () => {
    const partial = writeConfig(dir, { control: { socketPath: 'rel/x.sock' }, couriers: 'not even a list' }, 'partial.json');
    expect(await readSocketPath(partial)).toBe('rel/x.sock');
    expect(await readSocketPath(writeConfig(dir, { kioskId: 'k' }, 'none.json'))).toBe('./var/lockerd.sock');
    const broken = writeConfig(dir, '{"couriers":[{"pin":"90210"', 'broken.json');
    await expect(readSocketPath(broken)).rejects.toThrow(`${broken} is not valid JSON; check it with: lockerctl config check ${broken}`);
    await expect(readSocketPath(writeConfig(dir, { control: { socketPath: 7 } }, 'seven.json'))).rejects.toThrow('control.socketPath is not a path');
    await expect(readSocketPath(dir)).rejects.toMatchObject({ message: expect.stringContaining('it is a directory'), permission: false });
    // A file without end is refused at the daemon's own size bound, not read until memory runs out.
    await expect(readSocketPath('/dev/zero')).rejects.toMatchObject({ message: expect.stringContaining('larger than 8388608 bytes'), permission: false });
  });
});
