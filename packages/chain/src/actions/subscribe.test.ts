import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { embeddedPublicClient, embeddedWalletClient } from '../embedded/clients.ts';
import { DEV_ROLES } from '../embedded/start-embedded-chain.ts';
import { startTestChain } from '../testing/test-chain.ts';
import { cancelSubscription } from './cancel-subscription.ts';
import { faucet } from './faucet.ts';
import { getSubscription } from './get-subscription.ts';
import { getTokenBalance } from './get-token-balance.ts';
import { releaseSubscriptions } from './release-subscriptions.ts';
import { subscribe } from './subscribe.ts';

describe('subscribe, cancelSubscription, getSubscription, releaseSubscriptions', () => {
  let chain: Awaited<ReturnType<typeof startTestChain>>;
  before(async () => {
    chain = await startTestChain();
  });
  after(() => chain.close());

  it('pays for periods with an approval, refunds the unstarted ones, and releases only to the operator', async () => {
    const faucetAccount = chain.accounts[DEV_ROLES.devFaucet];
    const fan = chain.accounts[5];
    assert.ok(faucetAccount && fan);
    const { deployment } = chain;
    const tusd = deployment.contracts.TestStablecoin;
    assert.ok(tusd);
    await faucet(embeddedWalletClient(chain, faucetAccount), { deployment, to: fan.address });
    const reader = embeddedPublicClient(chain);
    const wallet = embeddedWalletClient(chain, fan);
    const balance = () => getTokenBalance(reader, { token: tusd, address: fan.address });
    const start = await balance();

    const paid = await subscribe(wallet, { deployment, periods: 3 });
    assert.ok(paid.approval, 'approved first');
    assert.equal(paid.amount, 15_000_000n);
    assert.equal(paid.end - paid.start, 3n * 30n * 24n * 3600n);
    const state = await getSubscription(reader, { deployment, subscriber: fan.address });
    assert.equal(state.paid, 15_000_000n);
    assert.equal(state.active, true);

    const cancelled = await cancelSubscription(wallet, { deployment });
    assert.equal(cancelled.refund, 10_000_000n, 'two unstarted periods');
    assert.equal(cancelled.end, paid.start + 30n * 24n * 3600n);
    assert.equal(await balance(), start - 5_000_000n);
    await assert.rejects(cancelSubscription(wallet, { deployment }), /NothingToRefund\(\)/);

    await assert.rejects(
      releaseSubscriptions(wallet, { deployment, subscribers: [fan.address] }),
      /AccessControlUnauthorizedAccount/,
    );
  });
});
