import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { encodeAbiParameters, getAddress, type Hex, hexToBytes, keccak256, stringToHex } from 'viem';
import { keccak256Bytes } from './keccak.ts';
import { buildPayoutTree, dumpPayoutTree, loadPayoutTree, payoutClaims } from './payout-tree.ts';
import { allNodes, buildStandardTree, processProof, proofOf, standardLeafHashes } from './standard-tree.ts';

const addressOf = (label: string) => getAddress(`0x${keccak256(stringToHex(label)).slice(26)}`);

function leavesOf(count: number, seed: string) {
  return Array.from({ length: count }, (_, i) => ({
    account: addressOf(`${seed}-account-${i}`),
    token: addressOf(`${seed}-token-${i % 3}`),
    cumulativeAmount: BigInt(keccak256(stringToHex(`${seed}-${i}`))) >> BigInt(i % 256),
  }));
}

describe('standard tree', () => {
  it('hashes like viem, including inputs longer than one keccak block', () => {
    for (const length of [0, 1, 64, 135, 136, 137, 500]) {
      const data = new Uint8Array(length).map((_, i) => (i * 7 + length) & 0xff);
      assert.equal(keccak256(data), `0x${Buffer.from(keccak256Bytes(data)).toString('hex')}`);
    }
  });

  it("gives OpenZeppelin's StandardMerkleTree roots, proofs and dumps for every size", () => {
    for (const size of [1, 2, 3, 4, 5, 7, 8, 9, 16, 31, 100, 1_025]) {
      const leaves = leavesOf(size, `size-${size}`);
      const values = leaves.map((leaf) => [leaf.account, leaf.token, leaf.cumulativeAmount.toString()]);
      const reference = StandardMerkleTree.of(values, ['address', 'address', 'uint256']);
      const tree = buildPayoutTree(leaves);
      assert.equal(tree.root, reference.root, `root of ${size} leaves`);
      const claims = payoutClaims(tree);
      for (const [i] of reference.entries()) assert.deepEqual(claims[i]!.proof, reference.getProof(i));
      assert.deepEqual(dumpPayoutTree(tree), reference.dump());
      // An auditor with OpenZeppelin's package reads the published dump as it is.
      assert.equal(StandardMerkleTree.load(dumpPayoutTree(tree)).root, tree.root);
    }
  });

  it('orders leaves whose hashes share their leading bits by the whole hash', () => {
    // Hand-made leaf hashes: the first 8 bytes equal, so only the full comparison orders them.
    const hashes = [5, 3, 9, 3, 1].map((last, i) => {
      const bytes = new Uint8Array(32).fill(0xab);
      bytes[31] = last;
      bytes[30] = i === 3 ? 0 : 0xab;
      return bytes;
    });
    const tree = buildStandardTree(concat(hashes));
    const sorted = [...hashes].sort((a, b) => Buffer.compare(a, b));
    const nodes = allNodes(tree);
    for (const [i, hash] of sorted.entries()) {
      assert.equal(nodes[nodes.length - 1 - i], `0x${Buffer.from(hash).toString('hex')}`);
    }
    for (const [i, hash] of hashes.entries()) {
      assert.equal(
        processProof(`0x${Buffer.from(hash).toString('hex')}` as Hex, proofOf(tree, i)),
        tree.root,
      );
    }
  });

  it('computes the double-hashed leaves of ABI encodings', () => {
    const encoded = encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [addressOf('x'), 42n]);
    const leafHashes = standardLeafHashes(hexToBytes(encoded), 64, 1);
    assert.equal(`0x${Buffer.from(leafHashes).toString('hex')}`, keccak256(keccak256(encoded)));
    assert.throws(() => standardLeafHashes(new Uint8Array(65), 64, 1), /Expected 1 encodings of 64 bytes/);
    assert.throws(() => buildStandardTree(new Uint8Array(0)), /at least one leaf/);
  });

  it('refuses a dump whose nodes or positions were changed', () => {
    const dump = dumpPayoutTree(buildPayoutTree(leavesOf(9, 'tamper')));
    const node = structuredClone(dump);
    node.tree[3] = `0x${'00'.repeat(32)}`;
    assert.throws(() => loadPayoutTree(node), /node 3 differs/);
    const position = structuredClone(dump);
    position.values[0]!.treeIndex = position.values[1]!.treeIndex;
    assert.throws(() => loadPayoutTree(position), /position differs/);
    assert.equal(loadPayoutTree(dump).root, buildPayoutTree(leavesOf(9, 'tamper')).root);
  });
});

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
