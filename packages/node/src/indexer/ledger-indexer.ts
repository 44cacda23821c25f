import { type ContractName, contractAbis, type Deployment } from '@fairstream/chain';
import type { Logger } from 'pino';
import {
  type Abi,
  type AbiEvent,
  type AbiParameter,
  type Address,
  BaseError,
  BlockNotFoundError,
  type Chain,
  decodeEventLog,
  erc20Abi,
  type Log,
  type PublicClient,
  type Transport,
  zeroAddress,
} from 'viem';
import type {
  BlockRef,
  ChainEventsRepository,
  NewChainEvent,
} from '../repositories/chain-events.repository.ts';

/** A log of one of our contracts that its ABI does not decode (a newer contract than this node). */
export const UNKNOWN_EVENT = 'UnknownEvent';

export const INDEXER_DEFAULTS = {
  pollIntervalMs: 1000,
  /** Many public RPCs refuse eth_getLogs over more blocks than this. */
  maxBlockRange: 2000,
  /** Blocks whose hashes are kept; a reorg deeper than this re-indexes from the start. */
  reorgWindow: 64,
  maxBackoffMs: 30_000,
  /** Blocks fetched at once for their timestamps. */
  blockFetchConcurrency: 8,
} as const;

export interface LedgerIndexerOptions {
  chainId: number;
  deployment: Pick<Deployment, 'contracts' | 'deployedAt'>;
  logger: Logger;
  /** Default 1 s. */
  pollIntervalMs?: number;
  /**
   * Only blocks at least this deep are indexed: 0 on the embedded chain (it never reorganizes),
   * about 12 on public chains, so most reorgs never reach the index at all.
   */
  confirmations?: number;
  maxBlockRange?: number;
  reorgWindow?: number;
  maxBackoffMs?: number;
  /** Default: the deployment's block. */
  fromBlock?: number;
  now?: () => number;
  /**
   * ERC-20s that are not the deployment's own (on a public chain, the stablecoin: USDC): only their
   * Transfers from or to a deployment contract are indexed (subscription payments and refunds,
   * payouts, tips, fees, staking rewards), since every transfer of a popular token is neither
   * affordable nor Fairstream's. Read once, when indexing starts; a failure is retried like a poll.
   */
  followTokens?: () => Promise<{ address: Address; name: string }[]>;
}

export type IndexerNotification =
  | { kind: 'indexed'; chainId: number; fromBlock: number; toBlock: number; events: number }
  /** Blocks fromBlock..toBlock were replaced by a reorg: what they held is gone from the index. */
  | { kind: 'rolledBack'; chainId: number; fromBlock: number; toBlock: number };

export interface IndexerStatus {
  /** The last block whose events are all stored (undefined before the first range). */
  indexedBlock: number | undefined;
  /** Consecutive failed polls; 0 when the last one succeeded. */
  failures: number;
  lastError: string | undefined;
}

type LedgerClient = PublicClient<Transport, Chain>;

const TRANSFER_EVENT = erc20Abi.find(
  (item): item is Extract<(typeof erc20Abi)[number], { type: 'event'; name: 'Transfer' }> =>
    item.type === 'event' && item.name === 'Transfer',
)!;

/**
 * Follows every Fairstream contract of the deployment and stores their events, decoded, in the
 * database. Each block range (events, the addresses they name, block hashes and the checkpoint) is
 * committed in one transaction, so a crash never leaves half a range, and a restart continues from
 * the checkpoint. Before each range the checkpoint's block hash is compared with the chain's; on a
 * mismatch the index walks back through the stored hashes to the fork, drops what lies above and
 * continues from there. RPC failures are logged and retried with backoff; the node keeps running.
 */
export class LedgerIndexer {
  readonly #repository: ChainEventsRepository;
  readonly #client: LedgerClient;
  readonly #chainId: number;
  readonly #logger: Logger;
  readonly #contracts: Map<string, { name: ContractName | string; abi: Abi }>;
  readonly #addresses: Address[];
  readonly #startBlock: number;
  readonly #pollIntervalMs: number;
  readonly #confirmations: number;
  readonly #maxBlockRange: number;
  readonly #reorgWindow: number;
  readonly #maxBackoffMs: number;
  readonly #now: () => number;
  readonly #followTokens: (() => Promise<{ address: Address; name: string }[]>) | undefined;
  /** The followed tokens' addresses, once read. */
  #followed: Address[] | undefined;
  readonly #listeners = new Set<(notification: IndexerNotification) => void>();
  readonly #waiters = new Set<{ block: number; resolve: () => void; reject: (error: Error) => void }>();
  #rangeSize: number;
  #running: Promise<void> | undefined;
  #again = false;
  #started = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #lastError: string | undefined;
  #indexedBlock: number | undefined;

  constructor(repository: ChainEventsRepository, client: LedgerClient, options: LedgerIndexerOptions) {
    this.#repository = repository;
    this.#client = client;
    this.#chainId = options.chainId;
    this.#logger = options.logger;
    this.#contracts = new Map();
    for (const [name, address] of Object.entries(options.deployment.contracts) as [ContractName, Address][]) {
      if (address) this.#contracts.set(address.toLowerCase(), { name, abi: contractAbis[name] });
    }
    this.#addresses = [...this.#contracts.keys()] as Address[];
    this.#startBlock = options.fromBlock ?? options.deployment.deployedAt.blockNumber;
    this.#pollIntervalMs = options.pollIntervalMs ?? INDEXER_DEFAULTS.pollIntervalMs;
    this.#confirmations = options.confirmations ?? 0;
    this.#maxBlockRange = options.maxBlockRange ?? INDEXER_DEFAULTS.maxBlockRange;
    this.#reorgWindow = options.reorgWindow ?? INDEXER_DEFAULTS.reorgWindow;
    this.#maxBackoffMs = options.maxBackoffMs ?? INDEXER_DEFAULTS.maxBackoffMs;
    this.#now = options.now ?? Date.now;
    this.#followTokens = options.followTokens;
    this.#rangeSize = this.#maxBlockRange;
  }

  /** Starts polling; returns at once (catching up runs in the background). */
  start(): void {
    this.#started = true;
    this.wake();
  }

  /** Polls now instead of at the next interval. */
  wake(): void {
    if (this.#started) this.#poll();
  }

  #poll(): void {
    if (this.#stopped) return;
    if (this.#running) {
      // A poll already running may have read the head before the caller's block: run once more.
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
      this.#schedule();
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    for (const waiter of this.#waiters) waiter.reject(new Error('the ledger indexer stopped'));
    this.#waiters.clear();
  }

  /**
   * Resolves after a poll that started after this call (one is run even when not started): what was
   * mined before is indexed, unless the poll failed.
   */
  async idle(): Promise<void> {
    this.#poll();
    while (this.#running) await this.#running;
  }

  /** Resolves once block `block` is indexed; rejects after `timeoutMs` or when the indexer stops. */
  waitForBlock(block: number, timeoutMs = 30_000): Promise<void> {
    if (this.#indexedBlock !== undefined && this.#indexedBlock >= block) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(
            `block ${block} was not indexed within ${timeoutMs} ms (indexed: ${this.#indexedBlock}, last error: ${this.#lastError})`,
          ),
        );
      }, timeoutMs);
      const waiter = {
        block,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#waiters.add(waiter);
      this.wake();
    });
  }

  /** Calls `listener` after each committed range and each rollback; answers the unsubscribe. */
  subscribe(listener: (notification: IndexerNotification) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  status(): IndexerStatus {
    return { indexedBlock: this.#indexedBlock, failures: this.#failures, lastError: this.#lastError };
  }

  #schedule(): void {
    if (this.#stopped || !this.#started) return;
    const delay =
      this.#failures === 0
        ? this.#pollIntervalMs
        : Math.min(this.#maxBackoffMs, this.#pollIntervalMs * 2 ** Math.min(this.#failures, 16));
    this.#timer = setTimeout(() => this.wake(), delay);
    // The node's servers keep the process alive; a forgotten indexer must not.
    this.#timer.unref();
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.#catchUp();
        if (this.#failures > 0) this.#logger.info({ failures: this.#failures }, 'ledger indexer recovered');
        this.#failures = 0;
        this.#lastError = undefined;
      } catch (error) {
        this.#failures += 1;
        this.#lastError = describe(error);
        // A range too large for the RPC (too many logs, a timeout) succeeds when smaller.
        this.#rangeSize = Math.max(1, Math.floor(this.#rangeSize / 2));
        this.#logger.warn(
          { err: error, failures: this.#failures, rangeSize: this.#rangeSize },
          'ledger indexer poll failed; retrying with backoff',
        );
      }
    } while (this.#again && !this.#stopped && this.#failures === 0);
  }

  async #catchUp(): Promise<void> {
    await this.#readFollowedTokens();
    const head = Number(await this.#client.getBlockNumber({ cacheTime: 0 }));
    const target = head - this.#confirmations;
    let checkpoint = await this.#repository.checkpoint(this.#chainId);
    this.#setIndexed(checkpoint?.blockNumber);
    while (!this.#stopped) {
      checkpoint = await this.#verify(checkpoint);
      const from = checkpoint ? checkpoint.blockNumber + 1 : this.#startBlock;
      if (from > target) return;
      const to = Math.min(target, from + this.#rangeSize - 1);
      const stored = await this.#indexRange(checkpoint, from, to);
      // Not stored: another indexer sharing the database moved the checkpoint; continue from its.
      checkpoint = stored ?? (await this.#repository.checkpoint(this.#chainId));
      this.#setIndexed(checkpoint?.blockNumber);
      this.#rangeSize = Math.min(this.#maxBlockRange, this.#rangeSize * 2);
    }
  }

  async #readFollowedTokens(): Promise<void> {
    if (this.#followed) return;
    const followed: Address[] = [];
    for (const token of (await this.#followTokens?.()) ?? []) {
      const address = token.address.toLowerCase() as Address;
      // A token the deployment holds (TestStablecoin on a dev chain) is indexed whole already.
      if (this.#contracts.has(address)) continue;
      this.#contracts.set(address, { name: token.name, abi: erc20Abi });
      followed.push(address);
    }
    this.#followed = followed;
  }

  /** The followed tokens' Transfers from or to a deployment contract in blocks from..to, each once. */
  async #followedLogs(from: number, to: number): Promise<Log[]> {
    const tokens = this.#followed ?? [];
    if (tokens.length === 0 || this.#addresses.length === 0) return [];
    const range = { address: tokens, event: TRANSFER_EVENT, fromBlock: BigInt(from), toBlock: BigInt(to) };
    const [sent, received] = await Promise.all([
      this.#client.getLogs({ ...range, args: { from: this.#addresses } }),
      this.#client.getLogs({ ...range, args: { to: this.#addresses } }),
    ]);
    const unique = new Map<string, Log>();
    for (const log of [...sent, ...received]) unique.set(`${log.blockNumber}:${log.logIndex}`, log as Log);
    return [...unique.values()];
  }

  /**
   * Answers the checkpoint to continue from: the stored one when the chain still has its block, or
   * after a reorg the newest stored block the chain still has (undefined: start over), with
   * everything above it dropped from the index.
   */
  async #verify(checkpoint: BlockRef | undefined): Promise<BlockRef | undefined> {
    let current = checkpoint;
    while (current) {
      if ((await this.#hashAt(current.blockNumber)) === current.blockHash) return current;
      let fork: BlockRef | undefined;
      const window = await this.#repository.recentBlocks(
        this.#chainId,
        this.#reorgWindow,
        current.blockNumber - 1,
      );
      for (const block of window) {
        if ((await this.#hashAt(block.blockNumber)) === block.blockHash) {
          fork = block;
          break;
        }
      }
      const firstUndone = fork ? fork.blockNumber + 1 : this.#startBlock;
      if (fork) {
        this.#logger.warn(
          { from: firstUndone, to: current.blockNumber },
          'the chain reorganized: dropping the replaced blocks from the index',
        );
      } else {
        this.#logger.error(
          { checkpoint: current.blockNumber, window: this.#reorgWindow },
          'the chain no longer has any recently indexed block (a reorg deeper than the window, or another chain behind the same chain id): indexing again from the start',
        );
      }
      if (await this.#repository.rollback(this.#chainId, current, fork, this.#now())) {
        this.#indexedBlock = fork?.blockNumber;
        this.#notify({
          kind: 'rolledBack',
          chainId: this.#chainId,
          fromBlock: firstUndone,
          toBlock: current.blockNumber,
        });
        return fork;
      }
      // Another indexer moved the checkpoint meanwhile: check its checkpoint instead.
      current = await this.#repository.checkpoint(this.#chainId);
    }
    return undefined;
  }

  /** The chain's hash for a block number; undefined when the chain is not that long (any more). */
  async #hashAt(blockNumber: number): Promise<string | undefined> {
    try {
      const block = await this.#client.getBlock({ blockNumber: BigInt(blockNumber) });
      return block.hash ?? undefined;
    } catch (error) {
      if (error instanceof BlockNotFoundError) return undefined;
      throw error;
    }
  }

  /** Reads, decodes and commits blocks from..to; answers the new checkpoint, or undefined when another indexer moved it. */
  async #indexRange(
    checkpoint: BlockRef | undefined,
    from: number,
    to: number,
  ): Promise<BlockRef | undefined> {
    const last = await this.#client.getBlock({ blockNumber: BigInt(to) });
    if (!last.hash) throw new Error(`block ${to} has no hash yet`);
    const [own, followed] = await Promise.all([
      this.#addresses.length === 0
        ? []
        : this.#client.getLogs({
            address: this.#addresses,
            fromBlock: BigInt(from),
            toBlock: BigInt(to),
          }),
      this.#followedLogs(from, to),
    ]);
    const logs = [...own, ...followed].sort(
      (a, b) => Number(a.blockNumber) - Number(b.blockNumber) || Number(a.logIndex) - Number(b.logIndex),
    );
    const blocks = new Map<number, { hash: string; time: number }>([
      [to, { hash: last.hash, time: Number(last.timestamp) * 1000 }],
    ]);
    const missing = [...new Set(logs.map((log) => Number(log.blockNumber)))].filter((n) => !blocks.has(n));
    for (let start = 0; start < missing.length; start += INDEXER_DEFAULTS.blockFetchConcurrency) {
      const batch = missing.slice(start, start + INDEXER_DEFAULTS.blockFetchConcurrency);
      const fetched = await Promise.all(batch.map((n) => this.#client.getBlock({ blockNumber: BigInt(n) })));
      for (const block of fetched) {
        if (block.hash)
          blocks.set(Number(block.number), { hash: block.hash, time: Number(block.timestamp) * 1000 });
      }
    }
    const events: NewChainEvent[] = [];
    for (const log of logs) {
      const block = blocks.get(Number(log.blockNumber));
      // A block that changed between getLogs and getBlock: a reorg mid-read, so read the range again.
      if (!block || block.hash !== log.blockHash) {
        throw new Error(`block ${log.blockNumber} changed while blocks ${from}..${to} were read (a reorg)`);
      }
      events.push(this.#decode(log, block.time));
    }
    const next = { blockNumber: to, blockHash: last.hash };
    const stored = await this.#repository.insertRange({
      chainId: this.#chainId,
      expected: checkpoint,
      checkpoint: next,
      events,
      blocks: [...blocks].map(([blockNumber, block]) => ({ blockNumber, blockHash: block.hash })),
      keepBlocksFrom: to - this.#reorgWindow + 1,
      now: this.#now(),
    });
    if (!stored) return undefined;
    if (events.length > 0) this.#logger.debug({ from, to, events: events.length }, 'indexed ledger events');
    this.#notify({
      kind: 'indexed',
      chainId: this.#chainId,
      fromBlock: from,
      toBlock: to,
      events: events.length,
    });
    return next;
  }

  #decode(log: Log, blockTime: number): NewChainEvent {
    const address = log.address.toLowerCase();
    const contract = this.#contracts.get(address);
    const base = {
      blockNumber: Number(log.blockNumber),
      logIndex: Number(log.logIndex),
      blockHash: String(log.blockHash),
      blockTime,
      txHash: String(log.transactionHash),
      txIndex: Number(log.transactionIndex),
      contract: contract?.name ?? 'unknown',
      address,
    };
    try {
      if (!contract) throw new Error('not a deployment contract');
      const decoded = decodeEventLog({ abi: contract.abi, data: log.data, topics: log.topics });
      const item = contract.abi.find(
        (entry): entry is AbiEvent => entry.type === 'event' && entry.name === decoded.eventName,
      );
      const args = (decoded.args ?? {}) as Record<string, unknown>;
      const accounts = new Set<string>();
      for (const [i, input] of (item?.inputs ?? []).entries()) {
        collectAddresses(input, args[input.name ?? String(i)], accounts);
      }
      return {
        ...base,
        event: decoded.eventName ?? UNKNOWN_EVENT,
        args: toJson(args),
        accounts: [...accounts],
      };
    } catch {
      // Kept raw rather than dropped: the log exists on the chain, and a newer node can decode it.
      return {
        ...base,
        event: UNKNOWN_EVENT,
        args: toJson({ topics: log.topics, data: log.data }),
        accounts: [],
      };
    }
  }

  #setIndexed(block: number | undefined): void {
    this.#indexedBlock = block;
    if (block === undefined) return;
    for (const waiter of this.#waiters) {
      if (block >= waiter.block) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  #notify(notification: IndexerNotification): void {
    for (const listener of this.#listeners) {
      try {
        listener(notification);
      } catch (error) {
        this.#logger.error({ err: error }, 'a ledger indexer listener failed');
      }
    }
  }
}

/** Adds every address in `value` (typed by `parameter`: plain, in arrays, in tuples), lower-case. */
function collectAddresses(parameter: AbiParameter, value: unknown, into: Set<string>): void {
  if (value === undefined || value === null) return;
  if (parameter.type === 'address') {
    const address = String(value).toLowerCase();
    // The zero address is minting and burning, not an account anyone asks about.
    if (address !== zeroAddress) into.add(address);
  } else if (parameter.type.endsWith(']')) {
    const element = { ...parameter, type: parameter.type.slice(0, parameter.type.lastIndexOf('[')) };
    for (const item of value as unknown[]) collectAddresses(element as AbiParameter, item, into);
  } else if (parameter.type === 'tuple' && 'components' in parameter) {
    for (const [i, component] of parameter.components.entries()) {
      const field = Array.isArray(value)
        ? value[i]
        : (value as Record<string, unknown>)[component.name ?? String(i)];
      collectAddresses(component, field, into);
    }
  }
}

/** JSON with integers that may exceed 2^53 as decimal strings: amounts stay exact. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, item) => (typeof item === 'bigint' ? item.toString() : item));
}

/** One line for logs and status: viem's summary plus the underlying cause (ECONNREFUSED, …). */
function describe(error: unknown): string {
  if (error instanceof BaseError)
    return error.details ? `${error.shortMessage}: ${error.details}` : error.shortMessage;
  return String((error as Error)?.message ?? error).split('\n')[0] ?? 'unknown error';
}
