import { type Address, encodeFunctionData, type Hex, parseEventLogs } from 'viem';
import { subscriptionVaultAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import { ChainError } from '../errors.ts';
import { permitSignatureParts } from './internal/permit.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

export type SubscribeForWithPermitParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  /** The wallet that signed the permit: it pays and is subscribed. */
  subscriber: Address;
  /** Whole periods; the permit must be for exactly `periods × pricePerPeriod`. */
  periods: number;
  /** The permit's deadline (unix seconds). */
  deadline: bigint;
  /** The subscriber's 65-byte EIP-2612 signature (`permitTypedData` in the token's domain, spender the vault). */
  signature: Hex;
};

export type SubscribeForWithPermitReturnType = TransactionResult & {
  /** What the subscriber paid, in the stablecoin's base units. */
  amount: bigint;
  /** The subscription now runs over [start, end) (unix seconds). */
  start: bigint;
  end: bigint;
};

export type SubscribeForWithPermitErrorType = ChainError;

/**
 * Relays a subscriber's signed permit: the client's account sends the transaction and pays the gas,
 * the subscriber pays the subscription. Fails with `InvalidPermit(subscriber)` when the signature is
 * not the subscriber's permit for exactly this payment (or was already spent).
 */
export async function subscribeForWithPermit(
  client: WalletClientLike,
  parameters: SubscribeForWithPermitParameters,
): Promise<SubscribeForWithPermitReturnType> {
  const { deployment, subscriber, periods, deadline, signature } = parameters;
  const { v, r, s } = permitSignatureParts(signature);
  const receipt = await sendContractTransaction(client, {
    to: requireContract(deployment, 'SubscriptionVault'),
    data: encodeFunctionData({
      abi: subscriptionVaultAbi,
      functionName: 'subscribeForWithPermit',
      args: [subscriber, periods, deadline, v, r, s],
    }),
    description: `Subscribing ${subscriber} for ${periods} period(s) with its permit`,
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
  };
}
