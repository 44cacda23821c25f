import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../db/database.ts';
import { CursorCodec } from '../services/cursor.ts';
import { SearchService } from '../services/search.service.ts';
import { testDatabases } from '../testing/databases.ts';
import { AuthRepository } from './auth.repository.ts';
import { DAY_MS, DiscoveryRepository, HOUR_MS } from './discovery.repository.ts';
import { SearchRepository } from './search/search-index.ts';
import { type SettledPlayRow, SettlementRepository } from './settlement.repository.ts';
import { type TrackRow, TracksRepository } from './tracks.repository.ts';

const artist = '0x00000000000000000000000000000000000000a1';
const other = '0x00000000000000000000000000000000000000a2';
const fan = (i: number) => `0x${String(i).padStart(40, 'f')}`;
const NOW = Date.UTC(2026, 2, 10, 12, 30);

let created = 0;
function trackRow(fields: Partial<TrackRow> & { id: string; title: string }): TrackRow {
  created++;
  return {
    owner: artist,
    artist_name: null,
    genre: null,
    description: null,
    tags: '[]',
    release_date: null,
    visibility: 'public',
    access_kind: 'free',
    gate_token: null,
    gate_min_balance: null,
    state: 'processing',
    failure_code: null,
    failure_message: null,
    duration_ms: 180_000,
    original_cid: `bafk${fields.id}`,
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
    created_at: 1_000 + created,
    updated_at: 1_000 + created,
    ...fields,
  };
}

for (const database of testDatabases()) {
  describe(`discovery on ${database.name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    let tracks: TracksRepository;
    let settlement: SettlementRepository;
    let discovery: DiscoveryRepository;
    let search: SearchService;
    let epoch = 0;
    const prefix = randomBytes(3).toString('hex');
    const id = (name: string) => `${prefix}-${name}`;

    async function addTrack(
      name: string,
      fields: Partial<TrackRow> & { title: string },
      options: { ready?: boolean; readyAt?: number } = {},
    ) {
      await tracks.createWithJob({
        track: trackRow({ id: id(name), ...fields }),
        splits: [{ address: fields.owner ?? artist, ppm: 1_000_000 }],
        assets: [],
        stages: [{ stage: 'publish', state: 'pending', progress: 0 }],
        job: { id: `job-${id(name)}`, kind: 'media', payload: '{}' },
      });
      if (options.ready ?? true) await tracks.markReady(id(name), options.readyAt ?? 5_000);
      return id(name);
    }

    /** Stores an epoch's verdicts the way the judge step does (a new epoch each time). */
    async function settle(
      plays: { track: string; listener: string; at: number; counted?: boolean; source?: string }[],
      now = NOW,
      n = epoch++,
    ) {
      await settlement.openEpoch(n, 0, 1, 0);
      await settlement.saveVerdicts(n, verdicts(n, plays), now);
      return n;
    }

    function verdicts(
      n: number,
      plays: { track: string; listener: string; at: number; counted?: boolean; source?: string }[],
    ): SettledPlayRow[] {
      return plays.map((play, i) => ({
        play_id: `${prefix}-e${n}-p${i}`,
        listener: play.listener,
        track_id: play.track,
        epoch: n,
        verdict: play.counted === false ? 'not_counted' : 'counted',
        reason: play.counted === false ? 'too_short' : null,
        heard_ms: 60_000,
        wall_ms: 60_000,
        day: new Date(play.at).toISOString().slice(0, 10),
        first_started_at: play.at,
        source: play.source ?? 'web',
      }));
    }

    const titles = async (q: string, viewer?: string) => {
      const page = await search.search({ q, type: 'tracks', limit: 20 }, { address: viewer });
      return page.tracks.map((track) => track.title);
    };

    before(async () => {
      ({ db, close } = await database.open());
      for (const address of [artist, other]) await new AuthRepository(db).ensureAccount(address, 1);
      tracks = new TracksRepository(db);
      settlement = new SettlementRepository(db);
      discovery = new DiscoveryRepository(db);
      search = new SearchService(new SearchRepository(db), tracks, new CursorCodec(randomBytes(32)));
    });
    after(() => close());

    describe('search', () => {
      before(async () => {
        await addTrack('night', { title: 'Night Drive', artist_name: 'Neon Coast', genre: 'synthwave' });
        await addTrack('nightfall', { title: 'Nightfall', artist_name: 'Aurora Fields', genre: 'ambient' });
        await addTrack('tagged', {
          title: 'Harbour Lights',
          artist_name: 'Pier Nine',
          genre: 'ambient',
          tags: JSON.stringify(['night', 'lo-fi']),
        });
        await addTrack('beyonce', { title: 'Déjà Vu', artist_name: 'Beyoncé', genre: 'r&b' });
        await addTrack('hidden', { title: 'Night Secret', visibility: 'hidden' });
        await addTrack('delisted', { title: 'Night Banned', delisted_at: 1, delist_reason: 'copyright' });
        await addTrack('processing', { title: 'Night Unfinished' }, { ready: false });
        await addTrack('others', { title: 'Night Other', owner: other });
      });

      it('matches words as they are typed, in any field, with or without diacritics', async () => {
        assert.ok((await titles('nig')).includes('Night Drive'));
        assert.deepEqual(await titles('night dr'), ['Night Drive']);
        assert.deepEqual(await titles('neon co'), ['Night Drive'], 'artist names');
        assert.deepEqual(await titles('synthw'), ['Night Drive'], 'genres');
        assert.deepEqual(await titles('lo fi'), ['Harbour Lights'], 'tags');
        assert.deepEqual(await titles('beyonce deja'), ['Déjà Vu']);
        assert.deepEqual(await titles('BEYONCÉ'), ['Déjà Vu']);
        // A finished word (a space after it) is not a prefix any more.
        assert.ok((await titles('night')).includes('Nightfall'));
        assert.ok(!(await titles('night ')).includes('Nightfall'));
      });

      it('forgives typos: transposed, missing, extra and wrong letters', async () => {
        assert.deepEqual((await titles('nigth drive'))[0], 'Night Drive');
        assert.deepEqual((await titles('night drvie'))[0], 'Night Drive');
        assert.deepEqual((await titles('nigt drive'))[0], 'Night Drive');
        assert.deepEqual((await titles('nightt drive'))[0], 'Night Drive');
        assert.deepEqual((await titles('harbor lights'))[0], 'Harbour Lights');
        assert.deepEqual((await titles('aurora feilds'))[0], 'Nightfall');
        assert.deepEqual((await titles('synthwaev'))[0], 'Night Drive');
        // As you type, with a typo in the word still being typed.
        assert.deepEqual((await titles('neon coatt'))[0], 'Night Drive');
        assert.deepEqual(await titles('zzqxj'), [], 'nothing close: nothing');
      });

      it('ranks title matches above tag matches, then by counted plays', async () => {
        const ranked = await titles('night');
        assert.deepEqual(ranked.slice(0, 2).sort(), ['Night Drive', 'Night Other']);
        assert.ok(
          ranked.indexOf('Nightfall') < ranked.indexOf('Harbour Lights'),
          'a title prefix beats a tag',
        );
        assert.equal(ranked.at(-1), 'Harbour Lights');
        // Plays break the tie between two equally relevant titles, and keep counting after a redo.
        const plays = Array.from({ length: 5 }, (_, i) => ({
          track: id('others'),
          listener: fan(i),
          at: NOW - HOUR_MS,
        }));
        const n = await settle(plays);
        await settlement.saveVerdicts(n, verdicts(n, plays), NOW);
        assert.deepEqual((await titles('night')).slice(0, 2), ['Night Other', 'Night Drive']);
        // Many plays do not lift a tag match above title matches.
        await settle(
          Array.from({ length: 30 }, (_, i) => ({
            track: id('tagged'),
            listener: fan(i),
            at: NOW - HOUR_MS,
          })),
        );
        assert.equal((await titles('night')).at(-1), 'Harbour Lights');
      });

      it('never shows hidden, delisted or unfinished tracks to others; owners find their own', async () => {
        const forOthers = await titles('night', other);
        for (const title of ['Night Secret', 'Night Banned', 'Night Unfinished'])
          assert.ok(!forOthers.includes(title), title);
        assert.ok(!(await titles('night')).includes('Night Secret'), 'nor to anonymous visitors');
        const forOwner = await titles('night', artist);
        assert.ok(forOwner.includes('Night Secret'));
        assert.ok(forOwner.includes('Night Unfinished'));
        // Becoming public makes it findable by everyone.
        await tracks.updateMetadata(id('hidden'), { visibility: 'public' }, 6_000);
        assert.ok((await titles('night', other)).includes('Night Secret'));
        await tracks.updateMetadata(id('hidden'), { visibility: 'hidden' }, 6_001);
        assert.ok(!(await titles('night', other)).includes('Night Secret'));
      });

      it('follows edits and deletions', async () => {
        const track = await addTrack('edited', { title: 'Crimson Tide', genre: 'rock' });
        assert.deepEqual(await titles('crimson'), ['Crimson Tide']);
        await tracks.updateMetadata(
          track,
          { title: 'Velvet Morning', tags: JSON.stringify(['dawn']) },
          7_000,
        );
        assert.deepEqual(await titles('crimson '), []);
        assert.deepEqual(await titles('velvet morn'), ['Velvet Morning']);
        assert.deepEqual(await titles('dawn'), ['Velvet Morning']);
        await tracks.delete(track);
        assert.deepEqual(await titles('velvet'), []);
      });

      it('pages with signed cursors bound to the query', async () => {
        for (let i = 0; i < 5; i++) await addTrack(`echo${i}`, { title: `Echo Chamber ${i}` });
        const first = await search.search({ q: 'echo', type: 'tracks', limit: 2 }, {});
        assert.equal(first.tracks.length, 2);
        assert.ok(first.nextCursor);
        const second = await search.search(
          { q: 'echo', type: 'tracks', limit: 2, cursor: first.nextCursor },
          {},
        );
        const third = await search.search(
          { q: 'echo', type: 'tracks', limit: 2, cursor: second.nextCursor! },
          {},
        );
        const all = [...first.tracks, ...second.tracks, ...third.tracks].map((track) => track.title);
        assert.equal(new Set(all).size, 5);
        assert.equal(third.nextCursor, null);
        await assert.rejects(
          search.search({ q: 'night', type: 'tracks', limit: 2, cursor: first.nextCursor }, {}),
          /cursor/,
        );
      });
    });

    describe('counted-play aggregates', () => {
      it('are exact, and a redone judge step replaces what it counted instead of adding it again', async () => {
        const track = await addTrack('agg', { title: 'Aggregate', genre: 'jazz' });
        const at = Date.UTC(2026, 2, 9, 10, 15);
        const plays = [
          { track, listener: fan(1), at, source: 'web' },
          { track, listener: fan(1), at: at + 10 * 60_000, source: 'cli' },
          { track, listener: fan(2), at: at + HOUR_MS, source: 'app' },
          { track, listener: fan(3), at: at + DAY_MS, source: 'web', counted: false },
        ];
        const n = await settle(plays);
        const figures = async () => ({
          total: await discovery.countedPlays(track),
          hourly: await discovery.hourlyPlays(track, { from: 0, to: NOW }),
          listeners: await discovery.uniqueListeners(track, { from: 0, to: NOW }),
          fans: await discovery.topFans(track, { from: 0, to: NOW }, 10),
          sources: (await discovery.playsBySource(track, { from: 0, to: NOW })).sort((a, b) =>
            a.source < b.source ? -1 : 1,
          ),
        });
        const expected = {
          total: 3,
          hourly: [
            { hour: Date.UTC(2026, 2, 9, 10), counted: 2 },
            { hour: Date.UTC(2026, 2, 9, 11), counted: 1 },
          ],
          listeners: 2,
          fans: [
            { listener: fan(1), counted: 2, hidden: false },
            { listener: fan(2), counted: 1, hidden: false },
          ],
          sources: [
            { source: 'app', counted: 1 },
            { source: 'cli', counted: 1 },
            { source: 'web', counted: 1 },
          ],
        };
        assert.deepEqual(await figures(), expected);
        assert.equal((await tracks.findById(track))?.counted_plays, 3);

        // Redo: same verdicts → same figures.
        await settlement.rewind(n, 'judge');
        await settlement.saveVerdicts(n, verdicts(n, plays), NOW);
        assert.deepEqual(await figures(), expected);

        // Redo with a different outcome (fan 2's play no longer counts): exactly that comes off,
        // and emptied rows go.
        await settlement.saveVerdicts(
          n,
          verdicts(
            n,
            plays.map((play, i) => (i === 2 ? { ...play, counted: false } : play)),
          ),
          NOW,
        );
        const after = await figures();
        assert.equal(after.total, 2);
        assert.deepEqual(after.hourly, [{ hour: Date.UTC(2026, 2, 9, 10), counted: 2 }]);
        assert.equal(after.listeners, 1);
        assert.deepEqual(
          after.sources.map((entry) => entry.source),
          ['cli', 'web'],
        );
        const rows = await db
          .selectFrom('track_listener_days')
          .selectAll()
          .where('track_id', '=', track)
          .execute();
        assert.deepEqual(
          rows.map((row) => row.listener),
          [fan(1)],
        );

        // A fan who opts out stays counted, flagged for the artist's view to anonymize.
        await discovery.setFanPrivacy(fan(1), true, NOW);
        assert.deepEqual(await discovery.topFans(track, { from: 0, to: NOW }, 10), [
          { listener: fan(1), counted: 2, hidden: true },
        ]);
        assert.deepEqual(await discovery.fanPrivacy(fan(1)), { hideFromTopFans: true, updatedAt: NOW });
        await discovery.setFanPrivacy(fan(1), false, NOW + 1);
        assert.equal((await discovery.fanPrivacy(fan(1))).hideFromTopFans, false);
        assert.equal(await discovery.lastJudgedEpoch(), epoch - 1);
      });
    });

    describe('trending', () => {
      it('decays plays by age, charts per genre, drops expired hours and hidden tracks', async () => {
        const base = Date.UTC(2026, 5, 1, 0, 0);
        const old = await addTrack('old-hit', { title: 'Old Hit', genre: 'house' });
        const fresh = await addTrack('fresh', { title: 'Fresh', genre: 'techno' });
        const hidden = await addTrack('hidden-hit', { title: 'Hidden Hit', genre: 'house' });
        // 8 plays 12 hours ago (two half-lives of the day chart) against 3 plays now.
        await settle(
          [
            ...Array.from({ length: 8 }, (_, i) => ({
              track: old,
              listener: fan(100 + i),
              at: base - 12 * HOUR_MS,
            })),
            ...Array.from({ length: 3 }, (_, i) => ({ track: fresh, listener: fan(200 + i), at: base })),
            ...Array.from({ length: 50 }, (_, i) => ({ track: hidden, listener: fan(300 + i), at: base })),
          ],
          base + 30 * 60_000,
        );
        await tracks.updateMetadata(hidden, { visibility: 'hidden' }, base);
        const chart = async (span: 'day' | 'week' | 'month', genre?: string, now = base + 30 * 60_000) =>
          (await discovery.trending(span, genre, 10, now)).filter((row) => row.trackId.startsWith(prefix));

        const day = await chart('day');
        assert.deepEqual(
          day.map((row) => row.trackId),
          [fresh, old],
          'hidden never charts; 3 fresh plays beat 8 two half-lives old',
        );
        assert.ok(Math.abs(day[0]!.score - 3 * 2 ** (-0.5 / 6)) < 1e-9, String(day[0]!.score));
        assert.ok(Math.abs(day[1]!.score - 8 * 2 ** (-12.5 / 6)) < 1e-9, String(day[1]!.score));
        assert.deepEqual(
          (await chart('week')).map((row) => row.trackId),
          [old, fresh],
          'a week half-life of 2 days keeps the old hit ahead',
        );
        assert.deepEqual(
          (await chart('day', 'house')).map((row) => row.trackId),
          [old],
        );
        // A genre edit moves the track to its new genre's chart.
        await tracks.updateMetadata(old, { genre: 'techno' }, base);
        assert.deepEqual(
          (await chart('day', 'techno')).map((row) => row.trackId),
          [fresh, old],
        );
        assert.deepEqual(await chart('day', 'house'), []);

        // 13 hours later the old hit's hour has left the day chart (refreshed by the next settlement).
        await settle([], base + 13 * HOUR_MS);
        assert.deepEqual(
          (await chart('day', undefined, base + 13 * HOUR_MS)).map((row) => [row.trackId, row.counted]),
          [[fresh, 3]],
        );
        assert.equal((await chart('week', undefined, base + 13 * HOUR_MS)).length, 2);
        // Two months on, with the reference time far behind, every chart is empty.
        await settle([], base + 61 * DAY_MS);
        assert.deepEqual(await chart('month', undefined, base + 61 * DAY_MS), []);
        const late = await addTrack('late', { title: 'Late', genre: 'house' });
        await settle(
          [{ track: late, listener: fan(1), at: base + 61 * DAY_MS }],
          base + 61 * DAY_MS + 60_000,
        );
        const month = await chart('month', undefined, base + 61 * DAY_MS + 60_000);
        assert.deepEqual(
          month.map((row) => [row.trackId, row.counted]),
          [[late, 1]],
        );
        assert.ok(Math.abs(month[0]!.score - 2 ** (-1 / (7 * 24 * 60))) < 1e-9);
      });
    });

    describe('new releases and genres', () => {
      it('orders listed tracks by release date (else ready time), pages by cursor, counts genres', async () => {
        const genre = `g${prefix}`;
        const a = await addTrack(
          'rel-a',
          { title: 'A', genre, release_date: '2026-01-05' },
          { readyAt: 9_000 },
        );
        const b = await addTrack('rel-b', { title: 'B', genre }, { readyAt: Date.UTC(2026, 0, 10) });
        const c = await addTrack(
          'rel-c',
          { title: 'C', genre, release_date: '2025-12-31' },
          { readyAt: 9_000 },
        );
        await addTrack(
          'rel-future',
          { title: 'Later', genre, release_date: '2027-01-01' },
          { readyAt: 9_000 },
        );
        await addTrack('rel-hidden', { title: 'H', genre, visibility: 'hidden' });
        const now = Date.UTC(2026, 1, 1);
        const page1 = await discovery.releases({ genre, now, limit: 2 });
        assert.deepEqual(
          page1.map((row) => row.id),
          [b, a],
        );
        const page2 = await discovery.releases({
          genre,
          now,
          limit: 2,
          before: { releaseAt: page1[1]!.release_at, id: page1[1]!.id },
        });
        assert.deepEqual(
          page2.map((row) => row.id),
          [c],
        );
        // Moving a release date moves the track.
        await tracks.updateMetadata(c, { release_date: '2026-01-20' }, now);
        assert.equal((await discovery.releases({ genre, now, limit: 1 }))[0]?.id, c);
        const counts = await discovery.genres();
        assert.deepEqual(
          counts.find((entry) => entry.genre === genre),
          { genre, tracks: 4 },
          'listed tracks only (the future release is listed; hidden is not)',
        );
      });
    });
  });
}
