/**
 * Discovery benchmark: search as you type, trending and track pages on SQLite and on Postgres,
 * through the node's own services and repositories (no HTTP), on a database seeded with synthetic
 * tracks and counted plays stored the way settlement stores them (every aggregate, trending and
 * search's popularity order maintained per epoch).
 *
 *   npm run bench:discovery   (BENCH_TRACKS=100000, BENCH_PLAYS=1000000, BENCH_LISTENERS=100000,
 *                              BENCH_QUERIES=300)
 *   npm run bench:discovery -- --db sqlite|postgres|both [--postgres-url postgres://…]
 *
 * Postgres runs when FAIRSTREAM_BENCH_POSTGRES (or --postgres-url) names a server: a throwaway
 * database is created there, migrated, filled with the same rows as SQLite and dropped at the end.
 *
 * Goal (from the issue): at 1,000,000 tracks, 100,000 accounts and 10,000,000 counted plays,
 * search-as-you-type p99 < 20 ms and trending and track pages < 10 ms, on SQLite.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { AuthRepository } from '../packages/node/src/repositories/auth.repository.ts';
import {
  applyEpochCountedPlays,
  DiscoveryRepository,
  HOUR_MS,
  refreshTrending,
} from '../packages/node/src/repositories/discovery.repository.ts';
import { tsvectorLiteral } from '../packages/node/src/repositories/search/postgres-search-index.ts';
import { SearchRepository, searchIndexFor } from '../packages/node/src/repositories/search/search-index.ts';
import {
  type SearchDocument,
  searchDocument,
  vocabularyOf,
} from '../packages/node/src/repositories/search/text.ts';
import { tierOf } from '../packages/node/src/repositories/search/tier.ts';
import { SettlementRepository } from '../packages/node/src/repositories/settlement.repository.ts';
import { releaseAt, TracksRepository } from '../packages/node/src/repositories/tracks.repository.ts';
import { CursorCodec } from '../packages/node/src/services/cursor.ts';
import { SearchService } from '../packages/node/src/services/search.service.ts';
import { prng } from '../packages/protocol/src/testing/prng.ts';
import {
  type BenchDatabase,
  chooseDatabases,
  type DatabaseKind,
  type Figure,
  figureOf,
  figuresTable,
  openBenchDatabase,
  Progress,
  rowsOf,
  yieldToEventLoop,
} from './databases.ts';
import { runBenchmark } from './lib.ts';

const TRACKS = Number(process.env.BENCH_TRACKS ?? 100_000);
const PLAYS = Number(process.env.BENCH_PLAYS ?? 1_000_000);
const LISTENERS = Number(process.env.BENCH_LISTENERS ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 300);
/** SQLite: a folder to keep the filled database in and reuse on the next run (Postgres: BENCH_POSTGRES_DB). */
const SQLITE_DIR = process.env.BENCH_DIR;
const SEED = Number(process.env.BENCH_SEED ?? 7);
const PLAYS_PER_EPOCH = 20_000;
const SEARCH_GOAL_MS = 20;
const PAGE_GOAL_MS = 10;
const OWNER = `0x${'ab'.repeat(20)}`;
const TRACK_COLUMNS = (
  'id owner title artist_name genre tags visibility access_kind state duration_ms original_cid ' +
  'original_name original_mime registration ready_at release_at created_at updated_at'
).split(' ');
const genres =
  'rock pop jazz ambient techno house hiphop classical folk metal synthwave lofi soul funk'.split(' ');

const choice = chooseDatabases('npm run bench:discovery');

runBenchmark(async () => {
  const figures: Figure[] = [];
  for (const kind of choice.kinds) figures.push(...(await benchmark(kind)));
  process.stdout.write(
    `\n${TRACKS.toLocaleString('en')} tracks, ${PLAYS.toLocaleString('en')} counted plays, ` +
      `${LISTENERS.toLocaleString('en')} listeners\n${figuresTable(figures)}\n\n`,
  );
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'discovery',
      tracks: TRACKS,
      plays: PLAYS,
      listeners: LISTENERS,
      results: figures.map((f) => ({ ...f, met: f.p99 < f.goalMs })),
    })}\n`,
  );
  return 0;
});

/**
 * The synthetic catalog's source: deterministic pseudo-random words, a Zipf-like vocabulary as
 * titles and names have. A fresh one per database, so each gets the same rows and the same queries.
 * (mulberry32: an LCG computed in doubles loses its low bits and repeats after about 10,000 draws,
 * which once made a million tracks out of a few thousand titles.)
 */
function catalog() {
  const random = prng(SEED).next;
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
  return { random, vocabulary, zipf, artists };
}

async function benchmark(kind: DatabaseKind): Promise<Figure[]> {
  process.stderr.write(`\n${kind}: seeding ${TRACKS} tracks and ${PLAYS} counted plays\n`);
  const target = await openBenchDatabase(kind, {
    benchmark: 'discovery',
    postgresUrl: choice.postgresUrl,
    sqliteDir: SQLITE_DIR,
  });
  try {
    const { db } = target;
    const started = performance.now();
    const { random, vocabulary, zipf, artists } = catalog();
    // Seeding only: the node itself keeps synchronous = FULL.
    if (kind === 'sqlite') await sql`pragma synchronous = off`.execute(db);
    // A kept, filled database: the same rows are drawn (for what comes after them) but not written.
    const tracks = await seedTracks(target, random, (items) => zipf(items), vocabulary, artists);
    await seedPlays(target, random);
    if (!target.filled) {
      await indexForSearch(target, tracks.documentOf);
      if (kind === 'sqlite') await sql`analyze`.execute(db);
    }
    if (kind === 'sqlite') await sql`pragma synchronous = full`.execute(db);
    await target.settle();
    process.stderr.write(`${kind}: seeded in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
    return await measure(kind, target, random, tracks.titles);
  } finally {
    await target.close();
  }
}

/**
 * Tracks as an upload leaves them once ready (`createWithJob` then `markReady`): the row, its
 * split and its publish stage. Answers the titles, which the searches type, and each track's search
 * document.
 */
async function seedTracks(
  target: BenchDatabase,
  random: () => number,
  zipf: (items: string[]) => string,
  vocabulary: string[],
  artists: string[],
): Promise<{ titles: string[]; documentOf: (i: number) => SearchDocument }> {
  if (!target.filled) await new AuthRepository(target.db).ensureAccount(OWNER, 1);
  const titles: string[] = [];
  const artistOf = new Int32Array(TRACKS);
  const genreOf = new Uint8Array(TRACKS);
  const tagOf: string[] = [];
  const hidden = new Uint8Array(TRACKS);
  for (let i = 0; i < TRACKS; i++) {
    titles.push(Array.from({ length: 1 + Math.floor(random() * 3) }, () => zipf(vocabulary)).join(' '));
    artistOf[i] = Math.floor(random() * artists.length);
    genreOf[i] = Math.floor(random() * genres.length);
    tagOf.push(zipf(vocabulary));
    hidden[i] = random() < 0.03 ? 1 : 0;
  }
  const readyAt = (i: number) => 1_000_000 + i;
  const track = (i: number) => ({
    title: titles[i]!,
    artist_name: artists[artistOf[i]!]!,
    genre: genres[genreOf[i]!]!,
    tags: JSON.stringify([tagOf[i]]),
  });
  await target.load(
    'tracks',
    TRACK_COLUMNS,
    rowsOf(TRACKS, (i) => {
      const { title, artist_name, genre, tags } = track(i);
      return [
        `t${i}`,
        OWNER,
        title,
        artist_name,
        genre,
        tags,
        hidden[i] ? 'hidden' : 'public',
        'free',
        'ready',
        180_000,
        `bafkt${i}`,
        'a.wav',
        'audio/wav',
        'node',
        readyAt(i),
        releaseAt(null, readyAt(i)),
        i,
        readyAt(i),
      ];
    }),
    { total: TRACKS },
  );
  await target.load(
    'track_splits',
    ['track_id', 'address', 'ppm'],
    rowsOf(TRACKS, (i) => [`t${i}`, OWNER, 1_000_000]),
    { total: TRACKS },
  );
  await target.load(
    'track_stages',
    ['track_id', 'stage', 'state', 'progress', 'updated_at'],
    rowsOf(TRACKS, (i) => [`t${i}`, 'publish', 'done', 1, readyAt(i)]),
    { total: TRACKS },
  );
  return { titles, documentOf: (i) => searchDocument(track(i)) };
}

const PLAY_COLUMNS =
  'play_id listener track_id epoch verdict reason heard_ms wall_ms day first_started_at source'.split(' ');

/**
 * Counted plays over the last 30 days, tracks by Zipf popularity, in epochs of PLAYS_PER_EPOCH,
 * brought to the state settling them leaves (`SettlementRepository.saveVerdicts`, one epoch after
 * the other): the verdict rows, bulk-loaded; per epoch, the counted-play aggregates
 * (`applyEpochCountedPlays`) and the epoch moved past judging; then trending, built once from the
 * hourly counts by `refreshTrending` as at a node's first settlement after the migration. Settling
 * epoch by epoch ends with the same rows, but at this size takes hours: each epoch re-scores and
 * re-keys (SQLite's search order) every track it played.
 */
async function seedPlays(target: BenchDatabase, random: () => number): Promise<void> {
  const now = Date.now();
  await target.load(
    'plays',
    PLAY_COLUMNS,
    rowsOf(PLAYS, (n) => {
      const at = now - Math.floor(random() * 30 * 24) * HOUR_MS;
      return [
        `p${n}`,
        `0x${String(Math.floor(random() * LISTENERS)).padStart(40, '0')}`,
        // A few tracks get most plays: Zipf over the track number.
        `t${Math.min(TRACKS - 1, Math.floor(Math.exp(random() * Math.log(TRACKS + 1))) - 1)}`,
        Math.floor(n / PLAYS_PER_EPOCH),
        'counted',
        null,
        60_000,
        60_000,
        new Date(at).toISOString().slice(0, 10),
        at,
        'web',
      ];
    }),
    { total: PLAYS },
  );
  if (target.filled) return;
  const settlement = new SettlementRepository(target.db);
  const epochs = Math.ceil(PLAYS / PLAYS_PER_EPOCH);
  const progress = new Progress('epochs aggregated', epochs);
  for (let epoch = 0; epoch < epochs; epoch++) {
    await settlement.openEpoch(epoch, 0, 1, 0);
    await target.db.transaction().execute((trx) => applyEpochCountedPlays(trx, epoch, 1));
    await settlement.advance(epoch, 'release', {}, now);
    progress.add(1);
    await yieldToEventLoop();
  }
  progress.done();
  const started = performance.now();
  await target.db.transaction().execute((trx) => refreshTrending(trx, [], now));
  process.stderr.write(`  trending: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

/**
 * Search documents in upload order, after the plays: what indexing at upload and re-keying at
 * every settlement leaves. SQLite: the index's own `put` (a document's key carries its popularity
 * tier, read from the counted plays, and its upload order). Postgres: what its `put` writes (the
 * tsvector, the tier and the vocabulary), by COPY.
 */
async function indexForSearch(target: BenchDatabase, documentOf: (i: number) => SearchDocument) {
  if (target.kind === 'sqlite') {
    const index = searchIndexFor(target.db);
    const progress = new Progress('search index', TRACKS);
    for (let start = 0; start < TRACKS; start += 10_000) {
      const end = Math.min(TRACKS, start + 10_000);
      await target.db.transaction().execute(async (trx) => {
        for (let i = start; i < end; i++) await index.put(trx, `t${i}`, documentOf(i));
      });
      progress.add(end - start);
      await yieldToEventLoop();
    }
    progress.done();
    return;
  }
  // The tier from the counted plays, as `put` reads it; seq (upload order) is the identity column's
  // next value, row by row.
  const plays = await sql<{ track_id: string; counted: string }>`
    select track_id, counted from track_play_counts`.execute(target.db);
  const counted = new Map(plays.rows.map((row) => [row.track_id, Number(row.counted)]));
  const vocabulary = new Set<string>();
  await target.load(
    'track_search',
    ['track_id', 'document', 'tier'],
    rowsOf(TRACKS, (i) => {
      const document = documentOf(i);
      for (const term of vocabularyOf(document)) vocabulary.add(term);
      return [`t${i}`, tsvectorLiteral(document), tierOf(counted.get(`t${i}`) ?? 0)];
    }),
    { total: TRACKS },
  );
  await target.load(
    'search_terms',
    ['term'],
    [...vocabulary].map((term) => [term]),
    { total: vocabulary.size },
  );
}

async function measure(
  kind: DatabaseKind,
  target: BenchDatabase,
  random: () => number,
  titles: string[],
): Promise<Figure[]> {
  const tracks = new TracksRepository(target.db);
  const search = new SearchService(new SearchRepository(target.db), tracks, new CursorCodec(randomBytes(32)));
  const discovery = new DiscoveryRepository(target.db);
  const time = async (fn: () => Promise<unknown>) => {
    // SQLite answers synchronously: without a turn of the event loop, Ctrl-C would wait for the end.
    await yieldToEventLoop();
    const start = performance.now();
    await fn();
    return performance.now() - start;
  };
  process.stderr.write(`${kind}: measuring\n`);

  // As you type: every prefix of a title, sometimes with a typo (two letters swapped).
  const typing: number[] = [];
  const typed = new Progress('titles typed', QUERIES);
  for (let i = 0; i < QUERIES; i++) {
    let text = titles[Math.floor(random() * titles.length)]!;
    if (random() < 0.2 && text.length > 5) text = `${text.slice(0, 2)}${text[3]}${text[2]}${text.slice(4)}`;
    for (let end = 1; end <= text.length; end++)
      typing.push(await time(() => search.search({ q: text.slice(0, end), type: 'tracks', limit: 20 }, {})));
    typed.add(1);
  }
  typed.done();

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

  const pages: number[] = [];
  for (let i = 0; i < 1000; i++)
    pages.push(await time(() => tracks.findById(`t${Math.floor(random() * TRACKS)}`)));

  const figures = [
    figureOf('search as you type', kind, SEARCH_GOAL_MS, typing),
    figureOf('trending (20 tracks)', kind, PAGE_GOAL_MS, trending),
    figureOf('track page', kind, PAGE_GOAL_MS, pages),
  ];
  for (const f of figures)
    process.stderr.write(
      `  ${f.figure.padEnd(22)} n=${f.n}  p50 ${f.p50.toFixed(2)} ms  p99 ${f.p99.toFixed(2)} ms  max ${f.max.toFixed(2)} ms\n`,
    );
  return figures;
}
