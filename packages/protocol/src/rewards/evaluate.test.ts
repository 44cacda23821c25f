import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregateCountedPlays } from '../payouts/allocate.ts';
import { COUNTING_RULE } from '../plays/counting-rule.ts';
import { prng } from '../testing/prng.ts';
import {
  comparePlays,
  evaluateFanRewards,
  type FanPlay,
  FanRewardsError,
  fanRewardsBudget,
  fanTrackEvents,
  indexFanPlays,
  type PlaylistEvidence,
  type ProfileEvidence,
  type RepostEvidence,
} from './evaluate.ts';
import { evaluateFanEpoch, FanRewardsHistory } from './history.ts';
import { DAY_MS, dayNumberOf, FAN_REWARD_RULES, type FanRewardRule, isoWeekOf } from './rules.ts';

const address = (n: number): string => `0x${n.toString(16).padStart(40, '0')}`;
/** Monday 2025-01-06, as a UTC day number. */
const MONDAY = dayNumberOf(Date.UTC(2025, 0, 6));
const noon = (day: number, offset = 0) => day * DAY_MS + 12 * 3_600_000 + offset;
const BIG = 10n ** 30n;
const CAP = COUNTING_RULE.dailyCapPerListenerAndTrack;

let sequence = 0;
const play = (listener: string, trackId: string, at: number): FanPlay => ({
  playId: `p${String(sequence++).padStart(9, '0')}`,
  listener,
  trackId,
  firstStartedAt: at,
});

interface Social {
  profiles?: Map<string, ProfileEvidence>;
  playlists?: Map<string, PlaylistEvidence>;
  reposts?: Map<string, RepostEvidence[]>;
  recipients?: Map<string, string[]>;
}

/** Settles one epoch against the history, then adds it (as a node's next epoch would see it). */
function settle(
  history: FanRewardsHistory,
  epoch: number,
  plays: FanPlay[],
  budget = BIG,
  social: Social = {},
) {
  const outcome = evaluateFanEpoch(history, { epoch, plays, budget, social });
  history.addEpoch(plays, {
    trending: outcome.events.trending.values(),
    milestones: outcome.events.milestones.values(),
    awards: outcome.result.awards,
  });
  return outcome;
}

const awardsOf = (outcome: ReturnType<typeof settle>) =>
  outcome.result.awards.map((award) => `${award.account}|${award.rule}|${award.period}`);

describe('fan rewards: listening streak', () => {
  const fan = address(1);

  it('pays 7 consecutive UTC days and not 6, in the ISO week of the seventh day', () => {
    const history = new FanRewardsHistory();
    // Six days in one epoch: nothing yet.
    const six = Array.from({ length: 6 }, (_, i) => play(fan, 't1', noon(MONDAY + i)));
    assert.deepEqual(awardsOf(settle(history, 1, six)), []);
    // The seventh (Sunday) in the next epoch: the week's award, with the seven days as evidence.
    const seventh = settle(history, 2, [play(fan, 't2', noon(MONDAY + 6))]);
    assert.deepEqual(awardsOf(seventh), [`${fan}|listening_streak|week:2025-W02`]);
    const [award] = seventh.result.awards;
    assert.deepEqual(award!.evidence, {
      kind: 'streak',
      days: [
        '2025-01-06',
        '2025-01-07',
        '2025-01-08',
        '2025-01-09',
        '2025-01-10',
        '2025-01-11',
        '2025-01-12',
      ],
    });
    assert.equal(award!.amount, FAN_REWARD_RULES[0]!.amount);
    assert.match(award!.reason, /7 consecutive UTC days, 2025-01-06 to 2025-01-12/);
    // Another play the same week earns nothing more.
    assert.deepEqual(awardsOf(settle(history, 3, [play(fan, 't1', noon(MONDAY + 6, 60_000))])), []);
  });

  it('splits days at midnight UTC exactly', () => {
    const history = new FanRewardsHistory();
    const start = MONDAY + 20;
    const plays = Array.from({ length: 6 }, (_, i) => play(fan, 't1', noon(start + i)));
    // The last millisecond of day 6 is still day 6: six days.
    plays.push(play(fan, 't1', (start + 6) * DAY_MS - 1));
    assert.deepEqual(awardsOf(settle(history, 1, plays)), []);
    // The first millisecond of the next day makes seven.
    assert.deepEqual(awardsOf(settle(history, 2, [play(fan, 't1', (start + 6) * DAY_MS)])), [
      `${fan}|listening_streak|week:${isoWeekOf(start + 6)}`,
    ]);
  });

  it('earns once per week while the streak goes on, and a gap starts over', () => {
    const history = new FanRewardsHistory();
    const earned: string[] = [];
    // Fourteen days from Monday, one epoch per day: Sunday of week 1, Monday of week 2.
    for (let i = 0; i < 14; i++)
      earned.push(...awardsOf(settle(history, i, [play(fan, 't1', noon(MONDAY + i))])));
    assert.deepEqual(earned, [
      `${fan}|listening_streak|week:2025-W02`,
      `${fan}|listening_streak|week:2025-W03`,
    ]);
    // Skip a day, then six more days: not seven in a row.
    const later = [];
    for (let i = 15; i < 21; i++)
      later.push(...awardsOf(settle(history, i, [play(fan, 't1', noon(MONDAY + i))])));
    assert.deepEqual(later, []);
  });

  it('fills a gap with a play judged late (a straggler) and pays the week it completes', () => {
    const history = new FanRewardsHistory();
    const days = [0, 1, 2, 4, 5, 6].map((i) => play(fan, 't1', noon(MONDAY + i)));
    assert.deepEqual(awardsOf(settle(history, 1, days)), []);
    assert.deepEqual(awardsOf(settle(history, 2, [play(fan, 't1', noon(MONDAY + 3))])), [
      `${fan}|listening_streak|week:2025-W02`,
    ]);
  });
});

describe('fan rewards: the bot pattern', () => {
  const atCap = (listener: string, trackId: string, day: number, count = CAP) =>
    Array.from({ length: count }, (_, i) => play(listener, trackId, noon(day, i * 60_000)));

  it('pays nothing to an account whose every play is at the daily cap on one track', () => {
    const history = new FanRewardsHistory();
    const bot = address(0xb07);
    const plays = Array.from({ length: 7 }, (_, i) => atCap(bot, 't1', MONDAY + i)).flat();
    const outcome = settle(history, 1, plays, BIG, {
      profiles: new Map([[bot, { handle: 'beep', displayName: 'Beep', avatar: 'bafy', bioLength: 4 }]]),
    });
    assert.deepEqual(awardsOf(outcome), []);
    assert.deepEqual(outcome.result.botAccounts, [bot]);
    // Still the pattern when its history is in earlier epochs and this epoch adds the same again.
    const again = settle(history, 2, atCap(bot, 't1', MONDAY + 7));
    assert.deepEqual(again.result.botAccounts, [bot]);
    assert.deepEqual(awardsOf(again), []);
  });

  it('counts a day split across epochs as one day at the cap', () => {
    const history = new FanRewardsHistory();
    const bot = address(0xb08);
    const plays = Array.from({ length: 6 }, (_, i) => atCap(bot, 't1', MONDAY + i)).flat();
    plays.push(...atCap(bot, 't1', MONDAY + 6, 4));
    settle(history, 1, plays);
    const rest = settle(history, 2, atCap(bot, 't1', MONDAY + 6, CAP - 4));
    assert.deepEqual(rest.result.botAccounts, [bot]);
    assert.deepEqual(awardsOf(rest), []);
  });

  it('is not a day below the cap, nor a second track ever', () => {
    const history = new FanRewardsHistory();
    const [almost, varied, returning] = [address(0xc1), address(0xc2), address(0xc3)];
    const plays: FanPlay[] = [];
    for (let i = 0; i < 7; i++) {
      plays.push(...atCap(almost, 't1', MONDAY + i, i === 3 ? CAP - 1 : CAP));
      plays.push(
        ...atCap(varied, 't1', MONDAY + i),
        ...(i === 5 ? [play(varied, 't2', noon(MONDAY + i, 1))] : []),
      );
    }
    // `returning` played another track in an earlier epoch.
    settle(history, 1, [play(returning, 't9', noon(MONDAY - 1))]);
    for (let i = 0; i < 7; i++) plays.push(...atCap(returning, 't1', MONDAY + i));
    const outcome = settle(history, 2, plays);
    assert.deepEqual(outcome.result.botAccounts, []);
    assert.deepEqual(
      awardsOf(outcome).filter((key) => key.includes('streak')),
      [almost, varied, returning].map((account) => `${account}|listening_streak|week:2025-W02`),
    );
  });
});

describe('fan rewards: first listener milestone', () => {
  const listeners = Array.from({ length: 13 }, (_, i) => address(0x100 + i));

  it('rewards the first 10 distinct counted listeners once the track reaches 100 counted plays', () => {
    const history = new FanRewardsHistory();
    // Epoch 1: listeners 0..12 in order, 7 plays each on day 0 (91 plays): no milestone.
    const first: FanPlay[] = [];
    for (const [i, listener] of listeners.entries())
      for (let k = 0; k < 7; k++) first.push(play(listener, 'hit', noon(MONDAY, i * 1000 + k)));
    const one = settle(history, 1, first);
    assert.equal(one.events.milestones.size, 0);
    // Epoch 2: eight more plays make 99: still nothing.
    const eight = listeners.slice(0, 8).map((listener) => play(listener, 'hit', noon(MONDAY + 1)));
    assert.equal(settle(history, 2, eight).events.milestones.size, 0);
    // Epoch 3: the 100th play, by listener 12. Listener 2 is not active this epoch.
    const active = listeners.filter((_, i) => i !== 2);
    const third = [
      play(listeners[12]!, 'hit', noon(MONDAY + 2)),
      ...active.map((l) => play(l, 'other', noon(MONDAY + 2, 1))),
    ];
    const outcome = settle(history, 3, third);
    const milestone = outcome.events.milestones.get('hit');
    assert.ok(milestone);
    assert.equal(milestone.at, noon(MONDAY + 2));
    assert.deepEqual(
      milestone.firstListeners.map((f) => f.listener),
      listeners.slice(0, 10),
    );
    const firstListenerAwards = awardsOf(outcome).filter((key) => key.includes('first_listener'));
    assert.deepEqual(
      firstListenerAwards,
      listeners
        .slice(0, 10)
        .filter((_, i) => i !== 2)
        .map((l) => `${l}|first_listener|track:hit`),
    );
    const rankOf = outcome.result.awards.find((a) => a.account === listeners[3])!.evidence;
    assert.equal(rankOf.kind === 'first_listener' && rankOf.rank, 4);
    // Listener 2 earns it at the next settlement in which it has counted plays; 10 and 11 never.
    const later = settle(history, 4, [
      play(listeners[2]!, 'other', noon(MONDAY + 3)),
      play(listeners[10]!, 'other', noon(MONDAY + 3)),
    ]);
    assert.deepEqual(awardsOf(later), [`${listeners[2]}|first_listener|track:hit`]);
    assert.deepEqual(awardsOf(settle(history, 5, [play(listeners[2]!, 'other', noon(MONDAY + 4))])), []);
  });

  it('ranks by first counted play, also when a late play of an earlier time arrives with the milestone', () => {
    const history = new FanRewardsHistory();
    const plays: FanPlay[] = [];
    for (let k = 0; k < 99; k++) plays.push(play(listeners[1 + (k % 10)]!, 'late', noon(MONDAY, 10_000 + k)));
    settle(history, 1, plays);
    // Judged in epoch 2 but started before everyone: the 100th play is the last of epoch 1's.
    const outcome = settle(history, 2, [play(listeners[0]!, 'late', noon(MONDAY, 0))]);
    const milestone = outcome.events.milestones.get('late')!;
    assert.equal(milestone.firstListeners[0]!.listener, listeners[0]);
    assert.equal(milestone.at, noon(MONDAY, 10_098));
  });
});

describe('fan rewards: tastemaker', () => {
  const fans = Array.from({ length: 12 }, (_, i) => address(0x200 + i));
  const [early, onTheDot, silent, artist] = [address(0x301), address(0x302), address(0x303), address(0x304)];

  /** Ten distinct listeners of 'gem' on one day; the tenth (fans[9]) plays at `entry`. */
  const entry = noon(MONDAY + 3, 9 * 60_000);
  const trending = () => fans.slice(0, 10).map((fan, i) => play(fan, 'gem', noon(MONDAY + 3, i * 60_000)));

  it('defines the entry as the tenth distinct listener of a UTC day, not the tenth play', () => {
    const history = new FanRewardsHistory();
    const nine = fans
      .slice(0, 9)
      .flatMap((fan, i) => [play(fan, 'gem', noon(MONDAY, i)), play(fan, 'gem', noon(MONDAY, 100 + i))]);
    assert.equal(settle(history, 1, nine).events.trending.size, 0);
    // The tenth listener on ANOTHER day does not make ten on one day.
    assert.equal(settle(history, 2, [play(fans[9]!, 'gem', noon(MONDAY + 1))]).events.trending.size, 0);
    const tenth = settle(history, 3, [play(fans[10]!, 'gem', noon(MONDAY, 500))]);
    assert.deepEqual(tenth.events.trending.get('gem'), {
      trackId: 'gem',
      epoch: 3,
      at: noon(MONDAY, 500),
      playId: tenth.index.plays[0]!.playId,
      listener: fans[10],
      day: '2025-01-06',
    });
  });

  it('rewards a repost strictly before the entry by a listener of the track, never the track’s recipient', () => {
    const history = new FanRewardsHistory();
    settle(history, 1, [
      play(early, 'gem', noon(MONDAY)),
      play(onTheDot, 'gem', noon(MONDAY, 1)),
      play(artist, 'x', noon(MONDAY, 2)),
    ]);
    const reposts = new Map<string, RepostEvidence[]>([
      [early, [{ trackId: 'gem', repostedAt: entry - 1 }]],
      [onTheDot, [{ trackId: 'gem', repostedAt: entry }]],
      [silent, [{ trackId: 'gem', repostedAt: entry - 10 }]],
      [artist, [{ trackId: 'gem', repostedAt: entry - 10 }]],
    ]);
    const active = [early, onTheDot, silent, artist].map((account) =>
      play(account, 'other', noon(MONDAY + 3, 1)),
    );
    const outcome = settle(history, 2, [...trending(), ...active], BIG, {
      reposts,
      recipients: new Map([['gem', [artist]]]),
    });
    assert.equal(outcome.events.trending.get('gem')?.at, entry);
    const tastemakers = outcome.result.awards.filter((award) => award.rule === 'tastemaker');
    assert.deepEqual(
      tastemakers.map((award) => award.account),
      [early],
      'exactly at the entry is not before it; silent never played it; the artist is a recipient',
    );
    assert.deepEqual(tastemakers[0]!.evidence, {
      kind: 'tastemaker',
      trackId: 'gem',
      repostedAt: entry - 1,
      trendingAt: entry,
      trendingPlayId: outcome.events.trending.get('gem')!.playId,
      trendingEpoch: 2,
    });
    // Once per track: the same repost later earns nothing more.
    const again = settle(history, 3, [play(early, 'gem', noon(MONDAY + 4))], BIG, {
      reposts,
      recipients: new Map([['gem', [artist]]]),
    });
    assert.deepEqual(awardsOf(again), []);
  });
});

describe('fan rewards: playlist and profile, caps and the budget', () => {
  const accounts = Array.from({ length: 4 }, (_, i) => address(0x400 + i));
  const profile = { handle: 'ada', displayName: 'Ada', avatar: 'bafyavatar', bioLength: 12 };

  it('needs a public playlist of 3 tracks and every profile field, once ever', () => {
    const history = new FanRewardsHistory();
    const [a, b, c, d] = accounts as [string, string, string, string];
    const social = {
      playlists: new Map([
        [a, { playlistId: 'pl_a', tracks: 3, createdAt: 1 }],
        [b, { playlistId: 'pl_b', tracks: 2, createdAt: 2 }],
      ]),
      profiles: new Map([
        [c, profile],
        [d, { ...profile, avatar: '' }],
      ]),
    };
    const plays = accounts.map((account, i) => play(account, `t${i}`, noon(MONDAY)));
    const outcome = settle(history, 1, plays, BIG, social);
    assert.deepEqual(awardsOf(outcome), [`${a}|first_playlist|once`, `${c}|complete_profile|once`]);
    const again = plays.map((p) => play(p.listener, p.trackId, noon(MONDAY + 1)));
    assert.deepEqual(awardsOf(settle(history, 2, again, BIG, social)), []);
  });

  it('awards nothing to an account without counted plays this epoch', () => {
    const history = new FanRewardsHistory();
    const social = { profiles: new Map([[accounts[0]!, profile]]) };
    assert.deepEqual(awardsOf(settle(history, 1, [play(accounts[1]!, 't', noon(MONDAY))], BIG, social)), []);
  });

  it('holds back what is over a rule’s caps or the budget, in rule, period and address order, and pays it later', () => {
    const rules: FanRewardRule[] = FAN_REWARD_RULES.map((rule) =>
      rule.id === 'complete_profile'
        ? { ...rule, maxAwardsPerEpoch: 2 }
        : rule.id === 'first_playlist'
          ? { ...rule, maxAmountPerEpoch: rule.amount }
          : rule,
    );
    const profiles = new Map(accounts.map((account) => [account, profile]));
    const playlists = new Map(
      accounts.map((account, i) => [account, { playlistId: `pl${i}`, tracks: 5, createdAt: i }]),
    );
    const plays = [...accounts].reverse().map((account, i) => play(account, `t${i}`, noon(MONDAY)));
    const run = (budget: bigint, only = accounts) => {
      const index = indexFanPlays(plays.filter((p) => only.includes(p.listener)));
      const trackFacts = {
        trending: new Map(),
        milestones: new Map(),
        trackFirstPlays: new Map(),
        trackDayPlays: new Map(),
      };
      const events = fanTrackEvents(1, index, trackFacts);
      return evaluateFanRewards({
        budget,
        index,
        trackFacts,
        events,
        rules,
        facts: {
          listenerHistory: new Map(),
          awarded: new Set(),
          played: new Set(),
          recipients: new Map(),
          profiles,
          playlists,
          reposts: new Map(),
        },
      });
    };
    const capped = run(BIG);
    const [a, b, c, d] = accounts as [string, string, string, string];
    assert.deepEqual(
      capped.awards.map((award) => `${award.rule}:${award.account}`),
      [`first_playlist:${a}`, `complete_profile:${a}`, `complete_profile:${b}`],
    );
    assert.deepEqual(
      capped.heldBack.map((held) => `${held.rule}:${held.account}:${held.because}`),
      [
        `first_playlist:${b}:rule_cap`,
        `first_playlist:${c}:rule_cap`,
        `first_playlist:${d}:rule_cap`,
        `complete_profile:${c}:rule_cap`,
        `complete_profile:${d}:rule_cap`,
      ],
    );
    assert.equal(capped.spent, 6n * 10n ** 18n);
    // A budget for two awards: the rest waits for the budget, not for a cap.
    const tight = run(4n * 10n ** 18n);
    assert.equal(tight.awards.length, 2);
    assert.equal(tight.spent, 4n * 10n ** 18n);
    assert.ok(tight.heldBack.some((held) => held.because === 'budget' && held.account === b));
    // An empty budget pays nothing and holds everyone back.
    const none = run(0n);
    assert.deepEqual([none.awards.length, none.spent], [0, 0n]);
    assert.deepEqual(
      none.byRule.map((entry) => entry.awards),
      [0, 0, 0, 0, 0],
    );
  });

  it('computes the budget as the published share of the available FAIR, rounded down', () => {
    assert.equal(fanRewardsBudget(1_000n), 100n);
    assert.equal(fanRewardsBudget(999n), 99n);
    assert.equal(fanRewardsBudget(0n), 0n);
    assert.throws(() => fanRewardsBudget(-1n), FanRewardsError);
    assert.throws(() => fanRewardsBudget(1n, 1_000_001), FanRewardsError);
  });
});

describe('fan rewards: determinism', () => {
  it('gives the same awards whatever the order of the plays, and the same when evaluated again', () => {
    const random = prng(7);
    const listeners = Array.from({ length: 30 }, (_, i) => address(0x500 + i));
    const plays: FanPlay[] = [];
    for (let i = 0; i < 3000; i++) {
      plays.push(
        play(
          random.pick(listeners),
          `t${random.int(0, 20)}`,
          noon(MONDAY + random.int(0, 9), random.int(0, 3_600_000)),
        ),
      );
    }
    const social = {
      profiles: new Map(
        listeners
          .slice(0, 5)
          .map((l) => [l, { handle: l.slice(-4), displayName: 'x', avatar: 'c', bioLength: 1 }]),
      ),
      reposts: new Map(
        listeners.map((l, i) => [l, [{ trackId: `t${i % 21}`, repostedAt: noon(MONDAY - 1) }]]),
      ),
      recipients: new Map(Array.from({ length: 21 }, (_, i) => [`t${i}`, [address(0x999)]])),
    };
    const sorted = evaluateFanEpoch(new FanRewardsHistory(), { epoch: 1, plays, budget: BIG, social });
    const shuffled = evaluateFanEpoch(new FanRewardsHistory(), {
      epoch: 1,
      plays: random.shuffle(plays),
      budget: BIG,
      social,
    });
    const show = (r: typeof sorted) =>
      JSON.stringify(r.result, (_, v) => (typeof v === 'bigint' ? String(v) : v));
    assert.equal(show(shuffled), show(sorted));
    // With the integers of allocate's shared aggregate of the same plays: the same index.
    const inOrder = [...plays].sort(comparePlays);
    const tracks = new Map(
      Array.from({ length: 21 }, (_, i) => [
        `t${i}`,
        { recipients: [address(0x999)], sharesPpm: [1_000_000] },
      ]),
    );
    const { interned } = aggregateCountedPlays(inOrder, tracks).pairs;
    assert.ok(interned);
    const showIndex = (index: ReturnType<typeof indexFanPlays>) =>
      JSON.stringify(
        [[...index.listeners], [...index.tracks].map(([id, t]) => [id, t.count, t.first, [...t.days]])],
        (_, v) => (v instanceof Set ? [...v] : v),
      );
    assert.equal(showIndex(indexFanPlays(inOrder, {}, interned)), showIndex(indexFanPlays(inOrder)));
    assert.ok(sorted.result.awards.some((award) => award.rule === 'listening_streak'));
    assert.ok(sorted.result.awards.some((award) => award.rule === 'tastemaker'));
    assert.ok(sorted.result.awards.some((award) => award.rule === 'first_listener'));
  });
});
