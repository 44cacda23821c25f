import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { TrackRegistration } from '../chain/track-registrar.ts';
import type { StageName } from '../db/schema.ts';
import type { JobsRepository } from '../repositories/jobs.repository.ts';
import type { TrackAsset, TrackRecord, TracksRepository } from '../repositories/tracks.repository.ts';
import type { MediaToolkit } from '../services/media-toolkit.ts';
import { MEDIA_JOB } from '../services/tracks.service.ts';
import type { BlobStore } from '../storage/blob-store.ts';

const MAX_ATTEMPTS = 3;
const PROGRESS_WRITE_INTERVAL_MS = 500;
/** A job whose lock is older than this is taken over by another node sharing the database. */
export const STALE_JOB_MS = 5 * 60 * 1000;
const HEARTBEAT_MS = 30 * 1000;
/**
 * How often a track waiting for its artist's registration is looked up on the ledger: every couple
 * of seconds at first (the artist is usually sending it right now), then less often the longer it
 * waits, so abandoned uploads cost almost nothing.
 */
const REGISTRATION_CHECK_MS = { first: 2000, last: 60_000 };

export interface MediaWorkerOptions {
  workDir: string;
  concurrency: number;
  pollIntervalMs?: number;
  logger: Logger;
  /** The local path of a blob's bytes (the blob store's own file, or a downloaded copy). */
  localPath: (cid: string, scratchDir: string) => Promise<string>;
  /**
   * Puts a processed track on the ledger (TrackRegistry) before it is published, or says it waits
   * for the artist's own registration; fails for an entry that does not match the track.
   */
  registerOnLedger: (track: TrackRecord) => Promise<TrackRegistration>;
  /** Errors that are the file's fault: the track fails with this reason and is not retried. */
  isPermanent: (error: unknown) => error is Error & { code: string };
  /** How often a track waiting for its artist's registration is looked up (first, and at most). */
  registrationCheckMs?: { first: number; last: number };
  now?: () => number;
}

/**
 * Turns uploaded originals into streamable tracks. Each finished stage is committed with its outputs,
 * so after a crash the requeued job skips what is done and redoes only the stage that was cut off.
 * A track becomes `ready` (listed, streamable) only in the last step.
 */
export class MediaWorker {
  readonly #jobs: JobsRepository;
  readonly #tracks: TracksRepository;
  readonly #blobs: BlobStore;
  readonly #media: MediaToolkit;
  readonly #options: MediaWorkerOptions;
  readonly #now: () => number;
  readonly #running = new Set<Promise<void>>();
  #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #draining = false;

  constructor(
    jobs: JobsRepository,
    tracks: TracksRepository,
    blobs: BlobStore,
    media: MediaToolkit,
    options: MediaWorkerOptions,
  ) {
    this.#jobs = jobs;
    this.#tracks = tracks;
    this.#blobs = blobs;
    this.#media = media;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Requeues jobs a previous process left running, then starts polling (again, after stop()). */
  async start(requeueBefore: number): Promise<void> {
    if (this.#abort.signal.aborted) this.#abort = new AbortController();
    const requeued = await this.#jobs.requeueStale(requeueBefore, this.#now());
    if (requeued > 0) this.#options.logger.info({ requeued }, 'resuming media jobs left by a previous run');
    this.#timer = setInterval(() => this.wake(), this.#options.pollIntervalMs ?? 1000);
    this.wake();
  }

  /** Looks for queued work now instead of at the next poll. */
  wake(): void {
    if (this.#draining || this.#abort.signal.aborted) return;
    this.#draining = true;
    void this.#fill().finally(() => {
      this.#draining = false;
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#abort.abort();
    await Promise.allSettled([...this.#running]);
  }

  /** Resolves once no job is running or queued; for tests and benchmarks. */
  async idle(): Promise<void> {
    while (this.#running.size > 0 || this.#draining) {
      await Promise.allSettled([...this.#running]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async #fill(): Promise<void> {
    while (this.#running.size < this.#options.concurrency && !this.#abort.signal.aborted) {
      const job = await this.#jobs.claimNext(MEDIA_JOB, this.#now());
      if (!job) return;
      const run = this.#run(job.id, job.payload, job.attempts).finally(() => {
        this.#running.delete(run);
        this.wake();
      });
      this.#running.add(run);
    }
  }

  async #run(jobId: string, payload: string, attempts: number): Promise<void> {
    const { trackId } = JSON.parse(payload) as { trackId: string };
    const log = this.#options.logger.child({ jobId, trackId });
    const scratch = join(this.#options.workDir, trackId);
    let stage: StageName = 'transcode';
    // Other nodes sharing the database take over a job whose lock goes stale; keep ours fresh.
    const heartbeat = setInterval(() => {
      this.#jobs
        .heartbeat(jobId, this.#now())
        .catch((error) => log.warn({ err: error }, 'job heartbeat failed'));
    }, HEARTBEAT_MS);
    try {
      const track = await this.#tracks.findById(trackId);
      if (track?.state !== 'processing') {
        await this.#jobs.complete(jobId, this.#now());
        return;
      }
      await rm(scratch, { recursive: true, force: true });
      await mkdir(scratch, { recursive: true });
      if (!isDone(track, 'transcode')) await this.#transcode(track, scratch, log);
      stage = 'artwork';
      if (!isDone(track, 'artwork')) await this.#artwork(track, scratch);
      stage = 'register';
      if (!isDone(track, 'register')) {
        const waiting = stageState(track, 'register') === 'waiting';
        if (!waiting) await this.#tracks.setStage(trackId, 'register', 'running', 0, this.#now());
        const registration = await this.#options.registerOnLedger(track);
        if (registration.state === 'waiting') {
          await this.#waitForArtist(jobId, trackId, waiting);
          if (!waiting) log.info('waiting for the artist to register the track from their wallet');
          return;
        }
        await this.#tracks.recordRegistration(
          trackId,
          registration.chainTrackId,
          registration.transaction ?? null,
          this.#now(),
        );
      }
      stage = 'publish';
      // markReady only moves a track that is still processing, so a track deleted meanwhile stays gone.
      await this.#tracks.markReady(trackId, this.#now());
      await this.#jobs.complete(jobId, this.#now());
      log.info({ attempts }, 'track is ready');
    } catch (error) {
      if (this.#abort.signal.aborted) {
        log.info('media job interrupted by shutdown; it resumes on the next start');
        return;
      }
      if (this.#options.isPermanent(error)) {
        log.warn({ err: error, stage }, 'track failed processing');
        await this.#tracks.markFailed(trackId, stage, error.code, error.message, this.#now());
        await this.#jobs.fail(jobId, error.message, this.#now());
      } else if (attempts >= MAX_ATTEMPTS) {
        log.error({ err: error, stage }, 'media job failed for good');
        await this.#tracks.markFailed(
          trackId,
          stage,
          'processing_failed',
          `Processing failed at the ${stage} stage after ${attempts} attempts; delete the track and upload it again`,
          this.#now(),
        );
        await this.#jobs.fail(jobId, String(error), this.#now());
      } else {
        log.warn({ err: error, stage, attempts }, 'media job failed; retrying');
        await this.#jobs.retryLater(jobId, String(error), this.#now());
      }
    } finally {
      clearInterval(heartbeat);
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /**
   * The artist sends the registration, so there is nothing to do until it lands: the job goes back
   * to the queue to be looked at again later, and the worker is free for other uploads meanwhile.
   */
  async #waitForArtist(jobId: string, trackId: string, alreadyWaiting: boolean): Promise<void> {
    const now = this.#now();
    if (!alreadyWaiting) await this.#tracks.setStage(trackId, 'register', 'waiting', 0, now);
    const since = alreadyWaiting ? ((await this.#tracks.stageChangedAt(trackId, 'register')) ?? now) : now;
    const { first, last } = this.#options.registrationCheckMs ?? REGISTRATION_CHECK_MS;
    const delay = Math.min(last, Math.max(first, Math.round((now - since) / 10)));
    await this.#jobs.waitUntil(jobId, now + delay, now);
  }

  async #transcode(track: TrackRecord, scratch: string, log: Logger): Promise<void> {
    const now = this.#now;
    for (const stage of ['transcode', 'loudness', 'waveform'] as const) {
      await this.#tracks.setStage(track.id, stage, 'running', 0, now());
    }
    const input = await this.#options.localPath(track.original_cid, scratch);
    const probe = await this.#media.probeAudio(input);
    let lastWrite = 0;
    let pending: Promise<void> = Promise.resolve();
    const result = await this.#media.renditions(
      input,
      scratch,
      probe,
      (fraction) => {
        const at = now();
        if (at - lastWrite < PROGRESS_WRITE_INTERVAL_MS) return;
        lastWrite = at;
        pending = pending.then(() =>
          this.#tracks.setStage(
            track.id,
            'transcode',
            'running',
            Math.min(0.99, Math.round(fraction * 100) / 100),
            at,
          ),
        );
      },
      this.#abort.signal,
    );
    await pending;
    const waveformPath = join(scratch, 'waveform.json');
    await writeFile(waveformPath, JSON.stringify(result.waveform));
    const assets: TrackAsset[] = [];
    for (const [kind, file] of [
      ['opus', result.opus],
      ['aac', result.aac],
      ['preview', result.preview],
      ['waveform', { path: waveformPath, mime: 'application/json' }],
    ] as const) {
      const blob = await this.#blobs.putFile(file.path);
      assets.push({ kind, variant: '', cid: blob.cid, mime: file.mime, size: blob.size });
    }
    await this.#tracks.completeStage(
      track.id,
      ['transcode', 'loudness', 'waveform'],
      assets,
      {
        integrated_lufs: result.loudness.integratedLufs,
        true_peak_dbtp: result.loudness.truePeakDbtp,
        gain_db: result.loudness.gainDb,
      },
      now(),
    );
    log.debug({ loudness: result.loudness }, 'renditions stored');
  }

  async #artwork(track: TrackRecord, scratch: string): Promise<void> {
    const source = track.assets.find((asset) => asset.kind === 'cover_source');
    if (!source) return;
    await this.#tracks.setStage(track.id, 'artwork', 'running', 0, this.#now());
    const input = await this.#options.localPath(source.cid, scratch);
    const covers = await this.#media.renderCoverArt(input, join(scratch, 'covers'));
    const assets: TrackAsset[] = [];
    for (const cover of covers) {
      const blob = await this.#blobs.putFile(cover.path);
      assets.push({
        kind: 'cover',
        variant: `${cover.size}.${cover.format}`,
        cid: blob.cid,
        mime: cover.mime,
        size: blob.size,
      });
    }
    await this.#tracks.completeStage(track.id, ['artwork'], assets, {}, this.#now());
  }
}

function stageState(track: TrackRecord, stage: StageName) {
  return track.stages.find((candidate) => candidate.stage === stage)?.state;
}

function isDone(track: TrackRecord, stage: StageName): boolean {
  const state = stageState(track, stage);
  return state === 'done' || state === 'skipped';
}
