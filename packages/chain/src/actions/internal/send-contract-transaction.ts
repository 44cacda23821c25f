import { type Address, BaseError, type Hex, type TransactionReceipt } from 'viem';
import { call, sendTransaction, waitForTransactionReceipt } from 'viem/actions';
import { ChainError } from '../../errors.ts';
import { describeRevert } from './describe-revert.ts';
import type { WalletClientLike } from './types.ts';

export type SendContractTransactionParameters = {
  to: Address;
  /** The encoded call (`encodeFunctionData` against the contract's ABI, so it is type-checked there). */
  data: Hex;
  /** What the transaction does, for the error message: "Registering track 0x…". */
  description: string;
  gas?: bigint;
};

/**
 * Sends a contract call from the client's account and waits for its receipt. Every failure becomes a
 * `ChainError` whose message names the contract's own error: a call the contract refuses fails before
 * anything is sent (gas estimation runs it), with `transaction_reverted`; one that reverts once mined
 * (the state changed in between) is replayed at its block to recover the reason.
 */
export async function sendContractTransaction(
  client: WalletClientLike,
  parameters: SendContractTransactionParameters,
): Promise<TransactionReceipt> {
  const { to, data, description, gas } = parameters;
  let hash: Hex;
  try {
    hash = await sendTransaction(client, {
      account: client.account,
      chain: client.chain,
      to,
      data,
      ...(gas === undefined ? {} : { gas }),
    });
  } catch (error) {
    throw failure(description, error);
  }
  const receipt = await waitForTransactionReceipt(client, { hash }).catch((error: unknown) => {
    throw new ChainError(
      'rpc_error',
      `${description}: the transaction ${hash} was sent but its receipt could not be read`,
      {
        details: shortMessage(error),
        cause: error,
      },
    );
  });
  if (receipt.status === 'success') return receipt;
  // The receipt carries no reason; running the same call on the block's state usually reproduces it.
  const reason = await call(client, {
    account: client.account,
    to,
    data,
    blockNumber: receipt.blockNumber,
  }).then(
    () => undefined,
    (error: unknown) => describeRevert(error),
  );
  throw new ChainError(
    'transaction_reverted',
    `${description} failed: ${reason ?? 'the transaction reverted'} (transaction ${hash}, block ${receipt.blockNumber})`,
  );
}

function failure(description: string, error: unknown): ChainError {
  const reason = describeRevert(error);
  if (reason !== undefined) {
    return new ChainError('transaction_reverted', `${description} failed: ${reason}`, {
      details: 'Nothing was sent: the contract refused the call.',
      cause: error,
    });
  }
  return new ChainError('rpc_error', `${description} failed: ${shortMessage(error)}`, { cause: error });
}

function shortMessage(error: unknown): string {
  if (error instanceof BaseError) return error.shortMessage;
  return error instanceof Error ? error.message : String(error);
}
