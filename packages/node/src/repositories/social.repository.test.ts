import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../db/database.ts';
import type { TrackTable as TrackRow } from '../db/schema.ts';
import { testDatabases } from '../testing/databases.ts';
import { isUniqueViolation } from './keyset.ts';
import { NotificationsRepository } from './notifications.repository.ts';
import { ProfilesRepository } from './profiles.repository.ts';
import { type FeedRow, SocialRepository } from './social.repository.ts';
import { TracksRepository } from './tracks.repository.ts';

const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;
const [alice, bob, carol, dave, erin] = [1, 2, 3, 4, 5].map(address) as [
  string,
  string,
  string,
  string,
  string,
];

function trackRow(id: string, owner: string, createdAt: number, overrides: Partial<TrackRow> = {}): TrackRow {
  return {
    id,
    owner,
    title: `Track ${id}`,
    artist_name: null,
    genre: null,
    description: null,
    tags: '[]',
    release_date: null,
    visibility: 'public',
    access_kind: 'free',
    gate_token: null,
    gate_min_balance: null,
    state: 'ready',
    failure_code: null,
    failure_message: null,
    duration_ms: 60_000,
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
    created_at: createdAt,
    updated_at: createdAt,
    ...overrides,
  };
}

for (const database of testDatabases()) {
  describe(`social repositories on ${database.name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    let social: SocialRepository;
    let tracks: TracksRepository;
    before(async () => {
      ({ db, close } = await database.open());
      social = new SocialRepository(db);
      tracks = new TracksRepository(db);
      await db
        .insertInto('accounts')
        .values([alice, bob, carol, dave, erin].map((a) => ({ address: a, created_at: 1 })))
        .execute();
    });
    after(() => close());

    async function addTrack(id: string, owner: string, createdAt: number, overrides: Partial<TrackRow> = {}) {
      await tracks.createWithJob({
        track: trackRow(id, owner, createdAt, overrides),
        splits: [{ address: owner, ppm: 1_000_000 }],
        assets: [],
        stages: [{ stage: 'validate', state: 'done', progress: 1 }],
        job: { id: `job-${id}`, kind: 'media', payload: '{}' },
      });
    }

    it('counts a follow once however often it is repeated or undone', async () => {
      assert.equal(await social.follow(alice, bob, 10), true);
      assert.equal(await social.follow(alice, bob, 11), false);
      assert.equal(await social.follow(carol, bob, 12), true);
      assert.deepEqual(await social.accountCounts(bob), { followers: 2, following: 0 });
      assert.deepEqual(await social.accountCounts(alice), { followers: 0, following: 1 });
      assert.equal(await social.unfollow(alice, bob), true);
      assert.equal(await social.unfollow(alice, bob), false);
      assert.deepEqual(await social.accountCounts(bob), { followers: 1, following: 0 });
      assert.deepEqual(await social.accountCounts(alice), { followers: 0, following: 0 });
      assert.deepEqual(await social.accountCounts(erin), { followers: 0, following: 0 });
      await social.unfollow(carol, bob);
    });

    it('pages followers newest first, ties broken by address, without gaps or repeats', async () => {
      // Four followers in the same millisecond and one later: the tie-breaker carries the cursor.
      for (const follower of [alice, carol, dave, erin]) await social.follow(follower, bob, 100);
      await social.follow(alice, carol, 100);
      const all = await social.followers(bob, undefined, 10);
      assert.deepEqual(
        all.map((row) => row.address),
        [erin, dave, carol, alice],
      );
      const seen: string[] = [];
      let page = await social.followers(bob, undefined, 3);
      for (;;) {
        seen.push(...page.map((row) => row.address));
        const last = page.at(-1);
        if (!last) break;
        page = await social.followers(bob, { at: last.at, keys: [last.address] }, 3);
      }
      assert.deepEqual(seen, [erin, dave, carol, alice]);
      assert.deepEqual(
        (await social.following(alice, undefined, 10)).map((row) => row.address),
        [carol, bob],
      );
      assert.deepEqual([...(await social.followedAmong(alice, [bob, dave, carol]))].sort(), [bob, carol]);
    });

    it('counts reposts and favorites per track, with what the viewer did, and drops them with the track', async () => {
      await addTrack('t-social', bob, 200);
      assert.equal(await social.addTrackAction('reposts', alice, 't-social', 201), true);
      assert.equal(await social.addTrackAction('reposts', alice, 't-social', 202), false);
      assert.equal(await social.addTrackAction('favorites', alice, 't-social', 203), true);
      assert.equal(await social.addTrackAction('favorites', carol, 't-social', 204), true);
      assert.deepEqual((await social.trackSocial(['t-social'], alice)).get('t-social'), {
        reposts: 1,
        favorites: 2,
        reposted: true,
        favorited: true,
      });
      assert.deepEqual((await social.trackSocial(['t-social'], dave)).get('t-social'), {
        reposts: 1,
        favorites: 2,
        reposted: false,
        favorited: false,
      });
      assert.equal(await social.removeTrackAction('favorites', alice, 't-social'), true);
      assert.equal(await social.removeTrackAction('favorites', alice, 't-social'), false);
      assert.equal((await social.trackSocial(['t-social'], undefined)).get('t-social')?.favorites, 1);
      assert.deepEqual(
        (await social.trackActors('favorites', 't-social', undefined, 10)).map((row) => row.address),
        [carol],
      );
      await tracks.delete('t-social');
      assert.equal((await db.selectFrom('reposts').selectAll().execute()).length, 0);
      assert.equal((await db.selectFrom('track_counts').selectAll().execute()).length, 0);
    });

    it("lists an account's reposts of listed tracks only, and the viewer's own tracks whatever their state", async () => {
      await addTrack('r-public', bob, 300);
      await addTrack('r-hidden', bob, 301, { visibility: 'hidden' });
      await addTrack('r-delisted', bob, 302, { delisted_at: 1, delist_reason: 'spam' });
      await addTrack('r-processing', bob, 303, { state: 'processing' });
      for (const [i, id] of ['r-public', 'r-hidden', 'r-delisted', 'r-processing'].entries())
        await social.addTrackAction('reposts', dave, id, 310 + i);
      const ids = async (viewer: string | undefined) =>
        (await social.accountTracks('reposts', dave, viewer, undefined, 10)).map((row) => row.trackId);
      assert.deepEqual(await ids(undefined), ['r-public']);
      assert.deepEqual(await ids(carol), ['r-public']);
      assert.deepEqual(await ids(bob), ['r-processing', 'r-delisted', 'r-hidden', 'r-public']);
    });

    it('builds a feed of followed accounts: tracks and reposts newest first, listed only, paged exactly', async () => {
      // erin follows bob and carol (not dave). Several items share a millisecond across both kinds.
      await social.follow(erin, bob, 1);
      await social.follow(erin, carol, 1);
      await addTrack('f-1', bob, 1000);
      await addTrack('f-2', carol, 2000);
      await addTrack('f-3', bob, 2000);
      await addTrack('f-hidden', bob, 2500, { visibility: 'hidden' });
      await addTrack('f-dave', dave, 2600);
      await addTrack('f-dave-hidden', dave, 2700, { visibility: 'hidden' });
      await social.addTrackAction('reposts', carol, 'f-dave', 2000);
      await social.addTrackAction('reposts', bob, 'f-dave', 3000);
      await social.addTrackAction('reposts', carol, 'f-dave-hidden', 3100);
      await social.addTrackAction('reposts', dave, 'f-1', 3200);

      const label = (row: FeedRow) => `${row.kind}:${row.trackId}:${row.actor}@${row.at}`;
      const full = (await social.feed(erin, undefined, 100)).map(label);
      // Earlier tests left r-public (bob, ready, public, 300) in bob's listed tracks.
      assert.deepEqual(full, [
        `repost:f-dave:${bob}@3000`,
        `repost:f-dave:${carol}@2000`,
        `track:f-3:${bob}@2000`,
        `track:f-2:${carol}@2000`,
        `track:f-1:${bob}@1000`,
        `track:r-public:${bob}@300`,
      ]);
      for (const size of [1, 2, 4]) {
        const paged: string[] = [];
        let position: FeedRow | undefined;
        for (;;) {
          const page = await social.feed(erin, position, size);
          paged.push(...page.map(label));
          position = page.at(-1);
          if (page.length < size) break;
        }
        assert.deepEqual(paged, full, `pages of ${size}`);
      }
      assert.deepEqual(await social.feed(address(99), undefined, 10), [], 'following no one: an empty feed');
    });

    it('finds listed reposts behind many newer reposts of tracks nobody else may see', async () => {
      const [viewer, reposter] = [address(50), address(51)];
      await social.follow(viewer, reposter, 1);
      await social.addTrackAction('reposts', reposter, 'r-public', 4000);
      for (let i = 0; i < 5; i++) {
        await addTrack(`h-${i}`, bob, 4100 + i, { visibility: 'hidden' });
        await social.addTrackAction('reposts', reposter, `h-${i}`, 5000 + i);
      }
      for (const limit of [1, 2, 3]) {
        assert.deepEqual(
          (await social.feed(viewer, undefined, limit)).map((row) => [row.kind, row.trackId, row.at]),
          [['repost', 'r-public', 4000]],
          `pages of ${limit}`,
        );
      }
    });

    it('stores a notification once per recipient and key, and reads and counts them per recipient', async () => {
      const notifications = new NotificationsRepository(db);
      const row = (id: string, recipient: string, key: string, at: number) => ({
        id,
        recipient,
        kind: 'follow',
        actor: alice,
        track_id: null,
        data: null,
        dedupe_key: key,
        created_at: at,
        read_at: null,
      });
      assert.equal(
        await notifications.insert([row('n1', bob, 'follow:a', 5), row('n2', bob, 'follow:c', 5)]),
        2,
      );
      assert.equal(
        await notifications.insert([row('n3', bob, 'follow:a', 6), row('n4', carol, 'follow:a', 6)]),
        1,
      );
      assert.deepEqual(
        (await notifications.list(bob, undefined, 10)).map((n) => n.id),
        ['n2', 'n1'],
      );
      assert.deepEqual(
        (await notifications.list(bob, { at: 5, keys: ['n2'] }, 10)).map((n) => n.id),
        ['n1'],
      );
      assert.equal(await notifications.unreadCount(bob), 2);
      assert.equal(await notifications.markRead(bob, ['n4', 'n1', 'unknown'], 7), 1);
      assert.equal(await notifications.unreadCount(bob), 1);
      assert.equal(await notifications.unreadCount(carol), 1);
      assert.equal(await notifications.markRead(bob, 'all', 8), 1);
      assert.equal(await notifications.unreadCount(bob), 0);
      assert.equal(await notifications.unreadCount(carol), 1);
    });

    it('keeps one owner per handle whatever its case, and hands back avatar blobs nothing else uses', async () => {
      const profiles = new ProfilesRepository(db);
      await profiles.save(alice, { handle: 'Alice', handle_key: 'alice', display_name: 'A' }, 1);
      await assert.rejects(profiles.save(bob, { handle: 'ALICE', handle_key: 'alice' }, 2), (error) =>
        isUniqueViolation(error),
      );
      assert.equal(await profiles.addressOfHandle('alice'), alice);
      await profiles.save(alice, { bio: 'hi' }, 3);
      const found = await profiles.find(alice);
      assert.deepEqual([found?.handle, found?.display_name, found?.bio], ['Alice', 'A', 'hi']);

      const image = (cid: string) => ({ variant: '150.webp', cid, mime: 'image/webp', size: 10 });
      assert.deepEqual(await profiles.replaceAvatar(alice, [image('bafkshared')], 4), []);
      assert.deepEqual(await profiles.replaceAvatar(bob, [image('bafkshared')], 4), []);
      // Alice's old blob is still bob's avatar: not handed back for deletion.
      assert.deepEqual(await profiles.replaceAvatar(alice, [image('bafknew')], 5), []);
      assert.deepEqual(await profiles.replaceAvatar(bob, [], 6), ['bafkshared']);
      assert.equal((await profiles.avatarBlob('bafknew'))?.mime, 'image/webp');
      assert.equal(await profiles.avatarBlob('bafkshared'), undefined);
      const summaries = await profiles.summaries([alice, bob, carol]);
      assert.deepEqual(
        summaries.get(alice)?.avatar.map((a) => a.cid),
        ['bafknew'],
      );
      assert.equal(summaries.get(bob)?.handle, null, 'an avatar alone makes a profile without a handle');
      assert.equal(summaries.has(carol), false);
    });
  });
}
