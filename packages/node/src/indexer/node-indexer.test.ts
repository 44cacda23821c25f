// The node runs the ledger indexer (role 'all'): what happens on its ledger shows up in its database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAUCET_DEFAULTS, faucet } from '@fairstream/chain';
import { ChainEventsRepository } from '../repositories/chain-events.repository.ts';
import { testDatabases } from '../testing/databases.ts';
import { newAccount, startTestNode, type TestNode } from '../testing/test-node.ts';

for (const database of testDatabases()) {
  describe(`the node's ledger indexer on ${database.name}`, () => {
    let test: TestNode;
    before(async () => {
      test = await startTestNode(database);
    });
    after(() => test.close());

    it('indexes the faucet drip to a new wallet, by account', async () => {
      const { node } = test;
      assert.ok(node.indexer && node.ledger.faucetWallet);
      const wallet = newAccount().address;
      await faucet(node.ledger.faucetWallet, { deployment: node.ledger.deployment, to: wallet });
      await node.indexer.waitForBlock(
        Number(await node.ledger.publicClient.getBlockNumber({ cacheTime: 0 })),
      );
      const events = await new ChainEventsRepository(node.db).eventsForAccount(node.ledger.chainId, wallet, {
        events: ['Transfer'],
        limit: 10,
      });
      assert.deepEqual(
        events.map((event) => [event.contract, event.args.to, event.args.value]),
        [
          ['TestStablecoin', wallet, FAUCET_DEFAULTS.stablecoin.toString()],
          ['FairToken', wallet, FAUCET_DEFAULTS.fair.toString()],
        ],
      );
    });
  });
}
