/**
 * The wallet history in a real browser against a real node and its embedded chain: a dev wallet
 * signs in (the faucet funds it), subscribes with a signed permit and tips a track in FAIR; the
 * History section lists each movement with its cause and exact signed amount, filters by token,
 * fits a phone, and its CSV download holds the same rows. The artist sees the tip from the CLI.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { allocateSplit } from '@fairstream/protocol';
import type { Browser, Locator, Page } from 'playwright-core';
import { type Address, formatUnits, parseUnits } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import {
  freePort,
  runCli,
  startNodeProcess,
  stopGroup,
  toneFile,
} from '../packages/cli/src/testing/node-process.ts';
import { launchBrowser, watchPageErrors } from './browser.ts';

/** A small RFC 4180 reader: quoted fields, doubled quotes, CRLF line ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += char;
  }
  return rows;
}

describe('the wallet history', () => {
  let node: ChildProcess;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let base: string;
  let dir: string;
  let trackId: string;
  let fan: string;
  const artistKey = generatePrivateKey();
  const artist = privateKeyToAccount(artistKey).address.toLowerCase() as Address;
  const collaborator = privateKeyToAccount(generatePrivateKey()).address.toLowerCase() as Address;
  const tipText = '12.5';

  const history = (): Locator => page.getByRole('region', { name: 'History' });
  /** The rows of the History table as [what, amount, token]. */
  const rows = async (): Promise<string[][]> => {
    const table = history().getByRole('table', { name: 'Token movements, newest first' });
    const cells = await table
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent?.trim() ?? '')),
      );
    return cells;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fairstream-e2e-history-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const [started, audio] = await Promise.all([
      startNodeProcess({ dataDir: join(dir, 'node'), port, flags: ['--workers', '1'] }),
      toneFile(join(dir, 'tone.flac'), 5, 440),
    ]);
    node = started;
    const upload = await runCli([
      ...['--api', base, '--key', artistKey, '--json', 'upload', audio, '--title', 'Tip Jar'],
      ...['--split', `${artist}=70`, '--split', `${collaborator}=30`, '--wait'],
    ]);
    assert.equal(upload.code, 0, upload.stderr);
    trackId = (JSON.parse(upload.stdout) as { id: string }).id;
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    errors = watchPageErrors(page);
  });

  after(async () => {
    await browser?.close();
    if (node) await stopGroup(node);
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the faucet’s drips as the first movements of a new dev wallet', async () => {
    await page.goto(`${base}/wallet`);
    await page.getByRole('banner').getByRole('button', { name: 'Sign in with a dev wallet' }).click();
    await page.getByRole('heading', { name: 'Wallet', exact: true }).waitFor({ timeout: 30_000 });
    await history().getByRole('heading', { name: 'History' }).waitFor();
    fan = String(await page.locator('.wallet-page p.muted span[title]').first().getAttribute('title'));
    assert.match(fan, /^0x[0-9a-f]{40}$/);
    await history().getByText('+1,000').nth(1).waitFor({ timeout: 30_000 });
    assert.deepEqual(await rows(), [
      ['Dev faucet', '+1,000', 'tUSD'],
      ['Dev faucet', '+1,000', 'FAIR'],
    ]);
  });

  it('adds the subscription and the tip, newest first, with their causes', async () => {
    await page.getByLabel('Periods to pay for').fill('2');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page
      .getByRole('region', { name: 'Subscription' })
      .locator('.tx-status')
      .filter({ hasText: 'confirmed. Paid 10 tUSD' })
      .waitFor({ timeout: 30_000 });
    await history()
      .getByText(/^Subscription: 2 periods, until \d{4}-\d{2}-\d{2}$/)
      .waitFor({ timeout: 30_000 });

    await page.getByLabel('Tip a track: its link or id').fill(`${base}/t/${trackId}`);
    await page.getByRole('button', { name: 'Find track' }).click();
    const panel = page.getByRole('region', { name: '“Tip Jar”' });
    await panel.getByLabel('Amount (FAIR)').fill(tipText);
    await panel.getByRole('button', { name: 'Review tip' }).click();
    await panel.getByRole('button', { name: 'Send tip' }).click();
    await panel.locator('.tx-status').filter({ hasText: 'confirmed. Paid' }).waitFor({ timeout: 30_000 });
    await history().getByText('Tip to “Tip Jar”, split among 2 recipients').waitFor({ timeout: 30_000 });

    const shown = await rows();
    assert.equal(shown.length, 4);
    assert.deepEqual(shown[0], ['Tip to “Tip Jar”, split among 2 recipients', '-12.5', 'FAIR']);
    assert.match(shown[1]![0]!, /^Subscription: 2 periods, until \d{4}-\d{2}-\d{2}$/);
    assert.deepEqual(shown[1]!.slice(1), ['-10', 'tUSD']);
    assert.deepEqual(shown.slice(2), [
      ['Dev faucet', '+1,000', 'tUSD'],
      ['Dev faucet', '+1,000', 'FAIR'],
    ]);
    // The track's title links to it.
    const link = history().getByRole('link', { name: 'Tip Jar' });
    assert.equal(await link.getAttribute('href'), `/t/${trackId}`);
  });

  it('downloads the same rows as CSV, exact in base units and decimals', async () => {
    const downloading = page.waitForEvent('download');
    await history().getByRole('link', { name: 'Download CSV' }).click();
    const download = await downloading;
    assert.equal(download.suggestedFilename(), `fairstream-history-${fan}.csv`);
    const file = join(dir, 'history.csv');
    await download.saveAs(file);
    const csv = parseCsv(await readFile(file, 'utf8'));
    assert.equal(
      csv[0]?.join(','),
      'time,block,log_index,tx_hash,token,token_address,decimals,direction,amount,amount_base_units,counterparty,counterparty_name,cause,description',
    );
    const body = csv.slice(1);
    const shown = await rows();
    assert.equal(body.length, shown.length);
    for (const [i, row] of body.entries()) {
      const [what, amount, token] = shown[i]!;
      assert.equal(row[13], what, 'the same description');
      assert.equal(row[4], token);
      assert.equal(row[8], amount!.replaceAll(',', '').replace(/^\+/, ''), 'the same decimal amount');
      assert.equal(formatUnits(BigInt(row[9]!), Number(row[6])), row[8], 'base units and decimals agree');
    }
    assert.deepEqual(
      body.map((row) => row[12]),
      ['tip_sent', 'subscription', 'faucet', 'faucet'],
    );
    assert.equal(body[0]![9], `-${parseUnits(tipText, 18)}`);
    assert.equal(body[1]![9], '-10000000');
  });

  it('filters by token, and the CSV link follows', async () => {
    await history().getByLabel('Token').selectOption('FAIR');
    await history()
      .getByText(/^Subscription:/)
      .waitFor({ state: 'detached' });
    assert.deepEqual(await rows(), [
      ['Tip to “Tip Jar”, split among 2 recipients', '-12.5', 'FAIR'],
      ['Dev faucet', '+1,000', 'FAIR'],
    ]);
    assert.equal(
      await history().getByRole('link', { name: 'Download CSV' }).getAttribute('href'),
      `/api/v1/accounts/${fan}/history.csv?token=FAIR`,
    );
    await history().getByLabel('Token').selectOption('');
    await history()
      .getByText(/^Subscription/)
      .waitFor();
  });

  it("shows the artist the tip's part from the CLI, exactly their share", async () => {
    const amount = parseUnits(tipText, 18);
    const order = [artist, collaborator].sort();
    const parts = allocateSplit(
      amount,
      order.map((address) => (address === artist ? 700_000 : 300_000)),
    );
    const share = parts[order.indexOf(artist)]!;
    const result = await runCli(['--api', base, 'history', artist, '--token', 'FAIR']);
    assert.equal(result.code, 0, result.stderr);
    const short = `${fan.slice(0, 6)}…${fan.slice(-4)}`;
    assert.match(
      result.stdout,
      new RegExp(
        `Tip from ${short} for “Tip Jar”\\s+\\+${formatUnits(share, 18).replace('.', '\\.')}\\s+FAIR`,
      ),
    );
  });

  it('fits a phone’s width, each value with its column’s name', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    const label = await history()
      .locator('tbody td[data-label="Amount"]')
      .first()
      .evaluate((td) => getComputedStyle(td, '::before').content);
    assert.equal(label, '"Amount"');
    // Still a table to assistive technology.
    assert.equal(await history().getByRole('row').count(), 5);
    assert.deepEqual(errors, []);
  });
});
