import type { Db } from '../db/database.ts';

export class FaucetRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Records a drip for `address` unless it had one since `notBefore`; true when this call may drip.
   * One statement, so concurrent requests (or HTTP processes) cannot both pass.
   */
  async claimDrip(address: string, now: number, notBefore: number): Promise<boolean> {
    const result = await this.#db
      .insertInto('faucet_drips')
      .values({ address, last_at: now })
      .onConflict((conflict) =>
        conflict
          .column('address')
          .doUpdateSet({ last_at: now })
          .where('faucet_drips.last_at', '<', notBefore),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async lastDrip(address: string): Promise<number | undefined> {
    const row = await this.#db
      .selectFrom('faucet_drips')
      .select('last_at')
      .where('address', '=', address)
      .executeTakeFirst();
    return row?.last_at;
  }

  /** Gives the drip back when the chain refused it, so the user can try again at once. */
  async releaseDrip(address: string, at: number): Promise<void> {
    await this.#db
      .deleteFrom('faucet_drips')
      .where('address', '=', address)
      .where('last_at', '=', at)
      .execute();
  }
}
