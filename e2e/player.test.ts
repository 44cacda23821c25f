import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFairstreamClient, signIn } from '@fairstream/sdk';
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

interface TrackView {
  id: string;
  title: string;
  countedPlays: number;
  durationMs: number;
  loudness: { gainDb: number } | null;
}

interface SentReport {
  id: string;
  playId: string;
  trackId: string;
  segments: [number, number][];
  startedAt: number;
  endedAt: number;
  source: string;
}

/** Every playback report the page sends and what the node answered for each. */
function watchReports(page: Page) {
  const sent = new Map<string, SentReport>();
  const answers = new Map<string, { status: string; reason?: string }>();
  page.on('request', (request) => {
    if (!request.url().includes('/api/v1/plays') || request.method() !== 'POST') return;
    const body = JSON.parse(request.postData() ?? '{}') as { reports?: SentReport[] };
    for (const report of body.reports ?? []) sent.set(report.id, report);
  });
  page.on('response', async (response) => {
    if (!response.url().includes('/api/v1/plays') || response.request().method() !== 'POST') return;
    const body = (await response.json().catch(() => ({}))) as {
      results?: { id: string; status: string; reason?: string }[];
    };
    for (const result of body.results ?? []) answers.set(result.id, result);
  });
  return { sent, answers };
}

/** The page's audio element: where it streams from and how far it has played. */
function audioState(page: Page): Promise<{ src: string; time: number; paused: boolean }> {
  // A string: this file is compiled without the DOM's types.
  return page.evaluate(`(() => {
    const audio = document.querySelector('audio');
    return { src: audio?.src ?? '', time: audio?.currentTime ?? 0, paused: audio?.paused ?? true };
  })()`);
}

/** Ids of the playback reports the page keeps until the node acknowledges them. */
function keptReportIds(page: Page): Promise<string[]> {
  return page.evaluate(`Object.keys(localStorage)
    .filter((key) => key.startsWith('fairstream.play-report.'))
    .map((key) => key.slice('fairstream.play-report.'.length))`);
}

async function waitFor<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  let last = await read();
  while (!ok(last)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}

describe('the player', () => {
  let node: ChildProcess;
  let browser: Browser;
  let base: string;
  let dataDir: string;
  const tracks: Record<'first' | 'second' | 'gated' | 'doomed', TrackView> = {} as never;
  const artistKey = generatePrivateKey();

  const getTrack = async (id: string) =>
    (await (await fetch(`${base}/api/v1/tracks/${id}`)).json()) as TrackView;

  async function signedInPage(): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto(base);
    await page.getByRole('button', { name: 'Sign in with a dev wallet' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 30_000 });
    return { page, errors };
  }

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fairstream-e2e-player-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    node = await startNodeProcess({
      dataDir,
      port,
      flags: ['--workers', '1', '--epoch-seconds', '10'],
    });
    browser = await launchBrowser();
    const chain = (await (await fetch(`${base}/api/v1/chain`)).json()) as {
      contracts: Record<string, string>;
    };
    // The artist is not the listener: an artist's own plays never count.
    const artist = ['--api', base, '--key', artistKey, '--json'];
    const upload = async (seconds: number, frequency: number, title: string, extra: string[] = []) => {
      const file = await toneFile(join(dataDir, `${title}.wav`), seconds, frequency);
      const result = await runCli([
        ...artist,
        'upload',
        file,
        '--title',
        title,
        '--artist',
        'E2E Artist',
        '--wait',
        ...extra,
      ]);
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as TrackView;
    };
    // New releases lists the newest first: First Tone, Second Tone, Gated Tone, Doomed Tone.
    tracks.doomed = await upload(3, 660, 'Doomed Tone');
    tracks.gated = await upload(40, 523, 'Gated Tone', [
      '--gate',
      `${chain.contracts.FairToken}:1000000000000000000000000000`,
    ]);
    tracks.second = await upload(20, 440, 'Second Tone');
    tracks.first = await upload(6, 330, 'First Tone');
  });

  after(async () => {
    await browser?.close();
    if (node) await stopGroup(node);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('plays from New releases at once, seeks and walks the queue by keyboard, and a full listen counts', async () => {
    const { page, errors } = await signedInPage();
    const reports = watchReports(page);
    const bar = page.getByRole('region', { name: 'Player' });
    const releases = page.getByRole('list', { name: 'New releases' });

    const pressed = Date.now();
    await releases.getByRole('button', { name: 'Play First Tone' }).click();
    await waitFor(
      'first audio',
      () => audioState(page),
      (audio) => audio.time > 0,
      5_000,
    );
    const firstAudioMs = Date.now() - pressed;
    assert.ok(firstAudioMs < 1000, `first audio took ${firstAudioMs} ms`);
    await bar.getByRole('link', { name: 'First Tone' }).waitFor();
    assert.match(
      (await audioState(page)).src,
      new RegExp(`/tracks/${tracks.first.id}/stream\\?format=opus$`),
    );

    // Shift+N: the next track of the queue (the list it was played from).
    await page.keyboard.press('Shift+N');
    await bar.getByRole('link', { name: 'Second Tone' }).waitFor();
    await waitFor(
      'the second track to play',
      () => audioState(page),
      (a) => a.src.includes(tracks.second.id) && a.time > 0.2,
    );
    // → twice: 10 s on; ← : 5 s back; J: 10 s back (to the start).
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const forward = await waitFor(
      'a seek forward',
      () => audioState(page),
      (a) => a.time >= 9.5,
    );
    assert.ok(forward.time < 13, `at ${forward.time} s after seeking 10 s forward`);
    await page.keyboard.press('ArrowLeft');
    const back = await audioState(page);
    assert.ok(back.time >= 4.5 && back.time < 8, `at ${back.time} s after seeking 5 s back`);
    await waitFor(
      'the seek slider to follow',
      () => bar.getByRole('slider', { name: 'Seek' }).getAttribute('aria-valuetext'),
      (text) => /^0:0[5-7] of 0:20$/.test(text ?? ''),
    );
    // Shift+P: past 3 s it goes back to the start of the track, within 3 s to the previous track.
    await page.keyboard.press('Shift+P');
    await waitFor(
      'a restart',
      () => audioState(page),
      (a) => a.src.includes(tracks.second.id) && a.time < 2,
    );
    await page.keyboard.press('Shift+P');
    await bar.getByRole('link', { name: 'First Tone' }).waitFor();

    // The whole of First Tone (6 s) from the top: a new play, heard to its end.
    await waitFor(
      'First Tone to play from the top',
      () => audioState(page),
      (a) => a.src.includes(tracks.first.id) && a.time > 0,
    );
    await waitFor(
      'First Tone to end and Second Tone to follow',
      () => audioState(page),
      (a) => a.src.includes(tracks.second.id),
      10_000,
    );
    await bar.getByRole('button', { name: 'Pause', exact: true }).click();

    const fullPlay = await waitFor(
      'the report of the full listen to be accepted',
      async () =>
        [...reports.sent.values()].find(
          (r) =>
            r.trackId === tracks.first.id &&
            r.segments.some(([, end]) => end >= tracks.first.durationMs - 300) &&
            reports.answers.get(r.id)?.status === 'accepted',
        ),
      (found) => found !== undefined,
    );
    assert.equal(fullPlay!.source, 'web');
    const ofThatPlay = [...reports.sent.values()].filter((r) => r.playId === fullPlay!.playId);
    const heard = ofThatPlay.flatMap((r) => r.segments).reduce((sum, [start, end]) => sum + end - start, 0);
    assert.ok(heard >= tracks.first.durationMs / 2, `heard ${heard} ms of ${tracks.first.durationMs}`);
    for (const [id, answer] of reports.answers)
      assert.notEqual(answer.status, 'rejected', `report ${id}: ${answer.reason}`);

    // After an epoch (10 s) the node settles it: one counted play, the short first start not counted.
    const settled = await waitFor(
      'the play to be counted',
      () => getTrack(tracks.first.id),
      (track) => track.countedPlays >= 1,
      60_000,
    );
    assert.equal(settled.countedPlays, 1);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('normalizes loudness from the stored gain, with volume and mute on top, and lists the shortcuts', async () => {
    const { page, errors } = await signedInPage();
    // Observes (does not change) the gain the player sets on its Web Audio GainNode.
    await page.addInitScript({
      content: `
        window.gains = [];
        const original = AudioParam.prototype.setTargetAtTime;
        AudioParam.prototype.setTargetAtTime = function (value, time, constant) {
          window.gains.push(value);
          return original.call(this, value, time, constant);
        };`,
    });
    await page.reload();
    const lastGain = () => page.evaluate<number | undefined>('window.gains.at(-1)');
    const bar = page.getByRole('region', { name: 'Player' });
    await page
      .getByRole('list', { name: 'New releases' })
      .getByRole('button', { name: 'Play Second Tone' })
      .click();
    await waitFor(
      'audio',
      () => audioState(page),
      (a) => a.time > 0,
    );

    // The system's media controls show the track and that it plays.
    assert.deepEqual(
      await page.evaluate(
        '({ title: navigator.mediaSession.metadata?.title, artist: navigator.mediaSession.metadata?.artist, state: navigator.mediaSession.playbackState })',
      ),
      { title: 'Second Tone', artist: 'E2E Artist', state: 'playing' },
    );

    const gainDb = tracks.second.loudness!.gainDb;
    assert.ok(Math.abs(gainDb) > 1, `a tone far from -14 LUFS (gain ${gainDb} dB)`);
    const normalize = bar.getByRole('switch', { name: 'Normalize loudness' });
    assert.equal(await normalize.isChecked(), true, 'on by default');
    assert.ok(Math.abs((await lastGain())! - 10 ** (gainDb / 20)) < 1e-6);

    await normalize.uncheck();
    assert.equal(await lastGain(), 1);
    await page.keyboard.press('ArrowDown'); // volume 90%: gain 0.81 (the slider's curve is squared)
    assert.ok(Math.abs((await lastGain())! - 0.81) < 1e-6);
    assert.equal(await bar.getByRole('slider', { name: 'Volume' }).getAttribute('aria-valuetext'), '90%');
    await page.keyboard.press('m');
    assert.equal(await lastGain(), 0);
    await bar.getByRole('button', { name: 'Unmute' }).click();
    assert.ok(Math.abs((await lastGain())! - 0.81) < 1e-6);

    // Kept across visits.
    await page.reload();
    await page.getByRole('heading', { name: 'New releases' }).waitFor();
    await page
      .getByRole('list', { name: 'New releases' })
      .getByRole('button', { name: 'Play Second Tone' })
      .click();
    assert.equal(await bar.getByRole('switch', { name: 'Normalize loudness' }).isChecked(), false);
    assert.equal(await bar.getByRole('slider', { name: 'Volume' }).getAttribute('aria-valuetext'), '90%');

    // "?" lists the shortcuts; typing in the search box is not a shortcut.
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', /Shift \+ N/);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('searchbox', { name: 'Search tracks and artists' }).click();
    await page.keyboard.type('k m');
    assert.equal((await audioState(page)).paused, false, 'typing "k" in a field does not pause');
    await bar.getByRole('button', { name: 'Pause', exact: true }).click();

    // The queue: jump to a track, take one out.
    await page.goto(base);
    await page
      .getByRole('list', { name: 'New releases' })
      .getByRole('button', { name: 'Play First Tone' })
      .click();
    await bar.getByRole('button', { name: 'Queue' }).click();
    const queue = page.getByRole('region', { name: 'Queue' });
    await queue.getByRole('button', { name: 'Remove Second Tone from the queue' }).click();
    await queue
      .getByRole('button', { name: /Gated Tone/ })
      .first()
      .click();
    await bar.getByRole('link', { name: 'Gated Tone' }).waitFor();
    assert.equal(await queue.getByRole('listitem').count(), 3);
    await page.keyboard.press('Escape');
    await queue.waitFor({ state: 'hidden' });
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('plays the preview of a token-gated track to a listener without the token, says what is needed, and reports nothing', async () => {
    const { page, errors } = await signedInPage();
    const reports = watchReports(page);
    const bar = page.getByRole('region', { name: 'Player' });
    await page
      .getByRole('list', { name: 'New releases' })
      .getByRole('button', { name: 'Play Gated Tone' })
      .click();
    await waitFor(
      'the preview to play',
      () => audioState(page),
      (a) => a.src.endsWith(`/tracks/${tracks.gated.id}/stream?format=preview`) && a.time > 0.5,
      10_000,
    );
    await bar.getByText('Preview', { exact: true }).waitFor();
    await bar
      .getByRole('status')
      .filter({ hasText: /holders of at least 1,000,000,000 FAIR; your wallet holds less/ })
      .waitFor();
    await page.waitForTimeout(1500);
    await bar.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.waitForTimeout(500);
    assert.equal([...reports.sent.values()].filter((r) => r.trackId === tracks.gated.id).length, 0);
    assert.deepEqual(errors, []);
    await page.context().close();

    // Not signed in: the preview at once, and no reports at all (anonymous plays earn nothing).
    const anonymous = await browser.newContext({ viewport: { width: 375, height: 740 } });
    const phone = await anonymous.newPage();
    const phoneErrors = watchPageErrors(phone);
    const anonymousReports = watchReports(phone);
    await phone.goto(base);
    await phone
      .getByRole('list', { name: 'New releases' })
      .getByRole('button', { name: 'Play Gated Tone' })
      .click();
    await waitFor(
      'the preview',
      () => audioState(phone),
      (a) => a.src.includes('format=preview') && a.time > 0,
    );
    await phone
      .getByRole('region', { name: 'Player' })
      .getByRole('status')
      .filter({ hasText: /sign in with a wallet that holds them/ })
      .waitFor();
    await phone
      .getByRole('list', { name: 'New releases' })
      .getByRole('button', { name: 'Play First Tone' })
      .click();
    await waitFor(
      'First Tone to play',
      () => audioState(phone),
      (a) => a.src.includes(tracks.first.id) && a.time > 2,
    );
    await phone.keyboard.press('k');
    await phone.waitForTimeout(300);
    assert.equal(anonymousReports.sent.size, 0);
    assert.deepEqual(phoneErrors, []);
    await anonymous.close();
  });

  it('keeps reports the node did not take and sends them with the same ids on the next visit', async () => {
    const { page, errors } = await signedInPage();
    const reports = watchReports(page);
    const bar = page.getByRole('region', { name: 'Player' });
    await page.route('**/api/v1/plays**', (route) => route.abort('internetdisconnected'));
    await page
      .getByRole('list', { name: 'New releases' })
      .getByRole('button', { name: 'Play Second Tone' })
      .click();
    await waitFor(
      'listening',
      () => audioState(page),
      (a) => a.time > 2.5,
    );
    // Switching tracks closes the play's report; the node is unreachable, so it stays in the browser.
    await page.keyboard.press('Shift+P');
    await page.keyboard.press('Shift+P');
    await waitFor(
      'First Tone',
      () => audioState(page),
      (a) => a.src.includes(tracks.first.id),
    );
    await bar.getByRole('button', { name: 'Pause', exact: true }).click();
    const kept = await waitFor(
      'reports kept in the browser',
      () => keptReportIds(page),
      (ids) => ids.length >= 1,
    );
    assert.equal(reports.answers.size, 0);

    await page.unroute('**/api/v1/plays**');
    await page.reload();
    // Accepted now, or (when the closing page got them out with keepalive) a duplicate of what it stored.
    await waitFor(
      'the kept reports to be stored by the node',
      async () => kept.map((id) => reports.answers.get(id)?.status),
      (statuses) => statuses.every((status) => status === 'accepted' || status === 'duplicate'),
    );
    assert.deepEqual(await keptReportIds(page), []);
    assert.deepEqual(
      errors.filter((e) => !e.includes('ERR_INTERNET_DISCONNECTED')),
      [],
    );
    await page.context().close();
  });

  it("says why a track cannot be played, in the node's words, and goes on playing others", async () => {
    const { page, errors } = await signedInPage();
    const bar = page.getByRole('region', { name: 'Player' });
    await page
      .getByRole('list', { name: 'New releases' })
      .getByRole('button', { name: 'Play Doomed Tone' })
      .waitFor();
    // The artist deletes it while it is still listed on this page.
    const artist = privateKeyToAccount(artistKey);
    const { token } = await signIn(createFairstreamClient({ baseUrl: base }), artist);
    const client = createFairstreamClient({ baseUrl: base, token });
    const deleted = await client.DELETE('/api/v1/tracks/{id}', {
      params: { path: { id: tracks.doomed.id } },
    });
    assert.equal(deleted.response.status, 204);

    await page
      .getByRole('list', { name: 'New releases' })
      .getByRole('button', { name: 'Play Doomed Tone' })
      .click();
    await bar
      .getByRole('status')
      .filter({ hasText: /^This track could not be played: .*not found/i })
      .waitFor({ timeout: 10_000 });
    assert.equal(await bar.getByRole('button', { name: 'Play', exact: true }).isVisible(), true);

    await page
      .getByRole('list', { name: 'New releases' })
      .getByRole('button', { name: 'Play First Tone' })
      .click();
    await waitFor(
      'First Tone to play',
      () => audioState(page),
      (a) => a.src.includes(tracks.first.id) && a.time > 0.3,
    );
    assert.equal(await bar.getByText(/could not be played/).count(), 0);
    await bar.getByRole('button', { name: 'Pause', exact: true }).click();
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
