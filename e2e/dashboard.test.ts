// The artist dashboard and the ledger explorer in Chromium against a real node (10 s epochs): an
// artist uploads a track split 60/25/15 with the CLI, a fan subscribes and listens to it with the
// CLI; once the epoch settles the artist signs in in the browser with the same key, sees the counted
// play and exactly the earnings the API reports (and how they were computed), then opens the epoch
// in the ledger explorer, whose roots are the chain's, and verifies it in the browser. Served data
// with one amount changed must fail that verification, naming the difference; bad input gets a
// clear message.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { listEpochs, newWallet, parse } from '../packages/cli/src/end-to-end/plays-to-payouts.ts';
import {
  freePort,
  runCli,
  startNodeProcess,
  stopGroup,
  toneFile,
} from '../packages/cli/src/testing/node-process.ts';
import { formatUnits } from '../web/src/lib/format.ts';
import { launchBrowser, watchPageErrors } from './browser.ts';

const screenshots = new URL('../test-results/screenshots/', import.meta.url).pathname;
const TITLE = 'Harbour Lights';

type Earnings = {
  items: {
    epoch: number;
    trackId: string;
    token: string;
    countedPlays: number;
    amount: string;
    proRata: string | null;
    status: string;
  }[];
};

describe('the artist dashboard and the ledger explorer', () => {
  let node: ChildProcess;
  let browser: Browser;
  let base: string;
  let dataDir: string;
  const artist = newWallet();
  const singer = newWallet();
  const producer = newWallet();
  const fan = newWallet();
  let trackId: string;
  /** The settled epoch that counted the fan's play. */
  let epoch: { n: number; state: string; payoutRoot: string; playsRoot: string };
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  const cli = async (key: string, args: string[]) =>
    parse(await runCli(['--api', base, '--key', key, '--json', ...args]), args);
  const getJson = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${base}${path}`);
    assert.equal(response.status, 200, `GET ${path}`);
    return (await response.json()) as T;
  };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fairstream-e2e-dashboard-'));
    await mkdir(screenshots, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    [node, browser] = await Promise.all([
      startNodeProcess({ dataDir, port, flags: ['--epoch-seconds', '10', '--workers', '1'] }),
      launchBrowser(),
    ]);

    // The artist uploads with the CLI while the fan gets test money and subscribes.
    const audio = await toneFile(join(dataDir, 'song.flac'), 8, 330);
    const [track] = await Promise.all([
      cli(artist.key, [
        'upload',
        audio,
        '--title',
        TITLE,
        ...['--split', `${artist.address}=60`, '--split', `${singer.address}=25`],
        ...['--split', `${producer.address}=15`, '--wait'],
      ]) as Promise<{ id: string; state: string }>,
      cli(fan.key, ['faucet']).then(() => cli(fan.key, ['subscribe'])),
    ]);
    assert.equal(track.state, 'ready');
    trackId = track.id;
    // The browser signs in with the key the CLI used: the dev wallet keeps its key in localStorage.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript((key) => localStorage.setItem('fairstream.devWalletKey', key), artist.key);
    page = await context.newPage();
    errors = watchPageErrors(page);
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'Sign in with a dev wallet' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 30_000 });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await page.getByRole('button', { name: new RegExp(`${TITLE}.*0 counted plays`) }).waitFor();
    await page.getByText('Nothing earned in a settled epoch yet.').waitFor();
  });

  after(async () => {
    await browser?.close();
    if (node) await stopGroup(node);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('shows the artist the counted play live, and exactly the earnings the node reports', async () => {
    // The fan listens while the artist's dashboard is open: it updates without a reload.
    const listened = (await cli(fan.key, ['listen', trackId])) as { reportsRejected: string[] };
    assert.deepEqual(listened.reportsRejected, []);
    await page
      .getByRole('status')
      .filter({ hasText: new RegExp(`^Epoch \\d+ settled: you earned .* from ${TITLE}`) })
      .waitFor({ timeout: 90_000 });
    const settled = (await listEpochs(base)).find((e) => Number(e.totals.countedPlays ?? 0) > 0);
    assert.ok(settled, 'an epoch counted the play');
    epoch = await getJson<typeof epoch>(`/api/v1/epochs/${settled.n}`);
    assert.equal(epoch.state, 'done');

    const earnings = await getJson<Earnings>(`/api/v1/accounts/${artist.address}/earnings`);
    const terms = await getJson<{ token: { address: string; symbol: string; decimals: number } }>(
      '/api/v1/subscriptions/terms',
    );
    const paid = earnings.items.find(
      (item) => item.trackId === trackId && item.token === terms.token.address.toLowerCase(),
    );
    assert.ok(paid, 'the API reports the artist’s stablecoin earnings');
    assert.equal(paid.countedPlays, 1);
    assert.equal(paid.epoch, epoch.n);
    assert.ok(BigInt(paid.amount) > 0n, 'the fan’s money reached the track');
    const money = (amount: string) => `${formatUnits(amount, terms.token.decimals)} ${terms.token.symbol}`;

    // The track, its counted play and its one listener.
    await page.getByRole('button', { name: new RegExp(`${TITLE}.*1 counted play`) }).waitFor();
    const insights = page.getByRole('region', { name: TITLE });
    const figure = (label: string) =>
      insights.locator('dt', { hasText: label }).locator('xpath=following-sibling::dd');
    // The track list and the insights panel update from their own live streams: wait for both.
    await figure('Counted plays, all time').filter({ hasText: /^1$/ }).waitFor({ timeout: 30_000 });
    await figure('Unique listeners').filter({ hasText: /^1$/ }).waitFor({ timeout: 30_000 });
    // The chart has its figures as a table too; today's bucket holds the play.
    await insights.getByText('Show the figures as a table').click();
    const buckets = await Promise.all(
      (await insights.locator('table tbody tr').all()).map((bucket) =>
        bucket.getByRole('cell').allTextContents(),
      ),
    );
    assert.deepEqual(
      buckets.filter(([plays]) => plays !== '0'),
      [['1', '1']],
      'one day with one play by one listener',
    );
    await insights.getByText('Command line').waitFor();

    // The earnings row says exactly what the API says, to the base unit.
    const row = page
      .getByRole('row')
      .filter({ hasText: TITLE })
      .filter({ has: page.getByRole('button', { name: /^Explain/ }) });
    await row.filter({ hasText: money(paid.amount) }).waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    assert.equal(cells[2], '1', 'counted plays');
    assert.equal(cells[3], money(paid.amount), 'earned');
    assert.equal(cells[4], 'Paid to wallet');
    assert.equal(cells[5], money(paid.proRata ?? '0'), 'pro-rata');

    // How it was computed: the subscriber, the fee, the split, beside pro-rata; it adds up to the node's figure.
    await row.getByRole('button', { name: /^Explain/ }).click();
    const explanation = page.getByRole('region', { name: `How ${TITLE} paid you in epoch ${epoch.n}` });
    await explanation.getByText('exactly what the node paid').waitFor({ timeout: 15_000 });
    assert.match((await explanation.textContent()) ?? '', /\(you\): 60% =/);
    assert.match((await explanation.textContent()) ?? '', /A pro-rata pool would have pooled/);

    // Payouts: the node pushed them, so the wallet holds them and there is nothing to claim.
    const payouts = page.getByRole('region', { name: 'Payouts on-chain' });
    await payouts.waitFor();
    await page.getByText(/nothing to claim/).waitFor({ timeout: 30_000 });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(screenshots, 'dashboard.png'), fullPage: true });
    assert.deepEqual(errors, []);
  });

  it('shows the epoch with the chain’s roots in the explorer, and verifies it in the browser', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Ledger' }).click();
    await page.getByRole('link', { name: `Epoch ${epoch.n}`, exact: true }).click();
    await page.getByRole('heading', { name: `Epoch ${epoch.n}`, level: 2, exact: true }).waitFor();
    const facts = (await page.locator('dl.facts').textContent()) ?? '';
    assert.ok(facts.includes(epoch.payoutRoot), 'the payout root is shown in full');
    assert.ok(facts.includes(epoch.playsRoot), 'the plays root is shown in full');
    await page.getByRole('link', { name: 'Epoch data (JSON)' }).waitFor();
    await page.getByRole('heading', { name: 'Counted plays (1)' }).waitFor();

    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    const verdict = page.getByText(`Epoch ${epoch.n} matches the chain`);
    await verdict.waitFor({ timeout: 60_000 });
    const checks = page.getByRole('list', { name: 'Checks' });
    assert.equal(await checks.getByText(': FAILED').count(), 0);
    assert.ok(((await checks.textContent()) ?? '').includes(`on chain ${epoch.payoutRoot.slice(0, 10)}…`));
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(screenshots, 'explorer.png'), fullPage: true });

    // The artist's payouts with their Merkle proofs, each checked against the root in the browser.
    await page.getByLabel('Account address').fill(artist.address);
    await page.getByRole('button', { name: 'Show payouts' }).click();
    await page.getByRole('heading', { name: 'Payouts and their Merkle proofs' }).waitFor();
    await page.getByText('This root is the one the PayoutDistributor holds').waitFor({ timeout: 15_000 });
    await page
      .getByText(/The proof leads from this leaf to the payout root/)
      .first()
      .waitFor();

    // A phone's width: nothing wider than the screen (tables stack or scroll inside themselves).
    await page.setViewportSize({ width: 375, height: 800 });
    for (const [path, ready, name] of [
      [`/explorer/epochs/${epoch.n}`, 'Counted plays (1)', 'explorer-phone'],
      ['/dashboard', 'Your tracks', 'dashboard-phone'],
    ] as const) {
      await page.goto(`${base}${path}`);
      await page.getByRole('heading', { name: ready }).waitFor();
      await page.getByText('Loading…').first().waitFor({ state: 'detached' });
      assert.equal(await page.evaluate('document.documentElement.scrollWidth'), 375, `${path} fits 375 px`);
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(errors, []);
  });

  it('names what differs when the served data was altered', async () => {
    const altered = await browser.newContext();
    // The worker's download of the epoch data gets one payout raised by one base unit.
    let changed = '';
    await altered.route(`**/api/v1/epochs/${epoch.n}/data`, async (route) => {
      const response = await route.fetch();
      const data = JSON.parse(await response.text()) as { payouts: { account: string; amount: string }[] };
      const payout = data.payouts.find(
        (entry) => entry.account.toLowerCase() === artist.address.toLowerCase(),
      )!;
      changed = payout.account;
      payout.amount = String(BigInt(payout.amount) + 1n);
      await route.fulfill({ response, body: `${JSON.stringify(data, null, 1)}\n` });
    });
    const tampered = await altered.newPage();
    await tampered.goto(`${base}/explorer/epochs/${epoch.n}`);
    await tampered.getByRole('button', { name: 'Verify', exact: true }).click();
    await tampered.getByText(`Epoch ${epoch.n} does NOT match`).waitFor({ timeout: 60_000 });
    const result = (await tampered.locator('.verify-result').textContent()) ?? '';
    assert.match(result, /Published data is what the chain committed to \(sha2-256\): FAILED/);
    assert.match(
      result,
      /Payout root: on chain = recomputed: passed/,
      'the root is recomputed from the leaves',
    );
    const difference = tampered.getByRole('row', { name: new RegExp(`^payout ${changed.toLowerCase()}`) });
    const [published, recomputed] = await difference.getByRole('cell').allTextContents();
    assert.equal(
      BigInt(published!),
      BigInt(recomputed!) + 1n,
      'the raised amount against the recomputed one',
    );
    await altered.close();
  });

  it('answers bad input and a signed-out visitor clearly', async () => {
    const visitor = await browser.newPage();
    const visitorErrors = watchPageErrors(visitor);
    await visitor.goto(`${base}/dashboard`);
    await visitor
      .getByText('Sign in (top right) to see your tracks’ plays, listeners and earnings.')
      .waitFor();
    await visitor.goto(`${base}/explorer`);
    await visitor.getByLabel('Account address').fill('0x1234');
    await visitor.getByRole('button', { name: 'Show payouts' }).click();
    await visitor.getByRole('alert').filter({ hasText: '“0x1234” is not an address' }).waitFor();
    assert.equal(await visitor.getByLabel('Account address').getAttribute('aria-invalid'), 'true');
    await visitor.goto(`${base}/explorer/epochs/first`);
    await visitor.getByRole('alert').filter({ hasText: '“first” is not an epoch number' }).waitFor();
    await visitor.goto(`${base}/explorer/epochs/99999`);
    await visitor
      .getByRole('alert')
      .filter({ hasText: /Epoch 99999/ })
      .waitFor();
    await visitor.goto(`${base}/explorer/accounts/not-an-address`);
    await visitor.getByRole('alert').filter({ hasText: 'is not an account address' }).waitFor();
    assert.deepEqual(visitorErrors, []);
    await visitor.close();
  });
});
