import { describe, expect, it } from 'vitest';
import { type ExplainableEpoch, explainPayout, perPlay, ppmPercent } from './explain.ts';

const me = '0x00000000000000000000000000000000000000a1';
const singer = '0x00000000000000000000000000000000000000b2';
const producer = '0x00000000000000000000000000000000000000c3';
const fanA = '0x0000000000000000000000000000000000000f0a';
const fanB = '0x0000000000000000000000000000000000000f0b';
const fanC = '0x0000000000000000000000000000000000000f0c';
const usd = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
const split = [
  { address: me, ppm: 600_000 },
  { address: singer, ppm: 250_000 },
  { address: producer, ppm: 150_000 },
];

const play = (listener: string, trackId: string, i: number) => ({
  playId: `p${i}`,
  listener,
  trackId,
  heardMs: 30_000,
  firstStartedAt: 1_700_000_000_000 + i,
  wallMs: 30_000,
  reports: [],
});

/** Fan A (10 USD) plays T twice and U once; fan B (5 + 1 carried in) plays T; fan C, no subscription, plays T. */
const data: ExplainableEpoch = {
  epoch: 7,
  feePpm: 100_000,
  tokens: { stablecoin: usd, fair: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512' },
  plays: [play(fanA, 'T', 1), play(fanA, 'T', 2), play(fanA, 'U', 3), play(fanB, 'T', 4), play(fanC, 'T', 5)],
  released: [
    { account: fanA, token: usd, amount: '10000000' },
    { account: fanB, token: usd, amount: '5000000' },
  ],
  carriedIn: [{ account: fanB, token: usd, amount: '1000000' }],
  byTrack: [
    { account: '', token: usd, trackId: 'T', amount: '11400000' },
    { account: '', token: usd, trackId: 'U', amount: '3000000' },
  ],
  totals: { rewardsAvailable: '3000' },
};

describe('explainPayout', () => {
  const explained = explainPayout(data, 'T', split, me);

  it('shows each subscriber’s money, the fee and the part their plays of the track earned', () => {
    expect(explained.subscribers).toEqual([
      {
        address: fanA,
        funds: 10_000_000n,
        fee: 1_000_000n,
        net: 9_000_000n,
        plays: 3,
        playsOfTrack: 2,
        toTrack: 6_000_000n,
      },
      {
        address: fanB,
        funds: 6_000_000n,
        fee: 600_000n,
        net: 5_400_000n,
        plays: 1,
        playsOfTrack: 1,
        toTrack: 5_400_000n,
      },
    ]);
    expect(explained.trackPlays).toBe(4);
  });

  it('adds up to what the node published, and divides it by the split exactly', () => {
    expect(explained.trackTotal).toBe(11_400_000n);
    expect(explained.publishedTrackTotal).toBe(11_400_000n);
    expect(explained.split.map((part) => part.amount)).toEqual([6_840_000n, 2_850_000n, 1_710_000n]);
    expect(explained.yours).toBe(6_840_000n);
    const sum = explained.split.reduce((total, part) => total + part.amount, 0n);
    expect(sum).toBe(explained.trackTotal);
  });

  it('puts the pro-rata counterfactual beside it: every net pooled, divided by all counted plays', () => {
    expect(explained.proRata).toEqual({
      pool: 14_400_000n,
      plays: 5,
      trackPlays: 4,
      trackTotal: 11_520_000n,
      yours: 6_912_000n,
    });
  });

  it('explains FAIR rewards: an equal share per active listener, the split’s remainder to its first recipient', () => {
    expect(explained.rewards).toEqual({
      available: 3000n,
      listeners: 3,
      listenersOfTrack: 3,
      trackTotal: 2667n,
      yours: 1601n,
    });
  });

  it('gives nothing to an account outside the split', () => {
    const other = explainPayout(data, 'T', split, fanA);
    expect(other.yours).toBe(0n);
    expect(other.proRata.yours).toBe(0n);
  });

  it('explains a track nobody paid for with zeros, not an error', () => {
    const unpaid = explainPayout({ ...data, released: [], carriedIn: [] }, 'T', split, me);
    expect(unpaid.subscribers).toEqual([]);
    expect(unpaid.trackTotal).toBe(0n);
    expect(unpaid.proRata.pool).toBe(0n);
  });
});

describe('ppmPercent', () => {
  it('prints parts per million as an exact percentage', () => {
    expect(ppmPercent(100_000)).toBe('10');
    expect(ppmPercent(12_345)).toBe('1.2345');
    expect(ppmPercent(0)).toBe('0');
  });
});

describe('perPlay', () => {
  it('divides exactly, to a millionth of a base unit, in the token’s units', () => {
    expect(perPlay('5', 1, { symbol: 'tUSD', decimals: 6 })).toBe('0.000005 tUSD');
    expect(perPlay('10', 3, { symbol: 'tUSD', decimals: 6 })).toBe('0.000003333333 tUSD');
    expect(perPlay('342465753424657534246', 1, { symbol: 'FAIR', decimals: 18 })).toBe(
      '342.465753424657534246 FAIR',
    );
    expect(perPlay('7', 0, { symbol: 'tUSD', decimals: 6 })).toBe('—');
  });
});
