import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseEther } from 'viem';
import { embeddedPublicClient } from '../embedded/clients.ts';
import { startTestChain } from '../testing/test-chain.ts';
import { getFairBalance } from './get-fair-balance.ts';

describe('getFairBalance', () => {
  let chain: Awaited<ReturnType<typeof startTestChain>>;
  before(async () => {
    chain = await startTestChain();
  });
  after(() => chain.close());

  it('reads the allocations minted at deployment, and zero for anyone else', async () => {
    const client = embeddedPublicClient(chain);
    const { deployment } = chain;
    assert.equal(
      await getFairBalance(client, { deployment, address: deployment.roles.treasury }),
      parseEther('300000000'),
    );
    assert.ok(deployment.roles.devFaucet);
    assert.equal(
      await getFairBalance(client, { deployment, address: deployment.roles.devFaucet }),
      parseEther('100000000'),
    );
    const stranger = chain.accounts[9]?.address;
    assert.ok(stranger);
    assert.equal(await getFairBalance(client, { deployment, address: stranger }), 0n);
    assert.equal(
      await getFairBalance(client, { deployment, address: stranger, blockNumber: 0n }).catch(
        () => 'no token yet',
      ),
      'no token yet',
    );
  });
});
