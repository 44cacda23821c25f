// @fairstream/chain: Fairstream's ledger from TypeScript.

export * from './abis/index.ts';
export type {
  CancelSubscriptionErrorType,
  CancelSubscriptionParameters,
  CancelSubscriptionReturnType,
} from './actions/cancel-subscription.ts';
export { cancelSubscription } from './actions/cancel-subscription.ts';
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
  ClaimPayoutErrorType,
  ClaimPayoutParameters,
  ClaimPayoutReturnType,
} from './actions/claim-payout.ts';
export { claimPayout } from './actions/claim-payout.ts';
export type {
  ClaimPayoutsErrorType,
  ClaimPayoutsParameters,
  ClaimPayoutsReturnType,
} from './actions/claim-payouts.ts';
export { claimPayouts } from './actions/claim-payouts.ts';
export type {
  ClaimStakingRewardsErrorType,
  ClaimStakingRewardsParameters,
  ClaimStakingRewardsReturnType,
} from './actions/claim-staking-rewards.ts';
export { claimStakingRewards } from './actions/claim-staking-rewards.ts';
export type {
  CreateFanDropErrorType,
  CreateFanDropParameters,
  CreateFanDropReturnType,
} from './actions/create-fan-drop.ts';
export { createFanDrop, FAN_DROP_DEFAULT_CLAIM_WINDOW_SECONDS } from './actions/create-fan-drop.ts';
export type {
  EmitRewardsErrorType,
  EmitRewardsParameters,
  EmitRewardsReturnType,
} from './actions/emit-rewards.ts';
export { emitRewards } from './actions/emit-rewards.ts';
export type { FaucetErrorType, FaucetParameters, FaucetReturnType } from './actions/faucet.ts';
export { FAUCET_DEFAULTS, faucet } from './actions/faucet.ts';
export type {
  FundDistributorErrorType,
  FundDistributorParameters,
  FundDistributorReturnType,
} from './actions/fund-distributor.ts';
export { fundDistributor } from './actions/fund-distributor.ts';
export type {
  GetChainInfoErrorType,
  GetChainInfoParameters,
  GetChainInfoReturnType,
} from './actions/get-chain-info.ts';
export { getChainInfo } from './actions/get-chain-info.ts';
export type {
  GetClaimedErrorType,
  GetClaimedParameters,
  GetClaimedReturnType,
} from './actions/get-claimed.ts';
export { getClaimed } from './actions/get-claimed.ts';
export type {
  GetFairBalanceErrorType,
  GetFairBalanceParameters,
  GetFairBalanceReturnType,
} from './actions/get-fair-balance.ts';
export { getFairBalance } from './actions/get-fair-balance.ts';
export type {
  FanDropOnChain,
  GetFanDropErrorType,
  GetFanDropParameters,
  GetFanDropReturnType,
} from './actions/get-fan-drop.ts';
export { getFanDrop } from './actions/get-fan-drop.ts';
export type { GetOwedErrorType, GetOwedParameters, GetOwedReturnType } from './actions/get-owed.ts';
export { getOwed } from './actions/get-owed.ts';
export type {
  GetPermitNonceErrorType,
  GetPermitNonceParameters,
  GetPermitNonceReturnType,
} from './actions/get-permit-nonce.ts';
export { getPermitNonce } from './actions/get-permit-nonce.ts';
export type {
  GetPromotionErrorType,
  GetPromotionParameters,
  GetPromotionReturnType,
} from './actions/get-promotion.ts';
export { getPromotion, quotePromotion } from './actions/get-promotion.ts';
export type { GetSplitErrorType, GetSplitParameters, GetSplitReturnType } from './actions/get-split.ts';
export { getSplit } from './actions/get-split.ts';
export type {
  GetSubscriptionErrorType,
  GetSubscriptionParameters,
  GetSubscriptionReturnType,
} from './actions/get-subscription.ts';
export { getSubscription } from './actions/get-subscription.ts';
export type {
  GetSubscriptionTermsErrorType,
  GetSubscriptionTermsParameters,
  GetSubscriptionTermsReturnType,
} from './actions/get-subscription-terms.ts';
export { getSubscriptionTerms } from './actions/get-subscription-terms.ts';
export type {
  GetTokenBalanceErrorType,
  GetTokenBalanceParameters,
  GetTokenBalanceReturnType,
} from './actions/get-token-balance.ts';
export { getTokenBalance } from './actions/get-token-balance.ts';
export type { GetTrackErrorType, GetTrackParameters, GetTrackReturnType } from './actions/get-track.ts';
export { getTrack } from './actions/get-track.ts';
export { describeRevert } from './actions/internal/describe-revert.ts';
export type { PermitMessage } from './actions/internal/permit.ts';
export { PERMIT_TYPES, permitTypedData } from './actions/internal/permit.ts';
export type { PaymentAuthorization, TransactionResult } from './actions/internal/types.ts';
export type { NotifyFeeErrorType, NotifyFeeParameters, NotifyFeeReturnType } from './actions/notify-fee.ts';
export { notifyFee } from './actions/notify-fee.ts';
export type {
  PromoteTrackErrorType,
  PromoteTrackParameters,
  PromoteTrackReturnType,
} from './actions/promote-track.ts';
export { promoteTrack } from './actions/promote-track.ts';
export type {
  PublishEpochErrorType,
  PublishEpochParameters,
  PublishEpochReturnType,
} from './actions/publish-epoch.ts';
export { publishEpoch } from './actions/publish-epoch.ts';
export type {
  ReclaimFanDropErrorType,
  ReclaimFanDropParameters,
  ReclaimFanDropReturnType,
} from './actions/reclaim-fan-drop.ts';
export { reclaimFanDrop } from './actions/reclaim-fan-drop.ts';
export type {
  RegisterOperatorErrorType,
  RegisterOperatorParameters,
  RegisterOperatorReturnType,
} from './actions/register-operator.ts';
export { registerOperator } from './actions/register-operator.ts';
export type {
  RegisterTrackErrorType,
  RegisterTrackParameters,
  RegisterTrackReturnType,
  TrackAccessRule,
} from './actions/register-track.ts';
export { FREE_ACCESS, registerTrack } from './actions/register-track.ts';
export type {
  RegisterTrackForErrorType,
  RegisterTrackForParameters,
  RegisterTrackForReturnType,
} from './actions/register-track-for.ts';
export { registerTrackFor } from './actions/register-track-for.ts';
export type {
  ReleaseSubscriptionsErrorType,
  ReleaseSubscriptionsParameters,
  ReleaseSubscriptionsReturnType,
} from './actions/release-subscriptions.ts';
export { releaseSubscriptions } from './actions/release-subscriptions.ts';
export type {
  RequestUnstakeErrorType,
  RequestUnstakeParameters,
  RequestUnstakeReturnType,
} from './actions/request-unstake.ts';
export { requestUnstake } from './actions/request-unstake.ts';
export type { StakeErrorType, StakeParameters, StakeReturnType } from './actions/stake.ts';
export { stake } from './actions/stake.ts';
export type { SubscribeErrorType, SubscribeParameters, SubscribeReturnType } from './actions/subscribe.ts';
export { subscribe } from './actions/subscribe.ts';
export type {
  SubscribeForWithPermitErrorType,
  SubscribeForWithPermitParameters,
  SubscribeForWithPermitReturnType,
} from './actions/subscribe-for-with-permit.ts';
export { subscribeForWithPermit } from './actions/subscribe-for-with-permit.ts';
export type { TipErrorType, TipParameters, TipReturnType } from './actions/tip.ts';
export { tip } from './actions/tip.ts';
export type {
  TransferFairErrorType,
  TransferFairParameters,
  TransferFairReturnType,
} from './actions/transfer-fair.ts';
export { transferFair } from './actions/transfer-fair.ts';
export type { VoidEpochErrorType, VoidEpochParameters, VoidEpochReturnType } from './actions/void-epoch.ts';
export { voidEpoch } from './actions/void-epoch.ts';
export type {
  WithdrawOwedErrorType,
  WithdrawOwedParameters,
  WithdrawOwedReturnType,
} from './actions/withdraw-owed.ts';
export { withdrawOwed } from './actions/withdraw-owed.ts';
export type {
  WithdrawStakeErrorType,
  WithdrawStakeParameters,
  WithdrawStakeReturnType,
} from './actions/withdraw-stake.ts';
export { withdrawStake } from './actions/withdraw-stake.ts';
export * from './bytecode/index.ts';
export { EMBEDDED_CHAIN_ID, fairstreamDevChain } from './chains.ts';
export type { ConnectChainErrorType, ConnectChainParameters, ConnectedChain } from './config.ts';
export { connectChain, DEFAULT_MIN_OPERATOR_BALANCE, OPERATOR_KEY_ENV } from './config.ts';
export { contractAbis } from './contract-abis.ts';
export type {
  CompleteDeploymentParameters,
  CompleteDeploymentReturnType,
  DeployFairstreamParameters,
  DeployFairstreamReturnType,
} from './deploy.ts';
export {
  completeDeployment,
  DEFAULT_FAIR_ALLOCATIONS,
  DEFAULT_PROMOTION_PRICE_PER_DAY,
  deployFairstream,
  missingContracts,
} from './deploy.ts';
export type { ContractName, Deployment } from './deployment.ts';
export {
  embeddedDeploymentPath,
  publicDeploymentPath,
  readDeployment,
  writeDeployment,
} from './deployment.ts';
export { embeddedPublicClient, embeddedWalletClient } from './embedded/clients.ts';
export type { DevAccount } from './embedded/dev-accounts.ts';
export { DEV_MNEMONIC, deriveDevAccounts } from './embedded/dev-accounts.ts';
export type { Eip1193Provider } from './embedded/journaled-provider.ts';
export type { RpcServer, StartRpcServerParameters } from './embedded/rpc-server.ts';
export { startRpcServer } from './embedded/rpc-server.ts';
export type { EmbeddedChain, StartEmbeddedChainParameters } from './embedded/start-embedded-chain.ts';
export { DEV_ROLES, startEmbeddedChain } from './embedded/start-embedded-chain.ts';
export type { ChainErrorCode, ChainErrorOptions } from './errors.ts';
export { ChainError } from './errors.ts';
export type { FanDropPlan } from './fan-drop-plan.ts';
export type { ChainLogger } from './logger.ts';
export * from './merkle/index.ts';
