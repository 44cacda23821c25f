import type { Db } from '../db/database.ts';
import type { PlayReportTable } from '../db/schema.ts';

export type PlayReportRow = PlayReportTable;

/** Rows per INSERT statement: 12 parameters each stays far below SQLite's and Postgres's limits. */
const ROWS_PER_STATEMENT = 500;

export class PlaysRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Inserts the reports in ONE transaction, skipping ids already stored, and answers the ids this
   * call stored. The rows must have distinct ids. When it resolves, the rows are committed.
   */
  async insertReports(rows: PlayReportRow[]): Promise<Set<string>> {
    const stored = new Set<string>();
    if (rows.length === 0) return stored;
    await this.#db.transaction().execute(async (trx) => {
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        const inserted = await trx
          .insertInto('play_reports')
          .values(rows.slice(start, start + ROWS_PER_STATEMENT))
          .onConflict((conflict) => conflict.column('id').doNothing())
          .returning('id')
          .execute();
        for (const row of inserted) stored.add(row.id);
      }
    });
    return stored;
  }

  async findByIds(ids: string[]): Promise<PlayReportRow[]> {
    if (ids.length === 0) return [];
    return this.#db.selectFrom('play_reports').selectAll().where('id', 'in', ids).execute();
  }

  async count(): Promise<number> {
    const row = await this.#db
      .selectFrom('play_reports')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
