/// <reference lib="dom" />
/**
 * The kiosk's touch page in headless Chromium against a real daemon: what every browser test of a
 * station does (start the daemon on a config, open the page, tap its keys as a person would, wait
 * for a prompt, take a screenshot that is checked to hold a real picture).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchChromium } from './chromium.js';
import { Daemon, lockerctl, type CtlResult } from './daemon.js';
import { ROOT } from './fixtures.js';
import { freePort } from './mosquitto.js';
import { pngVariance } from './png.js';

export class KioskPage {
  /** Page errors and console errors seen so far (a test expects none). */
  readonly errors: string[] = [];

  private constructor(
    readonly daemon: Daemon,
    readonly browser: Browser,
    readonly page: Page,
    readonly configPath: string,
    readonly artifacts: string,
  ) {}

  /** The `screen` key of a config whose page a test opens: as `screen`, served, on a free port. */
  static async screenOn(screen: object | undefined): Promise<Record<string, unknown>> {
    return { ...screen, enabled: true, port: await freePort() };
  }

  /**
   * Starts the daemon on the config at `configPath` (its screen served: see screenOn) and opens
   * its page at `viewport`. Screenshots go to test-artifacts/<artifacts>/.
   */
  static async open(configPath: string, artifacts: string, viewport = { width: 1280, height: 800 }): Promise<KioskPage> {
    const { port } = (JSON.parse(readFileSync(configPath, 'utf8')) as { screen: { port: number } }).screen;
    const daemon = Daemon.spawn(configPath);
    await daemon.ready(20_000);
    const out = join(ROOT, 'test-artifacts', artifacts);
    mkdirSync(out, { recursive: true });
    const browser = await launchChromium();
    const page = await browser.newPage({ viewport });
    const kiosk = new KioskPage(daemon, browser, page, configPath, out);
    page.on('pageerror', (e) => kiosk.errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && !/ERR_CONNECTION_REFUSED|net::ERR|Failed to load resource/.test(m.text()) && kiosk.errors.push(m.text()));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => document.body.dataset.step === 'welcome', undefined, { timeout: 10_000 });
    return kiosk;
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.daemon.stop();
  }

  ctl(...args: string[]): Promise<CtlResult> {
    return lockerctl(['--config', this.configPath, ...args]);
  }

  prompt(): Promise<string | null> {
    return this.page.locator('#prompt').textContent();
  }

  async expectPrompt(match: RegExp | string, timeout = 5_000): Promise<void> {
    const re = typeof match === 'string' ? new RegExp(`^${match.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : match;
    await this.page.waitForFunction((src) => new RegExp(src[0]!, src[1]).test(document.getElementById('prompt')!.textContent ?? ''), [re.source, re.flags], { timeout })
      .catch(async () => { throw new Error(`prompt is ${JSON.stringify(await this.prompt())}, expected ${re}`); });
  }

  /** Taps the on-screen keypad's buttons one by one, waiting for each digit's dot. */
  async tap(keys: string): Promise<void> {
    for (const k of keys) {
      const dots = await this.page.locator('#entry .dot').count();
      await this.page.click(`#keypad [data-key="${k}"]`);
      if (/[0-9]/.test(k)) await this.page.waitForFunction((n) => document.querySelectorAll('#entry .dot').length === n, dots + 1, { timeout: 5_000 });
      else await this.page.waitForTimeout(30);
    }
  }

  /** The doors the map highlights, as `id:state`. */
  highlighted(): Promise<string[]> {
    return this.page.$$eval('#map [data-door-state]', (cells) => cells.map((c) => `${(c as HTMLElement).dataset.compartment}:${(c as HTMLElement).dataset.doorState}`));
  }

  /** No run of 4+ digits of any secret is anywhere in the DOM. */
  async expectNoSecrets(secrets: readonly string[]): Promise<void> {
    const html = await this.page.evaluate(() => document.documentElement.outerHTML);
    for (const s of secrets) {
      for (let n = 4; n <= s.length; n++) for (let i = 0; i + n <= s.length; i++) expect(html.includes(s.slice(i, i + n)), `DOM holds ${n} digits of a secret`).toBe(false);
    }
  }

  /** A screenshot of a real picture (size, colours, variance checked), every button above the footer. */
  async shot(name: string): Promise<void> {
    const overflow = await this.page.evaluate(() => {
      const limit = document.querySelector('footer')!.getBoundingClientRect().top;
      return Array.from(document.querySelectorAll('#keypad button, #choices button, .tools button')).filter((b) => b.getBoundingClientRect().bottom > limit).length;
    });
    expect(overflow, `${name}: buttons under the footer`).toBe(0);
    const png = await this.page.screenshot();
    writeFileSync(join(this.artifacts, `${name}.png`), png);
    const v = pngVariance(png);
    expect(png.length, `${name}.png size`).toBeGreaterThan(10_000);
    expect(v.distinct, `${name}.png colours`).toBeGreaterThan(20);
    expect(v.stddev, `${name}.png variance`).toBeGreaterThan(10);
  }

  /** The code of the newest `parcel.deposited` event (the resident's text message). */
  async lastCode(): Promise<string> {
    const outbox = JSON.parse((await this.ctl('--json', 'outbox', '--reveal-codes')).stdout) as { events: { type: string; data: { code?: string } }[] };
    const code = outbox.events.filter((e) => e.type === 'parcel.deposited').at(-1)?.data.code;
    if (!code) throw new Error('no parcel.deposited event with a code in the outbox');
    return code;
  }
}
