/**
 * The kiosk's screen model (src/kiosk/screen.ts) at every step, through the real app on the
 * simulated locker: what the page draws and `lockerctl sim` prints. Each state carries the step,
 * the prompt (id, parameters, text in the session's language), the keys that do something now,
 * the doors and their state, the countdown, the entry's length (never its keys) and attention.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger, tempDir, testConfig } from '../helpers/fixtures.js';
import { LockerHarness } from '../helpers/locker-harness.js';
import type { ScreenState } from '../../src/kiosk/screen.js';
import { BACK_TO_WELCOME_MS } from '../../src/kiosk/session.js';

const TRACKING = '1Z999AA10123456784';

describe('the kiosk screen model', () => {
  let h: LockerHarness;
  let cleanup: (() => void) | undefined;
  type Overrides = Parameters<typeof testConfig>[1];

  const start = async (overrides: Overrides = {}): Promise<LockerHarness> => {
    const t = tempDir();
    cleanup = t.cleanup;
    h = await LockerHarness.start(testConfig(t.dir, overrides), captureLogger().log);
    return h;
  };

  afterEach(async () => {
    await h?.stop();
    cleanup?.();
  });

  const last = (): ScreenState => h.app.kiosk.lastScreen;
  const keysOf = (s: ScreenState): string[] => s.choices.map((c) => c.key);
  const doorsOf = (s: ScreenState): string[] => s.doors.map((d) => `${d.compartmentId} ${d.state}`);
  /** Screens emitted from index `from` on. */
  const since = (from: number): ScreenState[] => h.screens.slice(from);
  const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('welcome: the prompt, the language key, no doors, no countdown, an empty entry', async () => {
    await start();
    const s = last();
    expect(s).toMatchObject({
      step: 'welcome', tone: 'info', language: 'en', entryLength: 0, doors: [], countdown: null, attention: [],
      prompt: { id: 'welcome', params: {}, text: 'Residents: key your code and press #. Couriers: key your PIN and press #.' },
      choices: [{ key: 'A', labelId: 'choice.language', label: 'Español' }, { key: 'B', labelId: 'choice.sendReturn', label: 'Send a return' }],
    });
    expect(s.seq).toBeGreaterThan(0);
  });

  it('masks the entry: one count per key, * clears, # submits, and no code or PIN is anywhere in any state', async () => {
    await start();
    await h.deposit({ unit: '101' });
    const code = h.latestCode();
    const from = h.screens.length;
    for (const [i, k] of [...code].entries()) {
      await h.keys(k);
      expect(last().entryLength).toBe(i + 1);
      expect(keysOf(last())).toEqual(['*', '#']);
      expect(last().choices.map((c) => c.labelId)).toEqual(['choice.clear', 'choice.enter']);
    }
    await h.keys('#');
    expect(last()).toMatchObject({ step: 'resident_doors', entryLength: 0 });
    await h.keys('1111');
    expect(last().entryLength).toBe(4);
    await h.keys('*');
    expect(last()).toMatchObject({ entryLength: 0, prompt: { id: 'entry.cleared' } });
    // A PIN typed at the welcome screen, a code typed into a courier session: neither shows.
    await h.door(h.app.locker.openDoors()[0]!.compartmentId, false);
    await h.keys('111111#');
    await h.keys(`${code}#`);
    expect(last().prompt.id).toBe('courier.sessionOpen');
    const states = since(from);
    expect(states.length).toBeGreaterThan(code.length + 6);
    // Clock values (seq, at, endsAt) are numbers that could contain any digits: blanked.
    const json = JSON.stringify(states, (k, v: unknown) => (k === 'seq' || k === 'at' || k === 'endsAt' ? 0 : v));
    expect(json).not.toContain(code);
    expect(json).not.toContain('111111');
    // seq only grows.
    for (let i = 1; i < h.screens.length; i++) expect(h.screens[i]!.seq).toBeGreaterThan(h.screens[i - 1]!.seq);
  });

  it('courier_scan, courier_unit, courier_size: the keys of each step, and the session countdown', async () => {
    await start();
    await h.keys('111111#');
    let s = last();
    expect(s).toMatchObject({ step: 'courier_scan', tone: 'success', prompt: { id: 'courier.scanParcel', params: { courier: 'UPS' }, text: 'Hello UPS. Scan a parcel, or press * to log out.' } });
    expect(s.choices).toEqual([{ key: '*', labelId: 'choice.logOut', label: 'Log out' }]);
    expect(s.countdown?.kind).toBe('session');
    const timeout = h.app.config.kiosk.sessionTimeoutMs;
    expect(s.countdown!.endsAt - s.at).toBeGreaterThan(timeout - 1000);
    expect(s.countdown!.endsAt - s.at).toBeLessThanOrEqual(timeout);

    await h.scan(TRACKING);
    s = last();
    expect(s).toMatchObject({ step: 'courier_unit', prompt: { id: 'courier.keyUnitForCarrier', params: { carrier: 'UPS' } } });
    expect(s.choices).toEqual([{ key: '*', labelId: 'choice.back', label: 'Back' }]);
    await h.keys('999#');
    expect(last()).toMatchObject({ step: 'courier_unit', tone: 'error', prompt: { id: 'courier.unitUnknown' } });

    await h.keys('101#');
    s = last();
    expect(s).toMatchObject({ step: 'courier_size', prompt: { id: 'courier.chooseSize' } });
    expect(s.choices.map((c) => [c.key, c.labelId, c.sequence ?? null])).toEqual([
      ['1', 'choice.size.S', ['1', '#']],
      ['2', 'choice.size.M', ['2', '#']],
      ['3', 'choice.size.L', ['3', '#']],
      ['4', 'choice.size.XL', ['4', '#']],
      ['*', 'choice.back', null],
      ['#', 'choice.size.auto', null],
    ]);
    // * goes back one step at a time.
    await h.keys('*');
    expect(last().step).toBe('courier_unit');
    await h.keys('*');
    expect(last().step).toBe('courier_scan');
  });

  it('courier_door: the door goes opening, open, closed; * asks for a bigger one', async () => {
    await start();
    await h.keys('111111#');
    await h.scan(TRACKING);
    await h.keys('101#');
    const from = h.screens.length;
    await h.keys('1#');
    const door = h.app.locker.openDoors()[0]!.compartmentId;
    const opening = since(from);
    expect(opening.map((s) => [s.step, s.prompt.id, doorsOf(s).join()])).toEqual([
      ['courier_size', 'courier.chooseSize', ''], // the size keyed: one dot
      ['courier_door', 'door.opening', `${door} opening`],
      ['courier_door', 'door.opening', `${door} open`],
      ['courier_door', 'courier.doorOpen', `${door} open`],
    ]);
    expect(opening[0]!.entryLength).toBe(1);
    expect(opening[1]!.choices).toEqual([]); // busy: nothing to choose while the lock fires
    expect(last().prompt.text).toBe(`Door ${door} is open. Put the parcel in and close the door. Too small? Press * for a bigger one.`);
    expect(last().choices).toEqual([{ key: '*', labelId: 'choice.biggerDoor', label: 'Too small: bigger door' }, { key: 'D', labelId: 'choice.doorDidNotOpen', label: 'Door did not open' }]);

    // Too small: a bigger door opens, both are on screen, the first one closes.
    await h.keys('*');
    const bigger = h.app.locker.openDoors().map((d) => d.compartmentId).find((id) => id !== door)!;
    expect(last()).toMatchObject({ step: 'courier_door', prompt: { id: 'courier.biggerDoorOpen', params: { from: door, to: bigger } } });
    expect(doorsOf(last())).toEqual([`${door} open`, `${bigger} open`]);
    await h.door(door, false);
    expect(doorsOf(last())).toEqual([`${door} closed`, `${bigger} open`]);

    await h.door(bigger, false);
    expect(last()).toMatchObject({ step: 'courier_scan', tone: 'success', prompt: { id: 'courier.deposited', params: { door: bigger } } });
    expect(doorsOf(last())).toEqual([`${door} closed`, `${bigger} closed`]);
    // The next parcel starts with no doors on screen.
    await h.scan('1Z879E930346834440');
    expect(last(), JSON.stringify(last().prompt)).toMatchObject({ step: 'courier_unit', doors: [] });
  });

  it('failed: a jammed door shows as failed; a deposit moves on to the next door, a pickup refuses', async () => {
    await start();
    const first = h.app.ledger.compartments.get('A01')!;
    h.sim.boards.setJammed(first, true);
    await h.keys('111111#');
    await h.scan(TRACKING);
    await h.keys('101#');
    const from = h.screens.length;
    await h.keys('#');
    const door = h.app.locker.openDoors()[0]!.compartmentId;
    expect(door).not.toBe('A01');
    expect(since(from).filter((s) => s.prompt.id === 'door.opening').map((s) => doorsOf(s).join())).toEqual(['A01 opening', 'A01 failed', `A01 failed,${door} opening`, `A01 failed,${door} open`]);
    // Which doors failed is staff's business: the courier sees the open one.
    expect(doorsOf(last())).toEqual([`${door} open`]);
    await h.door(door, false);
    await h.keys('*');
    const code = h.latestCode();
    h.sim.boards.setJammed(h.app.ledger.compartments.get(door)!, true);
    expect(await h.keys(`${code}#`)).toEqual([`Door ${door} did not open. Please call support; your code stays valid.`]);
    expect(last()).toMatchObject({ step: 'refusal', tone: 'error', prompt: { id: 'pickup.doorFailed', params: { door } } });
    expect(doorsOf(last())).toEqual([`${door} failed`]);
  });

  it('goodbye: logged out, no countdown, the welcome keys', async () => {
    await start();
    await h.keys('111111#');
    await h.keys('*');
    expect(last()).toMatchObject({ step: 'goodbye', tone: 'success', prompt: { id: 'courier.loggedOut', text: 'Logged out. Thank you.' }, countdown: null, doors: [] });
    expect(keysOf(last())).toEqual(['A', 'B']);
    expect(h.app.kiosk.state).toBe('idle');
  });

  it('resident_doors: several doors, each closing in turn, then goodbye', async () => {
    await start();
    const first = await h.deposit({ unit: '101' });
    const second = await h.deposit({ unit: '101' });
    const code = h.latestCode();
    const from = h.screens.length;
    expect(await h.keys(`${code}#`)).toEqual([`Door ${first} is open. Take your parcel and close the door.`, `Door ${second} is open. Take your parcel and close the door.`]);
    // Each unlock is shown as it happens.
    expect(since(from).filter((s) => s.prompt.id === 'door.opening').map((s) => doorsOf(s).join())).toEqual([
      `${first} opening`,
      `${first} open`,
      `${first} open,${second} opening`,
      `${first} open,${second} open`,
    ]);
    expect(last()).toMatchObject({ step: 'resident_doors', tone: 'success', prompt: { id: 'pickup.doorOpen', params: { door: second } } });
    expect(doorsOf(last())).toEqual([`${first} open`, `${second} open`]);
    expect(last().choices).toEqual([]);
    expect(last().countdown?.kind).toBe('session');
    await h.door(first, false);
    expect(last().step).toBe('resident_doors');
    expect(doorsOf(last())).toEqual([`${first} closed`, `${second} open`]);
    await h.door(second, false);
    expect(last()).toMatchObject({ step: 'goodbye', tone: 'success', prompt: { id: 'pickup.done', text: 'Thank you. All your parcels are collected.' }, countdown: null });
  });

  it('refusal: a wrong code at the welcome screen', async () => {
    await start();
    await h.keys('99999999#');
    expect(last()).toMatchObject({
      step: 'refusal', tone: 'error', entryLength: 0, countdown: null,
      prompt: { id: 'pickup.wrongCode', text: 'That code is not valid or its parcel was already collected. Check it and try again.' },
    });
    expect(keysOf(last())).toEqual(['A', 'B']);
    await h.keys('1234#');
    expect(last()).toMatchObject({ step: 'refusal', prompt: { id: 'login.wrongCodeOrPin', params: { digits: 8 } } });
  });

  it('throttled: the wait as a countdown', async () => {
    await start({ guessing: { freeFailures: 0, baseLockoutMs: 30_000 } });
    await h.keys('99999999#');
    expect(last().step).toBe('refusal');
    await h.keys('99999998#');
    const s = last();
    expect(s).toMatchObject({ step: 'throttled', tone: 'error', prompt: { id: 'throttled' } });
    expect(s.countdown?.kind).toBe('throttle');
    const seconds = s.prompt.params.seconds as number;
    expect(seconds).toBeGreaterThan(25);
    expect(seconds).toBeLessThanOrEqual(30);
    expect(s.countdown!.endsAt - s.at).toBeGreaterThan((seconds - 1) * 1000);
    expect(s.countdown!.endsAt - s.at).toBeLessThanOrEqual(seconds * 1000);
    expect(s.prompt.text).toBe(`Too many wrong entries. Try again in ${seconds} s.`);
  });

  it('timeout: the session countdown runs out and the screen says so', async () => {
    await start({ kiosk: { sessionTimeoutMs: 5_000 } });
    await h.keys('111111#');
    const s = last();
    expect(s.countdown).toEqual({ kind: 'session', endsAt: expect.any(Number) });
    expect(s.countdown!.endsAt - s.at).toBeGreaterThan(4_000);
    expect(s.countdown!.endsAt - s.at).toBeLessThanOrEqual(5_000);
    // A key restarts it.
    await wait(300);
    await h.keys('1');
    expect(last().countdown!.endsAt).toBeGreaterThan(s.countdown!.endsAt);
    await wait(Math.max(0, last().countdown!.endsAt - Date.now()) + 500);
    await h.settle();
    expect(last()).toMatchObject({ step: 'goodbye', prompt: { id: 'session.timedOut' }, countdown: null, entryLength: 0 });
    expect(h.app.kiosk.state).toBe('idle');
  }, 15_000);

  it('switches the language with A at the welcome screen, for one session only', async () => {
    await start();
    expect(await h.keys('A')).toEqual(['Residentes: marque su código y oprima #. Repartidores: marque su PIN y oprima #.']);
    expect(last()).toMatchObject({ step: 'welcome', language: 'es', choices: [{ key: 'A', labelId: 'choice.language', label: 'English' }, { key: 'B', labelId: 'choice.sendReturn', label: 'Enviar una devolución' }] });
    // A session of its own: it would time out back to the default.
    expect(last().countdown?.kind).toBe('session');
    expect(await h.keys('111111#')).toEqual(['Hola, UPS. Escanee un paquete u oprima * para cerrar sesión.']);
    expect(last().choices).toEqual([{ key: '*', labelId: 'choice.logOut', label: 'Cerrar sesión' }]);
    await h.scan(TRACKING);
    await h.keys('101#');
    expect(last().choices.map((c) => c.label)).toEqual(['Pequeño (S)', 'Mediano (M)', 'Grande (L)', 'Extra grande (XL)', 'Regresar', 'El más pequeño que sirva']);
    await h.keys('#');
    const door = h.app.locker.openDoors()[0]!.compartmentId;
    expect(last().prompt.text).toBe(`La puerta ${door} está abierta. Meta el paquete y cierre la puerta. ¿Es muy pequeño? Oprima * para uno más grande.`);
    await h.door(door, false);
    expect(await h.keys('*')).toEqual(['Sesión cerrada. Gracias.']);
    expect(last()).toMatchObject({ step: 'goodbye', language: 'es' });
    // The session is over: the next person starts in the default language.
    await h.keys('1');
    expect(last()).toMatchObject({ language: 'en', entryLength: 1 });
    expect(await h.keys('*')).toEqual(['Entry cleared.']);
    // Typed after a digit, A is part of the entry (as before): no switch.
    await h.keys('1A');
    expect(last()).toMatchObject({ language: 'en', entryLength: 2 });
    expect(await h.keys('#')).toEqual(['That code or PIN is not valid. Codes have 8 digits.']);
    expect(keysOf(last())).toEqual(['A', 'B']);
  });

  it('shows the welcome again, in the default language, a while after a goodbye', async () => {
    await start();
    await h.keys('A');
    await h.keys('111111#');
    const said = h.displays.length;
    await h.keys('*');
    expect(last()).toMatchObject({ step: 'goodbye', language: 'es' });
    await wait(BACK_TO_WELCOME_MS + 400);
    await h.settle();
    expect(last()).toMatchObject({ step: 'welcome', language: 'en', prompt: { id: 'welcome' }, countdown: null, choices: [{ key: 'A', label: 'Español' }, { key: 'B', label: 'Send a return' }] });
    // Shown, not said: no beep, no display.
    expect(h.displays.length).toBe(said + 1);
  }, 20_000);

  it('starts in the configured language (kiosk.language)', async () => {
    await start({ kiosk: { language: 'es' } });
    expect(last()).toMatchObject({ language: 'es', prompt: { text: 'Residentes: marque su código y oprima #. Repartidores: marque su PIN y oprima #.' } });
    expect(await h.keys('A')).toEqual(['Residents: key your code and press #. Couriers: key your PIN and press #.']);
    expect(await h.keys('111111#')).toEqual(['Hello UPS. Scan a parcel, or press * to log out.']);
    await h.keys('*');
    await h.keys('*');
    expect(last()).toMatchObject({ language: 'es', prompt: { id: 'welcome' } });
  });

  it('attention: a door left open is on every screen until it closes', async () => {
    await start({ doors: { leftOpenMs: 5_000 } });
    await h.door('A05', true); // opened by hand: forced, and left open
    expect(last().attention).toEqual([]);
    await wait(5_400);
    await h.settle();
    expect(last().attention).toEqual([{ kind: 'door_left_open', text: 'Please close door A05.', compartmentId: 'A05', audience: 'everyone' }]);
    // It stays through the steps of a session, in the session's language.
    await h.keys('A');
    expect(last().attention.map((a) => a.text)).toEqual(['Por favor, cierre la puerta A05.']);
    await h.keys('111111#');
    expect(last()).toMatchObject({ step: 'courier_scan', attention: [{ compartmentId: 'A05' }] });
    await h.door('A05', false);
    expect(last().attention).toEqual([]);
  }, 15_000);
});
