import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeFunctionData, keccak256, stringToHex, zeroHash } from 'viem';
import { trackRegistryAbi } from '../../abis/index.ts';
import { embeddedPublicClient, embeddedWalletClient } from '../../embedded/clients.ts';
import { ChainError } from '../../errors.ts';
import { startTestChain } from '../../testing/test-chain.ts';
import { FREE_ACCESS } from '../register-track.ts';
import { sendContractTransaction } from './send-contract-transaction.ts';

describe('sendContractTransaction', () => {
  let chain: Awaited<ReturnType<typeof startTestChain>>;
  before(async () => {
    chain = await startTestChain();
  });
  after(() => chain.close());

  it('names the error of a transaction that reverted once mined, replaying it at its block', async () => {
    const sender = chain.accounts[8];
    assert.ok(sender && chain.deployment.contracts.TrackRegistry);
    const data = encodeFunctionData({
      abi: trackRegistryAbi,
      functionName: 'register',
      args: [keccak256(stringToHex('t')), zeroHash, FREE_ACCESS, [sender.address], [999_999]],
    });
    const before = await embeddedPublicClient(chain).getBlockNumber({ cacheTime: 0 });
    // A fixed gas limit skips the estimate, so the refused call is mined (and reverts) like on a busy chain.
    await assert.rejects(
      sendContractTransaction(embeddedWalletClient(chain, sender), {
        to: chain.deployment.contracts.TrackRegistry,
        data,
        description: 'Registering',
        gas: 500_000n,
      }),
      (error) =>
        error instanceof ChainError &&
        error.code === 'transaction_reverted' &&
        /^Registering failed: SharesDoNotSumToTotal\(999999\) \(transaction 0x[0-9a-f]{64}, block \d+\)$/.test(
          error.shortMessage,
        ),
    );
    assert.equal(
      await embeddedPublicClient(chain).getBlockNumber({ cacheTime: 0 }),
      before + 1n,
      'it was mined',
    );
  });
});
