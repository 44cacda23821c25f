import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { getSplit, getTrack } from '@fairstream/chain';
import sharp from 'sharp';
import { chainTrackId } from '../chain/track-registrar.ts';
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
const fixtures = await mkdtemp(join(tmpdir(), 'fairstream-api-fixtures-'));
after(() => rm(fixtures, { recursive: true, force: true }));

async function tone(name: string, seconds: number, extra: string[] = []): Promise<Buffer> {
  const path = join(fixtures, name);
  await exec('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi'],
    ...['-i', `sine=frequency=440:duration=${seconds}:sample_rate=44100`, '-ac', '2', ...extra, path],
  ]);
  return readFile(path);
}

const wav = await tone('tone.wav', 6);
const flac = await tone('tone.flac', 8);
const truncatedFlac = flac.subarray(0, Math.floor(flac.length / 2));
const png = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#336699' } })
  .png()
  .toBuffer();
// An MP3 whose tags carry the title, genre and cover art, as files from music stores do.
await writeFile(join(fixtures, 'art.png'), png);
await exec('ffmpeg', [
  ...['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=4'],
  ...[
    '-i',
    join(fixtures, 'art.png'),
    '-map',
    '0:a',
    '-map',
    '1:v',
    '-c:v',
    'mjpeg',
    '-disposition:v',
    'attached_pic',
  ],
  ...['-id3v2_version', '3', '-metadata', 'title=Tagged Title', '-metadata', 'genre=Ambient'],
  join(fixtures, 'tagged.mp3'),
]);
const taggedMp3 = await readFile(join(fixtures, 'tagged.mp3'));

const artist = newAccount();
const bassist = newAccount();
const producer = newAccount();
const stranger = newAccount();

for (const database of testDatabases()) {
  describe(`tracks API on ${database.name}`, () => {
    let test: TestNode;
    let artistToken: string;
    let bassistToken: string;
    let strangerToken: string;
    let trackId: string;

    before(async () => {
      test = await startTestNode(
        database,
        {},
        { uploadLimits: { audioBytes: 2 * 1024 * 1024, imageBytes: 256 * 1024 } },
      );
      artistToken = await signIn(test.node, artist);
      bassistToken = await signIn(test.node, bassist);
      strangerToken = await signIn(test.node, stranger);
    });
    after(() => test.close());

    const inject = (options: import('fastify').InjectOptions) => test.node.app.inject(options);
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });
    async function upload(token: string, parts: Parameters<typeof multipart>[0]) {
      const body = await multipart(parts);
      return inject({
        method: 'POST',
        url: '/api/v1/tracks',
        payload: body.payload,
        headers: { ...body.headers, ...auth(token) },
      });
    }
    async function storedState() {
      const blobs = await readdir(join(test.dataDir, 'blobs'), { recursive: true }).catch(() => []);
      const tmp = await readdir(join(test.dataDir, 'tmp'));
      const tracks = await test.node.db.selectFrom('tracks').select('id').execute();
      return {
        blobs: blobs.filter((name) => name.includes('bafk')).length,
        tmp: tmp.length,
        tracks: tracks.length,
      };
    }

    it('answers health and serves its OpenAPI spec and docs', async () => {
      const health = await inject({ method: 'GET', url: '/api/v1/health' });
      assert.equal(health.statusCode, 200);
      assert.equal(health.json().status, 'ok');
      const spec = (await inject({ method: 'GET', url: '/api/openapi.json' })).json();
      assert.ok(spec.paths['/api/v1/tracks/{id}/stream']);
      assert.equal((await inject({ method: 'GET', url: '/api/docs' })).statusCode < 400, true);
    });

    it('refuses an upload without a session', async () => {
      const response = await inject({ method: 'POST', url: '/api/v1/tracks', payload: {} });
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().error.code, 'unauthorized');
    });

    it('accepts a track with a 60/25/15 split and cover, processes it, and marks every stage done', async () => {
      const response = await upload(artistToken, [
        { name: 'title', value: 'Night Drive' },
        { name: 'genre', value: 'Synthwave' },
        { name: 'tags', value: 'retro,night' },
        {
          name: 'splits',
          value: JSON.stringify([
            { address: artist.address, percent: 60 },
            { address: bassist.address, percent: 25 },
            { address: producer.address, percent: '15' },
          ]),
        },
        filePart('audio', 'night-drive.wav', wav, 'audio/wav'),
        filePart('cover', 'cover.png', png, 'image/png'),
      ]);
      assert.equal(response.statusCode, 202, response.body);
      const accepted = response.json();
      assert.equal(accepted.state, 'processing');
      assert.equal(accepted.genre, 'synthwave');
      assert.deepEqual(accepted.splits.map((split: { percent: string }) => split.percent).sort(), [
        '15',
        '25',
        '60',
      ]);
      trackId = accepted.id;

      await test.node.worker?.idle();
      const track = (await inject({ method: 'GET', url: `/api/v1/tracks/${trackId}` })).json();
      assert.equal(track.state, 'ready', JSON.stringify(track.failure));
      assert.deepEqual(
        track.stages.map((stage: { state: string }) => stage.state),
        ['done', 'done', 'done', 'done', 'done', 'done', 'done'],
      );
      // On the ledger: registered for the artist with the exact split, paid for by the node.
      assert.equal(track.ledger.trackId, chainTrackId(trackId));
      const { publicClient, deployment } = test.node.ledger;
      const onChain = await getTrack(publicClient, { deployment, trackId: track.ledger.trackId });
      assert.equal(onChain?.owner.toLowerCase(), artist.address.toLowerCase());
      const split = await getSplit(publicClient, { deployment, trackId: track.ledger.trackId });
      assert.deepEqual(
        split?.recipients.map((address, i) => [address.toLowerCase(), split.shares[i]]),
        track.splits.map((s: { address: string; ppm: number }) => [s.address, s.ppm]),
      );
      assert.deepEqual(track.renditions.map((r: { format: string }) => r.format).sort(), [
        'aac',
        'opus',
        'original',
        'preview',
      ]);
      assert.ok(track.loudness.integratedLufs < 0);
      assert.equal(track.cover.length, 6);
      assert.ok(Math.abs(track.durationMs - 6000) < 100);
      const waveform = await inject({
        method: 'GET',
        url: track.waveformUrl.replace('http://127.0.0.1:4000', ''),
      });
      assert.equal(waveform.json().version, 2);
      const listed = (await inject({ method: 'GET', url: '/api/v1/tracks' })).json();
      assert.deepEqual(
        listed.tracks.map((t: { id: string }) => t.id),
        [trackId],
      );
    });

    it('streams byte ranges with a strong ETag, HEAD, 304 and 416', async () => {
      const url = `/api/v1/tracks/${trackId}/stream?format=opus`;
      const full = await inject({ method: 'GET', url });
      assert.equal(full.statusCode, 200);
      const size = full.rawPayload.length;
      assert.equal(full.headers['content-length'], String(size));
      assert.equal(full.headers['content-type'], 'audio/ogg; codecs=opus');
      const etag = full.headers.etag as string;
      assert.match(etag, /^"bafkrei[a-z2-7]{52}"$/);

      const part = await inject({ method: 'GET', url, headers: { range: 'bytes=100-199' } });
      assert.equal(part.statusCode, 206);
      assert.equal(part.headers['content-range'], `bytes 100-199/${size}`);
      assert.deepEqual(part.rawPayload, full.rawPayload.subarray(100, 200));

      const tail = await inject({ method: 'GET', url, headers: { range: 'bytes=-10' } });
      assert.deepEqual(tail.rawPayload, full.rawPayload.subarray(size - 10));

      const head = await inject({ method: 'HEAD', url });
      assert.equal(head.statusCode, 200);
      assert.equal(head.headers['content-length'], String(size));
      assert.equal(head.rawPayload.length, 0);

      assert.equal(
        (await inject({ method: 'GET', url, headers: { 'if-none-match': etag } })).statusCode,
        304,
      );
      const stale = await inject({
        method: 'GET',
        url,
        headers: { range: 'bytes=0-9', 'if-range': '"other"' },
      });
      assert.equal(stale.statusCode, 200);

      for (const range of [`bytes=${size}-`, 'bytes=50-10', 'bytes=abc', 'bytes=0-1,4-5']) {
        const refused = await inject({ method: 'GET', url, headers: { range } });
        assert.equal(refused.statusCode, 416, range);
        assert.equal(refused.headers['content-range'], `bytes */${size}`);
        assert.equal(refused.json().error.code, 'range_not_satisfiable');
      }

      const preview = await inject({ method: 'GET', url: `/api/v1/tracks/${trackId}/stream?format=preview` });
      assert.equal(preview.statusCode, 200);
      assert.equal(
        (await inject({ method: 'GET', url: `/api/v1/tracks/${trackId}/stream?format=mp3` })).statusCode,
        404,
      );
      assert.equal(
        (await inject({ method: 'GET', url: `/api/v1/tracks/${trackId}/stream?format=wma` })).statusCode,
        400,
      );

      const cid = etag.slice(1, -1);
      const blob = await inject({
        method: 'GET',
        url: `/api/v1/blobs/${cid}`,
        headers: { range: 'bytes=0-3' },
      });
      assert.equal(blob.statusCode, 206);
      assert.equal(blob.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal((await inject({ method: 'GET', url: '/api/v1/blobs/not-a-cid' })).statusCode, 400);
    });

    it('streams a token-gated track in full only to holders, and its preview to everyone', async () => {
      const fair = test.node.ledger.deployment.contracts.FairToken;
      const response = await upload(artistToken, [
        { name: 'title', value: 'Members only' },
        { name: 'access', value: 'token' },
        { name: 'gateToken', value: fair },
        { name: 'gateMinBalance', value: (1000n * 10n ** 18n).toString() },
        filePart('audio', 'members.flac', flac, 'audio/flac'),
      ]);
      assert.equal(response.statusCode, 202, response.body);
      const gated = response.json().id;
      await test.node.worker?.idle();
      const url = (format: string) => `/api/v1/tracks/${gated}/stream?format=${format}`;

      const refused = await inject({ method: 'GET', url: url('opus'), headers: auth(strangerToken) });
      assert.equal(refused.statusCode, 403);
      assert.match(refused.json().error.message, /holders of at least 1000000000000000000000 base units/);
      assert.equal((await inject({ method: 'GET', url: url('aac') })).statusCode, 403);
      assert.equal(
        (await inject({ method: 'GET', url: url('preview'), headers: auth(strangerToken) })).statusCode,
        200,
      );
      assert.equal(
        (await inject({ method: 'GET', url: url('opus'), headers: auth(artistToken) })).statusCode,
        200,
      );
      const opusCid = (await inject({ method: 'GET', url: `/api/v1/tracks/${gated}` }))
        .json()
        .renditions.find((r: { format: string }) => r.format === 'opus').cid;
      assert.equal((await inject({ method: 'GET', url: `/api/v1/blobs/${opusCid}` })).statusCode, 404);

      const holder = newAccount();
      const holderToken = await signIn(test.node, holder);
      const drip = await inject({ method: 'POST', url: '/api/v1/faucet', headers: auth(holderToken) });
      assert.equal(drip.statusCode, 200, drip.body);
      assert.equal(
        (await inject({ method: 'GET', url: url('opus'), headers: auth(holderToken) })).statusCode,
        200,
      );
      assert.equal(
        (await inject({ method: 'DELETE', url: `/api/v1/tracks/${gated}`, headers: auth(artistToken) }))
          .statusCode,
        204,
      );
    });

    it('refuses a duplicate upload of the same audio by the same artist', async () => {
      const response = await upload(artistToken, [
        { name: 'title', value: 'Again' },
        filePart('audio', 'again.wav', wav),
      ]);
      assert.equal(response.statusCode, 409);
      assert.match(response.json().error.message, new RegExp(trackId));
    });

    it('takes the title, genre and cover art from the file tags when the form leaves them out', async () => {
      const response = await upload(artistToken, [filePart('audio', 'tagged.mp3', taggedMp3, 'audio/mpeg')]);
      assert.equal(response.statusCode, 202, response.body);
      assert.equal(response.json().title, 'Tagged Title');
      assert.equal(response.json().genre, 'ambient');
      await test.node.worker?.idle();
      const track = (await inject({ method: 'GET', url: `/api/v1/tracks/${response.json().id}` })).json();
      assert.equal(track.state, 'ready');
      assert.equal(track.cover.length, 6, 'the embedded picture becomes the cover art');
    });

    const badUploads: [string, () => Promise<Parameters<typeof multipart>[0]>, number, string][] = [
      [
        'a file that is not audio',
        async () => [
          { name: 'title', value: 'x' },
          filePart('audio', 'notes.mp3', Buffer.from('just some text, not audio at all')),
        ],
        422,
        'not_audio',
      ],
      [
        'a zero-byte file',
        async () => [{ name: 'title', value: 'x' }, filePart('audio', 'empty.wav', Buffer.alloc(0))],
        422,
        'empty_file',
      ],
      [
        'truncated audio',
        async () => [{ name: 'title', value: 'x' }, filePart('audio', 'cut.flac', truncatedFlac)],
        422,
        'truncated_audio',
      ],
      [
        'an image that is not one',
        async () => [
          { name: 'title', value: 'x' },
          filePart('audio', 'a.flac', flac),
          filePart('cover', 'cover.jpg', Buffer.from('not an image')),
        ],
        422,
        'not_image',
      ],
      [
        'an image over the limit',
        async () => [
          { name: 'title', value: 'x' },
          filePart('audio', 'a.flac', flac),
          filePart('cover', 'big.png', Buffer.alloc(300 * 1024)),
        ],
        413,
        'payload_too_large',
      ],
      [
        'audio over the limit',
        async () => [
          { name: 'title', value: 'x' },
          filePart('audio', 'big.wav', Buffer.alloc(3 * 1024 * 1024)),
        ],
        413,
        'payload_too_large',
      ],
      [
        'a filename with path parts',
        async () => [{ name: 'title', value: 'x' }, filePart('audio', '../../etc/passwd.flac', flac)],
        400,
        'invalid_filename',
      ],
      ['no title anywhere', async () => [filePart('audio', 'untitled.flac', flac)], 400, 'missing_title'],
      [
        'an absurd release date',
        async () => [
          { name: 'title', value: 'x' },
          { name: 'releaseDate', value: '2999-01-01' },
          filePart('audio', 'a.flac', flac),
        ],
        400,
        'invalid_release_date',
      ],
      [
        'a title of 10,000 characters',
        async () => [{ name: 'title', value: 'x'.repeat(10_000) }, filePart('audio', 'a.flac', flac)],
        400,
        'invalid_title',
      ],
      [
        'splits that do not sum to 100%',
        async () => [
          { name: 'title', value: 'x' },
          {
            name: 'splits',
            value: JSON.stringify([
              { address: artist.address, percent: 60 },
              { address: bassist.address, percent: 30 },
            ]),
          },
          filePart('audio', 'a.flac', flac),
        ],
        400,
        'invalid_splits',
      ],
      [
        'an unknown field',
        async () => [
          { name: 'title', value: 'x' },
          { name: 'price', value: '3' },
          filePart('audio', 'a.flac', flac),
        ],
        400,
        'unknown_field',
      ],
      ['no audio part', async () => [{ name: 'title', value: 'x' }], 400, 'missing_audio'],
    ];
    for (const [name, parts, status, code] of badUploads) {
      it(`refuses ${name} with ${status} ${code}, storing nothing`, async () => {
        const beforeState = await storedState();
        const response = await upload(artistToken, await parts());
        assert.equal(response.statusCode, status, response.body);
        assert.equal(response.json().error.code, code);
        assert.ok(response.json().error.message.length > 10);
        assert.deepEqual(await storedState(), beforeState);
        assert.equal((await inject({ method: 'GET', url: '/api/v1/health' })).statusCode, 200);
      });
    }

    it('hides a hidden track from others, shows it to collaborators and share-link holders until revoked', async () => {
      const updated = await inject({
        method: 'PATCH',
        url: `/api/v1/tracks/${trackId}`,
        headers: auth(artistToken),
        payload: { visibility: 'hidden', description: 'now hidden' },
      });
      assert.equal(updated.statusCode, 200);
      assert.equal(updated.json().visibility, 'hidden');
      const url = `/api/v1/tracks/${trackId}/stream?format=opus`;
      for (const headers of [{}, auth(strangerToken)]) {
        assert.equal(
          (await inject({ method: 'GET', url: `/api/v1/tracks/${trackId}`, headers })).statusCode,
          404,
        );
        assert.equal((await inject({ method: 'GET', url, headers })).statusCode, 404);
      }
      assert.equal((await inject({ method: 'GET', url, headers: auth(bassistToken) })).statusCode, 200);
      const listed = (await inject({ method: 'GET', url: '/api/v1/tracks' })).json();
      assert.equal(
        listed.tracks.some((t: { id: string }) => t.id === trackId),
        false,
      );

      const link = await inject({
        method: 'POST',
        url: `/api/v1/tracks/${trackId}/share-links`,
        headers: auth(artistToken),
      });
      assert.equal(link.statusCode, 201);
      const { token, id } = link.json();
      assert.equal((await inject({ method: 'GET', url: `${url}&share=${token}` })).statusCode, 200);
      assert.equal((await inject({ method: 'GET', url: `${url}&share=wrong-token` })).statusCode, 404);
      const refusedLink = await inject({
        method: 'POST',
        url: `/api/v1/tracks/${trackId}/share-links`,
        headers: auth(strangerToken),
      });
      assert.equal(refusedLink.statusCode, 404);
      const revoke = await inject({
        method: 'DELETE',
        url: `/api/v1/tracks/${trackId}/share-links/${id}`,
        headers: auth(artistToken),
      });
      assert.equal(revoke.statusCode, 204);
      assert.equal((await inject({ method: 'GET', url: `${url}&share=${token}` })).statusCode, 404);
    });

    it('lets only the owner change or delete a track', async () => {
      const byCollaborator = await inject({
        method: 'PATCH',
        url: `/api/v1/tracks/${trackId}`,
        headers: auth(bassistToken),
        payload: { title: 'Mine now' },
      });
      assert.equal(byCollaborator.statusCode, 403);
      const badPatch = await inject({
        method: 'PATCH',
        url: `/api/v1/tracks/${trackId}`,
        headers: auth(artistToken),
        payload: { title: '' },
      });
      assert.equal(badPatch.statusCode, 400);
      const unknown = await inject({
        method: 'PATCH',
        url: `/api/v1/tracks/${trackId}`,
        headers: auth(artistToken),
        payload: { owner: stranger.address },
      });
      assert.equal(unknown.statusCode, 400);
      assert.equal(
        (await inject({ method: 'DELETE', url: `/api/v1/tracks/${trackId}`, headers: auth(strangerToken) }))
          .statusCode,
        404,
      );
      const blobsBefore = (await storedState()).blobs;
      assert.equal(
        (await inject({ method: 'DELETE', url: `/api/v1/tracks/${trackId}`, headers: auth(artistToken) }))
          .statusCode,
        204,
      );
      assert.equal(
        (await inject({ method: 'GET', url: `/api/v1/tracks/${trackId}`, headers: auth(artistToken) }))
          .statusCode,
        404,
      );
      assert.ok((await storedState()).blobs < blobsBefore);
    });

    it('answers malformed JSON, unknown routes and bad ids with a 4xx error body', async () => {
      const malformed = await inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '{"message": ',
      });
      assert.equal(malformed.statusCode, 400);
      assert.ok(malformed.json().error.message);
      assert.equal((await inject({ method: 'GET', url: '/api/v1/nowhere' })).json().error.code, 'not_found');
      assert.equal((await inject({ method: 'GET', url: '/api/v1/tracks/..%2F..' })).statusCode, 400);
      const badBearer = await inject({
        method: 'GET',
        url: '/api/v1/tracks',
        headers: { authorization: 'Basic abc' },
      });
      assert.equal(badBearer.statusCode, 401);
    });

    it('refuses a listing cursor it did not sign', async () => {
      const forged = `${Buffer.from(JSON.stringify([Date.now(), 'x'])).toString('base64url')}.${'A'.repeat(22)}`;
      for (const cursor of [forged, 'garbage']) {
        const refused = await inject({ method: 'GET', url: `/api/v1/tracks?limit=1&cursor=${cursor}` });
        assert.equal(refused.statusCode, 400);
        assert.equal(refused.json().error.code, 'invalid_cursor');
      }
    });
  });
}
