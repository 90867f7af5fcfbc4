/**
 * A real headless Chromium for the browser tests (survey page, Temporal Web UI, the console),
 * driven through playwright-core. The suite's global setup provisions it (scripts/chromium.ts:
 * CHROMIUM_PATH, a system Chromium, apt-get as root, Playwright's download) and names it in
 * CHROMIUM_PATH; run outside it, the same provisioning runs here.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { provisionChromium } from '../../scripts/chromium';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return configured;
  }
  return CANDIDATES.find((path) => existsSync(path)) ?? provisionChromium();
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}
