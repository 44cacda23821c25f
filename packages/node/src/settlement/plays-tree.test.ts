import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PLAYS_LEAF_ENCODING, playsLeafValues } from '@fairstream/protocol';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { EMPTY_PLAYS_ROOT, playsRootOf } from './epoch-data.ts';
import { buildPlaysTree } from './plays-tree.ts';

const plays = Array.from({ length: 37 }, (_, i) => ({
  playId: `play-${i}-${'é'.repeat(i % 3)}`,
  listener: `0x${(i % 5).toString(16).padStart(40, 'A')}`,
  trackId: `track-${i % 4}`,
  heardMs: 30_000 + i * 997,
  firstStartedAt: 1_767_225_600_000 + i * 60_000,
}));

describe('plays tree', () => {
  it("has StandardMerkleTree's root over the protocol's leaf values", () => {
    for (const count of [1, 2, 5, 37]) {
      const some = plays.slice(0, count);
      const reference = StandardMerkleTree.of(some.map(playsLeafValues), [...PLAYS_LEAF_ENCODING]);
      assert.equal(buildPlaysTree(some).root, reference.root, `${count} plays`);
      assert.equal(playsRootOf(some), reference.root);
    }
    assert.equal(playsRootOf([]), EMPTY_PLAYS_ROOT);
  });

  it('refuses a play that does not fit the leaf', () => {
    assert.throws(() => buildPlaysTree([{ ...plays[0]!, listener: '0x12' }]), /0x address/);
    assert.throws(() => buildPlaysTree([{ ...plays[0]!, heardMs: 1.5 }]), /heardMs/);
  });
});
