/**
 * `npm run report:example`: docs/report-example.html and docs/report-example.png, the report of
 * a demo month (bench/report-history.ts) on the default config's 28 compartments, as a
 * property manager would get it from `lockerctl report --html`. The screenshot is Debian's
 * Chromium, headless. Fixed clock, time zone and seed: the same files every run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { packageRoot } from '../src/config/paths.js';
import { Ledger } from '../src/ledger/ledger.js';
import { applyConfig } from '../src/locker/apply-config.js';
import { buildReport, periodOfDays } from '../src/reports/build.js';
import { Calendar, MS_PER_DAY } from '../src/reports/calendar.js';
import { writeDemoHistory } from './report-history.js';
import { renderReportHtml } from '../src/reports/html.js';
import { launchChromium } from '../test/helpers/chromium.js';

/** The example's clock: a Monday evening, the end of a busy November. */
export const EXAMPLE_NOW = Date.parse('2026-11-30T19:00:00Z');
export const EXAMPLE_TIME_ZONE = 'Europe/Berlin';

/** The demo ledger in `dir`, its history written; the caller closes it. */
export function exampleLedger(dir: string, days = 30, now = EXAMPLE_NOW, calendar = new Calendar(EXAMPLE_TIME_ZONE)): Ledger {
  const config = loadConfig(join(packageRoot(), 'config', 'default.json'));
  const ledger = Ledger.open({ path: join(dir, 'lockerd.db'), keyFile: join(dir, 'lockerd.key') });
  applyConfig(ledger, config, now - (days + 1) * MS_PER_DAY);
  writeDemoHistory(ledger, { end: now, days, calendar });
  return ledger;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lockerd-report-example-'));
  try {
    const calendar = new Calendar(EXAMPLE_TIME_ZONE);
    const ledger = exampleLedger(dir);
    const report = buildReport(ledger, { period: periodOfDays(30, EXAMPLE_NOW, calendar), calendar, kioskId: 'demo-locker', now: EXAMPLE_NOW });
    ledger.close();
    const html = renderReportHtml(report);
    const docs = join(packageRoot(), 'docs');
    writeFileSync(join(docs, 'report-example.html'), html);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      await page.setContent(html);
      await page.screenshot({ path: join(docs, 'report-example.png'), fullPage: true });
    } finally {
      await browser.close();
    }
    process.stdout.write(`wrote docs/report-example.html and docs/report-example.png (${report.totals.deliveries} deliveries, ${report.totals.overflow} turned away; ${report.sizing.summary})\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
