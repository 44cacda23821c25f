import type { Db } from '../db/database.ts';
import type { FanDropTable } from '../db/schema.ts';

export type FanDropRow = FanDropTable;
export type FanDropLeafRow = { account: string; amount: string };

/** Rows per insert: well under SQLite's and Postgres' bound-parameter limits (3 per leaf). */
const LEAVES_PER_INSERT = 500;

/** Fan drops as published for fans to find their proofs: the drop, and every (account, amount) leaf. */
export class FanDropsRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Stores a drop with its leaves, all or nothing; false when the drop was stored already (a drop
   * never changes, so a second publication of the same drop has nothing to add).
   */
  async save(drop: FanDropRow, leaves: readonly FanDropLeafRow[]): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('fan_drops')
        .values(drop)
        .onConflict((conflict) => conflict.column('drop_id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      for (let at = 0; at < leaves.length; at += LEAVES_PER_INSERT) {
        await trx
          .insertInto('fan_drop_leaves')
          .values(
            leaves
              .slice(at, at + LEAVES_PER_INSERT)
              .map((leaf) => ({ drop_id: drop.drop_id, account: leaf.account, amount: leaf.amount })),
          )
          .execute();
      }
      return true;
    });
  }

  async drop(dropId: number): Promise<FanDropRow | undefined> {
    const row = await this.#db
      .selectFrom('fan_drops')
      .selectAll()
      .where('drop_id', '=', dropId)
      .executeTakeFirst();
    return row && normalize(row);
  }

  /** A drop's leaves, largest amount first (ties by account). */
  async leaves(dropId: number): Promise<FanDropLeafRow[]> {
    const rows = await this.#db
      .selectFrom('fan_drop_leaves')
      .select(['account', 'amount'])
      .where('drop_id', '=', dropId)
      .execute();
    return rows.sort((a, b) => {
      const difference = BigInt(b.amount) - BigInt(a.amount);
      return difference > 0n ? 1 : difference < 0n ? -1 : a.account < b.account ? -1 : 1;
    });
  }

  /** The drops that hold a leaf for `account`, newest first, with its amount. */
  async dropsOf(account: string, limit: number): Promise<(FanDropRow & { amount: string })[]> {
    const rows = await this.#db
      .selectFrom('fan_drop_leaves as l')
      .innerJoin('fan_drops as d', 'd.drop_id', 'l.drop_id')
      .selectAll('d')
      .select('l.amount')
      .where('l.account', '=', account)
      .orderBy('l.drop_id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ ...normalize(row), amount: row.amount }));
  }
}

/** Postgres answers bigint columns as strings. */
function normalize<T extends FanDropRow>(row: T): T {
  return {
    ...row,
    drop_id: Number(row.drop_id),
    recipients: Number(row.recipients),
    expires_at: Number(row.expires_at),
    block_number: Number(row.block_number),
    published_at: Number(row.published_at),
  };
}
