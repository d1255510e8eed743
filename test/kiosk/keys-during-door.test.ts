/**
 * Keys pressed while a door operation is in flight (the kiosk awaits the unlock: the intent is
 * written, the board is pulsing, the latch is not confirmed yet). The kiosk handles inputs one
 * after another (src/kiosk/session.ts queues them), so such keys wait and are handled once the
 * operation is over, in whatever state it left. They must never become part of the next person's
 * entry, and a key pressed before a door opened must not act on that door.
 *
 * The simulated boards answer an unlock `UNLOCK_DELAY_MS` late, so the keys below are pressed
 * while the operation is really in flight (between `doorUnlocking` and the outcome).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { captureLogger, tempDir, testConfigJson } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';
import type { Key } from '../../drivers/contracts.js';

const UNLOCK_DELAY_MS = 80;

describe('keys that arrive during a door operation', () => {
  let h: LockerHarness;
  let cleanup: (() => void) | undefined;

  const start = async (): Promise<LockerHarness> => {
    const t = tempDir();
    cleanup = t.cleanup;
    const json = testConfigJson(t.dir);
    json.buses = (json.buses as Record<string, unknown>[]).map((b) => ({ ...b, unlockDelayMs: UNLOCK_DELAY_MS }));
    h = await LockerHarness.start(parseConfig(JSON.stringify(json), 'test-config.json'), captureLogger().log);
    return h;
  };

  afterEach(async () => {
    await h?.stop();
    cleanup?.();
  });

  /** Presses `submit` (ending with #), then `during` once the door's unlock is under way; waits for it all to be handled. */
  const pressDuringUnlock = async (submit: string, during: string): Promise<string[]> => {
    const from = h.displays.length;
    const unlocking = new Promise<void>((resolve) => h.app.locker.events.once('doorUnlocking', () => resolve()));
    for (const k of submit) h.sim.keypad.press(k as Key);
    await unlocking;
    // Still in flight: nothing has been said about the door yet.
    expect(h.app.kiosk.lastScreen.prompt.id).toBe('door.opening');
    for (const k of during) h.sim.keypad.press(k as Key);
    await h.settle();
    return h.displays.slice(from).map((d) => d.text);
  };

  it('pickup: digits pressed while the door opens are refused with "please wait"; the next code opens its door', async () => {
    await start();
    const first = await h.deposit({ unit: '101' });
    const code1 = h.latestCode();
    const second = await h.deposit({ unit: '102' });
    const code2 = h.latestCode();

    const said = await pressDuringUnlock(`${code1}#`, '123');
    expect(said).toContain(`Door ${first} is open. Take your parcel and close the door.`);
    expect(said.filter((t) => t === 'Please wait: the door is opening.')).toHaveLength(3);
    expect(await h.door(first, false)).toEqual(['Thank you. All your parcels are collected.']);
    expect(h.app.kiosk.lastScreen.entryLength).toBe(0);

    expect(await h.keys(`${code2}#`)).toEqual([`Door ${second} is open. Take your parcel and close the door.`]);
  });

  it('deposit: digits pressed while the door opens are dropped when the parcel is stored; the courier goes on', async () => {
    await start();
    await h.keys('111111#');
    await h.scan('TEST00000001');
    await h.keys('101#');
    const said = await pressDuringUnlock('#', '45');
    const door = h.app.locker.openDoors()[0]!.compartmentId;
    expect(said).toContain(`Door ${door} is open. Put the parcel in and close the door. Too small? Press * for a bigger one.`);
    expect(await h.door(door, false)).toEqual([`Parcel stored in ${door}. Scan the next parcel, or press * to log out.`]);
    expect(h.app.kiosk.lastScreen.entryLength).toBe(0);
    expect(await h.keys('*')).toEqual(['Logged out. Thank you.']);
    // The resident after the courier: their code, nothing else.
    expect(await h.keys(`${h.latestCode()}#`)).toEqual([`Door ${door} is open. Take your parcel and close the door.`]);
  });

  // Keys pressed while the doors open are refused ("Please wait"), not queued: queued, when no
  // door of a pickup opens, the kiosk went back to idle and they became the start of the next
  // person's entry.
  it('pickup whose door fails: digits pressed while it tried are not the start of the next person\'s code', async () => {
    await start();
    const first = await h.deposit({ unit: '101' });
    const code1 = h.latestCode();
    const second = await h.deposit({ unit: '102' });
    const code2 = h.latestCode();
    h.sim.boards.setJammed(h.app.ledger.compartments.get(first)!, true);

    const said = await pressDuringUnlock(`${code1}#`, '123');
    expect(said).toContain(`Door ${first} did not open. Please call support; your code stays valid.`);
    expect(said).toContain('Please wait: the door is opening.');
    expect(h.app.kiosk.state).toBe('idle');
    expect(h.app.kiosk.lastScreen.entryLength).toBe(0);

    // The next resident keys their code: it opens their door. Queued, the entry was "123" + code2,
    // 11 digits, taken for a courier PIN: refused as wrong and counted against the PIN throttle.
    expect(await h.keys(`${code2}#`)).toEqual([`Door ${second} is open. Take your parcel and close the door.`]);
  });

  // A `*` pressed before the deposit door opened cannot mean "this door is too small" (the courier
  // has not seen it); queued, it opened a bigger door once the first was open and moved the reservation.
  it('deposit: a * pressed while the door is still opening does not ask for a bigger door', async () => {
    await start();
    await h.keys('111111#');
    await h.scan('TEST00000001');
    await h.keys('101#');
    await pressDuringUnlock('#', '*');
    const open = h.app.locker.openDoors().map((d) => d.compartmentId);
    expect(open).toHaveLength(1);
    expect(h.app.kiosk.state).toBe('courier_door');
  });
});
