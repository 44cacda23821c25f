import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Address, getAddress, keccak256, parseEther, stringToHex } from 'viem';
import { embeddedPublicClient, embeddedWalletClient } from '../embedded/clients.ts';
import { DEV_ROLES } from '../embedded/start-embedded-chain.ts';
import { payoutTotals } from '../merkle/payout-totals.ts';
import { buildPayoutTree, type PayoutLeaf, payoutClaim, payoutClaims } from '../merkle/payout-tree.ts';
import { startTestChain } from '../testing/test-chain.ts';
import { claimPayout } from './claim-payout.ts';
import { claimPayouts } from './claim-payouts.ts';
import { emitRewards } from './emit-rewards.ts';
import { fundDistributor } from './fund-distributor.ts';
import { getClaimed } from './get-claimed.ts';
import { getTokenBalance } from './get-token-balance.ts';
import { publishEpoch } from './publish-epoch.ts';
import { voidEpoch } from './void-epoch.ts';

const addressOf = (label: string): Address => getAddress(`0x${keccak256(stringToHex(label)).slice(26)}`);

describe('fundDistributor, publishEpoch, claimPayout, claimPayouts, getClaimed, voidEpoch, emitRewards', () => {
  let chain: Awaited<ReturnType<typeof startTestChain>>;
  before(async () => {
    chain = await startTestChain();
  });
  after(() => chain.close());

  it('pays 40 leaves in several gas-bounded batches, exactly, and refuses a bad proof by name', async () => {
    const operator = chain.accounts[DEV_ROLES.operator];
    const funder = chain.accounts[DEV_ROLES.devFaucet];
    assert.ok(operator && funder);
    const { deployment } = chain;
    const fair = deployment.contracts.FairToken;
    const reader = embeddedPublicClient(chain);

    const leaves: PayoutLeaf[] = Array.from({ length: 40 }, (_, i) => ({
      account: addressOf(`listener-${i}`),
      token: fair,
      cumulativeAmount: parseEther('1') + 123_457n * BigInt(i),
    }));
    const total = leaves.reduce((sum, leaf) => sum + leaf.cumulativeAmount, 0n);
    await fundDistributor(embeddedWalletClient(chain, funder), { deployment, token: fair, amount: total });
    const tree = buildPayoutTree(leaves);
    const operatorWallet = embeddedWalletClient(chain, operator);
    const published = await publishEpoch(operatorWallet, {
      deployment,
      epoch: 1n,
      payoutRoot: tree.root,
      totals: payoutTotals(leaves),
    });
    assert.ok(published.claimableAt > 0n);

    const [first, ...rest] = payoutClaims(tree);
    assert.ok(first);
    const single = await claimPayout(operatorWallet, { deployment, epoch: 1n, claim: first });
    assert.equal(single.amount, first.cumulativeAmount);

    const batch = await claimPayouts(operatorWallet, {
      deployment,
      epoch: 1n,
      claims: [first, ...rest],
      maxGasPerTransaction: 1_500_000n,
    });
    assert.ok(batch.transactions.length > 1, `split into ${batch.transactions.length} transactions`);
    assert.equal(
      batch.transactions.reduce((sum, tx) => sum + tx.claims, 0),
      40,
    );
    for (const tx of batch.transactions) assert.ok(tx.gasUsed < 1_500_000n, `${tx.gasUsed} gas`);
    assert.equal(batch.paid.length, 39, 'the first was already claimed');
    for (const leaf of leaves) {
      assert.equal(
        await getTokenBalance(reader, { token: fair, address: leaf.account }),
        leaf.cumulativeAmount,
      );
      assert.equal(
        await getClaimed(reader, { deployment, account: leaf.account, token: fair }),
        leaf.cumulativeAmount,
      );
    }

    // A leaf that is not in the tree: the whole batch is refused, by name.
    const forged = { ...payoutClaim(tree, rest[0]!.account, fair)!, cumulativeAmount: parseEther('1000') };
    await assert.rejects(
      claimPayouts(operatorWallet, { deployment, epoch: 1n, claims: [forged] }),
      new RegExp(`InvalidProof\\(${forged.account}, ${fair}, ${parseEther('1000')}\\)`),
    );
    // Dev chains have no challenge window: an epoch is final at once and can no longer be voided.
    await assert.rejects(voidEpoch(operatorWallet, { deployment, epoch: 1n }), /ChallengeWindowClosed\(1\)/);
    await assert.rejects(
      publishEpoch(operatorWallet, {
        deployment,
        epoch: 2n,
        payoutRoot: tree.root,
        totals: [{ token: fair, total: total + 1n }],
      }),
      /TotalAboveFunded/,
    );
  });

  it('emits FAIR rewards into the distributor once an emission epoch has ended', async () => {
    const anyone = chain.accounts[7];
    assert.ok(anyone);
    const { deployment } = chain;
    const wallet = embeddedWalletClient(chain, anyone);
    await chain.provider.request({ method: 'evm_increaseTime', params: [180] });
    await chain.provider.request({ method: 'evm_mine', params: [] });
    const emitted = await emitRewards(wallet, { deployment });
    assert.ok(emitted.amount > 0n);
    assert.equal(emitted.fromEpoch, 0n);
    const again = await emitRewards(wallet, { deployment });
    assert.equal(again.amount, 0n, 'already emitted');
    await assert.rejects(emitRewards(wallet, { deployment, epoch: 10_000n }), /EpochNotEnded\(10000, /);
  });
});
