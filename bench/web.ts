/**
 * Web app benchmark: the size of what a first visit downloads, time to interactive, and the time
 * from pressing play to the first audio, in headless Chromium against a real node on localhost.
 *
 *   npm run bench:web   (BENCH_RUNS=10)
 *
 * Goals (from the issue): initial JavaScript under 200 KB gzipped; first audio within 1 s of
 * pressing play on localhost.
 *
 * - Initial JS and CSS: every script, module preload and stylesheet index.html names (what the
 *   browser fetches before the first page can render), gzipped at level 6 as a server would send it.
 *   Lazily loaded pages are listed apart.
 * - Time to interactive: from navigation start until the home page's first play button is on screen
 *   and the main thread has had no long task (> 50 ms) for 500 ms after it (the usual TTI idea,
 *   measured with PerformanceObserver). Cold: a fresh browser context (empty cache) each run.
 * - Click to first audio: from the click's event timestamp to the audio element's `playing` event
 *   (the browser has decoded audio and started output), for a track not played before in the tab.
 */

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../e2e/browser.ts';
import { findFfmpeg } from '../packages/node/src/media/binaries.ts';
import {
  generateMusic,
  median,
  REPO_ROOT,
  run,
  runBenchmark,
  signInFresh,
  startNode,
  table,
  tempDir,
  uploadAudio,
  verdict,
  waitUntilReady,
} from './lib.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const TRACKS = 3;
const GOAL_INITIAL_JS_KB = 200;
const GOAL_FIRST_AUDIO_MS = 1000;
const DIST = join(REPO_ROOT, 'web', 'dist');

const step = (message: string) => process.stderr.write(`• ${message}\n`);

interface Asset {
  file: string;
  bytes: number;
  gzip: number;
}

async function asset(file: string): Promise<Asset> {
  const bytes = await readFile(join(DIST, file));
  return { file, bytes: bytes.length, gzip: gzipSync(bytes, { level: 6 }).length };
}

/** What index.html makes the browser fetch before the app can render, and everything else. */
async function bundleSizes() {
  const index = await readFile(join(DIST, 'index.html'), 'utf8');
  const named = [...index.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const initial = await Promise.all([...new Set(named)].map(asset));
  const all = (await readdir(join(DIST, 'assets'))).filter((f) => /\.(js|css)$/.test(f));
  const lazy = await Promise.all(
    all
      .map((f) => `assets/${f}`)
      .filter((f) => !named.includes(f))
      .map(asset),
  );
  return { initial, lazy };
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

/** Installed before any page script: records long tasks, and when audio first plays. */
const PROBE = () => {
  const w = window as unknown as { __longTasks: number[]; __firstPlaying?: number };
  w.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) w.__longTasks.push(entry.startTime + entry.duration);
  }).observe({ type: 'longtask', buffered: true });
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
    this.addEventListener(
      'playing',
      () => {
        w.__firstPlaying ??= performance.now();
      },
      { once: true },
    );
    return play.call(this);
  };
};

async function timeToInteractive(page: Page, url: string): Promise<number> {
  await page.goto(url);
  const button = page.getByRole('button', { name: /^Play / }).first();
  await button.waitFor({ state: 'visible', timeout: 30_000 });
  const visibleAt = await page.evaluate(() => performance.now());
  // Quiet window: no long task ending in the 500 ms after the button showed.
  await page.waitForTimeout(500);
  const lastLongTask = await page.evaluate(() =>
    Math.max(0, ...(window as unknown as { __longTasks: number[] }).__longTasks),
  );
  return Math.max(visibleAt, lastLongTask);
}

async function clickToFirstAudio(page: Page, index: number): Promise<number> {
  const button = page.getByRole('button', { name: /^Play / }).nth(index);
  await button.evaluate((element) => {
    element.addEventListener(
      'click',
      (event) => {
        (window as unknown as { __clickAt: number }).__clickAt = event.timeStamp;
      },
      { once: true, capture: true },
    );
  });
  await page.evaluate(() => {
    (window as unknown as { __firstPlaying?: number }).__firstPlaying = undefined;
  });
  await button.click();
  await page.waitForFunction(() => (window as unknown as { __firstPlaying?: number }).__firstPlaying, null, {
    timeout: 10_000,
  });
  return page.evaluate(() => {
    const w = window as unknown as { __firstPlaying: number; __clickAt: number };
    return w.__firstPlaying - w.__clickAt;
  });
}

runBenchmark(async () => {
  step('building the web app (vite build)');
  await run(process.execPath, [join(REPO_ROOT, 'scripts/build-web.ts')]);
  const sizes = await bundleSizes();

  const work = await tempDir('fairstream-bench-web-');
  step('starting a Fairstream node');
  const node = await startNode(join(work, 'node-data'), join(work, 'node.log'));
  const token = await signInFresh(node.url);
  const bins = await findFfmpeg();
  for (let i = 1; i <= TRACKS; i++) {
    step(`uploading track ${i}/${TRACKS} (3 min of generated music)`);
    const file = join(work, `track-${i}.flac`);
    await generateMusic(bins.ffmpeg, file, { seconds: 180, seed: i, codec: 'flac' });
    const track = await uploadAudio(node.url, token, file, `Benchmark track ${i}`);
    await waitUntilReady(node, token, track.id);
  }

  // A brand-new node: its release list is what the home page shows first.
  const browser = await launchBrowser();
  const ttis: number[] = [];
  const firstAudio: number[] = [];
  try {
    for (let i = 1; i <= RUNS; i++) {
      step(`run ${i}/${RUNS}: cold load, then play`);
      const context = await browser.newContext();
      await context.addInitScript(PROBE);
      const page = await context.newPage();
      ttis.push(await timeToInteractive(page, `${node.url}/`));
      firstAudio.push(await clickToFirstAudio(page, (i - 1) % TRACKS));
      await context.close();
    }
  } finally {
    await browser.close();
  }

  const initialJs = sizes.initial.filter((a) => a.file.endsWith('.js'));
  const initialCss = sizes.initial.filter((a) => a.file.endsWith('.css'));
  const sum = (assets: Asset[], key: 'bytes' | 'gzip') => assets.reduce((total, a) => total + a[key], 0);
  const jsGzip = sum(initialJs, 'gzip');
  const p = (values: number[], q: number) =>
    [...values].sort((a, b) => a - b)[Math.ceil(q * values.length) - 1]!;

  console.log('\nFairstream web app (headless Chromium, localhost, this machine)\n');
  console.log(
    table(
      ['initial download', 'files', 'raw KB', 'gzip KB'],
      [
        ['JavaScript', initialJs.length, kb(sum(initialJs, 'bytes')), kb(jsGzip)],
        ['CSS', initialCss.length, kb(sum(initialCss, 'bytes')), kb(sum(initialCss, 'gzip'))],
        [
          'lazy pages and chunks (not in first load)',
          sizes.lazy.length,
          kb(sum(sizes.lazy, 'bytes')),
          kb(sum(sizes.lazy, 'gzip')),
        ],
      ],
    ),
  );
  console.log('');
  console.log(
    table(
      [`timing over ${RUNS} cold loads`, 'median ms', 'p90 ms', 'max ms'],
      [
        [
          'time to interactive (home page)',
          median(ttis).toFixed(0),
          p(ttis, 0.9).toFixed(0),
          Math.max(...ttis).toFixed(0),
        ],
        [
          'click to first audio',
          median(firstAudio).toFixed(0),
          p(firstAudio, 0.9).toFixed(0),
          Math.max(...firstAudio).toFixed(0),
        ],
      ],
    ),
  );
  console.log('');
  console.log(
    `initial JS ${kb(jsGzip)} KB gzipped (goal < ${GOAL_INITIAL_JS_KB} KB): ${verdict(jsGzip < GOAL_INITIAL_JS_KB * 1024)}`,
  );
  console.log(
    `first audio ${p(firstAudio, 0.9).toFixed(0)} ms at p90 (goal < ${GOAL_FIRST_AUDIO_MS} ms): ${verdict(p(firstAudio, 0.9) < GOAL_FIRST_AUDIO_MS)}`,
  );
  return 0;
});
