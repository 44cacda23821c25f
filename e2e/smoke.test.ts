import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { freePort, startNodeProcess, stopGroup } from '../packages/cli/src/testing/node-process.ts';
import { launchBrowser, watchPageErrors } from './browser.ts';

describe('the web app', () => {
  let node: ChildProcess;
  let browser: Browser;
  let base: string;
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fairstream-e2e-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    node = await startNodeProcess({ dataDir, port, flags: ['--workers', '1'] });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    if (node) await stopGroup(node);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the app at any of its paths, and a dev wallet signs in', async () => {
    const page = await browser.newPage();
    const errors = watchPageErrors(page);
    await page.goto(`${base}/search?q=anything`);
    await page.getByRole('link', { name: 'Fairstream home' }).click();
    await page.getByRole('heading', { name: 'New releases' }).waitFor();
    await page.getByRole('button', { name: 'Sign in with a dev wallet' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 30_000 });
    assert.deepEqual(errors, []);
  });
});
