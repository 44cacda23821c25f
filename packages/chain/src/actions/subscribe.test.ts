import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { embeddedPublicClient, embeddedWalletClient } from '../embedded/clients.ts';
import { DEV_ROLES } from '../embedded/start-embedded-chain.ts';
import { startTestChain } from '../testing/test-chain.ts';
import { cancelSubscription } from './cancel-subscription.ts';
import { faucet } from './faucet.ts';
import { getPermitNonce } from './get-permit-nonce.ts';
import { getSubscription } from './get-subscription.ts';
import { getSubscriptionTerms } from './get-subscription-terms.ts';
import { getTokenBalance } from './get-token-balance.ts';
import { permitTypedData } from './internal/permit.ts';
import { releaseSubscriptions } from './release-subscriptions.ts';
import { subscribe } from './subscribe.ts';
import { subscribeForWithPermit } from './subscribe-for-with-permit.ts';

describe('subscribe, subscribeForWithPermit, cancelSubscription, getSubscription, releaseSubscriptions', () => {
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

  it('relays a permit: the fan signs and pays, another account sends and pays the gas', async () => {
    const faucetAccount = chain.accounts[DEV_ROLES.devFaucet];
    const relayer = chain.accounts[6];
    assert.ok(faucetAccount && relayer);
    const { deployment } = chain;
    const reader = embeddedPublicClient(chain);
    // A wallet with stablecoin but no gas at all: it never sends a transaction.
    const fan = privateKeyToAccount(generatePrivateKey());
    const terms = await getSubscriptionTerms(reader, { deployment });
    assert.equal(terms.token, deployment.contracts.TestStablecoin);
    assert.equal(terms.pricePerPeriod, 5_000_000n);
    assert.equal(terms.decimals, 6);
    assert.deepEqual(Object.keys(terms.permitDomain).sort(), [
      'chainId',
      'name',
      'verifyingContract',
      'version',
    ]);
    await faucet(embeddedWalletClient(chain, faucetAccount), { deployment, to: fan.address, eth: 0n });
    assert.equal(await reader.getBalance({ address: fan.address }), 0n);
    const usd = () => getTokenBalance(reader, { token: terms.token, address: fan.address });
    const relayerUsd = () => getTokenBalance(reader, { token: terms.token, address: relayer.address });
    const [fanBefore, relayerBefore] = [await usd(), await relayerUsd()];

    const deadline = (await reader.getBlock()).timestamp + 3600n;
    const nonce = await getPermitNonce(reader, { token: terms.token, owner: fan.address });
    const signature = await fan.signTypedData(
      permitTypedData(terms.permitDomain, {
        owner: fan.address,
        spender: terms.vault,
        value: 2n * terms.pricePerPeriod,
        nonce,
        deadline,
      }),
    );
    const relay = (periods: number) =>
      subscribeForWithPermit(embeddedWalletClient(chain, relayer), {
        deployment,
        subscriber: fan.address,
        periods,
        deadline,
        signature,
      });
    await assert.rejects(relay(3), new RegExp(`InvalidPermit\\(${fan.address}\\)`, 'i'));
    const paid = await relay(2);
    assert.equal(paid.amount, 10_000_000n);
    assert.equal(paid.end - paid.start, 2n * terms.periodSeconds);
    assert.equal(await usd(), fanBefore - 10_000_000n);
    assert.equal(await relayerUsd(), relayerBefore);
    assert.equal((await getSubscription(reader, { deployment, subscriber: fan.address })).active, true);
    await assert.rejects(relay(2), /InvalidPermit/, 'a spent permit cannot be replayed');
  });
});
