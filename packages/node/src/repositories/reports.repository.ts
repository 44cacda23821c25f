import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ReportOutcome, ReportState, ReportTable, ReportTargetKind } from '../db/schema.ts';

export type ReportRow = ReportTable;

/** A report with what it names as it is now (null fields once the track or comment is gone). */
export interface ReportWithSubject extends ReportRow {
  track_title: string | null;
  track_owner: string | null;
  track_delisted_at: number | null;
  comment_body: string | null;
  comment_author: string | null;
  comment_deleted_at: number | null;
}

export class ReportsRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Files the report unless the reporter already has an open one about the same target (the
   * partial unique index reports_open_once decides, so two concurrent requests cannot both file).
   * False when one was open already.
   */
  async insertIfNoneOpen(report: ReportRow): Promise<boolean> {
    const inserted = await this.#db
      .insertInto('reports')
      .values(report)
      .onConflict((conflict) =>
        conflict
          .columns(['reporter', 'target_kind', 'target_id'])
          .where(sql.ref('state'), '=', sql.lit('open'))
          .doNothing(),
      )
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async findById(id: string): Promise<ReportRow | undefined> {
    return this.#db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Newest first by (created_at, id), through reports_state. */
  async list(
    state: ReportState,
    before: [number, string] | undefined,
    limit: number,
  ): Promise<ReportWithSubject[]> {
    let select = this.#db
      .selectFrom('reports as r')
      .leftJoin('tracks as t', 't.id', 'r.track_id')
      .leftJoin('comments as c', (join) =>
        join.onRef('c.id', '=', 'r.target_id').on('r.target_kind', '=', 'comment'),
      )
      .selectAll('r')
      .select([
        't.title as track_title',
        't.owner as track_owner',
        't.delisted_at as track_delisted_at',
        'c.body as comment_body',
        'c.author as comment_author',
        'c.deleted_at as comment_deleted_at',
      ])
      .where('r.state', '=', state);
    if (before) select = select.where(sql<boolean>`(r.created_at, r.id) < (${before[0]}, ${before[1]})`);
    return select.orderBy('r.created_at', 'desc').orderBy('r.id', 'desc').limit(limit).execute();
  }

  /** Closes the open reports about one target; returns how many. */
  async closeOpen(
    target: { kind: ReportTargetKind; id: string },
    outcome: ReportOutcome,
    closedBy: string,
    now: number,
  ): Promise<number> {
    const result = await this.#db
      .updateTable('reports')
      .set({ state: 'closed', outcome, closed_by: closedBy, closed_at: now })
      .where('target_kind', '=', target.kind)
      .where('target_id', '=', target.id)
      .where('state', '=', 'open')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Closes one open report; false when it was not open (or does not exist). */
  async close(id: string, outcome: ReportOutcome, closedBy: string, now: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('reports')
      .set({ state: 'closed', outcome, closed_by: closedBy, closed_at: now })
      .where('id', '=', id)
      .where('state', '=', 'open')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
