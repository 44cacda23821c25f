import { join } from 'node:path';
import {
  ChainError,
  connectChain,
  type Deployment,
  type EmbeddedChain,
  embeddedDeploymentPath,
  embeddedPublicClient,
  fairstreamDevChain,
  readDeployment,
  startEmbeddedChain,
} from '@fairstream/chain';
import type { Logger } from 'pino';
import {
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  custom,
  http,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import type { NodeConfig } from '../config.ts';

/** The node's connection to the ledger: the embedded dev chain, or a public chain. */
export interface Ledger {
  chainId: number;
  /** The RPC URL wallets and auditors use. */
  rpcUrl: string;
  devChain: boolean;
  deployment: Deployment;
  publicClient: PublicClient<Transport, Chain>;
  /** Dev chains only: the account holding FAIR's faucet allocation, signing through the node's RPC. */
  faucetWallet: WalletClient<Transport, Chain, Account> | undefined;
  /**
   * The settlement operator (and track registrar), signing as the deployment's operator: on the
   * embedded chain through the chain itself, on a public chain with the operator key.
   */
  operatorWallet: WalletClient<Transport, Chain, Account>;
  close(): Promise<void>;
}

export class LedgerStartError extends Error {
  override name = 'LedgerStartError';
}

/**
 * Starts the embedded chain (the process that owns the data folder does this once), or connects to
 * a public chain after checking the operator key, the deployment and the RPC.
 */
export async function openLedger(config: NodeConfig, logger: Logger): Promise<Ledger> {
  if (config.chain) return openPublicLedger(config, logger);
  let chain: EmbeddedChain;
  try {
    chain = await startEmbeddedChain({
      dataDir: join(config.dataDir, 'chain'),
      chainId: config.chainId,
      rpcPort: config.rpcPort,
      rpcHost: '127.0.0.1',
      logger: logger.child({ component: 'chain' }),
      onReplayProgress: replayProgress(logger),
    });
  } catch (error) {
    throw explain(error, config);
  }
  const deployment = chain.deployment;
  if (!deployment) throw new LedgerStartError('The embedded chain has no Fairstream deployment');
  const transport = custom(chain.provider, { retryCount: 0 });
  return {
    chainId: chain.chainId,
    rpcUrl: chain.rpcUrl,
    devChain: true,
    deployment,
    publicClient: embeddedPublicClient(chain),
    faucetWallet: faucetWallet(deployment, chain.rpcUrl, transport),
    operatorWallet: unlockedWallet(deployment, deployment.roles.operator, chain.rpcUrl, transport),
    close: () => chain.stop(),
  };
}

/**
 * An HTTP process of a multi-process node: the background process runs the embedded chain, and
 * this one reaches it over its JSON-RPC server.
 */
export async function attachLedger(
  config: NodeConfig,
  embeddedRpcUrl: string | undefined,
  logger: Logger,
): Promise<Ledger> {
  if (config.chain) return openPublicLedger(config, logger);
  if (!embeddedRpcUrl) throw new LedgerStartError('An HTTP process needs the embedded chain RPC URL');
  const deployment = await readDeployment(embeddedDeploymentPath(join(config.dataDir, 'chain')));
  const chain = fairstreamDevChain(embeddedRpcUrl, deployment.chainId);
  const transport = http(embeddedRpcUrl, { retryCount: 0 });
  return {
    chainId: deployment.chainId,
    rpcUrl: embeddedRpcUrl,
    devChain: true,
    deployment,
    publicClient: createPublicClient({ chain, transport, pollingInterval: 50 }),
    faucetWallet: faucetWallet(deployment, embeddedRpcUrl, transport),
    operatorWallet: unlockedWallet(deployment, deployment.roles.operator, embeddedRpcUrl, transport),
    close: async () => {},
  };
}

async function openPublicLedger(config: NodeConfig, logger: Logger): Promise<Ledger> {
  if (!config.chain || !config.deployment) {
    throw new LedgerStartError('--chain needs --deployment FILE (contracts/deployments/<chainId>.json)');
  }
  const connected = await connectChain({
    rpcUrl: config.chain,
    deploymentFile: config.deployment,
    ...(config.operatorKeyFile && { operatorKeyFile: config.operatorKeyFile }),
    logger: logger.child({ component: 'chain' }),
  });
  return {
    chainId: connected.chainId,
    rpcUrl: connected.rpcUrl,
    devChain: connected.deployment.devChain,
    deployment: connected.deployment,
    publicClient: connected.publicClient,
    faucetWallet: undefined,
    operatorWallet: connected.walletClient,
    close: async () => {},
  };
}

/**
 * The faucet signs with the node's unlocked dev account through the chain itself
 * (eth_sendTransaction), so several HTTP processes never race each other for a nonce.
 */
function faucetWallet(deployment: Deployment, rpcUrl: string, transport: Transport) {
  if (!deployment.devChain || !deployment.roles.devFaucet) return undefined;
  return unlockedWallet(deployment, deployment.roles.devFaucet, rpcUrl, transport);
}

/**
 * Embedded chain accounts sign through the chain itself (eth_sendTransaction), so several HTTP
 * processes never race each other for a nonce.
 */
function unlockedWallet(
  deployment: Deployment,
  address: Address,
  rpcUrl: string,
  transport: Transport,
): WalletClient<Transport, Chain, Account> {
  return createWalletClient({
    account: address,
    chain: fairstreamDevChain(rpcUrl, deployment.chainId),
    transport,
    pollingInterval: 50,
  }) as WalletClient<Transport, Chain, Account>;
}

function replayProgress(logger: Logger) {
  let lastLogged = 0;
  return (done: number, total: number) => {
    const now = Date.now();
    if (done === total || now - lastLogged > 1000) {
      lastLogged = now;
      logger.info({ done, total }, `replaying the embedded chain's journal: ${done} of ${total}`);
    }
  };
}

function explain(error: unknown, config: NodeConfig): unknown {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' || /EADDRINUSE/.test(String(error))) {
    return new LedgerStartError(
      `The embedded chain's RPC port ${config.rpcPort} is in use; stop what runs there or pass --rpc-port`,
    );
  }
  if (error instanceof ChainError) return new LedgerStartError(`${error.message}`, { cause: error });
  return error;
}
