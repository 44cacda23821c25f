import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { PlaylistKind, PlaylistTable } from '../db/schema.ts';
import { isListed } from './tracks.repository.ts';

export type PlaylistRow = PlaylistTable;

export interface PlaylistSummaryRow extends PlaylistRow {
  track_count: number;
}

export interface PlaylistEntry {
  track_id: string;
  position: number;
  added_at: number;
}

export interface ListPlaylistsQuery {
  owner: string;
  /** Hidden playlists too: only for the owner's own listing. */
  includeHidden: boolean;
  kind?: PlaylistKind;
  /** Counted tracks: listed ones, and the viewer's own. */
  viewer: string | undefined;
  before?: [number, string];
  limit: number;
}

export type PlaylistUpdate = Partial<Pick<PlaylistRow, 'title' | 'description' | 'visibility'>>;

export class PlaylistsRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async insert(playlist: PlaylistRow): Promise<void> {
    await this.#db.insertInto('playlists').values(playlist).execute();
  }

  async findById(id: string): Promise<PlaylistRow | undefined> {
    return this.#db.selectFrom('playlists').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async entries(playlistId: string): Promise<PlaylistEntry[]> {
    return this.#db
      .selectFrom('playlist_tracks')
      .select(['track_id', 'position', 'added_at'])
      .where('playlist_id', '=', playlistId)
      .orderBy('position')
      .orderBy('track_id')
      .execute();
  }

  /** One account's playlists, newest first, through playlists_owner. */
  async listByOwner(query: ListPlaylistsQuery): Promise<PlaylistSummaryRow[]> {
    let select = this.#db
      .selectFrom('playlists as p')
      .selectAll('p')
      .select((eb) =>
        eb
          .selectFrom('playlist_tracks as pt')
          .innerJoin('tracks', 'tracks.id', 'pt.track_id')
          .select((count) => count.fn.countAll<number | string>().as('n'))
          .whereRef('pt.playlist_id', '=', 'p.id')
          .where((track) =>
            query.viewer ? track.or([isListed, track('tracks.owner', '=', query.viewer)]) : isListed,
          )
          .as('track_count'),
      )
      .where('p.owner', '=', query.owner);
    if (!query.includeHidden) select = select.where('p.visibility', '=', 'public');
    if (query.kind) select = select.where('p.kind', '=', query.kind);
    const before = query.before;
    if (before) select = select.where(sql<boolean>`(p.created_at, p.id) < (${before[0]}, ${before[1]})`);
    const rows = await select
      .orderBy('p.created_at', 'desc')
      .orderBy('p.id', 'desc')
      .limit(query.limit)
      .execute();
    return rows.map((row) => ({ ...row, track_count: Number(row.track_count) }));
  }

  /** False when there is no such playlist. */
  async update(id: string, update: PlaylistUpdate, now: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('playlists')
      .set({ ...update, updated_at: now })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async delete(id: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('playlist_tracks').where('playlist_id', '=', id).execute();
      await trx.deleteFrom('playlists').where('id', '=', id).execute();
    });
  }

  /**
   * Changes a playlist's tracks in one transaction: locks the playlist (its row on Postgres, the
   * write lock on SQLite) by touching it first, reads its order, lets `plan` compute the new order
   * from it (throwing rolls everything back), and writes only the rows that changed. Edits of one
   * playlist are therefore serialized across processes, and positions always end up 0..n-1 (which
   * also closes gaps left by deleted tracks). False when there is no such playlist.
   */
  async reorder(playlistId: string, now: number, plan: (trackIds: string[]) => string[]): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const touched = await trx
        .updateTable('playlists')
        .set({ updated_at: now })
        .where('id', '=', playlistId)
        .executeTakeFirst();
      if (Number(touched.numUpdatedRows) !== 1) return false;
      const current = await trx
        .selectFrom('playlist_tracks')
        .select(['track_id', 'position'])
        .where('playlist_id', '=', playlistId)
        .orderBy('position')
        .orderBy('track_id')
        .execute();
      const next = plan(current.map((row) => row.track_id));
      const wanted = new Map(next.map((trackId, position) => [trackId, position]));
      const removed = current.filter((row) => !wanted.has(row.track_id)).map((row) => row.track_id);
      if (removed.length > 0) {
        await trx
          .deleteFrom('playlist_tracks')
          .where('playlist_id', '=', playlistId)
          .where('track_id', 'in', removed)
          .execute();
      }
      const existing = new Map(current.map((row) => [row.track_id, row.position]));
      const added = next.filter((trackId) => !existing.has(trackId));
      if (added.length > 0) {
        await trx
          .insertInto('playlist_tracks')
          .values(
            added.map((trackId) => ({
              playlist_id: playlistId,
              track_id: trackId,
              position: wanted.get(trackId)!,
              added_at: now,
            })),
          )
          .execute();
      }
      for (const [trackId, position] of wanted) {
        const was = existing.get(trackId);
        if (was !== undefined && was !== position) {
          await trx
            .updateTable('playlist_tracks')
            .set({ position })
            .where('playlist_id', '=', playlistId)
            .where('track_id', '=', trackId)
            .execute();
        }
      }
      return true;
    });
  }
}
