/**
 * No credential leaves through the control socket or the log unless a technician asked for it,
 * and then the reveal is audited. A courier logs in with a badge and deposits a parcel, all
 * through lockerctl against the real app's control socket; then every lockerctl read command is
 * run, as text and as JSON, and neither its output nor the log holds the retrieval code, the
 * pickup QR token or the badge token.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomToken } from '../../src/barcode/token.js';
import { run } from '../../src/cli/lockerctl.js';
import { LockerAdministration } from '../../src/locker/administration.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';

const READ_COMMANDS = [['status'], ['compartments'], ['parcels'], ['outbox'], ['outbox', '--unsent'], ['audit'], ['doors'], ['inputs'], ['selftest'], ['gpio'], ['export', '--format', 'csv'], ['export', '--format', 'json']];

describe('credentials at the control socket and in the log', () => {
  let h: LockerHarness;
  let cleanup: () => void;
  let socket: string;
  let logs: ReturnType<typeof captureLogger>;

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    logs = captureLogger('debug');
    const config = testConfig(dir);
    socket = config.control.socketPath;
    h = await LockerHarness.start(config, logs.log, undefined, { controlSocket: true });
  });

  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  const ctl = async (...args: string[]): Promise<{ code: number; out: string }> => {
    let out = '';
    const code = await run(['--socket', socket, ...args], (s) => (out += s), (s) => (out += s));
    return { code, out };
  };

  it('hides the code, the QR token and the badge token from every read command and the log; a reveal shows them and is audited', async () => {
    const badge = randomToken();
    new LockerAdministration(h.app.ledger, h.app.config).setCourier({ courierId: 'dhl-badge', carrier: 'DHL', pin: '444444', badge }, 'remote:test');
    expect((await ctl('sim', 'scan', `LKB1/${badge}`)).out).toContain('Hello DHL');
    expect((await ctl('sim', 'scan', '1Z999AA10123456784')).out).toContain('Key the unit number');
    await ctl('sim', 'keys', '101#');
    expect((await ctl('sim', 'keys', '#')).out).toContain('Door A01 is open');
    expect((await ctl('sim', 'door', 'A01', 'close')).out).toContain('Parcel stored in A01');
    await ctl('sim', 'keys', '*');

    const code = h.latestCode();
    const deposited = h.app.ledger.outbox.list({ limit: 1000 }).find((e) => e.type === 'parcel.deposited')!;
    const qr = deposited.data.pickupQr as string;
    const qrToken = qr.split('/')[2]!;
    expect(qrToken).toMatch(/^[A-Z2-7]{26}$/);
    const secrets = [code, qrToken, badge];

    // A technician pastes a QR text where a reason or a compartment goes: it is hidden there too.
    expect((await ctl('compartment', 'service', 'A05', 'out', '--reason', `resident showed ${qr}`)).code).toBe(0);
    const refused = await ctl('lock', 'open', qr, '--reason', 'test');
    expect(refused.code).toBe(65);
    expect(refused.out).toMatch(/unknown compartment "LKP1\/\[hidden\]"/);

    for (const words of READ_COMMANDS) {
      for (const json of [[], ['--json']]) {
        const { out } = await ctl(...json, ...words);
        for (const secret of secrets) expect(out, `lockerctl ${[...json, ...words].join(' ')}`).not.toContain(secret);
      }
    }
    const hidden = JSON.parse((await ctl('--json', 'outbox')).out) as { events: { seq: number; type: string; data: Record<string, unknown> }[] };
    expect(hidden.events.find((e) => e.type === 'parcel.deposited')!.data).toMatchObject({ code: '[hidden]', pickupQr: '[hidden]', codeId: 1 });
    expect(h.app.ledger.audit.recent(100).map((a) => a.action)).not.toContain('outbox.codes_revealed');

    const shown = await ctl('--json', 'outbox', '--reveal-codes');
    expect(shown.out).toContain(code);
    expect(shown.out).toContain(qr);
    const audit = h.app.ledger.audit.recent(100).find((a) => a.action === 'outbox.codes_revealed');
    // The seqs of every event shown with a credential: the deposit, and the reason holding the QR text.
    const service = h.app.ledger.outbox.list({ limit: 1000 }).find((e) => e.type === 'compartment.service_changed')!;
    expect(audit).toMatchObject({ actor: expect.stringMatching(/^technician:/), detail: { events: [service.seq, deposited.seq] } });
    expect(JSON.stringify(audit)).not.toContain(code);

    const log = logs.text();
    expect(log).toContain('parcel deposited');
    for (const secret of secrets) expect(log).not.toContain(secret);
  });
});
