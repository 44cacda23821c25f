/**
 * Epoch settlement: turns an epoch's playback reports and subscription money into payouts that land
 * in wallets. One durable state machine per epoch ('judge' → 'release' → 'compute' → 'publish' →
 * 'claim' → 'done', or 'empty' when there was nothing to pay); every step commits its results with
 * the next state in one transaction, and every step that touches the chain first asks the chain what
 * already happened, so a crash at any point is resumed by redoing the current step and nothing is
 * paid twice.
 *
 * Time is CHAIN time: epoch n covers [genesis + n·E, genesis + (n+1)·E) in block timestamps, genesis
 * being the deployment block's timestamp rounded down to E. An epoch settles once the latest block's
 * time has reached its end. On a dev chain blocks are only mined by transactions, so an idle chain's
 * clock stands still; the worker then mines one empty block (evm_mine), at most once per epoch and
 * only once the wall clock has passed the epoch's end, so the journal grows by one entry per epoch.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  accumulatePayouts,
  buildPayoutTree,
  cidDigest,
  claimPayouts,
  emitRewards,
  getClaimed,
  getSubscription,
  getTokenBalance,
  notifyFee,
  type PayoutLeaf,
  payoutClaims,
  payoutDistributorAbi,
  payoutTotals,
  publishEpoch,
  releaseSubscriptions,
  rewardsEmitterAbi,
  stakingAbi,
  subscriptionVaultAbi,
} from '@fairstream/chain';
import {
  APP_REWARDS_POLICY,
  type AppRewardsResult,
  aggregateCountedPlays,
  allocate,
  allocateAppRewards,
  allocateRewards,
  appOfPlay,
  appRewardsBudget,
  type CountedPlay,
  fanRewardsBudget,
  judgePlay,
  type PlayReportFacts,
  playStartedAt,
  proRataCounterfactual,
  type TrackSplit,
  utcDayOf,
} from '@fairstream/protocol';
import { CID } from 'multiformats/cid';
import type { Logger } from 'pino';
import { type Address, getAddress, type Hex } from 'viem';
import type { Ledger } from '../chain/ledger.ts';
import type { AllocationKind, EpochState, PlayReportTable } from '../db/schema.ts';
import type { AppEpochOutcome } from '../repositories/apps.repository.ts';
import {
  type AccountAmount,
  type AllocationRow,
  dailyKey,
  type EpochRow,
  type SettledPlayRow,
  type SettlementRepository,
} from '../repositories/settlement.repository.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import {
  buildEpochData,
  delegationsForPlays,
  type EpochDataAmount,
  type EpochDataAppRewards,
  type EpochDataFanRewards,
  type EpochDataPlay,
  encodeEpochData,
  sortAwards,
} from './epoch-data.ts';
import { type EpochFanRewards, evaluateEpochFanRewards, fanSummary } from './fan-rewards.ts';
import { isPlayInProgress } from './play-in-progress.ts';
import { playsRootOffThread } from './plays-root-off-thread.ts';

/** The platform fee: 10%, to the stakers (DESIGN.md, "Payout model"). */
export const SETTLEMENT_FEE_PPM = 100_000;
/**
 * How far before an epoch's start the judge step looks for plays nobody judged yet (reports that
 * arrived after their own epoch had closed): those are settled late rather than lost.
 */
const STRAGGLER_MS = 24 * 60 * 60 * 1000;
const MAX_BACKOFF_MS = 60_000;
const ZERO_PREFIX = `0x${'0'.repeat(48)}`;

export class SettlementError extends Error {
  override name = 'SettlementError';
}

export interface SettlementWorkerOptions {
  epochSeconds: number;
  logger: Logger;
  /** Scratch folder for the epoch data file before it moves into the blob store. */
  tempDir: string;
  tickMs?: number;
  /**
   * Tests only: stop ticking once an epoch has committed this state, as if the process died right
   * after that commit (the crash-resume test restarts the node from there).
   */
  haltAt?: EpochState;
  /**
   * Called once an epoch's claims have landed, before the epoch is marked done, with what the
   * epoch paid each account per token (the operator's fee left out). A crash before 'done' commits
   * redoes the claim step and calls it again with the same epoch, so it must be idempotent per
   * (account, epoch, token); NotificationsService.notifyPayouts is. If it throws, the step is retried.
   */
  onEpochPaid?: (
    epoch: number,
    payouts: { account: string; token: string; amount: bigint }[],
  ) => Promise<void>;
}

interface EpochAppRewards {
  result: AppRewardsResult;
  outcome: AppEpochOutcome;
}

function appSummary(budget: bigint, spent: bigint): string {
  return JSON.stringify({
    version: APP_REWARDS_POLICY.version,
    sharePpm: APP_REWARDS_POLICY.sharePpm,
    budget: String(budget),
    spent: String(spent),
  });
}

export class SettlementWorker {
  readonly #repo: SettlementRepository;
  readonly #ledger: Ledger;
  readonly #blobs: BlobStore;
  readonly #options: SettlementWorkerOptions;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #halted = false;
  #retryAt = new Map<number, number>();
  /** Wall time of the last block this worker mined (dev chains). */
  #lastMinedAt = 0;
  #stablecoin: Address | undefined;

  constructor(
    repo: SettlementRepository,
    ledger: Ledger,
    blobs: BlobStore,
    options: SettlementWorkerOptions,
  ) {
    this.#repo = repo;
    this.#ledger = ledger;
    this.#blobs = blobs;
    this.#options = options;
    this.#log = options.logger;
  }

  start(): void {
    this.#timer = setInterval(() => this.wake(), this.#options.tickMs ?? 1000);
    this.wake();
  }

  /** Runs a tick now unless one is running (ticks never overlap: epochs settle in order). */
  wake(): void {
    if (this.#stopped || this.#halted || this.#running) return;
    this.#running = this.#tick()
      .catch((error) => this.#log.error({ err: error }, 'settlement tick failed'))
      .finally(() => {
        this.#running = undefined;
      });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
  }

  /** Tests: resolves once epoch `n` reached a final state ('done' or 'empty'). */
  async settled(n: number, timeoutMs = 60_000): Promise<EpochRow> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const epoch = await this.#repo.findEpoch(n);
      if (epoch && (epoch.state === 'done' || epoch.state === 'empty')) return epoch;
      if (Date.now() > deadline) {
        throw new Error(`epoch ${n} not settled in ${timeoutMs} ms: ${JSON.stringify(epoch)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The epoch containing a chain time (Unix ms). */
  epochAt(timeMs: number): { n: number; startsAt: number; endsAt: number } {
    const length = this.#options.epochSeconds * 1000;
    const n = Math.max(0, Math.floor((timeMs - this.#genesisMs()) / length));
    return { n, ...this.#bounds(n) };
  }

  #genesisMs(): number {
    const seconds = this.#options.epochSeconds;
    return Math.floor(this.#ledger.deployment.deployedAt.timestamp / seconds) * seconds * 1000;
  }

  #bounds(n: number): { startsAt: number; endsAt: number } {
    const length = this.#options.epochSeconds * 1000;
    const startsAt = this.#genesisMs() + n * length;
    return { startsAt, endsAt: startsAt + length };
  }

  async #chainNowMs(): Promise<number> {
    const block = await this.#ledger.publicClient.getBlock({ blockTag: 'latest' });
    return Number(block.timestamp) * 1000;
  }

  async #tick(): Promise<void> {
    let chainNow = await this.#chainNowMs();
    while (!this.#stopped && !this.#halted) {
      let epoch = await this.#repo.currentEpoch();
      if (!epoch || epoch.state === 'done' || epoch.state === 'empty') {
        const n = epoch ? epoch.n + 1 : 0;
        const { startsAt, endsAt } = this.#bounds(n);
        if (endsAt > chainNow) {
          // Dev chains only mine on transactions; nudge the clock once the epoch is over in wall time
          // (block times there are wall time plus a non-negative offset, so one block suffices). At
          // most one block per epoch length, so a chain whose clock lags cannot flood the journal.
          const wallNow = Date.now();
          if (!this.#ledger.devChain || wallNow < endsAt) return;
          if (wallNow - this.#lastMinedAt < this.#options.epochSeconds * 1000) return;
          this.#lastMinedAt = wallNow;
          try {
            await this.#ledger.publicClient.request({ method: 'evm_mine', params: [] } as never);
          } catch (error) {
            this.#log.warn({ err: error }, 'could not mine a block to close the epoch; waiting for one');
            return;
          }
          chainNow = await this.#chainNowMs();
          if (endsAt > chainNow) return;
        }
        await this.#repo.openEpoch(n, startsAt, endsAt, Date.now());
        epoch = await this.#repo.findEpoch(n);
        if (!epoch) return;
      }
      const retryAt = this.#retryAt.get(epoch.n);
      if (retryAt !== undefined && Date.now() < retryAt) return;
      let next: EpochState | 'wait';
      try {
        next = await this.#step(epoch);
      } catch (error) {
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** epoch.attempts);
        this.#retryAt.set(epoch.n, Date.now() + delay);
        this.#log.error(
          { err: error, epoch: epoch.n, step: epoch.state, retryInMs: delay },
          `settlement of epoch ${epoch.n} failed at '${epoch.state}'; retrying the same step`,
        );
        await this.#repo.recordError(epoch.n, errorText(error));
        return;
      }
      this.#retryAt.delete(epoch.n);
      if (next === 'wait') return;
      this.#log.debug({ epoch: epoch.n, state: next }, 'settlement step committed');
      if (this.#options.haltAt === next) {
        this.#halted = true;
        return;
      }
    }
  }

  /** Runs the epoch's current step; answers the state it committed, or 'wait' (try again later). */
  async #step(epoch: EpochRow): Promise<EpochState | 'wait'> {
    switch (epoch.state) {
      case 'judge':
        return this.#judge(epoch);
      case 'release':
        return this.#release(epoch);
      case 'compute':
        return this.#compute(epoch);
      case 'publish':
        return this.#publish(epoch);
      case 'claim':
        return this.#claim(epoch);
      default:
        throw new SettlementError(`epoch ${epoch.n} is in state '${epoch.state}', which has no step`);
    }
  }

  // --- 1. judge ------------------------------------------------------------------------------

  async #judge(epoch: EpochRow): Promise<EpochState> {
    const since = epoch.n === 0 ? 0 : epoch.starts_at - STRAGGLER_MS;
    const reports = await this.#repo.unjudgedReports(since, epoch.ends_at, epoch.n);
    const byPlay = groupBy(reports, (report) => report.play_id);
    const facts = await this.#repo.trackFacts([...new Set(reports.map((report) => report.track_id))]);
    const now = Date.now();
    const plays = [...byPlay.values()]
      .map((group) => ({ group, reports: group.map(reportFacts) }))
      .filter(
        ({ group, reports }) => !isPlayInProgress(reports, facts.get(group[0]!.track_id)?.durationMs, now),
      )
      .map(({ group, reports }) => ({ group, reports, first: playStartedAt(reports) }));
    // The daily cap depends on the order: earlier plays of a day count first.
    plays.sort((a, b) => a.first - b.first || compare(a.group[0]!.play_id, b.group[0]!.play_id));
    const counted = await this.#repo.countedOnDays(epoch.n, [
      ...new Set(plays.map((play) => utcDayOf(play.first))),
    ]);
    const rows: SettledPlayRow[] = [];
    for (const { group, reports: playReports, first } of plays) {
      const head = group[0]!;
      const track = facts.get(head.track_id);
      const day = utcDayOf(first);
      const listener = head.listener.toLowerCase();
      const key = dailyKey(listener, head.track_id, day);
      const verdict =
        track && track.durationMs > 0
          ? judgePlay({
              reports: playReports,
              track: {
                durationMs: track.durationMs,
                owner: track.owner,
                collaborators: track.splits.map((split) => split.address),
              },
              // Reports only exist under a session key a signed-in wallet delegated.
              anonymous: false,
              countedToday: counted.get(key) ?? 0,
            })
          : // The track is gone or has no audio length: nothing can be judged, nothing is paid.
            { verdict: 'not_counted' as const, reason: 'inconsistent' as const, heardMs: 0, wallMs: 0 };
      if (verdict.verdict === 'counted') counted.set(key, (counted.get(key) ?? 0) + 1);
      rows.push({
        play_id: head.play_id,
        listener,
        track_id: head.track_id,
        epoch: epoch.n,
        verdict: verdict.verdict,
        reason: verdict.reason,
        heard_ms: verdict.heardMs,
        wall_ms: verdict.wallMs,
        day,
        first_started_at: first,
        source: head.source,
        app_id: appOfPlay(
          group.map((report) => ({ id: report.id, startedAt: report.started_at, appId: report.app_id })),
        ),
      });
    }
    await this.#repo.saveVerdicts(epoch.n, rows);
    return 'release';
  }

  // --- 2. release ----------------------------------------------------------------------------

  /**
   * Releases the subscription money of the listeners with counted plays and of the subscribers who
   * carry money from earlier epochs. A subscriber who did not play keeps their money in the vault
   * (unreleased) until an epoch in which they do: the same outcome as releasing and carrying it,
   * without a release per idle subscriber per epoch. What each got is measured as the change of
   * the vault's cumulative `released` around the release, against a snapshot committed before it,
   * so redoing the step after a crash (the second release moves nothing) measures the same amounts.
   */
  async #release(epoch: EpochRow): Promise<EpochState> {
    const { deployment, publicClient, operatorWallet } = this.#ledger;
    const counted = await this.#repo.playsOfEpoch(epoch.n, 'counted');
    const carried = await this.#repo.carried();
    const candidates = [
      ...new Set([...counted.map((play) => play.listener), ...carried.map((entry) => entry.subscriber)]),
    ].sort(compare);
    let before = await this.#repo.allocations(epoch.n, 'released_before');
    if (before.length === 0 && candidates.length > 0) {
      const rows: AllocationRow[] = [];
      for (const account of candidates) {
        const subscription = await getSubscription(publicClient, {
          deployment,
          subscriber: getAddress(account),
        });
        // Only accounts that ever paid can have anything to release.
        if (subscription.paid > 0n)
          rows.push(row(epoch.n, 'released_before', account, subscription.released));
      }
      await this.#repo.saveAllocations(epoch.n, ['released_before'], rows);
      before = rows;
    }
    if (before.length === 0) {
      await this.#repo.saveAllocations(epoch.n, ['released'], [], { state: 'compute' });
      return 'compute';
    }
    const subscribers = before.map((entry) => getAddress(entry.account));
    const release = await releaseSubscriptions(operatorWallet, {
      deployment,
      subscribers,
      until: BigInt(Math.floor(epoch.ends_at / 1000)),
    });
    const released: AllocationRow[] = [];
    for (const entry of before) {
      const after = await getSubscription(publicClient, {
        deployment,
        subscriber: getAddress(entry.account),
      });
      const amount = after.released - BigInt(entry.amount);
      if (amount > 0n) released.push(row(epoch.n, 'released', entry.account, amount));
    }
    await this.#repo.saveAllocations(epoch.n, ['released'], released, {
      state: 'compute',
      patch: { release_tx: release.hash },
    });
    return 'compute';
  }

  // --- 3. compute ----------------------------------------------------------------------------

  async #compute(epoch: EpochRow): Promise<EpochState> {
    const stablecoin = (await this.#stablecoinAddress()).toLowerCase();
    const fair = this.#ledger.deployment.contracts.FairToken.toLowerCase();
    const operator = this.#ledger.deployment.roles.operator.toLowerCase();
    const released = await this.#repo.allocations(epoch.n, 'released');
    const carriedIn = await this.#repo.carried();
    const funds = new Map<string, bigint>();
    for (const entry of released)
      funds.set(entry.account, (funds.get(entry.account) ?? 0n) + BigInt(entry.amount));
    for (const entry of carriedIn) {
      funds.set(entry.subscriber, (funds.get(entry.subscriber) ?? 0n) + entry.amount);
    }
    const countedRows = await this.#repo.playsOfEpoch(epoch.n, 'counted');
    // The plays root needs nothing the money needs: a big epoch hashes it on another thread meanwhile.
    // (Handled here so a failure of this step before the await below is not an unhandled rejection;
    // a worker left running finishes and stops by itself.)
    const pendingRoot = playsRootOffThread(countedRows);
    pendingRoot.root.catch(() => {});
    const plays: CountedPlay[] = countedRows.map((play) => ({
      listener: play.listener,
      trackId: play.track_id,
    }));
    const facts = await this.#repo.trackFacts([...new Set(plays.map((play) => play.trackId))]);
    const tracks = new Map<string, TrackSplit>();
    for (const [trackId, track] of facts) {
      tracks.set(trackId, {
        recipients: track.splits.map((split) => split.address),
        sharesPpm: track.splits.map((split) => split.ppm),
      });
    }
    // One aggregation of the plays for the payouts, the FAIR rewards and the pro-rata view.
    const aggregate = aggregateCountedPlays(plays, tracks);
    const allocation = allocate({
      subscribers: [...funds].map(([address, amount]) => ({ address, amount })),
      plays: aggregate,
      tracks,
      feePpm: SETTLEMENT_FEE_PPM,
      feeRecipient: operator,
    });

    // The exact sum check: every unit released or carried in is paid (fee included) or carried on.
    const releasedSum = sum(released.map((entry) => BigInt(entry.amount)));
    const carriedInSum = sum(carriedIn.map((entry) => entry.amount));
    const paidSum = sum([...allocation.byRecipient.values()]);
    const carriedOutSum = sum(allocation.carried.map((entry) => entry.amount));
    if (paidSum !== allocation.total || paidSum + carriedOutSum !== releasedSum + carriedInSum) {
      throw new SettlementError(
        `epoch ${epoch.n} does not add up: paid ${paidSum} + carried ${carriedOutSum} ≠ released ${releasedSum} + carried in ${carriedInSum}`,
      );
    }

    const previous = await this.#repo.cumulative();
    // FAIR: the rewards available this epoch, a published share of it for fan rewards (evaluated
    // once the plays are judged, from the published history), the rest to the artists user-centrically.
    let rewards: { available: bigint; allocation: ReturnType<typeof allocateRewards> } | undefined;
    let fan: EpochFanRewards | undefined;
    let apps: EpochAppRewards | undefined;
    if (plays.length > 0) {
      const available = await this.#availableFair(previous, fair);
      fan = await evaluateEpochFanRewards(
        this.#repo.fans,
        this.#repo,
        epoch.n,
        countedRows.map((play) => ({
          playId: play.play_id,
          listener: play.listener,
          trackId: play.track_id,
          firstStartedAt: play.first_started_at,
        })),
        fanRewardsBudget(available),
        aggregate.pairs.interned,
      );
      this.#log.debug(
        { epoch: epoch.n, awards: fan.result.awards.length, spent: String(fan.result.spent), ...fan.timings },
        'fan rewards evaluated',
      );
      apps = await this.#appRewards(available, funds, countedRows);
      rewards = {
        available,
        allocation: allocateRewards(available - fan.result.spent - apps.result.spent, aggregate, tracks),
      };
    }
    const fanSpent = fan?.result.spent ?? 0n;
    // Without counted plays no one is active: nothing to evaluate, but the data still says so.
    const fanOutcome = fan?.outcome ?? {
      awards: [],
      trending: [],
      milestones: [],
      summary: fanSummary({ budget: 0n, spent: 0n, botAccounts: [] }),
    };
    const totals: Record<string, string> = {
      released: String(releasedSum),
      carriedIn: String(carriedInSum),
      carriedOut: String(carriedOutSum),
      paid: String(paidSum),
      fee: String(allocation.fee),
      rewardsAvailable: String(rewards?.available ?? 0n),
      rewards: String(rewards?.allocation.total ?? 0n),
      fanRewardsBudget: String(fan?.result.budget ?? 0n),
      fanRewards: String(fanSpent),
      appRewardsBudget: String(apps?.result.budget ?? 0n),
      appRewards: String(apps?.result.spent ?? 0n),
      countedPlays: String(plays.length),
    };
    const appSpent = apps?.result.spent ?? 0n;
    if (
      allocation.total === 0n &&
      (rewards?.allocation.total ?? 0n) === 0n &&
      fanSpent === 0n &&
      appSpent === 0n
    ) {
      // Nothing to pay: publish nothing, keep every subscriber's money for the next epoch.
      pendingRoot.cancel();
      await this.#repo.closeMoney(
        epoch.n,
        'empty',
        { totals: JSON.stringify(totals) },
        { carried: allocation.carried.map((entry) => ({ subscriber: entry.address, amount: entry.amount })) },
      );
      return 'empty';
    }

    // One amount per fan and token: a fan with several awards gets their sum in one leaf change.
    const fanByAccount = new Map<string, bigint>();
    for (const award of fan?.result.awards ?? [])
      fanByAccount.set(award.account, (fanByAccount.get(award.account) ?? 0n) + award.amount);
    const amounts = [
      ...[...allocation.byRecipient].map(([account, amount]) => ({
        account: account as Address,
        token: stablecoin as Address,
        amount,
      })),
      ...[...(rewards?.allocation.byRecipient ?? [])].map(([account, amount]) => ({
        account: account as Address,
        token: fair as Address,
        amount,
      })),
      ...[...fanByAccount].map(([account, amount]) => ({
        account: account as Address,
        token: fair as Address,
        amount,
      })),
      ...[...(apps?.result.byOwner ?? [])].map(([account, amount]) => ({
        account: account as Address,
        token: fair as Address,
        amount,
      })),
    ];
    const leaves = accumulatePayouts(
      previous.map((leaf) => ({
        account: leaf.account as Address,
        token: leaf.token as Address,
        cumulativeAmount: leaf.amount,
      })),
      amounts,
    );
    const tree = buildPayoutTree(leaves);
    const playsRoot = await pendingRoot.root;
    const proRata = proRataCounterfactual(allocation.total - allocation.fee, aggregate, tracks);
    for (const { token, total } of payoutTotals(leaves))
      totals[`cumulative:${token.toLowerCase()}`] = String(total);

    const rows: AllocationRow[] = [
      ...[...allocation.byRecipient].map(([account, amount]) =>
        row(epoch.n, 'payout', account, amount, stablecoin),
      ),
      ...[...allocation.byTrack].map(([trackId, amount]) =>
        row(epoch.n, 'track', '', amount, stablecoin, trackId),
      ),
      ...[...(rewards?.allocation.byRecipient ?? [])].map(([account, amount]) =>
        row(epoch.n, 'reward', account, amount, fair),
      ),
      ...[...fanByAccount].map(([account, amount]) => row(epoch.n, 'fan_reward', account, amount, fair)),
      ...[...(apps?.result.byOwner ?? [])].map(([account, amount]) =>
        row(epoch.n, 'app_reward', account, amount, fair),
      ),
      ...[...proRata.byRecipient].map(([account, amount]) =>
        row(epoch.n, 'prorata', account, amount, stablecoin),
      ),
      ...leaves.map((leaf) =>
        row(epoch.n, 'leaf', leaf.account.toLowerCase(), leaf.cumulativeAmount, leaf.token.toLowerCase()),
      ),
      ...allocation.carried.map((entry) => row(epoch.n, 'carried', entry.address, entry.amount)),
    ];
    await this.#repo.saveAllocations(
      epoch.n,
      ['payout', 'track', 'reward', 'fan_reward', 'app_reward', 'prorata', 'leaf', 'carried'],
      rows.filter((entry) => entry.kind === 'leaf' || entry.amount !== '0'),
      {
        state: 'publish',
        patch: { payout_root: tree.root, plays_root: playsRoot, totals: JSON.stringify(totals) },
        // Written with the allocations that pay them: an award exists exactly when its FAIR is in a leaf.
        fanRewards: fanOutcome,
        appRewards: apps?.outcome ?? {
          summary: appSummary(0n, 0n),
          byApp: [],
        },
      },
    );
    return 'publish';
  }

  /**
   * The epoch's app rewards (protocol's rewards/apps.ts): its budget divided among the registered
   * apps that delivered counted plays, by each paying listener's money and plays.
   */
  async #appRewards(
    available: bigint,
    funds: ReadonlyMap<string, bigint>,
    countedRows: readonly { listener: string; app_id?: string | null }[],
  ): Promise<EpochAppRewards> {
    const named = [...new Set(countedRows.flatMap((play) => (play.app_id ? [play.app_id] : [])))];
    const owners = new Map((await this.#repo.apps.findMany(named)).map((app) => [app.app_id, app.owner]));
    const result = allocateAppRewards({
      budget: appRewardsBudget(available),
      funds,
      plays: countedRows.map((play) => ({ listener: play.listener, appId: play.app_id ?? null })),
      owners,
    });
    return {
      result,
      outcome: { summary: appSummary(result.budget, result.spent), byApp: result.byApp },
    };
  }

  /**
   * FAIR rewards for the epoch: whatever FAIR the distributor was funded with beyond what published
   * epochs already promised (this epoch's emission, plus emissions no one could be given earlier).
   * Measured on the chain rather than from `emitRewards`' answer, so an emission whose answer a
   * crash lost is still given out, once.
   */
  async #availableFair(previous: AccountAmount[], fair: string): Promise<bigint> {
    const { deployment, publicClient, operatorWallet } = this.#ledger;
    const emitter = deployment.contracts.RewardsEmitter;
    const distributor = deployment.contracts.PayoutDistributor;
    if (!distributor) throw new SettlementError('The deployment has no PayoutDistributor');
    if (emitter) {
      const current = await publicClient.readContract({
        address: emitter,
        abi: rewardsEmitterAbi,
        functionName: 'currentEpoch',
      });
      // Emission epoch 0 has not ended before epoch 1 begins: nothing can be emitted yet.
      if (current > 0n) await emitRewards(operatorWallet, { deployment, epoch: current - 1n });
    }
    const funded = await publicClient.readContract({
      address: distributor,
      abi: payoutDistributorAbi,
      functionName: 'funded',
      args: [getAddress(fair)],
    });
    const promised = sum(previous.filter((leaf) => leaf.token === fair).map((leaf) => leaf.amount));
    return funded > promised ? funded - promised : 0n;
  }

  // --- 4. publish ----------------------------------------------------------------------------

  async #publish(epoch: EpochRow): Promise<EpochState> {
    const { deployment, publicClient, operatorWallet } = this.#ledger;
    const distributor = deployment.contracts.PayoutDistributor;
    if (!distributor || !epoch.payout_root || !epoch.plays_root) {
      throw new SettlementError(`epoch ${epoch.n} has nothing computed to publish`);
    }
    const leaves = leavesOf(await this.#repo.allocations(epoch.n, 'leaf'));
    const tree = buildPayoutTree(leaves);
    if (tree.root !== epoch.payout_root) {
      throw new SettlementError(
        `epoch ${epoch.n}: the stored leaves give root ${tree.root}, not ${epoch.payout_root}`,
      );
    }
    let cid = epoch.data_cid;
    if (!cid) {
      cid = await this.#storeData(epoch, leaves);
      await this.#repo.advance(epoch.n, 'publish', { data_cid: cid });
    }
    const [rootPrefix, , voided] = await publicClient.readContract({
      address: distributor,
      abi: payoutDistributorAbi,
      functionName: 'epochOf',
      args: [BigInt(epoch.n)],
    });
    if (voided)
      throw new SettlementError(`epoch ${epoch.n} was voided by the guardian; it needs an operator`);
    let publishTx: Hex | null = null;
    if (rootPrefix.toLowerCase() === ZERO_PREFIX) {
      const published = await publishEpoch(operatorWallet, {
        deployment,
        epoch: BigInt(epoch.n),
        payoutRoot: tree.root,
        playsRoot: epoch.plays_root as Hex,
        dataDigest: cidDigest(CID.parse(cid).multihash.digest),
        totals: payoutTotals(leaves),
      });
      publishTx = published.hash;
    } else if (!tree.root.toLowerCase().startsWith(rootPrefix.toLowerCase())) {
      throw new SettlementError(`epoch ${epoch.n} is on the chain with another root (${rootPrefix}…)`);
    }
    // else: published before a crash; the chain is the record, this run only catches up.
    const carried = await this.#repo.allocations(epoch.n, 'carried');
    await this.#repo.closeMoney(epoch.n, 'claim', publishTx ? { publish_tx: publishTx } : {}, {
      leaves: leaves.map((leaf) => ({
        account: leaf.account.toLowerCase(),
        token: leaf.token.toLowerCase(),
        amount: leaf.cumulativeAmount,
      })),
      carried: carried.map((entry) => ({ subscriber: entry.account, amount: BigInt(entry.amount) })),
    });
    return 'claim';
  }

  async #storeData(epoch: EpochRow, leaves: PayoutLeaf[]): Promise<string> {
    const stablecoin = (await this.#stablecoinAddress()).toLowerCase();
    const counted = await this.#repo.playsOfEpoch(epoch.n, 'counted');
    const reports = groupBy(
      await this.#repo.reportsOfPlays(counted.map((play) => play.play_id)),
      (r) => r.play_id,
    );
    const plays: EpochDataPlay[] = counted.map((play) => ({
      playId: play.play_id,
      listener: play.listener,
      trackId: play.track_id,
      heardMs: play.heard_ms,
      wallMs: play.wall_ms,
      firstStartedAt: play.first_started_at,
      reports: (reports.get(play.play_id) ?? []).map((report) => ({
        id: report.id,
        sessionKey: report.session_key,
        segments: JSON.parse(report.segments),
        startedAt: report.started_at,
        endedAt: report.ended_at,
        source: report.source,
        appId: report.app_id,
        signature: report.signature,
      })),
    }));
    const sessionKeys = [...new Set(plays.flatMap((play) => play.reports.map((r) => r.sessionKey)))];
    const delegations = delegationsForPlays(
      plays,
      (await this.#repo.delegationsOfKeys(sessionKeys)).map((row) => ({
        domain: row.domain,
        address: row.address,
        sessionKey: row.public_key,
        chainId: row.chain_id,
        issuedAt: row.issued_at,
        expiresAt: row.expires_at,
        signature: row.signature,
      })),
    );
    const amounts = async (kind: AllocationKind): Promise<EpochDataAmount[]> =>
      (await this.#repo.allocations(epoch.n, kind)).map((entry) => ({
        account: entry.account,
        token: entry.token,
        ...(entry.track_id ? { trackId: entry.track_id } : {}),
        amount: entry.amount,
      }));
    const data = buildEpochData({
      chainId: this.#ledger.chainId,
      epoch: epoch.n,
      startsAt: epoch.starts_at,
      endsAt: epoch.ends_at,
      feePpm: SETTLEMENT_FEE_PPM,
      tokens: { stablecoin, fair: this.#ledger.deployment.contracts.FairToken.toLowerCase() },
      plays,
      delegations,
      playsRoot: epoch.plays_root as Hex,
      released: await amounts('released'),
      // What this epoch found carried: the carried table still holds it until the publish commits.
      carriedIn: (await this.#repo.carried()).map((entry) => ({
        account: entry.subscriber,
        token: stablecoin,
        amount: String(entry.amount),
      })),
      carriedOut: await amounts('carried'),
      payouts: await amounts('payout'),
      byTrack: await amounts('track'),
      rewards: await amounts('reward'),
      proRata: await amounts('prorata'),
      ...(await this.#fanRewardsData(epoch)),
      ...(await this.#appRewardsData(epoch)),
      leaves: leaves.map((leaf) => ({
        account: leaf.account.toLowerCase(),
        token: leaf.token.toLowerCase(),
        cumulativeAmount: String(leaf.cumulativeAmount),
      })),
      payoutRoot: epoch.payout_root as Hex,
      totals: epoch.totals ? JSON.parse(epoch.totals) : {},
    });
    await mkdir(this.#options.tempDir, { recursive: true });
    const path = join(this.#options.tempDir, `epoch-${epoch.n}-${randomBytes(6).toString('hex')}.json`);
    await writeFile(path, encodeEpochData(data));
    return (await this.#blobs.putFile(path)).cid;
  }

  /**
   * The epoch's app rewards as published, with the signed registration of every app that delivered
   * a counted play: absent for an epoch computed before app rewards existed.
   */
  async #appRewardsData(epoch: EpochRow): Promise<{ appRewards?: EpochDataAppRewards }> {
    if (!epoch.app_rewards) return {};
    const summary = JSON.parse(epoch.app_rewards) as Pick<
      EpochDataAppRewards,
      'version' | 'sharePpm' | 'budget' | 'spent'
    >;
    const byApp = await this.#repo.apps.ofEpoch(epoch.n);
    const registrations = await this.#repo.apps.findMany(byApp.map((app) => app.app_id));
    return {
      appRewards: {
        ...summary,
        apps: registrations.map((app) => ({
          appId: app.app_id,
          name: app.name,
          owner: app.owner,
          chainId: app.chain_id,
          registeredAt: Number(app.registered_at),
          signature: app.signature,
        })),
        byApp: byApp.map((app) => ({
          appId: app.app_id,
          owner: app.owner,
          countedPlays: app.counted_plays,
          listeners: app.listeners,
          amount: app.amount,
        })),
      },
    };
  }

  /** The epoch's fan rewards as published: absent for an epoch computed before fan rewards existed. */
  async #fanRewardsData(epoch: EpochRow): Promise<{ fanRewards?: EpochDataFanRewards }> {
    if (!epoch.fan_rewards) return {};
    const summary = JSON.parse(epoch.fan_rewards) as Omit<
      EpochDataFanRewards,
      'awards' | 'trending' | 'milestones'
    >;
    const stored = await this.#repo.fans.ofEpoch(epoch.n);
    return {
      fanRewards: {
        ...summary,
        awards: sortAwards(
          stored.awards.map((award) => ({
            account: award.account,
            rule: award.rule,
            period: award.period,
            amount: award.amount,
            reason: award.reason,
            evidence: JSON.parse(award.evidence),
          })),
        ),
        trending: stored.trending,
        milestones: stored.milestones,
      },
    };
  }

  // --- 5. claim ------------------------------------------------------------------------------

  /**
   * Pushes every leaf's due amount to its account, then passes the operator's fee to the stakers.
   * Both are measured on the chain first (claimed so far; fees notified so far), so a redo after a
   * crash sends only what is still due. Staking holds a fee nobody is staking for until the next
   * notify, so the fee always goes there.
   */
  async #claim(epoch: EpochRow): Promise<EpochState | 'wait'> {
    const { deployment, publicClient, operatorWallet } = this.#ledger;
    const distributor = deployment.contracts.PayoutDistributor;
    if (!distributor) throw new SettlementError('The deployment has no PayoutDistributor');
    const final = await publicClient.readContract({
      address: distributor,
      abi: payoutDistributorAbi,
      functionName: 'isFinal',
      args: [BigInt(epoch.n)],
    });
    // A public chain's challenge window: claims open later; come back on a later tick.
    if (!final) return 'wait';
    const leaves = leavesOf(await this.#repo.allocations(epoch.n, 'leaf'));
    const tree = buildPayoutTree(leaves);
    const due = [];
    for (const claim of payoutClaims(tree)) {
      const claimed = await getClaimed(publicClient, {
        deployment,
        account: claim.account,
        token: claim.token,
      });
      if (claimed < claim.cumulativeAmount) due.push(claim);
    }
    const transactions: string[] = [];
    if (due.length > 0) {
      const result = await claimPayouts(operatorWallet, { deployment, epoch: BigInt(epoch.n), claims: due });
      transactions.push(...result.transactions.map((tx) => tx.hash));
      if (result.deferred.length > 0) {
        this.#log.warn(
          { epoch: epoch.n, deferred: result.deferred.length },
          'some payouts became owed balances',
        );
      }
    }

    const staking = deployment.contracts.Staking;
    const stablecoin = await this.#stablecoinAddress();
    const operator = deployment.roles.operator;
    const feeLeaf = leaves.find(
      (leaf) =>
        leaf.account.toLowerCase() === operator.toLowerCase() &&
        leaf.token.toLowerCase() === stablecoin.toLowerCase(),
    );
    if (staking && feeLeaf) {
      // The operator's stablecoin leaf is the cumulative fee; Staking's totalFeeNotified says how
      // much of it was passed on already (this node is the only one notifying fees).
      const notified = await publicClient.readContract({
        address: staking,
        abi: stakingAbi,
        functionName: 'totalFeeNotified',
        args: [stablecoin],
      });
      const owed = feeLeaf.cumulativeAmount - notified;
      if (owed > 0n) {
        const balance = await getTokenBalance(publicClient, { token: stablecoin, address: operator });
        const amount = smaller(owed, balance);
        if (amount > 0n) {
          const fee = await notifyFee(operatorWallet, { deployment, token: stablecoin, amount });
          transactions.push(fee.hash);
        }
      }
    }
    if (this.#options.onEpochPaid) {
      // One amount per account and token: an artist who also earned a fan reward hears of the sum.
      const paid = new Map<string, { account: string; token: string; amount: bigint }>();
      for (const kind of ['payout', 'reward', 'fan_reward'] as const) {
        for (const entry of await this.#repo.allocations(epoch.n, kind)) {
          if (entry.account === operator.toLowerCase()) continue;
          const key = `${entry.account}|${entry.token}`;
          const known = paid.get(key);
          if (known) known.amount += BigInt(entry.amount);
          else paid.set(key, { account: entry.account, token: entry.token, amount: BigInt(entry.amount) });
        }
      }
      await this.#options.onEpochPaid(epoch.n, [...paid.values()]);
    }
    await this.#repo.advance(epoch.n, 'done', { claim_txs: JSON.stringify(transactions) });
    return 'done';
  }

  async #stablecoinAddress(): Promise<Address> {
    if (this.#stablecoin) return this.#stablecoin;
    const vault = this.#ledger.deployment.contracts.SubscriptionVault;
    if (!vault) throw new SettlementError('The deployment has no SubscriptionVault');
    this.#stablecoin = await this.#ledger.publicClient.readContract({
      address: vault,
      abi: subscriptionVaultAbi,
      functionName: 'token',
    });
    return this.#stablecoin;
  }
}

function reportFacts(report: PlayReportTable): PlayReportFacts {
  return {
    playId: report.play_id,
    trackId: report.track_id,
    listener: report.listener,
    segments: JSON.parse(report.segments),
    startedAt: report.started_at,
    endedAt: report.ended_at,
  };
}

function leavesOf(rows: AllocationRow[]): PayoutLeaf[] {
  return rows.map((entry) => ({
    account: getAddress(entry.account),
    token: getAddress(entry.token),
    cumulativeAmount: BigInt(entry.amount),
  }));
}

function row(
  epoch: number,
  kind: AllocationKind,
  account: string,
  amount: bigint,
  token = '',
  trackId = '',
): AllocationRow {
  return { epoch, kind, account: account.toLowerCase(), token, track_id: trackId, amount: amount.toString() };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Math.min for bigints. */
function smaller(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function sum(values: readonly bigint[]): bigint {
  let total = 0n;
  for (const value of values) total += value;
  return total;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
