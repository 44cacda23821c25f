import { randomBytes } from 'node:crypto';
import type { PlaylistKind, Visibility } from '../db/schema.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../errors.ts';
import type {
  PlaylistRow,
  PlaylistSummaryRow,
  PlaylistsRepository,
  PlaylistUpdate,
} from '../repositories/playlists.repository.ts';
import type { TrackRecord } from '../repositories/tracks.repository.ts';
import type { CursorCodec } from './cursor.ts';
import { characters, isStorableText } from './text.ts';
import type { TracksService, Viewer } from './tracks.service.ts';

/** Large enough for any album or mixtape; small enough that a playlist page is one response. */
export const MAX_PLAYLIST_TRACKS = 500;
const LIMITS = { title: 200, description: 5000 } as const;

export interface PlaylistsServiceOptions {
  cursors: CursorCodec;
  now?: () => number;
}

export interface PlaylistInput {
  title?: string | undefined;
  description?: string | null | undefined;
  visibility?: Visibility | undefined;
}

export class PlaylistsService {
  readonly #playlists: PlaylistsRepository;
  readonly #tracks: TracksService;
  readonly #options: PlaylistsServiceOptions;
  readonly #now: () => number;

  constructor(playlists: PlaylistsRepository, tracks: TracksService, options: PlaylistsServiceOptions) {
    this.#playlists = playlists;
    this.#tracks = tracks;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async create(owner: string, input: PlaylistInput & { kind?: PlaylistKind | undefined }) {
    const fields = checkFields(input);
    if (fields.title === undefined)
      throw badRequest('invalid_title', 'title is required (1 to 200 characters)');
    const now = this.#now();
    const playlist: PlaylistRow = {
      id: randomBytes(9).toString('base64url'),
      owner,
      kind: input.kind ?? 'playlist',
      title: fields.title,
      description: fields.description ?? null,
      visibility: fields.visibility ?? 'public',
      created_at: now,
      updated_at: now,
    };
    await this.#playlists.insert(playlist);
    return toPlaylistView(playlist, []);
  }

  /** A playlist with the tracks the viewer may see; a hidden one exists only for its owner. */
  async get(id: string, viewer: Viewer) {
    const playlist = await this.#visible(id, viewer);
    const entries = await this.#playlists.entries(id);
    const tracks = new Map(
      (
        await this.#tracks.getMany(
          entries.map((entry) => entry.track_id),
          viewer,
        )
      ).map((track) => [track.id, track]),
    );
    return toPlaylistView(
      playlist,
      entries.flatMap((entry) => {
        const track = tracks.get(entry.track_id);
        return track ? [{ position: entry.position, addedAt: entry.added_at, track }] : [];
      }),
    );
  }

  /** One account's playlists, newest first: public ones, and hidden ones too for the account itself. */
  async list(
    query: { owner: string; kind?: PlaylistKind | undefined; cursor?: string | undefined; limit: number },
    viewer: Viewer,
  ) {
    const owner = query.owner.toLowerCase();
    const scope = `playlists:${owner}:${query.kind ?? ''}`;
    const before = query.cursor
      ? (([createdAt, id]) => [createdAt as number, id as string] as [number, string])(
          this.#options.cursors.decode(scope, query.cursor, ['integer', 'string']),
        )
      : undefined;
    const rows = await this.#playlists.listByOwner({
      owner,
      includeHidden: owner === viewer.address,
      kind: query.kind,
      viewer: viewer.address,
      before,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      playlists: page.map(toPlaylistSummary),
      nextCursor:
        rows.length > query.limit && last
          ? this.#options.cursors.encode(scope, [last.created_at, last.id])
          : null,
    };
  }

  async update(id: string, viewer: Viewer, input: PlaylistInput) {
    await this.#owned(id, viewer);
    const fields = checkFields(input);
    if (Object.keys(fields).length === 0) {
      throw badRequest('empty_update', 'Send at least one of title, description, visibility');
    }
    await this.#playlists.update(id, fields, this.#now());
    return this.get(id, viewer);
  }

  async delete(id: string, viewer: Viewer): Promise<void> {
    await this.#owned(id, viewer);
    await this.#playlists.delete(id);
  }

  /**
   * Adds a track the owner may see, at `position` (0-based; default the end). An album takes only
   * its owner's own tracks. A track is in a playlist at most once.
   */
  async addTrack(id: string, viewer: Viewer, trackId: string, position: number | undefined) {
    const playlist = await this.#owned(id, viewer);
    const track = await this.#tracks.get(trackId, viewer);
    if (playlist.kind === 'album' && track.owner !== playlist.owner) {
      throw new AppError(
        422,
        'not_own_track',
        `An album holds only its artist's own tracks; track ${trackId} belongs to ${track.owner}`,
      );
    }
    await this.#reorder(id, (trackIds) => {
      if (trackIds.includes(trackId)) {
        throw conflict(
          'already_in_playlist',
          `Track ${trackId} is already in playlist ${id}; move it instead`,
        );
      }
      if (trackIds.length >= MAX_PLAYLIST_TRACKS) {
        throw new AppError(
          422,
          'playlist_full',
          `A playlist holds at most ${MAX_PLAYLIST_TRACKS} tracks; remove one first`,
        );
      }
      const at = checkPosition(position ?? trackIds.length, trackIds.length);
      return [...trackIds.slice(0, at), trackId, ...trackIds.slice(at)];
    });
    return this.get(id, viewer);
  }

  /** Moves a track to `position` (0-based, among all of the playlist's tracks). */
  async moveTrack(id: string, viewer: Viewer, trackId: string, position: number) {
    await this.#owned(id, viewer);
    await this.#reorder(id, (trackIds) => {
      const from = trackIds.indexOf(trackId);
      if (from === -1) throw notFound(`Track ${trackId} in playlist ${id}`);
      const rest = trackIds.filter((other) => other !== trackId);
      const at = checkPosition(position, rest.length);
      return [...rest.slice(0, at), trackId, ...rest.slice(at)];
    });
    return this.get(id, viewer);
  }

  async removeTrack(id: string, viewer: Viewer, trackId: string): Promise<void> {
    await this.#owned(id, viewer);
    await this.#reorder(id, (trackIds) => {
      if (!trackIds.includes(trackId)) throw notFound(`Track ${trackId} in playlist ${id}`);
      return trackIds.filter((other) => other !== trackId);
    });
  }

  async #reorder(id: string, plan: (trackIds: string[]) => string[]): Promise<void> {
    // The playlist can be deleted between the owner check and this transaction.
    if (!(await this.#playlists.reorder(id, this.#now(), plan))) throw notFound(`Playlist ${id}`);
  }

  async #visible(id: string, viewer: Viewer): Promise<PlaylistRow> {
    const playlist = await this.#playlists.findById(id);
    if (!playlist || (playlist.visibility === 'hidden' && playlist.owner !== viewer.address)) {
      throw notFound(`Playlist ${id}`);
    }
    return playlist;
  }

  async #owned(id: string, viewer: Viewer): Promise<PlaylistRow> {
    const playlist = await this.#visible(id, viewer);
    if (playlist.owner !== viewer.address) throw forbidden(`Only the owner of playlist ${id} may change it`);
    return playlist;
  }
}

function checkFields(input: PlaylistInput): PlaylistUpdate {
  const fields: PlaylistUpdate = {};
  if (input.title !== undefined) {
    const title = input.title.trim();
    if (title === '' || characters(title) > LIMITS.title) {
      throw badRequest('invalid_title', `title must be 1 to ${LIMITS.title} characters (not only spaces)`);
    }
    fields.title = checkStorable('title', title);
  }
  if (input.description !== undefined) {
    const description = input.description?.trim() || null;
    if (description !== null && characters(description) > LIMITS.description) {
      throw badRequest('invalid_description', `description must be at most ${LIMITS.description} characters`);
    }
    fields.description = description && checkStorable('description', description);
  }
  if (input.visibility !== undefined) fields.visibility = input.visibility;
  return fields;
}

/** Text that Postgres and SQLite store exactly as given: no NUL characters, no unpaired surrogates. */
function checkStorable(field: string, text: string): string {
  if (!isStorableText(text)) {
    throw badRequest(`invalid_${field}`, `${field} must be valid Unicode text without NUL characters`);
  }
  return text;
}

function checkPosition(position: number, max: number): number {
  if (!Number.isSafeInteger(position) || position < 0 || position > max) {
    throw badRequest('invalid_position', `position must be a whole number from 0 to ${max}`);
  }
  return position;
}

type PlaylistItem = { position: number; addedAt: number; track: TrackRecord };

export function toPlaylistSummary(playlist: PlaylistSummaryRow) {
  return {
    id: playlist.id,
    owner: playlist.owner,
    kind: playlist.kind,
    title: playlist.title,
    description: playlist.description,
    visibility: playlist.visibility,
    trackCount: playlist.track_count,
    createdAt: playlist.created_at,
    updatedAt: playlist.updated_at,
  };
}

/** The playlist with its items; the route turns each TrackRecord into the public track view. */
function toPlaylistView(playlist: PlaylistRow, items: PlaylistItem[]) {
  return { ...toPlaylistSummary({ ...playlist, track_count: items.length }), items };
}

export type PlaylistView = ReturnType<typeof toPlaylistView>;
