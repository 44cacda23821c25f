/**
 * A viem wallet client over the session's wallet, for the chain package's write actions
 * (`@fairstream/chain/writes`): the same code the CLI runs promotes a track, funds, pushes and claims
 * fan drops here. Signing requests go to the wallet (an injected one or the dev wallet); everything
 * else is read from the node's chain over its JSON-RPC. Each signature and transaction is reported
 * as it moves (waiting for the wallet, pending with its hash), for the page's live status line.
 */
import type { Deployment, WalletClientLike } from '@fairstream/chain/writes';
import { createWalletClient, custom, defineChain, type Hex, publicActions, toHex } from 'viem';
import type { ChainInfo } from '../session/session.tsx';
import { rpc, type Wallet } from '../session/wallet.ts';
import { ensureChain, type TransactionPhase } from './chain.ts';

export interface WriteClient {
  client: WalletClientLike & ReturnType<typeof publicActions>;
  deployment: Pick<Deployment, 'contracts'>;
  /** Names the steps reported from now on: "promote", "fund the drop"… */
  step(name: string): void;
}

/**
 * `report(step)` is called for every signature and transaction with the step it belongs to (the
 * permit is its own step, "sign the FAIR permit").
 */
export function writeClient(
  wallet: Wallet,
  chain: ChainInfo,
  report?: (step: string) => (phase: TransactionPhase) => void,
): WriteClient {
  let current = '';
  const transport = custom({
    async request({ method, params }: { method: string; params?: unknown }) {
      const list = (params ?? []) as unknown[];
      switch (method) {
        case 'eth_chainId':
          return toHex(chain.chainId);
        case 'eth_accounts':
        case 'eth_requestAccounts':
          return [wallet.address];
        case 'eth_signTypedData_v4': {
          await ensureChain(wallet, chain);
          report?.('sign the FAIR permit')({ phase: 'signing' });
          return wallet.request({ method, params: list });
        }
        case 'eth_sendTransaction': {
          await ensureChain(wallet, chain);
          const phase = report?.(current);
          phase?.({ phase: 'signing' });
          const hash = (await wallet.request({ method, params: list })) as Hex;
          phase?.({ phase: 'pending', hash });
          return hash;
        }
        default:
          return rpc(chain.rpcUrl, method, list);
      }
    },
  });
  const client = createWalletClient({
    account: wallet.address,
    chain: defineChain({
      id: chain.chainId,
      name: chain.devChain ? 'Fairstream dev chain' : `chain ${chain.chainId}`,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [chain.rpcUrl] } },
    }),
    transport,
    pollingInterval: 250,
  }).extend(publicActions);
  return {
    client: client as unknown as WriteClient['client'],
    deployment: { contracts: chain.contracts as Deployment['contracts'] },
    step: (name) => {
      current = name;
    },
  };
}
