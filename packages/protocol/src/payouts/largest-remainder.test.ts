import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prng } from '../testing/prng.ts';
import { AllocationError, allocateSplit, largestRemainder } from './largest-remainder.ts';

describe('allocateSplit', () => {
  it("agrees with SplitLib.allocate and chain's allocateSplit on their vectors", () => {
    // The vectors of packages/chain/src/merkle/allocate-split.test.ts (protocol may not import chain).
    assert.deepEqual(allocateSplit(10n, [333_334, 333_333, 333_333]), [4n, 3n, 3n]);
    assert.deepEqual(allocateSplit(1_000_001n, [600_000, 250_000, 150_000]), [600_001n, 250_000n, 150_000n]);
    assert.deepEqual(allocateSplit(0n, [1_000_000]), [0n]);
    const huge = 2n ** 200n + 12_345n;
    const parts = allocateSplit(huge, [1, 999_999]);
    assert.equal(parts[0]! + parts[1]!, huge);
    assert.equal(parts[1], (huge * 999_999n) / 1_000_000n);
    assert.deepEqual(allocateSplit(2n, [1, 1, 999_998]), [1n, 0n, 1n]);
    assert.throws(() => allocateSplit(1n, [600_000, 300_000]), /sum to 900000/);
    assert.throws(() => allocateSplit(1n, [1_000_000, 0]), /above 0/);
    assert.throws(() => allocateSplit(-1n, [1_000_000]), AllocationError);
  });
});

describe('largestRemainder', () => {
  it('gives the leftover units to the largest remainders, ties to the lower index', () => {
    assert.deepEqual(largestRemainder(10n, [1, 1, 1]), [4n, 3n, 3n]);
    assert.deepEqual(largestRemainder(901n, [1, 2]), [300n, 601n]);
    assert.deepEqual(largestRemainder(2n, [1, 1, 1]), [1n, 1n, 0n]);
    assert.deepEqual(largestRemainder(5n, [0, 3, 0, 1]), [0n, 4n, 0n, 1n]);
    assert.deepEqual(largestRemainder(0n, [0, 0]), [0n, 0n]);
  });

  it('refuses what cannot be divided', () => {
    assert.throws(() => largestRemainder(1n, [0, 0]), /weigh nothing/);
    assert.throws(() => largestRemainder(1n, []), /weigh nothing/);
    assert.throws(() => largestRemainder(-1n, [1]), /negative amount/);
    assert.throws(() => largestRemainder(1n, [-1, 2]), /negative/);
    assert.throws(() => largestRemainder(1n, [0.5]), /whole number/);
  });

  it('gives the same parts in doubles as in bigints, up to the largest safe products (seeded)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = prng(seed);
      const weights = Array.from({ length: random.int(1, 12) }, () => random.int(0, 10 ** random.int(0, 6)));
      weights[0]! += 1;
      const sum = weights.reduce((x, y) => x + y, 0);
      // Totals just below, at and above the largest one the double path takes.
      const edge = Math.floor(Number.MAX_SAFE_INTEGER / sum) - 1;
      for (const total of [edge - random.int(0, 1000), edge, edge + 1, edge + 2, random.int(0, edge)]) {
        assert.deepEqual(
          largestRemainder(BigInt(total), weights),
          largestRemainder(
            BigInt(total),
            weights.map((weight) => BigInt(weight)),
          ),
          `seed ${seed}, total ${total}`,
        );
      }
    }
  });

  it('sums exactly, stays within one unit of the quota, and matches a slow Hamilton (seeded)', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const random = prng(seed);
      const total = BigInt(random.int(0, 1_000_000)) * (random.next() < 0.2 ? 10n ** 18n : 1n);
      const weights: number[] = Array.from({ length: random.int(1, 30) }, () =>
        random.next() < 0.2 ? 0 : random.int(1, 50),
      );
      if (!weights.some((weight) => weight > 0)) weights[0] = 1;
      const parts = largestRemainder(total, weights);
      const sum = BigInt(weights.reduce((a, b) => a + b, 0));
      assert.equal(
        parts.reduce((a, b) => a + b, 0n),
        total,
        `seed ${seed}`,
      );
      // The slow way: rank items by exact fractional part (remainder), then index.
      const floors = weights.map((weight) => (total * BigInt(weight)) / sum);
      const order = weights
        .map((weight, index) => ({ index, remainder: (total * BigInt(weight)) % sum }))
        .sort((a, b) =>
          a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
        );
      const leftover = Number(total - floors.reduce((a, b) => a + b, 0n));
      for (const { index } of order.slice(0, leftover)) floors[index]! += 1n;
      assert.deepEqual(parts, floors, `seed ${seed}`);
      for (const [i, weight] of weights.entries()) {
        const floor = (total * BigInt(weight)) / sum;
        assert.ok(parts[i]! === floor || parts[i]! === floor + 1n, `seed ${seed}`);
        if (weight === 0) assert.equal(parts[i], 0n);
      }
    }
  });
});
