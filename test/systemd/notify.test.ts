import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Notifier, notifySupport, serviceManagerEnv, statusLine, type SendDatagram } from '../../src/systemd/notify.js';
import { tempDir } from '../helpers/fixtures.js';
import { NotifySocket, skipWithoutPython } from './notify-socket.js';

const skip = skipWithoutPython();

function addonSend(): SendDatagram {
  const support = notifySupport();
  if (!support.available) throw new Error(`the sdnotify addon must be built for these tests (npm run build:native): ${support.reason}`);
  return support.send;
}

describe('the sdnotify addon against a real datagram socket', () => {
  const opened: NotifySocket[] = [];
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    for (const c of cleanups.splice(0)) c();
  });
  const socketIn = async (mode: 'read' | 'stall' = 'read'): Promise<NotifySocket> => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const s = await NotifySocket.open(join(dir, 'notify.sock'), mode);
    opened.push(s);
    return s;
  };

  it.skipIf(skip)('delivers each message as one datagram, byte for byte, to a socket path', async () => {
    const send = addonSend();
    const receiver = await socketIn();
    expect(send(receiver.path, 'READY=1\nSTATUS=ready: 28 compartments')).toBeNull();
    expect(send(receiver.path, 'WATCHDOG=1')).toBeNull();
    await receiver.next((t) => t === 'WATCHDOG=1');
    expect(receiver.messages.map((m) => m.text)).toEqual(['READY=1\nSTATUS=ready: 28 compartments', 'WATCHDOG=1']);
  });

  it.skipIf(skip)('reaches a socket in the abstract namespace when the path starts with @', async () => {
    const send = addonSend();
    const receiver = await NotifySocket.open(`@lockerd-test-${process.pid}-${Date.now()}`);
    opened.push(receiver);
    expect(send(receiver.path, 'STATUS=abstract')).toBeNull();
    expect((await receiver.next((t) => t.startsWith('STATUS='))).text).toBe('STATUS=abstract');
  });

  it('returns what went wrong instead of throwing: no listener, bad path, bad arguments', () => {
    const send = addonSend();
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    expect(send(join(dir, 'nobody-listens.sock'), 'READY=1')).toBe('sendto: No such file or directory');
    expect(send('relative.sock', 'READY=1')).toMatch(/absolute path or an abstract name/);
    expect(send(`/${'x'.repeat(200)}`, 'READY=1')).toMatch(/absolute path or an abstract name/);
    expect(send(join(dir, 'a.sock'), '')).toMatch(/non-empty string/);
    expect((send as unknown as (...a: unknown[]) => unknown)(42, 'READY=1')).toMatch(/absolute path/);
    expect((send as unknown as (...a: unknown[]) => unknown)()).toMatch(/two strings/);
  });

  it.skipIf(skip)('never blocks on a service manager that stops reading: a full queue is an error (EAGAIN)', async () => {
    const send = addonSend();
    const receiver = await socketIn('stall');
    const start = performance.now();
    const results = Array.from({ length: 500 }, () => send(receiver.path, 'WATCHDOG=1'));
    expect(performance.now() - start).toBeLessThan(2000);
    expect(results).toContain(null);
    expect(results.at(-1)).toBe('sendto: Resource temporarily unavailable');
  });

  it.skipIf(skip)('Notifier sends READY, STATUS, WATCHDOG and STOPPING as sd_notify(3) spells them', async () => {
    const receiver = await socketIn();
    const n = new Notifier({ env: { socket: receiver.path, watchdogMs: null } });
    expect(n.working).toBe(true);
    expect(n.status('starting: opening the ledger')).toBe(true);
    expect(n.ready('ready: 2 compartments')).toBe(true);
    expect(n.watchdog()).toBe(true);
    // A newline in a status must not become a second assignment (it could say READY=1 or MAINPID=).
    expect(n.stopping('stopping\nREADY=1')).toBe(true);
    await receiver.next((t) => t.startsWith('STOPPING=1'));
    expect(receiver.messages.map((m) => m.text)).toEqual([
      'STATUS=starting: opening the ledger',
      'READY=1\nSTATUS=ready: 2 compartments',
      'WATCHDOG=1',
      'STOPPING=1\nSTATUS=stopping READY=1',
    ]);
  });
});

describe('Notifier without a service manager, and its failures', () => {
  it('does nothing when NOTIFY_SOCKET is unset', () => {
    const sent: string[] = [];
    const n = new Notifier({ env: serviceManagerEnv({}, 1), support: { available: true, send: (_p, m) => (sent.push(m), null) } });
    expect(n.enabled).toBe(false);
    expect([n.ready('x'), n.status('y'), n.watchdog(), n.stopping('z')]).toEqual([false, false, false, false]);
    expect(sent).toEqual([]);
  });

  it('reports a failing send once until it works again, and says nothing secret', () => {
    const errors: string[] = [];
    let answer: string | null = 'sendto: Connection refused';
    const n = new Notifier({ env: { socket: '/run/systemd/notify', watchdogMs: 30_000 }, support: { available: true, send: () => answer }, onError: (e, m) => errors.push(`${e} (${m})`) });
    expect(n.watchdog()).toBe(false);
    expect(n.watchdog()).toBe(false);
    answer = null;
    expect(n.watchdog()).toBe(true);
    answer = 'sendto: Connection refused';
    expect(n.status('ready')).toBe(false);
    expect(errors).toEqual(['sendto: Connection refused (WATCHDOG=1)', 'sendto: Connection refused (STATUS=ready)']);
  });

  it('is enabled but not working when the addon cannot load', () => {
    const n = new Notifier({ env: { socket: '/run/systemd/notify', watchdogMs: null }, support: { available: false, reason: 'build/Release/sdnotify.node is missing' } });
    expect([n.enabled, n.working, n.ready('x')]).toEqual([true, false, false]);
  });
});

describe('serviceManagerEnv', () => {
  it('reads NOTIFY_SOCKET and the watchdog period meant for this process', () => {
    expect(serviceManagerEnv({ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42)).toEqual({ socket: '/run/systemd/notify', watchdogMs: 30_000 });
    expect(serviceManagerEnv({ NOTIFY_SOCKET: '@x', WATCHDOG_USEC: '1500000' }, 42)).toEqual({ socket: '@x', watchdogMs: 1500 });
  });

  it('ignores a watchdog meant for another process, and nonsense values', () => {
    expect(serviceManagerEnv({ NOTIFY_SOCKET: '/n', WATCHDOG_USEC: '30000000', WATCHDOG_PID: '41' }, 42).watchdogMs).toBeNull();
    for (const usec of ['', '0', '-5', '30s', '1e9', '9'.repeat(20)]) expect(serviceManagerEnv({ WATCHDOG_USEC: usec }, 42).watchdogMs).toBeNull();
    expect(serviceManagerEnv({ NOTIFY_SOCKET: '' }, 42).socket).toBeNull();
  });
});

describe('statusLine', () => {
  it('keeps a status on one bounded line', () => {
    expect(statusLine(' a\r\nb\nc ')).toBe('a b c');
    expect(statusLine('x'.repeat(500))).toHaveLength(200);
  });
});
