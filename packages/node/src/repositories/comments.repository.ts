import { type ExpressionBuilder, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { CommentTable, Database, ReportOutcome } from '../db/schema.ts';

export type CommentRow = CommentTable;

export interface CommentWithReplies extends CommentRow {
  /** Replies not deleted; always 0 for a reply. */
  reply_count: number;
}

/** At most `max` comments by one author within `windowMs`. */
export interface RateLimit {
  windowMs: number;
  max: number;
}

export type CommentOrder = 'time' | 'moment';

export interface ListCommentsQuery {
  trackId: string;
  /** 'time': newest first; 'moment': comments pinned to a moment, in track order. */
  order: CommentOrder;
  /** The last item of the previous page: (created_at, id) by time, (at_ms, id) by moment. */
  after?: [number, string];
  limit: number;
}

/** Replies still there, so a deleted comment with live replies stays as a placeholder. */
const liveReplies = (eb: ExpressionBuilder<Database & { c: CommentTable }, 'c'>) =>
  eb
    .selectFrom('comments as r')
    .select((r) => r.fn.countAll<number | string>().as('n'))
    .whereRef('r.parent_id', '=', 'c.id')
    .where('r.deleted_at', 'is', null);

export class CommentsRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Inserts the comment unless its author already wrote `max` comments within one of the windows;
   * then answers when the author may comment again. The check and the insert hold the author's
   * account row (Postgres) or the write lock (SQLite), so concurrent requests, from any process,
   * cannot each slip under a limit.
   */
  async insertWithinLimits(comment: CommentRow, limits: readonly RateLimit[]): Promise<number | undefined> {
    return this.#db.transaction().execute(async (trx) => {
      await trx
        .updateTable('accounts')
        .set((eb) => ({ created_at: eb.ref('created_at') }))
        .where('address', '=', comment.author)
        .execute();
      let retryAt: number | undefined;
      for (const limit of limits) {
        // The max-th most recent comment inside the window: while it exists, the author must wait
        // until it leaves the window.
        const row = await trx
          .selectFrom('comments')
          .select('created_at')
          .where('author', '=', comment.author)
          .where('created_at', '>', comment.created_at - limit.windowMs)
          .orderBy('created_at', 'desc')
          .limit(1)
          .offset(limit.max - 1)
          .executeTakeFirst();
        if (row) retryAt = Math.max(retryAt ?? 0, Number(row.created_at) + limit.windowMs);
      }
      if (retryAt === undefined) await trx.insertInto('comments').values(comment).execute();
      return retryAt;
    });
  }

  async findById(id: string): Promise<CommentWithReplies | undefined> {
    const row = await this.#db
      .selectFrom('comments as c')
      .selectAll('c')
      .select((eb) => liveReplies(eb).as('reply_count'))
      .where('c.id', '=', id)
      .executeTakeFirst();
    return row && { ...row, reply_count: Number(row.reply_count) };
  }

  /**
   * A track's top-level comments, deleted ones only while replies remain under them. Each order has
   * its own index (comments_track_time, comments_track_moment); the keyset condition is a row value
   * so both databases seek straight to the page.
   */
  async listTopLevel(query: ListCommentsQuery): Promise<CommentWithReplies[]> {
    let select = this.#db
      .selectFrom('comments as c')
      .selectAll('c')
      .select((eb) => liveReplies(eb).as('reply_count'))
      .where('c.track_id', '=', query.trackId)
      .where('c.parent_id', 'is', null)
      .where((eb) =>
        eb.or([eb('c.deleted_at', 'is', null), eb.exists(liveReplies(eb).clearSelect().select('r.id'))]),
      );
    const after = query.after;
    if (query.order === 'time') {
      if (after) select = select.where(sql<boolean>`(c.created_at, c.id) < (${after[0]}, ${after[1]})`);
      select = select.orderBy('c.created_at', 'desc').orderBy('c.id', 'desc');
    } else {
      select = select.where('c.at_ms', 'is not', null);
      if (after) select = select.where(sql<boolean>`(c.at_ms, c.id) > (${after[0]}, ${after[1]})`);
      select = select.orderBy('c.at_ms', 'asc').orderBy('c.id', 'asc');
    }
    const rows = await select.limit(query.limit).execute();
    return rows.map((row) => ({ ...row, reply_count: Number(row.reply_count) }));
  }

  /** A thread's replies, oldest first (conversation order); deleted replies are gone. */
  async listReplies(
    parentId: string,
    after: [number, string] | undefined,
    limit: number,
  ): Promise<CommentRow[]> {
    let select = this.#db
      .selectFrom('comments')
      .selectAll()
      .where('parent_id', '=', parentId)
      .where('deleted_at', 'is', null);
    if (after) select = select.where(sql<boolean>`(created_at, id) > (${after[0]}, ${after[1]})`);
    return select.orderBy('created_at', 'asc').orderBy('id', 'asc').limit(limit).execute();
  }

  async updateBody(id: string, body: string, now: number): Promise<void> {
    await this.#db.updateTable('comments').set({ body, edited_at: now }).where('id', '=', id).execute();
  }

  /**
   * Erases the text and marks the comment deleted, and closes the open reports about it in the same
   * transaction: what they reported is gone.
   */
  async softDelete(id: string, now: number, closedBy: string, outcome: ReportOutcome): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .updateTable('comments')
        .set({ body: '', deleted_at: now })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .execute();
      await trx
        .updateTable('reports')
        .set({ state: 'closed', outcome, closed_by: closedBy, closed_at: now })
        .where('target_kind', '=', 'comment')
        .where('target_id', '=', id)
        .where('state', '=', 'open')
        .execute();
    });
  }
}
