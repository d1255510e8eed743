/**
 * A flood of refused input through the real kiosk path (createApp on the simulated locker): the
 * audit trail and the log stay bounded, and a flooding serial scanner (real serialport binding on
 * a socat pseudo-terminal) is muted with one event upstream, then heard again.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hasInputDiagnostics } from '../../drivers/io/device-base.js';
import { createApp, type App } from '../../src/app.js';
import { inputCommands } from '../../src/control/commands/input.js';
import { validators } from '../../src/sync/validate.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';
import { PtyPair, skipWithoutSocat, waitFor } from '../helpers/socat.js';

const countOf = (a: { detail?: Record<string, unknown> }) => (a.detail?.count as number | undefined) ?? 1;
const msgs = (lines: string[]) => lines.map((l) => (JSON.parse(l) as { msg: string }).msg);

describe('a flood of refused scans at the kiosk', () => {
  let dir: string;
  let cleanup: () => void;
  let logs: ReturnType<typeof captureLogger>;
  let h: LockerHarness;

  beforeEach(async () => {
    // Only the clock and timeouts are simulated; the ledger, the kiosk and the app are real.
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    ({ dir, cleanup } = tempDir());
    logs = captureLogger('info');
    h = await LockerHarness.start(testConfig(dir), logs.log, Date.now);
  });

  afterEach(async () => {
    await h.stop();
    vi.useRealTimers();
    cleanup();
  });

  it('is counted in a bounded number of audit rows, with the right total, and changes nothing else', async () => {
    const before = h.app.ledger.audit.recent(1000).length;
    const linesBefore = logs.lines.length;
    for (let i = 0; i < 3000; i++) {
      h.sim.scanner.scan(`\x07junk${i}`);
      if (i % 100 === 99) vi.advanceTimersByTime(30); // 3,000 a second
    }
    await h.settle();
    const refused = () => h.app.ledger.audit.recent(10_000).filter((a) => a.action === 'scan.refused');
    expect(refused()).toHaveLength(1);
    expect(refused()[0]).toMatchObject({ actor: 'kiosk', detail: { reason: 'scan contains control characters' } });

    vi.advanceTimersByTime(61_000); // the window closes: its summary row is written
    const rows = refused();
    expect(rows).toHaveLength(2);
    expect(rows[0]!.detail).toMatchObject({ reason: 'scan contains control characters', count: 2999 });
    expect(rows.reduce((n, a) => n + countOf(a), 0)).toBe(3000);
    expect(h.app.ledger.audit.recent(10_000).length - before).toBe(2);
    // A refusal changes nothing else.
    expect(h.app.ledger.outbox.list()).toEqual([]);
    expect(h.app.ledger.parcels.list()).toEqual([]);
    expect(h.app.kiosk.state).toBe('idle');

    const lines = msgs(logs.lines.slice(linesBefore));
    expect(lines.filter((m) => m === 'scan refused')).toHaveLength(10);
    expect(lines.filter((m) => m.startsWith('kiosk: '))).toHaveLength(10);
    expect(lines).toContain('2990 similar lines suppressed: scan refused');
    expect(lines.length).toBeLessThanOrEqual(22);
  });

  it('keeps a courier session\'s "not a parcel label" lines bounded too', async () => {
    await h.keys('111111#');
    const linesBefore = logs.lines.length;
    for (let i = 0; i < 3000; i++) h.sim.scanner.scan('???');
    await h.settle();
    const lines = msgs(logs.lines.slice(linesBefore));
    expect(lines.filter((m) => m === 'not a parcel label')).toHaveLength(10);
    expect(lines.length).toBeLessThanOrEqual(20);
    expect(h.app.kiosk.state).toBe('courier_scan');
  });
});

const skip = skipWithoutSocat();

describe.skipIf(skip)('a serial scanner flooding the kiosk', () => {
  let dir: string;
  let cleanup: () => void;
  let pty: PtyPair;
  let app: App;
  let clock: number;
  let logs: ReturnType<typeof captureLogger>;

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir('lockerd-flood-'));
    pty = await PtyPair.open(dir, 'scanner');
    clock = Date.parse('2026-03-01T12:00:00.000Z');
    logs = captureLogger('info');
    app = createApp(testConfig(dir, { scanners: [{ type: 'serial', path: pty.dev, baudRate: 9600, reopenMinMs: 500, reopenMaxMs: 30_000 }] }), logs.log, { now: () => clock });
    await app.start();
  });

  afterEach(async () => {
    await app.stop();
    await pty.close();
    cleanup();
  });

  const scanner = () => app.router.devices.find((d) => d.name === 'scanner-1')!;
  const scans = () => {
    const d = scanner();
    return hasInputDiagnostics(d) ? (d.health().counters.scans ?? 0) : 0;
  };
  const events = (type: string) => app.ledger.outbox.list({ limit: 10_000 }).filter((e) => e.type === type);

  it('is muted with one event upstream, an audit row and a log line, and heard again after the period', async () => {
    await waitFor(() => { const d = scanner(); return hasInputDiagnostics(d) && d.health().online; }, 5000, 'scanner open');
    // 3,000 refused scans in no time at all on the kiosk's clock.
    for (let i = 0; i < 10; i++) {
      pty.write('\x07\r'.repeat(300));
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor(() => scans() === 3000, 10_000, 'all 3000 scans read');
    await app.kiosk.idle();

    const muted = events('input.muted');
    expect(muted).toHaveLength(1);
    expect(muted[0]!.data).toMatchObject({ device: 'scanner-1', mutedForMs: 60_000, until: new Date(clock + 60_000).toISOString() });
    expect(validators.eventData.get('input.muted')!(muted[0]!.data)).toBe(true);
    expect(app.ledger.audit.recent(1000).filter((a) => a.action === 'input.muted')).toHaveLength(1);
    expect(msgs(logs.lines).filter((m) => m.includes('is flooding the kiosk'))).toHaveLength(1);
    // lockerctl inputs says so.
    const inputs = inputCommands({ config: app.config, ledger: app.ledger, router: app.router, sim: app.sim, now: Date.now }).get('inputs')!;
    const listed = (await inputs({}, { signal: new AbortController().signal, actor: 'technician:test' })) as { name: string; muted: boolean }[];
    expect(listed.find((d) => d.name === 'scanner-1')!.muted).toBe(true);
    // Only what came before the mute reached the kiosk: one refusal row for it.
    expect(app.ledger.audit.recent(1000).filter((a) => a.action === 'scan.refused')).toHaveLength(1);

    // Still flooding a little later: still muted, still one event.
    clock += 30_000;
    pty.write('\x07\r'.repeat(100));
    await waitFor(() => scans() === 3100, 5000, '100 more scans read');
    expect(events('input.muted')).toHaveLength(1);
    expect(events('input.unmuted')).toHaveLength(0);

    // The period is over: the next scan unmutes the device and reaches the kiosk.
    clock += 31_000;
    pty.write('1Z999AA10123456784\r');
    await waitFor(() => events('input.unmuted').length === 1, 5000, 'input.unmuted');
    const unmuted = events('input.unmuted')[0]!;
    expect(unmuted.data).toEqual({ device: 'scanner-1', droppedInputs: 3100 - 90, mutedForMs: 60_000 });
    expect(validators.eventData.get('input.unmuted')!(unmuted.data)).toBe(true);
    await waitFor(() => app.kiosk.lastDisplay?.text !== undefined && msgs(logs.lines).includes('input device unmuted'), 5000, 'unmuted log');
    expect(events('input.muted')).toHaveLength(1);
    expect(app.router.muted('scanner-1')).toBe(false);
  });
});
