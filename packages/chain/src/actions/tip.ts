import { type Address, encodeFunctionData, type Hash, type Hex, parseEventLogs } from 'viem';
import { tipsAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { authorizePayment } from './internal/authorize-payment.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { PaymentAuthorization, TransactionResult, WalletClientLike } from './internal/types.ts';

export type TipParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  trackId: Hex;
  /** Any standard ERC-20 (FAIR, the stablecoin, …). */
  token: Address;
  amount: bigint;
  /** Default `approve`: an exact approval first when the allowance is short. */
  authorize?: PaymentAuthorization;
};

export type TipReturnType = TransactionResult & {
  /** What each recipient received at once (the track's split, remainder to the first). */
  paid: { recipient: Address; amount: bigint }[];
  /** Parts whose push failed and became `owed` balances (`withdrawOwed` from Tips). */
  owed: { recipient: Address; amount: bigint }[];
  approval?: Hash;
};

export type TipErrorType = ChainError;

/** Tips a track from the client's account; the tip is split to the track's recipients in the same transaction. */
export async function tip(client: WalletClientLike, parameters: TipParameters): Promise<TipReturnType> {
  const { deployment, trackId, token, amount } = parameters;
  const tips = requireContract(deployment, 'Tips');
  const { approval, permit } = await authorizePayment(client, {
    token,
    spender: tips,
    amount,
    authorize: parameters.authorize ?? 'approve',
  });
  const receipt = await sendContractTransaction(client, {
    to: tips,
    data: permit
      ? encodeFunctionData({
          abi: tipsAbi,
          functionName: 'tipWithPermit',
          args: [trackId, token, amount, permit.deadline, permit.v, permit.r, permit.s],
        })
      : encodeFunctionData({ abi: tipsAbi, functionName: 'tip', args: [trackId, token, amount] }),
    description: `Tipping track ${trackId}`,
  });
  const paid = parseEventLogs({ abi: tipsAbi, eventName: 'TipPaid', logs: receipt.logs }).map((event) => ({
    recipient: event.args.recipient,
    amount: event.args.amount,
  }));
  const owed = parseEventLogs({ abi: tipsAbi, eventName: 'TipOwed', logs: receipt.logs }).map((event) => ({
    recipient: event.args.recipient,
    amount: event.args.amount,
  }));
  return { ...transactionResult(receipt), paid, owed, ...(approval ? { approval } : {}) };
}
