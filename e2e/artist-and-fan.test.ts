// The web app's whole story in Chromium against one real node on the embedded defaults (10 s
// epochs): an artist signs in with a dev wallet and uploads a track split 60/25/15; a fan signs in,
// subscribes, finds the track by search, plays it past the counting threshold, comments at a moment
// and reposts; after the epoch, the artist's dashboard shows the counted play and exactly the
// earnings the split gives, and the ledger explorer's in-browser verification says the epoch
// matches the chain. Screenshots of the main pages are kept under test-results/screenshots/.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { allocateSplit } from '@fairstream/protocol';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { listEpochs, newWallet } from '../packages/cli/src/end-to-end/plays-to-payouts.ts';
import { freePort, startNodeProcess, stopGroup, toneFile } from '../packages/cli/src/testing/node-process.ts';
import { formatUnits } from '../web/src/lib/format.ts';
import { launchBrowser, watchPageErrors } from './browser.ts';

const screenshots = new URL('../test-results/screenshots/', import.meta.url).pathname;
const TITLE = 'Lanterns Over Water';
/** Long enough to comment mid-track; its counting threshold is half of it (min(30 s, half)). */
const TRACK_SECONDS = 12;

/**
 * Polls `read` until it gives a value; fails naming `what` after `ms`, with what `state` says of
 * where things stood. A failed assertion inside `read` fails at once.
 */
async function eventually<T>(
  what: string,
  read: () => Promise<T | undefined>,
  ms: number,
  state?: () => Promise<string>,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read().catch((error) => {
      if (error instanceof assert.AssertionError) throw error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const where = state ? await state().catch((error) => String(error)) : '';
      throw new Error(`Waited ${ms / 1000} s for ${what}${where ? `; it stood at ${where}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface EarningsItem {
  epoch: number;
  trackId: string;
  token: string;
  countedPlays: number;
  amount: string;
}

describe('an artist and a fan, all in the web app', () => {
  let node: ChildProcess;
  let browser: Browser;
  let base: string;
  let dir: string;
  let audio: string;
  const artist = newWallet();
  const singer = newWallet();
  const producer = newWallet();
  let trackId: string;
  let artistContext: BrowserContext;
  let fanContext: BrowserContext;
  let artistPage: Page;
  let fanPage: Page;
  const errorLists: string[][] = [];

  const getJson = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${base}${path}`);
    assert.equal(response.status, 200, `GET ${path}`);
    return (await response.json()) as T;
  };

  /** A browser profile signed in with a dev wallet; `key` makes it a wallet the test knows. */
  async function signedIn(path: string, key?: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    if (key) await context.addInitScript((k) => localStorage.setItem('fairstream.devWalletKey', k), key);
    const page = await context.newPage();
    errorLists.push(watchPageErrors(page));
    await page.goto(`${base}${path}`);
    await page.getByRole('banner').getByRole('button', { name: 'Sign in with a dev wallet' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 30_000 });
    return { context, page };
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fairstream-e2e-story-'));
    await mkdir(screenshots, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    [node, browser, audio] = await Promise.all([
      startNodeProcess({
        dataDir: join(dir, 'node'),
        port,
        flags: ['--epoch-seconds', '10', '--workers', '1'],
      }),
      launchBrowser(),
      toneFile(join(dir, 'lanterns.flac'), TRACK_SECONDS, 294),
    ]);
  });

  after(async () => {
    await browser?.close();
    if (node) await stopGroup(node);
    await rm(dir, { recursive: true, force: true });
  });

  it('lets an artist sign in with a dev wallet and upload a track split 60/25/15', async () => {
    ({ context: artistContext, page: artistPage } = await signedIn('/upload', artist.key));
    const page = artistPage;
    await page.getByRole('heading', { name: 'Upload a track' }).waitFor();
    await page.getByLabel('Audio file').setInputFiles(audio);
    await page.getByLabel('Title').fill(TITLE);
    await page.getByLabel('Genre').fill('Ambient');
    await page.getByLabel('Share (%)').first().fill('60');
    for (const [i, [who, percent]] of [
      [singer.address, '25'],
      [producer.address, '15'],
    ].entries()) {
      await page.getByRole('button', { name: 'Add collaborator' }).click();
      await page.getByRole('textbox', { name: `Recipient ${i + 2}`, exact: true }).fill(who!);
      await page
        .getByLabel('Share (%)')
        .nth(i + 1)
        .fill(percent!);
    }
    await page.getByText(/^Total: 100% ✓/).waitFor();
    await page.screenshot({ path: join(screenshots, 'upload.png'), fullPage: true });
    const acknowledged = page.waitForResponse(
      (response) =>
        response.request().method() === 'POST' && new URL(response.url()).pathname === '/api/v1/tracks',
    );
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    const { id } = (await (await acknowledged).json()) as { id: string };
    // Wait on the API, so a slow or stuck stage fails naming itself rather than as a missing heading.
    const ready = await eventually(
      'the track to be processed',
      async () => {
        // As the artist: a track still processing is theirs alone to see.
        const response = await page.request.get(`${base}/api/v1/tracks/${id}`);
        const track = (await response.json()) as { state: string; stages: { name: string; state: string }[] };
        assert.notEqual(track.state, 'failed', JSON.stringify(track.stages));
        return track.state === 'ready' ? track : undefined;
      },
      240_000,
      async () =>
        JSON.stringify(
          ((await (await page.request.get(`${base}/api/v1/tracks/${id}`)).json()) as { stages: unknown })
            .stages,
        ),
    );
    assert.equal(ready.state, 'ready');
    await page.getByRole('heading', { name: `“${TITLE}” is ready` }).waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'Open the track page' }).click();
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    trackId = new URL(page.url()).pathname.split('/').pop()!;

    const track = await getJson<{ splits: { address: string; ppm: number }[]; state: string }>(
      `/api/v1/tracks/${trackId}`,
    );
    assert.equal(track.state, 'ready');
    assert.deepEqual(Object.fromEntries(track.splits.map((s) => [s.address, s.ppm])), {
      [artist.address.toLowerCase()]: 600_000,
      [singer.address.toLowerCase()]: 250_000,
      [producer.address.toLowerCase()]: 150_000,
    });
  });

  it('lets a fan subscribe, find the track by search, play it past the threshold, comment at a moment and repost', async () => {
    ({ context: fanContext, page: fanPage } = await signedIn('/wallet'));
    const page = fanPage;
    const accepted: string[] = [];
    page.on('response', async (response) => {
      if (new URL(response.url()).pathname !== '/api/v1/plays' || !response.ok()) return;
      const body = (await response.json().catch(() => ({ results: [] }))) as {
        results: { id: string; status: string }[];
      };
      for (const result of body.results) if (result.status === 'accepted') accepted.push(result.id);
    });

    // Subscribe for one period from the wallet page (the node relays the signed permit).
    await page.getByText('You are not subscribed.').waitFor({ timeout: 30_000 });
    await page.getByLabel('Periods to pay for').fill('1');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByText(/^Active until/).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(screenshots, 'wallet.png'), fullPage: true });

    // Search as you type, from the header.
    await page.getByRole('searchbox', { name: 'Search tracks and artists' }).fill('lantern');
    await page.getByRole('list', { name: 'Tracks found' }).getByRole('link', { name: TITLE }).click();
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();

    // Play from the start; pause a third in and comment at that moment.
    await page.getByRole('button', { name: '▶ Play' }).click();
    await page.getByRole('button', { name: '❚❚ Pause' }).waitFor({ timeout: 10_000 });
    const slider = page.getByRole('slider', { name: `Seek in ${TITLE}` });
    await page.waitForFunction(
      (at) => Number(document.querySelector('[role="slider"]')?.getAttribute('aria-valuenow')) >= at,
      TRACK_SECONDS / 3,
    );
    await page.getByRole('button', { name: '❚❚ Pause' }).click();
    const moment = Number(await slider.getAttribute('aria-valuenow'));
    assert.equal(await page.getByRole('checkbox', { name: /^At 0:\d\d$/ }).isChecked(), true);
    await page.getByRole('textbox', { name: 'Add a comment' }).fill('The lanterns rise right here');
    await page.getByRole('button', { name: 'Post comment' }).click();
    const posted = page
      .getByRole('list', { name: 'Comments' })
      .getByRole('listitem')
      .filter({ hasText: 'The lanterns rise right here' });
    const stamp = (await posted.getByRole('button', { name: /^Play from / }).textContent()) ?? '';
    const [minutes, seconds] = stamp.split(':').map(Number);
    assert.ok(Math.abs(minutes! * 60 + seconds! - moment) <= 1, `comment at ${stamp}, paused at ${moment} s`);

    // Repost, then listen on to the end: more than the threshold of distinct audio, in real time.
    await page.getByRole('button', { name: /^Repost/ }).click();
    await page.getByRole('button', { name: /^Repost/, pressed: true }).waitFor();
    await page.getByRole('button', { name: '▶ Play' }).click();
    await page.getByRole('button', { name: '▶ Play' }).waitFor({ timeout: (TRACK_SECONDS + 10) * 1000 });
    await eventually('the play report to be accepted', async () => accepted[0], 20_000);
    await page.screenshot({ path: join(screenshots, 'track.png'), fullPage: true });
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'New releases' }).waitFor();
    await page.screenshot({ path: join(screenshots, 'home.png'), fullPage: true });
  });

  it('shows the artist the counted play and exactly the earnings the split gives, after the epoch', async () => {
    const earnings = await eventually(
      'an epoch to count the play and pay the artist',
      async () => {
        const { items } = await getJson<{ items: EarningsItem[] }>(
          `/api/v1/accounts/${artist.address}/earnings`,
        );
        return items.find((item) => item.trackId === trackId && item.countedPlays > 0);
      },
      120_000,
    );
    assert.equal(earnings.countedPlays, 1);
    // The track's part of the epoch is divided exactly by its split: the three shares add up to it,
    // each as SplitLib rounds it.
    const shares = await Promise.all(
      [artist, singer, producer].map(async (who) => {
        const { items } = await getJson<{ items: EarningsItem[] }>(
          `/api/v1/accounts/${who.address}/earnings`,
        );
        const item = items.find((i) => i.trackId === trackId && i.token === earnings.token);
        return { address: who.address.toLowerCase(), amount: BigInt(item?.amount ?? '0') };
      }),
    );
    const total = shares.reduce((sum, share) => sum + share.amount, 0n);
    assert.ok(total > 0n, 'the fan’s subscription reached the track');
    // Recipients in address order, as TrackRegistry keeps them: any leftover unit goes to the first.
    const ppm = new Map([
      [artist.address.toLowerCase(), 600_000],
      [singer.address.toLowerCase(), 250_000],
      [producer.address.toLowerCase(), 150_000],
    ]);
    const sorted = [...shares].sort((a, b) => (a.address < b.address ? -1 : 1));
    const expected = allocateSplit(
      total,
      sorted.map((share) => ppm.get(share.address)!),
    );
    assert.deepEqual(
      sorted.map((share) => share.amount),
      expected,
      'each recipient holds exactly its share',
    );

    const terms = await getJson<{ token: { decimals: number; symbol: string } }>(
      '/api/v1/subscriptions/terms',
    );
    const page = artistPage;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    await page
      .getByRole('button', { name: new RegExp(`${TITLE}.*1 counted play`) })
      .waitFor({ timeout: 30_000 });
    const row = page
      .getByRole('row')
      .filter({ hasText: TITLE })
      .filter({ has: page.getByRole('button', { name: /^Explain/ }) });
    await row
      .filter({ hasText: `${formatUnits(earnings.amount, terms.token.decimals)} ${terms.token.symbol}` })
      .waitFor({ timeout: 30_000 });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(screenshots, 'dashboard.png'), fullPage: true });
  });

  it('verifies the epoch in the browser: the ledger explorer says it matches the chain', async () => {
    const settled = (await listEpochs(base)).find((e) => Number(e.totals.countedPlays ?? 0) > 0);
    assert.ok(settled, 'an epoch counted the play');
    const page = artistPage;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Ledger' }).click();
    await page.getByRole('link', { name: `Epoch ${settled.n}`, exact: true }).click();
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByText(`Epoch ${settled.n} matches the chain`).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(screenshots, 'explorer.png'), fullPage: true });
    await artistContext.close();
    await fanContext.close();
    assert.deepEqual(errorLists.flat(), []);
  });
});
