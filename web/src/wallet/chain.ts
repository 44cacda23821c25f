/**
 * Reads and transactions against the node's chain, straight over its JSON-RPC (the embedded chain
 * allows CORS) with viem's encoders and the contracts' generated ABIs: no client library, no
 * node-only module. Transactions are signed by the session's wallet (an injected one or the dev
 * wallet) and followed until mined; a revert is reported as the contract's own error.
 */
import {
  fairTokenAbi,
  payoutDistributorAbi,
  stakingAbi,
  testStablecoinAbi,
  tipsAbi,
  trackRegistryAbi,
} from '@fairstream/chain/abis';
import {
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionReturnType,
  decodeErrorResult,
  decodeFunctionResult,
  encodeFunctionData,
  erc20Abi,
  type Hex,
  isHex,
} from 'viem';
import { formatUnits } from '../lib/format.ts';
import type { ChainInfo } from '../session/session.tsx';
import { rpc, type Wallet } from '../session/wallet.ts';

export {
  erc20Abi,
  fairTokenAbi,
  payoutDistributorAbi,
  stakingAbi,
  testStablecoinAbi,
  tipsAbi,
  trackRegistryAbi,
};

type ReadFunction<abi extends Abi> = ContractFunctionName<abi, 'pure' | 'view'>;

/** Calls a view function at the latest block and decodes its result. */
export async function readContract<const abi extends Abi, name extends ReadFunction<abi>>(
  rpcUrl: string,
  call: {
    address: string;
    abi: abi;
    functionName: name;
    args?: ContractFunctionArgs<abi, 'pure' | 'view', name>;
  },
): Promise<ContractFunctionReturnType<abi, 'pure' | 'view', name>> {
  const data = encodeFunctionData({
    abi: call.abi,
    functionName: call.functionName,
    args: call.args,
  } as never);
  const result = (await rpc(rpcUrl, 'eth_call', [{ to: call.address, data }, 'latest'])) as Hex;
  return decodeFunctionResult({
    abi: call.abi,
    functionName: call.functionName,
    data: result,
  } as never) as never;
}

export async function ethBalance(rpcUrl: string, address: string): Promise<bigint> {
  return BigInt((await rpc(rpcUrl, 'eth_getBalance', [address, 'latest'])) as Hex);
}

export interface TokenInfo {
  address: string;
  symbol: string;
  decimals: number;
}

const tokenInfos = new Map<string, Promise<TokenInfo>>();

/** A token's symbol and decimals, read once per page load. */
export function tokenInfo(rpcUrl: string, address: string): Promise<TokenInfo> {
  const key = `${rpcUrl} ${address.toLowerCase()}`;
  let info = tokenInfos.get(key);
  if (!info) {
    info = Promise.all([
      readContract(rpcUrl, { address, abi: erc20Abi, functionName: 'symbol' }),
      readContract(rpcUrl, { address, abi: erc20Abi, functionName: 'decimals' }),
    ]).then(([symbol, decimals]) => ({ address: address.toLowerCase(), symbol, decimals }));
    info.catch(() => tokenInfos.delete(key));
    tokenInfos.set(key, info);
  }
  return info;
}

export function tokenBalance(rpcUrl: string, token: string, owner: string): Promise<bigint> {
  return readContract(rpcUrl, {
    address: token,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner as Address],
  });
}

export function formatToken(amount: bigint | string, token: Pick<TokenInfo, 'symbol' | 'decimals'>): string {
  return `${formatUnits(amount, token.decimals)} ${token.symbol}`;
}

/** Every custom error the Fairstream contracts declare: a revert may come from a contract called inside. */
const errorsAbi = [
  fairTokenAbi,
  testStablecoinAbi,
  stakingAbi,
  tipsAbi,
  payoutDistributorAbi,
  trackRegistryAbi,
]
  .flat()
  .filter((item) => item.type === 'error');

const KNOWN_ERRORS: Record<string, (args: readonly unknown[]) => string> = {
  ERC20InsufficientBalance: ([, balance, needed]) =>
    `Your balance is too low: you have ${balance} base units and this needs ${needed}. Get more (the faucet, on a dev chain) or send less.`,
  ERC20InsufficientAllowance: ([, allowance, needed]) =>
    `The contract may spend only ${allowance} of the ${needed} base units needed; approve more and try again.`,
  CooldownNotElapsed: ([unlockAt]) =>
    `The unstaking cooldown has not passed yet: you can withdraw after ${new Date(Number(unlockAt) * 1000).toLocaleString()}.`,
  NothingToWithdraw: () => 'Nothing is waiting to be withdrawn: request an unstake first.',
  NothingToClaim: () => 'There is nothing to claim yet.',
  NothingOwed: () => 'Nothing is owed to this wallet in that token.',
  InsufficientStake: ([staked, requested]) =>
    `You have ${staked} base units staked; you cannot unstake ${requested}.`,
  UnknownTrack: () => 'This track is not on the ledger (yet); try again once it is ready.',
  ZeroAmount: () => 'The amount must be more than zero.',
  TrackAlreadyRegistered: () => 'This track is already registered on the ledger.',
};

/** The contract's reason for a revert, from the RPC error's data; undefined when there is none. */
export function describeRevert(data: unknown): string | undefined {
  if (typeof data === 'object' && data && 'data' in data)
    return describeRevert((data as { data: unknown }).data);
  if (typeof data !== 'string' || !isHex(data)) return undefined;
  if (data === '0x') return 'The contract refused without giving a reason.';
  try {
    const { errorName: name, args } = decodeErrorResult({ abi: errorsAbi, data });
    const errorName: string = name;
    const list = (args ?? []) as readonly unknown[];
    if (errorName === 'Error') return `The contract refused: ${String(list[0])}`;
    if (errorName === 'Panic') return `The contract failed (panic ${String(list[0])}).`;
    return (
      KNOWN_ERRORS[errorName]?.(list) ?? `The contract refused: ${errorName}(${list.map(String).join(', ')})`
    );
  } catch {
    return `The contract refused with an error it does not declare (${data.slice(0, 10)}).`;
  }
}

/** What to tell a person about a failed wallet or chain request. */
export function transactionErrorMessage(error: unknown): string {
  const { code, message, data } = (error ?? {}) as { code?: number; message?: string; data?: unknown };
  if (code === 4001) return 'You rejected the request in your wallet.';
  const revert = describeRevert(data);
  if (revert) return revert;
  if (error instanceof TypeError)
    return 'The chain could not be reached. Check that the node is running, then try again.';
  if (error instanceof TransactionError) return error.message;
  const text = message ?? String(error);
  // Some RPCs answer a revert in prose only.
  const embedded = /return data: (0x[0-9a-fA-F]*)/.exec(text)?.[1];
  return (embedded && describeRevert(embedded)) ?? text;
}

export class TransactionError extends Error {
  override name = 'TransactionError';
}

export interface TransactionReceipt {
  transactionHash: Hex;
  blockNumber: bigint;
  status: 'success' | 'reverted';
  logs: { address: Address; topics: [Hex, ...Hex[]]; data: Hex }[];
}

export type TransactionPhase =
  | { phase: 'signing' }
  | { phase: 'pending'; hash: Hex }
  | { phase: 'confirmed'; hash: Hex; blockNumber: bigint };

/** Makes sure an injected wallet is on the node's chain, asking it to switch (or add it) if not. */
export async function ensureChain(wallet: Wallet, chain: ChainInfo): Promise<void> {
  if (wallet.kind === 'dev') return;
  const current = Number((await wallet.request({ method: 'eth_chainId' })) as string);
  if (current === chain.chainId) return;
  const chainId = `0x${chain.chainId.toString(16)}`;
  try {
    await wallet.request({ method: 'wallet_switchEthereumChain', params: [{ chainId }] });
  } catch (error) {
    if ((error as { code?: number }).code !== 4902) throw error;
    await wallet.request({
      method: 'wallet_addEthereumChain',
      params: [
        {
          chainId,
          chainName: `Fairstream (${chain.chainId})`,
          rpcUrls: [chain.rpcUrl],
          nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
        },
      ],
    });
  }
}

/**
 * Sends one contract call from the wallet and waits until it is mined. It is simulated first, so a
 * call the contract would refuse fails with the contract's reason before the wallet is asked.
 */
export async function sendTransaction(
  wallet: Wallet,
  chain: ChainInfo,
  call: { to: string; data: Hex },
  onPhase?: (phase: TransactionPhase) => void,
): Promise<TransactionReceipt> {
  const request = { from: wallet.address, to: call.to as Address, data: call.data };
  try {
    await rpc(chain.rpcUrl, 'eth_call', [request, 'latest']);
  } catch (error) {
    throw new TransactionError(transactionErrorMessage(error));
  }
  await ensureChain(wallet, chain);
  onPhase?.({ phase: 'signing' });
  const hash = (await wallet.request({ method: 'eth_sendTransaction', params: [request] })) as Hex;
  onPhase?.({ phase: 'pending', hash });
  const receipt = await waitForReceipt(chain.rpcUrl, hash);
  if (receipt.status !== 'success') {
    // The reason is not in a receipt: replaying the call at that block gives it back.
    const reason = await rpc(chain.rpcUrl, 'eth_call', [
      request,
      `0x${(receipt.blockNumber - 1n).toString(16)}`,
    ]).then(
      () => undefined,
      (error: unknown) => transactionErrorMessage(error),
    );
    throw new TransactionError(`The transaction ${hash} failed${reason ? `: ${reason}` : '.'}`);
  }
  onPhase?.({ phase: 'confirmed', hash, blockNumber: receipt.blockNumber });
  return receipt;
}

export async function waitForReceipt(
  rpcUrl: string,
  hash: Hex,
  timeoutMs = 180_000,
): Promise<TransactionReceipt> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 250; Date.now() < deadline; delay = Math.min(delay * 1.5, 2000)) {
    const raw = (await rpc(rpcUrl, 'eth_getTransactionReceipt', [hash])) as {
      transactionHash: Hex;
      blockNumber: Hex;
      status: Hex;
      logs: TransactionReceipt['logs'];
    } | null;
    if (raw) {
      return {
        transactionHash: raw.transactionHash,
        blockNumber: BigInt(raw.blockNumber),
        status: raw.status === '0x1' ? 'success' : 'reverted',
        logs: raw.logs,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  throw new TransactionError(
    `The transaction ${hash} was sent but not mined within ${timeoutMs / 1000} s; check your wallet's activity.`,
  );
}

/**
 * Lets `spender` pull `amount` of `token`: an exact approval when the allowance is short (none
 * when it suffices). Returns the approval's receipt when one was sent.
 */
export async function approveIfNeeded(
  wallet: Wallet,
  chain: ChainInfo,
  token: string,
  spender: string,
  amount: bigint,
  onPhase?: (phase: TransactionPhase) => void,
): Promise<TransactionReceipt | undefined> {
  const allowance = await readContract(chain.rpcUrl, {
    address: token,
    abi: erc20Abi,
    functionName: 'allowance',
    args: [wallet.address, spender as Address],
  });
  if (allowance >= amount) return undefined;
  return sendTransaction(
    wallet,
    chain,
    {
      to: token,
      data: encodeFunctionData({
        abi: erc20Abi,
        functionName: 'approve',
        args: [spender as Address, amount],
      }),
    },
    onPhase,
  );
}

/** The contract address the node lists under `name`, or an error saying the chain has none. */
export function contract(chain: ChainInfo, name: string): Address {
  const address = chain.contracts[name];
  if (!address) throw new TransactionError(`This node's chain has no ${name} contract.`);
  return address as Address;
}
