import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium: playwright-core drives it and downloads no browser of its own. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * Headless Chromium as the screen's tests and bench run it: no sandbox (root in CI), and none of
 * the background connections a closed network refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
