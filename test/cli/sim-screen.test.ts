/**
 * `lockerctl sim keys|scan|door` prints from the kiosk's screen model: what the kiosk said, then
 * its last screen state (the prompt, the keys that do something, the doors and their state, the
 * masked entry, the countdown). The JSON answer keeps `displays` and adds `screens`.
 */
import { describe, expect, it } from 'vitest';
import { useControlApp } from '../helpers/control-app.js';

describe('lockerctl sim prints the screen model', () => {
  const t = useControlApp();

  /** Its stdout, once it exited 0. */
  const ctl = async (...argv: string[]): Promise<string> => {
    const { code, out, err } = await t.ctl(...argv);
    expect(code, err).toBe(0);
    return out;
  };

  it('prints the prompt, keys, doors, entry and countdown of the last screen state', async () => {
    expect(await ctl('sim', 'keys', 'A')).toBe(
      [
        'kiosk says:',
        '  [info] Residentes: marque su código y oprima #. Repartidores: marque su PIN y oprima #.',
        'screen: Residentes: marque su código y oprima #. Repartidores: marque su PIN y oprima #.',
        '  step: welcome (es)',
        '  keys: A = English, B = Enviar una devolución',
        '  countdown: session ends after 60 s without input',
        '(kiosk state: idle)',
        '',
      ].join('\n'),
    );
    await ctl('sim', 'keys', 'A');
    // A PIN being typed shows as dots, never as digits.
    const typing = await ctl('sim', 'keys', '1111');
    expect(typing).toBe(
      [
        'kiosk says nothing new',
        'screen: Residents: key your code and press #. Couriers: key your PIN and press #.',
        '  step: welcome (en)',
        '  entry: •••• (4 keys)',
        '  keys: * = Clear, # = OK',
        '(kiosk state: idle)',
        '',
      ].join('\n'),
    );
    const login = await ctl('sim', 'keys', '11#');
    expect(login).not.toContain('111111');
    expect(login).toContain('screen: Hello UPS. Scan a parcel, or press * to log out.\n  step: courier_scan (en)\n  keys: * = Log out\n');
    await ctl('sim', 'scan', '1Z999AA10123456784');
    expect(await ctl('sim', 'keys', '101#')).toContain('  keys: 1# = Small (S), 2# = Medium (M), 3# = Large (L), 4# = Extra large (XL), * = Back, # = Smallest that fits\n');
    const opened = await ctl('sim', 'keys', '2#');
    const door = t.app.locker.openDoors()[0]!.compartmentId;
    expect(opened).toContain(`  [success] Door ${door} is open. Put the parcel in and close the door. Too small? Press * for a bigger one.\n`);
    expect(opened).toContain(`  step: courier_door (en)\n  doors: ${door} open\n  keys: * = Too small: bigger door, D = Door did not open\n`);
    const closed = await ctl('sim', 'door', door, 'close');
    expect(closed).toContain(`screen: Parcel stored in ${door}. Scan the next parcel, or press * to log out.\n  step: courier_scan (en)\n  doors: ${door} closed\n  keys: * = Log out\n`);
    expect(await ctl('sim', 'keys', '*')).toContain('screen: Logged out. Thank you.\n  step: goodbye (en)\n  keys: A = Español, B = Send a return\n(kiosk state: idle)\n');
  });

  it('answers --json with the displays as before and the screen states', async () => {
    const result = JSON.parse(await ctl('--json', 'sim', 'keys', '222222#')) as { displays: { text: string }[]; screens: { step: string; seq: number; prompt: { text: string } }[]; state: string };
    expect(result.displays.map((d) => d.text)).toEqual(['Hello FedEx. Scan a parcel, or press * to log out.']);
    expect(result.screens.at(-1)).toMatchObject({ step: 'courier_scan', prompt: { text: 'Hello FedEx. Scan a parcel, or press * to log out.' } });
    expect(result.screens.map((s) => s.seq)).toEqual([...result.screens.map((s) => s.seq)].sort((a, b) => a - b));
    expect(JSON.stringify(result, (k, v: unknown) => (k === 'seq' || k === 'at' || k === 'endsAt' ? 0 : v))).not.toContain('222222');
    expect(result.state).toBe('courier_scan');
    await ctl('sim', 'keys', '*');
  });
});
