/**
 * Claims what the distributor owes an account, from the signed-in wallet: one `claimMany` with each
 * token's cumulative amount and Merkle proof, as the node hands them out (GET …/claims). Anyone may
 * send a claim and the money always goes to the account; the wallet only pays the gas. Loaded when
 * the button is pressed.
 */
import { payoutDistributorAbi } from '@fairstream/chain/reads';
import { type Address, createPublicClient, encodeFunctionData, getAddress, type Hex, http } from 'viem';
import type { Wallet } from '../session/wallet.ts';

export async function sendClaim(input: {
  wallet: Wallet;
  rpcUrl: string;
  distributor: string;
  account: string;
  epoch: number;
  claims: readonly { token: string; cumulativeAmount: string; proof: string[] }[];
}): Promise<Hex> {
  const data = encodeFunctionData({
    abi: payoutDistributorAbi,
    functionName: 'claimMany',
    args: [
      BigInt(input.epoch),
      input.claims.map((claim) => ({
        account: getAddress(input.account),
        token: getAddress(claim.token),
        cumulativeAmount: BigInt(claim.cumulativeAmount),
        proof: claim.proof as Hex[],
      })),
    ],
  });
  const hash = (await input.wallet.request({
    method: 'eth_sendTransaction',
    params: [{ from: input.wallet.address, to: input.distributor as Address, data }],
  })) as Hex;
  const receipt = await createPublicClient({ transport: http(input.rpcUrl) }).waitForTransactionReceipt({
    hash,
    timeout: 120_000,
  });
  if (receipt.status !== 'success') throw new Error(`The claim transaction ${hash} reverted`);
  return hash;
}
