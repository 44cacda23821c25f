/**
 * The wallet in a real browser against a real node and its embedded chain: a dev wallet signs in
 * and is funded, subscribes with a signed permit, tips a track in FAIR (its recipients' balances
 * change by exactly their shares), and stakes and unstakes. Every transaction shows its outcome;
 * refused ones say why, in the contract's words.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { allocateSplit } from '@fairstream/protocol';
import type { Browser, Locator, Page } from 'playwright-core';
import { type Address, encodeFunctionData, erc20Abi, parseUnits } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import {
  freePort,
  runCli,
  startNodeProcess,
  stopGroup,
  toneFile,
} from '../packages/cli/src/testing/node-process.ts';
import { launchBrowser, watchPageErrors } from './browser.ts';

async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

describe('the wallet page', () => {
  let node: ChildProcess;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let base: string;
  let dir: string;
  let rpcUrl: string;
  let fair: Address;
  let trackId: string;
  const artistKey = generatePrivateKey();
  const artist = privateKeyToAccount(artistKey).address.toLowerCase() as Address;
  const collaborator = privateKeyToAccount(generatePrivateKey()).address.toLowerCase() as Address;

  const fairOf = async (owner: Address) =>
    BigInt(
      (await rpc(rpcUrl, 'eth_call', [
        { to: fair, data: encodeFunctionData({ abi: erc20Abi, functionName: 'balanceOf', args: [owner] }) },
        'latest',
      ])) as string,
    );
  const balance = (name: string): Locator =>
    page
      .locator('.balance-list > div')
      .filter({ has: page.getByText(name, { exact: true }) })
      .locator('dd');
  const status = (section: string) => page.getByRole('region', { name: section }).locator('.tx-status');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fairstream-e2e-wallet-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const [started, audio] = await Promise.all([
      startNodeProcess({ dataDir: join(dir, 'node'), port, flags: ['--workers', '1'] }),
      toneFile(join(dir, 'tone.flac'), 5, 520),
    ]);
    node = started;
    const chain = (await (await fetch(`${base}/api/v1/chain`)).json()) as {
      rpcUrl: string;
      contracts: Record<string, Address>;
    };
    rpcUrl = chain.rpcUrl;
    fair = chain.contracts.FairToken!;
    // An artist with a collaborator uploads a track from the CLI; the fan tips it from the browser.
    const upload = await runCli([
      ...['--api', base, '--key', artistKey, '--json', 'upload', audio, '--title', 'Tip Jar'],
      ...['--split', `${artist}=70`, '--split', `${collaborator}=30`, '--wait'],
    ]);
    assert.equal(upload.code, 0, upload.stderr);
    trackId = (JSON.parse(upload.stdout) as { id: string }).id;
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = watchPageErrors(page);
  });

  after(async () => {
    await browser?.close();
    if (node) await stopGroup(node);
    await rm(dir, { recursive: true, force: true });
  });

  it('signs in with a dev wallet and shows the faucet’s funds, exactly', async () => {
    await page.goto(`${base}/wallet`);
    await page.getByText('Sign in to see your balances').waitFor();
    await page.getByRole('banner').getByRole('button', { name: 'Sign in with a dev wallet' }).click();
    await page.getByRole('heading', { name: 'Wallet', exact: true }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 30_000 });
    await balance('FAIR')
      .filter({ hasText: /^1,000$/ })
      .waitFor({ timeout: 30_000 });
    await balance('tUSD')
      .filter({ hasText: /^1,000$/ })
      .waitFor();
    await balance('ETH (for gas)').filter({ hasText: /^10$/ }).waitFor();
  });

  it('explains the faucet’s once-an-hour limit', async () => {
    await page.getByRole('button', { name: 'Get test tokens from the faucet' }).click();
    await page.getByText('The faucet funds each wallet at most once an hour').waitFor();
  });

  it('subscribes with a signed permit; the node pays the gas', async () => {
    await page.getByText('You are not subscribed.').waitFor();
    await page.getByLabel('Periods to pay for').fill('0');
    await page.getByText('Enter a whole number of periods from 1 to').waitFor();
    await page.getByLabel('Periods to pay for').fill('2');
    await page.getByText('10 tUSD from your balance of 1,000 tUSD').waitFor();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await status('Subscription').filter({ hasText: 'confirmed. Paid 10 tUSD' }).waitFor({ timeout: 30_000 });
    await page.getByText(/^Active until/).waitFor();
    await balance('tUSD').filter({ hasText: /^990$/ }).waitFor();
  });

  it('tips a track in FAIR: each recipient gets exactly its share at once', async () => {
    const before = { artist: await fairOf(artist), collaborator: await fairOf(collaborator) };
    await page.getByLabel('Tip a track: its link or id').fill(`${base}/t/${trackId}`);
    await page.getByRole('button', { name: 'Find track' }).click();
    const panel = page.getByRole('region', { name: '“Tip Jar”' });
    await panel.getByLabel('Amount (FAIR)').fill('12.5.1');
    await panel.getByText('is not an amount').waitFor();
    await panel.getByLabel('Amount (FAIR)').fill('5000');
    await panel.getByText('You have 1,000 FAIR; tip at most that.').waitFor();
    const text = '12.345678901234567891';
    await panel.getByLabel('Amount (FAIR)').fill(text);
    await panel.getByRole('button', { name: 'Review tip' }).click();

    const amount = parseUnits(text, 18);
    const order = [artist, collaborator].sort();
    const shares = order.map((address) => (address === artist ? 700_000 : 300_000));
    const parts = allocateSplit(amount, shares);
    const expected = Object.fromEntries(order.map((address, i) => [address, parts[i]!]));
    // The confirmation shows who receives what before anything is sent.
    const table = panel.getByRole('table');
    await table.getByText('70%').waitFor();
    await table.getByText('30%').waitFor();
    for (const part of parts) {
      const whole = part / 10n ** 18n;
      const fraction = (part % 10n ** 18n).toString().padStart(18, '0').replace(/0+$/, '');
      await table.getByText(`${whole}.${fraction} FAIR`).waitFor();
    }
    await panel.getByRole('button', { name: 'Send tip' }).click();
    await panel.locator('.tx-status').filter({ hasText: 'confirmed. Paid' }).waitFor({ timeout: 30_000 });

    assert.equal((await fairOf(artist)) - before.artist, expected[artist]);
    assert.equal((await fairOf(collaborator)) - before.collaborator, expected[collaborator]);
    await page.getByRole('region', { name: 'Tips' }).getByRole('link', { name: 'Tip Jar' }).waitFor();
    await balance('FAIR').filter({ hasText: '987.654321098765432109' }).waitFor();
  });

  it('stakes and unstakes FAIR, and says why a refused unstake was refused', async () => {
    const staking = page.getByRole('region', { name: 'Staking' });
    await staking.getByLabel('Amount to stake (FAIR)').fill('100');
    await staking.getByRole('button', { name: 'Stake', exact: true }).click();
    await status('Staking').filter({ hasText: 'confirmed. Staked 100 FAIR' }).waitFor({ timeout: 30_000 });
    await balance('Staked').filter({ hasText: '100 FAIR' }).waitFor();

    await staking.getByLabel('Amount to unstake (FAIR)').fill('150');
    await staking.getByRole('button', { name: 'Unstake', exact: true }).click();
    await status('Staking').filter({ hasText: 'you cannot unstake' }).waitFor({ timeout: 30_000 });
    assert.equal(await status('Staking').getAttribute('role'), 'alert');

    await staking.getByLabel('Amount to unstake (FAIR)').fill('40');
    await staking.getByRole('button', { name: 'Unstake', exact: true }).click();
    await status('Staking').filter({ hasText: 'is cooling down' }).waitFor({ timeout: 30_000 });
    await balance('Cooling down').filter({ hasText: '40 FAIR' }).waitFor();
    await balance('Staked').filter({ hasText: '60 FAIR' }).waitFor();

    // The dev chain's cooldown is a minute: let chain time pass rather than the test's.
    await staking.getByRole('button', { name: 'Withdraw 40 FAIR' }).click();
    await status('Staking').filter({ hasText: 'cooldown has not passed yet' }).waitFor({ timeout: 30_000 });
    await rpc(rpcUrl, 'evm_increaseTime', [120]);
    await rpc(rpcUrl, 'evm_mine', []);
    await staking.getByRole('button', { name: 'Withdraw 40 FAIR' }).click();
    await status('Staking').filter({ hasText: 'is back in your wallet' }).waitFor({ timeout: 30_000 });
    await balance('Cooling down')
      .filter({ hasText: /^0 FAIR$/ })
      .waitFor();
    await balance('FAIR').filter({ hasText: '927.654321098765432109' }).waitFor();
    assert.deepEqual(errors, []);
  });

  it('fits a phone’s width', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  });
});
