// GET /accounts/{address}/claims on a real settlement: the node is stopped right after it published
// an epoch (before it pushes the claims itself), so the proofs it hands out are checked against the
// root on the chain and then used by a third party to pay the recipient.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { claimPayouts, getTokenBalance, payoutDistributorAbi, verifyPayoutClaim } from '@fairstream/chain';
import { type Address, getAddress, type Hex } from 'viem';
import { testDatabases } from '../testing/databases.ts';
import { type SettledPlays, settlePlays } from '../testing/settle.ts';
import { newAccount, startTestNode, type TestNode } from '../testing/test-node.ts';

for (const database of testDatabases()) {
  describe(`claims through the API on ${database.name}`, () => {
    let test: TestNode;
    let settled: SettledPlays;
    const claimsOf = async (address: string) => {
      const response = await test.node.app.inject({
        method: 'GET',
        url: `/api/v1/accounts/${address}/claims`,
      });
      assert.equal(response.statusCode, 200, response.body);
      return response.json();
    };

    before(async () => {
      test = await startTestNode(database, { epochSeconds: 10 }, { settlement: { haltAt: 'claim' } });
    });
    after(() => test.close());

    it('has nothing to claim before any epoch is published', async () => {
      const answer = await claimsOf(newAccount().address);
      assert.deepEqual(
        [answer.epoch, answer.payoutRoot, answer.pending, answer.claims, answer.owed],
        [null, null, null, [], []],
      );
    });

    it("hands out each recipient's cumulative amount with a proof of the published root, and what is left", async () => {
      settled = await settlePlays(test.node, { state: 'claim' });
      const { publicClient, deployment } = test.node.ledger;
      const usd = deployment.contracts.TestStablecoin!.toLowerCase();
      const [prefix] = await publicClient.readContract({
        address: deployment.contracts.PayoutDistributor!,
        abi: payoutDistributorAbi,
        functionName: 'epochOf',
        args: [BigInt(settled.epoch)],
      });

      const answer = await claimsOf(settled.artist.address);
      assert.equal(answer.address, settled.artist.address.toLowerCase());
      assert.equal(answer.epoch, settled.epoch);
      assert.ok(answer.payoutRoot.startsWith(prefix.toLowerCase()), 'the root the chain holds');
      assert.equal(answer.pending, null);
      assert.deepEqual(answer.owed, []);
      const claim = answer.claims.find((entry: { token: string }) => entry.token === usd);
      assert.ok(claim, JSON.stringify(answer.claims));
      assert.deepEqual([claim.symbol, claim.decimals, claim.claimed], ['tUSD', 6, '0']);
      assert.ok(BigInt(claim.cumulativeAmount) > 0n);
      assert.equal(claim.claimable, claim.cumulativeAmount);
      const leaf = {
        account: getAddress(settled.artist.address),
        token: getAddress(claim.token),
        cumulativeAmount: BigInt(claim.cumulativeAmount),
        proof: claim.proof as Hex[],
      };
      assert.ok(verifyPayoutClaim(answer.payoutRoot, leaf));

      // Anyone may send the claim; the money goes to the artist.
      const before = await getTokenBalance(publicClient, { token: leaf.token, address: leaf.account });
      assert.ok(test.node.ledger.faucetWallet);
      const result = await claimPayouts(test.node.ledger.faucetWallet, {
        deployment,
        epoch: BigInt(answer.epoch),
        claims: [leaf],
      });
      assert.deepEqual(result.deferred, []);
      assert.equal(
        await getTokenBalance(publicClient, { token: leaf.token, address: leaf.account }),
        before + leaf.cumulativeAmount,
      );
      const afterClaim = await claimsOf(settled.artist.address);
      const done = afterClaim.claims.find((entry: { token: string }) => entry.token === usd);
      assert.deepEqual([done.claimed, done.claimable], [claim.cumulativeAmount, '0']);

      // A collaborator's leaf is untouched by the artist's claim.
      const other = await claimsOf(settled.collaborators[0].address);
      const theirs = other.claims.find((entry: { token: string }) => entry.token === usd);
      assert.equal(theirs.claimed, '0');
      assert.ok(BigInt(theirs.claimable) > 0n);
    });

    it('answers an empty list for an address with no payouts, and 400 for a bad address', async () => {
      const stranger = await claimsOf(newAccount().address as Address);
      assert.equal(stranger.epoch, settled.epoch);
      assert.deepEqual([stranger.claims, stranger.owed], [[], []]);
      const bad = await test.node.app.inject({ method: 'GET', url: '/api/v1/accounts/0xnope/claims' });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'invalid_request');
      assert.match(bad.json().error.message, /address must match pattern/);
    });
  });
}
