import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fanDropShares } from './fan-drop.ts';
import { AllocationError } from './largest-remainder.ts';

describe('fanDropShares', () => {
  it('divides exactly by counted plays, most plays first, leftover units to the earlier fan', () => {
    const shares = fanDropShares(100n, [
      { account: '0xbb', plays: 1 },
      { account: '0xaa', plays: 1 },
      { account: '0xcc', plays: 4 },
    ]);
    assert.deepEqual(shares, [
      { account: '0xcc', plays: 4, amount: 67n },
      { account: '0xaa', plays: 1, amount: 17n },
      { account: '0xbb', plays: 1, amount: 16n },
    ]);
  });

  it('always adds up to the total, to the unit', () => {
    for (let seed = 1; seed < 200; seed++) {
      const fans = Array.from({ length: 1 + (seed % 37) }, (_, i) => ({
        account: `0x${(seed * 1000 + i).toString(16)}`,
        plays: 1 + ((seed * 7919 + i * 104729) % 500),
      }));
      const total = BigInt(seed) * 10n ** 18n + BigInt(seed * 13);
      const shares = fanDropShares(total, fans);
      assert.equal(
        shares.reduce((sum, share) => sum + share.amount, 0n),
        total,
      );
      assert.equal(shares.length, fans.length);
    }
  });

  it('leaves out fans whose part rounds to zero, still adding up', () => {
    const shares = fanDropShares(
      2n,
      ['0x1', '0x2', '0x3'].map((account) => ({ account, plays: 5 })),
    );
    assert.deepEqual(
      shares.map((share) => [share.account, share.amount]),
      [
        ['0x1', 1n],
        ['0x2', 1n],
      ],
    );
  });

  it('refuses nothing to give, no fans, a fan twice and a fan without plays', () => {
    const fan = { account: '0xAa', plays: 3 };
    assert.throws(() => fanDropShares(0n, [fan]), AllocationError);
    assert.throws(() => fanDropShares(-1n, [fan]), /more than 0/);
    assert.throws(() => fanDropShares(1n, []), /at least one fan/);
    assert.throws(() => fanDropShares(1n, [fan, { account: '0xaa', plays: 1 }]), /listed twice/);
    assert.throws(() => fanDropShares(1n, [{ account: '0x1', plays: 0 }]), /at least one/);
  });
});
