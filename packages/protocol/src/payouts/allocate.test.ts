import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Prng, prng } from '../testing/prng.ts';
import {
  type Allocation,
  aggregateCountedPlays,
  allocate,
  allocateRewards,
  type CountedPlay,
  proRataCounterfactual,
  type SubscriberFunds,
  type TrackSplit,
} from './allocate.ts';

const address = (n: number): string => `0x${n.toString(16).padStart(40, '0')}`;
const [a, b, c, d] = [address(0xa), address(0xb), address(0xc), address(0xd)];
const [r1, r2, r3] = [address(0x101), address(0x102), address(0x103)];
const fees = address(0xfee);

const tracks = new Map<string, TrackSplit>([
  ['t1', { recipients: [r1, r2], sharesPpm: [600_000, 400_000] }],
  ['t2', { recipients: [r3], sharesPpm: [1_000_000] }],
  ['t3', { recipients: [r1], sharesPpm: [1_000_000] }],
]);
const playsOf = (listener: string, ...trackIds: string[]): CountedPlay[] =>
  trackIds.map((trackId) => ({ listener, trackId }));

const sum = (values: Iterable<bigint>): bigint => {
  let total = 0n;
  for (const value of values) total += value;
  return total;
};

/** Results as plain JSON with Map order kept, so determinism checks see order too. */
const serialize = (value: unknown): string =>
  JSON.stringify(value, (_, v) =>
    typeof v === 'bigint' ? `${v}n` : v instanceof Map ? [...v.entries()] : v,
  );

describe('allocate', () => {
  it('pays each subscriber’s money, less the fee, only to the tracks they played, then by split', () => {
    const result = allocate({
      subscribers: [
        { address: a, amount: 1_000_000n },
        { address: b, amount: 1_001n },
        { address: c, amount: 500n },
      ],
      plays: [...playsOf(a, 't1', 't2', 't1'), ...playsOf(b, 't3', 't2', 't3'), ...playsOf(d, 't1')],
      tracks,
      feeRecipient: fees,
    });
    // a: fee 100,000; net 900,000 by plays 2:1. b: fee floor(100.1) = 100; net 901 by 1:2 = 300.33 | 600.67,
    // so the leftover unit goes to t3 (remainder 2 of 3 beats 1 of 3). d is not a subscriber.
    assert.deepEqual(result.bySubscriber, [
      {
        address: a,
        amount: 1_000_000n,
        fee: 100_000n,
        plays: 3,
        tracks: [
          { trackId: 't1', plays: 2, amount: 600_000n },
          { trackId: 't2', plays: 1, amount: 300_000n },
        ],
      },
      {
        address: b,
        amount: 1_001n,
        fee: 100n,
        plays: 3,
        tracks: [
          { trackId: 't2', plays: 1, amount: 300n },
          { trackId: 't3', plays: 2, amount: 601n },
        ],
      },
    ]);
    assert.deepEqual(
      [...result.byTrack],
      [
        ['t1', 600_000n],
        ['t2', 300_300n],
        ['t3', 601n],
      ],
    );
    assert.deepEqual(
      [...result.byRecipient],
      [
        [r1, 360_601n],
        [r2, 240_000n],
        [r3, 300_300n],
        [fees, 100_100n],
      ],
    );
    assert.equal(result.fee, 100_100n);
    assert.deepEqual(result.carried, [{ address: c, amount: 500n }]);
    assert.equal(result.total, 1_001_001n);
    assert.equal(result.total + 500n, 1_000_000n + 1_001n + 500n);
  });

  it('breaks a remainder tie by the lower trackId and gives split remainders to the first recipient', () => {
    const splits = new Map<string, TrackSplit>([
      ['b-track', { recipients: [r1], sharesPpm: [1_000_000] }],
      ['a-track', { recipients: [r1, r2, r3], sharesPpm: [333_334, 333_333, 333_333] }],
    ]);
    const once = allocate({
      subscribers: [{ address: a, amount: 1n }],
      plays: playsOf(a, 'b-track', 'a-track'),
      tracks: splits,
      feePpm: 0,
      feeRecipient: fees,
    });
    assert.deepEqual([...once.byTrack], [['a-track', 1n]]);
    const ten = allocate({
      subscribers: [{ address: a, amount: 20n }],
      plays: playsOf(a, 'b-track', 'a-track'),
      tracks: splits,
      feePpm: 0,
      feeRecipient: fees,
    });
    assert.deepEqual(
      [...ten.byRecipient],
      [
        [r1, 14n],
        [r2, 3n],
        [r3, 3n],
      ],
    );
  });

  it('merges addresses case-insensitively and pays the fee recipient alongside its artist earnings', () => {
    const result = allocate({
      subscribers: [{ address: a.toUpperCase().replace('0X', '0x'), amount: 100n }],
      plays: playsOf(a, 't2'),
      tracks,
      feePpm: 250_000,
      feeRecipient: r3.toUpperCase().replace('0X', '0x'),
    });
    assert.deepEqual([...result.byRecipient], [[r3, 100n]]);
    assert.equal(result.fee, 25n);
  });

  it('refuses duplicate subscribers, negative amounts, bad fees, unknown tracks and bad splits', () => {
    const base = {
      subscribers: [{ address: a, amount: 1n }],
      plays: playsOf(a, 't1'),
      tracks,
      feeRecipient: fees,
    };
    const cases: [Partial<Parameters<typeof allocate>[0]>, RegExp][] = [
      [
        {
          subscribers: [
            { address: a, amount: 1n },
            { address: a.toUpperCase().replace('0X', '0x'), amount: 1n },
          ],
        },
        /twice/,
      ],
      [{ subscribers: [{ address: a, amount: -1n }] }, /non-negative/],
      [{ feePpm: 1_000_001 }, /feePpm/],
      [{ feePpm: 0.5 }, /feePpm/],
      [{ feeRecipient: '' }, /fee recipient/],
      [{ plays: playsOf(d, 'nope') }, /"nope", which has no split/],
      [
        { tracks: new Map([['t1', { recipients: [r1, r2], sharesPpm: [500_000, 400_000] }]]) },
        /summing to 900000/,
      ],
      [
        { tracks: new Map([['t1', { recipients: [r1, r2], sharesPpm: [1_000_000] }]]) },
        /2 recipients but 1 shares/,
      ],
      [{ tracks: new Map([['t1', { recipients: [], sharesPpm: [] }]]) }, /1–100/],
      [{ tracks: new Map([['t1', { recipients: [r1, r2], sharesPpm: [1_000_000, 0] }]]) }, /share of 0/],
    ];
    for (const [patch, expected] of cases) {
      assert.throws(() => allocate({ ...base, ...patch }), expected, String(expected));
    }
  });
});

interface RandomEpoch {
  subscribers: SubscriberFunds[];
  plays: CountedPlay[];
  tracks: Map<string, TrackSplit>;
  feePpm: number;
}

function randomEpoch(
  random: Prng,
  size: { subscribers: number; tracks: number; plays: number },
): RandomEpoch {
  const tracks = new Map<string, TrackSplit>();
  const nTracks = random.int(1, size.tracks);
  for (let t = 0; t < nTracks; t++) {
    const recipients = [
      ...new Set(Array.from({ length: random.int(1, 4) }, () => address(0x1000 + random.int(0, 300)))),
    ];
    const cuts = recipients.map(() => random.int(1, 1000));
    const total = cuts.reduce((x, y) => x + y, 0);
    const sharesPpm = cuts.map((cut) => Math.max(1, Math.floor((cut * 1_000_000) / total)));
    sharesPpm[0]! += 1_000_000 - sharesPpm.reduce((x, y) => x + y, 0);
    if (sharesPpm[0]! <= 0) continue;
    tracks.set(`trk-${random.int(0, 1e9).toString(36)}`, { recipients, sharesPpm });
  }
  const trackIds = [...tracks.keys()];
  const nSubscribers = random.int(1, size.subscribers);
  const subscribers = Array.from({ length: nSubscribers }, (_, i) => ({
    address: address(i + 1),
    amount:
      random.next() < 0.1 ? 0n : BigInt(random.int(0, 10_000_000)) * (random.next() < 0.1 ? 10n ** 12n : 1n),
  }));
  // Some listeners are not subscribers (their plays pay nothing here but count for rewards and pro-rata).
  const nPlays = random.int(0, size.plays);
  const listeners = nSubscribers + random.int(0, 20);
  const plays = Array.from({ length: nPlays }, () => ({
    listener: address(1 + Math.floor(random.next() ** 2 * listeners)),
    trackId: trackIds[Math.floor(random.next() ** 3 * trackIds.length)]!,
  }));
  return { subscribers, plays, tracks, feePpm: random.pick([0, 100_000, 150_000, 333_333, 1_000_000]) };
}

function checkAllocation(epoch: RandomEpoch, result: Allocation, label: string): void {
  const funded = sum(epoch.subscribers.map((s) => s.amount));
  assert.equal(result.total + sum(result.carried.map((s) => s.amount)), funded, label);
  assert.equal(sum(result.byRecipient.values()), result.total, label);
  assert.equal(sum(result.byTrack.values()) + result.fee, result.total, label);
  assert.equal(sum(result.bySubscriber.map((s) => s.fee)), result.fee, label);
  for (const value of [...result.byRecipient.values(), ...result.byTrack.values()])
    assert.ok(value > 0n, label);

  const played = new Map<string, Map<string, number>>();
  for (const { listener, trackId } of epoch.plays) {
    const mine = played.get(listener) ?? new Map<string, number>();
    mine.set(trackId, (mine.get(trackId) ?? 0) + 1);
    played.set(listener, mine);
  }
  const byTrack = new Map<string, bigint>();
  for (const subscriber of result.bySubscriber) {
    const mine = played.get(subscriber.address);
    assert.ok(mine, label);
    assert.equal(subscriber.fee, (subscriber.amount * BigInt(epoch.feePpm)) / 1_000_000n, label);
    const net = subscriber.amount - subscriber.fee;
    assert.equal(sum(subscriber.tracks.map((t) => t.amount)), net, label);
    // Their money reaches exactly the tracks they played, each within one unit of its exact quota.
    assert.deepEqual(
      subscriber.tracks.map((t) => [t.trackId, t.plays]),
      [...mine.entries()].sort(([x], [y]) => (x < y ? -1 : 1)),
      label,
    );
    for (const part of subscriber.tracks) {
      assert.ok(part.amount >= 0n, label);
      const floor = (net * BigInt(part.plays)) / BigInt(subscriber.plays);
      assert.ok(part.amount === floor || part.amount === floor + 1n, label);
      byTrack.set(part.trackId, (byTrack.get(part.trackId) ?? 0n) + part.amount);
    }
  }
  assert.deepEqual(
    [...result.byTrack],
    [...byTrack].filter(([, v]) => v > 0n).sort(([x], [y]) => (x < y ? -1 : 1)),
    label,
  );
  const listed = [
    ...result.bySubscriber.map((s) => s.address),
    ...result.carried.map((s) => s.address),
  ].sort();
  assert.deepEqual(listed, epoch.subscribers.map((s) => s.address).sort(), label);
  for (const { address: who } of result.carried) assert.equal(played.has(who), false, label);
}

describe('allocate properties (seeded)', () => {
  it('adds up exactly, never negative, money only to tracks played, for random epochs', () => {
    for (let seed = 1; seed <= 120; seed++) {
      const random = prng(seed);
      const large = seed % 30 === 0;
      const epoch = randomEpoch(
        random,
        large
          ? { subscribers: 1_000, tracks: 500, plays: 20_000 }
          : { subscribers: 30, tracks: 12, plays: 200 },
      );
      const result = allocate({ ...epoch, feeRecipient: fees });
      checkAllocation(epoch, result, `seed ${seed}`);
    }
  });

  it('gives the same from one shared play aggregate as from the plays, for all three', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const random = prng(seed);
      const epoch = randomEpoch(random, { subscribers: 40, tracks: 15, plays: seed % 20 === 0 ? 0 : 600 });
      const aggregate = aggregateCountedPlays(epoch.plays, epoch.tracks);
      assert.equal(
        serialize(allocate({ ...epoch, plays: aggregate, feeRecipient: fees })),
        serialize(allocate({ ...epoch, feeRecipient: fees })),
        `allocate, seed ${seed}`,
      );
      assert.equal(
        serialize(allocateRewards(10n ** 21n + BigInt(seed), aggregate, epoch.tracks)),
        serialize(allocateRewards(10n ** 21n + BigInt(seed), epoch.plays, epoch.tracks)),
        `allocateRewards, seed ${seed}`,
      );
      assert.equal(
        serialize(proRataCounterfactual(123_456_789n, aggregate, epoch.tracks)),
        serialize(proRataCounterfactual(123_456_789n, epoch.plays, epoch.tracks)),
        `proRataCounterfactual, seed ${seed}`,
      );
    }
    const { plays, tracks } = randomEpoch(prng(1), { subscribers: 5, tracks: 3, plays: 20 });
    assert.throws(
      () => allocateRewards(1n, aggregateCountedPlays(plays, tracks), new Map(tracks)),
      /the track splits it was built with/,
    );
  });

  it('does not depend on the order of subscribers, plays or tracks', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = prng(seed);
      const epoch = randomEpoch(random, { subscribers: 60, tracks: 25, plays: 800 });
      const shuffled = {
        subscribers: random.shuffle(epoch.subscribers),
        plays: random.shuffle(epoch.plays),
        tracks: new Map(random.shuffle([...epoch.tracks])),
        feePpm: epoch.feePpm,
      };
      assert.equal(
        serialize(allocate({ ...shuffled, feeRecipient: fees })),
        serialize(allocate({ ...epoch, feeRecipient: fees })),
        `seed ${seed}`,
      );
      assert.equal(
        serialize(allocateRewards(10n ** 21n + BigInt(seed), shuffled.plays, shuffled.tracks)),
        serialize(allocateRewards(10n ** 21n + BigInt(seed), epoch.plays, epoch.tracks)),
        `seed ${seed}`,
      );
      assert.equal(
        serialize(proRataCounterfactual(123_457n, shuffled.plays, shuffled.tracks)),
        serialize(proRataCounterfactual(123_457n, epoch.plays, epoch.tracks)),
        `seed ${seed}`,
      );
    }
  });

  it('allocates 50,000 plays in well under two seconds', () => {
    const random = prng(7);
    const tracks = new Map<string, TrackSplit>();
    for (let t = 0; t < 2_500; t++) {
      tracks.set(`track-${t}`, {
        recipients: [address(0x10000 + 3 * t), address(0x10001 + 3 * t), address(0x10002 + 3 * t)],
        sharesPpm: [600_000, 250_000, 150_000],
      });
    }
    const subscribers = Array.from({ length: 5_000 }, (_, i) => ({
      address: address(i + 1),
      amount: 7_000n + BigInt(i),
    }));
    const plays = Array.from({ length: 50_000 }, () => ({
      listener: address(random.int(1, 5_000)),
      trackId: `track-${random.int(0, 2_499)}`,
    }));
    const started = performance.now();
    const result = allocate({ subscribers, plays, tracks, feeRecipient: fees });
    const elapsed = performance.now() - started;
    assert.equal(
      result.total + sum(result.carried.map((s) => s.amount)),
      sum(subscribers.map((s) => s.amount)),
    );
    assert.ok(elapsed < 2_000, `took ${Math.round(elapsed)} ms`);
  });
});

describe('allocateRewards', () => {
  it('weighs every active listener the same, however much they played', () => {
    const plays = [...playsOf(a, ...Array<string>(1_000).fill('t1')), ...playsOf(b, 't2')];
    const result = allocateRewards(1_001n, plays, tracks);
    assert.deepEqual(
      result.byListener.map((l) => [l.address, l.amount]),
      [
        [a, 501n],
        [b, 500n],
      ],
    );
    assert.deepEqual(
      [...result.byTrack],
      [
        ['t1', 501n],
        ['t2', 500n],
      ],
    );
    assert.deepEqual(
      [...result.byRecipient],
      [
        [r1, 301n],
        [r2, 200n],
        [r3, 500n],
      ],
    );
    assert.equal(result.total, 1_001n);
    assert.equal(result.undistributed, 0n);
  });

  it('keeps everything undistributed when no one listened', () => {
    const result = allocateRewards(5n, [], tracks);
    assert.equal(result.total, 0n);
    assert.equal(result.undistributed, 5n);
    assert.deepEqual(result.byListener, []);
  });

  it('gives listeners equal shares within one unit and sums exactly (seeded)', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const random = prng(seed);
      const epoch = randomEpoch(random, { subscribers: 200, tracks: 40, plays: 3_000 });
      const totalFair = BigInt(random.int(0, 1e9)) * 10n ** BigInt(random.int(0, 18));
      const result = allocateRewards(totalFair, epoch.plays, epoch.tracks);
      const label = `seed ${seed}`;
      const active = new Set(epoch.plays.map((p) => p.listener)).size;
      assert.equal(result.byListener.length, active, label);
      assert.equal(result.total + result.undistributed, totalFair, label);
      if (active > 0) assert.equal(result.undistributed, 0n, label);
      assert.equal(sum(result.byRecipient.values()), result.total, label);
      assert.equal(sum(result.byTrack.values()), result.total, label);
      const floor = active > 0 ? totalFair / BigInt(active) : 0n;
      for (const listener of result.byListener) {
        assert.ok(listener.amount === floor || listener.amount === floor + 1n, label);
        assert.equal(sum(listener.tracks.map((t) => t.amount)), listener.amount, label);
      }
    }
  });
});

describe('proRataCounterfactual', () => {
  it('divides the whole pool by share of all plays, so a heavy listener dominates', () => {
    const plays = [...playsOf(a, ...Array<string>(9).fill('t1')), ...playsOf(b, 't2')];
    const result = proRataCounterfactual(1_000n, plays, tracks);
    assert.deepEqual(
      [...result.byTrack],
      [
        ['t1', 900n],
        ['t2', 100n],
      ],
    );
    assert.equal(result.plays, 10);
    assert.equal(result.total, 1_000n);
    // User-centric, b's money would all have gone to t2.
    const fair = allocate({
      subscribers: [
        { address: a, amount: 500n },
        { address: b, amount: 500n },
      ],
      plays,
      tracks,
      feePpm: 0,
      feeRecipient: fees,
    });
    assert.deepEqual(
      [...fair.byTrack],
      [
        ['t1', 500n],
        ['t2', 500n],
      ],
    );
  });

  it('is exact for random epochs and keeps the pool when there are no plays (seeded)', () => {
    assert.deepEqual(proRataCounterfactual(77n, [], tracks).undistributed, 77n);
    for (let seed = 1; seed <= 60; seed++) {
      const random = prng(seed);
      const epoch = randomEpoch(random, { subscribers: 100, tracks: 40, plays: 2_000 });
      const pool = BigInt(random.int(0, 1e12));
      const result = proRataCounterfactual(pool, epoch.plays, epoch.tracks);
      assert.equal(result.total + result.undistributed, pool, `seed ${seed}`);
      assert.equal(sum(result.byRecipient.values()), result.total, `seed ${seed}`);
      assert.equal(sum(result.byTrack.values()), result.total, `seed ${seed}`);
      if (epoch.plays.length > 0) assert.equal(result.undistributed, 0n, `seed ${seed}`);
    }
  });
});
