import { describe, expect, it } from 'vitest';
import { serviceNotifyCheck } from '../../src/control/selftest.js';

describe('the "systemd notify" self-test check', () => {
  const missing = { available: false as const, reason: '/opt/lockerd/build/Release/sdnotify.node is missing' };

  it('fails under systemd without the addon: READY=1 cannot be sent, and says the fix', () => {
    const c = serviceNotifyCheck(true, missing);
    expect(c).toMatchObject({ check: 'systemd notify', verdict: 'fail' });
    expect(c.detail).toContain('sdnotify.node is missing');
    expect(c.detail).toContain('systemd stops lockerd at its start timeout');
    expect(c.detail).toContain('npm run build:native');
  });

  it('warns outside systemd without the addon, and is ok with it', () => {
    expect(serviceNotifyCheck(false, missing).verdict).toBe('warn');
    const send = () => null;
    expect(serviceNotifyCheck(true, { available: true, send })).toEqual({ check: 'systemd notify', verdict: 'ok', detail: 'READY=1, STATUS= and watchdog pings reach systemd' });
    expect(serviceNotifyCheck(false, { available: true, send }).verdict).toBe('ok');
  });
});
