import type { Hex } from 'viem';
import { ChainError } from '../errors.ts';
import type { JournalEntry, JournalWriter } from './journal.ts';

/** The EIP-1193 surface the embedded chain offers: `request`, as viem's `custom()` transport needs. */
export type Eip1193Provider = {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
};

/**
 * Requests that change the chain and that the journal can replay exactly. Each is journaled after it
 * succeeds (or after it fails having mined a block anyway), before its answer is returned.
 * - transactions: `eth_sendRawTransaction` (replayed byte for byte) and `eth_sendTransaction` from the
 *   unlocked dev accounts (EDR signs deterministically, RFC 6979, so the replay signs the same bytes);
 * - mining and time: `evm_mine`, `hardhat_mine`, `evm_increaseTime`, `evm_setNextBlockTimestamp`;
 * - dev state edits: balances, code, nonces, storage, impersonation.
 */
export const JOURNALED_METHODS: ReadonlySet<string> = new Set([
  'eth_sendRawTransaction',
  'eth_sendTransaction',
  'evm_mine',
  'hardhat_mine',
  'evm_increaseTime',
  'evm_setNextBlockTimestamp',
  'hardhat_setBalance',
  'hardhat_setCode',
  'hardhat_setNonce',
  'hardhat_setStorageAt',
  'hardhat_impersonateAccount',
  'hardhat_stopImpersonatingAccount',
]);

/** Test-node extensions that only read, so they pass through. */
const READ_ONLY_EXTENSIONS: ReadonlySet<string> = new Set(['hardhat_metadata', 'hardhat_getAutomine']);

/**
 * Every other `evm_*`/`hardhat_*`/`anvil_*` method is refused: snapshots and reverts, automine and
 * interval mining, resets, coinbase/prevrandao/base-fee overrides, dropping transactions. They would
 * make the live chain something the journal cannot rebuild (or rebuild only by replaying a history
 * that was reverted away), and a dev chain that silently forks itself on restart is worse than one
 * that says no.
 */
export function isRefusedMethod(method: string): boolean {
  if (JOURNALED_METHODS.has(method) || READ_ONLY_EXTENSIONS.has(method)) return false;
  return /^(evm|hardhat|anvil)_/.test(method) || method === 'debug_setHead';
}

/** A JSON-RPC error as a provider throws it: `code`, `message`, optional `data`. */
export class ProviderRpcError extends Error {
  override name = 'ProviderRpcError';
  readonly code: number;
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

export type Head = { number: number; hash: Hex; timestamp: number };

type RawBlock = { number: Hex; hash: Hex; timestamp: Hex };

export async function getHead(provider: Eip1193Provider): Promise<Head> {
  const block = (await provider.request({
    method: 'eth_getBlockByNumber',
    params: ['latest', false],
  })) as RawBlock;
  return { number: Number(block.number), hash: block.hash, timestamp: Number(block.timestamp) };
}

async function getBlockTimestamp(provider: Eip1193Provider, number: number): Promise<number> {
  const block = (await provider.request({
    method: 'eth_getBlockByNumber',
    params: [`0x${number.toString(16)}`, false],
  })) as RawBlock;
  return Number(block.timestamp);
}

/** EDR's time offset (chain clock minus wall clock, in seconds): `evm_increaseTime(0)` returns it. */
export async function getTimeOffset(provider: Eip1193Provider): Promise<number> {
  return Number(await provider.request({ method: 'evm_increaseTime', params: [0] }));
}

function paramsOf(args: { params?: unknown }): unknown[] {
  if (args.params === undefined) return [];
  if (Array.isArray(args.params)) return args.params;
  // EIP-1193 allows an object; EDR's methods all take positional params, so keep it as given.
  return [args.params];
}

export type JournaledProviderOptions = {
  inner: Eip1193Provider;
  writer: JournalWriter;
  head: Head;
  nextSeq: number;
  onJournalFailure?: (error: unknown) => void;
};

/**
 * Wraps the EDR provider: reads pass straight through; state changes run one at a time and are
 * journaled (fsync'd) before they are answered; methods the journal cannot replay are refused.
 */
export function createJournaledProvider(options: JournaledProviderOptions): Eip1193Provider & {
  /** Stop accepting state changes (the chain is shutting down) and wait for the one in flight. */
  drain(): Promise<void>;
} {
  const { inner, writer } = options;
  let head = options.head;
  let seq = options.nextSeq;
  // State changes are serialized: the journal order must be the execution order, and "did this
  // request mine a block?" is only answerable when nothing else mines meanwhile.
  let queue: Promise<unknown> = Promise.resolve();
  let broken: unknown;
  let draining = false;

  async function execute(method: string, params: unknown[]): Promise<unknown> {
    if (broken !== undefined) {
      throw new ProviderRpcError(
        -32603,
        'The embedded chain stopped accepting changes because its journal could not be written; restart the node.',
      );
    }
    let result: unknown;
    let failure: { error: unknown } | undefined;
    try {
      result = await inner.request({ method, params });
    } catch (error) {
      failure = { error };
    }

    const after = await getHead(inner);
    const mined = after.number > head.number;
    // Rejected outright (bad nonce, no funds, malformed, bad params): nothing changed, nothing to keep.
    if (failure && !mined) throw failure.error;

    const entry: JournalEntry = {
      kind: 'request',
      seq,
      method,
      params,
      head: { number: after.number, hash: after.hash },
      offset: await getTimeOffset(inner),
    };
    if (mined) {
      entry.ts =
        after.number === head.number + 1 ? after.timestamp : await getBlockTimestamp(inner, head.number + 1);
    }
    if (failure) entry.failed = true;
    try {
      await writer.append(entry);
    } catch (error) {
      // The in-memory chain is now ahead of its journal: refuse every further change, so nothing
      // else is acknowledged that a restart would lose.
      broken = error;
      options.onJournalFailure?.(error);
      throw new ProviderRpcError(
        -32603,
        'The embedded chain could not write its journal; the change was not saved.',
      );
    }
    seq++;
    head = after;
    if (failure) throw failure.error;
    return result;
  }

  return {
    async request(args) {
      const { method } = args;
      if (isRefusedMethod(method)) {
        throw new ProviderRpcError(
          -32601,
          `${method} is not available on the embedded chain: its journal could not replay it after a restart`,
        );
      }
      if (!JOURNALED_METHODS.has(method)) return inner.request(args);
      if (draining) throw new ProviderRpcError(-32603, 'The embedded chain is shutting down');
      const params = paramsOf(args);
      const run = queue.then(() => execute(method, params));
      queue = run.catch(() => undefined);
      return run;
    },
    async drain() {
      draining = true;
      await queue;
    },
  };
}

export type ReplayOptions = {
  inner: Eip1193Provider;
  entries: readonly JournalEntry[];
  journalFile: string;
  onProgress?: ((done: number, total: number) => void) | undefined;
};

/**
 * Re-executes the journal into a fresh chain with the same genesis. Each entry that mined blocks has
 * its first block's timestamp pinned (so the block hashes come out the same) and its resulting head
 * hash checked, so a replay that would build a different chain stops at the first difference instead
 * of silently serving another history.
 */
export async function replayJournal(options: ReplayOptions): Promise<Head> {
  const { inner, entries, onProgress } = options;
  const total = entries.length;
  let pendingTimestamp: unknown;
  let last: JournalEntry | undefined;

  for (const [index, entry] of entries.entries()) {
    last = entry;
    if (entry.method === 'evm_increaseTime') {
      // Covered by the pinned timestamps, and by the offset restored after the loop.
    } else if (entry.method === 'evm_setNextBlockTimestamp') {
      pendingTimestamp = entry.params[0];
    } else {
      if (entry.ts !== undefined) {
        await inner.request({ method: 'evm_setNextBlockTimestamp', params: [entry.ts] });
        pendingTimestamp = undefined;
      }
      let failed = false;
      try {
        await inner.request({ method: entry.method, params: entry.params });
      } catch (cause) {
        failed = true;
        if (!entry.failed) throw diverged(options.journalFile, entry, 'the request failed on replay', cause);
      }
      if (entry.failed && !failed)
        throw diverged(options.journalFile, entry, 'the request succeeded on replay');
      if (entry.ts !== undefined) {
        const head = await getHead(inner);
        if (head.hash !== entry.head.hash) {
          throw diverged(
            options.journalFile,
            entry,
            `block ${head.number} has hash ${head.hash}, the journal recorded ${entry.head.hash} for block ${entry.head.number}`,
          );
        }
      }
    }
    onProgress?.(index + 1, total);
  }

  // Chain time keeps running while the node is down, like a real chain: restore the offset the chain
  // clock had (pinning timestamps moved it), so new blocks continue from wall clock + that offset.
  const target = last?.offset ?? 0;
  const current = await getTimeOffset(inner);
  if (target > current) await inner.request({ method: 'evm_increaseTime', params: [target - current] });
  if (pendingTimestamp !== undefined) {
    await inner.request({ method: 'evm_setNextBlockTimestamp', params: [pendingTimestamp] });
  }
  return getHead(inner);
}

function diverged(file: string, entry: JournalEntry, what: string, cause?: unknown): ChainError {
  return new ChainError(
    'journal_diverged',
    `Replaying the chain journal diverged at entry ${entry.seq} (${entry.method}): ${what}`,
    {
      details: `The journal ${file} no longer rebuilds the chain it recorded (a different EDR version or genesis?). Keep the file for diagnosis; delete the chain folder to start a new chain.`,
      cause,
    },
  );
}
