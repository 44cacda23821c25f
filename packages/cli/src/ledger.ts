import { ChainError, type Deployment } from '@fairstream/chain';
import { createFairstreamClient, unwrap } from '@fairstream/sdk';
import { createWalletClient, defineChain, http, publicActions } from 'viem';
import { CliError } from './errors.ts';
import type { GlobalOptions } from './main.ts';
import { loadAccount } from './wallet.ts';

/**
 * The user's wallet on the node's chain: the node says which chain and where the contracts are
 * (GET /api/v1/chain); transactions are signed here with the user's key and sent to the chain's
 * RPC directly, so the node never holds a listener's or an artist's key.
 */
export async function connectWallet(global: GlobalOptions) {
  const account = await loadAccount(global.key, global.walletPath, global.log);
  const info = unwrap(await createFairstreamClient({ baseUrl: global.api }).GET('/api/v1/chain'));
  const chain = defineChain({
    id: info.chainId,
    name: info.devChain ? 'Fairstream dev chain' : `chain ${info.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [info.rpcUrl] } },
  });
  const wallet = createWalletClient({
    account,
    chain,
    transport: http(info.rpcUrl),
    pollingInterval: 250,
  }).extend(publicActions);
  const deployment: Pick<Deployment, 'contracts'> = { contracts: info.contracts as Deployment['contracts'] };
  return { account, wallet, deployment, info };
}

/** Chain errors carry the decoded revert ("InsufficientStake(…)"); say it plainly. */
export async function onChain<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ChainError) throw new CliError(`${what} failed: ${error.message}`);
    throw error;
  }
}
