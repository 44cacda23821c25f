import type { Db } from '../db/database.ts';
import type { NotificationTable } from '../db/schema.ts';
import { type Keyset, olderThan } from './keyset.ts';
import { isListed } from './tracks.repository.ts';

export type NotificationRow = NotificationTable;

/** Rows per INSERT statement: far below SQLite's and Postgres's parameter limits. */
const ROWS_PER_STATEMENT = 500;

export class NotificationsRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Stores notifications, skipping any whose (recipient, dedupe_key) is stored already, so
   * notifying the same event again (a retry, a step redone after a crash) changes nothing.
   * Returns how many were new.
   */
  async insert(rows: readonly NotificationRow[]): Promise<number> {
    let inserted = 0;
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      const result = await this.#db
        .insertInto('notifications')
        .values(rows.slice(start, start + ROWS_PER_STATEMENT))
        .onConflict((oc) => oc.columns(['recipient', 'dedupe_key']).doNothing())
        .executeTakeFirst();
      inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return inserted;
  }

  /** A recipient's notifications, newest first. */
  async list(recipient: string, before: Keyset | undefined, limit: number): Promise<NotificationRow[]> {
    let query = this.#db.selectFrom('notifications').selectAll().where('recipient', '=', recipient);
    if (before) query = query.where((eb) => olderThan(eb, 'created_at', ['id'], before));
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  async unreadCount(recipient: string): Promise<number> {
    const row = await this.#db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('recipient', '=', recipient)
      .where('read_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Marks the recipient's unread notifications read (all, or those ids); ids of others change nothing. */
  async markRead(recipient: string, ids: readonly string[] | 'all', now: number): Promise<number> {
    if (ids !== 'all' && ids.length === 0) return 0;
    let update = this.#db
      .updateTable('notifications')
      .set({ read_at: now })
      .where('recipient', '=', recipient)
      .where('read_at', 'is', null);
    if (ids !== 'all') update = update.where('id', 'in', [...new Set(ids)]);
    return Number((await update.executeTakeFirst()).numUpdatedRows);
  }

  /**
   * Titles of the tracks a recipient may see among these (listed, or theirs as owner or
   * collaborator): a notification never names a hidden track to someone who cannot open it.
   */
  async visibleTrackTitles(recipient: string, trackIds: readonly string[]): Promise<Map<string, string>> {
    const ids = [...new Set(trackIds)];
    if (ids.length === 0) return new Map();
    const rows = await this.#db
      .selectFrom('tracks')
      .select(['tracks.id', 'tracks.title'])
      .where('tracks.id', 'in', ids)
      .where((eb) =>
        eb.or([
          isListed,
          eb('tracks.owner', '=', recipient),
          eb.exists(
            eb
              .selectFrom('track_splits')
              .select('track_splits.track_id')
              .whereRef('track_splits.track_id', '=', 'tracks.id')
              .where('track_splits.address', '=', recipient),
          ),
        ]),
      )
      .execute();
    return new Map(rows.map((row) => [row.id, row.title]));
  }
}
