import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { ppmToPercent, type Split } from '@fairstream/protocol';
import type { AssetKind, StageName } from '../db/schema.ts';
import { AppError, badRequest, conflict, forbidden, gone, notFound } from '../errors.ts';
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
import { BlockCache } from './block-cache.ts';
import type { CursorCodec } from './cursor.ts';
import type { AudioProbe, AudioTags, MediaToolkit } from './media-toolkit.ts';
import {
  type AccessRule,
  METADATA_FIELDS,
  parseAccess,
  parseRegistration,
  parseSplits,
  parseTrackFields,
  type RawFields,
  type RegistrationMode,
  rejectUnknownFields,
  type TrackFields,
  UPLOAD_FIELDS,
} from './track-fields.ts';
import { TtlCache } from './ttl-cache.ts';

export const MEDIA_JOB = 'media';

export interface PlayAccess {
  verdict: 'ok' | 'unknown_track' | 'no_access' | 'delisted';
  durationMs: number;
  /** For 'no_access': what the listener lacks. */
  detail?: string;
}

/** How the node reads token gates from the chain. */
export interface GateReader {
  /** The chain's head block number, shared among requests (ChainHead). */
  head: () => Promise<bigint>;
  /** A holder's balance of a gate token at a block, in base units. */
  balanceAt: (token: string, holder: string, block: bigint) => Promise<bigint>;
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
  /** Reads gate balances from the chain; without it gated renditions stream to no one but the artists. */
  gate?: GateReader;
  now?: () => number;
}

export class TracksService {
  readonly #tracks: TracksRepository;
  readonly #blobs: BlobStore;
  readonly #media: MediaToolkit;
  readonly #options: TracksServiceOptions;
  readonly #now: () => number;
  readonly #streamCache = new TtlCache<string, StreamableAsset[]>({ ttlMs: 2000, maxEntries: 10_000 });
  /** Balances by token and holder, each valid for the block it was read at. */
  readonly #gateBalances = new BlockCache<string, bigint>({ maxEntries: 100_000 });
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
    const registration = parseRegistration(input.fields.registration);

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
      return await this.#store(input, {
        fields,
        access,
        splits,
        registration,
        probe,
        tags,
        title,
        coverPath,
        coverMime,
      });
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
      registration: RegistrationMode;
      probe: AudioProbe;
      tags: AudioTags;
      title: string;
      coverPath: string | undefined;
      coverMime: string | undefined;
    },
  ): Promise<TrackRecord> {
    const { fields, access, splits, registration, probe, tags, title, coverPath, coverMime } = checked;
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
      registration,
      comments_disabled_at: null,
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
    this.#refuseDelisted(accessInfo(track), viewer);
    return track;
  }

  /**
   * The tracks among `ids` the viewer may see, by the same rule as `get`, in the order given
   * (unknown, hidden and delisted ones left out); for lists of tracks such as playlists.
   */
  async getMany(ids: readonly string[], viewer: Viewer): Promise<TrackRecord[]> {
    const found = new Map((await this.#tracks.findMany(ids)).map((track) => [track.id, track]));
    const visible: TrackRecord[] = [];
    for (const id of ids) {
      const track = found.get(id);
      if (!track) continue;
      const info = accessInfo(track);
      if ((await this.#canSee(info, viewer)) && !this.#isDelistedFor(info, viewer)) visible.push(track);
    }
    return visible;
  }

  /** The owner turns comments on the track off (existing ones stay) or back on. */
  async setCommentsEnabled(id: string, viewer: Viewer, enabled: boolean): Promise<TrackRecord> {
    const track = await this.#requireOwner(id, viewer);
    const now = this.#now();
    if (enabled !== (track.comments_disabled_at === null))
      await this.#tracks.setCommentsDisabled(id, enabled ? null : now, now);
    return this.#mustFind(id);
  }

  /**
   * Moderation: the caller has checked the operator. A delisted track leaves every listing, and
   * stops streaming to everyone but its owner at once in this process (within the 2 s caches in others).
   */
  async setDelisting(id: string, delisting: { reason: string } | null): Promise<TrackRecord> {
    const now = this.#now();
    const changed = await this.#tracks.setDelisting(
      id,
      delisting && { at: now, reason: delisting.reason },
      now,
    );
    if (!changed) throw notFound(`Track ${id}`);
    this.#forgetStreamables(id);
    return this.#mustFind(id);
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
    const records = await this.#tracks.findMany(page.map((row) => row.id));
    return {
      tracks: records,
      nextCursor:
        rows.length > query.limit && last
          ? this.#options.cursors.encode(scope, [last.created_at, last.id])
          : null,
    };
  }

  /**
   * Tracks by id, in that order, as the caller's query found them: the caller has already applied
   * the listing rule (isListed) or checked access; ids of deleted tracks are left out.
   */
  async records(ids: readonly string[]): Promise<TrackRecord[]> {
    return this.#tracks.findMany(ids);
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
    if (found?.track.state === 'ready') {
      const access = await this.#access(found.track, GATED_KINDS.has(found.asset.kind), viewer);
      if (access === 'ok') return { asset: found.asset };
      if (access === 'delisted') this.#refuseDelisted(found.track, viewer);
      if (access === 'gated') throw forbidden(gateRefusal(found.track.gate!, viewer));
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
        (await this.#access(track, GATED_KINDS.has(asset.kind), viewer)) === 'ok'
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
   * Whether each listener may have played each track in full, by the stream route's own rule
   * (`#access`): the track exists and is ready, the listener may see it (owner, collaborator, or a
   * public track, or a hidden one with `shareToken`, a share link the player streamed it through),
   * and a token-gated track needs the gate's balance in the listener's wallet at the chain's head.
   * A hidden track the listener may not see answers exactly as a missing one does, so reports never
   * reveal that it exists. Tracks are cached for 2 s and balances per block, so a batch of reports
   * costs no chain read while the head stays put.
   */
  async playAccess(
    plays: Array<{ trackId: string; listener: string }>,
    shareToken?: string,
  ): Promise<PlayAccess[]> {
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
    // A batch holds many reports of a few (track, listener) pairs: each pair is checked once, and
    // the pairs at once, so balances missing at a new block are read side by side.
    const checks = new Map<string, Promise<PlayAccess>>();
    return Promise.all(
      plays.map(({ trackId, listener }) => {
        const key = `${trackId} ${listener}`;
        let check = checks.get(key);
        if (!check) {
          check = this.#playAccessOf(tracks.get(trackId), { address: listener, shareToken });
          checks.set(key, check);
        }
        return check;
      }),
    );
  }

  async #playAccessOf(track: PlayableTrack | undefined, viewer: Viewer): Promise<PlayAccess> {
    if (track?.state !== 'ready') return UNKNOWN_TRACK;
    const access = await this.#access(track, true, viewer);
    if (access === 'hidden') return UNKNOWN_TRACK;
    if (access === 'delisted') {
      return {
        verdict: 'delisted',
        durationMs: track.durationMs,
        detail: "the node's operator delisted this track; its plays are no longer taken",
      };
    }
    if (access === 'gated') {
      const gate = track.gate!;
      return {
        verdict: 'no_access',
        durationMs: track.durationMs,
        detail:
          `the track is token-gated: it plays in full only for wallets holding at least ${gate.minBalance} ` +
          `base units of token ${gate.token}, and the listener's wallet holds less at the chain's latest block`,
      };
    }
    return { verdict: 'ok', durationMs: track.durationMs };
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

  /**
   * THE access rule for a ready track's media, shared by streaming, blobs and playback reports:
   * 'hidden' when the viewer may not see the track at all, 'gated' when `gated` media (a full
   * rendition) of a token-gated track needs a balance the viewer's wallet does not hold.
   */
  async #access(
    track: TrackAccessInfo,
    gated: boolean,
    viewer: Viewer,
  ): Promise<'ok' | 'hidden' | 'delisted' | 'gated'> {
    if (!(await this.#canSee(track, viewer))) return 'hidden';
    if (this.#isDelistedFor(track, viewer)) return 'delisted';
    return !gated || (await this.#passesGate(track, viewer)) ? 'ok' : 'gated';
  }

  /** Checked at stream time against the chain: the balance at the head, cached until the head moves. */
  async #passesGate(track: TrackAccessInfo, viewer: Viewer): Promise<boolean> {
    const gate = track.gate;
    if (!gate) return true;
    const holder = viewer.address;
    if (!holder) return false;
    if (holder === track.owner || track.collaborators.includes(holder)) return true;
    const chain = this.#options.gate;
    if (!chain) return false;
    let balance: bigint;
    try {
      const block = await chain.head();
      balance = await this.#gateBalances.get(`${gate.token}:${holder}`, block, () =>
        chain.balanceAt(gate.token, holder, block),
      );
    } catch (error) {
      throw new AppError(
        503,
        'chain_unavailable',
        "The node could not read the chain to check this track's token gate; try again shortly",
        { cause: error },
      );
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

  /** Delisting is public moderation: whoever could see the track learns it was taken down (410), only the owner why. */
  #refuseDelisted(track: TrackAccessInfo, viewer: Viewer): void {
    if (this.#isDelistedFor(track, viewer)) {
      throw gone(
        'track_delisted',
        `Track ${track.id} was delisted by this node's operator; it no longer streams or appears in listings`,
      );
    }
  }

  #isDelistedFor(track: TrackAccessInfo, viewer: Viewer): boolean {
    return track.delistedAt !== null && viewer.address !== track.owner;
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
  return {
    ...track,
    collaborators: track.splits.map((split) => split.address),
    gate: gateOf(track),
    delistedAt: track.delisted_at,
  };
}

/** Full renditions a token gate protects; the preview stays open to everyone who may see the track. */
const GATED_KINDS = new Set(['opus', 'aac', 'original']);

const UNKNOWN_TRACK: PlayAccess = Object.freeze({ verdict: 'unknown_track', durationMs: 0 });

function gateRefusal(gate: { token: string; minBalance: string }, viewer: Viewer): string {
  return (
    `This track streams in full to holders of at least ${gate.minBalance} base units of token ${gate.token}` +
    `${viewer.address ? '' : ' (sign in with that wallet)'}; everyone can play its preview (format=preview)`
  );
}

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
    registration: track.registration,
    ledger: track.chain_track_id ? { trackId: track.chain_track_id, transaction: track.chain_tx } : null,
    commentsEnabled: track.comments_disabled_at === null,
    // Only the owner (and operators) ever receive a delisted track, so the reason goes to them alone.
    delisted:
      track.delisted_at !== null ? { at: track.delisted_at, reason: track.delist_reason ?? '' } : null,
    countedPlays: track.counted_plays,
    createdAt: track.created_at,
    updatedAt: track.updated_at,
  };
}

export type TrackView = ReturnType<typeof toTrackView>;
