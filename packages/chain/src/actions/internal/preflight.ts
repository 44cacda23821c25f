import { type Address, BaseError, type Hex } from 'viem';
import { call } from 'viem/actions';
import { ChainError } from '../../errors.ts';
import { describeRevert } from './describe-revert.ts';
import type { WalletClientLike } from './types.ts';

export type PreflightParameters = {
  to: Address;
  data: Hex;
  /** What the call does, for the error message: "Promoting track 0x…". */
  description: string;
  /** A revert that is expected at this point and fixed by the next step (a missing approval). */
  tolerate?: RegExp;
};

/**
 * Runs a call from the client's account without sending it, and fails with the contract's own error
 * (`NotTrackOwner(…)`, `InsufficientBalance(…)`) before anything is signed or sent: an action that
 * approves first must not spend an approval transaction on a call the contract will refuse anyway.
 */
export async function preflight(client: WalletClientLike, parameters: PreflightParameters): Promise<void> {
  const { to, data, description, tolerate } = parameters;
  try {
    await call(client, { account: client.account, to, data });
  } catch (error) {
    const reason = describeRevert(error);
    if (reason === undefined) {
      const message = error instanceof BaseError ? error.shortMessage : String(error);
      throw new ChainError('rpc_error', `${description} failed: ${message}`, { cause: error });
    }
    if (tolerate?.test(reason)) return;
    throw new ChainError('transaction_reverted', `${description} failed: ${reason}`, {
      details: 'Nothing was sent: the contract refused the call.',
      cause: error,
    });
  }
}
