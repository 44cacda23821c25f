import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { network } from 'hardhat';
import { type Address, getAddress, type Hash, type Hex, keccak256, parseEther, stringToHex } from 'viem';

/** A deterministic, distinct address per label (claims are pushed for fans by anyone). */
const addressOf = (label: string): Address => getAddress(`0x${keccak256(stringToHex(label)).slice(26)}`);

describe('FanDrops', async () => {
  const { viem } = await network.create();
  const publicClient = await viem.getPublicClient();
  const [artist, pusher] = await viem.getWalletClients();
  assert.ok(artist && pusher);

  const mined = async (hash: Hash | Promise<Hash>) =>
    (await publicClient.waitForTransactionReceipt({ hash: await hash })).gasUsed;

  it('pays a tree built by @openzeppelin/merkle-tree, pushed in one batch by anyone', async () => {
    const fair = await viem.deployContract('FairToken', [
      { recipient: artist.account.address, amount: parseEther('1000000000') },
      { recipient: addressOf('treasury'), amount: 1n },
      false,
      { recipient: '0x0000000000000000000000000000000000000000', amount: 0n },
    ]);
    const drops = await viem.deployContract('FanDrops', [fair.address]);
    const values: [Address, bigint][] = Array.from({ length: 50 }, (_, i) => [
      addressOf(`fan-${i}`),
      parseEther(String(i + 1)) + BigInt(i),
    ]);
    const tree = StandardMerkleTree.of(values, ['address', 'uint256']);
    const total = values.reduce((sum, [, amount]) => sum + amount, 0n);

    await fair.write.approve([drops.address, total]);
    await mined(
      drops.write.createDrop([tree.root as Hex, total, values.length, 30n * 86_400n, 'Top 50 fans']),
    );
    const claims = [...tree.entries()].map(([index, [account, amount]]) => ({
      account,
      amount,
      proof: tree.getProof(index) as Hex[],
    }));
    await mined(drops.write.claimMany([1n, claims], { account: pusher.account }));

    for (const [account, amount] of values) {
      assert.equal(await fair.read.balanceOf([account]), amount);
      assert.equal(await drops.read.isClaimed([1n, account]), true);
    }
    const drop = await drops.read.dropOf([1n]);
    assert.equal(drop.claimed, total);
    assert.equal(drop.claimedCount, values.length);
    assert.equal(await fair.read.balanceOf([drops.address]), 0n);
  });
});
