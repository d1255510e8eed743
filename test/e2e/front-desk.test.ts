/**
 * config/examples/front-desk.json on the built daemon, driven with lockerctl as docs/front-desk.md
 * walks it: staff log in, log a parcel in to a place, a courier's PIN is refused; the resident's
 * code lists the parcels, the resident signs (`sim sign`), the parcels are picked up; `lockerctl
 * export` carries the signature and its hash, which this test recomputes from the documented
 * canonical form. An authorised collector, and bad input: an unknown place, an empty and an
 * oversized signature.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon, jsonCtl, lockerctl } from '../helpers/daemon.js';
import { exampleConfig, tempDir } from '../helpers/fixtures.js';

const MENU = 'Front desk, Ana. 1 = log a parcel in, 2 = hand parcels over. * = log out.';

describe('the front desk example, driven with lockerctl', { timeout: 120_000 }, () => {
  let dir: string;
  let cleanup: () => void;
  let configPath: string;
  let daemon: Daemon;
  const ctl = (...args: string[]) => lockerctl(['--config', configPath, ...args]);
  const { json, said } = jsonCtl(() => configPath);
  /** The codes of the parcel.deposited events, newest last. */
  const codes = async (): Promise<Record<string, string>> => {
    const outbox = await json('outbox', '--reveal-codes');
    return Object.fromEntries(outbox.events.filter((e: any) => e.type === 'parcel.deposited' && e.data.code).map((e: any) => [e.data.unit, e.data.code]));
  };

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    configPath = exampleConfig('front-desk.json', dir);
    daemon = Daemon.spawn(configPath);
    await daemon.ready();
  });

  afterAll(async () => {
    await daemon?.stop();
    cleanup();
  });

  it('refuses a courier at the desk, logs parcels in, and hands them over against a signature that export proves', async () => {
    expect(await said('sim', 'keys', '111111#')).toEqual(['This desk is run by staff: only staff log in here. Ask at the desk.']);
    expect(await said('sim', 'keys', '9999#')).toEqual([MENU]);
    expect(await said('sim', 'keys', '1#')).toEqual(['Scan the parcel, or key its tracking number and press #. Press * for the menu.']);
    expect(await said('sim', 'scan', '1Z999AA10123456784')).toEqual(['UPS parcel. Key the unit number and press #. Press * to go back.']);
    const placePrompt = await json('sim', 'keys', '101#');
    expect(placePrompt.displays[0].text).toBe("Parcel for unit 101. Put it on D-1 and press #, or key another place's number and #, or scan its label. Press * to go back.");
    expect(placePrompt.screens.at(-1).panel.places.map((p: any) => p.id)).toEqual(['D-1', 'D-2', 'D-3']);
    // Bad input: a place that does not exist, scanned; nothing is stored.
    expect(await said('sim', 'scan', 'D-9')).toEqual(['That is not a place of this desk. Choose one from the list or scan its label.']);
    expect(await json('parcels')).toEqual([]);
    expect(await said('sim', 'scan', 'D-2')).toEqual(['Logged in: unit 101, on D-2. The resident is notified. Scan the next parcel.']);
    await json('sim', 'keys', '*');

    const [parcel] = await json('parcels');
    expect(parcel).toMatchObject({ state: 'deposited', unit: '101', compartmentId: 'DESK', placeId: 'D-2' });
    const code = (await codes())['101']!;

    expect(await said('sim', 'keys', '2#')).toEqual(["Key the resident's code and press #, or scan their QR code. Press * for the menu."]);
    // No signature is asked for yet: refused, nothing changes.
    const early = await ctl('sim', 'sign');
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('no signature is asked for now');
    expect(await said('sim', 'keys', `${code}#`)).toEqual(['Unit 101: 1 parcel(s) on D-2. Press # for the resident to sign. Press * to cancel.']);
    const signing = await json('sim', 'keys', '#');
    expect(signing.displays[0].text).toBe('Please sign below to confirm you received 1 parcel(s).');
    expect(signing.screens.at(-1).panel).toMatchObject({ kind: 'signature', statement: 'I confirm that I received the parcels listed above in good condition.' });

    // Bad input: an empty signature, a tap, a path off the pad, a huge one.
    expect(await said('sim', 'sign', '--path', '')).toEqual(['The signature was not accepted: the signature is empty: the resident signs on the pad. Please sign again.']);
    expect((await said('sim', 'sign', '--path', 'M10 10l1 1 1 1 1 1 1 1 1 1 1 1 1 1'))[0]).toContain('too small');
    expect((await said('sim', 'sign', '--path', 'M990 10l20 0 0 100 0 100 0 100 0 100 0 100 0 100'))[0]).toContain('outside the 1000x300 pad');
    expect((await said('sim', 'sign', '--path', `M1 1l${'1 0 '.repeat(9000).trim()}`))[0]).toContain('more than the');
    expect((await json('parcels'))[0].state).toBe('deposited');

    const path = 'M100 150l40 -60 40 120 40 -120 40 120 40 -120 40 120 40 -60';
    expect(await said('sim', 'sign', '--path', path)).toEqual(['Signed: 1 parcel(s) handed over for unit 101.']);
    // The simulated signature is audited by its length, never its strokes.
    const simRows = (await json('audit', '--limit', '200')).filter((a: any) => a.action === 'sim.signed');
    expect(simRows.length).toBeGreaterThan(0);
    expect(simRows.at(0).detail).toEqual({ length: path.length });
    const proof = await json('parcels', 'show', parcel.id);
    expect(proof).toMatchObject({ state: 'picked_up', placeId: 'D-2', collector: null, pickup: { actor: 'staff:desk-ana', via: 'code' } });
    expect(proof.signature).toMatchObject({ desk: 'DESK', staffId: 'desk-ana', unit: '101', collector: null, parcels: [parcel.id], path, hashVerifies: true });

    const exported = await ctl('export', '--format', 'json');
    expect(exported.code).toBe(0);
    const record = exported.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((r: any) => r.parcelId === parcel.id);
    const s = record.signature;
    // The hash, recomputed from the documented canonical form (docs/front-desk.md), not from lockerd's code.
    const canonical = JSON.stringify(['lockerd-signature/1', s.desk, s.staffId, s.unit, s.collector, s.at, [...s.parcels].sort(), s.statement, s.path]);
    expect(canonical).toBe(s.canonical);
    expect(createHash('sha256').update(canonical, 'utf8').digest('hex')).toBe(s.sha256);
    const text = (await ctl('parcels', 'show', parcel.id)).stdout;
    expect(text).toContain(`sha256       ${s.sha256} (verifies)`);
    expect(text).toContain('statement    "I confirm that I received the parcels listed above in good condition."');
    const csv = (await ctl('export', '--format', 'csv')).stdout;
    expect(csv.split('\r\n')[0]).toContain('signature_sha256');
    expect(csv).toContain(s.sha256);
    await json('sim', 'keys', '*');
  });

  it('hands a parcel to the collector the resident authorised, named in the record', async () => {
    await json('sim', 'keys', '9999#1#');
    await json('sim', 'scan', 'TEST00000077');
    await json('sim', 'keys', '202#');
    await json('sim', 'keys', '#*');
    const parcel = (await json('parcels')).find((p: any) => p.unit === '202');
    // What upstream's pickup.authorise stores (tested through the command inbox in test/sync/desk-authorisation-commands.test.ts).
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(dir, 'lockerd.db'));
    db.prepare('INSERT INTO pickup_authorisations (id, unit, collector, parcel_id, created_at, expires_at) VALUES (?, ?, ?, NULL, ?, ?)').run('auth-9', '202', 'Sam Lee', Date.now(), Date.now() + 86_400_000);
    db.close();
    const code = (await codes())['202']!;
    const listed = await json('sim', 'keys', `2#${code}#`);
    expect(listed.screens.at(-1).panel.collectors).toEqual([{ number: 1, name: 'Sam Lee' }]);
    expect(await said('sim', 'keys', '1#')).toEqual(['Collected by Sam Lee for unit 202: 1 parcel(s) on D-1. Press # to sign. Press * to cancel.']);
    await json('sim', 'keys', '#');
    expect(await said('sim', 'sign')).toEqual(['Signed: 1 parcel(s) handed over for unit 202.']);
    const proof = await json('parcels', 'show', parcel.id);
    expect(proof).toMatchObject({ collector: 'Sam Lee', signature: { collector: 'Sam Lee', hashVerifies: true } });
    await json('sim', 'keys', '*');
  });
});
