import type { Readable } from 'node:stream';
import { allocateSplit, largestRemainder } from '@fairstream/protocol';
import { notFound } from '../errors.ts';
import type { AllocationRow, EpochRow, SettlementRepository } from '../repositories/settlement.repository.ts';
import type { BlobStore } from '../storage/blob-store.ts';

/** States in which an epoch's money is computed (allocations exist). */
const COMPUTED_STATES = new Set(['publish', 'claim', 'done']);

export interface EpochSummary {
  n: number;
  state: string;
  startsAt: number;
  endsAt: number;
  payoutRoot: string | null;
  playsRoot: string | null;
  releaseTx: string | null;
  publishTx: string | null;
  dataCid: string | null;
  /** The epoch's sums as the worker recorded them (decimal strings). */
  totals: Record<string, string>;
  /** What the epoch pays per token (fee included), base units as decimal strings. */
  paidByToken: { token: string; amount: string }[];
  error: string | null;
  updatedAt: number;
}

export interface EarningsItem {
  epoch: number;
  trackId: string;
  title: string | null;
  token: string;
  /** Counted plays of the track in the epoch (all listeners). */
  countedPlays: number;
  /** Paid to this address from this track in this epoch, base units. */
  amount: string;
  status: 'paid' | 'pending';
  /** What a pro-rata pool would have paid this address from the track (stablecoin only). */
  proRata: string | null;
  /** amount / countedPlays, 6 decimal places, truncated. */
  ratePerPlay: string;
}

/**
 * Epochs and what accounts earned in them, read from the settlement worker's tables. The per-track
 * parts are derived the way protocol's allocate does it: each track's epoch total (stored) divided
 * by the track's split; FAIR rewards and the pro-rata counterfactual per track are re-derived from
 * the epoch's counted plays and its recorded totals with the same largest-remainder rules.
 */
export class EarningsService {
  readonly #repo: SettlementRepository;
  readonly #blobs: BlobStore;

  constructor(repo: SettlementRepository, blobs: BlobStore) {
    this.#repo = repo;
    this.#blobs = blobs;
  }

  async listEpochs(options: { cursor?: number | undefined; limit: number }) {
    const rows = await this.#repo.epochsPage(options.cursor, options.limit + 1);
    const page = rows.slice(0, options.limit);
    const paid = await this.#paidByToken(page.map((row) => row.n));
    return {
      epochs: page.map((row) => summary(row, paid.get(row.n) ?? [])),
      nextCursor: rows.length > options.limit ? page[page.length - 1]!.n : null,
    };
  }

  async getEpoch(n: number) {
    const row = await this.#repo.findEpoch(n);
    if (!row) throw notFound(`Epoch ${n}`);
    const paid = await this.#paidByToken([n]);
    const plays = await this.#repo.verdictCounts(n);
    return {
      ...summary(row, paid.get(n) ?? []),
      plays,
      claimTxs: row.claim_txs ? (JSON.parse(row.claim_txs) as string[]) : [],
    };
  }

  /** The published epoch data blob: its CID, size and bytes. */
  async epochData(n: number): Promise<{ cid: string; size: number; stream: Readable }> {
    const row = await this.#repo.findEpoch(n);
    if (!row) throw notFound(`Epoch ${n}`);
    if (!row.data_cid) throw notFound(`Published data of epoch ${n}`);
    const info = await this.#blobs.stat(row.data_cid);
    if (!info) throw notFound(`Published data of epoch ${n} (blob ${row.data_cid})`);
    return { cid: row.data_cid, size: info.size, stream: await this.#blobs.createReadStream(row.data_cid) };
  }

  /** An account's earnings per epoch and track, with totals per token. */
  async earnings(address: string, options: { epochs?: number[] } = {}) {
    const account = address.toLowerCase();
    const epochs = options.epochs ?? (await this.#repo.epochsPaying(account));
    const items: EarningsItem[] = [];
    for (const n of epochs) items.push(...(await this.#epochEarnings(n, account)));
    const titles = await this.#repo.trackTitles([...new Set(items.map((item) => item.trackId))]);
    for (const item of items) item.title = titles.get(item.trackId) ?? null;
    const totals = new Map<string, { amount: bigint; paid: bigint; pending: bigint; proRata: bigint }>();
    for (const item of items) {
      const total = totals.get(item.token) ?? { amount: 0n, paid: 0n, pending: 0n, proRata: 0n };
      const amount = BigInt(item.amount);
      total.amount += amount;
      if (item.status === 'paid') total.paid += amount;
      else total.pending += amount;
      if (item.proRata !== null) total.proRata += BigInt(item.proRata);
      totals.set(item.token, total);
    }
    return {
      address: account,
      items,
      totals: [...totals].map(([token, total]) => ({
        token,
        amount: String(total.amount),
        paid: String(total.paid),
        pending: String(total.pending),
        proRata: String(total.proRata),
      })),
    };
  }

  /** Epochs that reached 'done' after `after`, ascending (the live stream polls this). */
  doneEpochsAfter(after: number): Promise<EpochRow[]> {
    return this.#repo.doneEpochsAfter(after);
  }

  lastDoneEpoch(): Promise<number> {
    return this.#repo.lastDoneEpoch();
  }

  async #epochEarnings(n: number, account: string): Promise<EarningsItem[]> {
    const epoch = await this.#repo.findEpoch(n);
    if (!epoch || !COMPUTED_STATES.has(epoch.state)) return [];
    const status = epoch.state === 'done' ? 'paid' : 'pending';
    const totals: Record<string, string> = epoch.totals ? JSON.parse(epoch.totals) : {};
    const pairs = await this.#repo.countedPairs(n);
    const playsByTrack = new Map<string, number>();
    for (const pair of pairs)
      playsByTrack.set(pair.trackId, (playsByTrack.get(pair.trackId) ?? 0) + pair.plays);
    const facts = await this.#repo.trackFacts([...playsByTrack.keys()]);
    // Tracks whose split includes the account.
    const mine = [...facts]
      .filter(([, track]) => track.splits.some((split) => split.address.toLowerCase() === account))
      .map(([trackId]) => trackId)
      .sort(compare);
    if (mine.length === 0) return [];
    const shareOf = (trackId: string, amount: bigint): bigint => {
      const splits = facts.get(trackId)!.splits;
      const parts = allocateSplit(
        amount,
        splits.map((split) => split.ppm),
      );
      let part = 0n;
      for (const [i, split] of splits.entries())
        if (split.address.toLowerCase() === account) part += parts[i]!;
      return part;
    };

    const trackRows = (await this.#repo.allocationsOf([n], ['track'])).filter((row) =>
      mine.includes(row.track_id),
    );
    const stablecoin = trackRows[0]?.token ?? (await this.#payoutToken(n));
    const proRata = proRataByTrack(BigInt(totals.paid ?? '0') - BigInt(totals.fee ?? '0'), playsByTrack);
    const rewards = rewardsByTrack(BigInt(totals.rewards ?? '0'), pairs);
    const fair = (await this.#repo.allocationsOf([n], ['reward']))[0]?.token;

    const items: EarningsItem[] = [];
    for (const trackId of mine) {
      const plays = playsByTrack.get(trackId) ?? 0;
      const trackTotal = BigInt(trackRows.find((row) => row.track_id === trackId)?.amount ?? '0');
      if (stablecoin && (trackTotal > 0n || (proRata.get(trackId) ?? 0n) > 0n)) {
        const amount = shareOf(trackId, trackTotal);
        items.push({
          epoch: n,
          trackId,
          title: null,
          token: stablecoin,
          countedPlays: plays,
          amount: String(amount),
          status,
          proRata: String(shareOf(trackId, proRata.get(trackId) ?? 0n)),
          ratePerPlay: perPlay(amount, plays),
        });
      }
      const reward = rewards.get(trackId) ?? 0n;
      if (fair && reward > 0n) {
        const amount = shareOf(trackId, reward);
        items.push({
          epoch: n,
          trackId,
          title: null,
          token: fair,
          countedPlays: plays,
          amount: String(amount),
          status,
          proRata: null,
          ratePerPlay: perPlay(amount, plays),
        });
      }
    }
    return items;
  }

  async #payoutToken(n: number): Promise<string | undefined> {
    return (await this.#repo.allocationsOf([n], ['payout']))[0]?.token;
  }

  async #paidByToken(epochs: number[]): Promise<Map<number, { token: string; amount: string }[]>> {
    const sums = new Map<number, Map<string, bigint>>();
    // Fan rewards are FAIR the epoch pays too (to fans, through the same leaves).
    for (const row of await this.#repo.allocationsOf(epochs, ['payout', 'reward', 'fan_reward']))
      add(sums, row);
    return new Map(
      [...sums].map(([n, byToken]) => [
        n,
        [...byToken]
          .sort(([a], [b]) => compare(a, b))
          .map(([token, amount]) => ({ token, amount: String(amount) })),
      ]),
    );
  }
}

function add(sums: Map<number, Map<string, bigint>>, row: AllocationRow): void {
  const byToken = sums.get(row.epoch) ?? new Map<string, bigint>();
  byToken.set(row.token, (byToken.get(row.token) ?? 0n) + BigInt(row.amount));
  sums.set(row.epoch, byToken);
}

function summary(row: EpochRow, paidByToken: { token: string; amount: string }[]): EpochSummary {
  return {
    n: row.n,
    state: row.state,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    payoutRoot: row.payout_root,
    playsRoot: row.plays_root,
    releaseTx: row.release_tx,
    publishTx: row.publish_tx,
    dataCid: row.data_cid,
    totals: row.totals ? JSON.parse(row.totals) : {},
    paidByToken,
    error: row.error,
    updatedAt: row.updated_at,
  };
}

/** The pro-rata pool divided among tracks by counted plays (largest remainder, ties to the lower id). */
function proRataByTrack(pool: bigint, playsByTrack: ReadonlyMap<string, number>): Map<string, bigint> {
  const trackIds = [...playsByTrack.keys()].sort(compare);
  const result = new Map<string, bigint>();
  if (trackIds.length === 0 || pool <= 0n) return result;
  const parts = largestRemainder(
    pool,
    trackIds.map((trackId) => playsByTrack.get(trackId)!),
  );
  for (const [i, trackId] of trackIds.entries()) result.set(trackId, parts[i]!);
  return result;
}

/**
 * FAIR rewards per track as allocateRewards divides them: equal parts per active listener (by
 * address), each among that listener's tracks by counted plays (by trackId).
 */
function rewardsByTrack(
  total: bigint,
  pairs: readonly { listener: string; trackId: string; plays: number }[],
): Map<string, bigint> {
  const result = new Map<string, bigint>();
  if (total <= 0n || pairs.length === 0) return result;
  const byListener = new Map<string, Map<string, number>>();
  for (const pair of pairs) {
    const listener = pair.listener.toLowerCase();
    const tracks = byListener.get(listener) ?? new Map<string, number>();
    tracks.set(pair.trackId, (tracks.get(pair.trackId) ?? 0) + pair.plays);
    byListener.set(listener, tracks);
  }
  const listeners = [...byListener.keys()].sort(compare);
  const shares = largestRemainder(total, new Array<bigint>(listeners.length).fill(1n));
  for (const [rank, listener] of listeners.entries()) {
    const tracks = byListener.get(listener)!;
    const trackIds = [...tracks.keys()].sort(compare);
    const parts = largestRemainder(
      shares[rank]!,
      trackIds.map((trackId) => tracks.get(trackId)!),
    );
    for (const [i, trackId] of trackIds.entries())
      result.set(trackId, (result.get(trackId) ?? 0n) + parts[i]!);
  }
  return result;
}

/** amount / plays with 6 decimal places, truncated, by bigint division (no floats for money). */
export function perPlay(amount: bigint, plays: number): string {
  if (plays <= 0) return '0.000000';
  const scaled = (amount * 1_000_000n) / BigInt(plays);
  const whole = scaled / 1_000_000n;
  const fraction = (scaled % 1_000_000n).toString().padStart(6, '0');
  return `${whole}.${fraction}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
