// `fairstream profile`, `follow`, `unfollow` and `feed` as a user runs them (child processes) against
// a real node in this process (SQLite, embedded chain, media pipeline).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { testDatabases } from '../../node/src/testing/databases.ts';
import {
  filePart,
  multipart,
  signIn,
  startTestNode,
  type TestNode,
} from '../../node/src/testing/test-node.ts';
import { cliRunner, toneFile } from './testing/node-process.ts';

const work = await mkdtemp(join(tmpdir(), 'fairstream-social-cli-'));
after(() => rm(work, { recursive: true, force: true }));
const cli = cliRunner(join(work, 'config'));
const [sqlite] = testDatabases();

describe('fairstream profile, follow, unfollow and feed against a real node', () => {
  let test: TestNode;
  let api: string;
  const artistKey = generatePrivateKey();
  const fanKey = generatePrivateKey();
  const artist = privateKeyToAccount(artistKey);
  const fan = privateKeyToAccount(fanKey);
  const as = (key: string, ...args: string[]) => cli(['--api', api, '--key', key, ...args]);

  before(async () => {
    test = await startTestNode(sqlite!, { port: 0 });
    api = (await test.node.listen()).replace(/\/$/, '');
  });
  after(() => test?.close());

  it('sets a profile, refusing a reserved handle with the reason', async () => {
    const saved = await as(
      artistKey,
      'profile',
      '--handle',
      'Night_Owl',
      '--name',
      'Night Owl',
      '--bio',
      'Synths.',
    );
    assert.equal(saved.code, 0, saved.stderr);
    assert.equal(saved.stdout, `Profile saved: Night Owl @Night_Owl (${artist.address.toLowerCase()})\n`);
    const reserved = await as(fanKey, 'profile', '--handle', 'admin');
    assert.equal(reserved.code, 1);
    assert.match(reserved.stderr, /400 reserved_handle.*reserved/);
    const both = await as(fanKey, 'profile', 'night_owl', '--bio', 'x');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /only change your own profile/);
  });

  it("follows an artist, shows the artist's tracks in the feed, and unfollows", async () => {
    const token = await signIn(test.node, artist);
    const body = await multipart([
      { name: 'title', value: 'Night Drive' },
      filePart(
        'audio',
        'drive.wav',
        await readFile(await toneFile(join(work, 'drive.wav'), 2, 330)),
        'audio/wav',
      ),
    ]);
    const upload = await test.node.app.inject({
      method: 'POST',
      url: '/api/v1/tracks',
      payload: body.payload,
      headers: { ...body.headers, authorization: `Bearer ${token}` },
    });
    assert.equal(upload.statusCode, 202, upload.body);
    await test.node.worker?.idle();

    const followed = await as(fanKey, 'follow', '@NIGHT_OWL');
    assert.equal(followed.code, 0, followed.stderr);
    assert.match(followed.stdout, /^Following NIGHT_OWL \(0x[0-9a-f]{40}\), who now has 1 follower\(s\)\n$/);
    const again = await as(fanKey, '--json', 'follow', artist.address);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).followers, 1);

    const feed = await as(fanKey, 'feed');
    assert.equal(feed.code, 0, feed.stderr);
    assert.match(feed.stdout, /Night Owl @Night_Owl \(0x[0-9a-f]{40}\) posted "Night Drive" \(/);
    const json = JSON.parse((await as(fanKey, '--json', 'feed', '--limit', '5')).stdout);
    assert.deepEqual(
      json.items.map((item: { type: string; track: { title: string } }) => [item.type, item.track.title]),
      [['track', 'Night Drive']],
    );

    const shown = await as(fanKey, 'profile', 'night_owl');
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /Synths\./);
    assert.match(shown.stdout, /1 follower\(s\), following 0/);
    assert.match(shown.stdout, /Night Drive/);

    const self = await as(fanKey, 'follow', fan.address);
    assert.equal(self.code, 1);
    assert.match(self.stderr, /400 cannot_follow_self/);
    const badLimit = await as(fanKey, 'feed', '--limit', '0');
    assert.equal(badLimit.code, 2);
    assert.match(badLimit.stderr, /--limit must be a whole number from 1 to 100/);

    const unfollowed = await as(fanKey, 'unfollow', 'night_owl');
    assert.equal(unfollowed.code, 0, unfollowed.stderr);
    assert.match((await as(fanKey, 'feed')).stdout, /Your feed is empty/);
  });
});
