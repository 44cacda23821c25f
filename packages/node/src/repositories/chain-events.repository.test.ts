import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../db/database.ts';
import { testDatabases } from '../testing/databases.ts';
import { type BlockRef, ChainEventsRepository, type NewChainEvent } from './chain-events.repository.ts';

const CHAIN = 31337;
const fan = '0x00000000000000000000000000000000000000f1';
const artist = '0x00000000000000000000000000000000000000a1';
const producer = '0x00000000000000000000000000000000000000a2';
const tips = '0x00000000000000000000000000000000000000c1';

const hash = (block: number, fork = 'a') => `0x${fork}${block.toString(16).padStart(63, '0')}`;
const ref = (block: number, fork = 'a'): BlockRef => ({ blockNumber: block, blockHash: hash(block, fork) });

/** A tip of `amount` by the fan at (block, logIndex): one Tipped and one TipPaid per recipient. */
function tipEvents(block: number, firstLog: number, amount: bigint, fork = 'a'): NewChainEvent[] {
  const common = {
    blockNumber: block,
    blockHash: hash(block, fork),
    blockTime: 1_700_000_000_000 + block * 1000,
    txHash: `0x${'7'.repeat(62)}${block.toString(16).padStart(2, '0')}`,
    txIndex: 0,
    contract: 'Tips',
    address: tips,
  };
  const half = amount / 2n;
  return [
    {
      ...common,
      logIndex: firstLog,
      event: 'Tipped',
      args: JSON.stringify({ from: fan, amount: amount.toString() }),
      accounts: [fan],
    },
    {
      ...common,
      logIndex: firstLog + 1,
      event: 'TipPaid',
      args: JSON.stringify({ recipient: artist, amount: (amount - half).toString() }),
      accounts: [artist],
    },
    {
      ...common,
      logIndex: firstLog + 2,
      event: 'TipPaid',
      args: JSON.stringify({ recipient: producer, amount: half.toString() }),
      // Duplicates are stored once.
      accounts: [producer, producer],
    },
  ];
}

for (const database of testDatabases()) {
  describe(`chain events repository on ${database.name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    let repository: ChainEventsRepository;
    before(async () => {
      ({ db, close } = await database.open());
      repository = new ChainEventsRepository(db);
    });
    after(() => close());

    it('stores a range with its checkpoint, and only on the checkpoint it continues from', async () => {
      assert.equal(await repository.checkpoint(CHAIN), undefined);
      const big = 123_456_789_012_345_678_901_234_567_890n;
      assert.equal(
        await repository.insertRange({
          chainId: CHAIN,
          expected: undefined,
          checkpoint: ref(10),
          events: tipEvents(5, 0, big),
          blocks: [ref(5), ref(10)],
          keepBlocksFrom: 0,
          now: 1,
        }),
        true,
      );
      assert.deepEqual(await repository.checkpoint(CHAIN), ref(10));
      const events = await repository.allEvents(CHAIN);
      assert.equal(events.length, 3);
      assert.deepEqual(events[0], {
        chainId: CHAIN,
        blockNumber: 5,
        logIndex: 0,
        blockHash: hash(5),
        blockTime: 1_700_000_005_000,
        txHash: `0x${'7'.repeat(62)}05`,
        txIndex: 0,
        contract: 'Tips',
        address: tips,
        event: 'Tipped',
        args: { from: fan, amount: big.toString() },
      });
      assert.deepEqual(await repository.accountsOf(CHAIN, { blockNumber: 5, logIndex: 2 }), [producer]);

      // A second writer that read no checkpoint, or an old one, stores nothing.
      for (const expected of [undefined, ref(9)]) {
        assert.equal(
          await repository.insertRange({
            chainId: CHAIN,
            expected,
            checkpoint: ref(20),
            events: tipEvents(15, 0, 1n),
            blocks: [ref(20)],
            keepBlocksFrom: 0,
            now: 2,
          }),
          false,
        );
      }
      assert.deepEqual(await repository.checkpoint(CHAIN), ref(10));
      assert.equal((await repository.allEvents(CHAIN)).length, 3);
    });

    it('skips events already stored when a range is written again', async () => {
      // The indexer crashed after a commit it did not see: it writes blocks 5..20 again.
      assert.equal(
        await repository.insertRange({
          chainId: CHAIN,
          expected: ref(10),
          checkpoint: ref(20),
          events: [...tipEvents(5, 0, 123_456_789_012_345_678_901_234_567_890n), ...tipEvents(15, 3, 1000n)],
          blocks: [ref(5), ref(15), ref(20)],
          keepBlocksFrom: 0,
          now: 3,
        }),
        true,
      );
      const events = await repository.allEvents(CHAIN);
      assert.deepEqual(
        events.map((event) => [event.blockNumber, event.logIndex]),
        [
          [5, 0],
          [5, 1],
          [5, 2],
          [15, 3],
          [15, 4],
          [15, 5],
        ],
      );
      assert.deepEqual(await repository.recentBlocks(CHAIN, 10), [ref(20), ref(15), ref(10), ref(5)]);
      assert.deepEqual(await repository.recentBlocks(CHAIN, 2, 14), [ref(10), ref(5)]);
    });

    it('pages the events of an account newest first, optionally of some names', async () => {
      const first = await repository.eventsForAccount(CHAIN, fan.toUpperCase().replace('0X', '0x'), {
        limit: 1,
      });
      assert.deepEqual(
        first.map((event) => [event.blockNumber, event.logIndex, event.event]),
        [[15, 3, 'Tipped']],
      );
      const last = first.at(-1);
      assert.ok(last);
      const next = await repository.eventsForAccount(CHAIN, fan, { limit: 10, before: last });
      assert.deepEqual(
        next.map((event) => [event.blockNumber, event.logIndex]),
        [[5, 0]],
      );
      const paid = await repository.eventsForAccount(CHAIN, artist, { events: ['TipPaid'], limit: 10 });
      assert.deepEqual(
        paid.map((event) => [event.blockNumber, event.args.amount]),
        [
          [15, '500'],
          [5, '61728394506172839450617283945'],
        ],
      );
      assert.deepEqual(
        await repository.eventsForAccount(CHAIN, artist, { events: ['Tipped'], limit: 10 }),
        [],
      );
      assert.deepEqual(await repository.eventsForAccount(CHAIN, artist, { events: [], limit: 10 }), []);
      assert.deepEqual(await repository.eventsForAccount(CHAIN + 1, artist, { limit: 10 }), []);
      // Within one block, the cursor moves by log index.
      const withinBlock = await repository.eventsForAccount(CHAIN, producer, {
        limit: 10,
        before: { blockNumber: 15, logIndex: 5 },
      });
      assert.deepEqual(
        withinBlock.map((event) => [event.blockNumber, event.logIndex]),
        [[5, 2]],
      );
    });

    it('finds events by name from a block, oldest first', async () => {
      const all = await repository.eventsByName(CHAIN, 'TipPaid', { limit: 10 });
      assert.deepEqual(
        all.map((event) => [event.blockNumber, event.logIndex]),
        [
          [5, 1],
          [5, 2],
          [15, 4],
          [15, 5],
        ],
      );
      const later = await repository.eventsByName(CHAIN, 'TipPaid', { fromBlock: 6, limit: 1 });
      assert.deepEqual(
        later.map((event) => [event.blockNumber, event.logIndex]),
        [[15, 4]],
      );
      const after = await repository.eventsByName(CHAIN, 'TipPaid', {
        limit: 10,
        after: { blockNumber: 15, logIndex: 4 },
      });
      assert.deepEqual(
        after.map((event) => [event.blockNumber, event.logIndex]),
        [[15, 5]],
      );
      assert.deepEqual(
        await repository.eventsByName(CHAIN, 'TipPaid', { contract: 'Staking', limit: 10 }),
        [],
      );
    });

    it("filters an account's events by contract address, and reads transactions' events", async () => {
      assert.equal(
        (await repository.eventsForAccount(CHAIN, fan, { addresses: [tips.toUpperCase()], limit: 10 }))
          .length,
        2,
      );
      assert.deepEqual(await repository.eventsForAccount(CHAIN, fan, { addresses: [artist], limit: 10 }), []);
      assert.deepEqual(await repository.eventsForAccount(CHAIN, fan, { addresses: [], limit: 10 }), []);

      const txOf = (block: number) => ({
        blockNumber: block,
        txHash: `0x${'7'.repeat(62)}${block.toString(16).padStart(2, '0')}`,
      });
      const both = await repository.eventsOfTransactions(CHAIN, [txOf(15), txOf(5)]);
      assert.deepEqual(
        both.map((event) => [event.blockNumber, event.logIndex]),
        [
          [5, 0],
          [5, 1],
          [5, 2],
          [15, 3],
          [15, 4],
          [15, 5],
        ],
      );
      // A hash that is not in that block finds nothing.
      assert.deepEqual(
        await repository.eventsOfTransactions(CHAIN, [{ blockNumber: 5, txHash: txOf(15).txHash }]),
        [],
      );
      // Only what names the account, or is one of the named events.
      const producers = await repository.eventsOfTransactions(CHAIN, [txOf(5)], {
        naming: producer.toUpperCase().replace('0X', '0x'),
        orEvents: ['Tipped'],
      });
      assert.deepEqual(
        producers.map((event) => [event.logIndex, event.event]),
        [
          [0, 'Tipped'],
          [2, 'TipPaid'],
        ],
      );
      const only = await repository.eventsOfTransactions(CHAIN, [txOf(5)], { naming: artist, orEvents: [] });
      assert.deepEqual(
        only.map((event) => event.logIndex),
        [1],
      );
    });

    it('rolls back above a block, and only from the checkpoint it read', async () => {
      assert.equal(await repository.rollback(CHAIN, ref(19), ref(10), 4), false);
      assert.equal(await repository.rollback(CHAIN, ref(20), ref(10), 4), true);
      assert.deepEqual(await repository.checkpoint(CHAIN), ref(10));
      assert.deepEqual(
        (await repository.allEvents(CHAIN)).map((event) => event.blockNumber),
        [5, 5, 5],
      );
      assert.deepEqual(await repository.eventsForAccount(CHAIN, fan, { limit: 10, events: ['Tipped'] }), [
        (await repository.allEvents(CHAIN))[0],
      ]);
      assert.deepEqual(await repository.recentBlocks(CHAIN, 10), [ref(10), ref(5)]);

      // The other fork's blocks 11..20 take their place.
      assert.equal(
        await repository.insertRange({
          chainId: CHAIN,
          expected: ref(10),
          checkpoint: ref(20, 'b'),
          events: tipEvents(16, 0, 7n, 'b'),
          blocks: [ref(16, 'b'), ref(20, 'b')],
          keepBlocksFrom: 12,
          now: 5,
        }),
        true,
      );
      assert.deepEqual(
        (await repository.eventsForAccount(CHAIN, fan, { limit: 10 })).map((event) => [
          event.blockNumber,
          event.blockHash,
          event.args.amount,
        ]),
        [
          [16, hash(16, 'b'), '7'],
          [5, hash(5), '123456789012345678901234567890'],
        ],
      );
      // Hashes below the window are dropped as the checkpoint moves on.
      assert.deepEqual(await repository.recentBlocks(CHAIN, 10), [ref(20, 'b'), ref(16, 'b')]);

      // No block left in common: everything goes, checkpoint included.
      assert.equal(await repository.rollback(CHAIN, ref(20, 'b'), undefined, 6), true);
      assert.equal(await repository.checkpoint(CHAIN), undefined);
      assert.deepEqual(await repository.allEvents(CHAIN), []);
      assert.deepEqual(await repository.eventsForAccount(CHAIN, fan, { limit: 10 }), []);
      assert.deepEqual(await repository.recentBlocks(CHAIN, 10), []);
    });
  });
}
