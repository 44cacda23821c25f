import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { testDatabases } from '../testing/databases.ts';
import { newAccount, signIn, startTestNode, type TestNode } from '../testing/test-node.ts';
import { toneWav, uploadReadyTrack } from '../testing/tracks.ts';

const tones = await Promise.all([440, 495, 550, 620, 700].map((frequency) => toneWav(2, frequency)));
const fanTone = await toneWav(2, 800);

for (const database of testDatabases()) {
  describe(`playlists API on ${database.name}`, () => {
    let test: TestNode;
    const accounts = { artist: newAccount(), fan: newAccount(), stranger: newAccount() };
    const tokens = {} as Record<keyof typeof accounts, string>;
    /** The artist's tracks: t[0..3] public, t[4] hidden. */
    const t: string[] = [];
    let fanTrack: string;

    before(async () => {
      test = await startTestNode(database);
      for (const [name, account] of Object.entries(accounts))
        tokens[name as keyof typeof accounts] = await signIn(test.node, account);
      for (const [i, wav] of tones.entries()) {
        t.push(
          await uploadReadyTrack(
            test.node,
            tokens.artist,
            `Song ${i}`,
            wav,
            i === 4 ? { visibility: 'hidden' } : {},
          ),
        );
      }
      fanTrack = await uploadReadyTrack(test.node, tokens.fan, 'Fan song', fanTone);
    });
    after(() => test.close());

    const inject = (options: InjectOptions) => test.node.app.inject(options);
    const auth = (who: keyof typeof accounts) => ({ authorization: `Bearer ${tokens[who]}` });
    const create = (who: keyof typeof accounts, body: object) =>
      inject({ method: 'POST', url: '/api/v1/playlists', headers: auth(who), payload: body });
    const add = (who: keyof typeof accounts, id: string, body: object) =>
      inject({ method: 'POST', url: `/api/v1/playlists/${id}/tracks`, headers: auth(who), payload: body });
    const move = (who: keyof typeof accounts, id: string, trackId: string, position: unknown) =>
      inject({
        method: 'PATCH',
        url: `/api/v1/playlists/${id}/tracks/${trackId}`,
        headers: auth(who),
        payload: { position },
      });
    const get = (id: string, who?: keyof typeof accounts) =>
      inject({ method: 'GET', url: `/api/v1/playlists/${id}`, headers: who ? auth(who) : {} });
    const order = (playlist: { items: { track: { id: string }; position: number }[] }) =>
      playlist.items.map((item) => item.track.id);
    /** Positions as stored: always 0..n-1 whatever happened. */
    const storedPositions = async (id: string) =>
      (
        await test.node.db
          .selectFrom('playlist_tracks')
          .select(['track_id', 'position'])
          .where('playlist_id', '=', id)
          .orderBy('position')
          .execute()
      ).map((row) => Number(row.position));

    it('creates a playlist, adds tracks at the end or at a position, moves and removes them', async () => {
      const created = await create('fan', { title: '  Late night  ', description: 'for driving' });
      assert.equal(created.statusCode, 201, created.body);
      const playlist = created.json();
      assert.deepEqual(
        [playlist.title, playlist.kind, playlist.visibility, playlist.trackCount, playlist.items],
        ['Late night', 'playlist', 'public', 0, []],
      );
      for (const trackId of [t[0], t[1], fanTrack])
        assert.equal((await add('fan', playlist.id, { trackId })).statusCode, 200);
      const inserted = await add('fan', playlist.id, { trackId: t[2], position: 0 });
      assert.equal(inserted.statusCode, 200, inserted.body);
      assert.deepEqual(order(inserted.json()), [t[2], t[0], t[1], fanTrack]);
      assert.deepEqual(
        inserted.json().items.map((item: { position: number }) => item.position),
        [0, 1, 2, 3],
      );
      assert.equal(inserted.json().items[0].track.title, 'Song 2');

      const moved = await move('fan', playlist.id, t[2]!, 3);
      assert.equal(moved.statusCode, 200, moved.body);
      assert.deepEqual(order(moved.json()), [t[0], t[1], fanTrack, t[2]]);
      assert.deepEqual(order((await move('fan', playlist.id, fanTrack, 0)).json()), [
        fanTrack,
        t[0],
        t[1],
        t[2],
      ]);

      const removed = await inject({
        method: 'DELETE',
        url: `/api/v1/playlists/${playlist.id}/tracks/${t[0]}`,
        headers: auth('fan'),
      });
      assert.equal(removed.statusCode, 204);
      assert.deepEqual(order((await get(playlist.id)).json()), [fanTrack, t[1], t[2]]);
      assert.deepEqual(await storedPositions(playlist.id), [0, 1, 2]);

      const renamed = await inject({
        method: 'PATCH',
        url: `/api/v1/playlists/${playlist.id}`,
        headers: auth('fan'),
        payload: { title: 'Night drive', description: null },
      });
      assert.equal(renamed.statusCode, 200, renamed.body);
      assert.deepEqual([renamed.json().title, renamed.json().description], ['Night drive', null]);
    });

    it('refuses bad playlist input with a message saying what to fix, storing nothing', async () => {
      const count = async () => (await test.node.db.selectFrom('playlists').select('id').execute()).length;
      const before = await count();
      const cases: [object, string][] = [
        [{}, 'invalid_request'],
        [{ title: '' }, 'invalid_request'],
        [{ title: '   ' }, 'invalid_title'],
        [{ title: 'x'.repeat(201) }, 'invalid_request'],
        [{ title: 'ok', description: 'x'.repeat(5001) }, 'invalid_request'],
        [{ title: 'ok', kind: 'ep' }, 'invalid_request'],
        [{ title: 'ok', visibility: 'secret' }, 'invalid_request'],
        [{ title: 'ok', owner: accounts.stranger.address }, 'invalid_request'],
        [{ title: 'a\u0000b' }, 'invalid_title'],
      ];
      for (const [body, code] of cases) {
        const response = await create('fan', body);
        assert.equal(response.statusCode, 400, JSON.stringify(body));
        assert.equal(response.json().error.code, code, JSON.stringify(body));
        assert.ok(response.json().error.message.length > 10);
      }
      const anonymous = await inject({ method: 'POST', url: '/api/v1/playlists', payload: { title: 'x' } });
      assert.equal(anonymous.statusCode, 401);
      assert.equal(await count(), before);
    });

    it('refuses bad track edits: duplicates, positions out of range, unknown or hidden tracks', async () => {
      const playlist = (await create('fan', { title: 'Edits' })).json();
      assert.equal((await add('fan', playlist.id, { trackId: t[0] })).statusCode, 200);
      const refusals: [
        Promise<{ statusCode: number; json(): { error: { code: string; message: string } } }>,
        number,
        string,
      ][] = [
        [add('fan', playlist.id, { trackId: t[0] }), 409, 'already_in_playlist'],
        [add('fan', playlist.id, { trackId: t[1], position: 2 }), 400, 'invalid_position'],
        [add('fan', playlist.id, { trackId: t[1], position: -1 }), 400, 'invalid_request'],
        [add('fan', playlist.id, { trackId: 'no-such-track' }), 404, 'not_found'],
        [add('fan', playlist.id, { trackId: t[4] }), 404, 'not_found'],
        [add('fan', playlist.id, { trackId: '../x' }), 400, 'invalid_request'],
        [add('fan', playlist.id, {}), 400, 'invalid_request'],
        [move('fan', playlist.id, t[0]!, 1), 400, 'invalid_position'],
        [move('fan', playlist.id, t[0]!, 'first'), 400, 'invalid_request'],
        [move('fan', playlist.id, t[1]!, 0), 404, 'not_found'],
        [add('stranger', playlist.id, { trackId: t[1] }), 403, 'forbidden'],
        [move('stranger', playlist.id, t[0]!, 0), 403, 'forbidden'],
        [add('fan', 'no-such-playlist', { trackId: t[1] }), 404, 'not_found'],
      ];
      for (const [pending, status, code] of refusals) {
        const response = await pending;
        assert.equal(response.statusCode, status, JSON.stringify(response.json()));
        assert.equal(response.json().error.code, code);
      }
      assert.match(
        (await add('fan', playlist.id, { trackId: t[1], position: 2 })).json().error.message,
        /from 0 to 1/,
      );
      assert.deepEqual(order((await get(playlist.id)).json()), [t[0]]);
      for (const [method, payload] of [
        ['PATCH', { title: 'mine' }],
        ['DELETE', undefined],
      ] as const) {
        const response = await inject({
          method,
          url: `/api/v1/playlists/${playlist.id}`,
          headers: auth('stranger'),
          ...(payload && { payload }),
        });
        assert.equal(response.statusCode, 403);
      }
      const empty = await inject({
        method: 'PATCH',
        url: `/api/v1/playlists/${playlist.id}`,
        headers: auth('fan'),
        payload: {},
      });
      assert.equal(empty.json().error.code, 'empty_update');
    });

    it('makes an album of its artist’s own tracks only', async () => {
      const album = (await create('artist', { title: 'First LP', kind: 'album' })).json();
      assert.equal(album.kind, 'album');
      assert.equal((await add('artist', album.id, { trackId: t[0] })).statusCode, 200);
      assert.equal(
        (await add('artist', album.id, { trackId: t[4] })).statusCode,
        200,
        'their hidden track too',
      );
      const foreign = await add('artist', album.id, { trackId: fanTrack });
      assert.equal(foreign.statusCode, 422);
      assert.equal(foreign.json().error.code, 'not_own_track');
      // Others see the album without the hidden track; its artist sees everything.
      assert.deepEqual(order((await get(album.id)).json()), [t[0]]);
      assert.deepEqual(order((await get(album.id, 'artist')).json()), [t[0], t[4]]);
      assert.equal((await get(album.id)).json().trackCount, 1);
    });

    it('keeps hidden playlists to their owner, in views and in listings', async () => {
      const hidden = (await create('fan', { title: 'Guilty pleasures', visibility: 'hidden' })).json();
      assert.equal((await get(hidden.id)).statusCode, 404);
      assert.equal((await get(hidden.id, 'stranger')).statusCode, 404);
      assert.equal((await get(hidden.id, 'fan')).statusCode, 200);
      const byStranger = await add('stranger', hidden.id, { trackId: t[0] });
      assert.equal(byStranger.statusCode, 404, 'a hidden playlist does not exist for others');

      const listing = (who?: keyof typeof accounts, query = '') =>
        inject({
          method: 'GET',
          url: `/api/v1/playlists?owner=${accounts.fan.address}${query}`,
          headers: who ? auth(who) : {},
        });
      const forOthers = (await listing('stranger')).json().playlists.map((p: { id: string }) => p.id);
      const forOwner = (await listing('fan')).json().playlists.map((p: { id: string }) => p.id);
      assert.ok(!forOthers.includes(hidden.id));
      assert.ok(forOwner.includes(hidden.id));
      assert.equal(forOwner.length, forOthers.length + 1);
      assert.ok(forOwner[0] === hidden.id, 'newest first');

      const albums = (
        await inject({ method: 'GET', url: `/api/v1/playlists?owner=${accounts.artist.address}&kind=album` })
      ).json().playlists;
      assert.ok(albums.length >= 1 && albums.every((p: { kind: string }) => p.kind === 'album'));
    });

    it('pages listings with signed cursors and refuses tampered ones', async () => {
      for (let i = 0; i < 3; i++) await create('stranger', { title: `Mix ${i}` });
      const url = `/api/v1/playlists?owner=${accounts.stranger.address}&limit=2`;
      const first = (await inject({ method: 'GET', url })).json();
      assert.equal(first.playlists.length, 2);
      const second = (await inject({ method: 'GET', url: `${url}&cursor=${first.nextCursor}` })).json();
      assert.deepEqual(
        second.playlists.map((p: { title: string }) => p.title),
        ['Mix 0'],
      );
      assert.equal(second.nextCursor, null);
      const [payload] = (first.nextCursor as string).split('.');
      for (const cursor of [`${payload}.AAAAAAAAAAAAAAAAAAAAAA`, 'garbage']) {
        const refused = await inject({ method: 'GET', url: `${url}&cursor=${cursor}` });
        assert.equal(refused.statusCode, 400);
        assert.equal(refused.json().error.code, 'invalid_cursor');
      }
      const otherOwner = await inject({
        method: 'GET',
        url: `/api/v1/playlists?owner=${accounts.fan.address}&cursor=${first.nextCursor}`,
      });
      assert.equal(
        otherOwner.json().error.code,
        'invalid_cursor',
        "one owner's cursor does not page another's",
      );
      assert.equal((await inject({ method: 'GET', url: '/api/v1/playlists' })).statusCode, 400);
      assert.equal((await inject({ method: 'GET', url: '/api/v1/playlists?owner=bob' })).statusCode, 400);
    });

    it('leaves out tracks the viewer may not see, and counts only what they see', async () => {
      const playlist = (await create('artist', { title: 'Works in progress' })).json();
      for (const trackId of [t[0], t[4], t[1]]) await add('artist', playlist.id, { trackId });
      const forStranger = (await get(playlist.id, 'stranger')).json();
      assert.deepEqual(order(forStranger), [t[0], t[1]]);
      assert.deepEqual(
        forStranger.items.map((item: { position: number }) => item.position),
        [0, 2],
      );
      assert.equal(forStranger.trackCount, 2);
      const summary = (
        await inject({ method: 'GET', url: `/api/v1/playlists?owner=${accounts.artist.address}` })
      )
        .json()
        .playlists.find((p: { id: string }) => p.id === playlist.id);
      assert.equal(summary.trackCount, 2);
      const ownSummary = (
        await inject({
          method: 'GET',
          url: `/api/v1/playlists?owner=${accounts.artist.address}`,
          headers: auth('artist'),
        })
      )
        .json()
        .playlists.find((p: { id: string }) => p.id === playlist.id);
      assert.equal(ownSummary.trackCount, 3);
    });

    it('keeps positions consistent under concurrent edits', async () => {
      const playlist = (await create('artist', { title: 'Contended' })).json();
      const tracks = [t[0]!, t[1]!, t[2]!, t[3]!, t[4]!];
      // Everything at once: adds at the front and at the end, then moves racing more moves.
      const adds = await Promise.all(
        tracks.map((trackId, i) =>
          add('artist', playlist.id, { trackId, ...(i % 2 === 0 && { position: 0 }) }),
        ),
      );
      assert.deepEqual(
        adds.map((response) => response.statusCode),
        [200, 200, 200, 200, 200],
      );
      const moves = await Promise.all(
        tracks.flatMap((trackId, i) => [
          move('artist', playlist.id, trackId, (i * 3) % 5),
          move('artist', playlist.id, trackId, 0),
        ]),
      );
      assert.ok(moves.every((response) => response.statusCode === 200));
      const twice = await Promise.all([
        add('artist', playlist.id, { trackId: fanTrack }),
        add('artist', playlist.id, { trackId: fanTrack }),
      ]);
      assert.deepEqual(twice.map((response) => response.statusCode).sort(), [200, 409]);
      assert.deepEqual(await storedPositions(playlist.id), [0, 1, 2, 3, 4, 5]);
      assert.deepEqual(
        [...order((await get(playlist.id, 'artist')).json())].sort(),
        [...tracks, fanTrack].sort(),
      );
    });

    it('drops a deleted track from playlists and closes the gap on the next edit; deletes playlists', async () => {
      const extra = await uploadReadyTrack(test.node, tokens.fan, 'Short-lived', await toneWav(2, 900));
      const playlist = (await create('fan', { title: 'Ephemeral' })).json();
      for (const trackId of [t[0], extra, t[1]]) await add('fan', playlist.id, { trackId });
      const deleted = await inject({
        method: 'DELETE',
        url: `/api/v1/tracks/${extra}`,
        headers: auth('fan'),
      });
      assert.equal(deleted.statusCode, 204);
      assert.deepEqual(order((await get(playlist.id)).json()), [t[0], t[1]]);
      assert.equal((await move('fan', playlist.id, t[1]!, 0)).statusCode, 200);
      assert.deepEqual(await storedPositions(playlist.id), [0, 1]);

      const gone = await inject({
        method: 'DELETE',
        url: `/api/v1/playlists/${playlist.id}`,
        headers: auth('fan'),
      });
      assert.equal(gone.statusCode, 204);
      assert.equal((await get(playlist.id, 'fan')).statusCode, 404);
      assert.deepEqual(await storedPositions(playlist.id), []);
      assert.equal((await get(t[0]!)).statusCode, 404, 'a playlist id is not a track id');
      assert.equal((await inject({ method: 'GET', url: `/api/v1/tracks/${t[0]}` })).statusCode, 200);
    });
  });
}
