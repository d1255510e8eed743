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
import { CHROMIUM, launchChromium } from '../helpers/chromium.js';
import { ROOT, tempDir } from '../helpers/fixtures.js';
import { pngVariance } from '../helpers/png.js';

const ARTIFACTS = join(ROOT, 'test-artifacts', 'reports');
const skip = !process.env.CI && !existsSync(CHROMIUM);

describe.skipIf(skip)('the report page in Chromium', { timeout: 60_000 }, () => {
  let browser: Browser;
  let html: string;
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
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'report.html'), html);
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
});
