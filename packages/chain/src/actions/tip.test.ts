import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keccak256, parseEther, stringToHex } from 'viem';
import { embeddedPublicClient, embeddedWalletClient } from '../embedded/clients.ts';
import { DEV_ROLES } from '../embedded/start-embedded-chain.ts';
import { allocateSplit } from '../merkle/allocate-split.ts';
import { startTestChain } from '../testing/test-chain.ts';
import { faucet } from './faucet.ts';
import { getOwed } from './get-owed.ts';
import { getTokenBalance } from './get-token-balance.ts';
import { registerTrack } from './register-track.ts';
import { tip } from './tip.ts';
import { withdrawOwed } from './withdraw-owed.ts';

describe('tip, getOwed, withdrawOwed', () => {
  let chain: Awaited<ReturnType<typeof startTestChain>>;
  before(async () => {
    chain = await startTestChain();
  });
  after(() => chain.close());

  it('splits a tip at once, with an approval or a permit', async () => {
    const faucetAccount = chain.accounts[DEV_ROLES.devFaucet];
    const [, , , artist, producer, fan] = chain.accounts;
    assert.ok(faucetAccount && artist && producer && fan);
    const { deployment } = chain;
    const fair = deployment.contracts.FairToken;
    const reader = embeddedPublicClient(chain);
    const [low, high] = [artist.address, producer.address].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    assert.ok(low && high);
    const trackId = keccak256(stringToHex('tipped track'));
    await registerTrack(embeddedWalletClient(chain, artist), {
      deployment,
      trackId,
      recipients: [low, high],
      shares: [333_333, 666_667],
    });
    await faucet(embeddedWalletClient(chain, faucetAccount), { deployment, to: fan.address });
    const balances = () =>
      Promise.all([low, high].map((address) => getTokenBalance(reader, { token: fair, address })));
    const before = await balances();

    const amount = parseEther('1') + 1n;
    const approved = await tip(embeddedWalletClient(chain, fan), {
      deployment,
      trackId,
      token: fair,
      amount,
    });
    assert.ok(approved.approval);
    const permitted = await tip(embeddedWalletClient(chain, fan), {
      deployment,
      trackId,
      token: fair,
      amount,
      authorize: 'permit',
    });
    assert.equal(permitted.approval, undefined);
    const parts = allocateSplit(amount, [333_333, 666_667]);
    assert.deepEqual(
      permitted.paid,
      [low, high].map((recipient, i) => ({ recipient, amount: parts[i] })),
    );
    assert.deepEqual(
      await balances(),
      before.map((balance, i) => balance + 2n * (parts[i] ?? 0n)),
    );

    // Pushes to plain accounts never fail, so nothing is owed.
    assert.equal(await getOwed(reader, { deployment, from: 'Tips', account: low, token: fair }), 0n);
    await assert.rejects(
      withdrawOwed(embeddedWalletClient(chain, artist), { deployment, from: 'Tips', token: fair }),
      new RegExp(`NothingOwed\\(${fair}\\)`),
    );
    await assert.rejects(
      tip(embeddedWalletClient(chain, fan), {
        deployment,
        trackId: keccak256(stringToHex('no such track')),
        token: fair,
        amount,
      }),
      /UnknownTrack\(0x/,
    );
  });
});
