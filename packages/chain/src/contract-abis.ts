import type { Abi } from 'viem';
import {
  fairTokenAbi,
  fanDropsAbi,
  payoutDistributorAbi,
  promotionsAbi,
  rewardsEmitterAbi,
  stakingAbi,
  subscriptionVaultAbi,
  testStablecoinAbi,
  tipsAbi,
  trackRegistryAbi,
} from './abis/index.ts';
import type { ContractName } from './deployment.ts';

/** Every Fairstream contract's ABI by its deployment name: for code that handles all of them alike. */
export const contractAbis: Readonly<Record<ContractName, Abi>> = {
  FairToken: fairTokenAbi,
  TestStablecoin: testStablecoinAbi,
  TrackRegistry: trackRegistryAbi,
  SubscriptionVault: subscriptionVaultAbi,
  PayoutDistributor: payoutDistributorAbi,
  RewardsEmitter: rewardsEmitterAbi,
  Staking: stakingAbi,
  Tips: tipsAbi,
  Promotions: promotionsAbi,
  FanDrops: fanDropsAbi,
};
