import type { Abi } from 'viem';
import { contractAbis } from '../../contract-abis.ts';

/**
 * Every custom error any Fairstream contract can revert with. A revert often comes from a contract
 * other than the one called (the token inside `subscribe`, the distributor inside `release`), so
 * reverts are decoded against all of them rather than the called contract's ABI alone.
 */
type AbiError = Extract<Abi[number], { type: 'error' }>;

export const fairstreamErrorsAbi: readonly AbiError[] = Object.values(contractAbis).flatMap((abi) =>
  abi.filter((item): item is AbiError => item.type === 'error'),
);
