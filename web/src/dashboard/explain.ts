/**
 * How one payout came about, from the epoch's published data: which subscribers' money reached the
 * track (each one's funds, the platform fee taken from them, and the part of the rest their plays of
 * this track earned), the track's total divided by its split, and what a pro-rata pool would have
 * paid instead. The arithmetic is protocol's own (allocate, allocateRewards, proRataCounterfactual,
 * allocateSplit), the same the node settles with, so the explanation adds up to the unit and can be
 * compared with what the node published.
 */
import type { EpochData } from '@fairstream/cli/verify';
import {
  allocate,
  allocateRewards,
  allocateSplit,
  type CountedPlay,
  proRataCounterfactual,
  type TrackSplit,
} from '@fairstream/protocol';
import { formatUnits } from '../lib/format.ts';

/** The parts of the published epoch data an explanation reads. */
export type ExplainableEpoch = Pick<
  EpochData,
  'epoch' | 'feePpm' | 'tokens' | 'plays' | 'released' | 'carriedIn' | 'byTrack' | 'totals'
>;

export interface SplitShare {
  address: string;
  ppm: number;
}

export interface SubscriberPart {
  /** Lower-case address. */
  address: string;
  /** Released this epoch plus what they carried in. */
  funds: bigint;
  fee: bigint;
  /** funds − fee: what their plays divide. */
  net: bigint;
  /** All their counted plays this epoch, of any track. */
  plays: number;
  /** Their counted plays of this track. */
  playsOfTrack: number;
  /** The part of `net` that went to this track. */
  toTrack: bigint;
}

export interface PayoutExplanation {
  epoch: number;
  trackId: string;
  feePpm: number;
  /** Subscribers who played the track, most money to the track first. */
  subscribers: SubscriberPart[];
  /** Σ toTrack: the track's stablecoin total for the epoch, before the split. */
  trackTotal: bigint;
  /** What the node published as the track's total, for comparison. */
  publishedTrackTotal: bigint | undefined;
  /** Counted plays of the track, by anyone (listeners without a subscription pay nothing). */
  trackPlays: number;
  /** The split applied to trackTotal: each recipient's part, in registry order. */
  split: { address: string; ppm: number; amount: bigint }[];
  /** The account's part (0 when it is not in the split). */
  yours: bigint;
  proRata: {
    /** Every subscriber's net this epoch, pooled. */
    pool: bigint;
    /** All counted plays of the epoch. */
    plays: number;
    trackPlays: number;
    trackTotal: bigint;
    yours: bigint;
  };
  rewards: {
    /** FAIR to share this epoch, equally per active listener. */
    available: bigint;
    listeners: number;
    /** Active listeners who played this track. */
    listenersOfTrack: number;
    trackTotal: bigint;
    yours: bigint;
  };
}

/**
 * Explains what `account` earned from `trackId` in an epoch. `split` is the track's split (as the
 * node lists it); every other track of the epoch only needs to exist, so it gets a one-recipient
 * stand-in split: the per-subscriber and per-track figures do not depend on other tracks' splits.
 */
export function explainPayout(
  data: ExplainableEpoch,
  trackId: string,
  split: readonly SplitShare[],
  account: string,
): PayoutExplanation {
  const me = account.toLowerCase();
  const plays: CountedPlay[] = data.plays.map((play) => ({ listener: play.listener, trackId: play.trackId }));
  const splits = new Map<string, TrackSplit>();
  for (const play of plays)
    if (!splits.has(play.trackId))
      splits.set(play.trackId, { recipients: [play.trackId], sharesPpm: [1_000_000] });
  const recipients = split.map((share) => share.address.toLowerCase());
  const shares = split.map((share) => share.ppm);
  splits.set(trackId, { recipients, sharesPpm: shares });

  const funds = new Map<string, bigint>();
  for (const entry of [...data.released, ...data.carriedIn]) {
    const address = entry.account.toLowerCase();
    funds.set(address, (funds.get(address) ?? 0n) + BigInt(entry.amount));
  }
  const allocation = allocate({
    subscribers: [...funds].map(([address, amount]) => ({ address, amount })),
    plays,
    tracks: splits,
    feePpm: data.feePpm,
    // Who receives the fee does not change any artist's figure.
    feeRecipient: 'fee',
  });
  const subscribers: SubscriberPart[] = [];
  for (const subscriber of allocation.bySubscriber) {
    const part = subscriber.tracks.find((track) => track.trackId === trackId);
    if (!part) continue;
    subscribers.push({
      address: subscriber.address,
      funds: subscriber.amount,
      fee: subscriber.fee,
      net: subscriber.amount - subscriber.fee,
      plays: subscriber.plays,
      playsOfTrack: part.plays,
      toTrack: part.amount,
    });
  }
  subscribers.sort((a, b) => (a.toTrack > b.toTrack ? -1 : a.toTrack < b.toTrack ? 1 : 0));
  const trackTotal = allocation.byTrack.get(trackId) ?? 0n;
  const parts = recipients.length > 0 ? allocateSplit(trackTotal, shares) : [];
  const splitParts = recipients.map((address, i) => ({ address, ppm: shares[i]!, amount: parts[i] ?? 0n }));
  const yoursOf = (amount: bigint) => {
    if (recipients.length === 0) return 0n;
    const divided = allocateSplit(amount, shares);
    return recipients.reduce((sum, address, i) => (address === me ? sum + divided[i]! : sum), 0n);
  };

  const stablecoin = data.tokens.stablecoin.toLowerCase();
  const published = data.byTrack.filter(
    (entry) => entry.trackId === trackId && entry.token.toLowerCase() === stablecoin,
  );
  const trackPlays = plays.filter((play) => play.trackId === trackId).length;

  const pool = allocation.total - allocation.fee;
  const proRata = proRataCounterfactual(pool, plays, splits);
  const proRataTrack = proRata.byTrack.get(trackId) ?? 0n;

  const available = BigInt(data.totals.rewardsAvailable ?? '0');
  const rewards = plays.length > 0 ? allocateRewards(available, plays, splits) : undefined;
  const rewardsTrack = rewards?.byTrack.get(trackId) ?? 0n;

  return {
    epoch: data.epoch,
    trackId,
    feePpm: data.feePpm,
    subscribers,
    trackTotal,
    publishedTrackTotal:
      published.length === 0 ? undefined : published.reduce((sum, entry) => sum + BigInt(entry.amount), 0n),
    trackPlays,
    split: splitParts,
    yours: yoursOf(trackTotal),
    proRata: {
      pool,
      plays: plays.length,
      trackPlays,
      trackTotal: proRataTrack,
      yours: yoursOf(proRataTrack),
    },
    rewards: {
      available,
      listeners: rewards?.byListener.length ?? 0,
      listenersOfTrack:
        rewards?.byListener.filter((listener) => listener.tracks.some((t) => t.trackId === trackId)).length ??
        0,
      trackTotal: rewardsTrack,
      yours: yoursOf(rewardsTrack),
    },
  };
}

/** A fee in ppm as an exact percentage: 100000 → "10", 12345 → "1.2345". */
export function ppmPercent(ppm: number): string {
  const whole = Math.floor(ppm / 10_000);
  const fraction = String(ppm % 10_000)
    .padStart(4, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/**
 * What one counted play earned, exactly to a millionth of a base unit (truncated), in the token's
 * units: the node's ratePerPlay is the same figure in base units.
 */
export function perPlay(
  amount: string,
  plays: number,
  token: { symbol: string; decimals: number; pending?: boolean },
): string {
  if (plays <= 0) return '—';
  if (token.pending) return '…';
  const scaled = (BigInt(amount) * 1_000_000n) / BigInt(plays);
  return `${formatUnits(scaled, token.decimals + 6)} ${token.symbol}`;
}
