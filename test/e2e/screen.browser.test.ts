/// <reference lib="dom" />
/**
 * The kiosk screen in a real browser: Debian's Chromium, headless, driven by playwright-core,
 * against the built daemon on the demo config. A courier deposit and a resident pickup by tapping
 * the page's data-key buttons only (the parcel label is scanned with the simulated scanner: the
 * page has no scanner), checking the prompt and the highlighted door after each step; the
 * language switch; reconnecting by itself after the daemon is killed and started again; and no
 * code or PIN digits in the DOM, ever. Screenshots of the main steps go to test-artifacts/screen/.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon, lockerctl } from '../helpers/daemon.js';
import { ROOT, tempDir, testConfigJson, writeConfig } from '../helpers/fixtures.js';
import { pngVariance } from '../helpers/png.js';
import { CHROMIUM, launchChromium } from '../helpers/chromium.js';
import { freePort } from '../helpers/mosquitto.js';

const ARTIFACTS = join(ROOT, 'test-artifacts', 'screen');
const PIN = '111111';
const skip = !process.env.CI && !existsSync(CHROMIUM);

describe.skipIf(skip)('the kiosk screen in Chromium', { timeout: 60_000 }, () => {
  let dir: string;
  let cleanup: () => void;
  let configPath: string;
  let daemon: Daemon;
  let browser: Browser;
  let page: Page;
  let url: string;
  /** Secrets typed so far in this flow: none of their runs of 4+ digits may ever be in the DOM. */
  let secrets: string[] = [PIN];
  const pageErrors: string[] = [];
  const ctl = (...args: string[]) => lockerctl(['--config', configPath, ...args]);

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    const port = await freePort();
    configPath = writeConfig(dir, testConfigJson(dir, { screen: { enabled: true, port, name: 'Maple Court lockers', support: 'the front desk' }, doors: { leftOpenMs: 5_000 } }));
    daemon = Daemon.spawn(configPath);
    await daemon.ready();
    const r = await ctl('screen', 'url');
    expect(r.code).toBe(0);
    url = r.stdout.trim();
    expect(url).toBe(`http://127.0.0.1:${port}/`);
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && !/ERR_CONNECTION_REFUSED|net::ERR|Failed to load resource/.test(m.text()) && pageErrors.push(m.text()));
    await page.goto(url);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
    cleanup?.();
  });

  const prompt = () => page.locator('#prompt').textContent();

  async function expectPrompt(match: RegExp | string): Promise<void> {
    const re = typeof match === 'string' ? new RegExp(`^${match.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : match;
    await page.waitForFunction((src) => new RegExp(src[0]!, src[1]).test(document.getElementById('prompt')!.textContent ?? ''), [re.source, re.flags], { timeout: 5_000 })
      .catch(async () => { throw new Error(`prompt is ${JSON.stringify(await prompt())}, expected ${re}`); });
  }

  /** The compartments the map highlights, with their state. */
  const highlighted = () => page.$$eval('#map [data-door-state]', (cells) => cells.map((c) => `${(c as HTMLElement).dataset.compartment}:${(c as HTMLElement).dataset.doorState}`));

  async function noSecretInDom(): Promise<void> {
    const html = await page.evaluate(() => document.documentElement.outerHTML);
    for (const s of secrets) {
      for (let n = 4; n <= s.length; n++) for (let i = 0; i + n <= s.length; i++) expect(html.includes(s.slice(i, i + n)), `DOM holds ${n} digits of a secret`).toBe(false);
    }
  }

  /** Taps the on-screen keypad's buttons, one by one, as a person would. */
  async function tap(keys: string): Promise<void> {
    for (const k of keys) {
      const dots = await page.locator('#entry .dot').count();
      await page.click(`#keypad [data-key="${k}"]`);
      if (/[0-9]/.test(k)) await page.waitForFunction((n) => document.querySelectorAll('#entry .dot').length === n, dots + 1, { timeout: 5_000 });
      else await page.waitForTimeout(30);
      await noSecretInDom();
    }
  }

  async function shot(name: string): Promise<void> {
    // Everything a person taps is on the screen, above the footer (nothing pushed off by a long prompt).
    const overflow = await page.evaluate(() => {
      const limit = document.querySelector('footer')!.getBoundingClientRect().top;
      return Array.from(document.querySelectorAll('#keypad button, #choices button, .tools button')).filter((b) => b.getBoundingClientRect().bottom > limit).length;
    });
    expect(overflow, `${name}: buttons under the footer`).toBe(0);
    // Every choice's label is whole inside its button (a long word is not cut off at the edge).
    const clipped = await page.evaluate(() =>
      Array.from(document.querySelectorAll('#choices .choice')).filter((b) => b.scrollWidth > b.clientWidth + 1).map((b) => b.textContent),
    );
    expect(clipped, `${name}: choice labels cut off`).toEqual([]);
    const png = await page.screenshot();
    writeFileSync(join(ARTIFACTS, `${name}.png`), png);
    const v = pngVariance(png);
    expect(png.length, `${name}.png size`).toBeGreaterThan(10_000);
    expect(v.width).toBe(1280);
    expect(v.distinct, `${name}.png colours`).toBeGreaterThan(20);
    expect(v.stddev, `${name}.png variance`).toBeGreaterThan(10);
  }

  it('shows the welcome screen: the two paths, the name, support, the map with low doors marked', async () => {
    await expectPrompt('Residents: key your code and press #. Couriers: key your PIN and press #.');
    expect(await page.locator('#welcome').isVisible()).toBe(true);
    expect(await page.locator('#welcome').textContent()).toMatch(/I am delivering[\s\S]*I am collecting/);
    expect(await page.locator('#locker-name').textContent()).toBe('Maple Court lockers');
    expect(await page.locator('#support').textContent()).toBe('Help: the front desk');
    expect(await page.locator('#prompt').getAttribute('role')).toBe('status');
    expect(await page.locator('#prompt').getAttribute('aria-live')).toBe('polite');
    expect(await page.locator('#map .door').count()).toBe(28);
    expect(await page.$$eval('#map .door[data-low="true"]', (c) => c.map((e) => (e as HTMLElement).dataset.compartment).sort())).toEqual(['A07', 'A08', 'B07', 'B08']);
    expect(await page.locator('#offline').isHidden()).toBe(true);
    // Every touch target is at least 48 px on its short side.
    const small = await page.$$eval('button:not([hidden])', (bs) => bs.filter((b) => b.getClientRects().length > 0).map((b) => b.getBoundingClientRect()).filter((r) => Math.min(r.width, r.height) < 48).length);
    expect(small).toBe(0);
    await shot('1-welcome');
  });

  it('fits a 7-inch 800x480 touch display too: every button on screen and at least 48 px', async () => {
    const small = await browser.newPage({ viewport: { width: 800, height: 480 } });
    try {
      await small.goto(url);
      await small.waitForFunction(() => document.body.dataset.step === 'welcome');
      const problems = await small.evaluate(() => {
        const limit = document.querySelector('footer')!.getBoundingClientRect().top;
        return Array.from(document.querySelectorAll('button'))
          .filter((b) => b.getClientRects().length > 0)
          .map((b) => ({ key: b.dataset.key ?? b.id, r: b.getBoundingClientRect() }))
          .filter(({ r }) => r.bottom > limit || Math.min(r.width, r.height) < 48)
          .map(({ key, r }) => `${key}: ${Math.round(r.width)}x${Math.round(r.height)} bottom ${Math.round(r.bottom)} (footer at ${Math.round(limit)})`);
      });
      expect(problems).toEqual([]);
      writeFileSync(join(ARTIFACTS, '1b-welcome-800x480.png'), await small.screenshot());
    } finally {
      await small.close();
    }
  });

  let door = '';

  it('walks a courier deposit by touch: PIN, a keyed tracking number, unit, size, the door highlighted, closed, logout', async () => {
    secrets = [PIN];
    await tap(PIN);
    expect(await page.locator('#entry .dot').count()).toBe(6);
    await tap('#');
    await expectPrompt('Hello UPS. Scan a parcel, or press * to log out.');
    expect(await page.locator('#entry .dot').count()).toBe(0);
    expect(await page.locator('#welcome').isVisible()).toBe(false);
    // The language is chosen at the welcome screen only (A is typed into an entry elsewhere).
    expect(await page.locator('#language').isHidden()).toBe(true);
    expect(await highlighted()).toEqual([]);

    // A label that will not scan is keyed on the page like on the keypad (a USPS number).
    await tap('9400111201080805483016#');
    await expectPrompt('USPS parcel. Key the unit number and press #. Press * to go back.');
    await tap('101#');
    await expectPrompt(/^Size: 1 = S/);
    // The size choices are big buttons too.
    expect(await page.locator('#choices .choice').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('Medium (M)')]));
    await shot('2-courier-size');
    await tap('2#');
    await expectPrompt(/^Door (\w+) is open\. Put the parcel in and close the door\./);
    door = /^Door (\w+)/.exec((await prompt())!)![1]!;
    expect(await highlighted()).toEqual([`${door}:open`]);
    await shot('3-courier-door-open');

    expect((await ctl('sim', 'door', door, 'close')).code).toBe(0);
    await expectPrompt(`Parcel stored in ${door}. Scan the next parcel, or press * to log out.`);
    expect(await highlighted()).not.toContain(`${door}:open`);
    await tap('*');
    await expectPrompt('Logged out. Thank you.');
  });

  it('walks a resident pickup by touch: the code never shows, the door is highlighted until closed', async () => {
    const outbox = JSON.parse((await ctl('--json', 'outbox', '--reveal-codes')).stdout) as { events: { type: string; data: { code: string } }[] };
    const code = outbox.events.find((e) => e.type === 'parcel.deposited')!.data.code;
    expect(code).toMatch(/^\d{8}$/);
    secrets = [PIN, code];
    await tap(code.slice(0, 4));
    expect(await page.locator('#entry .dot').count()).toBe(4);
    // Clearing with * empties the dots, then the whole code.
    await tap('*');
    await page.waitForFunction(() => document.querySelectorAll('#entry .dot').length === 0);
    await tap(code);
    expect(await page.locator('#entry').getAttribute('aria-label')).toBe('8 keys typed');
    await tap('#');
    await expectPrompt(`Door ${door} is open. Take your parcel and close the door.`);
    expect(await highlighted()).toEqual([`${door}:open`]);
    await shot('4-resident-door-open');
    expect((await ctl('sim', 'door', door, 'close')).code).toBe(0);
    await expectPrompt('Thank you. All your parcels are collected.');
    await noSecretInDom();
  });

  it('walks staff mode, a resident\'s return and its collection by touch: long menus fit, the doors are highlighted', async () => {
    const STAFF_PIN = '9999';
    secrets = [PIN, STAFF_PIN];
    await tap(`${STAFF_PIN}#`);
    await expectPrompt(/^Staff menu, Demo staff\. 1 = open a compartment, 2 = recall parcels \(0 past their hold\)/);
    await shot('5-staff-menu');
    // 1: open a compartment, keyed by its number in the list (1 = A01), for a reason from the list.
    await tap('1#');
    await expectPrompt(/^Key the compartment/);
    await tap('1#');
    await expectPrompt(/^Why open A01\? 1 = parcel stuck, 2 = cleaning/);
    await shot('6-staff-open-reason');
    await tap('2#');
    await expectPrompt('Door A01 is open. Close it when you are done.');
    expect(await highlighted()).toEqual(['A01:open']);
    expect((await ctl('sim', 'door', 'A01', 'close')).code).toBe(0);
    await expectPrompt(/^Staff menu, Demo staff\./); // "Door A01 is shut.", then the menu again
    await tap('*');
    await expectPrompt('Staff logged out. Thank you.');
    await noSecretInDom();

    // A resident's return: "send a return" is a button of the welcome screen (key B).
    await page.click('#choices [data-choice-key="B"]');
    await expectPrompt(/^Send a return: scan the barcode of the return label/);
    // The label is scanned (the page has no scanner, and a 1Z number has letters the keypad lacks).
    expect((await ctl('sim', 'scan', '1Z999AA11000000005')).code).toBe(0);
    await expectPrompt(/^UPS return\. Key your unit number/);
    await tap('101#');
    await expectPrompt(/^Size: 1 = S/);
    await tap('#');
    await expectPrompt(/^Door (\w+) is open\. Put the return in and close the door\./);
    const returnDoor = /^Door (\w+)/.exec((await prompt())!)![1]!;
    expect(await highlighted()).toEqual([`${returnDoor}:open`]);
    await shot('7-return-door-open');
    expect((await ctl('sim', 'door', returnDoor, 'close')).code).toBe(0);
    await expectPrompt(`Thank you. Your return is in ${returnDoor}; UPS will collect it.`);

    // The UPS courier is told at login, and collects it with the "collect returns" button (key C).
    await tap(`${PIN}#`);
    await expectPrompt('Hello UPS. Returns waiting for UPS: 1; press C to collect them. Scan a parcel, or press * to log out.');
    await page.click('#choices [data-choice-key="C"]');
    await expectPrompt(/^Door (\w+) is open: take the return 1Z999AA11000000005, press # to confirm/);
    expect(await highlighted()).toEqual([`${returnDoor}:open`]);
    await tap('#');
    expect((await ctl('sim', 'door', returnDoor, 'close')).code).toBe(0);
    await expectPrompt('Returns collected: 1. Scan a parcel, or press * to log out.');
    await tap('*');
    await expectPrompt('Logged out. Thank you.');
  });

  it('switches the language with the language button, for the session', async () => {
    await page.waitForFunction(() => document.body.dataset.step === 'welcome', undefined, { timeout: 65_000 }).catch(() => undefined);
    if ((await page.evaluate(() => document.body.dataset.step)) !== 'welcome') await tap('*');
    await expectPrompt(/^Residents/);
    expect(await page.locator('#language').textContent()).toBe('Español');
    await page.click('#language');
    await expectPrompt('Residentes: marque su código y oprima #. Repartidores: marque su PIN y oprima #.');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('es');
    expect(await page.locator('#deliver-title').textContent()).toBe('Vengo a entregar');
    expect(await page.locator('#language').textContent()).toBe('English');
    await shot('5-welcome-es');
    // The high-contrast mode, while we are here.
    await page.click('#contrast');
    expect(await page.evaluate(() => document.body.classList.contains('hc'))).toBe(true);
    await shot('6-high-contrast');
    await page.click('#contrast');
    await page.click('#language');
    await expectPrompt(/^Residents/);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
  });

  it('works from a USB keypad in keyboard mode: digits, Enter, Escape', async () => {
    secrets = [PIN];
    await page.keyboard.type('22');
    await page.waitForFunction(() => document.querySelectorAll('#entry .dot').length === 2);
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelectorAll('#entry .dot').length === 0);
    await page.keyboard.type(PIN);
    await page.waitForFunction(() => document.querySelectorAll('#entry .dot').length === 6);
    await noSecretInDom();
    await page.keyboard.press('Enter');
    await expectPrompt('Hello UPS. Scan a parcel, or press * to log out.');
    await page.keyboard.press('Backspace');
    await expectPrompt('Logged out. Thank you.');
  });

  it('asks everyone to close a door left open, on every screen, until it is closed', async () => {
    expect((await ctl('sim', 'door', 'B03', 'open')).code).toBe(0);
    await page.waitForSelector('#attention .banner', { timeout: 15_000 });
    expect(await page.locator('#attention .banner').textContent()).toBe('Please close door B03.');
    expect(await highlighted()).toContain('B03:open');
    await shot('8-attention');
    expect((await ctl('sim', 'door', 'B03', 'close')).code).toBe(0);
    await page.waitForSelector('#attention .banner', { state: 'detached', timeout: 5_000 });
    expect(await highlighted()).not.toContain('B03:open');
  });

  it('says the controller is not answering when the daemon dies, and recovers by itself when it is back', async () => {
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    await page.waitForSelector('#offline', { state: 'visible', timeout: 10_000 });
    expect(await page.locator('#offline').textContent()).toMatch(/not answering[\s\S]*reconnects by itself/);
    await shot('7-offline');
    daemon = Daemon.spawn(configPath);
    await daemon.ready();
    await page.waitForSelector('#offline', { state: 'hidden', timeout: 15_000 });
    await expectPrompt(/^Residents/);
    // And it works as before: the restarted daemon's states (seq from 1 again) are drawn.
    await tap('1');
    await tap('*');
    await page.waitForFunction(() => document.querySelectorAll('#entry .dot').length === 0);
    expect(pageErrors).toEqual([]);
  }, 40_000);
});
