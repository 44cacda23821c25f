import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keccak256, stringToHex } from 'viem';
import { idHash, PLAYS_LEAF_ENCODING, playsLeafHash, playsLeafValues } from './plays-leaf.ts';

const play = {
  playId: 'play-0001',
  listener: '0x00000000000000000000000000000000000000AA',
  trackId: 'track-1',
  heardMs: 31_500,
  firstStartedAt: 1_767_225_600_000,
};

describe('plays leaf', () => {
  it('encodes (playId hash, listener, trackId hash, heardMs, firstStartedAt)', () => {
    assert.deepEqual([...PLAYS_LEAF_ENCODING], ['bytes32', 'address', 'bytes32', 'uint64', 'uint64']);
    assert.deepEqual(playsLeafValues(play), [
      keccak256(stringToHex('play-0001')),
      '0x00000000000000000000000000000000000000aa',
      keccak256(stringToHex('track-1')),
      '31500',
      '1767225600000',
    ]);
    assert.equal(idHash('track-1'), keccak256(stringToHex('track-1')));
  });

  it("hashes like StandardMerkleTree's leafHash", () => {
    // Computed once with @openzeppelin/merkle-tree: StandardMerkleTree.of([values], PLAYS_LEAF_ENCODING).leafHash(values).
    assert.equal(
      playsLeafHash(playsLeafValues(play)),
      '0x9164bf8dd62b3cbbf273bd57d401ba7aef588da8e5d9571f138abc275a32356f',
    );
    assert.notEqual(
      playsLeafHash(playsLeafValues({ ...play, heardMs: 31_501 })),
      playsLeafHash(playsLeafValues(play)),
    );
  });

  it('refuses values that do not fit the leaf', () => {
    assert.throws(() => playsLeafValues({ ...play, listener: '0x12' }), /0x address/);
    assert.throws(() => playsLeafValues({ ...play, heardMs: -1 }), /heardMs/);
    assert.throws(() => playsLeafValues({ ...play, firstStartedAt: 1.5 }), /firstStartedAt/);
    assert.throws(() => playsLeafValues({ ...play, playId: '' }), /playId/);
  });
});
