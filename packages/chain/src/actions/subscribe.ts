import { encodeFunctionData, type Hash, parseEventLogs } from 'viem';
import { readContract } from 'viem/actions';
import { subscriptionVaultAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import { ChainError } from '../errors.ts';
import { authorizePayment } from './internal/authorize-payment.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { PaymentAuthorization, TransactionResult, WalletClientLike } from './internal/types.ts';

export type SubscribeParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  /** Whole periods to pay for (at the vault's fixed price): starts now, or extends a running subscription. */
  periods: number;
  /** Default `approve`: an exact approval first when the allowance is short. */
  authorize?: PaymentAuthorization;
};

export type SubscribeReturnType = TransactionResult & {
  /** What was paid, in the stablecoin's base units. */
  amount: bigint;
  /** The subscription now runs over [start, end) (unix seconds). */
  start: bigint;
  end: bigint;
  /** The approval transaction, when one was sent. */
  approval?: Hash;
};

export type SubscribeErrorType = ChainError;

/** Pays for `periods` subscription periods in the vault's stablecoin from the client's account. */
export async function subscribe(
  client: WalletClientLike,
  parameters: SubscribeParameters,
): Promise<SubscribeReturnType> {
  const { deployment, periods } = parameters;
  const authorize = parameters.authorize ?? 'approve';
  const vault = requireContract(deployment, 'SubscriptionVault');
  const [token, price] = await Promise.all([
    readContract(client, { address: vault, abi: subscriptionVaultAbi, functionName: 'token' }),
    readContract(client, { address: vault, abi: subscriptionVaultAbi, functionName: 'pricePerPeriod' }),
  ]);
  const amount = price * BigInt(periods);
  const { approval, permit } = await authorizePayment(client, { token, spender: vault, amount, authorize });
  const receipt = await sendContractTransaction(client, {
    to: vault,
    data: permit
      ? encodeFunctionData({
          abi: subscriptionVaultAbi,
          functionName: 'subscribeWithPermit',
          args: [periods, permit.deadline, permit.v, permit.r, permit.s],
        })
      : encodeFunctionData({ abi: subscriptionVaultAbi, functionName: 'subscribe', args: [periods] }),
    description: `Subscribing for ${periods} period(s)`,
  });
  const [event] = parseEventLogs({ abi: subscriptionVaultAbi, eventName: 'Subscribed', logs: receipt.logs });
  if (!event)
    throw new ChainError(
      'transaction_reverted',
      `The subscription ${receipt.transactionHash} logged no Subscribed event`,
    );
  return {
    ...transactionResult(receipt),
    amount: event.args.amount,
    start: event.args.start,
    end: event.args.end,
    ...(approval ? { approval } : {}),
  };
}
