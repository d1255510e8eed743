/**
 * bench:screen — from a tap on the kiosk screen to the page showing the new state, measured in
 * the browser: headless Chromium (playwright-core, Debian's /usr/bin/chromium) on the page of the
 * built daemon, run as a child process on a temporary copy of the demo config. Each sample is one
 * tap of a `data-key` button: the page's click handler is the start, the entry's dots changing in
 * the DOM and the next animation frame after it are the ends. The daemon's own part comes from the
 * daemon: each screen message says how long it took from reading the POST /key to writing the
 * state to the stream (`sinceKeyMs`). Run with `npm run bench:screen`. See docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/config/paths.js';
import { launchChromium } from '../test/helpers/chromium.js';
import { freePort } from '../test/helpers/mosquitto.js';
import { fmtMs, median, percentile } from './stats.js';

const SAMPLES = Number(process.env.BENCH_SCREEN_SAMPLES ?? 400);
const WARMUP = 20;
/** Between taps: a brisk person, and well under the flood mute (flood.maxInputsPerSecond). */
const PAUSE_MS = 80;
const TARGET_P99_MS = 50;

async function main(): Promise<void> {
  const root = packageRoot();
  const dir = mkdtempSync(join(tmpdir(), 'lockerd-bench-screen-'));
  const port = await freePort();
  const config = JSON.parse(readFileSync(join(root, 'config', 'default.json'), 'utf8')) as Record<string, unknown>;
  Object.assign(config, {
    ledger: { path: join(dir, 'lockerd.db'), keyFile: join(dir, 'lockerd.key') },
    control: { socketPath: join(dir, 'lockerd.sock') },
    mqtt: { enabled: false },
    log: { level: 'warn' },
    screen: { enabled: true, port },
  });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const daemon = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js'), '--config', join(dir, 'config.json')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const browser = await launchChromium();
  try {
    const url = `http://127.0.0.1:${port}/`;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    for (let i = 0; ; i++) {
      try {
        await page.goto(url);
        break;
      } catch (err) {
        if (i > 100) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    // Browser-side code as strings: the bench compiles with the daemon (no DOM types).
    await page.waitForFunction(() => (globalThis as any).document.body.dataset.step === 'welcome');
    // The bench's probes, in the page: when a tap is handled, when the dots change, the frame after;
    // and a second stream listener that keeps the daemon's own figure per state.
    await page.evaluate(`(() => {
      window.probe = { tap: 0, dom: 0, frame: 0, daemon: [] };
      document.addEventListener('click', () => (window.probe.tap = performance.now()), { capture: true });
      new MutationObserver(() => {
        window.probe.dom = performance.now();
        requestAnimationFrame(() => (window.probe.frame = performance.now()));
      }).observe(document.getElementById('entry'), { childList: true });
      const es = new EventSource('/events');
      es.addEventListener('screen', (e) => {
        const m = JSON.parse(e.data);
        if (m.sinceKeyMs !== null) window.probe.daemon.push(m.sinceKeyMs);
      });
    })()`);

    const dom: number[] = [];
    const frame: number[] = [];
    let dots = 0;
    for (let i = 0; i < SAMPLES + WARMUP; i++) {
      // Up to 8 digits (never a code's length of keys with #: nothing is submitted), then * clears.
      const key = dots >= 7 ? '*' : String((i % 9) + 1);
      const expected = key === '*' ? 0 : dots + 1;
      await page.evaluate('window.probe.frame = 0; window.probe.dom = 0;');
      await page.click(`#keypad [data-key="${key}"]`);
      await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll('#entry .dot').length === n && (globalThis as any).probe.frame > 0, expected);
      const p = (await page.evaluate('window.probe')) as { tap: number; dom: number; frame: number };
      dots = expected;
      if (i >= WARMUP) {
        dom.push(p.dom - p.tap);
        frame.push(p.frame - p.tap);
      }
      await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
    const daemonMs = ((await page.evaluate('window.probe.daemon')) as number[]).slice(WARMUP);

    const p99 = percentile(frame, 99);
    const line = (name: string, v: number[]) => `   ${name.padEnd(44)} ${fmtMs(median(v))} / ${fmtMs(percentile(v, 90))} / ${fmtMs(percentile(v, 99))} / ${fmtMs(Math.max(...v))}`;
    console.log(`bench:screen  ${SAMPLES} taps of data-key buttons (after ${WARMUP} warm-up), ${PAUSE_MS} ms apart, headless Chromium on the built daemon's page\n`);
    console.log('                                                p50 / p90 / p99 / max');
    console.log(line('tap to the new state in the DOM', dom));
    console.log(line('tap to the next frame (shown)', frame));
    console.log(line("daemon: POST /key read to state written", daemonMs));
    console.log(`   target: tap to shown p99 <= ${TARGET_P99_MS} ms  ${p99 <= TARGET_P99_MS ? 'OK' : 'MISSED'}\n`);
    console.log('| figure | p50 | p99 | target |');
    console.log('|---|---|---|---|');
    console.log(`| tap to the next frame showing the new state | ${fmtMs(median(frame))} | ${fmtMs(p99)} | p99 ≤ ${TARGET_P99_MS} ms |`);
    console.log(`| tap to the new state in the DOM | ${fmtMs(median(dom))} | ${fmtMs(percentile(dom, 99))} | — |`);
    console.log(`| of which the daemon: POST /key read to the state written to the stream | ${fmtMs(median(daemonMs))} | ${fmtMs(percentile(daemonMs, 99))} | — |`);
  } finally {
    await browser.close();
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
