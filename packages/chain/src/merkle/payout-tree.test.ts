import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Address, getAddress, keccak256, stringToHex } from 'viem';
import { accumulatePayouts } from './accumulate-payouts.ts';
import { payoutTotals } from './payout-totals.ts';
import {
  buildPayoutTree,
  dumpPayoutTree,
  loadPayoutTree,
  type PayoutLeaf,
  payoutClaim,
  payoutClaims,
  verifyPayoutClaim,
} from './payout-tree.ts';

const addressOf = (label: string): Address => getAddress(`0x${keccak256(stringToHex(label)).slice(26)}`);
const usd = addressOf('usd');
const fair = addressOf('fair');
const leaves: PayoutLeaf[] = Array.from({ length: 7 }, (_, i) => ({
  account: addressOf(`listener-${i}`),
  token: i % 2 ? usd : fair,
  cumulativeAmount: 1_000_003n * BigInt(i + 1),
}));

describe('payout trees', () => {
  it('has one root whatever the leaf order, and every proof leads to it', () => {
    const tree = buildPayoutTree(leaves);
    assert.equal(buildPayoutTree([...leaves].reverse()).root, tree.root);
    const claims = payoutClaims(tree);
    assert.equal(claims.length, leaves.length);
    for (const claim of claims) assert.ok(verifyPayoutClaim(tree.root, claim));
    const [first] = leaves;
    assert.ok(first);
    const claim = payoutClaim(tree, first.account.toLowerCase() as Address, first.token);
    assert.equal(claim?.cumulativeAmount, first.cumulativeAmount);
    assert.equal(payoutClaim(tree, first.account, usd), undefined);
    assert.equal(
      verifyPayoutClaim(tree.root, { ...first, cumulativeAmount: 1n, proof: claim?.proof ?? [] }),
      false,
    );
  });

  it('round-trips through JSON and refuses a tampered dump', () => {
    const tree = buildPayoutTree(leaves);
    const json = JSON.stringify(dumpPayoutTree(tree));
    const loaded = loadPayoutTree(JSON.parse(json));
    assert.equal(loaded.root, tree.root);
    assert.deepEqual(payoutClaims(loaded), payoutClaims(tree));
    assert.throws(() => loadPayoutTree(JSON.parse(json.replace('"1000003"', '"1000004"'))));
  });

  it('refuses duplicate and empty leaf sets', () => {
    const [first] = leaves;
    assert.ok(first);
    assert.throws(() => buildPayoutTree([first, { ...first, cumulativeAmount: 5n }]), /Two payout leaves/);
    assert.throws(() => buildPayoutTree([]), /at least one leaf/);
  });

  it('totals per token, ascending, and accumulates epochs', () => {
    const totals = payoutTotals(leaves);
    assert.deepEqual(
      totals.map((entry) => entry.token),
      [fair, usd].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)),
    );
    assert.equal(
      totals.reduce((sum, entry) => sum + entry.total, 0n),
      leaves.reduce((sum, leaf) => sum + leaf.cumulativeAmount, 0n),
    );
    const [first] = leaves;
    assert.ok(first);
    const next = accumulatePayouts(leaves, [
      { account: first.account, token: first.token, amount: 5n },
      { account: first.account, token: first.token, amount: 2n },
      { account: addressOf('newcomer'), token: usd, amount: 9n },
    ]);
    assert.equal(next.length, leaves.length + 1);
    assert.equal(next[0]?.cumulativeAmount, first.cumulativeAmount + 7n);
    assert.equal(next.at(-1)?.cumulativeAmount, 9n);
  });
});
