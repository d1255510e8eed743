/// <reference lib="dom" />
/**
 * The front desk's screen in a real browser (Chromium headless, playwright-core) against the
 * built daemon on config/examples/front-desk.json: staff log a parcel in by tapping the page (the
 * label scanned with the simulated scanner), see the places listed; then hand it over: the
 * resident's code tapped, the parcels listed, and the resident signs with the mouse on the pad.
 * The export then carries that signature, drawn back as SVG for a screenshot. Screenshots go to
 * test-artifacts/desk/.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePath } from '../../src/locker/desk-signature.js';
import { CHROMIUM } from '../helpers/chromium.js';
import { exampleConfig, exampleJson, tempDir } from '../helpers/fixtures.js';
import { KioskPage } from '../helpers/kiosk-page.js';
import { pngVariance } from '../helpers/png.js';

const skip = !process.env.CI && !existsSync(CHROMIUM);

describe.skipIf(skip)('the front desk screen in Chromium', { timeout: 90_000 }, () => {
  let cleanup: () => void;
  let k: KioskPage;
  let page: Page;

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    k = await KioskPage.open(exampleConfig('front-desk.json', dir, { screen: await KioskPage.screenOn(exampleJson('front-desk.json').screen) }), 'desk');
    page = k.page;
  }, 60_000);

  afterAll(async () => {
    await k?.close();
    cleanup?.();
  });

  const expectPrompt = (match: RegExp): Promise<void> => k.expectPrompt(match);
  const tap = (keys: string): Promise<void> => k.tap(keys);
  const ctl = (...args: string[]) => k.ctl(...args);
  /** The kiosk's page through the helper's checks; another page (the exported signature drawn) by its picture alone. */
  async function shot(p: Page, name: string): Promise<void> {
    if (p === page) return k.shot(name);
    const png = await p.screenshot();
    writeFileSync(join(k.artifacts, `${name}.png`), png);
    const v = pngVariance(png);
    expect(v.distinct, `${name}.png colours`).toBeGreaterThan(5);
    expect(v.stddev, `${name}.png variance`).toBeGreaterThan(5);
  }

  it('logs a parcel in and hands it over against a signature drawn on the pad', async () => {
    await expectPrompt(/^Front desk\. Staff: key your PIN/);
    // A desk's welcome has no courier / resident paths.
    expect(await page.locator('#welcome').isHidden()).toBe(true);
    await shot(page, '1-welcome');
    await tap('9999#');
    await expectPrompt(/^Front desk, Ana\./);
    await page.click('#choices [data-choice-key="1"]');
    await expectPrompt(/^Scan the parcel/);
    expect((await ctl('sim', 'scan', '1Z999AA10123456784')).code).toBe(0);
    await expectPrompt(/^UPS parcel\. Key the unit number/);
    await tap('101#');
    await expectPrompt(/^Parcel for unit 101\. Put it on D-1/);
    expect(await page.locator('#panel-list .panel-row').allTextContents()).toEqual(['1D-110 free, up to M', '2D-210 free, up to L', '3D-34 free, up to XL']);
    expect(await page.locator('#panel-list .suggested').textContent()).toContain('D-1');
    expect(await page.locator('.doors').isHidden()).toBe(true);
    await shot(page, '2-places');
    await tap('2#');
    await expectPrompt(/^Logged in: unit 101, on D-2\./);
    await tap('*');
    await expectPrompt(/^Front desk, Ana\./);

    const outbox = JSON.parse((await ctl('--json', 'outbox', '--reveal-codes')).stdout);
    const code = outbox.events.find((e: any) => e.type === 'parcel.deposited').data.code as string;
    await page.click('#choices [data-choice-key="2"]');
    await expectPrompt(/^Key the resident's code/);
    await tap(`${code}#`);
    await expectPrompt(/^Unit 101: 1 parcel\(s\) on D-2\./);
    expect(await page.locator('#panel-list').textContent()).toContain('1Z999AA10123456784');
    await shot(page, '3-parcels');
    await page.click('#choices [data-choice-key="#"]');
    await expectPrompt(/^Please sign below/);
    expect(await page.locator('#statement').textContent()).toBe('I confirm that I received the parcels listed above in good condition.');

    // Done on an empty pad: refused, said, nothing changes.
    await page.click('#signature-done');
    await expectPrompt(/^The signature was not accepted: the signature is empty/);

    // The resident signs with the mouse: two strokes across the pad.
    const box = (await page.locator('#signature-pad').boundingBox())!;
    const at = (fx: number, fy: number): [number, number] => [box.x + box.width * fx, box.y + box.height * fy];
    await page.mouse.move(...at(0.1, 0.6));
    await page.mouse.down();
    for (let i = 1; i <= 24; i++) await page.mouse.move(...at(0.1 + i * 0.02, 0.6 + (i % 2 === 0 ? -0.25 : 0.2)), { steps: 2 });
    await page.mouse.up();
    await page.mouse.move(...at(0.62, 0.7));
    await page.mouse.down();
    await page.mouse.move(...at(0.9, 0.55), { steps: 10 });
    await page.mouse.up();
    await shot(page, '4-signing');
    await page.click('#signature-done');
    await expectPrompt(/^Signed: 1 parcel\(s\) handed over for unit 101\./);
    expect(await page.locator('#panel').isHidden()).toBe(true);
    await shot(page, '5-signed');

    const exported = await ctl('export', '--format', 'json');
    expect(exported.code).toBe(0);
    const record = JSON.parse(exported.stdout.trim().split('\n')[0]!);
    expect(record).toMatchObject({ state: 'picked_up', placeId: 'D-2', signature: { staffId: 'desk-ana', unit: '101', hashVerifies: true } });
    const decoded = decodePath(record.signature.path);
    expect(decoded.ok && decoded.strokes.length).toBe(2);
    const xs = decoded.ok ? decoded.strokes.flat().map((p) => p[0]) : [];
    // Drawn from 10 % to 90 % of the pad's width: the path spans that in pad units.
    expect(Math.min(...xs)).toBeLessThan(150);
    expect(Math.max(...xs)).toBeGreaterThan(850);

    // The exported path, drawn as SVG: what a manager would see in a dispute.
    const view = await k.browser.newPage({ viewport: { width: 1000, height: 300 } });
    await view.setContent(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${record.signature.pad.width} ${record.signature.pad.height}" width="1000" height="300" style="background:#fff"><path d="${record.signature.path}" fill="none" stroke="#000" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/></svg>`);
    await shot(view, '6-exported-signature');
    await view.close();
    expect(k.errors).toEqual([]);
  });
});
