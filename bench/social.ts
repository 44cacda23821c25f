/**
 * Social benchmark: profile pages and feeds on a big database (SQLite, and Postgres when a server
 * is given), through the node's HTTP stack.
 *
 *   npm run bench:social        (a few minutes, most of it filling the database)
 *   npm run bench:social -- --db sqlite|postgres|both [--postgres-url postgres://…]
 *
 * Goal: p99 under 10 ms on SQLite for GET /users/{address} (profile, counts, first pages of tracks
 * and reposts) and GET /me/feed (first page and the page after it), with 1,000,000 tracks from
 * 100,000 accounts.
 *
 * The data is generated deterministically (mulberry32, BENCH_SEED) straight into a migrated SQLite
 * file: BENCH_ARTISTS of the accounts own the tracks, prolific ones far more than others (owner rank
 * ∝ u²: the busiest artist has thousands of tracks); 3% of tracks are hidden, 1% delisted, 1% still
 * processing; every account follows 5–125 others, popular artists far more often (followee rank ∝
 * u³); BENCH_REPOSTS reposts of random tracks. Counters are filled as the node keeps them. Then a
 * real node opens the file (embedded chain, HTTP in-process via inject) and the requests are timed
 * one at a time, with a warm-up first; viewers and profiles are drawn at random, popular ones
 * included. Counted plays (BENCH_PLAYS, default 0) only add rows no profile or feed query reads.
 *
 * Postgres runs when FAIRSTREAM_BENCH_POSTGRES (or --postgres-url) names a server: a throwaway
 * database there gets the same rows (by COPY), then VACUUM ANALYZE as autovacuum would run after
 * such a load, and is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { createNode, resolveConfig } from '../packages/node/src/index.ts';
import { hashToken } from '../packages/node/src/services/auth.service.ts';
import { type Prng, prng } from '../packages/protocol/src/testing/prng.ts';
import {
  type BenchDatabase,
  chooseDatabases,
  type DatabaseKind,
  type Figure,
  figureOf,
  figuresTable,
  openBenchDatabase,
  rowsOf,
  yieldToEventLoop,
} from './databases.ts';
import { defer, runBenchmark } from './lib.ts';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 100_000);
const ARTISTS = Number(process.env.BENCH_ARTISTS ?? 20_000);
const TRACKS = Number(process.env.BENCH_TRACKS ?? 1_000_000);
const REPOSTS = Number(process.env.BENCH_REPOSTS ?? 1_000_000);
const PLAYS = Number(process.env.BENCH_PLAYS ?? 0);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const SEED = Number(process.env.BENCH_SEED ?? 20_251_126);
/** SQLite: a folder to keep the filled database in and reuse on the next run (Postgres: BENCH_POSTGRES_DB). */
const KEEP = process.env.BENCH_DATA;
const GOAL_P99_MS = 10;
const YEAR_MS = 365 * 24 * 3600 * 1000;

const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;
const choice = chooseDatabases('npm run bench:social');

runBenchmark(async () => {
  const figures: Figure[] = [];
  for (const kind of choice.kinds) figures.push(...(await benchmark(kind)));
  process.stdout.write(
    `\n${TRACKS.toLocaleString('en')} tracks, ${ACCOUNTS.toLocaleString('en')} accounts, ` +
      `${REPOSTS.toLocaleString('en')} reposts\n${figuresTable(figures)}\n\n`,
  );
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'social',
      tracks: TRACKS,
      accounts: ACCOUNTS,
      reposts: REPOSTS,
      plays: PLAYS,
      results: figures.map((f) => ({ ...f, met: f.p99 < f.goalMs })),
    })}\n`,
  );
  return 0;
});

async function benchmark(kind: DatabaseKind): Promise<Figure[]> {
  const random = prng(SEED);
  const now = Date.now();
  const target = await openBenchDatabase(kind, {
    benchmark: 'social',
    postgresUrl: choice.postgresUrl,
    sqliteDir: KEEP,
  });
  // A kept, filled database: the same rows are drawn (for the viewers drawn after them) but not written.
  if (!target.filled) process.stderr.write(`\n${kind}: filling the database\n`);
  await fillDatabase(target, random, now);
  await target.settle();

  // Sessions for the viewers the feed is measured for.
  const viewers = Array.from({ length: 200 }, () => Math.floor(random.next() * ACCOUNTS));
  const tokens = new Map<number, string>();
  const sessions = viewers.map((viewer) => {
    const token = randomBytes(24).toString('base64url');
    tokens.set(viewer, token);
    return {
      token_hash: hashToken(token),
      address: address(viewer),
      created_at: now,
      expires_at: now + YEAR_MS,
      revoked_at: null,
    };
  });
  await target.db
    .insertInto('sessions')
    .values(sessions)
    .onConflict((conflict) => conflict.doNothing())
    .execute();
  await target.close();

  const node = await createNode(
    resolveConfig({ data: target.dataDir, db: target.setting, logLevel: 'silent', rpcPort: '0' }),
  );
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await node.close();
  };
  defer(close);
  await node.settlement?.stop();
  await node.indexer?.stop();
  process.stderr.write(`${kind}: measuring\n`);

  const time = async (url: string, token?: string) => {
    // SQLite answers synchronously: without a turn of the event loop, Ctrl-C would wait for the end.
    await yieldToEventLoop();
    const start = performance.now();
    const response = await node.app.inject({
      method: 'GET',
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    const ms = performance.now() - start;
    if (response.statusCode !== 200)
      throw new Error(`${url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
    return { ms, body: response.json() };
  };
  const profileUrl = () => {
    // Half the pages are popular artists' (the ones with thousands of tracks and followers).
    const who = random.next() < 0.5 ? Math.floor(200 * random.next()) : Math.floor(ACCOUNTS * random.next());
    return `/api/v1/users/${random.next() < 0.5 ? address(who) : `user${who}`}`;
  };

  const measure = async (label: string, request: () => Promise<number>) => {
    for (let i = 0; i < 100; i++) await request();
    const samples: number[] = [];
    for (let i = 0; i < REQUESTS; i++) samples.push(await request());
    const figure = figureOf(label, kind, GOAL_P99_MS, samples);
    process.stderr.write(
      `  ${label.padEnd(30)} p50 ${figure.p50.toFixed(2)} ms  p99 ${figure.p99.toFixed(2)} ms  max ${figure.max.toFixed(2)} ms\n`,
    );
    return figure;
  };

  const figures = [
    await measure('GET /users/{handleOrAddress}', async () => {
      const viewer = viewers[Math.floor(random.next() * viewers.length)]!;
      return (await time(profileUrl(), random.next() < 0.5 ? tokens.get(viewer) : undefined)).ms;
    }),
    await measure('GET /me/feed (first page)', async () => {
      const viewer = viewers[Math.floor(random.next() * viewers.length)]!;
      return (await time('/api/v1/me/feed', tokens.get(viewer))).ms;
    }),
    await measure('GET /me/feed (next page)', async () => {
      const viewer = viewers[Math.floor(random.next() * viewers.length)]!;
      const token = tokens.get(viewer)!;
      const first = await time('/api/v1/me/feed', token);
      if (!first.body.nextCursor) return first.ms;
      return (await time(`/api/v1/me/feed?cursor=${first.body.nextCursor}`, token)).ms;
    }),
  ];
  await close();
  return figures;
}

/**
 * The same rows on every database, from the seed: each table is drawn in one pass (tracks first
 * into arrays, since three tables come from each draw) and bulk-loaded.
 */
async function fillDatabase(target: BenchDatabase, random: Prng, now: number): Promise<void> {
  const started = performance.now();
  const { load } = target;
  await load(
    'accounts',
    ['address', 'created_at'],
    rowsOf(ACCOUNTS, (i) => [address(i), now - YEAR_MS]),
    {
      total: ACCOUNTS,
    },
  );
  await load(
    'profiles',
    ['address', 'handle', 'handle_key', 'display_name', 'bio', 'links', 'created_at', 'updated_at'],
    rowsOf(ACCOUNTS, (i) => [address(i), `user${i}`, `user${i}`, `User ${i}`, 'A bio.', '[]', now, now]),
    { total: ACCOUNTS },
  );

  const ownerOf = new Int32Array(TRACKS);
  const rollOf = new Float64Array(TRACKS);
  const createdOf = new Float64Array(TRACKS);
  for (let i = 0; i < TRACKS; i++) {
    ownerOf[i] = Math.floor(ARTISTS * random.next() ** 2);
    rollOf[i] = random.next();
    createdOf[i] = now - Math.floor(random.next() * YEAR_MS);
  }
  await load(
    'tracks',
    (
      'id owner title tags visibility access_kind state duration_ms original_cid original_name ' +
      'original_mime delisted_at created_at updated_at'
    ).split(' '),
    rowsOf(TRACKS, (i) => {
      const roll = rollOf[i]!;
      return [
        `t${i}`,
        address(ownerOf[i]!),
        `Track ${i}`,
        '[]',
        roll < 0.03 ? 'hidden' : 'public',
        'free',
        roll >= 0.03 && roll < 0.04 ? 'processing' : 'ready',
        180_000,
        `bafk${i}`,
        'a.flac',
        'audio/flac',
        roll >= 0.04 && roll < 0.05 ? now : null,
        createdOf[i]!,
        createdOf[i]!,
      ];
    }),
    { total: TRACKS },
  );
  await load(
    'track_splits',
    ['track_id', 'address', 'ppm'],
    rowsOf(TRACKS, (i) => [`t${i}`, address(ownerOf[i]!), 1_000_000]),
    { total: TRACKS },
  );
  await load(
    'track_assets',
    ['track_id', 'kind', 'variant', 'cid', 'mime', 'size'],
    rowsOf(2 * TRACKS, (j) => {
      const i = j >> 1;
      return j % 2 === 0
        ? [`t${i}`, 'original', '', `bafk${i}`, 'audio/flac', 1_000_000]
        : [`t${i}`, 'opus', '', `bafko${i}`, 'audio/ogg', 1_000_000];
    }),
    { total: 2 * TRACKS },
  );

  const followers = new Int32Array(ACCOUNTS);
  const following = new Int32Array(ACCOUNTS);
  const follows = await load(
    'follows',
    ['follower', 'followee', 'created_at'],
    (function* () {
      for (let follower = 0; follower < ACCOUNTS; follower++) {
        const count = 5 + Math.floor(random.next() ** 3 * 120);
        const chosen = new Set<number>();
        while (chosen.size < count) {
          const followee = Math.floor(ARTISTS * random.next() ** 3);
          if (followee !== follower) chosen.add(followee);
        }
        for (const followee of chosen) {
          followers[followee]!++;
          following[follower]!++;
          yield [address(follower), address(followee), now - Math.floor(random.next() * YEAR_MS)];
        }
      }
    })(),
  );
  await load(
    'account_counts',
    ['address', 'followers', 'following'],
    rowsOf(ACCOUNTS, (i) => [address(i), followers[i]!, following[i]!]),
    { total: ACCOUNTS },
  );

  // A second repost of the same track by the same account is no repost: the first one stays.
  const repostCounts = new Map<number, number>();
  const reposted = new Set<number>();
  await load(
    'reposts',
    ['account', 'track_id', 'created_at'],
    (function* () {
      for (let i = 0; i < REPOSTS; i++) {
        const track = Math.floor(random.next() * TRACKS);
        const account = Math.floor(random.next() * ACCOUNTS);
        const createdAt = now - Math.floor(random.next() * YEAR_MS);
        const key = account * TRACKS + track;
        if (reposted.has(key)) continue;
        reposted.add(key);
        repostCounts.set(track, (repostCounts.get(track) ?? 0) + 1);
        yield [address(account), `t${track}`, createdAt];
      }
    })(),
    { total: REPOSTS },
  );
  reposted.clear();
  const counts = [...repostCounts];
  await load(
    'track_counts',
    ['track_id', 'reposts', 'favorites'],
    rowsOf(counts.length, (i) => [`t${counts[i]![0]}`, counts[i]![1], 0]),
    { total: counts.length },
  );
  if (PLAYS > 0)
    await load(
      'plays',
      'play_id listener track_id epoch verdict reason heard_ms wall_ms day first_started_at'.split(' '),
      rowsOf(PLAYS, (i) => [
        `p${i}`,
        address(i % ACCOUNTS),
        `t${i % TRACKS}`,
        1,
        'counted',
        null,
        60_000,
        60_000,
        '2026-01-01',
        now,
      ]),
      { total: PLAYS },
    );

  // SQLite: no ANALYZE; a node never runs it, so the planner works without statistics here too.
  if (target.filled) return;
  const fillSeconds = (performance.now() - started) / 1000;
  process.stderr.write(
    `filled in ${fillSeconds.toFixed(0)} s: ${TRACKS} tracks, ${ACCOUNTS} accounts, ${follows} follows, ${REPOSTS} reposts, ${PLAYS} plays\n`,
  );
}
