/// <reference lib="dom" />
/**
 * The report page in a real browser (Debian's Chromium, headless, playwright-core): every chart
 * is drawn (its SVG holds rects or paths of non-zero size), the page asks the network for
 * nothing, a carrier name with markup in it shows as text, and a screenshot goes to
 * test-artifacts/reports/ for a person to look at.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_NOW, EXAMPLE_TIME_ZONE, exampleLedger } from '../../bench/report-example.js';
import { buildReport, periodOfDays } from '../../src/reports/build.js';
import { Calendar } from '../../src/reports/calendar.js';
import { renderReportHtml } from '../../src/reports/html.js';
import type { LockerdConfig } from '../../src/config/types.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { applyConfig } from '../../src/locker/apply-config.js';
import { CHROMIUM, launchChromium } from '../helpers/chromium.js';
import { ROOT, tempDir, testConfig, type DeepPartial } from '../helpers/fixtures.js';
import { pngVariance } from '../helpers/png.js';
import { placeParcel } from '../helpers/storage-parcels.js';
import { deliver } from './ledger-history.js';

/** A month of a small locker bank overflowing into its package room and front desk. */
function overflowReportHtml(dir: string): string {
  const base = testConfig(dir, {
    rooms: [{ id: 'ROOM', board: 'B2', lock: 16, shelves: [{ id: 'R-A', capacity: 6 }, { id: 'R-B', capacity: 4, size: 'M' }] }],
    desks: [{ id: 'DESK', places: [{ id: 'D-1', capacity: 8 }] }],
  } as DeepPartial<LockerdConfig>);
  const config: LockerdConfig = { ...base, compartments: base.compartments.slice(0, 4) };
  const ledger = Ledger.open({ path: config.ledger.path, keyFile: config.ledger.keyFile });
  try {
    const day = 86_400_000;
    const start = EXAMPLE_NOW - 30 * day;
    applyConfig(ledger, config, start - day);
    for (let d = 0; d < 29; d++) {
      const t = start + d * day + 9 * 3_600_000;
      // Each day the four lockers fill and a few more parcels go to the room and the desk; all are picked up by evening.
      config.compartments.forEach((c, i) => deliver(ledger, { compartmentId: c.id, size: c.size, carrier: 'UPS', at: new Date(t + i * 60_000).toISOString(), pickedUpAt: new Date(t + 9 * 3_600_000).toISOString() }));
      for (let k = 0; k < 2 + (d % 5); k++) {
        const id = placeParcel(ledger, { area: 'ROOM', place: k < 5 ? 'R-A' : 'R-B', unit: `3${k}${d}`, size: 'M', at: t + 600_000 + k * 60_000 });
        ledger.transaction(() => ledger.parcels.end(id, 'deposited', 'picked_up', t + 8 * 3_600_000));
      }
      if (d % 3 === 0) {
        const id = placeParcel(ledger, { area: 'DESK', place: 'D-1', unit: `4${d}`, size: 'L', at: t + 1_200_000 });
        ledger.transaction(() => ledger.parcels.end(id, 'deposited', 'picked_up', t + 10 * 3_600_000));
      }
    }
    const calendar = new Calendar(EXAMPLE_TIME_ZONE);
    return renderReportHtml(buildReport(ledger, { period: periodOfDays(30, EXAMPLE_NOW, calendar), calendar, kioskId: 'tower-a', now: EXAMPLE_NOW, station: 'lockers' }));
  } finally {
    ledger.close();
  }
}

const ARTIFACTS = join(ROOT, 'test-artifacts', 'reports');
const skip = !process.env.CI && !existsSync(CHROMIUM);

describe.skipIf(skip)('the report page in Chromium', { timeout: 60_000 }, () => {
  let browser: Browser;
  let html: string;
  let overflowHtml: string;
  let cleanup: () => void;

  beforeAll(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const calendar = new Calendar(EXAMPLE_TIME_ZONE);
    const ledger = exampleLedger(t.dir);
    try {
      html = renderReportHtml(buildReport(ledger, { period: periodOfDays(30, EXAMPLE_NOW, calendar), calendar, kioskId: 'demo-locker', now: EXAMPLE_NOW }));
    } finally {
      ledger.close();
    }
    // A directory of its own: the example's ledger is in t.dir.
    const own = join(t.dir, 'overflow');
    mkdirSync(own);
    overflowHtml = overflowReportHtml(own);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'report.html'), html);
    writeFileSync(join(ARTIFACTS, 'report-overflow.html'), overflowHtml);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    cleanup?.();
  });

  it('draws every chart, asks the network for nothing, and shows carrier names as text', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setContent(html, { waitUntil: 'load' });
    const charts = await page.$$eval('svg[data-chart]', (svgs) =>
      svgs.map((svg) => {
        const marks = Array.from(svg.querySelectorAll('rect, path')).filter((el) => {
          const b = (el as SVGGraphicsElement).getBBox();
          const fill = getComputedStyle(el).fill;
          return b.width > 0 && b.height > 0 && fill !== 'none';
        });
        const box = svg.getBoundingClientRect();
        return { name: svg.dataset.chart!, marks: marks.length, width: box.width, height: box.height };
      }),
    );
    expect(charts.map((c) => c.name).sort()).toEqual(['carriers', 'daily', 'dwell', 'heatmap', 'occupancy-L', 'occupancy-M', 'occupancy-S', 'occupancy-XL', 'overflow'].sort());
    for (const c of charts) {
      expect(c.marks, `${c.name} draws something`).toBeGreaterThan(0);
      expect(c.width * c.height, `${c.name} has a size on the page`).toBeGreaterThan(10_000);
    }
    // The heat map draws a cell per hour of the week; the daily chart a bar per day with deliveries.
    expect(charts.find((c) => c.name === 'heatmap')!.marks).toBe(7 * 24);
    expect(charts.find((c) => c.name === 'daily')!.marks).toBeGreaterThanOrEqual(29);
    // The occupancy line is a path with a real length.
    const line = await page.$eval('svg[data-chart="occupancy-S"] path[fill="none"]', (p) => (p as SVGPathElement).getTotalLength());
    expect(line).toBeGreaterThan(100);
    // A carrier named "Speedy <Local> & Co" is text, never markup.
    expect(await page.locator('svg[data-chart="carriers"]').textContent()).toContain('Speedy <Local> & C');
    expect(await page.$$('local')).toHaveLength(0);
    expect(await page.locator('.verdict .summary').textContent()).toMatch(/^Add \d+ S/);
    expect(requests.filter((u) => !u.startsWith('about:') && !u.startsWith('data:'))).toEqual([]);
    expect(errors).toEqual([]);
    const png = await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    const v = pngVariance(png);
    expect(v.height).toBeGreaterThan(2000);
    expect(v.stddev).toBeGreaterThan(5);
    await page.close();
  });

  it('prints the verdict and headline first, readable without scrolling', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.setContent(html);
    const top = await page.$eval('.verdict', (el) => el.getBoundingClientRect().top);
    expect(top).toBeLessThan(900);
    await page.screenshot({ path: join(ARTIFACTS, 'report-top.png') });
    await page.close();
  });

  it('draws each kind of storage against its capacity when lockers overflow into a room and a desk', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.setContent(overflowHtml, { waitUntil: 'load' });
    const section = page.locator('section.kinds');
    expect(await section.locator('h2').textContent()).toBe('Lockers, rooms and desks');
    expect(await section.locator('tbody tr').count()).toBe(3);
    expect(await section.locator('p.note').textContent()).toMatch(/^\d+ parcels went to the overflow because no compartment of their size was free: DESK \d+, ROOM \d+\./);
    for (const key of ['lockers', 'ROOM', 'DESK']) {
      const chart = page.locator(`svg[data-chart="occupancy-kind-${key}"]`);
      const box = (await chart.boundingBox())!;
      expect(box.width * box.height, `${key} has a size on the page`).toBeGreaterThan(10_000);
      const line = await chart.locator('path[fill="none"]').evaluate((p) => (p as SVGPathElement).getTotalLength());
      expect(line, `${key} draws its occupancy`).toBeGreaterThan(100);
      // The capacity line is drawn: a room's shelves hold parcels, not compartments.
      expect(await chart.locator('line[stroke-width="1.5"]').count()).toBe(1);
    }
    expect(await page.locator('svg[data-chart="occupancy-kind-ROOM"]').getAttribute('aria-label')).toBe('Package room ROOM: parcels in use against capacity');
    expect(requests.filter((u) => !u.startsWith('about:') && !u.startsWith('data:'))).toEqual([]);
    await section.screenshot({ path: join(ARTIFACTS, 'report-kinds.png') });
    await page.close();
  });
});
