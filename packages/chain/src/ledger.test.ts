// The ledger's acceptance scenario, on a real embedded chain in a temporary folder: a fan's
// subscription money reaches a track's split and the platform fee reaches the stakers, exactly to the
// base unit, epoch after epoch, and a restart (journal replay) changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Address, type Hex, keccak256, parseEther, stringToHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { claimPayouts } from './actions/claim-payouts.ts';
import { claimStakingRewards } from './actions/claim-staking-rewards.ts';
import { FAUCET_DEFAULTS, faucet } from './actions/faucet.ts';
import { getClaimed } from './actions/get-claimed.ts';
import { getSplit } from './actions/get-split.ts';
import { getSubscription } from './actions/get-subscription.ts';
import { getTokenBalance } from './actions/get-token-balance.ts';
import { notifyFee } from './actions/notify-fee.ts';
import { publishEpoch } from './actions/publish-epoch.ts';
import { registerTrack } from './actions/register-track.ts';
import { releaseSubscriptions } from './actions/release-subscriptions.ts';
import { stake } from './actions/stake.ts';
import { subscribe } from './actions/subscribe.ts';
import type { Deployment } from './deployment.ts';
import { embeddedPublicClient, embeddedWalletClient } from './embedded/clients.ts';
import { DEV_ROLES, type EmbeddedChain, startEmbeddedChain } from './embedded/start-embedded-chain.ts';
import { accumulatePayouts } from './merkle/accumulate-payouts.ts';
import { allocateSplit } from './merkle/allocate-split.ts';
import { cidDigest, digestOf } from './merkle/cid-digest.ts';
import { payoutTotals } from './merkle/payout-totals.ts';
import { buildPayoutTree, type PayoutLeaf, payoutClaims } from './merkle/payout-tree.ts';
import { tempChainDir } from './testing/test-chain.ts';

const DAY = 24n * 3600n;
/** The platform fee: 10%, in ppm, rounded down; the rest of the released money goes to the track. */
const FEE_PPM = 100_000n;

/** Fixed keys (not the public dev accounts), so each role starts with nothing but what the test gives it. */
const keyOf = (label: string): Hex => keccak256(stringToHex(`fairstream ledger test: ${label}`));
const artistKey = keyOf('artist');
const fanKey = keyOf('fan');
const stakerKey = keyOf('staker');
const artist = privateKeyToAccount(artistKey).address;
const fan = privateKeyToAccount(fanKey).address;
const staker = privateKeyToAccount(stakerKey).address;
const producer = privateKeyToAccount(keyOf('producer')).address;
const singer = privateKeyToAccount(keyOf('singer')).address;

const trackId = keccak256(stringToHex('fairstream ledger test: track'));
/** 60% to the artist, 25% to the producer, 15% to the singer, listed by ascending address as the registry requires. */
const split = [
  { recipient: artist, share: 600_000 },
  { recipient: producer, share: 250_000 },
  { recipient: singer, share: 150_000 },
].sort((a, b) => (BigInt(a.recipient) < BigInt(b.recipient) ? -1 : 1));

/** One epoch's arithmetic, done off-chain as the settlement operator does it. */
function settle(released: bigint, token: Address, feeCollector: Address) {
  const fee = (released * FEE_PPM) / 1_000_000n;
  const parts = allocateSplit(
    released - fee,
    split.map((entry) => entry.share),
  );
  const amounts = split.map((entry, i) => ({ account: entry.recipient, token, amount: parts[i] ?? 0n }));
  amounts.push({ account: feeCollector, token, amount: fee });
  return { fee, parts, amounts };
}

describe('the ledger on the embedded chain', () => {
  let dataDir: string;
  let removeDir: () => Promise<void>;
  let chain: EmbeddedChain;
  let deployment: Deployment;
  let tusd: Address;
  let operatorKey: Hex;
  let operator: Address;

  // Carried from epoch to epoch, as the node keeps them.
  let leaves: PayoutLeaf[] = [];
  let released1 = 0n;
  let subscriptionStart = 0n;
  let epoch1: ReturnType<typeof settle>;

  const clients = () => ({
    reader: embeddedPublicClient(chain),
    operatorWallet: embeddedWalletClient(chain, operatorKey),
  });
  const balanceOf = (address: Address) =>
    getTokenBalance(embeddedPublicClient(chain), { token: tusd, address });
  /** Mines a block at `timestamp`: exact times make the amounts (and their rounding) the same on every run. */
  async function advanceTo(timestamp: bigint): Promise<void> {
    // Through the journaled provider, so the replay reproduces the same block times.
    await chain.provider.request({ method: 'evm_setNextBlockTimestamp', params: [Number(timestamp)] });
    await chain.provider.request({ method: 'evm_mine', params: [] });
  }

  before(async () => {
    ({ dir: dataDir, remove: removeDir } = await tempChainDir());
    chain = await startEmbeddedChain({ dataDir, rpcPort: 0 });
    assert.ok(chain.deployment?.contracts.TestStablecoin);
    deployment = chain.deployment;
    tusd = chain.deployment.contracts.TestStablecoin;
    const operatorAccount = chain.accounts[DEV_ROLES.operator];
    assert.ok(operatorAccount);
    operatorKey = operatorAccount.privateKey;
    operator = operatorAccount.address;
  });
  after(async () => {
    await chain?.stop();
    await removeDir?.();
  });

  it('epoch 1: a subscription reaches the 60/25/15 split and the 10% fee reaches the stakers, to the base unit', async () => {
    const { reader, operatorWallet } = clients();
    const faucetAccount = chain.accounts[DEV_ROLES.devFaucet];
    assert.ok(faucetAccount);
    const faucetWallet = embeddedWalletClient(chain, faucetAccount);
    for (const to of [artist, fan, staker]) await faucet(faucetWallet, { deployment, to });

    await registerTrack(embeddedWalletClient(chain, artistKey), {
      deployment,
      trackId,
      recipients: split.map((entry) => entry.recipient),
      shares: split.map((entry) => entry.share),
    });
    assert.deepEqual(await getSplit(reader, { deployment, trackId }), {
      recipients: split.map((entry) => entry.recipient),
      shares: split.map((entry) => entry.share),
    });

    // The staker is in before the fee arrives, so the whole fee is theirs.
    await stake(embeddedWalletClient(chain, stakerKey), { deployment, amount: parseEther('100') });
    const fanBefore = await balanceOf(fan);
    const subscription = await subscribe(embeddedWalletClient(chain, fanKey), {
      deployment,
      periods: 2,
      authorize: 'permit',
    });
    assert.equal(subscription.amount, 10_000_000n, '2 periods at 5 tUSD');
    assert.equal(subscription.approval, undefined, 'a permit, not an approval');
    assert.equal(await balanceOf(fan), fanBefore - subscription.amount);

    subscriptionStart = subscription.start;
    await advanceTo(subscriptionStart + 10n * DAY + 12_345n);
    const release = await releaseSubscriptions(operatorWallet, { deployment, subscribers: [fan] });
    released1 = release.released;
    // The vault's rule: floor(price × elapsed / period), here over a 2-period segment at 5 tUSD a period.
    assert.equal(released1, (5_000_000n * (release.until - subscription.start)) / (30n * DAY));
    assert.deepEqual(release.bySubscriber, [{ subscriber: fan, amount: released1 }]);
    const state = await getSubscription(reader, { deployment, subscriber: fan });
    assert.equal(state.released, released1);
    assert.equal(state.active, true);

    epoch1 = settle(released1, tusd, operator);
    leaves = accumulatePayouts([], epoch1.amounts);
    const tree = buildPayoutTree(leaves);
    const published = await publishEpoch(operatorWallet, {
      deployment,
      epoch: 1n,
      payoutRoot: tree.root,
      dataDigest: cidDigest(
        digestOf(new TextEncoder().encode(JSON.stringify({ epoch: 1, root: tree.root }))),
      ),
      totals: payoutTotals(leaves),
    });
    assert.match(published.hash, /^0x[0-9a-f]{64}$/);
    assert.ok(published.blockNumber > 0n && published.gasUsed > 0n);

    const recipientsBefore = await Promise.all(split.map((entry) => balanceOf(entry.recipient)));
    // The fan's wallet sends the claims: anyone may, the money goes to the leaves' accounts.
    const claimed = await claimPayouts(embeddedWalletClient(chain, fanKey), {
      deployment,
      epoch: 1n,
      claims: payoutClaims(tree),
    });
    assert.equal(claimed.transactions.length, 1, 'one batch');
    assert.equal(claimed.paid.length, 4);
    assert.deepEqual(claimed.deferred, []);

    await notifyFee(operatorWallet, { deployment, token: tusd, amount: epoch1.fee });
    const rewards = await claimStakingRewards(embeddedWalletClient(chain, stakerKey), {
      deployment,
      token: tusd,
    });

    for (const [i, entry] of split.entries()) {
      assert.equal(
        await balanceOf(entry.recipient),
        (recipientsBefore[i] ?? 0n) + (epoch1.parts[i] ?? 0n),
        `${entry.share} ppm`,
      );
    }
    assert.equal(rewards.amount, epoch1.fee);
    assert.equal(await balanceOf(staker), FAUCET_DEFAULTS.stablecoin + epoch1.fee);
    assert.equal(await balanceOf(operator), 0n, 'the fee went on to the stakers');
    assert.equal(
      await balanceOf(deployment.contracts.PayoutDistributor!),
      0n,
      'everything released was paid',
    );
    assert.equal(epoch1.parts.reduce((sum, part) => sum + part, 0n) + epoch1.fee, released1);
    // Exact figures for the pinned times: 1.690480 tUSD released, 10% fee, and the 60/25/15 split of the
    // net floored, with the 1 base unit those floors leave going to the first (lowest) address.
    assert.equal(released1, 1_690_480n);
    assert.equal(epoch1.fee, 169_048n);
    const floors = split.map((entry) => ((released1 - epoch1.fee) * BigInt(entry.share)) / 1_000_000n);
    assert.deepEqual(epoch1.parts, [(floors[0] ?? 0n) + 1n, ...floors.slice(1)]);
  });

  it('comes back identical from its journal: same balances, same claims, and a second claim pays nothing', async () => {
    const recipients = [...split.map((entry) => entry.recipient), operator, staker, fan];
    const balancesBefore = await Promise.all(recipients.map(balanceOf));
    const claimedBefore = await Promise.all(
      leaves.map((leaf) =>
        getClaimed(embeddedPublicClient(chain), { deployment, account: leaf.account, token: leaf.token }),
      ),
    );
    assert.deepEqual(
      claimedBefore,
      leaves.map((leaf) => leaf.cumulativeAmount),
    );

    await chain.stop();
    chain = await startEmbeddedChain({ dataDir, rpcPort: 0 });
    assert.ok(chain.replayed.entries > 0, 'replayed from the journal');
    assert.deepEqual(chain.deployment, deployment);

    assert.deepEqual(await Promise.all(recipients.map(balanceOf)), balancesBefore);
    const reader = embeddedPublicClient(chain);
    assert.deepEqual(
      await Promise.all(
        leaves.map((leaf) => getClaimed(reader, { deployment, account: leaf.account, token: leaf.token })),
      ),
      claimedBefore,
    );

    const again = await claimPayouts(embeddedWalletClient(chain, fanKey), {
      deployment,
      epoch: 1n,
      claims: payoutClaims(buildPayoutTree(leaves)),
    });
    assert.equal(again.transactions.length, 1, 'the batch is mined');
    assert.deepEqual(again.paid, [], 'but pays nothing');
    assert.deepEqual(await Promise.all(recipients.map(balanceOf)), balancesBefore);
  });

  it('epoch 2: larger cumulative amounts pay exactly the difference', async () => {
    const { operatorWallet } = clients();
    await advanceTo(subscriptionStart + 17n * DAY + 999n);
    const release = await releaseSubscriptions(operatorWallet, { deployment, subscribers: [fan] });
    const released2 = release.released;
    assert.ok(released2 > 0n);
    const state = await getSubscription(embeddedPublicClient(chain), { deployment, subscriber: fan });
    assert.equal(state.released, released1 + released2);

    const epoch2 = settle(released2, tusd, operator);
    leaves = accumulatePayouts(leaves, epoch2.amounts);
    const tree = buildPayoutTree(leaves);
    await publishEpoch(operatorWallet, {
      deployment,
      epoch: 2n,
      payoutRoot: tree.root,
      totals: payoutTotals(leaves),
    });
    const balancesBefore = await Promise.all(split.map((entry) => balanceOf(entry.recipient)));

    const claimed = await claimPayouts(embeddedWalletClient(chain, fanKey), {
      deployment,
      epoch: 2n,
      claims: payoutClaims(tree),
    });
    await notifyFee(operatorWallet, { deployment, token: tusd, amount: epoch2.fee });
    const rewards = await claimStakingRewards(embeddedWalletClient(chain, stakerKey), {
      deployment,
      token: tusd,
    });

    for (const [i, entry] of split.entries()) {
      const delta = (await balanceOf(entry.recipient)) - (balancesBefore[i] ?? 0n);
      assert.equal(delta, epoch2.parts[i], `${entry.share} ppm`);
      assert.equal(
        await getClaimed(embeddedPublicClient(chain), { deployment, account: entry.recipient, token: tusd }),
        (epoch1.parts[i] ?? 0n) + (epoch2.parts[i] ?? 0n),
      );
    }
    assert.deepEqual(
      claimed.paid.map((entry) => entry.amount).sort(),
      epoch2.amounts.map((entry) => entry.amount).sort(),
    );
    assert.equal(rewards.amount, epoch2.fee);
    assert.equal(await balanceOf(staker), FAUCET_DEFAULTS.stablecoin + epoch1.fee + epoch2.fee);
    assert.equal(await balanceOf(operator), 0n);
    assert.equal(await balanceOf(deployment.contracts.PayoutDistributor!), 0n);
    assert.equal(epoch2.parts.reduce((sum, part) => sum + part, 0n) + epoch2.fee, released2);
  });
});
