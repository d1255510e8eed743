/**
 * The room flow's keys and screen at a room station: what each state offers, the courier's C for
 * the door again (one door operation at a time), the session lengths of the room's config, a
 * code keyed into a courier's room session leaking nothing, and * stepping back.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { captureLogger, tempDir, exampleConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';
import { LABELS } from '../helpers/room.js';

describe('the room flow at the kiosk', () => {
  let h: LockerHarness;
  let cleanup: () => void;
  const logs = captureLogger('debug');
  const screen = () => h.screens.at(-1)!;
  const choiceKeys = () => screen().choices.map((c) => `${c.key}:${c.labelId}`);
  const roomOps = () => h.app.ledger.audit.recent(200).filter((a) => a.action === 'door.unlock_requested' && a.compartmentId === 'ROOM');

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    h = await LockerHarness.start(loadConfig(exampleConfig('package-room.json', dir)), logs.log);
  });

  afterEach(async () => {
    await h.stop();
    cleanup();
  });

  it('offers no return at the welcome screen: a room has no compartment to put one in', async () => {
    await h.keys('*');
    expect(h.app.kiosk.state).toBe('idle');
    expect(screen().choices.map((c) => c.labelId)).not.toContain('choice.sendReturn');
    await h.keys('B');
    expect(h.app.kiosk.state).toBe('idle');
  });

  it("offers the courier's keys, keeps the door to one operation at a time, and times the session by rooms[].sessionMs", async () => {
    const before = Date.now();
    await h.keys('111111#');
    expect(h.app.kiosk.state).toBe('room_scan');
    expect(choiceKeys()).toEqual(['*:choice.logOut', 'C:choice.roomDoor']);
    expect(screen().doors).toEqual([{ compartmentId: 'ROOM', state: 'open' }]);
    // 20 minutes (sessionMs), not the kiosk's usual timeout.
    expect(screen().countdown!.endsAt - before).toBeGreaterThanOrEqual(1_200_000);
    // C while the door is still unlocked: no second operation.
    expect(await h.keys('C')).toEqual(['The room door is already unlocked. Scan a parcel, or press * to log out.']);
    expect(roomOps()).toHaveLength(1);
    await h.door('ROOM', false);
    expect(await h.keys('C')).toEqual(['The room door is unlocked again. Scan a parcel, or press * to log out.']);
    expect(roomOps()).toHaveLength(2);
    await h.door('ROOM', false);

    await h.scan(LABELS[0]!);
    expect(choiceKeys()).toEqual(['*:choice.back']);
    await h.keys('101#');
    expect(choiceKeys()).toEqual(['*:choice.back', '#:choice.enter']);
    // * steps back: to the unit, then to the scan prompt; nothing was stored.
    expect(await h.keys('*')).toEqual(['Key the unit number and press #. Press * to go back.']);
    expect(await h.keys('*')).toEqual(['Hello UPS. The room door is unlocked. Scan a parcel, or press * to log out.']);
    expect(h.app.ledger.parcels.list()).toEqual([]);
  });

  it("a code keyed into a courier's room session is not shown, logged or audited", async () => {
    await h.keys('111111#');
    await h.door('ROOM', false);
    await h.scan(LABELS[0]!);
    await h.keys('101#');
    await h.keys('#');
    await h.keys('*');
    const code = h.latestCode();
    await h.keys('222222#');
    await h.door('ROOM', false);
    const fromAudit = h.app.ledger.audit.recent(1)[0]!.id;
    const fromDisplay = h.displays.length;
    expect(await h.keys(`${code}#`)).toEqual(['A courier session is open: press * to end it.']);
    expect(h.app.kiosk.state).toBe('room_scan');
    expect(JSON.stringify(h.app.ledger.audit.recent(100).filter((a) => a.id > fromAudit))).not.toContain(code);
    expect(h.displays.slice(fromDisplay).map((d) => d.text).join('\n')).not.toContain(code);
    expect(logs.text()).not.toContain(code);
    expect(await h.keys('*')).toEqual(['Logged out. Thank you.']);
  });

  it("gives the resident's list the room's scan-out time and a way to leave it", async () => {
    await h.keys('111111#');
    await h.door('ROOM', false);
    await h.scan(LABELS[0]!);
    await h.keys('101#');
    await h.keys('#');
    await h.keys('*');
    const before = Date.now();
    await h.keys(`${h.latestCode()}#`);
    expect(h.app.kiosk.state).toBe('room_resident');
    expect(choiceKeys()).toEqual(['*:choice.cancel']);
    expect(screen().countdown!.endsAt - before).toBeGreaterThanOrEqual(600_000);
    // The list beside the prompt: what is left to scan out, by shelf; no code anywhere in it.
    expect(screen().panel).toEqual({ kind: 'parcels', unit: '101', parcels: [{ placeId: 'R-A', carrier: null, tracking: LABELS[0] }], collectors: [], collector: null });
    expect(JSON.stringify(screen().panel)).not.toContain(h.latestCode());
    // A stray key while the list is shown repeats it; the code still covers the parcel.
    expect(await h.keys('5#')).toEqual([`The room door is open. Your parcels: R-A (${LABELS[0]}). On your way out, scan each label here.`]);
  });

  it("takes the next resident's code keyed over the previous one's list; the first one's parcels stay to scan out", async () => {
    await h.keys('111111#');
    await h.door('ROOM', false);
    for (const [label, unit] of [[LABELS[0]!, '101'], [LABELS[1]!, '201']] as const) {
      await h.scan(label);
      await h.keys(`${unit}#`);
      await h.keys('#');
    }
    await h.keys('*');
    const codes = h.app.ledger.outbox.list({ limit: 100 }).filter((e) => e.type === 'parcel.deposited').map((e) => e.data.code as string);
    await h.keys(`${codes[0]}#`);
    await h.door('ROOM', false);
    expect(await h.keys(`${codes[1]}#`)).toEqual([`The room door is open. Your parcels: R-A (${LABELS[1]}). On your way out, scan each label here.`]);
    // At 201's list, 101's label is someone else's.
    expect(await h.scan(LABELS[0]!)).toEqual(['That parcel is not yours. Please put it back on shelf R-A.']);
    await h.keys('*');
    // At the welcome screen, it scans out for the resident who was let in for it.
    expect(await h.scan(LABELS[0]!)).toEqual(['Thank you: your parcel from shelf R-A is checked out.']);
  });
});
