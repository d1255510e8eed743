/**
 * Proof of delivery end to end on the simulated locker: a courier deposits a parcel, someone
 * forces its door meanwhile, the resident picks it up with the code; a second parcel is still
 * waiting. Then, through lockerctl and the real control socket, `parcels show` and `export` give
 * a property manager what a dispute needs, and no export holds a code or a pickup QR token (the
 * ones the deposits issued, read from the outbox's `parcel.deposited` payloads as upstream gets them).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProofOfDelivery } from '../../src/locker/proof-of-delivery.js';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';
import { inProcessLockerctl } from '../helpers/control-app.js';

describe('proof of delivery, from the kiosk to the manager\'s export', () => {
  let h: LockerHarness;
  let dir: string;
  let cleanup: () => void;
  let socket: string;
  let parcelId: string;
  const secrets: string[] = [];

  const ctl = inProcessLockerctl(() => socket);

  /** The code and the QR token of the newest deposit, as upstream receives them. */
  const issued = (): string[] => {
    const e = h.app.ledger.outbox.list({ limit: 10_000 }).filter((x) => x.type === 'parcel.deposited' && typeof x.data.code === 'string').at(-1)!;
    return [e.data.code as string, (e.data.pickupQr as string).split('/').at(-1)!];
  };

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    const config = testConfig(dir);
    socket = config.control.socketPath;
    h = await LockerHarness.start(config, captureLogger().log, undefined, { controlSocket: true });

    await h.deposit({ unit: '101', tracking: '1Z999AA10123456784' });
    parcelId = h.app.ledger.parcels.activeIn('A01')!.id;
    const [code, qrToken] = issued();
    secrets.push(code!, qrToken!);
    // Nobody asked for A01 to open: forced, then shut.
    await h.door('A01', true);
    await h.door('A01', false);
    expect(await h.keys(`${code}#`)).toEqual(['Door A01 is open. Take your parcel and close the door.']);
    await h.door('A01', false);
    // A second parcel waits, its code live.
    await h.deposit({ unit: '202', tracking: '1Z5R89390357567127' });
    secrets.push(...issued());
    expect(new Set(secrets).size).toBe(4);
  });

  afterAll(async () => {
    await h.stop();
    cleanup();
  });

  it('parcels show prints who delivered it, the door\'s times, the forced door and the pickup', async () => {
    const { code, out } = await ctl('parcels', 'show', parcelId.toUpperCase());
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^parcel +${parcelId} \\(picked_up\\)$`, 'm'));
    expect(out).toMatch(/^unit +101, compartment A01 \(size S\)$/m);
    expect(out).toMatch(/^carrier +UPS, tracking 1Z999AA10123456784$/m);
    expect(out).toMatch(/^courier +ups-demo \(UPS\)$/m);
    expect(out).toMatch(/^deposited +\S+: door opened \S+, closed \S+ \(operation 1\)$/m);
    expect(out).toMatch(/^picked up +\S+ by resident:101 with the retrieval code: door opened \S+, closed \S+ \(operation 2\)$/m);
    expect(out).toMatch(/^door movements of A01 from \S+ to \S+ \(4\):$/m);
    expect(out).toMatch(/^ {2}\S+ door\.forced_open by unknown$/m);
    expect(out).toMatch(/^ {2}\S+ door\.closed by unknown$/m);
    for (const s of secrets) expect(out).not.toContain(s);

    const json = await ctl('--json', 'parcels', 'show', parcelId);
    const r = JSON.parse(json.out) as ProofOfDelivery;
    expect(r).toMatchObject({ parcelId, courier: { id: 'ups-demo', carrier: 'UPS' }, carrier: 'UPS', tracking: '1Z999AA10123456784', compartmentId: 'A01', state: 'picked_up' });
    expect(r.deposit!.doorClosedAt! >= r.deposit!.doorOpenedAt!).toBe(true);
    expect(r.pickup).toMatchObject({ actor: 'resident:101' });
    // Keyed at the keypad.
    expect(r.pickup!.via).toBe('code');
    expect(r.doorMovements.map((m) => (m.kind === 'event' ? m.action : m.purpose))).toEqual(['deposit', 'door.forced_open', 'door.closed', 'pickup']);
    // Each door operation says which credential asked for it: the courier's keyed PIN, the resident's code.
    expect(r.doorMovements.filter((m) => m.kind === 'operation').map((m) => m.kind === 'operation' && m.credential)).toEqual(['pin', 'code']);
  });

  it('export writes one CSV row per parcel, the door movements in one column, and never a code', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const { code, out, err } = await ctl('export', '--format', 'csv', '--since', today);
    expect(code).toBe(0);
    expect(err).toMatch(new RegExp(`^2 parcels \\(reserved from ${today}T00:00:00.000Z to \\S+\\)\\n$`));
    const lines = out.trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    const header = lines[0]!.split(',');
    const first = Object.fromEntries(header.map((h, i) => [h, lines[1]!.split(',')[i]]));
    expect(first).toMatchObject({ parcel_id: parcelId, state: 'picked_up', unit: '101', compartment: 'A01', carrier: 'UPS', tracking: '1Z999AA10123456784', courier_id: 'ups-demo', pickup_by: 'resident:101', door_movement_count: '4' });
    expect(lines[1]).toMatch(/door\.forced_open by unknown \| \S+ door\.closed by unknown \| \S+ pickup/);
    expect(lines[2]).toMatch(/,deposited,202,/);
    for (const s of secrets) expect(out).not.toContain(s);
  });

  it('export --format json --out FILE writes one record per line to a new file only its owner reads', async () => {
    const file = join(dir, 'pod.jsonl');
    const { code, out, err } = await ctl('export', '--format', 'json', '--out', file);
    expect(code).toBe(0);
    expect(out).toBe('');
    expect(err).toBe(`2 parcels (reserved since the ledger began to ${err.match(/to (\S+)\)/)![1]}) written to ${file}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    for (const s of secrets) expect(text).not.toContain(s);
    const records = text.trimEnd().split('\n').map((l) => JSON.parse(l) as ProofOfDelivery);
    expect(records.map((r) => r.unit)).toEqual(['101', '202']);
    const shown = JSON.parse((await ctl('--json', 'parcels', 'show', parcelId)).out) as ProofOfDelivery;
    expect(records[0]).toEqual(shown);
    expect(records[1]).toMatchObject({ state: 'deposited', ended: null, pickup: null, window: { to: null } });
    // An export never overwrites: evidence already handed over stays as it was.
    const again = await ctl('export', '--format', 'json', '--out', file);
    expect(again.code).toBe(64);
    expect(again.err).toContain(`${file} exists; give a new file name (an export never overwrites)`);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
