// Profiles, follows, reposts, favorites, the feed and notifications through the HTTP API, on a real
// node (real database, blob store, media pipeline), on SQLite and on Postgres.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import sharp from 'sharp';
import { generateTone, tempDir } from '../media/fixtures.ts';
import { testDatabases } from '../testing/databases.ts';
import {
  filePart,
  multipart,
  newAccount,
  signIn,
  startTestNode,
  type TestNode,
} from '../testing/test-node.ts';

const fixtures = await tempDir();
const png = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#aa3366' } })
  .png()
  .toBuffer();
const otherPng = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#33aa66' } })
  .png()
  .toBuffer();
/** Distinct audio per upload: the node refuses the same audio twice from one artist. */
const tones = await Promise.all(
  [2, 3, 4].map(async (seconds) =>
    readFile(await generateTone(join(fixtures, `tone-${seconds}.wav`), { seconds, channels: 2 })),
  ),
);

for (const database of testDatabases()) {
  describe(`social API on ${database.name}`, () => {
    let test: TestNode;
    const artist = newAccount();
    const fan = newAccount();
    const stranger = newAccount();
    const [artistAddress, fanAddress, strangerAddress] = [artist, fan, stranger].map((a) =>
      a.address.toLowerCase(),
    ) as [string, string, string];
    const tokens = new Map<string, string>();
    let publicTrack: string;
    let hiddenTrack: string;
    let strangerTrack: string;

    before(async () => {
      test = await startTestNode(
        database,
        {},
        { uploadLimits: { audioBytes: 4 * 1024 * 1024, imageBytes: 256 * 1024 } },
      );
      for (const account of [artist, fan, stranger])
        tokens.set(account.address.toLowerCase(), await signIn(test.node, account));
    });
    after(() => test.close());

    const inject = (options: InjectOptions) => test.node.app.inject(options);
    const as = (address: string) => ({ authorization: `Bearer ${tokens.get(address)}` });
    const get = async (url: string, who?: string) => {
      const response = await inject({ method: 'GET', url, headers: who ? as(who) : {} });
      assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
      return response.json();
    };
    const refusal = async (options: InjectOptions, status: number, code: string) => {
      const response = await inject(options);
      assert.equal(response.statusCode, status, `${options.method} ${options.url}: ${response.body}`);
      const { error } = response.json();
      assert.equal(error.code, code, error.message);
      assert.ok(error.message.length > 10, 'the message says what to fix');
      return error.message as string;
    };
    const putProfile = (who: string, payload: unknown) =>
      inject({ method: 'PUT', url: '/api/v1/me/profile', headers: as(who), payload: payload as object });
    async function upload(who: string, title: string, audio: Buffer, visibility = 'public') {
      const body = await multipart([
        { name: 'title', value: title },
        { name: 'visibility', value: visibility },
        filePart('audio', `${title}.wav`, audio, 'audio/wav'),
      ]);
      const response = await inject({
        method: 'POST',
        url: '/api/v1/tracks',
        payload: body.payload,
        headers: { ...body.headers, ...as(who) },
      });
      assert.equal(response.statusCode, 202, response.body);
      return response.json().id as string;
    }
    async function avatarUpload(who: string, parts: Parameters<typeof multipart>[0]) {
      const body = await multipart(parts);
      return inject({
        method: 'POST',
        url: '/api/v1/me/avatar',
        payload: body.payload,
        headers: { ...body.headers, ...as(who) },
      });
    }
    async function blobCount() {
      const names = await readdir(join(test.dataDir, 'blobs'), { recursive: true }).catch(() => []);
      return names.filter((name) => name.includes('bafk')).length;
    }
    const local = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');

    describe('profiles', () => {
      it('gives every address a page, bare without a profile, and refuses what is neither handle nor address', async () => {
        const bare = await get(`/api/v1/users/${stranger.address}`);
        assert.deepEqual(
          [bare.address, bare.handle, bare.displayName, bare.bio, bare.links, bare.avatar],
          [strangerAddress, null, null, null, [], []],
        );
        assert.deepEqual([bare.followers, bare.following, bare.followedByViewer], [0, 0, false]);
        assert.deepEqual([bare.tracks.items, bare.reposts.items], [[], []]);
        await refusal({ method: 'GET', url: '/api/v1/users/nobody_here' }, 404, 'not_found');
        await refusal({ method: 'GET', url: '/api/v1/users/bad!name' }, 400, 'invalid_user');
        await refusal({ method: 'GET', url: `/api/v1/users/0x${'z'.repeat(40)}` }, 400, 'invalid_user');
      });

      it('sets a handle, name, bio and links; finds the profile by handle in any case', async () => {
        await refusal(
          { method: 'PUT', url: '/api/v1/me/profile', payload: { displayName: 'x' } },
          401,
          'unauthorized',
        );
        const response = await putProfile(artistAddress, {
          handle: 'NightOwl',
          displayName: '  Night Owl ',
          bio: 'Synths at night.\nDays off.',
          links: [{ label: 'Site', url: 'https://nightowl.example' }],
        });
        assert.equal(response.statusCode, 200, response.body);
        assert.deepEqual(response.json(), {
          address: artistAddress,
          handle: 'NightOwl',
          displayName: 'Night Owl',
          avatar: [],
          bio: 'Synths at night.\nDays off.',
          links: [{ label: 'Site', url: 'https://nightowl.example/' }],
        });
        for (const name of ['NightOwl', 'nightowl', 'NIGHTOWL', artistAddress, artist.address]) {
          const page = await get(`/api/v1/users/${name}`);
          assert.equal(page.address, artistAddress, name);
          assert.equal(page.handle, 'NightOwl');
        }
        // Absent fields stay; null removes one.
        const partial = await putProfile(artistAddress, { displayName: null });
        assert.equal(partial.statusCode, 200, partial.body);
        assert.deepEqual(
          [partial.json().handle, partial.json().displayName, partial.json().bio.length],
          ['NightOwl', null, 26],
        );
        assert.equal((await putProfile(artistAddress, { displayName: 'Night Owl' })).statusCode, 200);
        assert.equal(
          (await putProfile(fanAddress, { handle: 'fan.one', displayName: 'Fan' })).statusCode,
          200,
        );
      });

      it("refuses someone else's handle with 409, whatever its case, and changes nothing", async () => {
        const message = await refusal(
          {
            method: 'PUT',
            url: '/api/v1/me/profile',
            headers: as(fanAddress),
            payload: { handle: 'NIGHTOWL', bio: 'mine' },
          },
          409,
          'handle_taken',
        );
        assert.match(message, /someone else/);
        const fanPage = await get(`/api/v1/users/${fanAddress}`);
        assert.deepEqual([fanPage.handle, fanPage.bio], ['fan.one', null]);
        // Your own handle in another case is yours to restyle.
        assert.equal((await putProfile(artistAddress, { handle: 'nightOWL' })).json().handle, 'nightOWL');
        assert.equal((await putProfile(artistAddress, { handle: 'NightOwl' })).statusCode, 200);
      });

      it('finds accounts by the start of their handle, most followed first', async () => {
        const found = await get('/api/v1/search?type=users&q=%40night');
        assert.equal(found.type, 'users');
        assert.deepEqual(found.tracks, []);
        assert.deepEqual(
          found.users.map((user: { address: string; handle: string }) => [user.address, user.handle]),
          [[artistAddress, 'NightOwl']],
        );
        assert.deepEqual(
          (await get('/api/v1/search?type=users&q=FAN.')).users.map((u: { handle: string }) => u.handle),
          ['fan.one'],
        );
        assert.deepEqual((await get('/api/v1/search?type=users&q=night%20owl')).users, []);
        await refusal(
          { method: 'GET', url: `/api/v1/search?type=users&q=${'a'.repeat(31)}` },
          400,
          'invalid_query',
        );
        await refusal(
          { method: 'GET', url: '/api/v1/search?type=users&q=n&cursor=abc.def' },
          400,
          'invalid_cursor',
        );
      });

      it('finds a handle typed with a typo, after the handles that start with what was typed', async () => {
        const handles = async (q: string) =>
          (await get(`/api/v1/search?type=users&q=${q}`)).users.map(
            (user: { handle: string }) => user.handle,
          );
        // One letter replaced, two swapped, one missing: still NightOwl.
        assert.deepEqual(await handles('nightpwl'), ['NightOwl']);
        assert.deepEqual(await handles('%40nigthowl'), ['NightOwl']);
        assert.deepEqual(await handles('nghtowl'), ['NightOwl']);
        assert.deepEqual(await handles('fsn.one'), ['fan.one']);
        // Too short to correct (under 3 characters): only exact starts.
        assert.deepEqual(await handles('ng'), []);

        assert.equal((await putProfile(strangerAddress, { handle: 'nightcow' })).statusCode, 200);
        // Exact starts first; then handles whose start is an edit or two away.
        assert.deepEqual(await handles('nightc'), ['nightcow', 'NightOwl']);
        assert.deepEqual(await handles('nighto'), ['NightOwl', 'nightcow']);
        // The typed text starts no handle: both are one edit away, equally followed, by handle.
        assert.deepEqual(await handles('nigth'), ['nightcow', 'NightOwl']);
        // The fuzzy block pages on from the exact matches with the same signed cursors.
        const first = await get('/api/v1/search?type=users&q=nighto&limit=1');
        assert.deepEqual(
          first.users.map((user: { handle: string }) => user.handle),
          ['NightOwl'],
        );
        const second = await get(`/api/v1/search?type=users&q=nighto&limit=1&cursor=${first.nextCursor}`);
        assert.deepEqual(
          [second.users.map((user: { handle: string }) => user.handle), second.nextCursor],
          [['nightcow'], null],
        );
        await refusal(
          { method: 'GET', url: `/api/v1/search?type=users&q=nightc&limit=1&cursor=${first.nextCursor}` },
          400,
          'invalid_cursor',
        );

        // A changed handle is found by its new name, typos included, and no longer by the old one.
        assert.equal((await putProfile(strangerAddress, { handle: 'DayBird' })).statusCode, 200);
        assert.deepEqual(await handles('daybrid'), ['DayBird']);
        assert.deepEqual(await handles('nightcpw'), ['NightOwl']);
        assert.deepEqual(await handles('nightc'), ['NightOwl']);
        // Renaming leaves other fields alone, and other fields leave the handle's index alone.
        assert.equal((await putProfile(strangerAddress, { bio: 'Mornings.' })).statusCode, 200);
        assert.deepEqual(await handles('daybrid'), ['DayBird']);
        // A removed handle is found by no spelling.
        assert.equal((await putProfile(strangerAddress, { handle: null, bio: null })).statusCode, 200);
        assert.deepEqual(await handles('daybrid'), []);
        assert.deepEqual(await handles('daybird'), []);
        assert.equal((await get(`/api/v1/users/${strangerAddress}`)).handle, null);

        for (const q of ['%40', `${'nigthowl'.repeat(4)}`, '%20%20']) {
          await refusal({ method: 'GET', url: `/api/v1/search?type=users&q=${q}` }, 400, 'invalid_query');
        }
        await refusal(
          { method: 'GET', url: '/api/v1/search?type=users&q=nigth&cursor=abc.def' },
          400,
          'invalid_cursor',
        );
      });

      const badProfiles: [string, unknown, number, string][] = [
        ['a reserved handle', { handle: 'Admin' }, 400, 'reserved_handle'],
        ['another reserved handle', { handle: 'fairstream' }, 400, 'reserved_handle'],
        ['a handle with a space', { handle: 'night owl' }, 400, 'invalid_handle'],
        ['a handle starting with a dot', { handle: '.owl' }, 400, 'invalid_handle'],
        ['a two-letter handle', { handle: 'ab' }, 400, 'invalid_handle'],
        ['a 31-character handle', { handle: 'a'.repeat(31) }, 400, 'invalid_handle'],
        ['a handle of 10,000 characters', { handle: 'a'.repeat(10_000) }, 400, 'invalid_request'],
        ['a blank display name', { displayName: '   ' }, 400, 'invalid_display_name'],
        ['a two-line display name', { displayName: 'a\nb' }, 400, 'invalid_display_name'],
        ['a bio of 1001 characters', { bio: 'x'.repeat(1001) }, 400, 'invalid_bio'],
        [
          'six links',
          { links: Array(6).fill({ label: 'x', url: 'https://example.com' }) },
          400,
          'invalid_links',
        ],
        ['a javascript: link', { links: [{ label: 'x', url: 'javascript:alert(1)' }] }, 400, 'invalid_links'],
        [
          'a link without a label',
          { links: [{ label: '', url: 'https://example.com' }] },
          400,
          'invalid_links',
        ],
        ['an unknown field', { handle: 'owl2', website: 'x' }, 400, 'invalid_request'],
        ['an object for a handle', { handle: { name: 'owl' } }, 400, 'invalid_request'],
        ['a number for a handle', { handle: 42 }, 400, 'invalid_handle'],
        ['an empty object', {}, 400, 'empty_update'],
        ['a JSON array', [], 400, 'invalid_request'],
        ['a body of 100 kB', { bio: 'x'.repeat(100_000) }, 413, 'payload_too_large'],
      ];
      for (const [name, payload, status, code] of badProfiles) {
        it(`refuses ${name} with ${status} ${code}, changing nothing`, async () => {
          const before = await get(`/api/v1/users/${artistAddress}`);
          await refusal(
            {
              method: 'PUT',
              url: '/api/v1/me/profile',
              headers: as(artistAddress),
              payload: payload as object,
            },
            status,
            code,
          );
          assert.deepEqual(await get(`/api/v1/users/${artistAddress}`), before);
        });
      }

      it('refuses a body that is not JSON, or empty, with a 400 that says why', async () => {
        for (const payload of ['{"handle": ', '', 'handle=owl']) {
          const response = await inject({
            method: 'PUT',
            url: '/api/v1/me/profile',
            headers: { ...as(artistAddress), 'content-type': 'application/json' },
            payload,
          });
          assert.equal(response.statusCode, 400, `${JSON.stringify(payload)}: ${response.body}`);
          assert.ok(response.json().error.message.length > 10);
        }
        const noBody = await inject({ method: 'PUT', url: '/api/v1/me/profile', headers: as(artistAddress) });
        assert.equal(noBody.statusCode, 400, noBody.body);
      });

      it('stores an avatar at 150 and 480 px in WebP and JPEG, serves it publicly, and replaces it', async () => {
        const response = await avatarUpload(artistAddress, [filePart('avatar', 'me.png', png, 'image/png')]);
        assert.equal(response.statusCode, 200, response.body);
        const avatar = response.json().avatar as { variant: string; mime: string; url: string }[];
        assert.deepEqual(avatar.map((image) => image.variant).sort(), [
          '150.jpeg',
          '150.webp',
          '480.jpeg',
          '480.webp',
        ]);
        for (const image of avatar) {
          const blob = await inject({ method: 'GET', url: local(image.url) });
          assert.equal(blob.statusCode, 200);
          assert.equal(blob.headers['content-type'], image.mime);
          assert.equal(blob.headers['cache-control'], 'public, max-age=31536000, immutable');
          const metadata = await sharp(blob.rawPayload).metadata();
          assert.equal(
            metadata.width,
            Number(image.variant.split('.')[0]) === 480 ? 400 : 150,
            'square, never upscaled',
          );
          assert.equal(metadata.width, metadata.height);
        }
        assert.deepEqual((await get('/api/v1/users/nightowl')).avatar, avatar);

        const replaced = await avatarUpload(artistAddress, [
          filePart('avatar', 'new.png', otherPng, 'image/png'),
        ]);
        assert.equal(replaced.statusCode, 200, replaced.body);
        assert.notDeepEqual(replaced.json().avatar, avatar);
        assert.equal(
          (await inject({ method: 'GET', url: local(avatar[0]!.url) })).statusCode,
          404,
          'old blobs are gone',
        );
      });

      const badAvatars: [string, () => Promise<Parameters<typeof multipart>[0]>, number, string][] = [
        [
          'a file that is not an image',
          async () => [filePart('avatar', 'me.png', Buffer.from('hello, not a picture'))],
          422,
          'not_image',
        ],
        [
          'an SVG',
          async () => [
            filePart(
              'avatar',
              'me.svg',
              Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200"/>'),
            ),
          ],
          422,
          'not_image',
        ],
        [
          'an image over the size limit',
          async () => [filePart('avatar', 'big.png', Buffer.alloc(300 * 1024))],
          413,
          'payload_too_large',
        ],
        [
          'a tiny image',
          async () => [
            filePart(
              'avatar',
              'tiny.png',
              await sharp({ create: { width: 20, height: 20, channels: 3, background: '#000' } })
                .png()
                .toBuffer(),
            ),
          ],
          422,
          'image_too_small',
        ],
        [
          'a file under another name',
          async () => [filePart('cover', 'me.png', png)],
          400,
          'unknown_file_field',
        ],
        ['no file', async () => [{ name: 'caption', value: 'me' }], 400, 'missing_avatar'],
        [
          'two files',
          async () => [filePart('avatar', 'a.png', png), filePart('avatar', 'b.png', png)],
          400,
          'too_many_files',
        ],
      ];
      for (const [name, parts, status, code] of badAvatars) {
        it(`refuses ${name} as an avatar with ${status} ${code}, keeping the current one`, async () => {
          const before = (await get(`/api/v1/users/${artistAddress}`)).avatar;
          const blobs = await blobCount();
          const response = await avatarUpload(artistAddress, await parts());
          assert.equal(response.statusCode, status, response.body);
          assert.equal(response.json().error.code, code);
          if (code === 'not_image') assert.match(response.json().error.message, /avatar/);
          assert.deepEqual((await get(`/api/v1/users/${artistAddress}`)).avatar, before);
          assert.equal(await blobCount(), blobs);
        });
      }

      it('refuses an avatar that is not multipart, or without a session', async () => {
        await refusal(
          { method: 'POST', url: '/api/v1/me/avatar', headers: as(artistAddress), payload: { avatar: 'x' } },
          415,
          'not_multipart',
        );
        const body = await multipart([filePart('avatar', 'me.png', png)]);
        await refusal(
          { method: 'POST', url: '/api/v1/me/avatar', headers: body.headers, payload: body.payload },
          401,
          'unauthorized',
        );
      });

      it('removes an avatar and its blobs', async () => {
        assert.equal(
          (await avatarUpload(fanAddress, [filePart('avatar', 'fan.png', otherPng)])).statusCode,
          200,
        );
        const { avatar } = await get(`/api/v1/users/${fanAddress}`);
        const response = await inject({
          method: 'DELETE',
          url: '/api/v1/me/avatar',
          headers: as(fanAddress),
        });
        assert.equal(response.statusCode, 204);
        assert.deepEqual((await get(`/api/v1/users/${fanAddress}`)).avatar, []);
        // The artist uses the same picture: shared blobs stay.
        assert.equal((await inject({ method: 'GET', url: local(avatar[0].url) })).statusCode, 200);
        assert.equal(
          (await inject({ method: 'DELETE', url: '/api/v1/me/avatar', headers: as(fanAddress) })).statusCode,
          204,
        );
      });
    });

    describe('follows', () => {
      it('follows idempotently, by handle or address, and counts once', async () => {
        for (let i = 0; i < 2; i++) {
          const response = await inject({
            method: 'PUT',
            url: '/api/v1/users/NIGHTOWL/follow',
            headers: as(fanAddress),
          });
          assert.equal(response.statusCode, 200, response.body);
          assert.deepEqual(response.json(), { address: artistAddress, following: true, followers: 1 });
        }
        const byAddress = await inject({
          method: 'PUT',
          url: `/api/v1/users/${artist.address}/follow`,
          headers: as(fanAddress),
        });
        assert.deepEqual(byAddress.json().followers, 1);
        const page = await get('/api/v1/users/nightowl', fanAddress);
        assert.deepEqual([page.followers, page.following, page.followedByViewer], [1, 0, true]);
        assert.equal((await get('/api/v1/users/nightowl')).followedByViewer, false);
        assert.equal((await get(`/api/v1/users/${fanAddress}`)).following, 1);
        // An address that never signed in can be followed too.
        const bare = await inject({
          method: 'PUT',
          url: `/api/v1/users/${stranger.address}/follow`,
          headers: as(fanAddress),
        });
        assert.equal(bare.statusCode, 200, bare.body);
      });

      it('refuses following yourself, unknown handles, and anyone without a session', async () => {
        for (const name of ['NightOwl', artist.address]) {
          await refusal(
            { method: 'PUT', url: `/api/v1/users/${name}/follow`, headers: as(artistAddress) },
            400,
            'cannot_follow_self',
          );
        }
        await refusal(
          { method: 'PUT', url: '/api/v1/users/no_such_user/follow', headers: as(fanAddress) },
          404,
          'not_found',
        );
        await refusal(
          { method: 'PUT', url: '/api/v1/users/bad%20name/follow', headers: as(fanAddress) },
          400,
          'invalid_user',
        );
        await refusal({ method: 'PUT', url: '/api/v1/users/nightowl/follow' }, 401, 'unauthorized');
        await refusal({ method: 'DELETE', url: '/api/v1/users/nightowl/follow' }, 401, 'unauthorized');
        assert.equal((await get(`/api/v1/users/${artistAddress}`)).following, 0);
      });

      it('lists followers and following newest first, page by page, and refuses foreign or tampered cursors', async () => {
        const following = await get(`/api/v1/users/${fanAddress}/following`);
        assert.deepEqual(
          following.users.map((user: { address: string }) => user.address),
          [strangerAddress, artistAddress],
        );
        assert.equal(following.users[1].handle, 'NightOwl');
        assert.equal(following.users[1].avatar.length, 4);
        const first = await get(`/api/v1/users/${fanAddress}/following?limit=1`);
        assert.equal(first.users.length, 1);
        assert.ok(first.nextCursor);
        const second = await get(`/api/v1/users/${fanAddress}/following?limit=1&cursor=${first.nextCursor}`);
        assert.deepEqual(
          second.users.map((user: { address: string }) => user.address),
          [artistAddress],
        );
        const followers = await get('/api/v1/users/nightowl/followers', fanAddress);
        assert.deepEqual(
          followers.users.map((user: { address: string; handle: string; followedByViewer: boolean }) => [
            user.address,
            user.handle,
            user.followedByViewer,
          ]),
          [[fanAddress, 'fan.one', false]],
        );
        const [payload, tag] = first.nextCursor.split('.');
        const tampered = `${Buffer.from(JSON.stringify([Date.now(), artistAddress])).toString('base64url')}.${tag}`;
        for (const cursor of [tampered, `${payload}.${'A'.repeat(22)}`, 'garbage']) {
          await refusal(
            { method: 'GET', url: `/api/v1/users/${fanAddress}/following?cursor=${cursor}` },
            400,
            'invalid_cursor',
          );
        }
        // A cursor only works on the list that made it.
        await refusal(
          { method: 'GET', url: `/api/v1/users/${artistAddress}/following?cursor=${first.nextCursor}` },
          400,
          'invalid_cursor',
        );
        await refusal(
          { method: 'GET', url: `/api/v1/users/${fanAddress}/followers?limit=0` },
          400,
          'invalid_request',
        );
      });

      it('unfollows idempotently', async () => {
        for (let i = 0; i < 2; i++) {
          const response = await inject({
            method: 'DELETE',
            url: `/api/v1/users/${strangerAddress}/follow`,
            headers: as(fanAddress),
          });
          assert.equal(response.statusCode, 204);
        }
        assert.deepEqual(
          (await get(`/api/v1/users/${fanAddress}/following`)).users.map(
            (user: { address: string }) => user.address,
          ),
          [artistAddress],
        );
        assert.equal((await get(`/api/v1/users/${strangerAddress}`)).followers, 0);
      });
    });

    describe('reposts and favorites', () => {
      before(async () => {
        publicTrack = await upload(artistAddress, 'Daylight', tones[0]!);
        hiddenTrack = await upload(artistAddress, 'Secret', tones[1]!, 'hidden');
        strangerTrack = await upload(strangerAddress, 'Elsewhere', tones[2]!);
        await test.node.worker?.idle();
      });

      it('reposts and favorites idempotently, counted on the track, with what the viewer did', async () => {
        for (const kind of ['repost', 'favorite']) {
          for (let i = 0; i < 2; i++) {
            const response = await inject({
              method: 'PUT',
              url: `/api/v1/tracks/${publicTrack}/${kind}`,
              headers: as(fanAddress),
            });
            assert.equal(response.statusCode, 200, response.body);
            assert.deepEqual(response.json(), {
              trackId: publicTrack,
              reposts: 1,
              favorites: kind === 'favorite' ? 1 : 0,
              reposted: true,
              favorited: kind === 'favorite',
            });
          }
        }
        assert.deepEqual((await get(`/api/v1/tracks/${publicTrack}`, fanAddress)).social, {
          reposts: 1,
          favorites: 1,
          reposted: true,
          favorited: true,
        });
        assert.deepEqual((await get(`/api/v1/tracks/${publicTrack}`)).social, {
          reposts: 1,
          favorites: 1,
          reposted: false,
          favorited: false,
        });
        for (const kind of ['reposters', 'favoriters']) {
          const list = await get(`/api/v1/tracks/${publicTrack}/${kind}`);
          assert.deepEqual(
            list.users.map((user: { address: string }) => user.address),
            [fanAddress],
          );
        }
        for (const kind of ['reposts', 'favorites']) {
          const list = await get(`/api/v1/users/fan.one/${kind}`);
          assert.deepEqual(
            list.items.map((item: { track: { id: string } }) => item.track.id),
            [publicTrack],
          );
          assert.equal(list.items[0].track.social.reposts, 1);
        }
      });

      it('answers 404 for a hidden track without access, exactly as for an unknown one', async () => {
        const unknown = 'NoSuchTrack1';
        for (const [method, suffix] of [
          ['PUT', 'repost'],
          ['DELETE', 'repost'],
          ['PUT', 'favorite'],
          ['DELETE', 'favorite'],
          ['GET', 'reposters'],
          ['GET', 'favoriters'],
        ] as const) {
          const hidden = await inject({
            method,
            url: `/api/v1/tracks/${hiddenTrack}/${suffix}`,
            headers: as(fanAddress),
          });
          const missing = await inject({
            method,
            url: `/api/v1/tracks/${unknown}/${suffix}`,
            headers: as(fanAddress),
          });
          assert.equal(hidden.statusCode, 404, `${method} ${suffix}`);
          assert.equal(missing.statusCode, 404);
          assert.deepEqual(
            JSON.parse(hidden.body.replace(hiddenTrack, '<id>')),
            JSON.parse(missing.body.replace(unknown, '<id>')),
          );
        }
        await refusal({ method: 'PUT', url: `/api/v1/tracks/${publicTrack}/repost` }, 401, 'unauthorized');
        await refusal(
          { method: 'PUT', url: '/api/v1/tracks/..%2Fx/repost', headers: as(fanAddress) },
          400,
          'invalid_request',
        );
        assert.equal((await get(`/api/v1/tracks/${hiddenTrack}`, artistAddress)).social.reposts, 0);
      });

      it('shows hidden tracks in lists and profiles only to their owner', async () => {
        const own = await inject({
          method: 'PUT',
          url: `/api/v1/tracks/${hiddenTrack}/repost`,
          headers: as(artistAddress),
        });
        assert.equal(own.statusCode, 200, own.body);
        const ids = (page: { items: { track: { id: string } }[] }) => page.items.map((item) => item.track.id);
        const trackIds = (page: { items: { id: string }[] }) => page.items.map((track) => track.id);
        assert.deepEqual(ids(await get('/api/v1/users/nightowl/reposts')), []);
        assert.deepEqual(ids(await get('/api/v1/users/nightowl/reposts', fanAddress)), []);
        assert.deepEqual(ids(await get('/api/v1/users/nightowl/reposts', artistAddress)), [hiddenTrack]);

        const anonymous = await get('/api/v1/users/nightowl');
        assert.deepEqual(trackIds(anonymous.tracks), [publicTrack]);
        assert.deepEqual(ids(anonymous.reposts), []);
        assert.equal(anonymous.tracks.items[0].social.favorites, 1);
        const owner = await get('/api/v1/users/nightowl', artistAddress);
        assert.deepEqual(trackIds(owner.tracks), [hiddenTrack, publicTrack]);
        assert.deepEqual(ids(owner.reposts), [hiddenTrack]);
        // The first page's cursor continues at GET /tracks?owner=.
        const paged = await get('/api/v1/users/nightowl?limit=1', artistAddress);
        assert.deepEqual(trackIds(paged.tracks), [hiddenTrack]);
        const rest = await get(
          `/api/v1/tracks?owner=${artistAddress}&cursor=${paged.tracks.nextCursor}`,
          artistAddress,
        );
        assert.deepEqual(
          rest.tracks.map((track: { id: string }) => track.id),
          [publicTrack],
        );
        await refusal({ method: 'GET', url: '/api/v1/users/nightowl?limit=1000' }, 400, 'invalid_request');
      });

      it('undoes reposts and favorites idempotently', async () => {
        for (let i = 0; i < 2; i++) {
          const response = await inject({
            method: 'DELETE',
            url: `/api/v1/tracks/${publicTrack}/favorite`,
            headers: as(fanAddress),
          });
          assert.equal(response.statusCode, 204);
        }
        assert.deepEqual((await get(`/api/v1/tracks/${publicTrack}`, fanAddress)).social, {
          reposts: 1,
          favorites: 0,
          reposted: true,
          favorited: false,
        });
        assert.deepEqual((await get(`/api/v1/users/${fanAddress}/favorites`)).items, []);
        assert.equal(
          (
            await inject({
              method: 'PUT',
              url: `/api/v1/tracks/${publicTrack}/favorite`,
              headers: as(fanAddress),
            })
          ).statusCode,
          200,
        );
      });
    });

    describe('feed', () => {
      it("shows followed accounts' listed tracks and reposts newest first, saying which is which", async () => {
        const repost = await inject({
          method: 'PUT',
          url: `/api/v1/tracks/${strangerTrack}/repost`,
          headers: as(artistAddress),
        });
        assert.equal(repost.statusCode, 200);
        const feed = await get('/api/v1/me/feed', fanAddress);
        assert.deepEqual(
          feed.items.map((item: { type: string; track: { id: string }; actor: { address: string } }) => [
            item.type,
            item.track.id,
            item.actor.address,
          ]),
          [
            ['repost', strangerTrack, artistAddress],
            ['track', publicTrack, artistAddress],
          ],
          'the hidden track and its repost never appear, nor the unfollowed account’s own track',
        );
        assert.equal(feed.items[0].actor.handle, 'NightOwl');
        assert.deepEqual(feed.items[1].track.social, {
          reposts: 1,
          favorites: 1,
          reposted: true,
          favorited: true,
        });
        assert.equal(feed.nextCursor, null);

        const first = await get('/api/v1/me/feed?limit=1', fanAddress);
        const second = await get(`/api/v1/me/feed?limit=1&cursor=${first.nextCursor}`, fanAddress);
        assert.deepEqual(
          [...first.items, ...second.items].map((item: { track: { id: string } }) => item.track.id),
          [strangerTrack, publicTrack],
        );
        // Another account's feed cursor, or a forged one, is refused.
        await refusal(
          { method: 'GET', url: `/api/v1/me/feed?cursor=${first.nextCursor}`, headers: as(strangerAddress) },
          400,
          'invalid_cursor',
        );
        await refusal(
          { method: 'GET', url: '/api/v1/me/feed?cursor=eyJ4Ijox.AAAA', headers: as(fanAddress) },
          400,
          'invalid_cursor',
        );
        await refusal({ method: 'GET', url: '/api/v1/me/feed' }, 401, 'unauthorized');
        assert.deepEqual((await get('/api/v1/me/feed', strangerAddress)).items, []);
      });

      it('drops a track from feeds, profiles and lists once it is hidden', async () => {
        const hide = await inject({
          method: 'PATCH',
          url: `/api/v1/tracks/${publicTrack}`,
          headers: as(artistAddress),
          payload: { visibility: 'hidden' },
        });
        assert.equal(hide.statusCode, 200);
        const ids = (items: { track: { id: string } }[]) => items.map((item) => item.track.id);
        assert.deepEqual(ids((await get('/api/v1/me/feed', fanAddress)).items), [strangerTrack]);
        assert.deepEqual(ids((await get(`/api/v1/users/${fanAddress}/reposts`)).items), []);
        assert.deepEqual(ids((await get('/api/v1/users/nightowl')).tracks.items), []);
        await refusal(
          { method: 'GET', url: `/api/v1/tracks/${publicTrack}/reposters`, headers: as(fanAddress) },
          404,
          'not_found',
        );
        await refusal(
          { method: 'DELETE', url: `/api/v1/tracks/${publicTrack}/repost`, headers: as(fanAddress) },
          404,
          'not_found',
        );
        assert.deepEqual(
          (await get(`/api/v1/tracks/${publicTrack}/reposters`, artistAddress)).users.map(
            (u: { address: string }) => u.address,
          ),
          [fanAddress],
        );
      });
    });

    describe('notifications', () => {
      it('notifies follows, reposts and favorites once each, newest first, with an unread count', async () => {
        // Follow, unfollow and follow again: still one notification.
        await inject({ method: 'DELETE', url: '/api/v1/users/nightowl/follow', headers: as(fanAddress) });
        await inject({ method: 'PUT', url: '/api/v1/users/nightowl/follow', headers: as(fanAddress) });
        type Item = {
          kind: string;
          actor: { address: string; handle: string };
          track: { id: string } | null;
          createdAt: number;
        };
        const newestFirst = (items: Item[]) =>
          assert.ok(
            items.every((n, i) => i === 0 || items[i - 1]!.createdAt >= n.createdAt),
            'newest first',
          );
        const page = await get('/api/v1/me/notifications', artistAddress);
        newestFirst(page.notifications);
        assert.deepEqual(
          page.notifications.map((n: Item) => [n.kind, n.actor.address, n.track?.id ?? null]).sort(),
          [
            ['favorite', fanAddress, publicTrack],
            ['follow', fanAddress, null],
            ['repost', fanAddress, publicTrack],
          ],
          'a favorite undone and redone, and a repeated follow, notify once; your own repost not at all',
        );
        assert.equal(page.unreadCount, 3);
        const favorite = page.notifications.find((n: Item) => n.kind === 'favorite');
        assert.equal(favorite.actor.handle, 'fan.one');
        assert.equal(favorite.track.title, 'Daylight', 'the owner still sees the hidden track it names');
        assert.equal(favorite.readAt, null);
        const stranger = await get('/api/v1/me/notifications', strangerAddress);
        newestFirst(stranger.notifications);
        assert.deepEqual(stranger.notifications.map((n: Item) => [n.kind, n.actor.handle]).sort(), [
          ['follow', 'fan.one'],
          ['repost', 'NightOwl'],
        ]);

        const first = await get('/api/v1/me/notifications?limit=2', artistAddress);
        const rest = await get(`/api/v1/me/notifications?limit=2&cursor=${first.nextCursor}`, artistAddress);
        assert.deepEqual(
          [...first.notifications, ...rest.notifications].map((n: { id: string }) => n.id),
          page.notifications.map((n: { id: string }) => n.id),
        );
        await refusal(
          {
            method: 'GET',
            url: `/api/v1/me/notifications?cursor=${first.nextCursor}`,
            headers: as(fanAddress),
          },
          400,
          'invalid_cursor',
        );
        await refusal({ method: 'GET', url: '/api/v1/me/notifications' }, 401, 'unauthorized');
      });

      it('marks notifications read by id (only your own) or all at once', async () => {
        const { notifications } = await get('/api/v1/me/notifications', artistAddress);
        const strangers = (await get('/api/v1/me/notifications', strangerAddress)).notifications;
        const read = (who: string, payload: unknown) =>
          inject({
            method: 'POST',
            url: '/api/v1/me/notifications/read',
            headers: as(who),
            payload: payload as object,
          });

        const byId = await read(artistAddress, { ids: [notifications[0].id, strangers[0].id, 'nope'] });
        assert.equal(byId.statusCode, 200, byId.body);
        assert.deepEqual(byId.json(), { marked: 1, unreadCount: 2 });
        assert.equal(
          (await get('/api/v1/me/notifications', strangerAddress)).unreadCount,
          2,
          "another's ids change nothing",
        );
        assert.ok((await get('/api/v1/me/notifications', artistAddress)).notifications[0].readAt > 0);
        assert.deepEqual((await read(artistAddress, { all: true })).json(), { marked: 2, unreadCount: 0 });
        assert.deepEqual((await read(artistAddress, { all: true })).json(), { marked: 0, unreadCount: 0 });

        for (const payload of [
          {},
          { ids: [] },
          { all: false },
          { all: true, ids: ['x'] },
          { ids: Array(101).fill('x') },
          { every: true },
        ]) {
          const response = await read(artistAddress, payload);
          assert.equal(response.statusCode, 400, JSON.stringify(payload));
          assert.ok(response.json().error.message);
        }
        await refusal(
          { method: 'POST', url: '/api/v1/me/notifications/read', payload: { all: true } },
          401,
          'unauthorized',
        );
        assert.equal((await get('/api/v1/me/notifications', strangerAddress)).unreadCount, 2);
      });
    });

    it('documents every social endpoint in the OpenAPI spec', async () => {
      const spec = await get('/api/openapi.json');
      for (const path of [
        '/api/v1/me/profile',
        '/api/v1/me/avatar',
        '/api/v1/users/{handleOrAddress}',
        '/api/v1/users/{handleOrAddress}/follow',
        '/api/v1/users/{handleOrAddress}/followers',
        '/api/v1/users/{handleOrAddress}/following',
        '/api/v1/users/{handleOrAddress}/reposts',
        '/api/v1/users/{handleOrAddress}/favorites',
        '/api/v1/tracks/{id}/repost',
        '/api/v1/tracks/{id}/favorite',
        '/api/v1/tracks/{id}/reposters',
        '/api/v1/tracks/{id}/favoriters',
        '/api/v1/me/feed',
        '/api/v1/me/notifications',
        '/api/v1/me/notifications/read',
      ]) {
        assert.ok(spec.paths[path], path);
      }
    });
  });
}
