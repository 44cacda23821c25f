import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { ppmToPercent, type Split } from '@fairstream/protocol';
import type { AssetKind, StageName } from '../db/schema.ts';
import { badRequest, conflict, forbidden, notFound } from '../errors.ts';
import type {
  PlayableTrack,
  StreamableAsset,
  TrackAccessInfo,
  TrackAsset,
  TrackRecord,
  TrackRow,
  TracksRepository,
} from '../repositories/tracks.repository.ts';
import { gateOf } from '../repositories/tracks.repository.ts';
import type { BlobInfo, BlobStore } from '../storage/blob-store.ts';
import { hashToken } from './auth.service.ts';
import type { CursorCodec } from './cursor.ts';
import type { AudioProbe, AudioTags, MediaToolkit } from './media-toolkit.ts';
import {
  type AccessRule,
  METADATA_FIELDS,
  parseAccess,
  parseSplits,
  parseTrackFields,
  type RawFields,
  rejectUnknownFields,
  type TrackFields,
  UPLOAD_FIELDS,
} from './track-fields.ts';
import { TtlCache } from './ttl-cache.ts';

export const MEDIA_JOB = 'media';

export interface PlayAccess {
  verdict: 'ok' | 'unknown_track' | 'no_access';
  durationMs: number;
}

/** Who is asking: a signed-in address, a share-link token, both or neither. */
export interface Viewer {
  address?: string | undefined;
  shareToken?: string | undefined;
}

/** A file the HTTP layer has already streamed to a temp path, hashed on the way. */
export interface ReceivedFile {
  path: string;
  filename: string;
  mimetype: string;
  content: BlobInfo;
}

export interface UploadInput {
  owner: string;
  audio: ReceivedFile;
  cover?: ReceivedFile | undefined;
  fields: RawFields;
}

export const STREAM_FORMATS = ['opus', 'aac', 'mp3', 'original', 'preview'] as const;
export type StreamFormat = (typeof STREAM_FORMATS)[number];

const STAGES: StageName[] = [
  'validate',
  'transcode',
  'loudness',
  'waveform',
  'artwork',
  'register',
  'publish',
];

export interface TracksServiceOptions {
  /** Signs the listing's page cursors. */
  cursors: CursorCodec;
  /** Where temp files for embedded cover art are written (same file system as uploads). */
  tempPath: (suffix: string) => string;
  /** Called after a job is committed, so the worker picks it up without waiting for its poll. */
  onJobQueued: () => void;
  /** A holder's on-chain balance of a gate token; without it gated renditions stream to no one but the artists. */
  gateBalance?: (token: string, holder: string) => Promise<bigint>;
  now?: () => number;
}

export class TracksService {
  readonly #tracks: TracksRepository;
  readonly #blobs: BlobStore;
  readonly #media: MediaToolkit;
  readonly #options: TracksServiceOptions;
  readonly #now: () => number;
  readonly #streamCache = new TtlCache<string, StreamableAsset[]>({ ttlMs: 2000, maxEntries: 10_000 });
  readonly #gateBalances = new TtlCache<string, bigint>({ ttlMs: 2000, maxEntries: 100_000 });
  readonly #playableCache = new TtlCache<string, PlayableTrack>({ ttlMs: 2000, maxEntries: 10_000 });

  constructor(
    tracks: TracksRepository,
    blobs: BlobStore,
    media: MediaToolkit,
    options: TracksServiceOptions,
  ) {
    this.#tracks = tracks;
    this.#blobs = blobs;
    this.#media = media;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Validates everything before anything is stored, then commits the track, its split, its original
   * and its processing job together: a rejected upload leaves nothing behind, an accepted one is
   * never lost.
   */
  async upload(input: UploadInput): Promise<TrackRecord> {
    rejectUnknownFields(input.fields, UPLOAD_FIELDS);
    const fields = parseTrackFields(input.fields);
    const access = parseAccess(input.fields);
    const splits = parseSplits(input.fields.splits, input.owner);

    const existing = await this.#tracks.findByOwnerAndOriginal(input.owner, input.audio.content.cid);
    if (existing) {
      throw conflict(
        'duplicate_upload',
        `You already uploaded this audio as track ${existing}; edit that track instead`,
      );
    }

    const probe = await this.#media.probeAudio(input.audio.path);
    await this.#media.checkDecodes(input.audio.path, probe.durationMs);
    const tags = await this.#media.readTags(input.audio.path);
    const title = fields.title ?? tags.title?.trim().slice(0, 200);
    if (!title) {
      throw badRequest(
        'missing_title',
        'title is required (the audio file has no title tag to take it from)',
      );
    }

    const embeddedCover = input.cover ? undefined : await this.#writeEmbeddedCover(tags.picture);
    try {
      // A broken uploaded cover is the uploader's to fix; a broken embedded picture is just skipped.
      const coverMime = input.cover
        ? (await this.#media.checkImage(input.cover.path)).mime
        : embeddedCover
          ? await this.#media.checkImage(embeddedCover).then(
              (image) => image.mime,
              () => undefined,
            )
          : undefined;
      const coverPath = coverMime ? (input.cover?.path ?? embeddedCover) : undefined;
      return await this.#store(input, { fields, access, splits, probe, tags, title, coverPath, coverMime });
    } finally {
      if (embeddedCover) await rm(embeddedCover, { force: true });
    }
  }

  /** Moves the validated files into the blob store and commits; undoes the blobs if the commit fails. */
  async #store(
    input: UploadInput,
    checked: {
      fields: TrackFields;
      access: AccessRule;
      splits: Split[];
      probe: AudioProbe;
      tags: AudioTags;
      title: string;
      coverPath: string | undefined;
      coverMime: string | undefined;
    },
  ): Promise<TrackRecord> {
    const { fields, access, splits, probe, tags, title, coverPath, coverMime } = checked;
    const now = this.#now();
    const id = randomBytes(9).toString('base64url');
    const original = await this.#blobs.putFile(input.audio.path, input.audio.content);
    const assets: TrackAsset[] = [
      { kind: 'original', variant: '', cid: original.cid, mime: input.audio.mimetype, size: original.size },
    ];
    if (coverPath && coverMime) {
      const cover = await this.#blobs.putFile(coverPath, input.cover?.content);
      assets.push({ kind: 'cover_source', variant: '', cid: cover.cid, mime: coverMime, size: cover.size });
    }
    const track: TrackRow = {
      id,
      owner: input.owner,
      title,
      artist_name: fields.artistName ?? tags.artist?.slice(0, 200) ?? null,
      genre: fields.genre ?? tags.genre?.toLowerCase().slice(0, 50) ?? null,
      description: fields.description ?? null,
      tags: JSON.stringify(fields.tags ?? []),
      release_date: fields.releaseDate ?? (tags.year ? `${tags.year}-01-01` : null),
      visibility: fields.visibility ?? 'public',
      access_kind: access.kind,
      gate_token: access.token,
      gate_min_balance: access.minBalance,
      state: 'processing',
      failure_code: null,
      failure_message: null,
      duration_ms: probe.durationMs,
      original_cid: original.cid,
      original_name: input.audio.filename,
      original_mime: input.audio.mimetype,
      integrated_lufs: null,
      true_peak_dbtp: null,
      gain_db: null,
      chain_track_id: null,
      chain_tx: null,
      delisted_at: null,
      delist_reason: null,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.#tracks.createWithJob({
        track,
        splits,
        assets,
        stages: STAGES.map((stage) => ({
          stage,
          state: stage === 'validate' ? 'done' : stage === 'artwork' && !coverPath ? 'skipped' : 'pending',
          progress: stage === 'validate' ? 1 : 0,
        })),
        job: { id: `media-${id}`, kind: MEDIA_JOB, payload: JSON.stringify({ trackId: id }) },
      });
    } catch (error) {
      for (const asset of assets) {
        if ((await this.#tracks.trackIdsWithAsset(asset.cid)).length === 0)
          await this.#blobs.delete(asset.cid);
      }
      throw error;
    }
    this.#options.onJobQueued();
    return this.#mustFind(id);
  }

  /** A track as the viewer may see it; hidden or unfinished tracks of others do not exist for them. */
  async get(id: string, viewer: Viewer): Promise<TrackRecord> {
    const track = await this.#tracks.findById(id);
    if (!track || !(await this.#canSee(accessInfo(track), viewer))) throw notFound(`Track ${id}`);
    return track;
  }

  async list(
    query: { owner?: string | undefined; cursor?: string | undefined; limit: number },
    viewer: Viewer,
  ) {
    const scope = `tracks:${query.owner ?? ''}`;
    const before = query.cursor
      ? (([createdAt, id]) => ({ createdAt: createdAt as number, id: id as string }))(
          this.#options.cursors.decode(scope, query.cursor, ['integer', 'string']),
        )
      : undefined;
    const rows = await this.#tracks.list({
      owner: query.owner?.toLowerCase(),
      includeUnlisted: query.owner !== undefined && query.owner.toLowerCase() === viewer.address,
      before,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const records = await Promise.all(page.map((row) => this.#mustFind(row.id)));
    return {
      tracks: records,
      nextCursor:
        rows.length > query.limit && last
          ? this.#options.cursors.encode(scope, [last.created_at, last.id])
          : null,
    };
  }

  async update(id: string, viewer: Viewer, raw: RawFields): Promise<TrackRecord> {
    rejectUnknownFields(raw, METADATA_FIELDS);
    await this.#requireOwner(id, viewer);
    const fields = parseTrackFields(raw);
    if (Object.keys(fields).length === 0) {
      throw badRequest('empty_update', `Send at least one of ${METADATA_FIELDS.join(', ')}`);
    }
    await this.#tracks.updateMetadata(
      id,
      {
        ...(fields.title !== undefined && { title: fields.title }),
        ...(fields.artistName !== undefined && { artist_name: fields.artistName }),
        ...(fields.genre !== undefined && { genre: fields.genre }),
        ...(fields.description !== undefined && { description: fields.description }),
        ...(fields.tags !== undefined && { tags: JSON.stringify(fields.tags) }),
        ...(fields.releaseDate !== undefined && { release_date: fields.releaseDate }),
        ...(fields.visibility !== undefined && { visibility: fields.visibility }),
      },
      this.#now(),
    );
    this.#forgetStreamables(id);
    return this.#mustFind(id);
  }

  async delete(id: string, viewer: Viewer): Promise<void> {
    await this.#requireOwner(id, viewer);
    const orphans = await this.#tracks.delete(id);
    this.#forgetStreamables(id);
    // Blobs go after the rows: a crash in between leaves an unreferenced blob, never a dangling row.
    for (const cid of orphans) await this.#blobs.delete(cid);
  }

  /** The blob to stream for a format, after the access checks streaming requires. */
  async streamAsset(id: string, format: StreamFormat, viewer: Viewer): Promise<{ asset: TrackAsset }> {
    const missing = () =>
      notFound(`The ${format} rendition of track ${id} (available: opus, aac, original, preview)`);
    if (format === 'mp3') {
      await this.get(id, viewer);
      throw missing();
    }
    const [found] = await this.#streamables(`track:${id}:${format}`, () =>
      this.#tracks.findStreamable({ trackId: id, kind: format }),
    );
    if (found?.track.state === 'ready' && (await this.#canSee(found.track, viewer))) {
      await this.#requireGatePassed(found, viewer);
      return { asset: found.asset };
    }
    // The slow path only explains the refusal: unknown or hidden (404), unfinished (409), or no such rendition.
    const track = await this.get(id, viewer);
    if (track.state !== 'ready') {
      throw conflict('not_ready', `Track ${id} is ${track.state}; it streams once processing is done`);
    }
    throw missing();
  }

  /** A content-addressed blob, served only when it belongs to a track the viewer may see. */
  async blobForViewer(cid: string, viewer: Viewer): Promise<{ asset: TrackAsset; public: boolean }> {
    for (const { track, asset } of await this.#streamables(`cid:${cid}`, () =>
      this.#tracks.findStreamable({ cid }),
    )) {
      if (
        track.state === 'ready' &&
        (await this.#canSee(track, viewer)) &&
        (await this.#passesGate(track, asset, viewer))
      ) {
        return { asset, public: track.visibility === 'public' };
      }
    }
    throw notFound(`Blob ${cid}`);
  }

  /** Ready assets are cached briefly; anything else is looked up every time so it shows up at once. */
  async #streamables(key: string, load: () => Promise<StreamableAsset[]>): Promise<StreamableAsset[]> {
    const cached = this.#streamCache.get(key);
    if (cached) return cached;
    const found = await load();
    if (found.length > 0 && found.every((entry) => entry.track.state === 'ready'))
      this.#streamCache.set(key, found);
    return found;
  }

  /**
   * Whether each listener may have played each track, by the same rules as seeing it: the track
   * must exist and be ready, and a hidden one is playable only by its owner and collaborators (a
   * share-link play is anonymous: its report is refused). Ready tracks are cached for 2 s.
   */
  async playAccess(plays: Array<{ trackId: string; listener: string }>): Promise<PlayAccess[]> {
    const tracks = new Map<string, PlayableTrack | undefined>();
    const missing: string[] = [];
    for (const { trackId } of plays) {
      if (tracks.has(trackId)) continue;
      const cached = this.#playableCache.get(trackId);
      tracks.set(trackId, cached);
      if (!cached) missing.push(trackId);
    }
    for (const track of await this.#tracks.findPlayable(missing)) {
      tracks.set(track.id, track);
      if (track.state === 'ready') this.#playableCache.set(track.id, track);
    }
    const verdicts: PlayAccess[] = [];
    for (const { trackId, listener } of plays) {
      const track = tracks.get(trackId);
      if (track?.state !== 'ready') verdicts.push({ verdict: 'unknown_track', durationMs: 0 });
      else {
        const visible = await this.#canSee(track, { address: listener });
        verdicts.push({ verdict: visible ? 'ok' : 'no_access', durationMs: track.durationMs });
      }
    }
    return verdicts;
  }

  #forgetStreamables(trackId: string): void {
    this.#playableCache.delete(trackId);
    this.#streamCache.deleteWhere((key) => key.startsWith(`track:${trackId}:`) || key.startsWith('cid:'));
  }

  async createShareLink(
    id: string,
    viewer: Viewer,
  ): Promise<{ id: string; token: string; createdAt: number }> {
    await this.#requireOwner(id, viewer);
    const linkId = randomBytes(6).toString('base64url');
    const token = randomBytes(18).toString('base64url');
    const now = this.#now();
    await this.#tracks.createShareLink(linkId, id, hashToken(token), now);
    return { id: linkId, token, createdAt: now };
  }

  async listShareLinks(id: string, viewer: Viewer) {
    await this.#requireOwner(id, viewer);
    return (await this.#tracks.listShareLinks(id)).map((link) => ({
      id: link.id,
      createdAt: link.created_at,
      revokedAt: link.revoked_at,
    }));
  }

  async revokeShareLink(id: string, linkId: string, viewer: Viewer): Promise<void> {
    await this.#requireOwner(id, viewer);
    if (!(await this.#tracks.revokeShareLink(id, linkId, this.#now())))
      throw notFound(`Share link ${linkId}`);
  }

  async #requireGatePassed(found: StreamableAsset, viewer: Viewer): Promise<void> {
    if (await this.#passesGate(found.track, found.asset, viewer)) return;
    const gate = found.track.gate!;
    throw forbidden(
      `This track streams in full to holders of at least ${gate.minBalance} base units of token ${gate.token}` +
        `${viewer.address ? '' : ' (sign in with that wallet)'}; everyone can play its preview (format=preview)`,
    );
  }

  /** Checked at stream time against the chain, cached for a couple of seconds (about a block). */
  async #passesGate(track: TrackAccessInfo, asset: TrackAsset, viewer: Viewer): Promise<boolean> {
    const gate = track.gate;
    if (!gate || !GATED_KINDS.has(asset.kind)) return true;
    const holder = viewer.address;
    if (!holder) return false;
    if (holder === track.owner || track.collaborators.includes(holder)) return true;
    const balanceOf = this.#options.gateBalance;
    if (!balanceOf) return false;
    const key = `${gate.token}:${holder}`;
    let balance = this.#gateBalances.get(key);
    if (balance === undefined) {
      balance = await balanceOf(gate.token, holder);
      this.#gateBalances.set(key, balance);
    }
    return balance >= BigInt(gate.minBalance);
  }

  async #canSee(track: TrackAccessInfo, viewer: Viewer): Promise<boolean> {
    if (viewer.address && (track.owner === viewer.address || track.collaborators.includes(viewer.address))) {
      return true;
    }
    if (track.state !== 'ready') return false;
    if (track.visibility === 'public') return true;
    return (
      viewer.shareToken !== undefined &&
      (await this.#tracks.hasValidShareLink(track.id, hashToken(viewer.shareToken)))
    );
  }

  async #requireOwner(id: string, viewer: Viewer): Promise<TrackRecord> {
    const track = await this.get(id, viewer);
    if (track.owner !== viewer.address) throw forbidden(`Only the owner of track ${id} may change it`);
    return track;
  }

  async #mustFind(id: string): Promise<TrackRecord> {
    const track = await this.#tracks.findById(id);
    if (!track) throw notFound(`Track ${id}`);
    return track;
  }

  /** The picture embedded in the audio's tags, as a temp file to validate like an uploaded cover. */
  async #writeEmbeddedCover(
    embedded: { data: Uint8Array; mime: string } | undefined,
  ): Promise<string | undefined> {
    if (!embedded || embedded.data.byteLength === 0) return undefined;
    const path = this.#options.tempPath('.cover');
    await writeFile(path, embedded.data);
    return path;
  }
}

function accessInfo(track: TrackRecord): TrackAccessInfo {
  return { ...track, collaborators: track.splits.map((split) => split.address), gate: gateOf(track) };
}

/** Full renditions a token gate protects; the preview stays open to everyone who may see the track. */
const GATED_KINDS = new Set(['opus', 'aac', 'original']);

/** The public shape of a track; percentages are exact strings derived from ppm. */
export function toTrackView(track: TrackRecord, apiBase: string) {
  const blobUrl = (cid: string) => `${apiBase}/blobs/${cid}`;
  const asset = (kind: AssetKind) => track.assets.find((a) => a.kind === kind && a.variant === '');
  const renditions = (['opus', 'aac', 'preview', 'original'] as const).flatMap((kind) => {
    const found = asset(kind);
    return found && track.state === 'ready'
      ? [
          {
            format: kind,
            mime: found.mime,
            size: found.size,
            cid: found.cid,
            url: `${apiBase}/tracks/${track.id}/stream?format=${kind}`,
          },
        ]
      : [];
  });
  const waveform = asset('waveform');
  return {
    id: track.id,
    owner: track.owner,
    title: track.title,
    artistName: track.artist_name,
    genre: track.genre,
    description: track.description,
    tags: JSON.parse(track.tags) as string[],
    releaseDate: track.release_date,
    visibility: track.visibility,
    access:
      track.access_kind === 'token'
        ? { kind: 'token' as const, token: track.gate_token, minBalance: track.gate_min_balance }
        : { kind: 'free' as const, token: null, minBalance: null },
    splits: track.splits.map((split) => ({
      address: split.address,
      ppm: split.ppm,
      percent: ppmToPercent(split.ppm),
    })),
    state: track.state,
    stages: track.stages.map((stage) => ({
      name: stage.stage,
      state: stage.state,
      progress: stage.progress,
    })),
    failure: track.failure_code ? { code: track.failure_code, message: track.failure_message ?? '' } : null,
    durationMs: track.duration_ms,
    loudness:
      track.integrated_lufs !== null
        ? {
            integratedLufs: track.integrated_lufs,
            truePeakDbtp: track.true_peak_dbtp ?? 0,
            gainDb: track.gain_db ?? 0,
          }
        : null,
    renditions,
    waveformUrl: waveform && track.state === 'ready' ? blobUrl(waveform.cid) : null,
    cover:
      track.state === 'ready'
        ? track.assets
            .filter((a) => a.kind === 'cover')
            .map((a) => ({ variant: a.variant, mime: a.mime, url: blobUrl(a.cid) }))
        : [],
    ledger: track.chain_track_id ? { trackId: track.chain_track_id, transaction: track.chain_tx } : null,
    countedPlays: track.counted_plays,
    createdAt: track.created_at,
    updatedAt: track.updated_at,
  };
}

export type TrackView = ReturnType<typeof toTrackView>;
