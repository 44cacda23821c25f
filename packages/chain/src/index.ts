// @fairstream/chain: Fairstream's ledger from TypeScript.

export * from './abis/index.ts';
export type { FaucetErrorType, FaucetParameters, FaucetReturnType } from './actions/faucet.ts';
export { FAUCET_DEFAULTS, faucet } from './actions/faucet.ts';
export type {
  GetChainInfoErrorType,
  GetChainInfoParameters,
  GetChainInfoReturnType,
} from './actions/get-chain-info.ts';
export { getChainInfo } from './actions/get-chain-info.ts';
export type {
  GetFairBalanceErrorType,
  GetFairBalanceParameters,
  GetFairBalanceReturnType,
} from './actions/get-fair-balance.ts';
export { getFairBalance } from './actions/get-fair-balance.ts';
export type {
  TransferFairErrorType,
  TransferFairParameters,
  TransferFairReturnType,
} from './actions/transfer-fair.ts';
export { transferFair } from './actions/transfer-fair.ts';
export * from './bytecode/index.ts';
export { EMBEDDED_CHAIN_ID, fairstreamDevChain } from './chains.ts';
export type { ConnectChainErrorType, ConnectChainParameters, ConnectedChain } from './config.ts';
export { connectChain, DEFAULT_MIN_OPERATOR_BALANCE, OPERATOR_KEY_ENV } from './config.ts';
export type { DeployFairstreamParameters, DeployFairstreamReturnType } from './deploy.ts';
export { DEFAULT_FAIR_ALLOCATIONS, deployFairstream } from './deploy.ts';
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
export type { ChainLogger } from './logger.ts';
