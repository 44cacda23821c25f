import type { TransactionReceipt } from 'viem';
import type { TransactionResult } from './types.ts';

/** The part of a receipt every write action reports. */
export function transactionResult(receipt: TransactionReceipt): TransactionResult {
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
}
