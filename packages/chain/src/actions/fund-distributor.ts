import { type Address, encodeFunctionData, type Hash } from 'viem';
import { payoutDistributorAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { authorizePayment } from './internal/authorize-payment.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

export type FundDistributorParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  token: Address;
  amount: bigint;
};

export type FundDistributorReturnType = TransactionResult & { approval?: Hash };

export type FundDistributorErrorType = ChainError;

/**
 * Moves tokens from the client's account into the PayoutDistributor (approving it first when the
 * allowance is short), raising what epochs may distribute in that token. Subscription money arrives
 * through `releaseSubscriptions` and FAIR rewards through `emitRewards`; this is for anything else.
 */
export async function fundDistributor(
  client: WalletClientLike,
  parameters: FundDistributorParameters,
): Promise<FundDistributorReturnType> {
  const { deployment, token, amount } = parameters;
  const distributor = requireContract(deployment, 'PayoutDistributor');
  const { approval } = await authorizePayment(client, {
    token,
    spender: distributor,
    amount,
    authorize: 'approve',
  });
  const receipt = await sendContractTransaction(client, {
    to: distributor,
    data: encodeFunctionData({ abi: payoutDistributorAbi, functionName: 'fund', args: [token, amount] }),
    description: `Funding the distributor with ${amount} base units of ${token}`,
  });
  return { ...transactionResult(receipt), ...(approval ? { approval } : {}) };
}
