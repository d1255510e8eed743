/**
 * The staff banner for a locker offline: shown only after upstream has been unreachable for
 * five minutes, never when sync is disabled by config, worded for staff and marked `staff`, and
 * gone when the link is back. Through the real kiosk session on the simulated locker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OFFLINE_NOTICE_AFTER_MS, upstreamNotice, UpstreamNoticeWatch } from '../../src/kiosk/upstream-notice.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

describe('the offline banner for staff', () => {
  let h: LockerHarness | undefined;
  let cleanup: (() => void) | undefined;
  afterEach(async () => {
    await h?.stop();
    cleanup?.();
  });

  it('waits five minutes of outage, and never shows when sync is disabled', () => {
    let s = upstreamNotice({ downSince: null }, true, false, 1_000).state;
    expect(s.downSince).toBe(1_000);
    expect(upstreamNotice(s, true, false, 1_000 + OFFLINE_NOTICE_AFTER_MS - 1).offline).toBe(false);
    expect(upstreamNotice(s, true, false, 1_000 + OFFLINE_NOTICE_AFTER_MS).offline).toBe(true);
    // A link that comes back starts the next outage from scratch.
    s = upstreamNotice(s, true, true, 2_000_000).state;
    expect(s.downSince).toBeNull();
    expect(upstreamNotice({ downSince: 0 }, false, false, 10 * OFFLINE_NOTICE_AFTER_MS).offline).toBe(false);
  });

  it('puts a staff item on the screen, in the session language, and takes it away when the link is back', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    h = await LockerHarness.start(testConfig(t.dir), captureLogger().log);
    const kiosk = h.app.kiosk;
    let now = 0;
    let connected = false;
    const watch = new UpstreamNoticeWatch({ enabled: true, connected: () => connected, show: (offline) => void kiosk.setUpstreamOffline(offline), now: () => now });
    watch.check();
    await kiosk.idle();
    expect(kiosk.lastScreen.attention).toEqual([]);
    now += OFFLINE_NOTICE_AFTER_MS;
    watch.check();
    await kiosk.idle();
    expect(kiosk.lastScreen.attention).toEqual([{ kind: 'offline', audience: 'staff', text: 'Staff: no link to the office system. The locker works; events are sent later.' }]);
    // The prompt a resident reads is unchanged: the banner is no alarm.
    expect(kiosk.lastScreen.step).toBe('welcome');
    expect(kiosk.lastScreen.tone).toBe('info');
    connected = true;
    watch.check();
    await kiosk.idle();
    expect(kiosk.lastScreen.attention).toEqual([]);
  });
});
