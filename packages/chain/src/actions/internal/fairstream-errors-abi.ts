import type { Abi } from 'viem';
import {
  fairTokenAbi,
  payoutDistributorAbi,
  rewardsEmitterAbi,
  stakingAbi,
  subscriptionVaultAbi,
  testStablecoinAbi,
  tipsAbi,
  trackRegistryAbi,
} from '../../abis/index.ts';

/**
 * Every custom error any Fairstream contract can revert with. A revert often comes from a contract
 * other than the one called (the token inside `subscribe`, the distributor inside `release`), so
 * reverts are decoded against all of them rather than the called contract's ABI alone.
 */
type AbiError = Extract<Abi[number], { type: 'error' }>;

export const fairstreamErrorsAbi: readonly AbiError[] = (
  [
    fairTokenAbi,
    payoutDistributorAbi,
    rewardsEmitterAbi,
    stakingAbi,
    subscriptionVaultAbi,
    testStablecoinAbi,
    tipsAbi,
    trackRegistryAbi,
  ] as readonly Abi[]
).flatMap((abi) => abi.filter((item): item is AbiError => item.type === 'error'));
