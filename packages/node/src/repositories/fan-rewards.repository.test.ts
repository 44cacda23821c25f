// Fan rewards from the database against fan rewards from the published history: a dozen epochs of
// counted plays (one 'empty', whose plays were never published), profiles, playlists and reposts are
// written as the node writes them; each epoch is evaluated the node's way (evaluateEpochFanRewards:
// only what each step needs, read with SQL) and the verifier's way (FanRewardsHistory over the
// published plays), and both must give the same awards, events and bot exclusions, on SQLite and
// Postgres. Then the award table's unique key: an award is never written twice.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DAY_MS,
  evaluateFanEpoch,
  type FanAwardEvidence,
  type FanPlay,
  FanRewardsHistory,
  type PlaylistEvidence,
  type ProfileEvidence,
  type RepostEvidence,
} from '@fairstream/protocol';
import { prng } from '../../../protocol/src/testing/prng.ts';
import type { Db } from '../db/database.ts';
import { evaluateEpochFanRewards } from '../settlement/fan-rewards.ts';
import { testDatabases } from '../testing/databases.ts';
import { type SettledPlayRow, SettlementRepository } from './settlement.repository.ts';

const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;
const listeners = Array.from({ length: 40 }, (_, i) => address(0x1000 + i));
const artists = Array.from({ length: 4 }, (_, i) => address(0xa000 + i));
const trackIds = Array.from({ length: 8 }, (_, i) => `trk_${i}`);
const owners = trackIds.map((_, i) => artists[i % artists.length]!);
const MONDAY = Date.UTC(2025, 0, 6) / DAY_MS;
const EPOCHS = 14;
const EMPTY_EPOCH = 5;
const TIGHT_EPOCH = 8;
const BIG = 10n ** 30n;
const TIGHT = 5n * 10n ** 18n;
const [STREAKERS, BOT, ALMOST_BOT, EMPTY_DAY_FAN] = [10, 35, 36, 37];

/** The plays each epoch judges, generated once (the same for both engines). */
function generate(): SettledPlayRow[][] {
  const random = prng(42);
  const epochs: SettledPlayRow[][] = [];
  let id = 0;
  for (let n = 0; n < EPOCHS; n++) {
    const rows: SettledPlayRow[] = [];
    const perDay = new Map<string, number>();
    const add = (listener: string, trackId: string, at: number) => {
      const day = new Date(at).toISOString().slice(0, 10);
      const key = `${listener}|${trackId}|${day}`;
      if ((perDay.get(key) ?? 0) >= 10) return; // the daily cap, as judging enforces it
      perDay.set(key, (perDay.get(key) ?? 0) + 1);
      rows.push({
        play_id: `play-${String(id++).padStart(6, '0')}`,
        listener,
        track_id: trackId,
        epoch: n,
        verdict: 'counted',
        reason: null,
        heard_ms: 40_000,
        wall_ms: 40_000,
        day,
        first_started_at: at,
        source: 'api',
      });
    };
    const day = MONDAY + n;
    const at = (d: number) => d * DAY_MS + random.int(0, DAY_MS - 1);
    // Streakers play every day; the rest now and then; a late report now and then (yesterday).
    for (let i = 0; i < listeners.length; i++) {
      if (i === BOT || i === ALMOST_BOT || i === EMPTY_DAY_FAN) continue;
      if (i >= STREAKERS && random.next() < 0.5) continue;
      for (let k = random.int(1, 3); k > 0; k--) {
        // Track 0 is the hit: most plays go there, so it trends and reaches its milestone.
        const trackId = random.next() < 0.5 ? trackIds[0]! : random.pick(trackIds.slice(1, 7));
        // Every play but a listener's first of the epoch may be a late one from yesterday.
        const late = k > 1 && n > 0 && random.next() < 0.2;
        add(listeners[i]!, trackId, late ? at(day - 1) : at(day));
      }
    }
    // The bot: track 7, ten times a day, every day. The almost-bot: nine on day 3.
    for (let k = 0; k < 10; k++) add(listeners[BOT]!, trackIds[7]!, day * DAY_MS + 1000 * k);
    for (let k = 0; k < (n === 3 ? 9 : 10); k++)
      add(listeners[ALMOST_BOT]!, trackIds[7]!, day * DAY_MS + 2000 * k);
    // A fan whose seventh day falls in the epoch that publishes nothing.
    if (n <= 6) add(listeners[EMPTY_DAY_FAN]!, trackIds[3]!, at(day));
    rows.sort((a, b) => a.first_started_at - b.first_started_at || (a.play_id < b.play_id ? -1 : 1));
    epochs.push(rows);
  }
  return epochs;
}

async function seed(db: Db) {
  const now = Date.now();
  await db
    .insertInto('accounts')
    .values([...artists, ...listeners].map((a) => ({ address: a, created_at: now })))
    .execute();
  for (const [i, trackId] of trackIds.entries()) {
    await db
      .insertInto('tracks')
      .values({
        id: trackId,
        owner: owners[i]!,
        title: trackId,
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
        original_cid: `bafk${i}`,
        original_name: 'a.wav',
        original_mime: 'audio/wav',
        integrated_lufs: null,
        true_peak_dbtp: null,
        gain_db: null,
        chain_track_id: null,
        chain_tx: null,
        registration: 'node',
        created_at: now,
        updated_at: now,
      })
      .execute();
    await db
      .insertInto('track_splits')
      .values([
        { track_id: trackId, address: owners[i]!, ppm: 700_000 },
        { track_id: trackId, address: listeners[39]!, ppm: 300_000 },
      ])
      .execute();
  }
  // Profiles: 0 and 1 complete, 2 without an avatar, the bot complete.
  for (const i of [0, 1, 2, BOT]) {
    await db
      .insertInto('profiles')
      .values({
        address: listeners[i]!,
        handle: `fan${i}`,
        handle_key: `fan${i}`,
        display_name: `Fan ${i}`,
        bio: 'I listen.',
        links: '[]',
        created_at: now,
        updated_at: now,
      })
      .execute();
    if (i !== 2)
      await db
        .insertInto('profile_avatars')
        .values([
          {
            address: listeners[i]!,
            variant: '480.webp',
            cid: `bafyavatar${i}b`,
            mime: 'image/webp',
            size: 10,
          },
          {
            address: listeners[i]!,
            variant: '150.webp',
            cid: `bafyavatar${i}a`,
            mime: 'image/webp',
            size: 5,
          },
        ])
        .execute();
  }
  // Playlists: 3 public with 3 tracks, 4 public with 2, 5 hidden with 4.
  const playlists: [number, 'public' | 'hidden', number][] = [
    [3, 'public', 3],
    [4, 'public', 2],
    [5, 'hidden', 4],
  ];
  for (const [i, visibility, count] of playlists) {
    const id = `pl_${i}`;
    await db
      .insertInto('playlists')
      .values({
        id,
        owner: listeners[i]!,
        kind: 'playlist',
        title: id,
        description: null,
        visibility,
        created_at: now + i,
        updated_at: now + i,
      })
      .execute();
    await db
      .insertInto('playlist_tracks')
      .values(
        trackIds
          .slice(0, count)
          .map((trackId, position) => ({ playlist_id: id, track_id: trackId, position, added_at: now })),
      )
      .execute();
  }
  // Reposts of the hit: 6 before everything, 7 at the very end, its owner early, the split's second
  // recipient early; 8 early of track 1.
  const early = MONDAY * DAY_MS - 1;
  const late = (MONDAY + EPOCHS) * DAY_MS;
  await db
    .insertInto('reposts')
    .values([
      { account: listeners[6]!, track_id: trackIds[0]!, created_at: early },
      { account: listeners[7]!, track_id: trackIds[0]!, created_at: late },
      { account: owners[0]!, track_id: trackIds[0]!, created_at: early },
      { account: listeners[39]!, track_id: trackIds[0]!, created_at: early },
      { account: listeners[8]!, track_id: trackIds[1]!, created_at: early },
    ])
    .execute();
}

const fanPlays = (rows: readonly SettledPlayRow[]): FanPlay[] =>
  rows.map((row) => ({
    playId: row.play_id,
    listener: row.listener,
    trackId: row.track_id,
    firstStartedAt: row.first_started_at,
  }));

const show = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? String(v) : v));

for (const database of testDatabases()) {
  describe(`fan rewards from the database on ${database.name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    let repo: SettlementRepository;
    const awarded = new Map<string, string[]>();
    const bots: string[][] = [];

    before(async () => {
      ({ db, close } = await database.open());
      repo = new SettlementRepository(db);
      await seed(db);
    });
    after(() => close());

    it('gives the awards, events and exclusions the published history gives, epoch after epoch', async () => {
      const history = new FanRewardsHistory();
      const epochs = generate();
      for (const [n, rows] of epochs.entries()) {
        await repo.openEpoch(n, n * 1000, (n + 1) * 1000, Date.now());
        await repo.saveVerdicts(n, rows);
        const counted = await repo.playsOfEpoch(n, 'counted');
        const plays = fanPlays(counted);
        const budget = n === TIGHT_EPOCH ? TIGHT : BIG;
        const node = await evaluateEpochFanRewards(repo.fans, repo, n, plays, budget);
        if (n === EMPTY_EPOCH) {
          // The epoch paid nothing: it publishes nothing, and its fan rewards go with it.
          await repo.saveAllocations(n, [], [], { state: 'compute', fanRewards: node.outcome });
          await repo.closeMoney(n, 'empty', {}, { carried: [] });
          assert.equal((await repo.fans.ofEpoch(n)).awards.length, 0);
          continue;
        }
        await repo.saveAllocations(n, [], [], { state: 'publish', fanRewards: node.outcome });
        await repo.advance(n, 'done');

        // The verifier's way: social facts from the published evidence, plays from the history.
        const profiles = new Map<string, ProfileEvidence>();
        const playlists = new Map<string, PlaylistEvidence>();
        const reposts = new Map<string, RepostEvidence[]>();
        const recipients = new Map<string, string[]>();
        for (const award of node.result.awards) {
          const evidence = award.evidence as FanAwardEvidence;
          if (evidence.kind === 'profile') profiles.set(award.account, evidence);
          if (evidence.kind === 'playlist') playlists.set(award.account, evidence);
          if (evidence.kind === 'tastemaker') {
            reposts.set(award.account, [...(reposts.get(award.account) ?? []), evidence]);
            const index = trackIds.indexOf(evidence.trackId);
            recipients.set(evidence.trackId, [owners[index]!, listeners[39]!]);
          }
        }
        const verifier = evaluateFanEpoch(history, {
          epoch: n,
          plays,
          budget,
          social: { profiles, playlists, reposts, recipients },
        });
        assert.equal(show(node.result.awards), show(verifier.result.awards), `awards of epoch ${n}`);
        assert.equal(show(node.events), show(verifier.events), `events of epoch ${n}`);
        assert.deepEqual(node.result.botAccounts, verifier.result.botAccounts, `bots of epoch ${n}`);
        history.addEpoch(plays, {
          trending: node.events.trending.values(),
          milestones: node.events.milestones.values(),
          awards: node.result.awards,
        });
        awarded.set(
          String(n),
          node.result.awards.map((award) => `${award.account}|${award.rule}|${award.period}`),
        );
        bots.push(node.result.botAccounts);
        // What the epoch publishes is what was found.
        const stored = await repo.fans.ofEpoch(n);
        assert.equal(stored.awards.length, node.result.awards.length);
        assert.equal(show(stored.trending), show([...node.events.trending.values()]));
        assert.equal(show(stored.milestones), show([...node.events.milestones.values()]));
      }
      const all = [...awarded.values()].flat();
      const has = (account: string, rule: string, period?: string) =>
        all.some((key) => key.startsWith(`${account}|${rule}|${period ?? ''}`));
      // Streaks: every streaker, in the third week (the empty epoch's day broke the second, unless a
      // late report filled it).
      for (const fan of listeners.slice(0, STREAKERS))
        assert.ok(has(fan, 'listening_streak', 'week:2025-W03'), `${fan} streak, week 3`);
      // The seventh day of this fan was in the epoch that published nothing: no streak.
      assert.ok(!has(listeners[EMPTY_DAY_FAN]!, 'listening_streak'));
      // The bot: excluded every epoch, nothing awarded; nine plays on one day is not the pattern.
      assert.ok(bots.every((list) => list.includes(listeners[BOT]!)));
      assert.ok(!all.some((key) => key.startsWith(listeners[BOT]!)));
      assert.ok(has(listeners[ALMOST_BOT]!, 'listening_streak'));
      // Social rules: complete profiles only; the public playlist of three only.
      assert.ok(
        has(listeners[0]!, 'complete_profile', 'once') && has(listeners[1]!, 'complete_profile', 'once'),
      );
      assert.ok(!has(listeners[2]!, 'complete_profile'));
      assert.ok(has(listeners[3]!, 'first_playlist', 'once'));
      assert.ok(!has(listeners[4]!, 'first_playlist') && !has(listeners[5]!, 'first_playlist'));
      // The hit trended: the early reposter earned, the late one and the recipients did not.
      assert.ok(has(listeners[6]!, 'tastemaker', `track:${trackIds[0]}`));
      assert.ok(!has(listeners[7]!, 'tastemaker'));
      assert.ok(!has(owners[0]!, 'tastemaker') && !has(listeners[39]!, 'tastemaker'));
      // The hit reached 100 counted plays: ten first listeners, each awarded once.
      const firsts = all.filter((key) => key.includes(`|first_listener|track:${trackIds[0]}`));
      assert.equal(firsts.length, 10);
      assert.equal(new Set(all).size, all.length, 'no award twice');
    });

    it('refuses an award a second time, and leaves the epoch uncommitted', async () => {
      const [first] = await repo.fans.awardsOf(listeners[0]!);
      assert.ok(first);
      const n = EPOCHS;
      await repo.openEpoch(n, n * 1000, (n + 1) * 1000, Date.now());
      const again = {
        awards: [
          {
            account: first.account,
            rule: first.rule,
            period: first.period,
            amount: BigInt(first.amount),
            reason: 'claimed twice',
            evidence: JSON.parse(first.evidence),
          },
        ],
        trending: [],
        milestones: [],
        summary: '{}',
      };
      await assert.rejects(repo.saveAllocations(n, [], [], { state: 'publish', fanRewards: again }));
      const epoch = await repo.findEpoch(n);
      assert.equal(epoch?.state, 'judge', 'nothing half-written: the step did not commit');
      assert.equal((await repo.fans.ofEpoch(n)).awards.length, 0);
      assert.equal(
        (await repo.fans.awardsOf(listeners[0]!)).filter(
          (a) => a.rule === first.rule && a.period === first.period,
        ).length,
        1,
      );
      // Redoing an epoch's own step replaces its awards instead of adding to them.
      const own = Number(first.epoch);
      const before = (await repo.fans.ofEpoch(own)).awards.length;
      const stored = await repo.fans.ofEpoch(own);
      await repo.saveAllocations(own, [], [], {
        state: 'publish',
        fanRewards: {
          awards: stored.awards.map((a) => ({
            ...a,
            amount: BigInt(a.amount),
            evidence: JSON.parse(a.evidence),
          })),
          trending: stored.trending,
          milestones: stored.milestones,
          summary: '{}',
        },
      });
      assert.equal((await repo.fans.ofEpoch(own)).awards.length, before);
    });

    it('reads progress from the published plays only', async () => {
      const days = await repo.fans.countedDays(listeners[EMPTY_DAY_FAN]!, '2025-01-01');
      assert.ok(!days.includes(new Date((MONDAY + EMPTY_EPOCH) * DAY_MS).toISOString().slice(0, 10)));
      assert.equal(days.length, 6);
      assert.equal(await repo.fans.largestPublicPlaylist(listeners[3]!), 3);
      assert.equal(await repo.fans.largestPublicPlaylist(listeners[5]!), 0, 'hidden playlists do not count');
      assert.deepEqual(await repo.fans.profileFields(listeners[2]!), {
        handle: true,
        displayName: true,
        avatar: false,
        bio: true,
      });
    });
  });
}
