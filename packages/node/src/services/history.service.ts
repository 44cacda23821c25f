import { type Deployment, fairTokenAbi, subscriptionVaultAbi } from '@fairstream/chain';
import { type Address, type Chain, erc20Abi, type PublicClient, type Transport } from 'viem';
import { badRequest } from '../errors.ts';
import type {
  ChainEvent,
  ChainEventsRepository,
  EventCursor,
} from '../repositories/chain-events.repository.ts';
import type { HistoryRepository, HistoryTrack } from '../repositories/history.repository.ts';
import { withChain } from './chain-unavailable.ts';
import type { CursorCodec } from './cursor.ts';
import type { EarningsService } from './earnings.service.ts';
import {
  BURN_ADDRESS,
  type CauseContext,
  describeCause,
  explainTransfers,
  type MovementCause,
  type Party,
  type PayoutPart,
  type TokenInfo,
  type TrackRef,
  transferOf,
  UNNAMED_CAUSE_EVENTS,
} from './history-causes.ts';
import { TtlCache } from './ttl-cache.ts';

/** One token movement of an account, with its cause. */
export interface Movement {
  /** `<block>-<log index>` of the Transfer event: unique on the chain. */
  id: string;
  /** Block time, Unix ms. */
  time: number;
  blockNumber: number;
  logIndex: number;
  txHash: string;
  token: TokenInfo;
  /** 'self': a transfer from the account to itself. */
  direction: 'in' | 'out' | 'self';
  /** Base units, decimal, never negative: `direction` says which way. */
  amount: string;
  counterparty: Party;
  cause: MovementCause;
  /** The cause in one line, for people. */
  description: string;
}

export interface HistoryPage {
  address: string;
  items: Movement[];
  nextCursor: string | null;
  /** The newest block the node's index holds: movements after it are not listed yet. */
  indexedBlock: number | null;
}

export const HISTORY_LIMITS = { defaultLimit: 50, maxLimit: 200, exportPageSize: 500 } as const;

/** How many published epochs back a claim is followed to find what it paid for. */
const MAX_EPOCHS_PER_CLAIM = 1000;

/** Names of the deployment's contracts and roles as a history shows them. */
const CONTRACT_NAMES: Record<string, string> = {
  PayoutDistributor: 'Payout distributor',
  SubscriptionVault: 'Subscription vault',
  RewardsEmitter: 'Rewards emitter',
  FanDrops: 'Fan drops',
  TrackRegistry: 'Track registry',
  FairToken: 'FAIR token',
  TestStablecoin: 'Test stablecoin',
};
const ROLE_NAMES: [keyof Deployment['roles'], string][] = [
  ['devFaucet', 'Dev faucet'],
  ['operator', 'Node operator'],
  ['treasury', 'Treasury'],
  ['rewardsReserve', 'Rewards reserve'],
  ['guardian', 'Guardian'],
  ['deployer', 'Deployer'],
];

/** An epoch's share of a claim before track titles are read. */
interface RawShare {
  epoch: number;
  amount: bigint;
  raw: RawPart[];
}

type RawPart =
  | { kind: 'track_payout' | 'track_reward'; trackId: string; countedPlays: number; amount: bigint }
  | { kind: 'platform_fee'; amount: bigint }
  | { kind: 'fan_reward'; rule: string; reason: string; amount: bigint }
  | { kind: 'app_reward'; appId: string; name: string | null; countedPlays: number; amount: bigint };

export interface HistoryServiceOptions {
  chainId: number;
  deployment: Pick<Deployment, 'contracts' | 'roles' | 'devChain'>;
  /** Reads the tokens' symbols and decimals (unless `tokens` gives them). */
  publicClient?: PublicClient<Transport, Chain>;
  cursors: CursorCodec;
  /** Movements per internal page of an export (tests make it small). */
  exportPageSize?: number;
  /** The tokens' facts when known already (tests without a chain); else read from the chain once. */
  tokens?: { fair: TokenInfo; stablecoin: TokenInfo | undefined };
}

/**
 * Every movement of FAIR and the stablecoin to or from an account, newest first, each with its
 * cause: the ledger indexer's Transfer events, explained by the other events of their transaction
 * (history-causes.ts) and, for payouts, by the node's settlement records (which epochs, tracks and
 * counted plays a claim paid for). Everything is public on-chain data or derived from it.
 */
export class HistoryService {
  readonly #events: ChainEventsRepository;
  readonly #repo: HistoryRepository;
  readonly #earnings: EarningsService;
  readonly #options: HistoryServiceOptions;
  readonly #names = new Map<string, string>();
  #tokens: Promise<{ fair: TokenInfo; stablecoin: TokenInfo | undefined }> | undefined;
  /** An epoch's records never change once it is published; a short life bounds memory and renames. */
  readonly #parts = new TtlCache<string, RawPart[]>({ ttlMs: 60_000, maxEntries: 2000 });

  constructor(
    events: ChainEventsRepository,
    repo: HistoryRepository,
    earnings: EarningsService,
    options: HistoryServiceOptions,
  ) {
    this.#events = events;
    this.#repo = repo;
    this.#earnings = earnings;
    this.#options = options;
    // Roles first, then contracts over them: an address that is both is shown as the contract.
    for (const [role, name] of ROLE_NAMES) {
      const address = options.deployment.roles[role]?.toLowerCase();
      if (address && !this.#names.has(address)) this.#names.set(address, name);
    }
    for (const [contract, address] of Object.entries(options.deployment.contracts)) {
      if (address) this.#names.set(address.toLowerCase(), CONTRACT_NAMES[contract] ?? contract);
    }
    this.#names.set(BURN_ADDRESS, 'Burn address');
  }

  /** FAIR and the stablecoin, as the chain names them (read once). */
  tokens(): Promise<{ fair: TokenInfo; stablecoin: TokenInfo | undefined }> {
    if (!this.#tokens && this.#options.tokens) this.#tokens = Promise.resolve(this.#options.tokens);
    if (!this.#tokens) {
      const loading = withChain(() => this.#readTokens());
      loading.catch(() => {
        if (this.#tokens === loading) this.#tokens = undefined;
      });
      this.#tokens = loading;
    }
    return this.#tokens;
  }

  /**
   * The token a `token` query names: FAIR, USD (the stablecoin), the stablecoin's symbol, or
   * either's address; undefined (both) when absent. Anything else is a 400 naming what is accepted.
   */
  async resolveToken(token: string | undefined): Promise<TokenInfo | undefined> {
    if (token === undefined || token === '') return undefined;
    const { fair, stablecoin } = await this.tokens();
    const wanted = token.trim().toLowerCase();
    if (wanted === 'fair' || wanted === fair.address || wanted === fair.symbol.toLowerCase()) return fair;
    if (
      stablecoin &&
      (wanted === 'usd' || wanted === stablecoin.address || wanted === stablecoin.symbol.toLowerCase())
    ) {
      return stablecoin;
    }
    const accepted = ['FAIR', ...(stablecoin ? ['USD', stablecoin.symbol] : [])].join(', ');
    throw badRequest(
      'unknown_token',
      `token "${token.slice(0, 64)}" is not one this history lists; use ${accepted} or the token's address`,
    );
  }

  /** A page of an account's movements, newest first; `cursor` is the previous page's `nextCursor`. */
  async page(
    address: string,
    options: { token?: string | undefined; cursor?: string | undefined; limit?: number | undefined },
  ): Promise<HistoryPage> {
    const account = address.toLowerCase();
    const token = await this.resolveToken(options.token);
    const limit = options.limit ?? HISTORY_LIMITS.defaultLimit;
    const scope = `history:${account}:${token?.address ?? 'all'}`;
    let before: EventCursor | undefined;
    if (options.cursor) {
      const [blockNumber, logIndex] = this.#options.cursors.decode(scope, options.cursor, [
        'integer',
        'integer',
      ]) as [number, number];
      before = { blockNumber, logIndex };
    }
    const events = await this.#transfers(account, token, before, limit + 1);
    const shown = events.slice(0, limit);
    const last = shown.at(-1);
    const [items, checkpoint] = await Promise.all([
      this.#movements(account, shown),
      this.#events.checkpoint(this.#options.chainId),
    ]);
    return {
      address: account,
      items,
      nextCursor:
        events.length > limit && last
          ? this.#options.cursors.encode(scope, [last.blockNumber, last.logIndex])
          : null,
      indexedBlock: checkpoint?.blockNumber ?? null,
    };
  }

  /**
   * Every movement of an account, newest first, read page by page as the caller consumes them (the
   * CSV export streams them). The token is resolved first, so a bad one fails before anything is sent.
   */
  async all(
    address: string,
    options: { token?: string | undefined },
  ): Promise<{ token: TokenInfo | undefined; movements: AsyncIterable<Movement> }> {
    const account = address.toLowerCase();
    const token = await this.resolveToken(options.token);
    const pageSize = this.#options.exportPageSize ?? HISTORY_LIMITS.exportPageSize;
    const self = this;
    const movements = (async function* () {
      let before: EventCursor | undefined;
      for (;;) {
        const events = await self.#transfers(account, token, before, pageSize);
        if (events.length === 0) return;
        yield* await self.#movements(account, events);
        if (events.length < pageSize) return;
        before = events.at(-1);
      }
    })();
    return { token, movements };
  }

  async #transfers(
    account: string,
    token: TokenInfo | undefined,
    before: EventCursor | undefined,
    limit: number,
  ): Promise<ChainEvent[]> {
    const { fair, stablecoin } = await this.tokens();
    const addresses = token ? [token.address] : [fair.address, ...(stablecoin ? [stablecoin.address] : [])];
    return this.#events.eventsForAccount(this.#options.chainId, account, {
      events: ['Transfer'],
      addresses,
      limit,
      ...(before ? { before } : {}),
    });
  }

  /** Explains a page of Transfer events (newest first) of one account. */
  async #movements(account: string, transfers: readonly ChainEvent[]): Promise<Movement[]> {
    if (transfers.length === 0) return [];
    const tokens = await this.tokens();
    const context = this.#context(tokens);
    const txs = new Map<string, { blockNumber: number; txHash: string }>();
    for (const event of transfers)
      txs.set(event.txHash, { blockNumber: event.blockNumber, txHash: event.txHash });
    const txEvents = await this.#events.eventsOfTransactions(this.#options.chainId, [...txs.values()], {
      naming: account,
      orEvents: UNNAMED_CAUSE_EVENTS,
    });
    const byTx = groupBy(txEvents, (event) => event.txHash);
    const causes = new Map<ChainEvent, MovementCause>();
    for (const [txHash, mine] of groupBy(transfers, (event) => event.txHash)) {
      const ordered = [...mine].sort((a, b) => a.logIndex - b.logIndex);
      for (const [event, cause] of explainTransfers(ordered, byTx.get(txHash) ?? [], context))
        causes.set(event, cause);
    }

    // What the node knows beyond the chain: payout parts, track titles, handles.
    const claims = new Map<MovementCause, RawShare[]>();
    for (const event of transfers) {
      const cause = causes.get(event);
      if (cause?.kind === 'payout' || cause?.kind === 'reward') {
        const transfer = transferOf(event);
        claims.set(
          cause,
          await this.#claimShares(account, transfer.token, cause.epoch, BigInt(transfer.value), {
            cumulative: BigInt(cause.cumulativeAmount),
            operator: this.#options.deployment.roles.operator.toLowerCase() === account,
            stablecoin: tokens.stablecoin?.address === transfer.token,
          }),
        );
      }
    }
    const ledgerIds = [...causes.values()].flatMap((cause) =>
      cause.kind === 'tip_received' || cause.kind === 'tip_sent' || cause.kind === 'promotion'
        ? [cause.ledgerTrackId]
        : [],
    );
    // A fan's claim (and a reclaim) names only the drop: its creator and reason are the drop's.
    const dropIds = [...causes.values()].flatMap((cause) =>
      cause.kind === 'fan_drop' && cause.action !== 'funded' ? [cause.dropId] : [],
    );
    const trackIds = [...claims.values()].flatMap((shares) =>
      shares.flatMap((share) => share.raw.flatMap((part) => ('trackId' in part ? [part.trackId] : []))),
    );
    const [byLedgerId, byId, drops] = await Promise.all([
      this.#repo.tracksByLedgerId(ledgerIds),
      this.#repo.tracksById(trackIds),
      this.#repo.drops(dropIds),
    ]);
    const track = (found: HistoryTrack | undefined): TrackRef | null =>
      found?.listed ? { id: found.id, title: found.title } : null;
    for (const cause of causes.values()) {
      if (cause.kind === 'tip_received' || cause.kind === 'tip_sent' || cause.kind === 'promotion') {
        cause.track = track(byLedgerId.get(cause.ledgerTrackId));
      } else if (cause.kind === 'fan_drop' && cause.action !== 'funded') {
        const drop = drops.get(cause.dropId);
        if (drop) {
          cause.from = drop.creator;
          cause.reason = drop.reason;
        }
      } else if (cause.kind === 'payout' || cause.kind === 'reward') {
        cause.epochs = (claims.get(cause) ?? []).map((share) => ({
          epoch: share.epoch,
          amount: String(share.amount),
          parts: reconcile(share.amount, share.raw, (id) => track(byId.get(id))),
        }));
      }
    }
    const named = new Set<string>();
    for (const event of transfers) {
      const transfer = transferOf(event);
      named.add(transfer.from);
      named.add(transfer.to);
      const cause = causes.get(event);
      if (cause?.kind === 'tip_received') named.add(cause.from);
      if (cause?.kind === 'fan_drop') named.add(cause.from);
    }
    const handles = await this.#repo.handles([...named]);
    const party = (address: string): Party => ({
      address,
      name: this.#names.get(address) ?? null,
      handle: handles.get(address) ?? null,
    });

    return transfers.map((event) => {
      const transfer = transferOf(event);
      const direction =
        transfer.from === account && transfer.to === account
          ? 'self'
          : transfer.to === account
            ? 'in'
            : 'out';
      const counterparty = party(direction === 'in' ? transfer.from : transfer.to);
      const cause = causes.get(event) ?? { kind: 'transfer' as const };
      const token =
        transfer.token === tokens.fair.address
          ? tokens.fair
          : (tokens.stablecoin ?? { address: transfer.token, symbol: '?', decimals: 0 });
      return {
        id: `${event.blockNumber}-${event.logIndex}`,
        time: event.blockTime,
        blockNumber: event.blockNumber,
        logIndex: event.logIndex,
        txHash: event.txHash,
        token,
        direction,
        amount: transfer.value,
        counterparty,
        cause,
        description: describeCause(cause, { direction, counterparty, party }),
      };
    });
  }

  #context(tokens: { fair: TokenInfo; stablecoin: TokenInfo | undefined }): CauseContext {
    const { contracts, roles, devChain } = this.#options.deployment;
    const lower = (address: string | undefined) => address?.toLowerCase();
    return {
      contracts: {
        PayoutDistributor: lower(contracts.PayoutDistributor),
        Tips: lower(contracts.Tips),
        SubscriptionVault: lower(contracts.SubscriptionVault),
        Staking: lower(contracts.Staking),
        RewardsEmitter: lower(contracts.RewardsEmitter),
        Promotions: lower(contracts.Promotions),
        FanDrops: lower(contracts.FanDrops),
      },
      fair: tokens.fair.address,
      stablecoin: tokens.stablecoin?.address,
      devFaucet: devChain ? lower(roles.devFaucet) : undefined,
    };
  }

  /**
   * The epochs a claim of `amount` (cumulative `cumulative`) against the root of `epoch` paid for,
   * each with its parts. Roots are cumulative: the claim paid the growth of the account's leaf since
   * its previous claim, which the published epochs' leaves, newest first, divide into epochs. The
   * shares add up exactly to `amount`; what the node's records cannot break down is 'unattributed'.
   */
  async #claimShares(
    account: string,
    token: string,
    epoch: number,
    amount: bigint,
    facts: { cumulative: bigint; operator: boolean; stablecoin: boolean },
  ): Promise<RawShare[]> {
    const previous = facts.cumulative - amount;
    const shares: { epoch: number; amount: bigint }[] = [];
    if ((await this.#repo.leaf(epoch, account, token)) !== facts.cumulative) {
      // Not this node's epoch, or records it no longer has: the chain's word is all there is.
      return [{ epoch, amount, raw: [] }];
    }
    let upper = { epoch, leaf: facts.cumulative };
    let below = epoch - 1;
    walk: while (shares.length < MAX_EPOCHS_PER_CLAIM) {
      const epochs = below < 0 ? [] : await this.#repo.publishedEpochs(below, 64);
      if (epochs.length === 0) break;
      for (const n of epochs) {
        const leaf = (await this.#repo.leaf(n, account, token)) ?? 0n;
        if (leaf <= previous) break walk;
        shares.push({ epoch: upper.epoch, amount: upper.leaf - leaf });
        upper = { epoch: n, leaf };
      }
      below = epochs.at(-1)! - 1;
    }
    shares.push({ epoch: upper.epoch, amount: upper.leaf - previous });
    shares.reverse();

    const result: RawShare[] = [];
    for (const share of shares) {
      result.push({ ...share, raw: await this.#epochParts(share.epoch, account, token, facts) });
    }
    return result;
  }

  /** What an account was paid in a token in one epoch, per track (and the fee), from the node's records. */
  async #epochParts(
    epoch: number,
    account: string,
    token: string,
    facts: { operator: boolean; stablecoin: boolean },
  ): Promise<RawPart[]> {
    const key = `${epoch}:${account}:${token}`;
    const cached = this.#parts.get(key);
    if (cached) return cached;
    // What this node settled: each track's epoch total by its split (EarningsService derives it the
    // way the settlement did), the operator's fee, and in FAIR the fan awards and app rewards.
    const earned = await this.#earnings.earnings(account, { epochs: [epoch] });
    const parts: RawPart[] = earned.items
      .filter((item) => item.token.toLowerCase() === token && BigInt(item.amount) > 0n)
      .map((item) => ({
        kind: facts.stablecoin ? 'track_payout' : 'track_reward',
        trackId: item.trackId,
        countedPlays: item.countedPlays,
        amount: BigInt(item.amount),
      }));
    if (facts.operator && facts.stablecoin) {
      const fee = BigInt((await this.#repo.epochTotals(epoch))?.fee ?? '0');
      if (fee > 0n) parts.push({ kind: 'platform_fee', amount: fee });
    }
    if (!facts.stablecoin) {
      // The epoch's FAIR beyond the tracks' rewards: the account's fan awards and its apps' share.
      for (const award of await this.#repo.fanAwards(epoch, account))
        if (award.amount > 0n) parts.push({ kind: 'fan_reward', ...award });
      for (const app of await this.#repo.appRewards(epoch, account))
        if (app.amount > 0n) parts.push({ kind: 'app_reward', ...app });
    }
    this.#parts.set(key, parts);
    return parts;
  }

  async #readTokens(): Promise<{ fair: TokenInfo; stablecoin: TokenInfo | undefined }> {
    const { publicClient, deployment } = this.#options;
    if (!publicClient) throw new Error('HistoryService needs a chain client or the tokens');
    const info = async (address: Address, abi: typeof erc20Abi | typeof fairTokenAbi) => {
      const [symbol, decimals] = await Promise.all([
        publicClient.readContract({ address, abi: abi as typeof erc20Abi, functionName: 'symbol' }),
        publicClient.readContract({ address, abi: abi as typeof erc20Abi, functionName: 'decimals' }),
      ]);
      return { address: address.toLowerCase(), symbol, decimals };
    };
    const vault = deployment.contracts.SubscriptionVault;
    const stablecoin =
      deployment.contracts.TestStablecoin ??
      (vault
        ? await publicClient.readContract({
            address: vault,
            abi: subscriptionVaultAbi,
            functionName: 'token',
          })
        : undefined);
    const [fair, stable] = await Promise.all([
      info(deployment.contracts.FairToken, fairTokenAbi),
      stablecoin ? info(stablecoin, erc20Abi) : undefined,
    ]);
    return { fair, stablecoin: stable };
  }
}

/** An epoch's share as parts that add up to it exactly; the rest, if any, is 'unattributed'. */
function reconcile(
  amount: bigint,
  raw: readonly RawPart[],
  track: (trackId: string) => TrackRef | null,
): PayoutPart[] {
  const sum = raw.reduce((total, part) => total + part.amount, 0n);
  if (sum > amount) return [{ kind: 'unattributed', amount: String(amount) }];
  const parts: PayoutPart[] = raw.map((part): PayoutPart => {
    switch (part.kind) {
      case 'platform_fee':
        return { kind: 'platform_fee', amount: String(part.amount) };
      case 'fan_reward':
        return { kind: 'fan_reward', rule: part.rule, reason: part.reason, amount: String(part.amount) };
      case 'app_reward':
        return {
          kind: 'app_reward',
          appId: part.appId,
          name: part.name,
          countedPlays: part.countedPlays,
          amount: String(part.amount),
        };
      default:
        return {
          kind: part.kind,
          track: track(part.trackId),
          countedPlays: part.countedPlays,
          amount: String(part.amount),
        };
    }
  });
  if (sum < amount) parts.push({ kind: 'unattributed', amount: String(amount - sum) });
  return parts;
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
