/**
 * Chromium for the end-to-end tests and the web benchmark: Debian's chromium (or
 * FAIRSTREAM_CHROMIUM), driven headless by playwright-core, never a downloaded browser.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

export function chromiumPath(): string {
  const path = process.env.FAIRSTREAM_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `No Chromium at ${path}. Install it (apt-get install -y chromium) or set FAIRSTREAM_CHROMIUM to its path.`,
    );
  }
  return path;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Audio plays without a user gesture in tests, into a fake output device.
    args: ['--autoplay-policy=no-user-gesture-required', '--no-sandbox', '--mute-audio'],
  });
}

/**
 * Collects uncaught page errors and console errors, which a person would not see. A refused
 * request (a 401 while signed out, say) is the app working, and the browser's note of it is not kept.
 */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error' || message.text().startsWith('Failed to load resource')) return;
    errors.push(`console error: ${message.text()}`);
  });
  return errors;
}
