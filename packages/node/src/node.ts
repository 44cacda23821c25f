import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { getTokenBalance } from '@fairstream/chain';
import pino, { type Logger } from 'pino';
import type { Address } from 'viem';
import { ChainHead, HEAD_MAX_AGE_MS } from './chain/chain-head.ts';
import { attachLedger, type Ledger, openLedger } from './chain/ledger.ts';
import { registerTrackOnLedger } from './chain/track-registrar.ts';
import type { NodeConfig } from './config.ts';
import { type Db, migrateToLatest, openDatabase } from './db/database.ts';
import { AppError, unprocessable } from './errors.ts';
import { type App, buildApp } from './http/app.ts';
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from './http/upload-form.ts';
import { createLedgerIndexer } from './indexer/create-ledger-indexer.ts';
import type { LedgerIndexer } from './indexer/ledger-indexer.ts';
import { MediaWorker, STALE_JOB_MS } from './jobs/media-worker.ts';
import { MediaError } from './media/errors.ts';
import { createMediaToolkit } from './media/toolkit.ts';
import { AppsRepository } from './repositories/apps.repository.ts';
import { AuthRepository } from './repositories/auth.repository.ts';
import { ChainEventsRepository } from './repositories/chain-events.repository.ts';
import { CommentsRepository } from './repositories/comments.repository.ts';
import { DiscoveryRepository } from './repositories/discovery.repository.ts';
import { FanDropsRepository } from './repositories/fan-drops.repository.ts';
import { FaucetRepository } from './repositories/faucet.repository.ts';
import { HistoryRepository } from './repositories/history.repository.ts';
import { JobsRepository } from './repositories/jobs.repository.ts';
import { NotificationsRepository } from './repositories/notifications.repository.ts';
import { PlaylistsRepository } from './repositories/playlists.repository.ts';
import { PlaysRepository } from './repositories/plays.repository.ts';
import { ProfilesRepository } from './repositories/profiles.repository.ts';
import { PromotionsRepository } from './repositories/promotions.repository.ts';
import { ReportsRepository } from './repositories/reports.repository.ts';
import { SearchRepository } from './repositories/search/search-index.ts';
import { SessionKeysRepository } from './repositories/session-keys.repository.ts';
import { SettingsRepository } from './repositories/settings.repository.ts';
import { SettlementRepository } from './repositories/settlement.repository.ts';
import { SocialRepository } from './repositories/social.repository.ts';
import { TracksRepository } from './repositories/tracks.repository.ts';
import { AppsService } from './services/apps.service.ts';
import { AuthService } from './services/auth.service.ts';
import { ChainService } from './services/chain.service.ts';
import { ClaimsService } from './services/claims.service.ts';
import { type CommentEvent, CommentsService } from './services/comments.service.ts';
import { CursorCodec } from './services/cursor.ts';
import { DiscoveryService } from './services/discovery.service.ts';
import { EarningsService } from './services/earnings.service.ts';
import { FanDropsService } from './services/fan-drops.service.ts';
import { FanRewardsService } from './services/fan-rewards.service.ts';
import { HistoryService } from './services/history.service.ts';
import { InsightsService } from './services/insights.service.ts';
import type { MediaToolkit } from './services/media-toolkit.ts';
import { ModerationService } from './services/moderation.service.ts';
import { commentNotifications, NotificationsService } from './services/notifications.service.ts';
import { PlayWriter } from './services/play-writer.ts';
import { PlaylistsService } from './services/playlists.service.ts';
import { PlaysService } from './services/plays.service.ts';
import { ProfilesService } from './services/profiles.service.ts';
import { PromotionsService } from './services/promotions.service.ts';
import { SearchService } from './services/search.service.ts';
import { SessionKeysService } from './services/session-keys.service.ts';
import { SocialService } from './services/social.service.ts';
import { SubscriptionsService } from './services/subscriptions.service.ts';
import { TrackRegistrationService } from './services/track-registration.service.ts';
import { TracksService } from './services/tracks.service.ts';
import { SettlementWorker, type SettlementWorkerOptions } from './settlement/settlement-worker.ts';
import type { BlobStore } from './storage/blob-store.ts';
import { createBlobStore, FsBlobStore } from './storage/index.ts';

export const VERSION: string = JSON.parse(
  await readFile(new URL('../package.json', import.meta.url), 'utf8'),
).version;

export interface FairstreamNode {
  app: App;
  db: Db;
  blobs: BlobStore;
  /** Absent in an HTTP-only process: the background process owns the media pipeline. */
  worker: MediaWorker | undefined;
  /** Absent in an HTTP-only process: the background process indexes the ledger. */
  indexer: LedgerIndexer | undefined;
  /** Absent in an HTTP-only process: the background process settles epochs. */
  settlement: SettlementWorker | undefined;
  /** Group commit of accepted playback reports. */
  playWriter: PlayWriter;
  ledger: Ledger;
  config: NodeConfig;
  logger: Logger;
  /** Starts listening; resolves with the URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface CreateNodeOptions {
  logger?: Logger;
  /** Smaller limits let tests exercise the size checks without 500 MB files. */
  uploadLimits?: UploadLimits;
  /**
   * 'all': HTTP and background work in one process (the default, and what tests use).
   * 'http': one of several HTTP processes; `onJobQueued` tells the background process about new work.
   */
  role?: 'all' | 'http';
  onJobQueued?: () => void;
  /** For 'http' processes on the embedded chain: the background process's RPC URL. */
  embeddedRpcUrl?: string;
  /** Tests: settlement tick and a simulated crash point. */
  settlement?: Pick<SettlementWorkerOptions, 'tickMs' | 'haltAt'>;
  /** Told of every new comment and reply once committed (notifications). */
  onCommented?: (event: CommentEvent) => void | Promise<void>;
}

/**
 * The composition root: opens the database and blob store, wires repositories into services and
 * services into routes, and (unless HTTP-only) resumes media work a previous run left unfinished.
 */
export async function createNode(
  config: NodeConfig,
  options: CreateNodeOptions = {},
): Promise<FairstreamNode> {
  const role = options.role ?? 'all';
  const logger = options.logger ?? pino({ level: config.logLevel });
  const resources = await openResources(config, { prepare: role === 'all' });
  const { db, blobs, media } = resources;
  const ledger =
    role === 'all'
      ? await openLedger(config, logger)
      : await attachLedger(config, options.embeddedRpcUrl, logger);
  const tracksRepository = new TracksRepository(db);
  const auth = new AuthService(new AuthRepository(db), {
    domain: new URL(config.publicUrl).host,
    chainId: ledger.chainId,
    sessionTtlMs: config.sessionTtlSeconds * 1000,
  });
  const cursors = await openCursors(db);
  const notifications = new NotificationsService(
    new NotificationsRepository(db),
    new ProfilesRepository(db),
    {
      cursors,
    },
  );
  const worker = role === 'all' ? createMediaWorker(config, resources, ledger, logger) : undefined;
  const indexer = role === 'all' ? createLedgerIndexer(db, ledger, config, logger) : undefined;
  const settlement =
    role === 'all'
      ? createSettlementWorker(config, resources, ledger, logger, notifications, options.settlement)
      : undefined;
  // viem's own block-number cache is bypassed: ChainHead decides how long a head is used.
  const head = new ChainHead(() => ledger.publicClient.getBlockNumber({ cacheTime: 0 }), {
    maxAgeMs: config.chain ? HEAD_MAX_AGE_MS.public : HEAD_MAX_AGE_MS.embedded,
  });
  const tracks = new TracksService(tracksRepository, blobs, media, {
    cursors,
    tempPath: resources.tempPath,
    onJobQueued: options.onJobQueued ?? (() => worker?.wake()),
    gate: {
      head: () => head.current(),
      balanceAt: (token, holder, block) =>
        getTokenBalance(ledger.publicClient, {
          token: token as Address,
          address: holder as Address,
          blockNumber: block,
        }),
    },
  });
  const sessionKeys = new SessionKeysService(new SessionKeysRepository(db), {
    domain: new URL(config.publicUrl).host,
    chainId: ledger.chainId,
  });
  // Operators moderate: the configured addresses and, on the embedded chain, the node's own operator.
  const operators = new Set([
    ...config.operators,
    ...(config.chain ? [] : [ledger.operatorWallet.account.address.toLowerCase()]),
  ]);
  const isOperator = (address: string | undefined) => address !== undefined && operators.has(address);
  const comments = new CommentsService(new CommentsRepository(db), tracks, {
    cursors,
    isOperator,
    onCommented: async (event) => {
      await notifications.notify(commentNotifications(event));
      await options.onCommented?.(event);
    },
    logger: logger.child({ component: 'comments' }),
  });
  const playlists = new PlaylistsService(new PlaylistsRepository(db), tracks, { cursors });
  const moderation = new ModerationService(new ReportsRepository(db), tracks, comments, {
    operators,
    cursors,
  });
  const playsRepository = new PlaysRepository(db);
  const playWriter = new PlayWriter((rows) => playsRepository.insertReports(rows));
  const apps = new AppsService(new AppsRepository(db), { chainId: ledger.chainId });
  const plays = new PlaysService(sessionKeys, tracks, playWriter, apps);
  const profiles = new ProfilesService(new ProfilesRepository(db), blobs, media, {
    tempPath: resources.tempPath,
  });
  const social = new SocialService(new SocialRepository(db), tracks, profiles, notifications, { cursors });
  const discoveryRepository = new DiscoveryRepository(db);
  const promotions = new PromotionsService(new PromotionsRepository(db), { chainId: ledger.chainId });
  const earnings = new EarningsService(new SettlementRepository(db), blobs);
  const app = await buildApp(
    {
      auth,
      tracks,
      registrations: new TrackRegistrationService(tracks, ledger),
      sessionKeys,
      plays,
      profiles,
      social,
      notifications,
      search: new SearchService(
        new SearchRepository(db),
        tracksRepository,
        cursors,
        new ProfilesRepository(db),
        promotions,
      ),
      discovery: new DiscoveryService(discoveryRepository, tracksRepository, { cursors, promotions }),
      insights: new InsightsService(discoveryRepository, tracks),
      apps,
      fanDrops: new FanDropsService(new FanDropsRepository(db), discoveryRepository, ledger),
      chain: new ChainService(ledger, new FaucetRepository(db), { afterWrite: () => head.invalidate() }),
      earnings,
      fanRewards: new FanRewardsService(new SettlementRepository(db).fans, {
        fairToken: ledger.deployment.contracts.FairToken,
      }),
      claims: new ClaimsService(new SettlementRepository(db), ledger),
      history: new HistoryService(new ChainEventsRepository(db), new HistoryRepository(db), earnings, {
        chainId: ledger.chainId,
        deployment: ledger.deployment,
        publicClient: ledger.publicClient,
        cursors,
      }),
      subscriptions: new SubscriptionsService(ledger),
      comments,
      playlists,
      moderation,
      blobs,
      cursors,
      tempPath: resources.tempPath,
      uploadLimits: options.uploadLimits ?? DEFAULT_UPLOAD_LIMITS,
      version: VERSION,
      publicUrl: config.publicUrl,
      database: config.db === 'sqlite' ? 'sqlite' : 'postgres',
      storage: blobs.kind,
      webRoot: config.webRoot,
    },
    logger,
  );
  await worker?.start(requeueBefore(config));
  indexer?.start();
  settlement?.start();
  return {
    app,
    db,
    blobs,
    worker,
    indexer,
    settlement,
    ledger,
    config,
    logger,
    playWriter,
    async listen() {
      return app.listen({ host: config.host, port: config.port });
    },
    async close() {
      // Requests in flight finish first (each waits for its commit), then anything left commits.
      await app.close();
      await playWriter.close();
      await worker?.stop();
      await settlement?.stop();
      await indexer?.stop();
      await ledger.close();
      await resources.close();
    },
  };
}

export interface BackgroundNode {
  worker: MediaWorker;
  indexer: LedgerIndexer;
  settlement: SettlementWorker;
  ledger: Ledger;
  close(): Promise<void>;
}

/**
 * The background half of a node that serves HTTP from several processes: migrations, crash
 * clean-up and the media pipeline run here, once, before the HTTP processes start.
 */
export async function startBackgroundNode(
  config: NodeConfig,
  options: { logger?: Logger } = {},
): Promise<BackgroundNode> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const resources = await openResources(config, { prepare: true });
  const ledger = await openLedger(config, logger);
  const worker = createMediaWorker(config, resources, ledger, logger);
  await worker.start(requeueBefore(config));
  const indexer = createLedgerIndexer(resources.db, ledger, config, logger);
  indexer.start();
  const notifications = new NotificationsService(
    new NotificationsRepository(resources.db),
    new ProfilesRepository(resources.db),
    { cursors: await openCursors(resources.db) },
  );
  const settlement = createSettlementWorker(config, resources, ledger, logger, notifications);
  settlement.start();
  return {
    worker,
    indexer,
    settlement,
    ledger,
    async close() {
      await worker.stop();
      await settlement.stop();
      await indexer.stop();
      await ledger.close();
      await resources.close();
    },
  };
}

interface Resources {
  db: Db;
  blobs: BlobStore;
  media: MediaToolkit;
  workDir: string;
  tempPath: (suffix: string) => string;
  close(): Promise<void>;
}

async function openResources(config: NodeConfig, options: { prepare: boolean }): Promise<Resources> {
  const db = openDatabase(config.db, config.dataDir);
  const blobs = createBlobStore(config.storage, config.dataDir);
  const tempDir = join(config.dataDir, 'tmp');
  const workDir = join(config.dataDir, 'work');
  if (options.prepare) {
    await migrateToLatest(db);
    // Leftovers of a crash are unacknowledged uploads or interrupted jobs: both are safe to drop.
    await rm(tempDir, { recursive: true, force: true });
    if (blobs instanceof FsBlobStore) await blobs.sweepTemp(0);
  }
  await mkdir(tempDir, { recursive: true });
  await mkdir(workDir, { recursive: true });
  return {
    db,
    blobs,
    media: withHttpErrors(await createMediaToolkit()),
    workDir,
    tempPath: (suffix) => join(tempDir, `${randomBytes(12).toString('hex')}${suffix}`),
    async close() {
      await blobs.close();
      await db.destroy();
    },
  };
}

function createMediaWorker(
  config: NodeConfig,
  resources: Resources,
  ledger: Ledger,
  logger: Logger,
): MediaWorker {
  const { db, blobs, media, workDir } = resources;
  return new MediaWorker(new JobsRepository(db), new TracksRepository(db), blobs, media, {
    workDir,
    concurrency: config.mediaConcurrency,
    logger: logger.child({ component: 'media-worker' }),
    localPath: (cid, scratch) => localCopy(blobs, cid, scratch),
    registerOnLedger: (track) => registerTrackOnLedger(ledger, track),
    isPermanent: (error): error is AppError => error instanceof AppError,
  });
}

function createSettlementWorker(
  config: NodeConfig,
  resources: Resources,
  ledger: Ledger,
  logger: Logger,
  notifications: NotificationsService,
  overrides: CreateNodeOptions['settlement'] = {},
): SettlementWorker {
  return new SettlementWorker(new SettlementRepository(resources.db), ledger, resources.blobs, {
    epochSeconds: config.epochSeconds,
    logger: logger.child({ component: 'settlement' }),
    tempDir: join(resources.workDir, 'settlement'),
    onEpochPaid: async (epoch, payouts) => {
      await notifications.notifyPayouts(epoch, payouts);
    },
    ...overrides,
  });
}

/** Every process sharing the database signs cursors with the node-wide key kept in it. */
async function openCursors(db: Db): Promise<CursorCodec> {
  return new CursorCodec(Buffer.from(await new SettingsRepository(db).get('cursor_key'), 'base64'));
}

/**
 * With SQLite one node owns the data folder, so a job still "running" at start was cut off by a
 * crash; nodes sharing Postgres only take over jobs whose worker stopped heartbeating.
 */
function requeueBefore(config: NodeConfig): number {
  return config.db === 'sqlite' ? Number.MAX_SAFE_INTEGER : Date.now() - STALE_JOB_MS;
}

/** Media errors are the uploader's to fix: they reach the client as 422 with the media code. */
function withHttpErrors(media: MediaToolkit): MediaToolkit {
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (error) {
        if (error instanceof MediaError) throw unprocessable(error.code, error.message, error);
        throw error;
      }
    };
  return {
    probeAudio: wrap(media.probeAudio.bind(media)),
    checkDecodes: wrap(media.checkDecodes.bind(media)),
    readTags: wrap(media.readTags.bind(media)),
    checkImage: wrap(media.checkImage.bind(media)),
    renditions: wrap(media.renditions.bind(media)),
    renderCoverArt: wrap(media.renderCoverArt.bind(media)),
    renderAvatar: wrap(media.renderAvatar.bind(media)),
  };
}

/** ffmpeg reads files: a file-system store hands out its own path, others are downloaded first. */
async function localCopy(blobs: BlobStore, cid: string, scratchDir: string): Promise<string> {
  if (blobs instanceof FsBlobStore) return blobs.pathFor(cid);
  const path = join(scratchDir, cid);
  await pipeline(await blobs.createReadStream(cid), createWriteStream(path));
  return path;
}
