// A payout notification per payee and token once an epoch's claims have landed, from a real
// settlement; redoing the claim step (as after a crash before 'done' committed) adds none.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SettlementRepository } from '../repositories/settlement.repository.ts';
import { testDatabases } from '../testing/databases.ts';
import { settlePlays } from '../testing/settle.ts';
import { signIn, startTestNode, type TestNode } from '../testing/test-node.ts';

for (const database of testDatabases()) {
  describe(`payout notifications on ${database.name}`, () => {
    let test: TestNode;
    before(async () => {
      test = await startTestNode(database, { epochSeconds: 10 });
    });
    after(() => test.close());

    const payoutRows = () =>
      test.node.db
        .selectFrom('notifications')
        .selectAll()
        .where('kind', '=', 'payout')
        .orderBy('recipient')
        .orderBy('dedupe_key')
        .execute();

    it('notifies every payee of what the epoch paid, once, even when the claim step is redone', async () => {
      const settled = await settlePlays(test.node, { state: 'done' });
      const token = await signIn(test.node, settled.artist);
      const artist = settled.artist.address.toLowerCase();
      const stablecoin = test.node.ledger.deployment.contracts.TestStablecoin!.toLowerCase();

      const response = await test.node.app.inject({
        method: 'GET',
        url: '/api/v1/me/notifications',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(response.statusCode, 200, response.body);
      const payouts = response.json().notifications.filter((n: { kind: string }) => n.kind === 'payout') as {
        actor: unknown;
        track: unknown;
        data: { epoch: number; token: string; amount: string };
      }[];
      const usd = payouts.find((n) => n.data.token === stablecoin);
      assert.ok(usd, JSON.stringify(payouts));
      assert.deepEqual([usd.actor, usd.track, usd.data.epoch], [null, null, settled.epoch]);

      // The amount is the artist's share of the epoch, as the earnings API shows it.
      const earnings = await test.node.app.inject({
        method: 'GET',
        url: `/api/v1/accounts/${artist}/earnings`,
      });
      const earned = earnings
        .json()
        .items.filter(
          (item: { epoch: number; token: string }) =>
            item.epoch === settled.epoch && item.token === stablecoin,
        )
        .reduce((sum: bigint, item: { amount: string }) => sum + BigInt(item.amount), 0n);
      assert.ok(earned > 0n);
      assert.equal(usd.data.amount, earned.toString());

      // Collaborators who never signed in are notified too; the operator's fee is not a payout.
      const rows = await payoutRows();
      const recipients = new Set(rows.map((row) => row.recipient));
      for (const collaborator of settled.collaborators)
        assert.ok(recipients.has(collaborator.address.toLowerCase()));
      assert.equal(recipients.has(test.node.ledger.deployment.roles.operator.toLowerCase()), false);
      for (const fan of settled.fans) assert.equal(recipients.has(fan.address.toLowerCase()), false);

      // Redo the claim step: claims are measured on the chain (nothing is due), the hook runs again.
      await new SettlementRepository(test.node.db).rewind(settled.epoch, 'claim');
      const deadline = Date.now() + 60_000;
      for (;;) {
        const epoch = await new SettlementRepository(test.node.db).findEpoch(settled.epoch);
        if (epoch?.state === 'done') break;
        assert.ok(Date.now() < deadline, `epoch ${settled.epoch} did not finish again (${epoch?.state})`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(await payoutRows(), rows);
    });
  });
}
