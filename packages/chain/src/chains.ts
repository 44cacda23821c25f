import { type Chain, defineChain } from 'viem';

/** The chain id of the embedded chain (Hardhat's and Anvil's, which wallets know as a local chain). */
export const EMBEDDED_CHAIN_ID = 31337;

/**
 * A viem `Chain` for a Fairstream dev chain, for clients and for wallets (`wallet_addEthereumChain`
 * wants a name, a currency and the RPC URL).
 */
export function fairstreamDevChain(rpcUrl: string, chainId = EMBEDDED_CHAIN_ID): Chain {
  return defineChain({
    id: chainId,
    name: 'Fairstream dev chain',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
    testnet: true,
  });
}
