/**
 * The outdoor cabinet's kiosk screen in Chromium, on config/examples/outdoor-cabinet.json: a
 * courier deposit and a resident pickup by touch through a cold snap (the simulated cabinet at
 * -15 °C heats and raises `cabinet.too_cold`) and its end; the screen serves throughout and
 * shows no climate alarm to the public. Screenshots in test-artifacts/outdoor-cabinet/.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM } from '../helpers/chromium.js';
import { exampleConfig, exampleJson, tempDir } from '../helpers/fixtures.js';
import { KioskPage } from '../helpers/kiosk-page.js';

const skip = !process.env.CI && !existsSync(CHROMIUM);
const PIN = '111111';

describe.skipIf(skip)('the outdoor cabinet on its screen', { timeout: 60_000 }, () => {
  let cleanup: () => void;
  let kiosk: KioskPage;
  const json = async (...args: string[]): Promise<any> => {
    const r = await kiosk.ctl('--json', ...args);
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir('lockerd-cabinet-screen-'));
    const example = exampleJson('outdoor-cabinet.json');
    const config = exampleConfig('outdoor-cabinet.json', dir, {
      screen: await KioskPage.screenOn(example.screen),
      // Polls come from lockerctl: the daemon's own timer stays out of the way.
      cabinet: { ...example.cabinet, pollMs: 3_600_000, sensorLost: { afterRejected: 3, afterMs: 7_200_000 }, telemetryMs: 3_600_000 },
    });
    kiosk = await KioskPage.open(config, 'outdoor-cabinet');
  }, 60_000);

  afterAll(async () => {
    await kiosk?.close();
    cleanup?.();
  });

  it('takes a parcel by touch during a cold snap, heating the cabinet', async () => {
    const cold = await json('sim', 'climate', '--temp', '-15');
    expect(cold).toMatchObject({ heater: { on: true }, alarms: { tooCold: true } });
    await kiosk.expectPrompt('Residents: key your code and press #. Couriers: key your PIN and press #.');
    expect(await kiosk.page.locator('#locker-name').textContent()).toBe('Outdoor parcel locker');
    await kiosk.tap(`${PIN}#`);
    await kiosk.expectPrompt('Hello UPS. Scan a parcel, or press * to log out.');
    await kiosk.tap('9400111201080805483016#');
    await kiosk.expectPrompt('USPS parcel. Key the unit number and press #. Press * to go back.');
    await kiosk.tap('101#');
    await kiosk.expectPrompt(/^Size: 1 = S/);
    await kiosk.tap('1#');
    await kiosk.expectPrompt(/^Door (\w+) is open\. Put the parcel in and close the door\./);
    const door = /^Door (\w+)/.exec((await kiosk.prompt())!)![1]!;
    expect(await kiosk.highlighted()).toEqual([`${door}:open`]);
    await kiosk.shot('1-courier-door-open-cold');
    expect((await kiosk.ctl('sim', 'door', door, 'close')).code).toBe(0);
    await kiosk.expectPrompt(`Parcel stored in ${door}. Scan the next parcel, or press * to log out.`);
    await kiosk.tap('*');
    await kiosk.expectPrompt('Logged out. Thank you.');
    await kiosk.expectNoSecrets([PIN]);
  });

  it('hands the parcel over by touch once the cold is over; the alarm went upstream once and cleared', async () => {
    const code = await kiosk.lastCode();
    const warm = await json('sim', 'climate', '--temp', '12');
    expect(warm.alarms.tooCold).toBe(false);
    await kiosk.expectPrompt(/Residents: key your code/, 10_000);
    await kiosk.tap(`${code}#`);
    await kiosk.expectPrompt(/^Door (\w+) is open\. Take your parcel and close the door\.$/);
    const door = /^Door (\w+)/.exec((await kiosk.prompt())!)![1]!;
    await kiosk.shot('2-resident-door-open');
    await kiosk.expectNoSecrets([PIN, code]);
    expect((await kiosk.ctl('sim', 'door', door, 'close')).code).toBe(0);
    await kiosk.expectPrompt('Thank you. All your parcels are collected.');
    const types = ((await json('outbox', '--limit', '200')).events as { type: string }[]).map((e) => e.type);
    expect(types.filter((t) => t === 'cabinet.too_cold')).toHaveLength(1);
    expect(types).toEqual(expect.arrayContaining(['parcel.deposited', 'parcel.picked_up']));
    // The public screen says nothing of the cabinet's climate: that is for technicians.
    expect(await kiosk.page.locator('body').textContent()).not.toMatch(/cold|heater|°C/i);
    expect(kiosk.errors).toEqual([]);
  });
});
