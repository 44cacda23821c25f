import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Migrator, sql } from 'kysely';
import { type Db, migrateToLatest } from '../../db/database.ts';
import { isPostgres } from '../../db/dialect.ts';
import { migrationProvider } from '../../db/migrations.ts';
import type { TrackTable } from '../../db/schema.ts';
import { testDatabases } from '../../testing/databases.ts';
import { AuthRepository } from '../auth.repository.ts';
import { TracksRepository } from '../tracks.repository.ts';
import { BAND_TIERS, PostgresSearchIndex, tsvectorLiteral } from './postgres-search-index.ts';
import { type CandidateQuery, type SearchIndex, searchIndexFor } from './search-index.ts';
import { searchDocument, vocabularyOf } from './text.ts';
import { tierOf } from './tier.ts';

const artist = '0x00000000000000000000000000000000000000b1';
const other = '0x00000000000000000000000000000000000000b2';
/** Counted plays of track i: i % PLAYS.length picks one, so tiers repeat and upload order breaks ties. */
const PLAYS = [0, 3, 7, 20, 63, 100, 511, 1000, 4095, 2];
const TRACKS = 40;

function trackRow(i: number, fields: Partial<TrackTable> = {}): TrackTable {
  return {
    id: `st${i}`,
    owner: artist,
    // Every track says "alpha"; every third one "beta" too.
    title: i % 3 === 0 ? `Alpha Beta ${i}` : `Alpha ${i}`,
    artist_name: null,
    genre: null,
    description: null,
    tags: '[]',
    release_date: null,
    visibility: i % 7 === 5 ? 'hidden' : 'public',
    access_kind: 'free',
    gate_token: null,
    gate_min_balance: null,
    state: 'processing',
    failure_code: null,
    failure_message: null,
    duration_ms: 180_000,
    original_cid: `bafkst${i}`,
    original_name: 'song.wav',
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
    created_at: 1_000 + i,
    updated_at: 1_000 + i,
    ...fields,
  };
}

/** Ids in the order the index hands candidates out: most played tier first, newest first within one. */
function expected(plays: (i: number) => number, matches: (i: number) => boolean, viewer?: string): string[] {
  return Array.from({ length: TRACKS }, (_, i) => i)
    .filter(matches)
    .sort((a, b) => tierOf(plays(b)) - tierOf(plays(a)) || b - a)
    .map((i) => `st${i}`)
    .filter((id) => viewer === artist || Number(id.slice(2)) % 7 !== 5);
}

function query(word: string, limit: number, viewer?: string, prefix = false): CandidateQuery {
  return { alternatives: [[word]], lastIsPrefix: prefix, fields: 'all', viewer, limit };
}

async function setPlays(db: Db, index: SearchIndex, counted: Map<string, number>) {
  for (const [trackId, n] of counted) {
    await sql`delete from track_play_counts where track_id = ${trackId}`.execute(db);
    if (n > 0)
      await sql`insert into track_play_counts (track_id, counted) values (${trackId}, ${n})`.execute(db);
  }
  await index.playsChanged(db, [...counted.keys()]);
}

for (const database of testDatabases()) {
  describe(`search index on ${database.name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    let plays = (i: number) => PLAYS[i % PLAYS.length]!;
    before(async () => {
      ({ db, close } = await database.open());
      await new AuthRepository(db).ensureAccount(artist, 1);
      const tracks = new TracksRepository(db);
      for (let i = 0; i < TRACKS; i++) {
        await tracks.createWithJob({
          track: trackRow(i),
          splits: [{ address: artist, ppm: 1_000_000 }],
          assets: [],
          stages: [{ stage: 'publish', state: 'pending', progress: 0 }],
          job: { id: `job-st${i}`, kind: 'media', payload: '{}' },
        });
        await tracks.markReady(`st${i}`, 5_000 + i);
      }
      const index = searchIndexFor(db);
      await setPlays(db, index, new Map(Array.from({ length: TRACKS }, (_, i) => [`st${i}`, plays(i)])));
    });
    after(() => close());

    // Postgres goes step by step (a walk down the most played, bands of popular tracks, every
    // match): a short walk or none makes a few tracks go through the bands once the table was
    // analyzed (which tells the bands' sizes), and straight to every match before.
    const indexes = (): [string, SearchIndex][] =>
      isPostgres(db)
        ? [
            ['default steps', searchIndexFor(db)],
            ['a short walk', new PostgresSearchIndex({ walk: 3 })],
            ['no walk', new PostgresSearchIndex({ walk: 0 })],
          ]
        : [['fts5', searchIndexFor(db)]];

    it('hands out the most played matches first, newest first within a tier, hidden ones only to their owner', async () => {
      // Postgres: before the table's first ANALYZE (the bands' sizes unknown) and after it.
      for (const analyzed of isPostgres(db) ? [false, true] : [false]) {
        if (analyzed) await sql`analyze track_search`.execute(db);
        for (const [name, index] of indexes()) {
          for (const limit of [1, 4, 9, 15, 40]) {
            for (const [word, prefix, matches] of [
              ['alpha', false, () => true],
              ['al', true, () => true],
              ['alph', true, () => true],
              ['beta', false, (i: number) => i % 3 === 0],
              ['b', true, (i: number) => i % 3 === 0],
              ['bet', true, (i: number) => i % 3 === 0],
            ] as const) {
              // The pool is cut before hidden tracks are dropped, as on SQLite.
              const pool = expected(plays, matches, artist).slice(0, limit);
              for (const viewer of [undefined, artist]) {
                const got = (await index.candidates(db, query(word, limit, viewer, prefix))).map((c) => c.id);
                const want = pool.filter((id) => expected(plays, matches, viewer).includes(id));
                const what = `${name}${analyzed ? ' (analyzed)' : ''}: ${word}${prefix ? '*' : ''} limit ${limit}`;
                assert.deepEqual(got, want, `${what} viewer ${viewer}`);
              }
            }
          }
        }
      }
      const [first] = await searchIndexFor(db).candidates(db, query('alpha', 1));
      assert.equal(first?.counted_plays, 4095);
      assert.equal(first?.title, 'Alpha 38');
    });

    it('re-orders a track whose counted plays reach another tier', async () => {
      const index = searchIndexFor(db);
      await setPlays(db, index, new Map([['st0', 100_000]]));
      plays = (i: number) => (i === 0 ? 100_000 : PLAYS[i % PLAYS.length]!);
      const beta = (i: number) => i % 3 === 0;
      for (const [name, candidates] of indexes()) {
        const got = (await candidates.candidates(db, query('beta', 3, other))).map((c) => c.id);
        assert.deepEqual(got, expected(plays, beta, other).slice(0, 3), name);
        assert.equal(got[0], 'st0', name);
      }
      await setPlays(db, index, new Map([['st0', 0]]));
      plays = (i: number) => PLAYS[i % PLAYS.length]!;
      const got = (await index.candidates(db, query('beta', 40, other))).map((c) => c.id);
      assert.equal(got.at(-1), 'st0');
    });

    it('matches a word being typed whether it starts few dictionary words or many', async () => {
      if (!isPostgres(db)) return;
      const index = searchIndexFor(db);
      const before = (await index.candidates(db, query('alph', 40, artist, true))).map((c) => c.id);
      assert.equal(before.length, TRACKS);
      // Past 64 completions Postgres matches the prefix itself instead of spelling them out.
      for (let i = 0; i < 70; i++)
        await sql`insert into search_terms (term) values (${`alphabet${i}`}) on conflict (term) do nothing`.execute(
          db,
        );
      assert.deepEqual(
        (await index.candidates(db, query('alph', 40, artist, true))).map((c) => c.id),
        before,
      );
      assert.deepEqual(await index.candidates(db, query('alphq', 40, artist, true)), []);
    });

    it('keeps its place in upload order when a document is replaced', async () => {
      const index = searchIndexFor(db);
      await index.put(db, 'st38', searchDocument({ ...trackRow(38), title: 'Alpha Gamma' }));
      const got = (await index.candidates(db, query('alpha', 2))).map((c) => c.id);
      assert.deepEqual(got, ['st38', 'st28']);
      assert.deepEqual(
        (await index.candidates(db, query('gamma', 5))).map((c) => c.id),
        ['st38'],
      );
    });
  });
}

for (const database of testDatabases()) {
  describe(`search migrations on ${database.name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    before(async () => {
      ({ db, close } = await database.open({ migrate: false }));
    });
    after(() => close());

    it('index the tracks made before search existed, as `put` does today', async () => {
      const migrated = await new Migrator({ db, provider: migrationProvider }).migrateTo(
        '0011_comments_playlists',
      );
      assert.equal(migrated.error, undefined);
      await db.insertInto('accounts').values({ address: artist, created_at: 1 }).execute();
      const rows = [0, 1, 2].map((i) =>
        trackRow(i, { state: 'ready', tags: i === 1 ? JSON.stringify(['lo-fi']) : '[]', genre: 'ambient' }),
      );
      for (const row of rows) await db.insertInto('tracks').values(row).execute();
      await migrateToLatest(db);
      const index = searchIndexFor(db);
      for (const word of ['a', 'al', 'alp', 'alph', 'alpha'])
        assert.deepEqual(
          (await index.candidates(db, query(word, 10, artist, true))).map((c) => c.id),
          ['st2', 'st1', 'st0'],
          word,
        );
      assert.deepEqual(
        (await index.candidates(db, query('lo', 10, artist, true))).map((c) => c.id),
        ['st1'],
      );
      assert.deepEqual(
        (await index.candidates(db, { ...query('ambient', 10, artist), fields: 'title_artist' })).map(
          (c) => c.id,
        ),
        [],
      );
      if (isPostgres(db)) {
        for (const row of rows) {
          const same = await sql<{
            same: boolean;
          }>`select document = ${tsvectorLiteral(searchDocument(row))}::tsvector
            as same from track_search where track_id = ${row.id}`.execute(db);
          assert.equal(same.rows[0]?.same, true, row.id);
        }
      }
    });
  });
}

for (const database of testDatabases().filter((d) => d.name === 'postgres')) {
  describe(`search popularity migration on ${database.name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    before(async () => {
      ({ db, close } = await database.open({ migrate: false }));
    });
    after(() => close());

    it('0018 orders the documents indexed before it by tier, then upload order, and indexes word starts', async () => {
      const migrated = await new Migrator({ db, provider: migrationProvider }).migrateTo('0017_apps');
      assert.equal(migrated.error, undefined);
      await db.insertInto('accounts').values({ address: artist, created_at: 1 }).execute();
      const rows = Array.from({ length: 6 }, (_, i) =>
        trackRow(i, {
          state: 'ready',
          tags: i === 2 ? JSON.stringify(['ambient', 'lo-fi']) : '[]',
          // Starts are counted in characters, not bytes.
          ...(i === 4 ? { title: 'Alpha 夜の街 Ünïcode' } : {}),
        }),
      );
      for (const [i, row] of rows.entries()) {
        await db.insertInto('tracks').values(row).execute();
        // As `put` wrote them at 0012: the document's words, and the dictionary.
        await sql`insert into track_search (track_id, document)
          values (${row.id}, ${before0018(searchDocument(row))}::tsvector)`.execute(db);
        for (const term of vocabularyOf(searchDocument(row)))
          await sql`insert into search_terms (term) values (${term}) on conflict (term) do nothing`.execute(
            db,
          );
        const n = [5, 0, 5, 63, 0, 2][i]!;
        if (n > 0)
          await sql`insert into track_play_counts (track_id, counted) values (${row.id}, ${n})`.execute(db);
      }
      await migrateToLatest(db);
      const order = await sql<{ track_id: string; tier: number; seq: number }>`
        select track_id, tier, seq from track_search order by seq`.execute(db);
      assert.deepEqual(
        order.rows.map((row) => [row.track_id, row.tier, Number(row.seq)]),
        [
          ['st0', tierOf(5), 1],
          ['st1', 0, 2],
          ['st2', tierOf(5), 3],
          ['st3', tierOf(63), 4],
          ['st4', 0, 5],
          ['st5', tierOf(2), 6],
        ],
      );
      // The same words, weights and starts as `put` writes.
      for (const row of rows) {
        const same = await sql<{
          same: boolean;
        }>`select document = ${tsvectorLiteral(searchDocument(row))}::tsvector as same
          from track_search where track_id = ${row.id}`.execute(db);
        assert.equal(same.rows[0]?.same, true, row.id);
      }
      const index = searchIndexFor(db);
      for (const word of ['a', 'al', 'alp', 'alpha'])
        assert.deepEqual(
          (await index.candidates(db, query(word, 10, artist, true))).map((c) => c.id),
          ['st3', 'st2', 'st0', 'st5', 'st4', 'st1'],
          word,
        );
      assert.deepEqual(
        (await index.candidates(db, { ...query('lo', 10, artist, true), fields: 'title_artist' })).map(
          (c) => c.id,
        ),
        [],
        'a tag is not a title',
      );
      assert.deepEqual(
        (await index.candidates(db, query('lo', 10, artist, true))).map((c) => c.id),
        ['st2'],
      );
      for (const word of ['夜', '夜の', '夜の街', 'u', 'unic'])
        assert.deepEqual(
          (await index.candidates(db, query(word, 10, artist, true))).map((c) => c.id),
          ['st4'],
          word,
        );
      // A document indexed after the migration comes next in upload order.
      await index.put(db, 'st6', searchDocument(trackRow(6)));
      const next = await sql<{ seq: number }>`select seq from track_search where track_id = 'st6'`.execute(
        db,
      );
      assert.equal(Number(next.rows[0]!.seq), 7);
      // A partial index for each band the index searches.
      const bands = await sql<{ definition: string }>`
        select indexdef as definition from pg_indexes where tablename = 'track_search' and indexname like 'track_search_band_%'`.execute(
        db,
      );
      for (const tier of BAND_TIERS)
        assert.ok(
          bands.rows.some((row) => row.definition.includes(`WHERE (tier >= ${tier})`)),
          `an index for tier >= ${tier}`,
        );
    });
  });
}

/** A document as `put` wrote it before 0018: the words alone. */
function before0018(document: ReturnType<typeof searchDocument>): string {
  let position = 0;
  const entries: string[] = [];
  for (const [words, weight] of [
    [document.title, 'A'],
    [document.artist, 'A'],
    [document.tags, 'B'],
    [document.genre, 'C'],
  ] as const)
    for (const word of words) entries.push(`'${word}':${++position}${weight}`);
  return entries.join(' ');
}
