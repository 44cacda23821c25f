import {
  buildPayoutTree,
  getClaimed,
  getOwed,
  type PayoutTree,
  payoutClaim,
  payoutDistributorAbi,
} from '@fairstream/chain';
import { type Address, erc20Abi, getAddress, type Hex } from 'viem';
import type { Ledger } from '../chain/ledger.ts';
import type { EpochRow, SettlementRepository } from '../repositories/settlement.repository.ts';
import { withChain } from './chain-unavailable.ts';
import { TtlCache } from './ttl-cache.ts';

/**
 * How many published epochs to look back through for one whose challenge window has closed. Roots
 * are cumulative, so the newest final one is all a claim needs; on a public chain only the last one
 * or two are still in their window.
 */
const LOOKBACK_EPOCHS = 8;

type TokenInfo = { symbol: string; decimals: number };

/**
 * What an account can claim from the PayoutDistributor, with the Merkle proofs to claim it: each
 * token's cumulative amount in the newest final epoch's tree, what the chain says was claimed
 * already, and any pull balance (`owed`) left by a push that failed. Anyone may send the claims
 * (the money goes to the account); only the account can withdraw what it is owed.
 */
export class ClaimsService {
  readonly #repo: SettlementRepository;
  readonly #ledger: Ledger;
  /** A published epoch's tree never changes; rebuilding a large one per request would be slow. */
  readonly #trees = new TtlCache<number, PayoutTree>({ ttlMs: 10 * 60_000, maxEntries: 4 });
  readonly #tokens = new Map<string, Promise<TokenInfo>>();

  constructor(repo: SettlementRepository, ledger: Ledger) {
    this.#repo = repo;
    this.#ledger = ledger;
  }

  async claims(address: string) {
    return withChain(() => this.#claims(getAddress(address)));
  }

  async #claims(account: Address) {
    const { publicClient, deployment } = this.#ledger;
    const distributor = deployment.contracts.PayoutDistributor;
    const answer = {
      address: account.toLowerCase(),
      epoch: null as number | null,
      payoutRoot: null as string | null,
      pending: null as { epoch: number; claimableAt: number } | null,
      claims: [] as {
        token: string;
        symbol: string;
        decimals: number;
        cumulativeAmount: string;
        claimed: string;
        claimable: string;
        proof: Hex[];
      }[],
      owed: [] as { token: string; symbol: string; decimals: number; amount: string }[],
    };
    if (!distributor) return answer;
    const latest = await publicClient.getBlock({ blockTag: 'latest' });
    let final: EpochRow | undefined;
    for (const epoch of await this.#repo.publishedEpochs(LOOKBACK_EPOCHS)) {
      const [, claimableAt, voided] = await publicClient.readContract({
        address: distributor,
        abi: payoutDistributorAbi,
        functionName: 'epochOf',
        args: [BigInt(epoch.n)],
      });
      if (voided || claimableAt === 0n) continue;
      if (latest.timestamp >= claimableAt) {
        final = epoch;
        break;
      }
      answer.pending ??= { epoch: epoch.n, claimableAt: Number(claimableAt) * 1000 };
    }
    if (!final) return answer;
    answer.epoch = final.n;
    answer.payoutRoot = final.payout_root;

    const tree = await this.#tree(final.n);
    const tokens = [...new Set(tree.leaves.map((leaf) => leaf.token))].sort();
    for (const token of tokens) {
      const claim = payoutClaim(tree, account, token);
      if (!claim) continue;
      const [claimed, owed, info] = await Promise.all([
        getClaimed(publicClient, { deployment, account, token }),
        getOwed(publicClient, { deployment, from: 'PayoutDistributor', account, token }),
        this.#token(token),
      ]);
      const due = claim.cumulativeAmount > claimed ? claim.cumulativeAmount - claimed : 0n;
      answer.claims.push({
        token: token.toLowerCase(),
        ...info,
        cumulativeAmount: claim.cumulativeAmount.toString(),
        claimed: claimed.toString(),
        claimable: due.toString(),
        proof: claim.proof,
      });
      if (owed > 0n) answer.owed.push({ token: token.toLowerCase(), ...info, amount: owed.toString() });
    }
    return answer;
  }

  async #tree(n: number): Promise<PayoutTree> {
    const cached = this.#trees.get(n);
    if (cached) return cached;
    const leaves = await this.#repo.allocations(n, 'leaf');
    const tree = buildPayoutTree(
      leaves.map((leaf) => ({
        account: getAddress(leaf.account),
        token: getAddress(leaf.token),
        cumulativeAmount: BigInt(leaf.amount),
      })),
    );
    this.#trees.set(n, tree);
    return tree;
  }

  #token(token: Address): Promise<TokenInfo> {
    let info = this.#tokens.get(token);
    if (!info) {
      const { publicClient } = this.#ledger;
      info = Promise.all([
        publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'symbol' }),
        publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'decimals' }),
      ]).then(([symbol, decimals]) => ({ symbol, decimals }));
      info.catch(() => this.#tokens.delete(token));
      this.#tokens.set(token, info);
    }
    return info;
  }
}
