/// <reference lib="dom" />
/**
 * The kiosk screen counts rooms and desks as what they are (Chromium against the built daemon):
 * at a locker bank with a package room and a front desk, the map draws the lockers' doors only
 * and a count line names each kind; a package room's own screen has no locker map at all.
 * Screenshots go to test-artifacts/screen/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LockerdConfig } from '../../src/config/types.js';
import { CHROMIUM, launchChromium } from '../helpers/chromium.js';
import { Daemon } from '../helpers/daemon.js';
import { ROOT, tempDir, testConfigJson, writeConfig, type DeepPartial } from '../helpers/fixtures.js';
import { freePort } from '../helpers/mosquitto.js';

const ARTIFACTS = join(ROOT, 'test-artifacts', 'screen');
const skip = !process.env.CI && !existsSync(CHROMIUM);
const ROOM = { id: 'ROOM', name: 'Mail room', board: 'B2', lock: 16, shelves: [{ id: 'R-A', capacity: 20 }, { id: 'R-B', capacity: 10 }] };
const DESK = { id: 'DESK', name: 'Lobby', places: [{ id: 'D-1', capacity: 30 }] };

describe.skipIf(skip)('the screen counts each kind of storage', { timeout: 60_000 }, () => {
  let browser: Browser;
  const cleanups: (() => void)[] = [];
  const daemons: Daemon[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    for (const d of daemons) await d.stop();
    for (const c of cleanups) c();
  });

  async function screenOf(overrides: DeepPartial<LockerdConfig>): Promise<Page> {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const port = await freePort();
    const daemon = Daemon.spawn(writeConfig(dir, testConfigJson(dir, { screen: { enabled: true, port, name: 'Maple Court' }, ...overrides } as DeepPartial<LockerdConfig>)));
    daemons.push(daemon);
    await daemon.ready();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => document.getElementById('locker-name')?.textContent === 'Maple Court', undefined, { timeout: 10_000 });
    return page;
  }

  it('draws only the lockers at a bank with a room and a desk, and names each kind in one line', async () => {
    const page = await screenOf({ rooms: [ROOM], desks: [DESK] } as DeepPartial<LockerdConfig>);
    expect(await page.locator('#storage-count').textContent()).toBe('28 lockers · Mail room: 2 shelves · Lobby: front desk');
    expect(await page.locator('#map .door').count()).toBe(28);
    expect(await page.locator('#map [data-compartment="ROOM"], #map [data-compartment="DESK"]').count()).toBe(0);
    expect(await page.locator('section.doors').isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'storage-count-lockers.png') });
    await page.close();
  });

  it("has no locker map on a package room's screen: the room's door alone", async () => {
    const page = await screenOf({ storage: 'room', rooms: [ROOM] } as DeepPartial<LockerdConfig>);
    expect(await page.$$eval('#map .door', (cells) => cells.map((c) => (c as HTMLElement).dataset.compartment))).toEqual([ROOM.id]);
    expect(await page.locator('#storage-count').textContent()).toBe('Mail room: 2 shelves');
    await page.screenshot({ path: join(ARTIFACTS, 'storage-count-room.png') });
    await page.close();
  });
});
