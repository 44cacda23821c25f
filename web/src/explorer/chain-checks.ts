/**
 * Checks an account's claims against the chain, in the browser: each Merkle proof the node handed
 * out must lead from the leaf (account, token, cumulative amount) to the epoch's payout root, and
 * that root must be the one the PayoutDistributor holds (it keeps the root's first 24 bytes, which
 * is what it checks claims against). Loaded on demand: it brings keccak (WASM) and the ABI.
 */
import { verifyPayoutClaim } from '@fairstream/chain/merkle';
import { payoutDistributorAbi } from '@fairstream/chain/reads';
import { type Address, createPublicClient, getAddress, type Hex, http } from 'viem';

export interface ClaimCheck {
  /** Per token (lower case): whether its proof leads to the payout root. */
  proofs: Record<string, boolean>;
  /** The root prefix the distributor holds for the epoch, and whether the node's root starts with it. */
  onChain: { prefix: Hex; matches: boolean; voided: boolean } | undefined;
}

export async function checkClaims(input: {
  rpcUrl: string;
  distributor: string | undefined;
  epoch: number;
  payoutRoot: string;
  account: string;
  claims: readonly { token: string; cumulativeAmount: string; proof: string[] }[];
}): Promise<ClaimCheck> {
  const proofs: Record<string, boolean> = {};
  for (const claim of input.claims) {
    proofs[claim.token.toLowerCase()] = verifyPayoutClaim(input.payoutRoot as Hex, {
      account: getAddress(input.account),
      token: getAddress(claim.token),
      cumulativeAmount: BigInt(claim.cumulativeAmount),
      proof: claim.proof as Hex[],
    });
  }
  if (!input.distributor) return { proofs, onChain: undefined };
  const client = createPublicClient({ transport: http(input.rpcUrl) });
  const [prefix, , voided] = await client.readContract({
    address: input.distributor as Address,
    abi: payoutDistributorAbi,
    functionName: 'epochOf',
    args: [BigInt(input.epoch)],
  });
  return {
    proofs,
    onChain: {
      prefix,
      matches: input.payoutRoot.toLowerCase().startsWith(prefix.toLowerCase()),
      voided,
    },
  };
}
