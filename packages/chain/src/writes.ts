// @fairstream/chain/writes: the actions a wallet in a browser sends (promote a track, fund, push and
// claim fan drops), without the rest of the package (which runs Hardhat and the file system).
// Browser-safe: they take a viem client, whatever signs for it. The web app runs the very code the
// CLI runs, so both check, authorize (EIP-2612 permits) and explain a refusal the same way.
export type {
  ClaimFanDropErrorType,
  ClaimFanDropParameters,
  ClaimFanDropReturnType,
} from './actions/claim-fan-drop.ts';
export { claimFanDrop } from './actions/claim-fan-drop.ts';
export type {
  ClaimFanDropsErrorType,
  ClaimFanDropsParameters,
  ClaimFanDropsReturnType,
} from './actions/claim-fan-drops.ts';
export { claimFanDrops } from './actions/claim-fan-drops.ts';
export type {
  CreateFanDropErrorType,
  CreateFanDropParameters,
  CreateFanDropReturnType,
} from './actions/create-fan-drop.ts';
export { createFanDrop, FAN_DROP_DEFAULT_CLAIM_WINDOW_SECONDS } from './actions/create-fan-drop.ts';
export { getFairBalance } from './actions/get-fair-balance.ts';
export type { GetPromotionParameters, GetPromotionReturnType } from './actions/get-promotion.ts';
export { getPromotion, quotePromotion } from './actions/get-promotion.ts';
export type { PaymentAuthorization, TransactionResult, WalletClientLike } from './actions/internal/types.ts';
export type {
  PromoteTrackErrorType,
  PromoteTrackParameters,
  PromoteTrackReturnType,
} from './actions/promote-track.ts';
export { promoteTrack } from './actions/promote-track.ts';
export type { ContractName, Deployment } from './deployment.ts';
export type { ChainErrorCode } from './errors.ts';
export { ChainError } from './errors.ts';
export type { FanDropPlan } from './fan-drop-plan.ts';
