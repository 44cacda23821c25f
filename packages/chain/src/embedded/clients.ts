import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  custom,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { fairstreamDevChain } from '../chains.ts';
import type { DevAccount } from './dev-accounts.ts';
import type { EmbeddedChain } from './start-embedded-chain.ts';

// In process, through the journaled provider (no HTTP hop). Automine answers at once, so poll fast.
const POLLING_INTERVAL = 50;

/** A viem public client on the embedded chain. */
export function embeddedPublicClient(
  chain: Pick<EmbeddedChain, 'provider' | 'rpcUrl' | 'chainId'>,
): PublicClient<Transport, Chain> {
  return createPublicClient({
    chain: fairstreamDevChain(chain.rpcUrl, chain.chainId),
    transport: custom(chain.provider, { retryCount: 0 }),
    pollingInterval: POLLING_INTERVAL,
  });
}

/** A viem wallet client on the embedded chain that signs locally (raw transactions are journaled as sent). */
export function embeddedWalletClient(
  chain: Pick<EmbeddedChain, 'provider' | 'rpcUrl' | 'chainId'>,
  account: DevAccount | Hex,
): WalletClient<Transport, Chain, Account> {
  return createWalletClient({
    account: privateKeyToAccount(typeof account === 'string' ? account : account.privateKey),
    chain: fairstreamDevChain(chain.rpcUrl, chain.chainId),
    transport: custom(chain.provider, { retryCount: 0 }),
    pollingInterval: POLLING_INTERVAL,
  });
}
