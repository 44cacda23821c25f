// @fairstream/chain/reads: the contracts' ABIs and the read-only actions an auditor needs, without
// the rest of the package (which runs Hardhat and the file system). Browser-safe: the web app's ledger
// explorer reads the chain with these, as `fairstream verify` does.
export * from './abis/index.ts';
export type { GetClaimedParameters, GetClaimedReturnType } from './actions/get-claimed.ts';
export { getClaimed } from './actions/get-claimed.ts';
export type {
  FanDropOnChain,
  GetFanDropParameters,
  GetFanDropReturnType,
} from './actions/get-fan-drop.ts';
export { getFanDrop } from './actions/get-fan-drop.ts';
export type { GetPromotionParameters, GetPromotionReturnType } from './actions/get-promotion.ts';
export { getPromotion, quotePromotion } from './actions/get-promotion.ts';
export type { GetSplitParameters, GetSplitReturnType } from './actions/get-split.ts';
export { getSplit } from './actions/get-split.ts';
export type { GetTrackParameters, GetTrackReturnType } from './actions/get-track.ts';
export { getTrack } from './actions/get-track.ts';
export { describeRevert } from './actions/internal/describe-revert.ts';
