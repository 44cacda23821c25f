import { type Address, encodeFunctionData, type Hash, type Hex, parseEventLogs } from 'viem';
import { fanDropsAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import type { FanDropTree } from '../merkle/fan-drop-tree.ts';
import { authorizePayment } from './internal/authorize-payment.ts';
import { preflight } from './internal/preflight.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { PaymentAuthorization, TransactionResult, WalletClientLike } from './internal/types.ts';

/** How long a drop's claims stay open by default: 90 days, then its creator may reclaim the rest. */
export const FAN_DROP_DEFAULT_CLAIM_WINDOW_SECONDS = 90n * 24n * 3600n;

export type CreateFanDropParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  /** The drop's tree (`buildFanDropTree`): its root, total and number of leaves are what is funded. */
  tree: Pick<FanDropTree, 'root' | 'total' | 'leaves'>;
  /** Why, shown to fans (at most 256 bytes): "Top 100 fans of 2025", or a metadata hash or CID. */
  reason: string;
  /** Seconds claims stay open, 1 to 365 days. Default 90 days. */
  claimWindowSeconds?: bigint;
  /** Default `approve`; FAIR supports `permit` (one transaction). */
  authorize?: PaymentAuthorization;
};

export type CreateFanDropReturnType = TransactionResult & {
  dropId: bigint;
  creator: Address;
  root: Hex;
  total: bigint;
  recipients: number;
  reason: string;
  /** When claims close (Unix seconds). */
  expiresAt: bigint;
  approval?: Hash;
};

export type CreateFanDropErrorType = ChainError;

/**
 * Funds a fan drop from the client's account: the tree's total in FAIR moves into FanDrops in one
 * transaction, and its leaves become claimable (`claimFanDrops` pushes them). A drop the contract
 * refuses (a total above the account's balance, a reason too long) fails before anything is signed
 * or sent, with the contract's error, e.g. `InsufficientBalance(balance, total)`.
 */
export async function createFanDrop(
  client: WalletClientLike,
  parameters: CreateFanDropParameters,
): Promise<CreateFanDropReturnType> {
  const { deployment, tree, reason } = parameters;
  const drops = requireContract(deployment, 'FanDrops');
  const fair = requireContract(deployment, 'FairToken');
  const window = parameters.claimWindowSeconds ?? FAN_DROP_DEFAULT_CLAIM_WINDOW_SECONDS;
  const recipients = tree.leaves.length;
  const description = `Creating a fan drop of ${tree.total} FAIR base units for ${recipients} fan(s)`;
  const call = encodeFunctionData({
    abi: fanDropsAbi,
    functionName: 'createDrop',
    args: [tree.root, tree.total, recipients, window, reason],
  });
  await preflight(client, {
    to: drops,
    data: call,
    description,
    tolerate: /^ERC20InsufficientAllowance\(/,
  });
  const { approval, permit } = await authorizePayment(client, {
    token: fair,
    spender: drops,
    amount: tree.total,
    authorize: parameters.authorize ?? 'approve',
  });
  const receipt = await sendContractTransaction(client, {
    to: drops,
    data: permit
      ? encodeFunctionData({
          abi: fanDropsAbi,
          functionName: 'createDropWithPermit',
          args: [
            tree.root,
            tree.total,
            recipients,
            window,
            reason,
            permit.deadline,
            permit.v,
            permit.r,
            permit.s,
          ],
        })
      : call,
    description,
  });
  const [event] = parseEventLogs({ abi: fanDropsAbi, eventName: 'DropCreated', logs: receipt.logs });
  if (!event) throw new Error('The fan drop was mined without its DropCreated event');
  return {
    ...transactionResult(receipt),
    dropId: event.args.dropId,
    creator: event.args.creator,
    root: event.args.root,
    total: event.args.total,
    recipients: event.args.recipients,
    reason: event.args.reason,
    expiresAt: event.args.expiresAt,
    ...(approval ? { approval } : {}),
  };
}
