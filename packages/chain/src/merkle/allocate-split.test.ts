import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocateSplit } from './allocate-split.ts';

describe('allocateSplit', () => {
  it('floors every part and gives the remainder to the first recipient, like SplitLib.allocate', () => {
    assert.deepEqual(allocateSplit(10n, [333_334, 333_333, 333_333]), [4n, 3n, 3n]);
    assert.deepEqual(allocateSplit(1_000_001n, [600_000, 250_000, 150_000]), [600_001n, 250_000n, 150_000n]);
    assert.deepEqual(allocateSplit(0n, [1_000_000]), [0n]);
    const huge = 2n ** 200n + 12_345n;
    const parts = allocateSplit(huge, [1, 999_999]);
    assert.equal(parts[0]! + parts[1]!, huge);
    assert.throws(() => allocateSplit(1n, [600_000, 300_000]), /sum to 900000/);
  });
});
