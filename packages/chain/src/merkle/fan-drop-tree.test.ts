import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { type Address, getAddress, keccak256, stringToHex, zeroAddress } from 'viem';
import {
  buildFanDropTree,
  dumpFanDropTree,
  type FanDropLeaf,
  fanDropClaim,
  fanDropClaims,
  loadFanDropTree,
  verifyFanDropClaim,
} from './fan-drop-tree.ts';

const addressOf = (label: string): Address => getAddress(`0x${keccak256(stringToHex(label)).slice(26)}`);
const leaves: FanDropLeaf[] = Array.from({ length: 9 }, (_, i) => ({
  account: addressOf(`fan-${i}`),
  amount: 10n ** 18n * BigInt(i + 1) + BigInt(i),
}));

describe('fan drop trees', () => {
  it('builds the very tree StandardMerkleTree builds, for any size', () => {
    for (const size of [1, 2, 3, 9, 64, 257]) {
      const values = Array.from({ length: size }, (_, i) => ({
        account: addressOf(`fan-${size}-${i}`),
        amount: BigInt(i * 7 + 1),
      }));
      const ours = buildFanDropTree(values);
      const theirs = StandardMerkleTree.of(
        values.map((leaf) => [leaf.account, leaf.amount]),
        ['address', 'uint256'],
      );
      assert.equal(ours.root, theirs.root, `root of ${size} leaves`);
      for (const [i, claim] of fanDropClaims(ours).entries()) {
        assert.deepEqual(claim.proof, theirs.getProof(i), `proof of leaf ${i} of ${size}`);
      }
      assert.equal(
        ours.total,
        values.reduce((sum, leaf) => sum + leaf.amount, 0n),
      );
    }
  });

  it('has one root whatever the leaf order, and every proof leads to it', () => {
    const tree = buildFanDropTree(leaves);
    assert.equal(buildFanDropTree([...leaves].reverse()).root, tree.root);
    for (const claim of fanDropClaims(tree)) assert.ok(verifyFanDropClaim(tree.root, claim));
    const [first] = leaves;
    assert.ok(first);
    const claim = fanDropClaim(tree, first.account.toLowerCase() as Address);
    assert.equal(claim?.amount, first.amount);
    assert.equal(fanDropClaim(tree, addressOf('stranger')), undefined);
    assert.equal(verifyFanDropClaim(tree.root, { ...first, amount: 1n, proof: claim?.proof ?? [] }), false);
  });

  it('round-trips through JSON (also through StandardMerkleTree.load) and refuses a tampered dump', () => {
    const tree = buildFanDropTree(leaves);
    const json = JSON.stringify(dumpFanDropTree(tree));
    const loaded = loadFanDropTree(JSON.parse(json));
    assert.equal(loaded.root, tree.root);
    assert.deepEqual(fanDropClaims(loaded), fanDropClaims(tree));
    assert.equal(StandardMerkleTree.load(JSON.parse(json)).root, tree.root);
    assert.throws(() => loadFanDropTree(JSON.parse(json.replace('"1000000000000000000"', '"2"'))));
    assert.throws(() => loadFanDropTree({ ...JSON.parse(json), leafEncoding: ['address', 'uint128'] }));
  });

  it('refuses duplicates, zero amounts, the zero address and an empty drop', () => {
    const [first] = leaves;
    assert.ok(first);
    assert.throws(
      () => buildFanDropTree([first, { account: first.account.toLowerCase() as Address, amount: 5n }]),
      /listed twice/,
    );
    assert.throws(() => buildFanDropTree([{ ...first, amount: 0n }]), /positive number/);
    assert.throws(() => buildFanDropTree([{ account: zeroAddress, amount: 1n }]), /Not a recipient/);
    assert.throws(() => buildFanDropTree([]), /at least one recipient/);
  });
});
