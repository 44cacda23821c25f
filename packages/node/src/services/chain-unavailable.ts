import { ChainError } from '@fairstream/chain';
import { BaseError } from 'viem';
import { AppError } from '../errors.ts';

/**
 * Runs something that reads or writes the chain; an RPC that fails (down, rate-limited) becomes a
 * 503 the client may retry, rather than a 500. Refusals the action already decided stay as they are.
 */
export async function withChain<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ChainError || error instanceof BaseError) {
      throw new AppError(
        503,
        'chain_unavailable',
        `The node could not reach the chain (${error.shortMessage}); try again`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}
