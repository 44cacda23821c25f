import { type Expression, type SqlBool, sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type {
  AssetKind,
  Database,
  StageName,
  StageState,
  TrackAssetTable,
  TrackStageTable,
  TrackTable,
} from '../db/schema.ts';
import { olderThan } from './keyset.ts';
import { searchIndexFor } from './search/search-index.ts';
import { searchDocument } from './search/text.ts';

export type TrackRow = TrackTable;
export type TrackAsset = Omit<TrackAssetTable, 'track_id'>;
export type TrackStage = Pick<TrackStageTable, 'stage' | 'state' | 'progress'>;

export interface TrackRecord extends TrackRow {
  /** Counted plays, all time (settled plays that counted). */
  counted_plays: number;
  splits: { address: string; ppm: number }[];
  assets: TrackAsset[];
  stages: TrackStage[];
}

/** What streaming needs to decide access and serve bytes, in one lookup. */
export interface StreamableAsset {
  track: TrackAccessInfo;
  asset: TrackAsset;
}

export interface TrackAccessInfo {
  id: string;
  owner: string;
  state: TrackRow['state'];
  visibility: TrackRow['visibility'];
  /** Split recipients: collaborators see a track whatever its visibility. */
  collaborators: string[];
  /** A token gate: full renditions only for holders of `minBalance` base units of `token`. */
  gate?: { token: string; minBalance: string } | null;
  /** Set when an operator delisted the track: then it streams to no one but its owner. */
  delistedAt: number | null;
}

export interface PlayableTrack extends TrackAccessInfo {
  durationMs: number;
}

export interface NewTrack {
  track: TrackRow;
  splits: { address: string; ppm: number }[];
  assets: TrackAsset[];
  stages: TrackStage[];
  job: { id: string; kind: string; payload: string };
}

export type TrackMetadataUpdate = Partial<
  Pick<TrackRow, 'title' | 'genre' | 'description' | 'tags' | 'release_date' | 'visibility' | 'artist_name'>
>;

export interface ListTracksQuery {
  owner?: string;
  /** Include processing, failed and hidden tracks: only for the owner's own listing. */
  includeUnlisted: boolean;
  before?: { createdAt: number; id: string };
  limit: number;
}

export class TracksRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** The track, its split, its original and its processing job are committed together or not at all. */
  async createWithJob(input: NewTrack): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.insertInto('tracks').values(input.track).execute();
      // Indexed from upload on: owners find their own tracks while they process; listing decides the rest.
      await searchIndexFor(trx).put(trx, input.track.id, searchDocument(input.track));
      await trx
        .insertInto('track_splits')
        .values(input.splits.map((split) => ({ track_id: input.track.id, ...split })))
        .execute();
      await insertAssets(trx, input.track.id, input.assets);
      await trx
        .insertInto('track_stages')
        .values(
          input.stages.map((stage) => ({
            track_id: input.track.id,
            ...stage,
            updated_at: input.track.created_at,
          })),
        )
        .execute();
      await trx
        .insertInto('jobs')
        .values({
          ...input.job,
          state: 'queued',
          attempts: 0,
          last_error: null,
          locked_at: null,
          run_after: null,
          created_at: input.track.created_at,
          updated_at: input.track.created_at,
        })
        .execute();
    });
  }

  async findById(id: string): Promise<TrackRecord | undefined> {
    const track = await this.#db.selectFrom('tracks').selectAll().where('id', '=', id).executeTakeFirst();
    if (!track) return undefined;
    const [splits, assets, stages, plays] = await Promise.all([
      this.#db
        .selectFrom('track_splits')
        .select(['address', 'ppm'])
        .where('track_id', '=', id)
        .orderBy('address')
        .execute(),
      this.#db
        .selectFrom('track_assets')
        .select(['kind', 'variant', 'cid', 'mime', 'size'])
        .where('track_id', '=', id)
        .orderBy('kind')
        .orderBy('variant')
        .execute(),
      this.#db
        .selectFrom('track_stages')
        .select(['stage', 'state', 'progress'])
        .where('track_id', '=', id)
        .execute(),
      this.#db
        .selectFrom('track_play_counts')
        .select('counted')
        .where('track_id', '=', id)
        .executeTakeFirst(),
    ]);
    return {
      ...track,
      counted_plays: Number(plays?.counted ?? 0),
      splits,
      assets,
      stages: sortStages(stages),
    };
  }

  /**
   * Many tracks with their splits, assets, stages and counted plays in five queries (a page of a
   * list, search results, a chart: not one lookup per item), in the order of `ids`; ids with no
   * track are left out.
   */
  async findMany(ids: readonly string[]): Promise<TrackRecord[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const [tracks, splits, assets, stages, plays] = await Promise.all([
      this.#db.selectFrom('tracks').selectAll().where('id', 'in', unique).execute(),
      this.#db
        .selectFrom('track_splits')
        .select(['track_id', 'address', 'ppm'])
        .where('track_id', 'in', unique)
        .orderBy('address')
        .execute(),
      this.#db
        .selectFrom('track_assets')
        .select(['track_id', 'kind', 'variant', 'cid', 'mime', 'size'])
        .where('track_id', 'in', unique)
        .orderBy('kind')
        .orderBy('variant')
        .execute(),
      this.#db
        .selectFrom('track_stages')
        .select(['track_id', 'stage', 'state', 'progress'])
        .where('track_id', 'in', unique)
        .execute(),
      this.#db
        .selectFrom('track_play_counts')
        .select(['track_id', 'counted'])
        .where('track_id', 'in', unique)
        .execute(),
    ]);
    const counted = new Map(plays.map((row) => [row.track_id, Number(row.counted)]));
    const records = new Map<string, TrackRecord>(
      tracks.map((track) => [
        track.id,
        { ...track, counted_plays: counted.get(track.id) ?? 0, splits: [], assets: [], stages: [] },
      ]),
    );
    for (const { track_id, ...split } of splits) records.get(track_id)?.splits.push(split);
    for (const { track_id, ...asset } of assets) records.get(track_id)?.assets.push(asset);
    for (const { track_id, ...stage } of stages) records.get(track_id)?.stages.push(stage);
    return unique.flatMap((id) => {
      const record = records.get(id);
      return record ? [{ ...record, stages: sortStages(record.stages) }] : [];
    });
  }

  async findAsset(trackId: string, kind: AssetKind, variant = ''): Promise<TrackAsset | undefined> {
    return this.#db
      .selectFrom('track_assets')
      .select(['kind', 'variant', 'cid', 'mime', 'size'])
      .where('track_id', '=', trackId)
      .where('kind', '=', kind)
      .where('variant', '=', variant)
      .executeTakeFirst();
  }

  /** The asset(s) matching a track rendition or a CID, each with its track's access facts. */
  async findStreamable(
    where: { trackId: string; kind: AssetKind } | { cid: string },
  ): Promise<StreamableAsset[]> {
    let query = this.#db
      .selectFrom('track_assets as a')
      .innerJoin('tracks as t', 't.id', 'a.track_id')
      .select([
        't.id',
        't.owner',
        't.state',
        't.visibility',
        't.access_kind',
        't.gate_token',
        't.gate_min_balance',
        't.delisted_at',
        'a.kind',
        'a.variant',
        'a.cid',
        'a.mime',
        'a.size',
      ]);
    query =
      'cid' in where
        ? query.where('a.cid', '=', where.cid)
        : query
            .where('a.track_id', '=', where.trackId)
            .where('a.kind', '=', where.kind)
            .where('a.variant', '=', '');
    const rows = await query.execute();
    if (rows.length === 0) return [];
    const splits = await this.#db
      .selectFrom('track_splits')
      .select(['track_id', 'address'])
      .where(
        'track_id',
        'in',
        rows.map((row) => row.id),
      )
      .execute();
    return rows.map((row) => ({
      track: {
        id: row.id,
        owner: row.owner,
        state: row.state,
        visibility: row.visibility,
        collaborators: splits.filter((split) => split.track_id === row.id).map((split) => split.address),
        gate: gateOf(row),
        delistedAt: row.delisted_at,
      },
      asset: { kind: row.kind, variant: row.variant, cid: row.cid, mime: row.mime, size: row.size },
    }));
  }

  /** Access facts (the gate included) and duration of many tracks in two queries, for checking playback reports. */
  async findPlayable(ids: string[]): Promise<PlayableTrack[]> {
    if (ids.length === 0) return [];
    const rows = await this.#db
      .selectFrom('tracks')
      .select([
        'id',
        'owner',
        'state',
        'visibility',
        'duration_ms',
        'access_kind',
        'gate_token',
        'gate_min_balance',
        'delisted_at',
      ])
      .where('id', 'in', ids)
      .execute();
    if (rows.length === 0) return [];
    const splits = await this.#db
      .selectFrom('track_splits')
      .select(['track_id', 'address'])
      .where(
        'track_id',
        'in',
        rows.map((row) => row.id),
      )
      .execute();
    return rows.map((row) => ({
      id: row.id,
      owner: row.owner,
      state: row.state,
      visibility: row.visibility,
      durationMs: row.duration_ms,
      delistedAt: row.delisted_at,
      collaborators: splits.filter((split) => split.track_id === row.id).map((split) => split.address),
      gate: gateOf(row),
    }));
  }

  async trackIdsWithAsset(cid: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('track_assets')
      .select('track_id')
      .distinct()
      .where('cid', '=', cid)
      .execute();
    return rows.map((row) => row.track_id);
  }

  async findByOwnerAndOriginal(owner: string, originalCid: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('tracks')
      .select('id')
      .where('owner', '=', owner)
      .where('original_cid', '=', originalCid)
      .executeTakeFirst();
    return row?.id;
  }

  async list(query: ListTracksQuery): Promise<TrackRow[]> {
    let select = this.#db.selectFrom('tracks').selectAll();
    if (query.owner) select = select.where('owner', '=', query.owner);
    if (!query.includeUnlisted) select = select.where(isListed);
    const before = query.before;
    if (before) {
      select = select.where((eb) =>
        olderThan(eb, 'created_at', ['id'], { at: before.createdAt, keys: [before.id] }),
      );
    }
    return select.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
  }

  /** Metadata, the search index, trending's genre and the release order change together. */
  async updateMetadata(id: string, update: TrackMetadataUpdate, now: number): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .updateTable('tracks')
        .set({ ...update, updated_at: now })
        .where('id', '=', id)
        .execute();
      const track = await trx
        .selectFrom('tracks')
        .select(['title', 'artist_name', 'tags', 'genre', 'release_date', 'ready_at'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!track) return;
      const changed = (field: keyof TrackMetadataUpdate) => update[field] !== undefined;
      if (changed('title') || changed('artist_name') || changed('tags') || changed('genre')) {
        await searchIndexFor(trx).put(trx, id, searchDocument(track));
      }
      if (changed('genre')) {
        await trx
          .updateTable('trending_scores')
          .set({ genre: track.genre })
          .where('track_id', '=', id)
          .execute();
      }
      if (changed('release_date') && track.ready_at != null) {
        await trx
          .updateTable('tracks')
          .set({ release_at: releaseAt(track.release_date, Number(track.ready_at)) })
          .where('id', '=', id)
          .execute();
      }
    });
  }

  /** `disabledAt` null turns comments back on. */
  async setCommentsDisabled(id: string, disabledAt: number | null, now: number): Promise<void> {
    await this.#db
      .updateTable('tracks')
      .set({ comments_disabled_at: disabledAt, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  /** An operator's delisting (null: relisted). False when there is no such track. */
  async setDelisting(
    id: string,
    delisting: { at: number; reason: string } | null,
    now: number,
  ): Promise<boolean> {
    const result = await this.#db
      .updateTable('tracks')
      .set({ delisted_at: delisting?.at ?? null, delist_reason: delisting?.reason ?? null, updated_at: now })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async setStage(
    trackId: string,
    stage: StageName,
    state: StageState,
    progress: number,
    now: number,
  ): Promise<void> {
    await this.#db
      .updateTable('track_stages')
      .set({ state, progress, updated_at: now })
      .where('track_id', '=', trackId)
      .where('stage', '=', stage)
      .execute();
  }

  /** When a stage last changed state: for a waiting stage, when it began to wait. */
  async stageChangedAt(trackId: string, stage: StageName): Promise<number | undefined> {
    const row = await this.#db
      .selectFrom('track_stages')
      .select('updated_at')
      .where('track_id', '=', trackId)
      .where('stage', '=', stage)
      .executeTakeFirst();
    return row?.updated_at;
  }

  /** Records the outputs of a finished stage in the same transaction that marks the stage done. */
  async completeStage(
    trackId: string,
    stages: StageName[],
    assets: TrackAsset[],
    fields: Partial<Pick<TrackRow, 'integrated_lufs' | 'true_peak_dbtp' | 'gain_db'>>,
    now: number,
  ): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await insertAssets(trx, trackId, assets);
      if (Object.keys(fields).length > 0) {
        await trx.updateTable('tracks').set(fields).where('id', '=', trackId).execute();
      }
      await trx
        .updateTable('track_stages')
        .set({ state: 'done', progress: 1, updated_at: now })
        .where('track_id', '=', trackId)
        .where('stage', 'in', stages)
        .execute();
    });
  }

  async recordRegistration(
    trackId: string,
    chainTrackId: string,
    transaction: string | null,
    now: number,
  ): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .updateTable('tracks')
        .set({ chain_track_id: chainTrackId, chain_tx: transaction })
        .where('id', '=', trackId)
        .execute();
      await trx
        .updateTable('track_stages')
        .set({ state: 'done', progress: 1, updated_at: now })
        .where('track_id', '=', trackId)
        .where('stage', '=', 'register')
        .execute();
    });
  }

  async markReady(trackId: string, now: number): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const track = await trx
        .selectFrom('tracks')
        .select('release_date')
        .where('id', '=', trackId)
        .executeTakeFirst();
      await trx
        .updateTable('track_stages')
        .set({ state: 'done', progress: 1, updated_at: now })
        .where('track_id', '=', trackId)
        .where('stage', '=', 'publish')
        .execute();
      await trx
        .updateTable('tracks')
        .set({
          state: 'ready',
          updated_at: now,
          ready_at: now,
          release_at: releaseAt(track?.release_date ?? null, now),
        })
        .where('id', '=', trackId)
        .where('state', '=', 'processing')
        .execute();
    });
  }

  async markFailed(
    trackId: string,
    stage: StageName,
    code: string,
    message: string,
    now: number,
  ): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .updateTable('track_stages')
        .set({ state: 'failed', updated_at: now })
        .where('track_id', '=', trackId)
        .where('stage', '=', stage)
        .execute();
      await trx
        .updateTable('tracks')
        .set({ state: 'failed', failure_code: code, failure_message: message, updated_at: now })
        .where('id', '=', trackId)
        .execute();
    });
  }

  /** Deletes the track and returns the blobs no other track still uses, for the caller to remove. */
  async delete(trackId: string): Promise<string[]> {
    return this.#db.transaction().execute(async (trx) => {
      const cids = (
        await trx
          .selectFrom('track_assets')
          .select('cid')
          .distinct()
          .where('track_id', '=', trackId)
          .execute()
      ).map((row) => row.cid);
      await trx.deleteFrom('track_stages').where('track_id', '=', trackId).execute();
      await trx.deleteFrom('track_assets').where('track_id', '=', trackId).execute();
      await trx.deleteFrom('track_splits').where('track_id', '=', trackId).execute();
      await trx.deleteFrom('share_links').where('track_id', '=', trackId).execute();
      await searchIndexFor(trx).remove(trx, trackId);
      // Its plays stay on record (and in the aggregates); it just leaves the charts.
      await trx.deleteFrom('trending_scores').where('track_id', '=', trackId).execute();
      await trx.deleteFrom('tracks').where('id', '=', trackId).execute();
      if (cids.length === 0) return [];
      const stillUsed = new Set(
        (await trx.selectFrom('track_assets').select('cid').where('cid', 'in', cids).execute()).map(
          (row) => row.cid,
        ),
      );
      return cids.filter((cid) => !stillUsed.has(cid));
    });
  }

  async createShareLink(id: string, trackId: string, tokenHash: string, now: number): Promise<void> {
    await this.#db
      .insertInto('share_links')
      .values({ id, track_id: trackId, token_hash: tokenHash, created_at: now, revoked_at: null })
      .execute();
  }

  async hasValidShareLink(trackId: string, tokenHash: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('share_links')
      .select('id')
      .where('track_id', '=', trackId)
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  async listShareLinks(
    trackId: string,
  ): Promise<{ id: string; created_at: number; revoked_at: number | null }[]> {
    return this.#db
      .selectFrom('share_links')
      .select(['id', 'created_at', 'revoked_at'])
      .where('track_id', '=', trackId)
      .orderBy('created_at')
      .execute();
  }

  async revokeShareLink(trackId: string, id: string, now: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('share_links')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('track_id', '=', trackId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}

const STAGE_ORDER: StageName[] = [
  'validate',
  'transcode',
  'loudness',
  'waveform',
  'artwork',
  'register',
  'publish',
];

function sortStages(stages: TrackStage[]): TrackStage[] {
  return [...stages].sort((a, b) => STAGE_ORDER.indexOf(a.stage) - STAGE_ORDER.indexOf(b.stage));
}

async function insertAssets(
  trx: Transaction<Database>,
  trackId: string,
  assets: TrackAsset[],
): Promise<void> {
  if (assets.length === 0) return;
  await trx
    .insertInto('track_assets')
    .values(assets.map((asset) => ({ track_id: trackId, ...asset })))
    .onConflict((conflict) =>
      conflict.columns(['track_id', 'kind', 'variant']).doUpdateSet((eb) => ({
        cid: eb.ref('excluded.cid'),
        mime: eb.ref('excluded.mime'),
        size: eb.ref('excluded.size'),
      })),
    )
    .execute();
}

/** Where a ready track sorts among new releases: its release date (UTC midnight), else when it became ready. */
export function releaseAt(releaseDate: string | null, readyAt: number): number {
  if (releaseDate) {
    const time = Date.parse(`${releaseDate}T00:00:00Z`);
    if (!Number.isNaN(time)) return time;
  }
  return readyAt;
}

/** The gate of a track row, or null for a free one. */
export function gateOf(row: Pick<TrackRow, 'access_kind' | 'gate_token' | 'gate_min_balance'>) {
  return row.access_kind === 'token' && row.gate_token && row.gate_min_balance
    ? { token: row.gate_token, minBalance: row.gate_min_balance }
    : null;
}

/**
 * The one rule for what anyone may see in a listing, feed, search, profile or trending: ready,
 * public and not delisted. For any query where the tracks table is named `tracks` (no alias):
 * `.where(isListed)`.
 */
export const isListed: Expression<SqlBool> = sql<SqlBool>`(tracks.state = 'ready' and tracks.visibility = 'public' and tracks.delisted_at is null)`;
