/**
 * The token economy in Chromium against a real node and its embedded chain (10 s epochs): an artist
 * uploads a track with the CLI and signs in with a dev wallet (the faucet gives 1,000 FAIR); a zero
 * reward, more FAIR than held and a reward with no fans yet are refused before anything is sent;
 * the artist promotes the track for three days (30 FAIR, burned) and trending labels it "Promoted".
 * Two fans listen with the CLI (one twice); once the plays settle the artist previews the reward,
 * each fan's exact part, and sends it: funded, published and pushed. A fan sees the drop with its
 * reason in the wallet and in the history, claims a second drop that was not pushed, and sees the
 * published rules and their progress on the Rewards page.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildFanDropTree, createFanDrop, type Deployment } from '@fairstream/chain';
import { fanDropShares } from '@fairstream/protocol';
import type { Browser, Page } from 'playwright-core';
import {
  type Address,
  createWalletClient,
  defineChain,
  encodeFunctionData,
  erc20Abi,
  getAddress,
  http,
  publicActions,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { newWallet, parse, sleep } from '../packages/cli/src/end-to-end/plays-to-payouts.ts';
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
const TITLE = 'Beacon';
const REASON = 'Thank you for listening to Beacon';
const FAIR = 10n ** 18n;
const fair = (amount: bigint) => `${formatUnits(amount, 18)} FAIR`;

describe('the token economy in the web app', () => {
  let node: ChildProcess;
  let browser: Browser;
  let base: string;
  let dir: string;
  let chain: { chainId: number; rpcUrl: string; contracts: Record<string, Address> };
  let trackId: string;
  let artistPage: Page;
  let fanPage: Page;
  let listening: Promise<unknown>;
  const errorLists: string[][] = [];
  const artist = newWallet();
  const fanA = newWallet();
  const fanB = newWallet();

  const cli = async (key: string, args: string[]) =>
    parse(await runCli(['--api', base, '--key', key, '--json', ...args]), args);
  const rpc = async (method: string, params: unknown[]) => {
    const response = await fetch(chain.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    return ((await response.json()) as { result: unknown }).result;
  };
  const fairOf = async (owner: Address) =>
    BigInt(
      (await rpc('eth_call', [
        {
          to: chain.contracts.FairToken,
          data: encodeFunctionData({ abi: erc20Abi, functionName: 'balanceOf', args: [owner] }),
        },
        'latest',
      ])) as string,
    );

  /** A browser profile signed in with the dev wallet of `key` (funded by the faucet at sign-in). */
  async function signedIn(key: string, path: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript((k) => localStorage.setItem('fairstream.devWalletKey', k), key);
    const page = await context.newPage();
    errorLists.push(watchPageErrors(page));
    await page.goto(`${base}${path}`);
    await page.getByRole('banner').getByRole('button', { name: 'Sign in with a dev wallet' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 30_000 });
    return page;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fairstream-e2e-token-economy-'));
    await mkdir(screenshots, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    let audio: string;
    [node, browser, audio] = await Promise.all([
      startNodeProcess({
        dataDir: join(dir, 'node'),
        port,
        flags: ['--epoch-seconds', '10', '--workers', '1'],
      }),
      launchBrowser(),
      toneFile(join(dir, 'beacon.flac'), 4, 392),
    ]);
    chain = (await (await fetch(`${base}/api/v1/chain`)).json()) as typeof chain;
    const [track] = await Promise.all([
      cli(artist.key, ['upload', audio, '--title', TITLE, '--wait']) as Promise<{
        id: string;
        state: string;
      }>,
      signedIn(artist.key, '/dashboard').then((page) => {
        artistPage = page;
      }),
    ]);
    assert.equal(track.state, 'ready');
    trackId = track.id;
  });

  after(async () => {
    await browser?.close();
    if (node) await stopGroup(node);
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a zero reward, more FAIR than held, and a reward with no fans yet, before anything is sent', async () => {
    const page = artistPage;
    const section = page.getByRole('region', { name: 'Reward your top fans' });
    const amount = section.getByLabel('Amount (FAIR)');
    await section.getByText('You hold 1,000 FAIR.').waitFor({ timeout: 30_000 });
    await amount.fill('0');
    await section.getByText('Enter more than 0 FAIR').waitFor();
    assert.equal(await amount.getAttribute('aria-invalid'), 'true');
    await section.getByRole('button', { name: 'Preview the reward' }).click();
    await section.getByRole('alert').filter({ hasText: 'Enter more than 0 FAIR' }).waitFor();

    await amount.fill('5000');
    const tooMuch = 'You hold 1,000 FAIR, less than the 5,000 FAIR to reward. Nothing was sent.';
    await section.locator('.help').filter({ hasText: tooMuch }).waitFor();
    await section.getByRole('button', { name: 'Preview the reward' }).click();
    await section.getByRole('alert').filter({ hasText: tooMuch }).waitFor();

    await amount.fill('10');
    await section.getByRole('button', { name: 'Preview the reward' }).click();
    await section
      .getByRole('alert')
      .filter({
        hasText: 'No listener has a counted play on your tracks (all time): there is no one to reward yet.',
      })
      .waitFor();
    assert.equal(await fairOf(artist.address), 1000n * FAIR, 'nothing was sent');

    // Now the fans listen (fan A twice), while the artist promotes the track.
    listening = Promise.all([
      cli(fanA.key, ['listen', trackId]).then(() => cli(fanA.key, ['listen', trackId])),
      cli(fanB.key, ['listen', trackId]),
    ]);
    listening.catch(() => undefined);
  });

  it('promotes the track for whole days at the published price, burned, and trending labels it', async () => {
    const page = artistPage;
    await page.goto(`${base}/t/${trackId}`);
    await page.getByRole('button', { name: 'Promote', exact: true }).click();
    const panel = page.getByRole('region', { name: `Promote “${TITLE}”` });
    await panel.getByText('10 FAIR', { exact: true }).waitFor({ timeout: 15_000 });
    const days = panel.getByLabel('Days (1 to 90)');
    await days.fill('0');
    await panel.getByText('A promotion lasts at least 1 day').waitFor();
    await days.fill('91');
    await panel.getByText('A promotion lasts at most 90 days').waitFor();
    assert.equal(await panel.getByRole('button', { name: /^Promote/ }).isDisabled(), true);
    await days.fill('3');
    await panel.getByText('Total 30 FAIR (3 × 10 FAIR), from your 1,000 FAIR.').waitFor();
    await panel.getByText(/The FAIR is burned/).waitFor();
    await panel.getByRole('button', { name: 'Promote for 3 days' }).click();
    const status = panel.locator('.tx-status');
    await status
      .filter({ hasText: `confirmed. Paid 30 FAIR, burned. “${TITLE}” is promoted until` })
      .waitFor({
        timeout: 30_000,
      });
    await panel.getByText(/^Promoted until/).waitFor();
    await panel.screenshot({ path: join(screenshots, 'promote.png') });
    assert.equal(await fairOf(artist.address), 970n * FAIR);

    // Trending puts the promoted track first, labeled, once the node has indexed the promotion.
    for (let tries = 0; ; tries++) {
      const answer = (await (await fetch(`${base}/api/v1/trending`)).json()) as {
        items: { promoted: boolean; track: { id: string } }[];
      };
      if (answer.items[0]?.promoted && answer.items[0].track.id === trackId) break;
      assert.ok(tries < 60, 'trending shows the promoted track');
      await sleep(250);
    }
    await page.getByRole('link', { name: 'Fairstream home' }).click();
    const row = page.getByRole('list', { name: 'Trending' }).getByRole('listitem').first();
    await row.filter({ hasText: TITLE }).waitFor();
    await row.getByText('Promoted', { exact: true }).waitFor();
  });

  it('shows the published rules to a visitor, with a sign-in prompt', async () => {
    const visitor = await browser.newPage();
    errorLists.push(watchPageErrors(visitor));
    await visitor.goto(`${base}/`);
    await visitor.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rewards' }).click();
    await visitor.getByRole('heading', { name: 'Rewards', level: 1 }).waitFor();
    const streak = visitor.getByRole('article', { name: 'Listening streak' });
    await streak.getByText('5 FAIR', { exact: true }).waitFor();
    await streak.getByText('Once a week (ISO week, Monday to Sunday, UTC)').waitFor();
    await streak.getByText('At most 2,000 awards and 10,000 FAIR per epoch').waitFor();
    for (const title of ['First listener', 'Tastemaker', 'First playlist', 'Complete profile']) {
      await visitor.getByRole('heading', { name: title, level: 3 }).waitFor();
    }
    await visitor.getByText('Sign in to see how far you are toward each reward').waitFor();
    assert.equal(await visitor.getByText('Your progress:').count(), 0);
    await visitor.close();
  });

  it('previews each top fan’s exact part, then funds, publishes and pushes the drop', async () => {
    await listening;
    // The plays count once their epoch settles.
    for (let tries = 0; ; tries++) {
      const track = (await (await fetch(`${base}/api/v1/tracks/${trackId}`)).json()) as {
        countedPlays: number;
      };
      if (track.countedPlays >= 3) break;
      assert.ok(tries < 240, `the three plays settle (${track.countedPlays} so far)`);
      await sleep(250);
    }
    const page = artistPage;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    const section = page.getByRole('region', { name: 'Reward your top fans' });
    await section.getByText('You hold 970 FAIR.').waitFor({ timeout: 15_000 });
    await section.getByLabel('Amount (FAIR)').fill('12.5');
    await section.getByLabel('How many top fans').fill('5');
    await section.getByLabel('Reason shown to your fans (optional)').fill(REASON);
    await section.getByRole('button', { name: 'Preview the reward' }).click();

    const amount = 12n * FAIR + FAIR / 2n;
    const shares = fanDropShares(amount, [
      { account: fanA.address, plays: 2 },
      { account: fanB.address, plays: 1 },
    ]);
    const preview = section.getByRole('region', { name: 'Who gets what' });
    await preview.getByText(`2 fans receive ${fair(amount)}`).waitFor({ timeout: 15_000 });
    const rows = await preview
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
      );
    const short = (address: string) =>
      `${address.slice(0, 6).toLowerCase()}…${address.slice(-4).toLowerCase()}`;
    assert.deepEqual(rows, [
      ['1', short(fanA.address), '2', fair(shares[0]!.amount)],
      ['2', short(fanB.address), '1', fair(shares[1]!.amount)],
    ]);
    assert.equal(shares[0]!.amount + shares[1]!.amount, amount, 'the parts add up to the amount');
    await section.screenshot({ path: join(screenshots, 'reward-fans-preview.png') });

    const before = { a: await fairOf(fanA.address), b: await fairOf(fanB.address) };
    await preview.getByRole('button', { name: `Send ${fair(amount)} to 2 fans` }).click();
    await section
      .locator('.tx-status')
      .filter({
        hasText: /confirmed\. Rewarded 2 fans with 12\.5 FAIR in drop #1; pushed 2 parts in 1 transaction/,
      })
      .waitFor({ timeout: 60_000 });
    const stages = section.getByRole('list', { name: 'Progress of the drop' });
    assert.equal(await stages.locator('.drop-stage-done').count(), 3);
    await stages.getByText('2 of 2 fans paid').waitFor();
    assert.equal((await fairOf(fanA.address)) - before.a, shares[0]!.amount);
    assert.equal((await fairOf(fanB.address)) - before.b, shares[1]!.amount);
    assert.equal(await fairOf(artist.address), 970n * FAIR - amount);
    await section.screenshot({ path: join(screenshots, 'reward-fans-sent.png') });
  });

  it('shows the fan the drop with its reason in the wallet and its history, and claims one not pushed', async () => {
    fanPage = await signedIn(fanA.key, '/wallet');
    const drops = fanPage.getByRole('region', { name: 'Fan drops' });
    const first = drops.getByRole('row').filter({ hasText: 'drop #1' });
    await first.waitFor({ timeout: 30_000 });
    const [mine] = fanDropShares(12n * FAIR + FAIR / 2n, [
      { account: fanA.address, plays: 2 },
      { account: fanB.address, plays: 1 },
    ]);
    assert.deepEqual((await first.getByRole('cell').allTextContents()).slice(1), [
      `“${REASON}”`,
      'Claimed',
      fair(mine!.amount),
    ]);
    const history = fanPage.getByRole('region', { name: 'History' });
    await history.getByText(`(drop #1): “${REASON}”`, { exact: false }).waitFor({ timeout: 30_000 });
    const historyRow = history.getByRole('row').filter({ hasText: '(drop #1)' });
    assert.match(
      (await historyRow.getByRole('cell').nth(1).textContent()) ?? '',
      /^Fan reward from .+ \(drop #1\): “/,
    );
    assert.equal(
      await historyRow.getByRole('cell').nth(2).textContent(),
      `+${formatUnits(mine!.amount, 18)}`,
    );

    // A drop the artist funded and published but did not push: the fan claims it from the wallet.
    const client = createWalletClient({
      account: privateKeyToAccount(artist.key),
      chain: defineChain({
        id: chain.chainId,
        name: 'Fairstream dev chain',
        nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
        rpcUrls: { default: { http: [chain.rpcUrl] } },
      }),
      transport: http(chain.rpcUrl),
      pollingInterval: 250,
    }).extend(publicActions);
    const tree = buildFanDropTree([{ account: getAddress(fanA.address), amount: 3n * FAIR }]);
    const created = await createFanDrop(client, {
      deployment: { contracts: chain.contracts as Deployment['contracts'] },
      tree,
      reason: 'A bonus for the first listeners',
      authorize: 'permit',
    });
    const published = await fetch(`${base}/api/v1/drops`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        dropId: created.dropId.toString(),
        transactionHash: created.hash,
        leaves: [{ account: fanA.address, amount: String(3n * FAIR) }],
      }),
    });
    assert.equal(published.status, 201, await published.text());

    const balance = await fairOf(fanA.address);
    await fanPage.getByRole('region', { name: 'Balances' }).getByRole('button', { name: 'Refresh' }).click();
    const second = drops.getByRole('row').filter({ hasText: 'drop #2' });
    await second.getByText('Claimable').waitFor({ timeout: 15_000 });
    await second.getByRole('button', { name: 'Claim 3 FAIR from drop #2' }).click();
    await drops.locator('.tx-status').filter({ hasText: 'confirmed. 3 FAIR is in your wallet.' }).waitFor({
      timeout: 30_000,
    });
    await second.getByText('Claimed').waitFor({ timeout: 15_000 });
    assert.equal((await fairOf(fanA.address)) - balance, 3n * FAIR);
    await drops.screenshot({ path: join(screenshots, 'wallet-fan-drops.png') });
    await history.getByText('(drop #2): “A bonus for the first listeners”', { exact: false }).waitFor({
      timeout: 30_000,
    });
  });

  it('shows the signed-in fan their progress toward each rule', async () => {
    await fanPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rewards' }).click();
    const streak = fanPage.getByRole('article', { name: 'Listening streak' });
    await streak.getByText(/Your progress:/).waitFor({ timeout: 15_000 });
    await streak.getByRole('progressbar', { name: /^Listening streak: \d of 7$/ }).waitFor();
    await fanPage
      .getByRole('article', { name: 'Complete profile' })
      .getByText('Missing: handle, display name, avatar, bio.')
      .waitFor();
    await fanPage
      .getByRole('region', { name: 'Your rewards' })
      .getByText(/No rewards yet|earned:/)
      .waitFor();
    await fanPage.screenshot({ path: join(screenshots, 'rewards.png'), fullPage: true });
    for (const errors of errorLists) assert.deepEqual(errors, []);
  });
});
