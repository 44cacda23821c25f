import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../db/database.ts';
import { testDatabases } from '../testing/databases.ts';
import { type FanDropRow, FanDropsRepository } from './fan-drops.repository.ts';

const drop = (id: number, creator = '0xa1'): FanDropRow => ({
  drop_id: id,
  creator,
  root: `0x${String(id).padStart(64, '0')}`,
  total: '600',
  recipients: 3,
  reason: 'thanks',
  expires_at: 1_900_000_000,
  transaction_hash: `0x${'cd'.repeat(32)}`,
  block_number: 12,
  published_at: 1_750_000_000_000,
});

for (const database of testDatabases()) {
  describe(`fan drops repository on ${database.name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    let repo: FanDropsRepository;
    before(async () => {
      ({ db, close } = await database.open());
      repo = new FanDropsRepository(db);
    });
    after(() => close());

    it('stores a drop with its leaves once, and finds it by id and by account', async () => {
      const leaves = [
        { account: '0xf1', amount: '100' },
        { account: '0xf2', amount: '300' },
        { account: '0xf3', amount: '200' },
      ];
      assert.equal(await repo.save(drop(1), leaves), true);
      assert.equal(await repo.save(drop(1), leaves), false, 'a drop never changes');
      assert.deepEqual(await repo.drop(1), drop(1));
      assert.equal(await repo.drop(2), undefined);
      assert.deepEqual(
        (await repo.leaves(1)).map((leaf) => leaf.amount),
        ['300', '200', '100'],
      );
      await repo.save(drop(2), [{ account: '0xf1', amount: '5' }]);
      assert.deepEqual(
        (await repo.dropsOf('0xf1', 10)).map((row) => [row.drop_id, row.amount]),
        [
          [2, '5'],
          [1, '100'],
        ],
      );
      assert.deepEqual(await repo.dropsOf('0xf9', 10), []);
    });

    it('writes nothing when a leaf cannot be stored (all or nothing)', async () => {
      const many = Array.from({ length: 1_200 }, (_, i) => ({ account: `0x${i.toString(16)}`, amount: '1' }));
      many.push({ account: '0x5', amount: '2' }); // a duplicate, in the last insert
      await assert.rejects(repo.save(drop(3), many));
      assert.equal(await repo.drop(3), undefined);
      assert.deepEqual(await repo.leaves(3), []);
      // Stored in full once the leaves are right, across several inserts.
      assert.equal(await repo.save(drop(3), many.slice(0, -1)), true);
      assert.equal((await repo.leaves(3)).length, 1_200);
    });
  });
}
