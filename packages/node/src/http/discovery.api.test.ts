import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { InjectOptions } from 'fastify';
import sharp from 'sharp';
import { DAY_MS, HOUR_MS } from '../repositories/discovery.repository.ts';
import { type SettledPlayRow, SettlementRepository } from '../repositories/settlement.repository.ts';
import { TracksRepository } from '../repositories/tracks.repository.ts';
import { testDatabases } from '../testing/databases.ts';
import {
  filePart,
  multipart,
  newAccount,
  signIn,
  startTestNode,
  type TestNode,
} from '../testing/test-node.ts';

const exec = promisify(execFile);
const fixtures = await mkdtemp(join(tmpdir(), 'fairstream-discovery-fixtures-'));
after(() => rm(fixtures, { recursive: true, force: true }));
await exec('ffmpeg', [
  ...['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi'],
  ...['-i', 'sine=frequency=330:duration=4:sample_rate=44100', '-ac', '2', join(fixtures, 'tone.wav')],
]);
const wav = await readFile(join(fixtures, 'tone.wav'));
const png = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#aa3366' } })
  .png()
  .toBuffer();

const artist = newAccount();
const collaborator = newAccount();
const stranger = newAccount();
const fans = [newAccount(), newAccount(), newAccount()];
const address = (account: { address: string }) => account.address.toLowerCase();
const NASTY_TITLE = `Neon "Rain" <script>alert('x')</script> & Co`;

for (const database of testDatabases()) {
  describe(`discovery API on ${database.name}`, () => {
    let test: TestNode;
    let tokens: Map<string, string>;
    let trackId: string;
    let hiddenId: string;
    let settlement: SettlementRepository;
    let epoch = 1_000_000;
    let publicUrl: string;
    /** When the insights track's first counted play started. */
    let playsAt: number;

    const inject = (options: InjectOptions) => test.node.app.inject(options);
    const auth = (account: { address: string }) => ({
      authorization: `Bearer ${tokens.get(account.address)}`,
    });
    const get = (url: string, account?: { address: string }) =>
      inject({ method: 'GET', url, headers: account ? auth(account) : {} });

    /** Verdicts as the judge step stores them, in an epoch that is then marked done. */
    async function settle(plays: { track: string; fan: number; at: number; source?: string }[]) {
      const n = epoch++;
      const rows: SettledPlayRow[] = plays.map((play, i) => ({
        play_id: `api-${n}-${i}`,
        listener: address(fans[play.fan]!),
        track_id: play.track,
        epoch: n,
        verdict: 'counted',
        reason: null,
        heard_ms: 40_000,
        wall_ms: 40_000,
        day: new Date(play.at).toISOString().slice(0, 10),
        first_started_at: play.at,
        source: play.source ?? 'web',
      }));
      await settlement.openEpoch(n, 0, 1, Date.now());
      await settlement.saveVerdicts(n, rows);
      await settlement.advance(n, 'done');
      return n;
    }

    async function addTrack(
      id: string,
      fields: {
        title: string;
        genre: string;
        artist_name?: string;
        visibility?: 'hidden';
        release_date?: string;
      },
    ) {
      const now = Date.now();
      const tracks = new TracksRepository(test.node.db);
      await tracks.createWithJob({
        track: {
          id,
          owner: address(artist),
          artist_name: 'Glass Harbour',
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
          duration_ms: 4000,
          original_cid: `bafk${id}`,
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
          created_at: now,
          updated_at: now,
          ...fields,
        },
        splits: [{ address: address(artist), ppm: 1_000_000 }],
        assets: [],
        stages: [{ stage: 'publish', state: 'pending', progress: 0 }],
        job: { id: `job-${id}`, kind: 'none', payload: '{}' },
      });
      await tracks.markReady(id, now);
    }

    before(async () => {
      test = await startTestNode(database);
      // These tests store verdicts themselves: the worker must not settle alongside them.
      await test.node.settlement?.stop();
      await test.node.db.deleteFrom('epochs').execute();
      settlement = new SettlementRepository(test.node.db);
      publicUrl = test.node.config.publicUrl;
      tokens = new Map();
      for (const account of [artist, collaborator, stranger, ...fans])
        tokens.set(account.address, await signIn(test.node, account));
      const body = await multipart([
        { name: 'title', value: 'Neon Rain' },
        { name: 'artistName', value: 'Glass Harbour' },
        { name: 'genre', value: 'Synthwave' },
        { name: 'tags', value: 'night,drive' },
        {
          name: 'splits',
          value: JSON.stringify([
            { address: artist.address, percent: 70 },
            { address: collaborator.address, percent: 30 },
          ]),
        },
        filePart('audio', 'rain.wav', wav, 'audio/wav'),
        filePart('cover', 'cover.png', png, 'image/png'),
      ]);
      const upload = await inject({
        method: 'POST',
        url: '/api/v1/tracks',
        payload: body.payload,
        headers: { ...body.headers, ...auth(artist) },
      });
      assert.equal(upload.statusCode, 202, upload.body);
      trackId = upload.json().id;
      await test.node.worker?.idle();
      assert.equal((await get(`/api/v1/tracks/${trackId}`)).json().state, 'ready');

      // A hidden track with more plays than the public one: it must never show to others. And an
      // old public release, so new releases have a second page.
      hiddenId = `hidden-${database.name}`;
      await addTrack(hiddenId, { title: 'Neon Secret', genre: 'synthwave', visibility: 'hidden' });
      await addTrack(`old-${database.name}`, {
        title: 'Old Tide',
        artist_name: 'Tide Pool',
        genre: 'ambient',
        release_date: '2001-01-01',
      });
      const at = Date.now() - HOUR_MS;
      playsAt = at;
      await settle([
        { track: trackId, fan: 0, at, source: 'web' },
        { track: trackId, fan: 0, at: at + 1000, source: 'cli' },
        { track: trackId, fan: 1, at: at + 2000, source: 'app' },
        ...Array.from({ length: 3 }, (_, i) => ({ track: hiddenId, fan: i, at })),
      ]);
    });
    after(() => test?.close());

    it('shows counted plays on the track', async () => {
      assert.equal((await get(`/api/v1/tracks/${trackId}`)).json().countedPlays, 3);
      const listed = (await get('/api/v1/tracks')).json().tracks;
      assert.equal(listed.find((track: { id: string }) => track.id === trackId).countedPlays, 3);
    });

    describe('search', () => {
      it('finds tracks as they are typed and with typos, never hidden ones for others', async () => {
        for (const q of ['neon', 'neo', 'glass harb', 'synthw', 'nein rain', 'drive', 'NEON RAIN']) {
          const response = await get(`/api/v1/search?q=${encodeURIComponent(q)}`);
          assert.equal(response.statusCode, 200, response.body);
          assert.deepEqual(
            response.json().tracks.map((t: { id: string }) => t.id),
            [trackId],
            q,
          );
          assert.equal(response.json().type, 'tracks');
        }
        const forStranger = await get('/api/v1/search?q=neon%20secret', stranger);
        assert.deepEqual(forStranger.json().tracks, []);
        const forOwner = await get('/api/v1/search?q=neon%20secret', artist);
        assert.deepEqual(
          forOwner.json().tracks.map((t: { id: string }) => t.id),
          [hiddenId],
        );
      });

      it('refuses bad queries, limits, types and cursors with a message', async () => {
        const cases: [string, string][] = [
          ['/api/v1/search', 'invalid_request'],
          ['/api/v1/search?q=', 'invalid_request'],
          ['/api/v1/search?q=%2A%2A%2A%22', 'invalid_query'],
          ['/api/v1/search?q=%01neon', 'invalid_query'],
          [`/api/v1/search?q=${'a'.repeat(201)}`, 'invalid_request'],
          [`/api/v1/search?q=${Array.from({ length: 13 }, (_, i) => `w${i}`).join('+')}`, 'invalid_query'],
          ['/api/v1/search?q=neon&type=playlists', 'invalid_request'],
          ['/api/v1/search?q=neon&limit=0', 'invalid_request'],
          ['/api/v1/search?q=neon&limit=51', 'invalid_request'],
          ['/api/v1/search?q=neon&cursor=abc.def', 'invalid_cursor'],
        ];
        for (const [url, code] of cases) {
          const response = await get(url);
          assert.equal(response.statusCode, 400, url);
          assert.equal(response.json().error.code, code, url);
          assert.ok(response.json().error.message.length > 10, url);
        }
        // A cursor is signed for its query (and viewer): reused elsewhere, or edited, it is refused.
        const releases = (await get('/api/v1/releases?limit=1')).json();
        assert.ok(releases.nextCursor);
        const foreign = await get(`/api/v1/search?q=neon&cursor=${encodeURIComponent(releases.nextCursor)}`);
        assert.equal(foreign.json().error.code, 'invalid_cursor');
      });
    });

    describe('trending, new releases, genres', () => {
      it('charts counted plays of listed tracks, per genre too', async () => {
        const chart = (await get('/api/v1/trending?window=day')).json();
        assert.equal(chart.window, 'day');
        assert.equal(chart.halfLifeHours, 6);
        assert.deepEqual(
          chart.items.map((item: { track: { id: string } }) => item.track.id),
          [trackId],
          'the hidden track has more plays and still does not chart',
        );
        assert.equal(chart.items[0].spanPlays, 3);
        assert.ok(chart.items[0].score > 2 && chart.items[0].score < 3);
        assert.equal((await get('/api/v1/trending?genre=synthwave')).json().items.length, 1);
        assert.equal((await get('/api/v1/trending?genre=SynthWave')).json().items.length, 1);
        assert.deepEqual((await get('/api/v1/trending?genre=polka')).json().items, []);
        for (const url of [
          '/api/v1/trending?window=year',
          '/api/v1/trending?limit=101',
          `/api/v1/trending?genre=${'x'.repeat(60)}`,
          '/api/v1/trending?genre=%20',
        ]) {
          const response = await get(url);
          assert.equal(response.statusCode, 400, url);
          assert.ok(response.json().error.message, url);
        }
      });

      it('lists new releases with cursors, and genres with counts', async () => {
        const first = (await get('/api/v1/releases?limit=1')).json();
        assert.equal(first.tracks.length, 1);
        assert.equal(first.tracks[0].id, trackId, 'the hidden track is newer but not listed');
        const second = (
          await get(`/api/v1/releases?limit=1&cursor=${encodeURIComponent(first.nextCursor)}`)
        ).json();
        assert.equal(second.tracks[0].title, 'Old Tide');
        assert.equal(second.nextCursor, null);
        const tampered = `${first.nextCursor.slice(0, -2)}xx`;
        const refused = await get(`/api/v1/releases?cursor=${encodeURIComponent(tampered)}`);
        assert.equal(refused.statusCode, 400);
        assert.equal(refused.json().error.code, 'invalid_cursor');
        assert.equal((await get('/api/v1/releases?genre=synthwave')).json().tracks.length, 1);
        assert.equal((await get('/api/v1/releases?limit=0')).statusCode, 400);
        assert.deepEqual((await get('/api/v1/genres')).json().genres, [
          { genre: 'ambient', tracks: 1 },
          { genre: 'synthwave', tracks: 1 },
        ]);
      });
    });

    describe('artist insights', () => {
      it('shows the artists plays over time, listeners, top fans and sources', async () => {
        for (const account of [artist, collaborator]) {
          const response = await get(`/api/v1/tracks/${trackId}/insights?bucket=hour`, account);
          assert.equal(response.statusCode, 200, response.body);
          const insights = response.json();
          assert.equal(insights.countedPlays, 3);
          assert.equal(insights.plays, 3);
          assert.equal(insights.uniqueListeners, 2);
          assert.equal(insights.timeline.length, 48);
          assert.equal(
            insights.timeline.reduce((sum: number, bucket: { plays: number }) => sum + bucket.plays, 0),
            3,
          );
          assert.deepEqual(insights.topFans, [
            { rank: 1, address: address(fans[0]!), plays: 2 },
            { rank: 2, address: address(fans[1]!), plays: 1 },
          ]);
          assert.deepEqual(insights.bySource, [
            { source: 'web', plays: 1 },
            { source: 'cli', plays: 1 },
            { source: 'api', plays: 0 },
            { source: 'app', plays: 1 },
          ]);
          assert.ok(
            insights.timeline.every((bucket: object) => !('listeners' in bucket)),
            'no listeners per hour: they are kept per day',
          );
        }
      });

      it('counts distinct listeners per day in day buckets', async () => {
        const insights = (await get(`/api/v1/tracks/${trackId}/insights?bucket=day`, artist)).json();
        const day = (time: number) => Math.floor(time / DAY_MS) * DAY_MS;
        const expected = new Map<number, Set<number>>();
        for (const [fan, at] of [
          [0, playsAt],
          [0, playsAt + 1000],
          [1, playsAt + 2000],
        ] as const)
          expected.set(day(at), (expected.get(day(at)) ?? new Set()).add(fan));
        for (const bucket of insights.timeline as { at: number; plays: number; listeners: number }[]) {
          assert.equal(bucket.listeners, expected.get(bucket.at)?.size ?? 0, `day ${bucket.at}`);
        }
        assert.ok(insights.timeline.some((bucket: { listeners: number }) => bucket.listeners > 0));
      });

      it('names no fan who opted out, and counts them still', async () => {
        const anonymous = await inject({
          method: 'PUT',
          url: '/api/v1/me/privacy',
          payload: { hideFromTopFans: true },
        });
        assert.equal(anonymous.statusCode, 401);
        for (const payload of [{}, { hideFromTopFans: 'maybe' }, { hideFromTopFans: true, extra: 1 }]) {
          const response = await inject({
            method: 'PUT',
            url: '/api/v1/me/privacy',
            headers: auth(fans[0]!),
            payload,
          });
          assert.equal(response.statusCode, 400, JSON.stringify(payload));
          assert.equal(response.json().error.code, 'invalid_request');
        }
        const set = await inject({
          method: 'PUT',
          url: '/api/v1/me/privacy',
          headers: auth(fans[0]!),
          payload: { hideFromTopFans: true },
        });
        assert.equal(set.statusCode, 200, set.body);
        assert.equal(set.json().hideFromTopFans, true);
        assert.equal((await get('/api/v1/me/privacy', fans[0])).json().hideFromTopFans, true);
        const insights = (await get(`/api/v1/tracks/${trackId}/insights`, artist)).json();
        assert.deepEqual(insights.topFans, [
          { rank: 1, address: null, plays: 2 },
          { rank: 2, address: address(fans[1]!), plays: 1 },
        ]);
      });

      it('is for the artists only, and checks its range', async () => {
        assert.equal((await get(`/api/v1/tracks/${trackId}/insights`)).statusCode, 401);
        const other = await get(`/api/v1/tracks/${trackId}/insights`, stranger);
        assert.equal(other.statusCode, 403);
        assert.equal(other.json().error.code, 'forbidden');
        const hidden = await get(`/api/v1/tracks/${hiddenId}/insights`, stranger);
        assert.equal(hidden.statusCode, 404, 'a hidden track does not exist for them');
        assert.equal((await get('/api/v1/tracks/nope/insights', artist)).statusCode, 404);
        const now = Date.now();
        for (const query of [
          `from=${now}&to=${now - 1000}`,
          `from=0&to=${now}&bucket=hour`,
          'bucket=week',
          'from=-1',
          'to=abc',
        ]) {
          const response = await get(`/api/v1/tracks/${trackId}/insights?${query}`, artist);
          assert.equal(response.statusCode, 400, query);
          assert.ok(response.json().error.message.length > 10, query);
        }
      });

      it('streams new figures after each settlement', async () => {
        const refused = await get(`/api/v1/tracks/${trackId}/insights/live`, stranger);
        assert.equal(refused.statusCode, 403);
        const base = await test.node.app.listen({ host: '127.0.0.1', port: 0 });
        const controller = new AbortController();
        const response = await fetch(`${base}/api/v1/tracks/${trackId}/insights/live`, {
          headers: auth(artist),
          signal: controller.signal,
        });
        assert.equal(response.status, 200);
        assert.match(String(response.headers.get('content-type')), /^text\/event-stream/);
        const reader = response.body!.getReader();
        const decoder = new TextDecoder();
        let received = '';
        const readUntil = async (pattern: RegExp) => {
          const deadline = Date.now() + 10_000;
          while (!pattern.test(received)) {
            assert.ok(Date.now() < deadline, `no ${pattern} in ${received}`);
            const { value, done } = await reader.read();
            assert.ok(!done, 'the stream ended');
            received += decoder.decode(value, { stream: true });
          }
        };
        await readUntil(/event: insights\nid: \d+\ndata: .*"countedPlays":3.*\n\n/);
        const n = await settle([{ track: trackId, fan: 2, at: Date.now() }]);
        await readUntil(new RegExp(`event: insights\\nid: ${n}\\ndata: .*\\n\\n`));
        const data = JSON.parse(new RegExp(`id: ${n}\\ndata: (.*)\\n\\n`).exec(received)![1]!);
        assert.equal(data.countedPlays, 4);
        assert.equal(data.uniqueListeners, 3);
        controller.abort();
        await reader.cancel().catch(() => {});
      });
    });

    describe('share links', () => {
      before(async () => {
        const patched = await inject({
          method: 'PATCH',
          url: `/api/v1/tracks/${trackId}`,
          headers: auth(artist),
          payload: { title: NASTY_TITLE },
        });
        assert.equal(patched.statusCode, 200, patched.body);
      });

      it('serves a track page that unfurls, every value escaped', async () => {
        const page = await get(`/t/${trackId}`);
        assert.equal(page.statusCode, 200);
        assert.match(String(page.headers['content-type']), /^text\/html/);
        const body = page.body;
        assert.ok(!body.includes('<script>'), 'the title is escaped');
        assert.ok(!body.includes(`"Rain"`));
        const escaped = 'Neon &quot;Rain&quot; &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co';
        assert.ok(body.includes(`<meta property="og:title" content="${escaped}">`));
        assert.ok(body.includes('<meta property="og:type" content="music.song">'));
        assert.match(body, /<meta property="og:image" content="http[^"]+\/api\/v1\/blobs\/bafk[^"]+">/);
        assert.ok(body.includes(`content="${publicUrl}/api/v1/tracks/${trackId}/stream?format=preview"`));
        assert.ok(body.includes('<meta name="twitter:card" content="player">'));
        assert.ok(body.includes(`<meta name="twitter:player" content="${publicUrl}/embed/${trackId}">`));
        const oembedHref = `${publicUrl}/api/v1/oembed?url=${encodeURIComponent(`${publicUrl}/t/${trackId}`)}&amp;format=json`;
        assert.ok(
          body.includes(`<link rel="alternate" type="application/json+oembed" href="${oembedHref}"`),
          'oEmbed discovery',
        );
        assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
      });

      it('serves an embeddable player with the full stream of a free track', async () => {
        const embed = await get(`/embed/${trackId}`);
        assert.equal(embed.statusCode, 200);
        assert.ok(
          embed.body.includes(`<source src="${publicUrl}/api/v1/tracks/${trackId}/stream?format=opus"`),
        );
        assert.ok(embed.body.includes('<audio controls'));
        assert.ok(!embed.body.includes('<script>'));
        assert.match(String(embed.headers['content-security-policy']), /frame-ancestors \*/);
      });

      it('answers oEmbed with a rich iframe embed', async () => {
        const url = encodeURIComponent(`${publicUrl}/t/${trackId}`);
        const response = await get(`/api/v1/oembed?url=${url}&format=json&maxwidth=300`);
        assert.equal(response.statusCode, 200, response.body);
        const oembed = response.json();
        assert.equal(oembed.version, '1.0');
        assert.equal(oembed.type, 'rich');
        assert.equal(oembed.title, NASTY_TITLE);
        assert.equal(oembed.author_name, 'Glass Harbour');
        assert.equal(oembed.width, 300);
        assert.ok(oembed.html.startsWith(`<iframe src="${publicUrl}/embed/${trackId}" width="300"`));
        assert.ok(!oembed.html.includes('<script>'));
        assert.ok(oembed.thumbnail_url.includes('/api/v1/blobs/'));
        const embedUrl = await get(
          `/api/v1/oembed?url=${encodeURIComponent(`${publicUrl}/embed/${trackId}`)}`,
        );
        assert.equal(embedUrl.statusCode, 200);

        const xml = await get(`/api/v1/oembed?url=${url}&format=xml`);
        assert.equal(xml.statusCode, 501);
        for (const [query, status] of [
          ['', 400],
          ['url=not%20a%20url', 400],
          [`url=${url}&format=yaml`, 400],
          [`url=${url}&maxwidth=0`, 400],
          [`url=${encodeURIComponent(`https://elsewhere.example/t/${trackId}`)}`, 404],
          [`url=${encodeURIComponent(`${publicUrl}/tracks/${trackId}`)}`, 404],
          [`url=${encodeURIComponent(`${publicUrl}/t/${hiddenId}`)}`, 404],
        ] as const) {
          const refused = await get(`/api/v1/oembed?${query}`);
          assert.equal(refused.statusCode, status, query);
          assert.ok(refused.json().error.message, query);
        }
      });

      it('answers 404 without details for hidden, delisted and unknown tracks', async () => {
        const bare = async (url: string, account?: { address: string }) => {
          const response = await get(url, account);
          assert.equal(response.statusCode, 404, url);
          assert.ok(!response.body.includes('Neon'), url);
          assert.ok(!response.body.includes('Glass'), url);
          return response.body;
        };
        const pages = [
          await bare(`/t/${hiddenId}`),
          await bare(`/embed/${hiddenId}`),
          await bare(`/t/${hiddenId}`, artist),
          await bare('/t/unknown'),
          await bare('/embed/%3Cscript%3E'),
        ];
        assert.equal(new Set(pages).size, 1, 'all the same page');
        await test.node.db
          .updateTable('tracks')
          .set({ delisted_at: Date.now() })
          .where('id', '=', trackId)
          .execute();
        await bare(`/t/${trackId}`);
        await bare(`/embed/${trackId}`);
        const oembed = await get(`/api/v1/oembed?url=${encodeURIComponent(`${publicUrl}/t/${trackId}`)}`);
        assert.equal(oembed.statusCode, 404);
        assert.deepEqual((await get('/api/v1/search?q=neon')).json().tracks, [], 'nor in search');
        assert.deepEqual((await get('/api/v1/trending?window=day')).json().items, [], 'nor in trending');
        assert.deepEqual(
          (await get('/api/v1/releases')).json().tracks.map((track: { title: string }) => track.title),
          ['Old Tide'],
          'nor in new releases',
        );
        await test.node.db
          .updateTable('tracks')
          .set({ delisted_at: null })
          .where('id', '=', trackId)
          .execute();
      });
    });
  });
}
