import { readFile } from 'node:fs/promises';
import {
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  formatEther,
  type Hex,
  http,
  type PublicClient,
  parseEther,
  type Transport,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { getBalance, getChainId } from 'viem/actions';
import { missingContracts } from './deploy.ts';
import { type Deployment, readDeployment } from './deployment.ts';
import { ChainError } from './errors.ts';
import { type ChainLogger, silentLogger } from './logger.ts';

/** The environment variable the operator key may come from. */
export const OPERATOR_KEY_ENV = 'FAIRSTREAM_OPERATOR_KEY';

/** Below this the operator could not post a few epochs' roots and claims: refuse to start. */
export const DEFAULT_MIN_OPERATOR_BALANCE = parseEther('0.01');

export type ConnectChainParameters = {
  rpcUrl: string;
  /** The deployment for this chain, e.g. contracts/deployments/<chainId>.json. */
  deploymentFile: string;
  /**
   * The settlement operator's private key (0x + 64 hex digits). When absent, read from
   * `operatorKeyFile`, else from the FAIRSTREAM_OPERATOR_KEY environment variable. Never logged.
   */
  operatorKey?: string;
  operatorKeyFile?: string;
  env?: Record<string, string | undefined>;
  minOperatorBalance?: bigint;
  /** How long the RPC may take to answer; default 10 s. */
  timeoutMs?: number;
  logger?: ChainLogger;
};

export type ConnectedChain = {
  chainId: number;
  rpcUrl: string;
  deployment: Deployment;
  chain: Chain;
  publicClient: PublicClient<Transport, Chain>;
  /** Signs as the operator. */
  walletClient: WalletClient<Transport, Chain, Account>;
  operator: Address;
  operatorBalance: bigint;
};

export type ConnectChainErrorType = ChainError;

/**
 * Connects to a public chain and checks everything a node needs before it starts serving, so a
 * misconfiguration stops it at once with a message that says what to fix instead of failing at the
 * first settlement: the operator key, the deployment file, the RPC, the chain id, the operator's gas.
 */
export async function connectChain(parameters: ConnectChainParameters): Promise<ConnectedChain> {
  const { rpcUrl, deploymentFile, timeoutMs = 10_000 } = parameters;
  const logger = parameters.logger ?? silentLogger;
  const minBalance = parameters.minOperatorBalance ?? DEFAULT_MIN_OPERATOR_BALANCE;

  const account = privateKeyToAccount(await loadOperatorKey(parameters));
  const deployment = await readDeployment(deploymentFile);

  let url: URL;
  try {
    url = new URL(rpcUrl);
  } catch (cause) {
    throw new ChainError('rpc_unreachable', `The RPC URL "${rpcUrl}" is not a URL`, {
      details: 'Pass an http(s) URL such as https://rpc.example.org.',
      cause,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ChainError('rpc_unreachable', `The RPC URL "${rpcUrl}" is not http(s)`, {
      details: 'Pass an http(s) JSON-RPC endpoint (WebSocket endpoints are not supported here).',
    });
  }

  // No retries at start: one answer within the timeout, or a clear error now.
  const probe = createPublicClient({ transport: http(rpcUrl, { timeout: timeoutMs, retryCount: 0 }) });
  let chainId: number;
  try {
    chainId = await getChainId(probe);
  } catch (cause) {
    const reason =
      cause instanceof Error ? ((cause as { shortMessage?: string }).shortMessage ?? cause.message) : '';
    const answered = /HTTP request failed\.\s*Status: \d+|RPC Request failed|Invalid JSON/i.test(
      cause instanceof Error ? cause.message : '',
    );
    throw new ChainError(
      answered ? 'rpc_error' : 'rpc_unreachable',
      answered
        ? `The server at ${rpcUrl} did not answer as an Ethereum JSON-RPC`
        : `No RPC answers at ${rpcUrl}`,
      {
        details: answered
          ? `Check the URL (${reason.split('\n')[0]}).`
          : `Nothing answered eth_chainId within ${timeoutMs} ms. Check the URL and that the RPC provider is up (a local node needs to be running).`,
        cause,
      },
    );
  }
  if (chainId !== deployment.chainId) {
    throw new ChainError(
      'wrong_chain',
      `The RPC at ${rpcUrl} serves chain ${chainId}, but ${deploymentFile} is for chain ${deployment.chainId}`,
      {
        details: `Use the deployment file of chain ${chainId} (contracts/deployments/${chainId}.json), or an RPC of chain ${deployment.chainId}.`,
      },
    );
  }

  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const transport = http(rpcUrl, { timeout: timeoutMs });
  const publicClient = createPublicClient({ chain, transport });
  const walletClient = createWalletClient({ chain, transport, account });

  const operatorBalance = await getBalance(publicClient, { address: account.address });
  if (operatorBalance < minBalance) {
    throw new ChainError(
      'operator_underfunded',
      `The operator ${account.address} holds ${formatEther(operatorBalance)} ETH on chain ${chainId}, less than the ${formatEther(minBalance)} ETH it needs`,
      { details: `Send ETH for gas to ${account.address}; the node posts epoch roots and claims with it.` },
    );
  }
  logger.info(
    { chainId, rpcUrl, operator: account.address, operatorBalance: formatEther(operatorBalance) },
    'connected to the chain',
  );
  const missing = missingContracts(deployment);
  if (missing.length > 0) {
    // The node runs without them (their features answer that the contract is missing); the operator
    // adds them without redeploying anything else.
    logger.warn(
      { missing, deploymentFile },
      `${deploymentFile} has no ${missing.join(', ')}: the features they carry are off until you add them with \`npm run deploy:contracts -- --rpc ${rpcUrl} --add-missing --out ${deploymentFile}\``,
    );
  }
  return {
    chainId,
    rpcUrl,
    deployment,
    chain,
    publicClient,
    walletClient,
    operator: account.address,
    operatorBalance,
  };
}

async function loadOperatorKey(parameters: ConnectChainParameters): Promise<Hex> {
  const env = parameters.env ?? process.env;
  let key: string | undefined;
  let source: string;
  if (parameters.operatorKey !== undefined) {
    key = parameters.operatorKey;
    source = 'the operator key option';
  } else if (parameters.operatorKeyFile !== undefined) {
    source = `the key file ${parameters.operatorKeyFile}`;
    try {
      key = await readFile(parameters.operatorKeyFile, 'utf8');
    } catch (cause) {
      throw new ChainError('operator_key_missing', `Cannot read ${source}`, {
        details: 'Pass the path of a file holding the operator private key (0x + 64 hex digits).',
        cause: (cause as NodeJS.ErrnoException).code,
      });
    }
  } else {
    key = env[OPERATOR_KEY_ENV];
    source = `the ${OPERATOR_KEY_ENV} environment variable`;
  }
  if (key === undefined || key.trim() === '') {
    throw new ChainError('operator_key_missing', 'No operator key was given', {
      details: `A node on a public chain signs settlements with its operator key: pass a key file, or set ${OPERATOR_KEY_ENV}.`,
    });
  }
  const trimmed = key.trim();
  const hex = trimmed.startsWith('0x') ? trimmed : `0x${trimmed}`;
  // Say what is wrong with the key without ever echoing any of it.
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) {
    throw new ChainError('operator_key_invalid', `The operator key from ${source} is malformed`, {
      details: `Expected a private key of 32 bytes as 64 hex digits (optionally 0x-prefixed); got ${hex.length - 2} characters.`,
    });
  }
  try {
    privateKeyToAccount(hex as Hex);
  } catch {
    throw new ChainError(
      'operator_key_invalid',
      `The operator key from ${source} is not a valid private key`,
      {
        details: 'It must be a secp256k1 private key (non-zero, below the curve order).',
      },
    );
  }
  return hex as Hex;
}
