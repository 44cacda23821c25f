import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseEther } from 'viem';
import { embeddedPublicClient, embeddedWalletClient } from '../embedded/clients.ts';
import { startTestChain } from '../testing/test-chain.ts';
import { getFairBalance } from './get-fair-balance.ts';
import { transferFair } from './transfer-fair.ts';

describe('transferFair', () => {
  let chain: Awaited<ReturnType<typeof startTestChain>>;
  before(async () => {
    chain = await startTestChain();
  });
  after(() => chain.close());

  it('moves FAIR and waits until it is mined', async () => {
    const [treasury, , , alice, bob] = chain.accounts;
    assert.ok(treasury && alice && bob);
    const { deployment } = chain;
    const client = embeddedPublicClient(chain);
    const { blockNumber } = await transferFair(embeddedWalletClient(chain, treasury), {
      deployment,
      to: alice.address,
      amount: parseEther('5'),
    });
    assert.equal(blockNumber, await client.getBlockNumber({ cacheTime: 0 }));
    await transferFair(embeddedWalletClient(chain, alice), {
      deployment,
      to: bob.address,
      amount: parseEther('1.25'),
    });
    assert.equal(await getFairBalance(client, { deployment, address: alice.address }), parseEther('3.75'));
    assert.equal(await getFairBalance(client, { deployment, address: bob.address }), parseEther('1.25'));
  });

  it('fails before sending when the balance is short, with the decoded token error', async () => {
    const stranger = chain.accounts[11];
    const to = chain.accounts[12]?.address;
    assert.ok(stranger && to);
    const before = await embeddedPublicClient(chain).getBlockNumber({ cacheTime: 0 });
    await assert.rejects(
      transferFair(embeddedWalletClient(chain, stranger), { deployment: chain.deployment, to, amount: 1n }),
      /ERC20InsufficientBalance/,
    );
    assert.equal(
      await embeddedPublicClient(chain).getBlockNumber({ cacheTime: 0 }),
      before,
      'nothing was mined',
    );
  });
});
