/**
 * An app developer in a real browser against a real node (embedded chain, 10 s epochs): signs in
 * with a dev wallet, is told what to fix for a malformed app id, registers an app (the wallet signs
 * the registration) and lands on its dashboard; a paying fan then listens through that app (the CLI
 * as the app's headless player), and once the epoch settles the dashboard shows the counted play and
 * exactly the FAIR the published epoch data pays the app. Registering a taken id says so.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type Address, createPublicClient, http } from 'viem';
import { rewardsEmitterAbi } from '../packages/chain/src/abis/index.ts';
import { newWallet, parse } from '../packages/cli/src/end-to-end/plays-to-payouts.ts';
import {
  freePort,
  runCli,
  startNodeProcess,
  stopGroup,
  toneFile,
} from '../packages/cli/src/testing/node-process.ts';
import { formatUnits } from '../web/src/lib/format.ts';
import { launchBrowser, watchPageErrors } from './browser.ts';

const APP_ID = 'org.example.harbour-radio';

describe('apps in the web app', () => {
  let node: ChildProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let base: string;
  let dataDir: string;
  let trackId: string;
  const developer = newWallet();
  const artist = newWallet();
  const fan = newWallet();

  const cli = async (key: string, args: string[]) =>
    parse(await runCli(['--api', base, '--key', key, '--json', ...args]), args);

  /** Waits until the chain's RewardsEmitter is past its first emission epoch (chain time). */
  async function untilRewardsEmittable() {
    const chain = (await (await fetch(`${base}/api/v1/chain`)).json()) as {
      rpcUrl: string;
      contracts: Record<string, Address>;
    };
    const client = createPublicClient({ transport: http(chain.rpcUrl) });
    const deadline = Date.now() + 120_000;
    for (;;) {
      const epoch = await client.readContract({
        address: chain.contracts.RewardsEmitter!,
        abi: rewardsEmitterAbi,
        functionName: 'currentEpoch',
      });
      if (epoch >= 1n) return;
      assert.ok(Date.now() < deadline, 'the first emission epoch ended in time');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fairstream-e2e-apps-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    [node, browser] = await Promise.all([
      startNodeProcess({ dataDir, port, flags: ['--epoch-seconds', '10', '--workers', '1'] }),
      launchBrowser(),
    ]);
    const audio = await toneFile(join(dataDir, 'song.flac'), 6, 392);
    const [track] = await Promise.all([
      cli(artist.key, ['upload', audio, '--title', 'Radio Tune', '--wait']) as Promise<{ id: string }>,
      cli(fan.key, ['faucet']).then(() => cli(fan.key, ['subscribe'])),
    ]);
    trackId = track.id;
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript((key) => localStorage.setItem('fairstream.devWalletKey', key), developer.key);
    page = await context.newPage();
    errors = watchPageErrors(page);
  });

  after(async () => {
    await browser?.close();
    if (node) await stopGroup(node);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('registers an app signed by the wallet, after saying what to fix', async () => {
    await page.goto(`${base}/apps`);
    await page.getByRole('heading', { name: 'Apps', level: 1 }).waitFor();
    await page.getByTestId('app-share').filter({ hasText: 'Apps share 10%' }).waitFor();
    await page.getByText('Sign in with the button at the top of the page to register an app').waitFor();
    await page.getByRole('button', { name: 'Sign in with a dev wallet' }).click();
    await page.getByText('You have not registered an app yet.').waitFor({ timeout: 30_000 });

    await page.getByLabel('App id').fill('not an id!');
    await page.getByLabel('Name').fill('Harbour Radio');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('alert').filter({ hasText: 'The app id must be 1–64 characters' }).waitFor();

    await page.getByLabel('App id').fill(APP_ID);
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('heading', { name: 'Harbour Radio', level: 1 }).waitFor({ timeout: 30_000 });
    assert.equal(new URL(page.url()).pathname, `/apps/${APP_ID}`);
    await page.getByText('No counted plays delivered in a published epoch yet.').waitFor();
    await page.getByRole('heading', { name: 'Reporting plays as this app' }).waitFor();

    const app = (await (await fetch(`${base}/api/v1/apps/${APP_ID}`)).json()) as { owner: string };
    assert.equal(app.owner, developer.address.toLowerCase());
  });

  it('shows the plays the app delivered and exactly the FAIR the epoch paid it', async () => {
    // The dev chain's RewardsEmitter first funds FAIR rewards once its first 60 s emission epoch ends.
    await untilRewardsEmittable();
    const listened = (await cli(fan.key, ['listen', trackId, '--app', APP_ID])) as {
      reportsRejected: string[];
    };
    assert.deepEqual(listened.reportsRejected, []);
    // Wait for the epoch that counts the play to be published, then read what it paid the app.
    const deadline = Date.now() + 120_000;
    let earned: { epoch: number; amount: string } | undefined;
    while (!earned) {
      assert.ok(Date.now() < deadline, 'the app earned in a published epoch in time');
      const app = (await (await fetch(`${base}/api/v1/apps/${APP_ID}`)).json()) as {
        epochs: { epoch: number; amount: string }[];
      };
      earned = app.epochs[0];
      if (!earned) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const data = (await (await fetch(`${base}/api/v1/epochs/${earned.epoch}/data`)).json()) as {
      appRewards: { byApp: { appId: string; amount: string; countedPlays: number }[] };
    };

    const published = data.appRewards.byApp.find((entry) => entry.appId === APP_ID);
    assert.equal(published?.amount, earned.amount);
    assert.equal(published?.countedPlays, 1);
    assert.ok(BigInt(earned.amount) > 0n, 'a paying listener earned the app FAIR');

    await page.reload();
    await page.getByTestId('app-plays').filter({ hasText: /^1$/ }).waitFor({ timeout: 30_000 });
    await page
      .getByTestId('app-earned')
      .filter({ hasText: new RegExp(`^${formatUnits(earned.amount, 18).replaceAll('.', '\\.')}$`) })
      .waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: String(earned.epoch) }) });
    await row.filter({ hasText: formatUnits(earned.amount, 18) }).waitFor();
  });

  it('says an app id is taken when another wallet tries it', async () => {
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const second = await other.newPage();
    const secondErrors = watchPageErrors(second);
    await second.goto(`${base}/apps`);
    await second.getByRole('button', { name: 'Sign in with a dev wallet' }).click();
    await second.getByText('You have not registered an app yet.').waitFor({ timeout: 30_000 });
    await second.getByLabel('App id').fill(APP_ID);
    await second.getByLabel('Name').fill('Copycat');
    await second.getByRole('button', { name: 'Register' }).click();
    await second
      .getByRole('alert')
      .filter({ hasText: `App id ${APP_ID} is registered already` })
      .waitFor();
    await other.close();
    assert.deepEqual([...errors, ...secondErrors], []);
  });
});
