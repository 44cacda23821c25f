/**
 * User-centric epoch payouts: each subscriber's money, less the platform fee, goes only to the
 * tracks that subscriber played, by counted plays; each track's epoch total is divided by its split.
 * Also the FAIR rewards (every active listener weighs the same) and the pro-rata counterfactual that
 * artists see side by side. Integer base units throughout; every result adds up exactly.
 *
 * Rounding, precisely:
 * 1. Fee per subscriber: floor(amount × feePpm / 1,000,000); the rest (amount − fee) is the
 *    subscriber's net. Rounding down favours the artists by less than one unit per subscriber.
 * 2. A subscriber's net is divided among the tracks they played by their counted plays of each with
 *    largest remainder (see largestRemainder), ties to the lower trackId (string order).
 * 3. A track's parts from all subscribers are summed, and that epoch total is divided once by the
 *    track's split, floor per recipient, remainder to the first recipient (SplitLib.allocate). Once
 *    per track rather than once per subscriber, so the first recipient's edge is at most n − 1 units
 *    per track and epoch, exactly what one on-chain tip of that amount would give.
 * Hence Σ byRecipient (fee included) + Σ carried = Σ subscriber amounts, to the unit.
 *
 * Plays are aggregated per (listener, track) in typed arrays before any money is divided, so the
 * work is a sort of the plays plus one apportionment per listener, not objects per play.
 */
import { MAX_SPLIT_RECIPIENTS } from '../splits.ts';
import { AllocationError, allocateSplit, largestRemainder, SPLIT_TOTAL_PPM } from './largest-remainder.ts';

/** The default platform fee: 10%, paid to stakers. */
export const DEFAULT_FEE_PPM = 100_000;

export interface SubscriberFunds {
  address: string;
  /** Released for this epoch plus what was carried from earlier epochs, in base units. */
  amount: bigint;
}

/** A COUNTED play (judgePlay said 'counted'); only who and what matter for money. */
export interface CountedPlay {
  listener: string;
  trackId: string;
}

/** A track's split as TrackRegistry holds it: recipients in registry order, shares in ppm. */
export interface TrackSplit {
  recipients: readonly string[];
  sharesPpm: readonly number[];
}

export interface TrackAmount {
  trackId: string;
  /** This listener's counted plays of the track. */
  plays: number;
  amount: bigint;
}

export interface ListenerAllocation {
  /** Lower-case address. */
  address: string;
  /** What this listener brought: a subscriber's funds, or a listener's equal share of the rewards. */
  amount: bigint;
  /** Platform fee taken from `amount` (0 for rewards). */
  fee: bigint;
  plays: number;
  /** Ordered by trackId; the amounts sum to amount − fee. */
  tracks: TrackAmount[];
}

export interface AllocateInput {
  subscribers: readonly SubscriberFunds[];
  /**
   * Counted plays of the epoch; plays by listeners who are not subscribers pay nothing here. Or
   * their aggregate (aggregateCountedPlays), shared with allocateRewards and proRataCounterfactual.
   */
  plays: readonly CountedPlay[] | PlayAggregate;
  /** A split for every track that has a counted play. */
  tracks: ReadonlyMap<string, TrackSplit>;
  /** Platform fee in ppm of each subscriber's amount; default DEFAULT_FEE_PPM. */
  feePpm?: number;
  feeRecipient: string;
}

export interface Allocation {
  /** What each address is paid this epoch (fee included, under the fee recipient); by address, no zeros. */
  byRecipient: Map<string, bigint>;
  /** What each track earned (before its split); by trackId, no zeros. */
  byTrack: Map<string, bigint>;
  /** Subscribers with counted plays, by address. */
  bySubscriber: ListenerAllocation[];
  fee: bigint;
  /** Subscribers without counted plays keep their money for the next epoch; by address. */
  carried: { address: string; amount: bigint }[];
  /** Σ byRecipient: what this epoch pays out. total + Σ carried = Σ subscriber amounts. */
  total: bigint;
}

export interface RewardsAllocation {
  byRecipient: Map<string, bigint>;
  byTrack: Map<string, bigint>;
  /** Active listeners (at least one counted play), by address, each with an equal share. */
  byListener: ListenerAllocation[];
  /** Σ byRecipient. */
  total: bigint;
  /** What could not be given because no one listened: totalFair − total (0 or totalFair). */
  undistributed: bigint;
}

export interface ProRataAllocation {
  byRecipient: Map<string, bigint>;
  byTrack: Map<string, bigint>;
  /** Counted plays the pool was divided by. */
  plays: number;
  total: bigint;
  /** pool − total: the whole pool when there were no plays, else 0. */
  undistributed: bigint;
}

/**
 * The user-centric payouts of an epoch (rounding rules in the module comment). Deterministic: the
 * order of subscribers, plays and tracks does not change the result. Throws AllocationError on a
 * duplicate subscriber, a negative amount, a fee outside 0–100%, a counted play of a track without a
 * split, or an invalid split.
 */
export function allocate(input: AllocateInput): Allocation {
  const feePpm = input.feePpm ?? DEFAULT_FEE_PPM;
  if (!Number.isSafeInteger(feePpm) || feePpm < 0 || feePpm > Number(SPLIT_TOTAL_PPM)) {
    throw new AllocationError(`feePpm must be a whole number from 0 to 1,000,000, not ${feePpm}`);
  }
  if (typeof input.feeRecipient !== 'string' || input.feeRecipient === '') {
    throw new AllocationError('A fee recipient is required');
  }
  const funds = new Map<string, bigint>();
  for (const { address, amount } of input.subscribers) {
    const key = address.toLowerCase();
    if (typeof amount !== 'bigint' || amount < 0n) {
      throw new AllocationError(`${key} has amount ${amount}; amounts are non-negative bigint base units`);
    }
    if (funds.has(key))
      throw new AllocationError(`${key} is listed twice among the subscribers; merge them first`);
    funds.set(key, amount);
  }
  const addresses = [...funds.keys()].sort(compareStrings);
  const ranks = new Map<string, number>();
  for (const [rank, address] of addresses.entries()) ranks.set(address, rank);

  // Each subscriber's run of (listener, track) pairs: [from, to) in pairs.
  let pairs: PlayPairs;
  let runOf: (rank: number, address: string) => [number, number];
  if (isAggregate(input.plays)) {
    pairs = checkedAggregate(input.plays, input.tracks);
    const starts = runStarts(pairs);
    const listenerRank = new Map(pairs.listeners.map((address, rank) => [address, rank]));
    runOf = (_, address) => {
      const rank = listenerRank.get(address);
      return rank === undefined ? [0, 0] : [starts[rank]!, starts[rank + 1]!];
    };
  } else {
    pairs = aggregatePlays(input.plays, input.tracks, ranks, addresses);
    let next = 0;
    runOf = (rank) => {
      const from = next;
      while (next < pairs.length && pairs.listener[next] === rank) next++;
      return [from, next];
    };
  }
  const trackTotals: bigint[] = new Array(pairs.trackIds.length).fill(0n);
  const bySubscriber: ListenerAllocation[] = [];
  const carried: { address: string; amount: bigint }[] = [];
  const ppm = BigInt(feePpm);
  let fee = 0n;
  for (let rank = 0; rank < addresses.length; rank++) {
    const address = addresses[rank]!;
    const amount = funds.get(address)!;
    const [from, next] = runOf(rank, address);
    if (from === next) {
      carried.push({ address, amount });
      continue;
    }
    const subscriberFee = (amount * ppm) / SPLIT_TOTAL_PPM;
    fee += subscriberFee;
    bySubscriber.push(divideAmongTracks(address, amount, subscriberFee, pairs, from, next, trackTotals));
  }
  const { byTrack, byRecipient } = divideTracks(pairs.trackIds, pairs.splits, trackTotals);
  if (fee > 0n) {
    const recipient = input.feeRecipient.toLowerCase();
    byRecipient.set(recipient, (byRecipient.get(recipient) ?? 0n) + fee);
  }
  const sorted = sortByKey(byRecipient);
  return { byRecipient: sorted, byTrack, bySubscriber, fee, carried, total: sumValues(sorted) };
}

/**
 * FAIR rewards of an epoch, user-centric with every ACTIVE listener (at least one counted play)
 * weighing the same, so a bot farm needs many accounts, not many plays: totalFair is divided equally
 * among active listeners by largest remainder (the leftover units, fewer than the number of
 * listeners, go one each to the lowest addresses), each listener's part among the tracks they played
 * by their counted plays (largest remainder, ties to the lower trackId), and each track's total by
 * its split (remainder to the first recipient). Σ byRecipient = totalFair exactly when anyone
 * listened; otherwise everything is `undistributed`.
 */
export function allocateRewards(
  totalFair: bigint,
  plays: readonly CountedPlay[] | PlayAggregate,
  tracks: ReadonlyMap<string, TrackSplit>,
): RewardsAllocation {
  if (typeof totalFair !== 'bigint' || totalFair < 0n) {
    throw new AllocationError(`totalFair must be a non-negative bigint, not ${totalFair}`);
  }
  const pairs = isAggregate(plays)
    ? checkedAggregate(plays, tracks)
    : aggregatePlays(plays, tracks, undefined, undefined);
  const listeners = pairs.listeners;
  const shares =
    listeners.length === 0 ? [] : largestRemainder(totalFair, new Array<bigint>(listeners.length).fill(1n));
  const trackTotals: bigint[] = new Array(pairs.trackIds.length).fill(0n);
  const byListener: ListenerAllocation[] = [];
  let next = 0;
  for (let rank = 0; rank < listeners.length; rank++) {
    const from = next;
    while (next < pairs.length && pairs.listener[next] === rank) next++;
    byListener.push(divideAmongTracks(listeners[rank]!, shares[rank]!, 0n, pairs, from, next, trackTotals));
  }
  const { byTrack, byRecipient } = divideTracks(pairs.trackIds, pairs.splits, trackTotals);
  const sorted = sortByKey(byRecipient);
  const total = sumValues(sorted);
  return { byRecipient: sorted, byTrack, byListener, total, undistributed: totalFair - total };
}

/**
 * What a pro-rata pool would have paid, for the side-by-side view: the whole `pool` (the
 * subscribers' money less the fee) divided among tracks by their share of ALL counted plays
 * (largest remainder, ties to the lower trackId), each track's total by its split. Exact: total +
 * undistributed = pool, and undistributed is non-zero only when there were no plays.
 */
export function proRataCounterfactual(
  pool: bigint,
  plays: readonly CountedPlay[] | PlayAggregate,
  tracks: ReadonlyMap<string, TrackSplit>,
): ProRataAllocation {
  if (typeof pool !== 'bigint' || pool < 0n)
    throw new AllocationError(`pool must be a non-negative bigint, not ${pool}`);
  let trackIds: readonly string[];
  let weights: number[];
  let splits: readonly NormalizedSplit[];
  let playCount: number;
  if (isAggregate(plays)) {
    const pairs = checkedAggregate(plays, tracks);
    trackIds = pairs.trackIds;
    splits = pairs.splits;
    weights = new Array<number>(trackIds.length).fill(0);
    for (let i = 0; i < pairs.length; i++) weights[pairs.track[i]!]! += pairs.count[i]!;
    playCount = plays.plays;
  } else {
    const counts = new Map<string, number>();
    for (const play of plays) counts.set(play.trackId, (counts.get(play.trackId) ?? 0) + 1);
    trackIds = [...counts.keys()].sort(compareStrings);
    splits = trackIds.map((trackId) => splitOf(trackId, tracks));
    weights = trackIds.map((trackId) => counts.get(trackId)!);
    playCount = plays.length;
  }
  const totals = trackIds.length === 0 ? [] : largestRemainder(pool, weights);
  const { byTrack, byRecipient } = divideTracks(trackIds, splits, totals);
  const sorted = sortByKey(byRecipient);
  const total = sumValues(sorted);
  return { byRecipient: sorted, byTrack, plays: playCount, total, undistributed: pool - total };
}

/**
 * Counted plays aggregated per (listener, track) once, for allocate, allocateRewards and
 * proRataCounterfactual to share (the aggregation is a good part of each one's time); each gives
 * exactly what it gives from the plays themselves. Throws AllocationError like they do.
 */
export interface PlayAggregate {
  readonly kind: 'play-aggregate';
  /** Counted plays aggregated. */
  readonly plays: number;
  /** The splits it was built with: the callers must pass the same map. */
  readonly tracks: ReadonlyMap<string, TrackSplit>;
  readonly pairs: PlayPairs;
}

export function aggregateCountedPlays(
  plays: readonly CountedPlay[],
  tracks: ReadonlyMap<string, TrackSplit>,
): PlayAggregate {
  return {
    kind: 'play-aggregate',
    plays: plays.length,
    tracks,
    pairs: aggregatePlays(plays, tracks, undefined, undefined),
  };
}

function isAggregate(plays: readonly CountedPlay[] | PlayAggregate): plays is PlayAggregate {
  return !Array.isArray(plays) && (plays as PlayAggregate).kind === 'play-aggregate';
}

function checkedAggregate(aggregate: PlayAggregate, tracks: ReadonlyMap<string, TrackSplit>): PlayPairs {
  if (aggregate.tracks !== tracks)
    throw new AllocationError('A play aggregate must be used with the track splits it was built with');
  return aggregate.pairs;
}

/** Where each listener's run of pairs starts (pairs are by listener rank); starts[n] = pairs.length. */
function runStarts(pairs: PlayPairs): Int32Array {
  const starts = new Int32Array(pairs.listeners.length + 1);
  let p = 0;
  for (let rank = 0; rank < pairs.listeners.length; rank++) {
    starts[rank] = p;
    while (p < pairs.length && pairs.listener[p] === rank) p++;
  }
  starts[pairs.listeners.length] = p;
  return starts;
}

interface NormalizedSplit {
  recipients: string[];
  shares: number[];
}

/** Counted plays per (listener, track), sorted by listener then track: parallel typed arrays. */
export interface PlayPairs {
  /**
   * Each play's listener and track as small integers, in the order the plays were given (only when
   * every play was kept): what other passes over the same plays can use instead of string lookups.
   */
  interned?: InternedPlays;
  /** Listener of rank r is listeners[r] (ascending addresses). */
  listeners: readonly string[];
  /** Track of rank t is trackIds[t] (ascending), its split splits[t]. */
  trackIds: readonly string[];
  splits: readonly NormalizedSplit[];
  length: number;
  listener: Int32Array;
  track: Int32Array;
  count: Int32Array;
}

/** Plays as integers: play i is by listeners[listenerOf[i]] (lower case), of trackIds[trackOf[i]]. */
export interface InternedPlays {
  listenerOf: Int32Array;
  trackOf: Int32Array;
  listeners: readonly string[];
  trackIds: readonly string[];
}

/**
 * Aggregates plays into (listener rank, track rank, count) runs. With `knownRanks`, listeners are
 * those ranks (the subscribers) and plays by anyone else are skipped once their track is checked;
 * without, every listener that played is ranked by address.
 */
function aggregatePlays(
  plays: readonly CountedPlay[],
  tracks: ReadonlyMap<string, TrackSplit>,
  knownRanks: ReadonlyMap<string, number> | undefined,
  knownListeners: readonly string[] | undefined,
): PlayPairs {
  const trackLocal = new Map<string, number>();
  const localTrackIds: string[] = [];
  const listenerLocal = new Map<string, number>();
  /** The same by the address as given, so most plays skip toLowerCase (a new string each time). */
  const listenerAsGiven = new Map<string, number>();
  const localListeners: string[] = [];
  const playListener = new Int32Array(plays.length);
  const playTrack = new Int32Array(plays.length);
  let kept = 0;
  for (let i = 0; i < plays.length; i++) {
    const play = plays[i]!;
    let track = trackLocal.get(play.trackId);
    if (track === undefined) {
      if (!tracks.has(play.trackId)) {
        throw new AllocationError(`A counted play is of track "${play.trackId}", which has no split`);
      }
      track = localTrackIds.length;
      localTrackIds.push(play.trackId);
      trackLocal.set(play.trackId, track);
    }
    let listener: number | undefined;
    if (knownRanks) {
      listener = knownRanks.get(play.listener.toLowerCase());
      if (listener === undefined) continue;
    } else {
      listener = listenerAsGiven.get(play.listener);
      if (listener === undefined) {
        const address = play.listener.toLowerCase();
        listener = listenerLocal.get(address);
        if (listener === undefined) {
          listener = localListeners.length;
          localListeners.push(address);
          listenerLocal.set(address, listener);
        }
        listenerAsGiven.set(play.listener, listener);
      }
    }
    playListener[kept] = listener;
    playTrack[kept] = track;
    kept++;
  }

  const trackOrder = rankStrings(localTrackIds);
  const trackIds = trackOrder.sorted;
  let listeners: readonly string[];
  let listenerRank: Int32Array | undefined;
  if (knownListeners) {
    listeners = knownListeners;
  } else {
    const listenerOrder = rankStrings(localListeners);
    listeners = listenerOrder.sorted;
    listenerRank = listenerOrder.rank;
  }
  const width = trackIds.length;
  if (listeners.length * width > Number.MAX_SAFE_INTEGER)
    throw new AllocationError('Too many listeners × tracks');
  // One number per play, listener-major, so one numeric sort groups plays by listener then track.
  const codes = new Float64Array(kept);
  for (let i = 0; i < kept; i++) {
    const listener = listenerRank ? listenerRank[playListener[i]!]! : playListener[i]!;
    codes[i] = listener * width + trackOrder.rank[playTrack[i]!]!;
  }
  codes.sort();
  const listener = new Int32Array(kept);
  const track = new Int32Array(kept);
  const count = new Int32Array(kept);
  let length = 0;
  for (let i = 0; i < kept; ) {
    const code = codes[i]!;
    let j = i + 1;
    while (j < kept && codes[j] === code) j++;
    const l = Math.floor(code / width);
    listener[length] = l;
    track[length] = code - l * width;
    count[length] = j - i;
    length++;
    i = j;
  }
  return {
    ...(!knownRanks
      ? {
          interned: {
            listenerOf: playListener,
            trackOf: playTrack,
            listeners: localListeners,
            trackIds: localTrackIds,
          },
        }
      : {}),
    listeners,
    trackIds,
    splits: trackIds.map((trackId) => splitOf(trackId, tracks)),
    length,
    listener: listener.subarray(0, length),
    track: track.subarray(0, length),
    count: count.subarray(0, length),
  };
}

/** One listener's amount (less fee) among the pairs [from, to), which are that listener's tracks in order. */
function divideAmongTracks(
  address: string,
  amount: bigint,
  fee: bigint,
  pairs: PlayPairs,
  from: number,
  to: number,
  trackTotals: bigint[],
): ListenerAllocation {
  const weights: number[] = new Array(to - from);
  let plays = 0;
  for (let i = from; i < to; i++) {
    weights[i - from] = pairs.count[i]!;
    plays += pairs.count[i]!;
  }
  // Pairs are in track-rank (trackId) order, so largestRemainder's lower-index tie-break is the
  // lower-trackId tie-break.
  const parts = largestRemainder(amount - fee, weights);
  const tracks: TrackAmount[] = new Array(to - from);
  for (let i = from; i < to; i++) {
    const rank = pairs.track[i]!;
    const part = parts[i - from]!;
    trackTotals[rank] = trackTotals[rank]! + part;
    tracks[i - from] = { trackId: pairs.trackIds[rank]!, plays: pairs.count[i]!, amount: part };
  }
  return { address, amount, fee, plays, tracks };
}

/** Each track's total by its split; maps without zeros, byTrack in trackId order. */
function divideTracks(
  trackIds: readonly string[],
  splits: readonly NormalizedSplit[],
  totals: readonly bigint[],
): { byTrack: Map<string, bigint>; byRecipient: Map<string, bigint> } {
  const byTrack = new Map<string, bigint>();
  const byRecipient = new Map<string, bigint>();
  for (let t = 0; t < trackIds.length; t++) {
    const total = totals[t]!;
    if (total === 0n) continue;
    byTrack.set(trackIds[t]!, total);
    const split = splits[t]!;
    const parts = allocateSplit(total, split.shares);
    for (let r = 0; r < parts.length; r++) {
      const part = parts[r]!;
      if (part === 0n) continue;
      const recipient = split.recipients[r]!;
      byRecipient.set(recipient, (byRecipient.get(recipient) ?? 0n) + part);
    }
  }
  return { byTrack, byRecipient };
}

function splitOf(trackId: string, tracks: ReadonlyMap<string, TrackSplit>): NormalizedSplit {
  const split = tracks.get(trackId);
  if (!split) throw new AllocationError(`A counted play is of track "${trackId}", which has no split`);
  const { recipients, sharesPpm } = split;
  if (recipients.length === 0 || recipients.length > MAX_SPLIT_RECIPIENTS) {
    throw new AllocationError(`Track "${trackId}" has ${recipients.length} recipients; a split has 1–100`);
  }
  if (sharesPpm.length !== recipients.length) {
    throw new AllocationError(
      `Track "${trackId}" has ${recipients.length} recipients but ${sharesPpm.length} shares`,
    );
  }
  let sum = 0;
  for (const share of sharesPpm) {
    if (!Number.isSafeInteger(share) || share <= 0) {
      throw new AllocationError(`Track "${trackId}" has a share of ${share}; shares are whole ppm above 0`);
    }
    sum += share;
  }
  if (sum !== Number(SPLIT_TOTAL_PPM)) {
    throw new AllocationError(`Track "${trackId}" has shares summing to ${sum}, not 1,000,000`);
  }
  return { recipients: recipients.map((recipient) => recipient.toLowerCase()), shares: [...sharesPpm] };
}

/** Sorts distinct strings; rank[i] is the position of strings[i] in `sorted`. */
function rankStrings(strings: readonly string[]): { sorted: string[]; rank: Int32Array } {
  const order = strings.map((_, i) => i).sort((a, b) => compareStrings(strings[a]!, strings[b]!));
  const rank = new Int32Array(strings.length);
  for (const [position, index] of order.entries()) rank[index] = position;
  return { sorted: order.map((index) => strings[index]!), rank };
}

/** Code-unit order, the same in every JavaScript engine (localeCompare is not). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortByKey(map: Map<string, bigint>): Map<string, bigint> {
  return new Map([...map.entries()].sort(([a], [b]) => compareStrings(a, b)));
}

function sumValues(map: ReadonlyMap<string, bigint>): bigint {
  let sum = 0n;
  for (const value of map.values()) sum += value;
  return sum;
}
