import {
  buildFanDropTree,
  type FanDropOnChain,
  type FanDropTree,
  fanDropClaim,
  fanDropsAbi,
  getFanDrop,
} from '@fairstream/chain';
import { type Address, getAddress, type Hex, parseEventLogs, TransactionReceiptNotFoundError } from 'viem';
import type { Ledger } from '../chain/ledger.ts';
import { badRequest, conflict, notFound, unprocessable } from '../errors.ts';
import { DAY_MS, type DiscoveryRepository, floorTo } from '../repositories/discovery.repository.ts';
import type { FanDropLeafRow, FanDropRow, FanDropsRepository } from '../repositories/fan-drops.repository.ts';
import { withChain } from './chain-unavailable.ts';
import { TtlCache } from './ttl-cache.ts';

/** Top fans listed by default, and at most. */
export const DEFAULT_TOP_FANS = 100;
export const MAX_TOP_FANS = 10_000;
/** The most leaves a published drop may have (a 1,000-fan drop is the usual large one). */
export const MAX_DROP_LEAVES = 10_000;
/** Drops listed per account, newest first. */
const ACCOUNT_DROPS = 100;

export type PublishDropInput = {
  dropId: string;
  transactionHash: string;
  leaves: { account: string; amount: string }[];
};

/**
 * Artists reward their top fans with FanDrops: this service says who the top fans are, and keeps
 * each drop's leaves so that every fan can get its Merkle proof (the contract keeps only the root).
 *
 * A published drop is checked against the chain before it is stored: the transaction must have
 * created that drop in this deployment's FanDrops, and the leaves must rebuild its root, add up to
 * its total and number its recipients. So anyone may publish a drop's leaves: only the true ones
 * are accepted, and a stored drop never changes.
 */
export class FanDropsService {
  readonly #repo: FanDropsRepository;
  readonly #discovery: DiscoveryRepository;
  readonly #ledger: Ledger;
  readonly #now: () => number;
  /** A drop's tree never changes; rebuilding it for every fan's proof would be wasteful. */
  readonly #trees = new TtlCache<number, FanDropTree>({ ttlMs: 10 * 60_000, maxEntries: 32 });

  constructor(
    repo: FanDropsRepository,
    discovery: DiscoveryRepository,
    ledger: Ledger,
    now: () => number = Date.now,
  ) {
    this.#repo = repo;
    this.#discovery = discovery;
    this.#ledger = ledger;
    this.#now = now;
  }

  /**
   * An artist's top fans by counted plays summed over every track they own, from `since` (Unix ms,
   * rounded down to its UTC day; default: all time). A fan who chose not to be named among top
   * fans (PUT /me/privacy) is listed with `address: null` but still has a `recipient`: a reward is
   * a payment on a public ledger, which cannot be made without the address it goes to.
   */
  async topFans(artist: string, query: { since?: number | undefined; limit?: number | undefined }) {
    const since = floorTo(query.since ?? 0, DAY_MS);
    const limit = query.limit ?? DEFAULT_TOP_FANS;
    const [rows, throughEpoch] = await Promise.all([
      this.#discovery.topFansOfOwner(artist, since, limit),
      this.#discovery.lastJudgedEpoch(),
    ]);
    return {
      since,
      throughEpoch,
      fans: rows.map((row, i) => ({
        rank: i + 1,
        address: row.hidden ? null : row.listener,
        plays: row.counted,
        recipient: row.listener,
      })),
    };
  }

  /** Stores a drop's leaves once they match the drop on-chain; see the class notes. */
  async publish(input: PublishDropInput) {
    const fanDrops = this.#fanDrops();
    const dropId = parseDropId(input.dropId);
    if (input.leaves.length > MAX_DROP_LEAVES) {
      throw badRequest(
        'too_many_leaves',
        `A drop may list at most ${MAX_DROP_LEAVES} fans; this one lists ${input.leaves.length}`,
      );
    }
    let tree: FanDropTree;
    try {
      tree = buildFanDropTree(
        input.leaves.map((leaf) => ({
          account: getAddress(leaf.account.toLowerCase()),
          amount: BigInt(leaf.amount),
        })),
      );
    } catch (error) {
      throw badRequest('invalid_leaves', `The drop's leaves are not valid: ${(error as Error).message}`);
    }

    const stored = await this.#repo.drop(dropId);
    if (stored) {
      if (stored.root !== tree.root) {
        throw conflict('drop_mismatch', `Drop ${dropId} is stored with other leaves (root ${stored.root})`);
      }
      return { created: false, drop: await this.#view(stored) };
    }

    const created = await withChain(() => this.#createdEvent(fanDrops, dropId, input.transactionHash as Hex));
    const mismatch = [
      created.root.toLowerCase() !== tree.root.toLowerCase() &&
        `the leaves make the root ${tree.root}, the drop was created with ${created.root}`,
      created.total !== tree.total && `the leaves add up to ${tree.total}, the drop holds ${created.total}`,
      created.recipients !== tree.leaves.length &&
        `${tree.leaves.length} leaves, the drop was created for ${created.recipients} recipients`,
    ].filter(Boolean);
    if (mismatch.length > 0) {
      throw unprocessable('drop_mismatch', `These are not drop ${dropId}'s leaves: ${mismatch.join('; ')}`);
    }
    const row: FanDropRow = {
      drop_id: dropId,
      creator: created.creator.toLowerCase(),
      root: tree.root,
      total: tree.total.toString(),
      recipients: tree.leaves.length,
      reason: created.reason,
      expires_at: Number(created.expiresAt),
      transaction_hash: created.transactionHash.toLowerCase(),
      block_number: Number(created.blockNumber),
      published_at: this.#now(),
    };
    const leaves = tree.leaves.map((leaf) => ({
      account: leaf.account.toLowerCase(),
      amount: leaf.amount.toString(),
    }));
    const inserted = await this.#repo.save(row, leaves);
    this.#trees.set(dropId, tree);
    return { created: inserted, drop: await this.#view(row) };
  }

  /** A published drop, what the chain says of it now, and every leaf. */
  async get(id: string) {
    const dropId = parseDropId(id);
    const row = await this.#repo.drop(dropId);
    if (!row) throw notFound(`Fan drop ${dropId}`);
    const leaves = await this.#repo.leaves(dropId);
    return { ...(await this.#view(row)), leaves };
  }

  /**
   * The drops that reward `address`, newest first, each with its amount, whether it was paid, and
   * the Merkle proof to claim it (anyone may send the claim; the FAIR goes to the address).
   */
  async dropsOf(address: string) {
    const account = address.toLowerCase();
    const rows = await this.#repo.dropsOf(account, ACCOUNT_DROPS);
    const drops = [];
    for (const row of rows) {
      const tree = await this.#tree(row.drop_id);
      const claim = fanDropClaim(tree, getAddress(account));
      if (!claim) continue; // not reachable: the leaf was found by this account
      const onChain = await this.#onChain(row.drop_id, [getAddress(account)]);
      const paid = onChain?.claimedBy[0] ?? false;
      drops.push({
        ...this.#summary(row, onChain),
        amount: row.amount,
        paid,
        claimable: !paid && row.expires_at * 1000 > this.#now(),
        proof: claim.proof,
      });
    }
    return { address: account, drops };
  }

  async #view(row: FanDropRow) {
    return this.#summary(row, await this.#onChain(row.drop_id, []));
  }

  #summary(row: FanDropRow, onChain: FanDropOnChain | undefined) {
    return {
      dropId: String(row.drop_id),
      creator: row.creator,
      root: row.root,
      total: row.total,
      recipients: row.recipients,
      reason: row.reason,
      expiresAt: row.expires_at * 1000,
      transactionHash: row.transaction_hash,
      blockNumber: row.block_number,
      publishedAt: row.published_at,
      claimed: (onChain?.claimed ?? 0n).toString(),
      claimedCount: onChain?.claimedCount ?? 0,
      reclaimed: onChain?.reclaimed ?? false,
    };
  }

  #onChain(dropId: number, claimedBy: Address[]) {
    return withChain(() =>
      getFanDrop(this.#ledger.publicClient, {
        deployment: this.#ledger.deployment,
        dropId: BigInt(dropId),
        claimedBy,
      }),
    );
  }

  async #tree(dropId: number): Promise<FanDropTree> {
    const cached = this.#trees.get(dropId);
    if (cached) return cached;
    const leaves: FanDropLeafRow[] = await this.#repo.leaves(dropId);
    const tree = buildFanDropTree(
      leaves.map((leaf) => ({ account: getAddress(leaf.account), amount: BigInt(leaf.amount) })),
    );
    this.#trees.set(dropId, tree);
    return tree;
  }

  #fanDrops(): Address {
    const address = this.#ledger.deployment.contracts.FanDrops;
    if (!address) {
      throw conflict(
        'fan_drops_unavailable',
        "This node's chain deployment has no FanDrops contract; the operator adds it with `npm run deploy:contracts -- --add-missing`",
      );
    }
    return address;
  }

  /** The DropCreated event of `dropId` in the transaction, from this deployment's FanDrops. */
  async #createdEvent(fanDrops: Address, dropId: number, hash: Hex) {
    const receipt = await this.#ledger.publicClient
      .getTransactionReceipt({ hash })
      .catch((error: unknown) => {
        if (error instanceof TransactionReceiptNotFoundError) {
          throw unprocessable(
            'transaction_not_found',
            `No mined transaction ${hash} on this chain; publish the drop once its transaction is mined`,
          );
        }
        throw error;
      });
    const event = parseEventLogs({ abi: fanDropsAbi, eventName: 'DropCreated', logs: receipt.logs }).find(
      (log) => log.address.toLowerCase() === fanDrops.toLowerCase() && log.args.dropId === BigInt(dropId),
    );
    if (!event) {
      throw unprocessable(
        'drop_mismatch',
        `Transaction ${hash} did not create fan drop ${dropId} in this node's FanDrops (${fanDrops})`,
      );
    }
    return { ...event.args, transactionHash: receipt.transactionHash, blockNumber: receipt.blockNumber };
  }
}

function parseDropId(text: string): number {
  if (!/^[1-9]\d{0,14}$/.test(text)) {
    throw badRequest('invalid_drop_id', `"${text.slice(0, 40)}" is not a fan drop id (a positive integer)`);
  }
  return Number(text);
}
