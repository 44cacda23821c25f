import type { Address, Chain, Client, Transport } from 'viem';
import { getBlockNumber, getChainId } from 'viem/actions';
import type { ContractName, Deployment } from '../deployment.ts';
import { ChainError } from '../errors.ts';

export type GetChainInfoParameters = {
  deployment: Deployment;
  /** The RPC URL clients should use; default: the client chain's first HTTP URL. */
  rpcUrl?: string;
};

/** What `GET /api/v1/chain` shows: enough for a wallet to add the chain and a client to find the contracts. */
export type GetChainInfoReturnType = {
  chainId: number;
  rpcUrl: string | undefined;
  devChain: boolean;
  blockNumber: bigint;
  contracts: Partial<Record<ContractName, Address>>;
  deployedAt: Deployment['deployedAt'];
};

export type GetChainInfoErrorType = ChainError;

/** Reads the chain's id and head and pairs them with the deployment, refusing a mismatched pair. */
export async function getChainInfo(
  client: Client<Transport, Chain | undefined>,
  parameters: GetChainInfoParameters,
): Promise<GetChainInfoReturnType> {
  const { deployment } = parameters;
  const [chainId, blockNumber] = await Promise.all([
    getChainId(client),
    getBlockNumber(client, { cacheTime: 0 }),
  ]);
  if (chainId !== deployment.chainId) {
    throw new ChainError(
      'wrong_chain',
      `The RPC serves chain ${chainId} but the deployment is for chain ${deployment.chainId}`,
      { details: 'Point the RPC URL and the deployment file at the same chain.' },
    );
  }
  return {
    chainId,
    rpcUrl: parameters.rpcUrl ?? client.chain?.rpcUrls.default.http[0],
    devChain: deployment.devChain,
    blockNumber,
    contracts: { ...deployment.contracts },
    deployedAt: deployment.deployedAt,
  };
}
