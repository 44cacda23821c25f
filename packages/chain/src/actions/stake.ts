import { encodeFunctionData, type Hash, parseEventLogs } from 'viem';
import { readContract } from 'viem/actions';
import { stakingAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { authorizePayment } from './internal/authorize-payment.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { PaymentAuthorization, TransactionResult, WalletClientLike } from './internal/types.ts';

export type StakeParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  /** FAIR in base units (18 decimals). */
  amount: bigint;
  /** Default `approve`; FAIR supports `permit` (one transaction). */
  authorize?: PaymentAuthorization;
};

export type StakeReturnType = TransactionResult & {
  /** The account's whole stake afterwards. */
  stake: bigint;
  approval?: Hash;
};

export type StakeErrorType = ChainError;

/** Stakes FAIR from the client's account; it earns a share of every platform fee notified from now on. */
export async function stake(client: WalletClientLike, parameters: StakeParameters): Promise<StakeReturnType> {
  const { deployment, amount } = parameters;
  const staking = requireContract(deployment, 'Staking');
  const token = await readContract(client, {
    address: staking,
    abi: stakingAbi,
    functionName: 'stakingToken',
  });
  const { approval, permit } = await authorizePayment(client, {
    token,
    spender: staking,
    amount,
    authorize: parameters.authorize ?? 'approve',
  });
  const receipt = await sendContractTransaction(client, {
    to: staking,
    data: permit
      ? encodeFunctionData({
          abi: stakingAbi,
          functionName: 'stakeWithPermit',
          args: [amount, permit.deadline, permit.v, permit.r, permit.s],
        })
      : encodeFunctionData({ abi: stakingAbi, functionName: 'stake', args: [amount] }),
    description: `Staking ${amount} FAIR base units`,
  });
  const [event] = parseEventLogs({ abi: stakingAbi, eventName: 'Staked', logs: receipt.logs });
  return { ...transactionResult(receipt), stake: event?.args.stake ?? 0n, ...(approval ? { approval } : {}) };
}
