/**
 * Listening and social pages in a real browser against a real node: an artist uploads with the CLI,
 * a fan signs in with the dev wallet, finds the track by typing (typos included), sees the split
 * as who gets what, comments at a moment, replies, reposts, favorites and follows; bad input gets
 * the node's own message; hidden and unknown tracks look the same.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createFairstreamClient, type FairstreamClient, signIn, type Track } from '@fairstream/sdk';
import type { Browser, Page } from 'playwright-core';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import {
  freePort,
  runCli,
  startNodeProcess,
  stopGroup,
  toneFile,
} from '../packages/cli/src/testing/node-process.ts';
import { launchBrowser, watchPageErrors } from './browser.ts';

const exec = promisify(execFile);

// The page's globals as these tests use them inside page.evaluate: this file compiles without the DOM library.
interface PageElement {
  id: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
}
declare const document: {
  activeElement: PageElement | null;
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
};
declare const window: { __pwned?: number };
declare const localStorage: { setItem(key: string, value: string): void };
const screenshots = new URL('../test-results/screenshots/', import.meta.url).pathname;
const TITLE = 'Harbor Lights at Midnight';

describe('listening and social pages', () => {
  let node: ChildProcess;
  let browser: Browser;
  let base: string;
  let work: string;
  let track: Track;
  let hidden: Track;
  let artistApi: FairstreamClient;
  const artistKey = generatePrivateKey();
  const artist = privateKeyToAccount(artistKey);
  const collaborators = [
    privateKeyToAccount(generatePrivateKey()),
    privateKeyToAccount(generatePrivateKey()),
  ];
  const handle = `harbor_${Date.now().toString(36)}`;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'fairstream-listening-'));
    await mkdir(screenshots, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const [started, audio, demo, cover] = await Promise.all([
      startNodeProcess({ dataDir: join(work, 'data'), port, flags: ['--workers', '1'] }),
      toneFile(join(work, 'tone.wav'), 40, 330),
      toneFile(join(work, 'demo.wav'), 8, 550),
      exec('ffmpeg', [
        ...['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi'],
        ...['-i', 'testsrc=size=600x600:rate=1', '-frames:v', '1', join(work, 'cover.png')],
      ]).then(() => join(work, 'cover.png')),
    ]);
    node = started;
    const cli = ['--api', base, '--key', artistKey, '--json'];
    const upload = async (file: string, title: string, extra: string[]) => {
      const result = await runCli([...cli, 'upload', file, '--title', title, '--wait', ...extra]);
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as Track;
    };
    [track, hidden] = await Promise.all([
      upload(audio, TITLE, [
        ...['--cover', cover, '--genre', 'Ambient', '--tags', 'calm,night'],
        ...['--description', 'Recorded at the harbor.\nTwo lines, <b>no markup</b>.'],
        ...['--split', `${artist.address}=60`],
        ...['--split', `${collaborators[0]!.address}=25`],
        ...['--split', `${collaborators[1]!.address}=15`],
      ]),
      upload(demo, 'A Secret Demo', ['--hidden']),
    ]);
    assert.equal(track.state, 'ready');
    const { token } = await signIn(createFairstreamClient({ baseUrl: base }), artist);
    artistApi = createFairstreamClient({ baseUrl: base, token });
    const profile = await artistApi.PUT('/api/v1/me/profile', {
      body: { handle, displayName: 'Harbor Artist' },
    });
    assert.equal(profile.response.status, 200);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    if (node) await stopGroup(node);
    await rm(work, { recursive: true, force: true });
  });

  /** What the node answers to this comment body, so the page can be held to the node's own words. */
  async function nodeMessage(text: string): Promise<string> {
    const result = await artistApi.POST('/api/v1/tracks/{id}/comments', {
      params: { path: { id: track.id } },
      body: { text },
    });
    assert.equal(result.response.status, 400);
    return (result.error as { error: { message: string } }).error.message;
  }

  /** A signed-in browser: a new fan's dev wallet, or (with `key`) the dev wallet holding that key. */
  async function signedInFan(key?: string): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto(`${base}/`);
    if (key) await page.evaluate((k) => localStorage.setItem('fairstream.devWalletKey', k), key);
    await page.getByRole('button', { name: 'Sign in with a dev wallet' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 30_000 });
    return { page, errors };
  }

  it('finds a track by typing part of its title, and with a typo, from the keyboard', async () => {
    const { page, errors } = await signedInFan();
    const box = page.getByRole('searchbox', { name: 'Search tracks and artists' });
    await box.click();
    await box.pressSequentially('harb', { delay: 40 });
    const results = page.getByRole('list', { name: 'Tracks found' });
    await results.getByRole('link', { name: TITLE }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/search');
    assert.equal(new URL(page.url()).searchParams.get('q'), 'harb');
    assert.equal(
      await page.evaluate(() => document.activeElement?.id),
      'search-input',
      'the search box keeps focus while results change under it',
    );
    await page.getByRole('status').filter({ hasText: 'for “harb”' }).waitFor();
    await page.screenshot({ path: join(screenshots, 'search.png'), fullPage: true });

    // A typo still finds it: "midnigth".
    await box.fill('');
    await box.pressSequentially('midnigth', { delay: 30 });
    await page.getByRole('status').filter({ hasText: 'for “midnigth”' }).waitFor();
    await results.getByRole('link', { name: TITLE }).waitFor();

    // Accounts by handle, in the same results.
    await box.fill(handle.slice(0, 6));
    await page
      .getByRole('list', { name: 'Accounts' })
      .getByRole('link', { name: /Harbor Artist/ })
      .waitFor();

    // ↓ from the search box enters the results; Enter opens the track.
    await box.fill('harbor lights');
    await page.getByRole('status').filter({ hasText: 'for “harbor lights”' }).waitFor();
    await results.getByRole('link', { name: TITLE }).waitFor();
    await box.focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), TITLE);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('shows the track: the split as who gets what, comments at a moment, replies, repost, favorite', async () => {
    const { page, errors } = await signedInFan();
    await page.goto(`${base}/t/${track.id}`);
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await page.getByRole('link', { name: 'Harbor Artist' }).first().waitFor();
    // The description is text: the markup in it stays visible as written.
    await page.getByText('Two lines, <b>no markup</b>.').waitFor();

    // The split: each recipient, share, and exactly what they get of 1 FAIR and 1.00 stablecoin.
    const split = page.getByRole('table', { name: 'The split: who gets what' });
    await split.getByRole('link', { name: `@${handle}` }).waitFor();
    const rows = await split.getByRole('row').all();
    const cells = await Promise.all(
      rows.slice(1).map(async (row) => (await row.getByRole('cell').allTextContents()).map((c) => c.trim())),
    );
    assert.deepEqual(cells, [
      ['60%', '0.60', '0.60'],
      ['25%', '0.25', '0.25'],
      ['15%', '0.15', '0.15'],
    ]);
    const headers = await split.getByRole('columnheader').allTextContents();
    assert.deepEqual(headers, ['Recipient', 'Share', 'Of 1 FAIR', 'Of 1.00 tUSD']);

    // Clicking the middle of the waveform plays from there; the playhead follows.
    const slider = page.getByRole('slider', { name: `Seek in ${TITLE}` });
    const box = (await slider.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.getByRole('button', { name: '❚❚ Pause' }).waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => {
      const now = Number(document.querySelector('[role="slider"]')?.getAttribute('aria-valuenow'));
      return now >= 20;
    });
    await page.getByRole('button', { name: '❚❚ Pause' }).click();
    // Arrow keys seek too (5 s a press).
    await slider.focus();
    const before = Number(await slider.getAttribute('aria-valuenow'));
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(
      (was) => Number(document.querySelector('[role="slider"]')?.getAttribute('aria-valuenow')) <= was - 4,
      before,
    );
    const moment = Number(await slider.getAttribute('aria-valuenow'));

    // A comment at this moment.
    const composer = page.getByRole('textbox', { name: 'Add a comment' });
    const atMoment = page.getByRole('checkbox', { name: /^At 0:\d\d$/ });
    assert.equal(await atMoment.isChecked(), true);
    await composer.fill('The swell here is lovely');
    await page.getByRole('button', { name: 'Post comment' }).click();
    const comments = page.getByRole('list', { name: 'Comments' });
    const posted = comments.getByRole('listitem').filter({ hasText: 'The swell here is lovely' });
    await posted.waitFor();
    const stamp = (await posted.getByRole('button', { name: /^Play from / }).textContent()) ?? '';
    const [minutes, seconds] = stamp.split(':').map(Number);
    assert.ok(Math.abs(minutes! * 60 + seconds! - moment) <= 1, `comment at ${stamp}, slider at ${moment} s`);
    // …and its marker on the waveform, at that moment.
    await page.locator('.waveform-markers .marker').first().waitFor();

    // A reply (one level).
    await posted.getByRole('button', { name: 'Reply' }).click();
    await page.getByRole('textbox', { name: 'Your reply' }).fill('Agreed, the best part');
    await page.getByRole('button', { name: 'Post reply' }).click();
    await posted
      .getByRole('list', { name: /Replies/ })
      .getByText('Agreed, the best part')
      .waitFor();

    // Bad input: the node's own message, and the page keeps working.
    await composer.fill('');
    await page.getByRole('button', { name: 'Post comment' }).click();
    const alert = page.locator('.composer [role="alert"]').first();
    await alert.waitFor();
    assert.equal(await alert.textContent(), await nodeMessage(''));
    const long = 'x'.repeat(2001);
    await composer.fill(long);
    await page.getByText('2,001 / 2,000').waitFor();
    const emptyMessage = await alert.textContent();
    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.waitForFunction((was) => {
      const text = document.querySelector('.composer [role="alert"]')?.textContent;
      return text !== undefined && text !== was;
    }, emptyMessage);
    assert.equal(await alert.textContent(), await nodeMessage(long));

    // HTML in a comment is shown as the text it is: no element is made of it.
    const html = '<img src=x onerror="window.__pwned=1"><b>bold?</b>';
    await composer.fill(html);
    await page.getByRole('button', { name: 'Post comment' }).click();
    await comments.getByText(html, { exact: true }).waitFor();
    assert.equal(await page.locator('.comment-text b, .comment-text img').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);

    // Repost and favorite, with counts.
    const repost = page.getByRole('button', { name: /^Repost/ });
    const favorite = page.getByRole('button', { name: /Favorite/ });
    assert.equal(await repost.getAttribute('aria-pressed'), 'false');
    await repost.click();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('button[aria-pressed="true"]')].some((b) =>
        b.textContent?.includes('Repost'),
      ),
    );
    assert.match((await repost.textContent()) ?? '', /Repost\s*1/);
    await favorite.click();
    await page.getByRole('button', { name: /Favorite\s*1 favorite/ }).waitFor();
    assert.equal(await favorite.getAttribute('aria-pressed'), 'true');

    // It stays so after a reload: the node kept it.
    await page.reload();
    await page.getByRole('button', { name: /Repost\s*1 repost/, pressed: true }).waitFor();
    await page.getByRole('list', { name: 'Comments' }).getByText('The swell here is lovely').waitFor();
    // Undo a favorite, and delete one's own comment (both answered 204 by the node).
    await page.getByRole('button', { name: /Favorite/, pressed: true }).click();
    await page.getByRole('button', { name: /Favorite\s*0 favorites/, pressed: false }).waitFor();
    const mine = page.getByRole('list', { name: 'Comments' }).getByRole('listitem').filter({ hasText: html });
    await mine.getByRole('button', { name: 'Delete' }).click();
    await mine
      .getByRole('group', { name: 'Confirm deleting the comment' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await mine.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: /Favorite/ }).click();
    await page.getByRole('button', { name: /Favorite\s*1 favorite/, pressed: true }).waitFor();
    await page.getByRole('heading', { name: 'Who gets what' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screenshots, 'track.png'), fullPage: true });
    await page.setViewportSize({ width: 375, height: 800 });
    assert.equal(
      await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth),
      true,
      'nothing overflows a phone-width screen',
    );
    await page.screenshot({ path: join(screenshots, 'track-phone.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('follows the artist from their profile, where the track is listed', async () => {
    const { page, errors } = await signedInFan();
    await page.goto(`${base}/t/${track.id}`);
    await page.getByRole('link', { name: 'Harbor Artist' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Harbor Artist' }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/u/${handle}`);
    await page
      .getByRole('list', { name: 'Tracks by Harbor Artist' })
      .getByRole('link', { name: TITLE })
      .waitFor();
    await page.getByRole('button', { name: 'Follow Harbor Artist' }).click();
    await page.getByRole('button', { name: 'Unfollow Harbor Artist' }).waitFor();
    await page.getByRole('button', { name: '1 follower' }).waitFor();
    await page.getByRole('tab', { name: /Followers/ }).click();
    const followers = page.getByRole('list', { name: 'Followers of Harbor Artist' });
    await followers.getByRole('listitem').first().waitFor();
    assert.equal(await followers.getByRole('listitem').count(), 1);
    assert.equal(new URL(page.url()).searchParams.get('tab'), 'followers');
    await page.getByRole('tab', { name: 'Tracks' }).click();
    await page.screenshot({ path: join(screenshots, 'profile.png'), fullPage: true });
    // After a reload the follow holds; unfollowing and following again work too.
    await page.reload();
    await page.getByRole('button', { name: 'Unfollow Harbor Artist' }).click();
    await page.getByRole('button', { name: '0 followers' }).waitFor();
    await page.getByRole('button', { name: 'Follow Harbor Artist' }).click();
    await page.getByRole('button', { name: '1 follower' }).waitFor();
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('shows the same "not found" for an unknown track and for a hidden one', async () => {
    const { page, errors } = await signedInFan();
    await page.goto(`${base}/t/NoSuchTrack123`);
    await page.getByRole('heading', { level: 1, name: 'Track not found' }).waitFor();
    const unknown = await page.locator('main').textContent();
    await page.goto(`${base}/t/${hidden.id}`);
    await page.getByRole('heading', { level: 1, name: 'Track not found' }).waitFor();
    assert.equal(await page.locator('main').textContent(), unknown);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('lets the artist read notifications, fix a refused handle, and order a playlist from the keyboard', async () => {
    const { page, errors } = await signedInFan(artistKey);
    await page.goto(`${base}/settings`);
    const notifications = page.getByRole('list', { name: 'Notifications' });
    await notifications.getByText('followed you').waitFor();
    await notifications.getByText(/reposted/).waitFor();
    await notifications
      .getByText(/commented on/)
      .first()
      .waitFor();
    await page
      .getByRole('main')
      .getByText(/\d+ unread/)
      .waitFor();
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await page
      .getByRole('main')
      .getByText(/\d+ unread/)
      .waitFor({ state: 'detached' });
    assert.equal(await notifications.getByRole('button', { name: 'Mark read' }).count(), 0);

    const handleBox = page.getByRole('textbox', { name: 'Handle' });
    assert.equal(await handleBox.inputValue(), handle);
    await handleBox.fill('a');
    await page.getByRole('button', { name: 'Save profile' }).click();
    const refusal = page.locator('#profile-error');
    await refusal.waitFor();
    const said = await artistApi.PUT('/api/v1/me/profile', { body: { handle: 'a' } });
    assert.equal(await refusal.textContent(), (said.error as { error: { message: string } }).error.message);
    assert.equal(await handleBox.getAttribute('aria-invalid'), 'true');
    await handleBox.fill(handle);
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Profile saved.').waitFor();

    // A playlist of both tracks (the hidden one is the artist's own), then reordered by keyboard.
    await page.goto(`${base}/t/${track.id}`);
    await page.getByRole('button', { name: 'Add to playlist' }).click();
    await page.getByRole('textbox', { name: 'New playlist' }).fill('Harbor set');
    await page.getByRole('button', { name: 'Create and add' }).click();
    const added = page.getByRole('link', { name: '“Harbor set”' });
    await added.waitFor();
    const playlistPath = (await added.getAttribute('href'))!;
    await page.goto(`${base}/t/${hidden.id}`);
    await page.getByRole('button', { name: 'Add to playlist' }).click();
    await page.getByRole('button', { name: 'Add to “Harbor set”' }).click();
    await added.waitFor();
    await page.getByRole('button', { name: 'Add to “Harbor set”' }).click();
    await page.getByRole('alert').filter({ hasText: 'already in playlist' }).waitFor();

    await page.goto(`${base}${playlistPath}`);
    await page.getByRole('heading', { level: 1, name: 'Harbor set' }).waitFor();
    const order = () =>
      page.getByRole('list', { name: 'Tracks in Harbor set' }).locator('.track-title').allTextContents();
    assert.deepEqual(await order(), [TITLE, 'A Secret Demo']);
    await page.getByRole('button', { name: 'Move “A Secret Demo” up' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => document.activeElement?.getAttribute('aria-label') === 'Move “A Secret Demo” down',
    );
    assert.deepEqual(await order(), ['A Secret Demo', TITLE]);
    await page.reload();
    await page.getByRole('list', { name: 'Tracks in Harbor set' }).waitFor();
    assert.deepEqual(await order(), ['A Secret Demo', TITLE]);

    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('textbox', { name: 'Title' }).fill('Harbor set, reordered');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { level: 1, name: 'Harbor set, reordered' }).waitFor();
    await page.getByRole('button', { name: `Remove “${TITLE}” from the playlist` }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('.track-list .track-title')].length === 1);
    await page.getByRole('button', { name: 'Delete playlist' }).click();
    await page
      .getByRole('group', { name: 'Confirm deleting the playlist' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByRole('tab', { name: 'Playlists', selected: true }).waitFor();
    await page.getByText('No playlists yet.').waitFor();
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
