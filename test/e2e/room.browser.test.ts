/// <reference lib="dom" />
/**
 * The package room on the kiosk screen, in Chromium (playwright-core) against the built daemon:
 * at a room station (config/examples/package-room.json) a courier's session by touch (the label
 * and the shelf scanned with the simulated scanner), a resident's pickup with the list of their
 * parcels and shelves, and a wrong pickup; at a locker kiosk that overflows into its room
 * (config/examples/lockers-with-room-overflow.json) the courier sent to the room's shelf.
 * Screenshots go to test-artifacts/room/.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon, lockerctl } from '../helpers/daemon.js';
import { ROOT, tempDir, writeConfig } from '../helpers/fixtures.js';
import { pngVariance } from '../helpers/png.js';
import { CHROMIUM, launchChromium } from '../helpers/chromium.js';
import { freePort } from '../helpers/mosquitto.js';
import { LABELS } from '../helpers/room.js';

const ARTIFACTS = join(ROOT, 'test-artifacts', 'room');
const skip = !process.env.CI && !existsSync(CHROMIUM);

/** An example config with this test's ledger, socket, and the screen on a free port. */
async function screenConfig(example: string, dir: string): Promise<string> {
  const json = JSON.parse(readFileSync(join(ROOT, 'config', 'examples', example), 'utf8')) as Record<string, unknown>;
  return writeConfig(dir, {
    ...json,
    ledger: { path: join(dir, 'lockerd.db'), keyFile: join(dir, 'lockerd.key') },
    control: { socketPath: join(dir, 'lockerd.sock') },
    mqtt: { enabled: false },
    screen: { ...(json.screen as object), enabled: true, port: await freePort() },
  });
}

/** One daemon with its screen open in a page. */
async function station(example: string, browser: Browser): Promise<{ daemon: Daemon; page: Page; ctl: (...a: string[]) => ReturnType<typeof lockerctl>; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = tempDir();
  const configPath = await screenConfig(example, dir);
  const daemon = Daemon.spawn(configPath);
  await daemon.ready();
  const ctl = (...args: string[]) => lockerctl(['--config', configPath, ...args]);
  const url = (await ctl('screen', 'url')).stdout.trim();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  return {
    daemon,
    page,
    ctl,
    cleanup: async () => {
      await page.close();
      await daemon.stop();
      cleanup();
    },
  };
}

async function expectPrompt(page: Page, match: RegExp | string): Promise<void> {
  const re = typeof match === 'string' ? new RegExp(`^${match.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : match;
  await page
    .waitForFunction((src) => new RegExp(src[0]!, src[1]).test(document.getElementById('prompt')!.textContent ?? ''), [re.source, re.flags], { timeout: 5_000 })
    .catch(async () => {
      throw new Error(`prompt is ${JSON.stringify(await page.locator('#prompt').textContent())}, expected ${re}`);
    });
}

async function tap(page: Page, keys: string): Promise<void> {
  for (const k of keys) {
    await page.click(`#keypad [data-key="${k}"]`);
    await page.waitForTimeout(20);
  }
}

async function shot(page: Page, name: string): Promise<void> {
  const overflow = await page.evaluate(() => {
    const limit = document.querySelector('footer')!.getBoundingClientRect().top;
    return Array.from(document.querySelectorAll('#keypad button, #choices button')).filter((b) => b.getBoundingClientRect().bottom > limit).length;
  });
  expect(overflow, `${name}: buttons under the footer`).toBe(0);
  const png = await page.screenshot();
  writeFileSync(join(ARTIFACTS, `${name}.png`), png);
  const v = pngVariance(png);
  expect(v.width).toBe(1280);
  expect(v.distinct, `${name}.png colours`).toBeGreaterThan(20);
}

const choices = (page: Page) => page.locator('#choices .choice').allTextContents();

describe.skipIf(skip)('the package room on the kiosk screen in Chromium', { timeout: 90_000 }, () => {
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('a room station: a courier session by touch, then a resident with their parcel list and a wrong pickup', async () => {
    const s = await station('package-room.json', browser);
    const { page, ctl } = s;
    try {
      await expectPrompt(page, /^Residents: key your code/);
      await tap(page, '111111#');
      await expectPrompt(page, 'Hello UPS. The room door is unlocked. Scan a parcel, or press * to log out.');
      expect(await choices(page)).toEqual(expect.arrayContaining([expect.stringContaining('Log out'), expect.stringContaining('Unlock the room door')]));
      await shot(page, '1-courier-room-open');
      expect((await ctl('sim', 'door', 'ROOM', 'close')).code).toBe(0);

      expect((await ctl('sim', 'scan', LABELS[0]!)).code).toBe(0);
      await tap(page, '303#');
      await expectPrompt(page, 'Parcel for unit 303: put it on shelf R-A and press #, or scan the label of the shelf you put it on. Press * to go back.');
      await shot(page, '2-courier-shelf-named');
      await tap(page, '#');
      await expectPrompt(page, 'Parcel stored on shelf R-A. Scan the next parcel, or press * to log out.');
      expect((await ctl('sim', 'scan', LABELS[1]!)).code).toBe(0);
      await tap(page, '201#');
      expect((await ctl('sim', 'scan', 'LKS1/R-B')).code).toBe(0);
      await expectPrompt(page, 'Parcel stored on shelf R-B. Scan the next parcel, or press * to log out.');
      await tap(page, '*');
      await expectPrompt(page, 'Logged out. Thank you.');

      const outbox = JSON.parse((await ctl('--json', 'outbox', '--reveal-codes')).stdout) as { events: { type: string; data: { unit: string; code?: string } }[] };
      const code = outbox.events.find((e) => e.type === 'parcel.deposited' && e.data.unit === '303')!.data.code!;
      await tap(page, `${code}#`);
      await expectPrompt(page, `The room door is open. Your parcels: R-A (${LABELS[0]}). On your way out, scan each label here.`);
      expect(await page.evaluate(() => document.body.dataset.step)).toBe('room_resident');
      // The room station's map is its one door, highlighted open.
      expect(await page.$$eval('#map [data-door-state]', (cells) => cells.map((c) => `${(c as HTMLElement).dataset.compartment}:${(c as HTMLElement).dataset.doorState}`))).toEqual(['ROOM:open']);
      await shot(page, '3-resident-parcel-list');
      expect(await page.evaluate((c) => document.documentElement.outerHTML.includes(c), code)).toBe(false);
      expect((await ctl('sim', 'door', 'ROOM', 'close')).code).toBe(0);

      // 201's parcel scanned out by 303: put it back.
      expect((await ctl('sim', 'scan', LABELS[1]!)).code).toBe(0);
      await expectPrompt(page, 'That parcel is not yours. Please put it back on shelf R-B.');
      expect(await page.evaluate(() => document.body.dataset.tone)).toBe('error');
      await shot(page, '4-resident-wrong-pickup');
      expect((await ctl('sim', 'scan', LABELS[0]!)).code).toBe(0);
      await expectPrompt(page, 'Thank you. All your parcels are collected.');
      await shot(page, '5-resident-done');
    } finally {
      await s.cleanup();
    }
  });

  it('a locker kiosk overflowing into the room: the courier is sent to the room shelf', async () => {
    const s = await station('lockers-with-room-overflow.json', browser);
    const { page, ctl } = s;
    try {
      await tap(page, '111111#');
      await expectPrompt(page, 'Hello UPS. Scan a parcel, or press * to log out.');
      expect((await ctl('sim', 'scan', LABELS[0]!)).code).toBe(0);
      await tap(page, '303#3#');
      await expectPrompt(page, /^Door A04 is open/);
      expect((await ctl('sim', 'door', 'A04', 'close')).code).toBe(0);
      expect((await ctl('sim', 'scan', LABELS[1]!)).code).toBe(0);
      await tap(page, '303#3#');
      await expectPrompt(page, 'No compartment is free for this size. Take the parcel to the package room, shelf R-A: the room door is open. Close it behind you.');
      expect(await choices(page)).toEqual([]);
      await shot(page, '6-overflow-to-room');
      expect((await ctl('sim', 'door', 'ROOM', 'close')).code).toBe(0);
      await expectPrompt(page, 'Parcel stored on shelf R-A of the package room. Scan the next parcel, or press * to log out.');
      await tap(page, '*');
    } finally {
      await s.cleanup();
    }
  });
});
