/**
 * Uploading in a real browser against a real node: an artist signs in with a dev wallet, drops a
 * tagged audio file (the form fills itself from the tags), splits it 60/25/15 with two
 * collaborators, and follows the upload and every processing step to the ready track. Bad input
 * (a split of 90%, a text file named .mp3, a file the node cannot decode) gets a clear message and
 * leaves no half-made track.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { freePort, startNodeProcess, stopGroup, toneFile } from '../packages/cli/src/testing/node-process.ts';
import { launchBrowser, watchPageErrors } from './browser.ts';

const exec = promisify(execFile);

describe('uploading from the web app', () => {
  let node: ChildProcess;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let base: string;
  let dir: string;
  let tagged: string;
  let artist: string;
  const collaborators = [
    privateKeyToAccount(generatePrivateKey()).address,
    privateKeyToAccount(generatePrivateKey()).address,
  ];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fairstream-e2e-upload-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const [started] = await Promise.all([
      startNodeProcess({ dataDir: join(dir, 'node'), port, flags: ['--workers', '1'] }),
      (async () => {
        // A real tone with the tags and embedded cover an artist's tools would write.
        const tone = await toneFile(join(dir, 'tone.wav'), 6, 330);
        await exec('ffmpeg', [
          ...['-hide_banner', '-nostdin', '-v', 'error', '-y'],
          ...['-f', 'lavfi', '-i', 'color=c=purple:s=300x300:d=1', '-frames:v', '1', join(dir, 'cover.png')],
        ]);
        tagged = join(dir, 'night-drive.mp3');
        await exec('ffmpeg', [
          ...['-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', tone, '-i', join(dir, 'cover.png')],
          ...[
            '-map',
            '0:a',
            '-map',
            '1:v',
            '-c:v',
            'copy',
            '-disposition:v',
            'attached_pic',
            '-id3v2_version',
            '3',
          ],
          ...['-metadata', 'title=Night Drive', '-metadata', 'artist=Ada Wave'],
          ...['-metadata', 'genre=Synthwave', '-metadata', 'date=2021-05-03', tagged],
        ]);
      })(),
    ]);
    node = started;
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = watchPageErrors(page);
  });

  after(async () => {
    await browser?.close();
    if (node) await stopGroup(node);
    await rm(dir, { recursive: true, force: true });
  });

  const uploads: string[] = [];
  const watchUploads = (p: Page) =>
    p.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/v1/tracks')
        uploads.push(request.url());
    });

  it('asks a signed-out visitor to sign in, then an artist signs in with a dev wallet', async () => {
    watchUploads(page);
    await page.goto(`${base}/upload`);
    await page.getByText('Sign in to upload').waitFor();
    await page.getByRole('banner').getByRole('button', { name: 'Sign in with a dev wallet' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'Upload a track' }).waitFor();
    artist = (
      await page.getByRole('textbox', { name: 'Recipient 1', exact: true }).inputValue()
    ).toLowerCase();
    assert.match(artist, /^0x[0-9a-f]{40}$/);
    assert.equal(await page.getByLabel('Share (%)').first().inputValue(), '100');
  });

  it('refuses a text file named .mp3 before uploading it', async () => {
    await writeFile(join(dir, 'notes.mp3'), 'These are my lyrics, not audio.\n');
    await page.getByLabel('Audio file').setInputFiles(join(dir, 'notes.mp3'));
    await page.getByText('notes.mp3 is not an audio file Fairstream can read').waitFor();
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Nothing was uploaded' }).waitFor();
    assert.equal(uploads.length, 0);
  });

  it('shows the node’s own message for a file that only looks like audio', async () => {
    const fake = Buffer.concat([
      Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00', 'latin1'),
      Buffer.alloc(4096, 0x41),
    ]);
    await writeFile(join(dir, 'broken.mp3'), fake);
    await page.getByLabel('Audio file').setInputFiles(join(dir, 'broken.mp3'));
    await page.getByLabel('Title').fill('Broken');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The node refused the upload' });
    await alert.waitFor({ timeout: 30_000 });
    assert.match((await alert.textContent()) ?? '', /audio|decod|probe/i);
    assert.equal(uploads.length, 1);
    await page.getByLabel('Title').fill('');
  });

  it('drops a tagged file: the form fills in from its tags, cover included', async () => {
    const bytes = (await readFile(tagged)).toString('base64');
    const transfer = await page.evaluateHandle((data) => {
      const binary = atob(data);
      const array = Uint8Array.from(binary, (c) => c.charCodeAt(0));
      // Runs in the page, where DataTransfer exists (the test's own types know no DOM).
      const dt = new (
        globalThis as unknown as { DataTransfer: new () => { items: { add(file: File): void } } }
      ).DataTransfer();
      dt.items.add(new File([array], 'night-drive.mp3', { type: 'audio/mpeg' }));
      return dt;
    }, bytes);
    const zone = page.locator('.drop-zone').filter({ has: page.getByLabel('Audio file') });
    await zone.dispatchEvent('dragover', { dataTransfer: transfer });
    await zone.dispatchEvent('drop', { dataTransfer: transfer });
    await page.getByText('Filled in from the file’s tags').waitFor();
    assert.equal(await page.getByLabel('Title').inputValue(), 'Night Drive');
    assert.equal(await page.getByLabel('Artist name').inputValue(), 'Ada Wave');
    assert.equal(await page.getByLabel('Genre').inputValue(), 'Synthwave');
    assert.match(await page.getByLabel('Release date').inputValue(), /^2021-/);
    await page.getByRole('img', { name: 'Cover art preview' }).waitFor();
    await page.getByText('Using the picture in the file’s tags').waitFor();
  });

  it('blocks a split that adds up to 90% with the exact shortfall, and uploads nothing', async () => {
    await page.getByLabel('Share (%)').first().fill('50');
    for (const [i, address] of collaborators.entries()) {
      await page.getByRole('button', { name: 'Add collaborator' }).click();
      await page.getByRole('textbox', { name: `Recipient ${i + 2}`, exact: true }).fill(address);
      await page
        .getByLabel('Share (%)')
        .nth(i + 1)
        .fill(i === 0 ? '25' : '15');
    }
    const total = page.getByText(/^Total: 90%/);
    await total.waitFor();
    assert.match((await total.textContent()) ?? '', /10% is not assigned yet/);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Nothing was uploaded' });
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /The shares add up to 90%: 10% is not assigned yet/);
    assert.equal(uploads.length, 1, 'the refused split sent nothing');
  });

  it('refuses the same collaborator twice, and a handle nobody has', async () => {
    await page.getByRole('button', { name: 'Add collaborator' }).click();
    const fourth = page.getByRole('textbox', { name: 'Recipient 4', exact: true });
    await fourth.fill(collaborators[0]!.toLowerCase());
    await page.getByText(/Already in the split/).waitFor();
    await fourth.fill('@nobody_here');
    await page.getByText('No account has the handle “nobody_here”').waitFor();
    await page.getByRole('button', { name: 'Remove recipient 4' }).click();
  });

  it('says so when the node cannot be reached, and keeps the form', async () => {
    await page.getByLabel('Share (%)').first().fill('60');
    await page.route('**/api/v1/tracks', (route) => route.abort('connectionrefused'));
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'The node could not be reached' }).waitFor();
    await page.unroute('**/api/v1/tracks');
    assert.equal(await page.getByLabel('Title').inputValue(), 'Night Drive');
    assert.equal(uploads.length, 2);
  });

  it('uploads with a 60/25/15 split, shows each step, and opens the ready track', async () => {
    await page.getByText(/^Total: 100% ✓/).waitFor();
    // The preview divides a subscriber's 5 tUSD less the 10% fee exactly: 2.7, 1.125 and 0.675.
    const preview = page.getByRole('table').first();
    await preview.getByText('2.7 tUSD').waitFor();
    await preview.getByText('1.125 tUSD').waitFor();
    await preview.getByText('0.675 tUSD').waitFor();

    // A slow uplink, so the upload's own progress can be seen before processing starts.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 100 * 1024,
    });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByRole('heading', { name: 'Uploading “Night Drive”' }).waitFor();
    await page.getByRole('progressbar', { name: 'Sending the files' }).waitFor();
    await page.getByText(/^\d+% · .* of .*/).waitFor();
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await page.getByRole('list', { name: 'Processing steps' }).waitFor({ timeout: 30_000 });
    const steps = page.getByRole('list', { name: 'Processing steps' }).getByRole('listitem');
    assert.equal(await steps.count(), 7);
    for (const name of [
      'Checking the audio',
      'Encoding Opus and AAC',
      'Measuring loudness',
      'Registering on the ledger',
      'Publishing',
    ]) {
      await steps.filter({ hasText: name }).waitFor();
    }
    await page.getByRole('heading', { name: '“Night Drive” is ready' }).waitFor({ timeout: 90_000 });
    assert.equal(await steps.filter({ hasText: /done|skipped/ }).count(), 7);
    await page.getByRole('link', { name: 'Open the track page' }).click();
    await page.waitForURL(/\/t\/[A-Za-z0-9_-]+$/);
    const id = new URL(page.url()).pathname.split('/').pop()!;

    const track = (await (await page.request.get(`${base}/api/v1/tracks/${id}`)).json()) as {
      title: string;
      artistName: string;
      genre: string;
      state: string;
      cover: unknown[];
      splits: { address: string; percent: string }[];
    };
    assert.equal(track.state, 'ready');
    assert.equal(track.artistName, 'Ada Wave');
    assert.ok(track.cover.length > 0, 'the cover came from the file’s tags');
    const shares = Object.fromEntries(track.splits.map((split) => [split.address, split.percent]));
    assert.deepEqual(shares, {
      [artist]: '60',
      [collaborators[0]!.toLowerCase()]: '25',
      [collaborators[1]!.toLowerCase()]: '15',
    });
  });

  it('leaves no half-made track behind', async () => {
    const list = (await (await page.request.get(`${base}/api/v1/tracks?owner=${artist}`)).json()) as {
      tracks: { title: string; state: string }[];
    };
    assert.deepEqual(
      list.tracks.map((track) => [track.title, track.state]),
      [['Night Drive', 'ready']],
    );
    assert.deepEqual(errors, []);
  });

  it('fits a phone’s width', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto(`${base}/upload`);
    await page.getByRole('heading', { name: 'Upload a track' }).waitFor();
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  });
});
