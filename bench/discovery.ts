/**
 * Discovery benchmark: search as you type, trending and track pages on SQLite, through the node's
 * own services and repositories (no HTTP), on a database seeded with synthetic tracks and counted
 * plays stored the way settlement stores them (saveVerdicts, with every aggregate).
 *
 *   npm run bench:discovery   (BENCH_TRACKS=100000, BENCH_PLAYS=1000000, BENCH_LISTENERS=100000,
 *                              BENCH_QUERIES=300)
 *
 * Goal (from the issue): at 1,000,000 tracks, 100,000 accounts and 10,000,000 counted plays,
 * search-as-you-type p99 < 20 ms and trending and track pages < 10 ms.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase } from '../packages/node/src/db/database.ts';
import { AuthRepository } from '../packages/node/src/repositories/auth.repository.ts';
import { DiscoveryRepository, HOUR_MS } from '../packages/node/src/repositories/discovery.repository.ts';
import { SearchRepository } from '../packages/node/src/repositories/search/search-index.ts';
import {
  type SettledPlayRow,
  SettlementRepository,
} from '../packages/node/src/repositories/settlement.repository.ts';
import { TracksRepository } from '../packages/node/src/repositories/tracks.repository.ts';
import { CursorCodec } from '../packages/node/src/services/cursor.ts';
import { SearchService } from '../packages/node/src/services/search.service.ts';

const TRACKS = Number(process.env.BENCH_TRACKS ?? 100_000);
const PLAYS = Number(process.env.BENCH_PLAYS ?? 1_000_000);
const LISTENERS = Number(process.env.BENCH_LISTENERS ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 300);
const PLAYS_PER_EPOCH = 20_000;

// Deterministic pseudo-random words: a Zipf-like vocabulary, as titles and names have.
let seed = 7;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const syllables =
  'ka lo mi ne ra to su vi da re an el or un is et be co fa gi ho ju ly pe wa ze th st ch sh'.split(' ');
const word = () => {
  let w = '';
  for (let i = 0, n = 2 + Math.floor(random() * 2); i < n; i++)
    w += syllables[Math.floor(random() * syllables.length)];
  return w;
};
const vocabulary = Array.from({ length: 40_000 }, word);
const zipf = <T>(items: T[]) =>
  items[Math.min(items.length - 1, Math.floor(Math.exp(random() * Math.log(items.length + 1))) - 1)]!;
const artists = Array.from({ length: Math.max(1000, TRACKS / 10) }, () => `${word()} ${word()}`);
const genres =
  'rock pop jazz ambient techno house hiphop classical folk metal synthwave lofi soul funk'.split(' ');

const dir = process.env.BENCH_DIR ?? (await mkdtemp(join(tmpdir(), 'fairstream-bench-discovery-')));
const db = openDatabase('sqlite', dir);
try {
  await migrateToLatest(db);
  // Seeding only: the node itself keeps synchronous = FULL.
  await sql`pragma synchronous = off`.execute(db);
  const owner = `0x${'ab'.repeat(20)}`;
  await new AuthRepository(db).ensureAccount(owner, 1);
  const tracks = new TracksRepository(db);
  const titles: string[] = [];
  let started = performance.now();
  for (let i = 0; i < TRACKS; i++) {
    const id = `t${i}`;
    const title = Array.from({ length: 1 + Math.floor(random() * 3) }, () => zipf(vocabulary)).join(' ');
    titles.push(title);
    await tracks.createWithJob({
      track: {
        id,
        owner,
        title,
        artist_name: artists[Math.floor(random() * artists.length)]!,
        genre: genres[Math.floor(random() * genres.length)]!,
        description: null,
        tags: JSON.stringify([zipf(vocabulary)]),
        release_date: null,
        visibility: random() < 0.03 ? 'hidden' : 'public',
        access_kind: 'free',
        gate_token: null,
        gate_min_balance: null,
        state: 'processing',
        failure_code: null,
        failure_message: null,
        duration_ms: 180_000,
        original_cid: `bafk${id}`,
        original_name: 'a.wav',
        original_mime: 'audio/wav',
        integrated_lufs: null,
        true_peak_dbtp: null,
        gain_db: null,
        chain_track_id: null,
        chain_tx: null,
        delisted_at: null,
        delist_reason: null,
        registration: 'node',
        comments_disabled_at: null,
        created_at: i,
        updated_at: i,
      },
      splits: [{ address: owner, ppm: 1_000_000 }],
      assets: [],
      stages: [{ stage: 'publish', state: 'pending', progress: 0 }],
      job: { id: `j${i}`, kind: 'none', payload: '{}' },
    });
    await tracks.markReady(id, 1_000_000 + i);
  }
  console.log(`seeded ${TRACKS} tracks in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  started = performance.now();
  const settlement = new SettlementRepository(db);
  const now = Date.now();
  for (let epoch = 0, done = 0; done < PLAYS; epoch++) {
    const rows: SettledPlayRow[] = [];
    for (let i = 0; i < PLAYS_PER_EPOCH && done < PLAYS; i++, done++) {
      const at = now - Math.floor(random() * 30 * 24) * HOUR_MS;
      rows.push({
        play_id: `p${done}`,
        listener: `0x${String(Math.floor(random() * LISTENERS)).padStart(40, '0')}`,
        // A few tracks get most plays: Zipf over the track number.
        track_id: `t${Math.min(TRACKS - 1, Math.floor(Math.exp(random() * Math.log(TRACKS + 1))) - 1)}`,
        epoch,
        verdict: 'counted',
        reason: null,
        heard_ms: 60_000,
        wall_ms: 60_000,
        day: new Date(at).toISOString().slice(0, 10),
        first_started_at: at,
        source: 'web',
      });
    }
    await settlement.openEpoch(epoch, 0, 1, 0);
    await settlement.saveVerdicts(epoch, rows, now);
  }
  console.log(`settled ${PLAYS} counted plays in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await sql`pragma synchronous = full`.execute(db);
  await sql`analyze`.execute(db);

  const search = new SearchService(new SearchRepository(db), tracks, new CursorCodec(randomBytes(32)));
  const discovery = new DiscoveryRepository(db);
  const time = async (fn: () => Promise<unknown>) => {
    const start = performance.now();
    await fn();
    return performance.now() - start;
  };
  const report = (label: string, samples: number[]) => {
    samples.sort((a, b) => a - b);
    const at = (q: number) =>
      samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(2);
    console.log(
      `${label.padEnd(28)} n=${samples.length}  p50 ${at(0.5)} ms  p99 ${at(0.99)} ms  max ${at(1)} ms`,
    );
  };

  // As you type: every prefix of a title, sometimes with a typo (two letters swapped).
  const typing: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    let text = titles[Math.floor(random() * titles.length)]!;
    if (random() < 0.2 && text.length > 5) text = `${text.slice(0, 2)}${text[3]}${text[2]}${text.slice(4)}`;
    for (let end = 1; end <= text.length; end++)
      typing.push(await time(() => search.search({ q: text.slice(0, end), type: 'tracks', limit: 20 }, {})));
  }
  report('search as you type', typing);

  const trending: number[] = [];
  for (let i = 0; i < 200; i++) {
    const genre = i % 2 === 0 ? undefined : genres[i % genres.length];
    trending.push(
      await time(async () => {
        const rows = await discovery.trending('week', genre, 20, Date.now());
        await tracks.findMany(rows.map((row) => row.trackId));
      }),
    );
  }
  report('trending (20 tracks)', trending);

  const pages: number[] = [];
  for (let i = 0; i < 1000; i++)
    pages.push(await time(() => tracks.findById(`t${Math.floor(random() * TRACKS)}`)));
  report('track page', pages);
} finally {
  await db.destroy();
  if (!process.env.BENCH_DIR) await rm(dir, { recursive: true, force: true });
}
