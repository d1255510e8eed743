/// <reference lib="dom" />
/**
 * The package room on the kiosk screen, in Chromium (playwright-core) against the built daemon:
 * at a room station (config/examples/package-room.json) a courier's session by touch (the label
 * and the shelf scanned with the simulated scanner), a resident's pickup with the list of their
 * parcels and shelves, and a wrong pickup; at a locker kiosk that overflows into its room
 * (config/examples/lockers-with-room-overflow.json) the courier sent to the room's shelf.
 * Screenshots go to test-artifacts/room/.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHROMIUM } from '../helpers/chromium.js';
import { exampleConfig, exampleJson, tempDir } from '../helpers/fixtures.js';
import { KioskPage } from '../helpers/kiosk-page.js';
import { LABELS } from '../helpers/room.js';

const skip = !process.env.CI && !existsSync(CHROMIUM);

/** One daemon on an example config, its screen open in a page. */
async function station(example: string): Promise<{ k: KioskPage; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = tempDir();
  const k = await KioskPage.open(exampleConfig(example, dir, { screen: await KioskPage.screenOn(exampleJson(example).screen) }), 'room');
  return {
    k,
    cleanup: async () => {
      expect(k.errors).toEqual([]);
      await k.close();
      cleanup();
    },
  };
}

const choices = (k: KioskPage) => k.page.locator('#choices .choice').allTextContents();

describe.skipIf(skip)('the package room on the kiosk screen in Chromium', { timeout: 90_000 }, () => {
  it('a room station: a courier session by touch, then a resident with their parcel list and a wrong pickup', async () => {
    const s = await station('package-room.json');
    const { k } = s;
    try {
      await k.expectPrompt(/^Residents: key your code/);
      await k.tap('111111#');
      await k.expectPrompt('Hello UPS. The room door is unlocked. Scan a parcel, or press * to log out.');
      expect(await choices(k)).toEqual(expect.arrayContaining([expect.stringContaining('Log out'), expect.stringContaining('Unlock the room door')]));
      await k.shot('1-courier-room-open');
      expect((await k.ctl('sim', 'door', 'ROOM', 'close')).code).toBe(0);

      expect((await k.ctl('sim', 'scan', LABELS[0]!)).code).toBe(0);
      await k.tap('303#');
      await k.expectPrompt('Parcel for unit 303: put it on shelf R-A and press #, or scan the label of the shelf you put it on. Press * to go back.');
      await k.shot('2-courier-shelf-named');
      await k.tap('#');
      await k.expectPrompt('Parcel stored on shelf R-A. Scan the next parcel, or press * to log out.');
      expect((await k.ctl('sim', 'scan', LABELS[1]!)).code).toBe(0);
      await k.tap('201#');
      expect((await k.ctl('sim', 'scan', 'LKS1/R-B')).code).toBe(0);
      await k.expectPrompt('Parcel stored on shelf R-B. Scan the next parcel, or press * to log out.');
      await k.tap('*');
      await k.expectPrompt('Logged out. Thank you.');

      const outbox = JSON.parse((await k.ctl('--json', 'outbox', '--reveal-codes')).stdout) as { events: { type: string; data: { unit: string; code?: string } }[] };
      const code = outbox.events.find((e) => e.type === 'parcel.deposited' && e.data.unit === '303')!.data.code!;
      await k.tap(`${code}#`);
      await k.expectPrompt(`The room door is open. Your parcels: R-A (${LABELS[0]}). On your way out, scan each label here.`);
      expect(await k.page.evaluate(() => document.body.dataset.step)).toBe('room_resident');
      // The room station's map is its one door, highlighted open.
      expect(await k.page.$$eval('#map [data-door-state]', (cells) => cells.map((c) => `${(c as HTMLElement).dataset.compartment}:${(c as HTMLElement).dataset.doorState}`))).toEqual(['ROOM:open']);
      // Beside the prompt, the parcels still to scan out, shelf by shelf.
      expect(await k.page.locator('#panel-list .panel-row').allTextContents()).toEqual([`R-A${LABELS[0]}`]);
      await k.shot('3-resident-parcel-list');
      expect(await k.page.evaluate((c) => document.documentElement.outerHTML.includes(c), code)).toBe(false);
      expect((await k.ctl('sim', 'door', 'ROOM', 'close')).code).toBe(0);

      // 201's parcel scanned out by 303: put it back.
      expect((await k.ctl('sim', 'scan', LABELS[1]!)).code).toBe(0);
      await k.expectPrompt('That parcel is not yours. Please put it back on shelf R-B.');
      expect(await k.page.evaluate(() => document.body.dataset.tone)).toBe('error');
      await k.shot('4-resident-wrong-pickup');
      expect((await k.ctl('sim', 'scan', LABELS[0]!)).code).toBe(0);
      await k.expectPrompt('Thank you. All your parcels are collected.');
      await k.shot('5-resident-done');
    } finally {
      await s.cleanup();
    }
  });

  it('a locker kiosk overflowing into the room: the courier is sent to the room shelf', async () => {
    const s = await station('lockers-with-room-overflow.json');
    const { k } = s;
    try {
      await k.tap('111111#');
      await k.expectPrompt('Hello UPS. Scan a parcel, or press * to log out.');
      expect((await k.ctl('sim', 'scan', LABELS[0]!)).code).toBe(0);
      await k.tap('303#3#');
      await k.expectPrompt(/^Door A04 is open/);
      expect((await k.ctl('sim', 'door', 'A04', 'close')).code).toBe(0);
      expect((await k.ctl('sim', 'scan', LABELS[1]!)).code).toBe(0);
      await k.tap('303#3#');
      await k.expectPrompt('No compartment is free for this size. Take the parcel to the package room, shelf R-A: the room door is open. Close it behind you.');
      expect(await choices(k)).toEqual([]);
      await k.shot('6-overflow-to-room');
      expect((await k.ctl('sim', 'door', 'ROOM', 'close')).code).toBe(0);
      await k.expectPrompt('Parcel stored on shelf R-A of the package room. Scan the next parcel, or press * to log out.');
      await k.tap('*');
    } finally {
      await s.cleanup();
    }
  });
});
