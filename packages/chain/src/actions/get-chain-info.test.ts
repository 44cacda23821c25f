import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPublicClient, http } from 'viem';
import { embeddedPublicClient } from '../embedded/clients.ts';
import { ChainError } from '../errors.ts';
import { startTestChain } from '../testing/test-chain.ts';
import { getChainInfo } from './get-chain-info.ts';

describe('getChainInfo', () => {
  let chain: Awaited<ReturnType<typeof startTestChain>>;
  before(async () => {
    chain = await startTestChain();
  });
  after(() => chain.close());

  it('gives the chain id, RPC URL and contract addresses', async () => {
    const info = await getChainInfo(embeddedPublicClient(chain), { deployment: chain.deployment });
    assert.equal(info.chainId, 31337);
    assert.equal(info.rpcUrl, chain.rpcUrl);
    assert.equal(info.devChain, true);
    assert.deepEqual(info.contracts, chain.deployment.contracts);
    assert.ok(info.blockNumber >= BigInt(chain.deployment.deployedAt.blockNumber));

    const overHttp = createPublicClient({ transport: http(chain.rpcUrl) });
    const viaRpc = await getChainInfo(overHttp, {
      deployment: chain.deployment,
      rpcUrl: 'http://example.test:8545',
    });
    assert.equal(viaRpc.rpcUrl, 'http://example.test:8545');
  });

  it('refuses a deployment of another chain', async () => {
    await assert.rejects(
      getChainInfo(embeddedPublicClient(chain), { deployment: { ...chain.deployment, chainId: 10 } }),
      (error) => error instanceof ChainError && error.code === 'wrong_chain',
    );
  });
});
