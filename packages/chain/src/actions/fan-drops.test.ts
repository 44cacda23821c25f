import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Address, getAddress, keccak256, parseEther, stringToHex } from 'viem';
import { embeddedPublicClient, embeddedWalletClient } from '../embedded/clients.ts';
import { DEV_ROLES } from '../embedded/start-embedded-chain.ts';
import { ChainError } from '../errors.ts';
import { buildFanDropTree, fanDropClaim, fanDropClaims } from '../merkle/fan-drop-tree.ts';
import { startTestChain } from '../testing/test-chain.ts';
import { claimFanDrop } from './claim-fan-drop.ts';
import { claimFanDrops } from './claim-fan-drops.ts';
import { createFanDrop } from './create-fan-drop.ts';
import { faucet } from './faucet.ts';
import { getFairBalance } from './get-fair-balance.ts';
import { getFanDrop } from './get-fan-drop.ts';
import { reclaimFanDrop } from './reclaim-fan-drop.ts';

const addressOf = (label: string): Address => getAddress(`0x${keccak256(stringToHex(label)).slice(26)}`);

describe('createFanDrop, claimFanDrop, claimFanDrops, getFanDrop, reclaimFanDrop', () => {
  let chain: Awaited<ReturnType<typeof startTestChain>>;
  before(async () => {
    chain = await startTestChain();
  });
  after(() => chain.close());

  it('funds a drop, pushes every claim in batches, pays nobody twice and returns the rest after expiry', async () => {
    const faucetAccount = chain.accounts[DEV_ROLES.devFaucet];
    const [, , , artist, pusher] = chain.accounts;
    assert.ok(faucetAccount && artist && pusher);
    const { deployment } = chain;
    const reader = embeddedPublicClient(chain);
    await faucet(embeddedWalletClient(chain, faucetAccount), { deployment, to: artist.address });
    await faucet(embeddedWalletClient(chain, faucetAccount), { deployment, to: pusher.address });

    const fans = Array.from({ length: 40 }, (_, i) => ({
      account: addressOf(`drop fan ${i}`),
      amount: parseEther('1') + BigInt(i),
    }));
    const tree = buildFanDropTree(fans);
    const held = await getFairBalance(reader, { deployment, address: artist.address });
    const created = await createFanDrop(embeddedWalletClient(chain, artist), {
      deployment,
      tree,
      reason: 'Top 40 fans of the spring',
      authorize: 'permit',
    });
    assert.equal(created.dropId, 1n);
    assert.equal(created.total, tree.total);
    assert.equal(created.recipients, 40);
    assert.equal(created.reason, 'Top 40 fans of the spring');
    assert.equal(await getFairBalance(reader, { deployment, address: artist.address }), held - tree.total);

    // One fan claims for themselves first (anyone may send it; the pusher does).
    const claims = fanDropClaims(tree);
    const [firstClaim] = claims;
    assert.ok(firstClaim);
    await claimFanDrop(embeddedWalletClient(chain, pusher), { deployment, dropId: 1n, claim: firstClaim });
    await assert.rejects(
      claimFanDrop(embeddedWalletClient(chain, pusher), { deployment, dropId: 1n, claim: firstClaim }),
      new RegExp(`AlreadyClaimed\\(1, ${firstClaim.account}\\)`),
    );

    // The push: small batches (a tight gas budget), with progress; the already-paid fan is skipped.
    const progress: [number, number][] = [];
    const pushed = await claimFanDrops(embeddedWalletClient(chain, artist), {
      deployment,
      dropId: 1n,
      claims,
      maxGasPerTransaction: 1_000_000n,
      onProgress: (done, total) => progress.push([done, total]),
    });
    assert.ok(pushed.transactions.length > 1, `${pushed.transactions.length} transactions`);
    assert.equal(pushed.paid.length, 39);
    assert.deepEqual(progress.at(-1), [40, 40]);
    for (const fan of fans) {
      assert.equal(await getFairBalance(reader, { deployment, address: fan.account }), fan.amount);
    }
    // A retry pays nobody twice.
    const again = await claimFanDrops(embeddedWalletClient(chain, artist), {
      deployment,
      dropId: 1n,
      claims,
    });
    assert.equal(again.paid.length, 0);

    const drop = await getFanDrop(reader, {
      deployment,
      dropId: 1n,
      claimedBy: [firstClaim.account, addressOf('not a fan')],
    });
    assert.ok(drop);
    assert.equal(drop.creator, artist.address);
    assert.equal(drop.root, tree.root);
    assert.equal(drop.claimed, tree.total);
    assert.equal(drop.claimedCount, 40);
    assert.deepEqual(drop.claimedBy, [true, false]);
    assert.equal(await getFanDrop(reader, { deployment, dropId: 99n }), undefined);

    // A forged claim (a larger amount with a real proof) is refused.
    const second = buildFanDropTree([
      { account: addressOf('a'), amount: 5n },
      { account: addressOf('b'), amount: 7n },
    ]);
    const small = await createFanDrop(embeddedWalletClient(chain, artist), {
      deployment,
      tree: second,
      reason: 'thanks',
      claimWindowSeconds: 86_400n,
    });
    const claimOfA = fanDropClaim(second, addressOf('a'));
    assert.ok(claimOfA);
    await assert.rejects(
      claimFanDrop(embeddedWalletClient(chain, pusher), {
        deployment,
        dropId: small.dropId,
        claim: { ...claimOfA, amount: 6n },
      }),
      /InvalidProof\(2, 0x[0-9a-fA-F]{40}, 6\)/,
    );
    await claimFanDrop(embeddedWalletClient(chain, pusher), {
      deployment,
      dropId: small.dropId,
      claim: claimOfA,
    });
    await assert.rejects(
      reclaimFanDrop(embeddedWalletClient(chain, artist), { deployment, dropId: small.dropId }),
      /DropNotExpired\(2, \d+\)/,
    );
    // A day later claims close and the creator takes back what is left (b's 7 units).
    await chain.provider.request({ method: 'evm_increaseTime', params: [86_400] });
    await chain.provider.request({ method: 'evm_mine', params: [] });
    const claimOfB = fanDropClaim(second, addressOf('b'));
    assert.ok(claimOfB);
    await assert.rejects(
      claimFanDrop(embeddedWalletClient(chain, pusher), {
        deployment,
        dropId: small.dropId,
        claim: claimOfB,
      }),
      /DropExpired\(2, \d+\)/,
    );
    const reclaimed = await reclaimFanDrop(embeddedWalletClient(chain, artist), {
      deployment,
      dropId: small.dropId,
    });
    assert.equal(reclaimed.amount, 7n);

    // Zero, and more FAIR than the artist holds: refused before anything is sent.
    const poorTree = buildFanDropTree([{ account: addressOf('c'), amount: parseEther('1000000') }]);
    await assert.rejects(
      createFanDrop(embeddedWalletClient(chain, artist), { deployment, tree: poorTree, reason: '' }),
      (error) =>
        error instanceof ChainError &&
        /InsufficientBalance\(\d+, 1000000000000000000000000\)/.test(error.shortMessage) &&
        error.details === 'Nothing was sent: the contract refused the call.',
    );
    await assert.rejects(
      createFanDrop(embeddedWalletClient(chain, artist), {
        deployment,
        tree: { ...poorTree, total: 0n },
        reason: '',
      }),
      /ZeroTotal\(\)/,
    );
  });
});
