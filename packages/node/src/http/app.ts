import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import { AppError } from '../errors.ts';
import type { AppsService } from '../services/apps.service.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { ChainService } from '../services/chain.service.ts';
import type { ClaimsService } from '../services/claims.service.ts';
import type { CommentsService } from '../services/comments.service.ts';
import type { CursorCodec } from '../services/cursor.ts';
import type { DiscoveryService } from '../services/discovery.service.ts';
import type { EarningsService } from '../services/earnings.service.ts';
import type { FanDropsService } from '../services/fan-drops.service.ts';
import type { FanRewardsService } from '../services/fan-rewards.service.ts';
import type { HistoryService } from '../services/history.service.ts';
import type { InsightsService } from '../services/insights.service.ts';
import type { ModerationService } from '../services/moderation.service.ts';
import type { NotificationsService } from '../services/notifications.service.ts';
import type { PlaylistsService } from '../services/playlists.service.ts';
import type { PlaysService } from '../services/plays.service.ts';
import type { ProfilesService } from '../services/profiles.service.ts';
import type { SearchService } from '../services/search.service.ts';
import type { SessionKeysService } from '../services/session-keys.service.ts';
import type { SocialService } from '../services/social.service.ts';
import type { SubscriptionsService } from '../services/subscriptions.service.ts';
import type { TrackRegistrationService } from '../services/track-registration.service.ts';
import type { TracksService } from '../services/tracks.service.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { authenticate } from './authenticate.ts';
import { appRoutes } from './routes/apps.routes.ts';
import { authRoutes } from './routes/auth.routes.ts';
import { chainRoutes } from './routes/chain.routes.ts';
import { claimRoutes } from './routes/claims.routes.ts';
import { commentRoutes } from './routes/comments.routes.ts';
import { discoveryRoutes } from './routes/discovery.routes.ts';
import { dropRoutes } from './routes/drops.routes.ts';
import { epochsRoutes } from './routes/epochs.routes.ts';
import { fanRewardsRoutes } from './routes/fan-rewards.routes.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { historyRoutes } from './routes/history.routes.ts';
import { insightsRoutes } from './routes/insights.routes.ts';
import { moderationRoutes } from './routes/moderation.routes.ts';
import { notificationRoutes } from './routes/notifications.routes.ts';
import { playlistRoutes } from './routes/playlists.routes.ts';
import { playRoutes } from './routes/plays.routes.ts';
import { profileRoutes } from './routes/profiles.routes.ts';
import { rulesRoutes } from './routes/rules.routes.ts';
import { searchRoutes } from './routes/search.routes.ts';
import { oembedRoutes, sharePageRoutes } from './routes/share.routes.ts';
import { socialRoutes } from './routes/social.routes.ts';
import { streamRoutes } from './routes/stream.routes.ts';
import { subscriptionRoutes } from './routes/subscriptions.routes.ts';
import { trackRoutes } from './routes/tracks.routes.ts';
import { webAppRoutes } from './routes/web.routes.ts';
import { Comment, ErrorResponse, Playlist, PlaylistSummary, Track } from './schemas.ts';
import { Profile, UserSummary } from './social-schemas.ts';
import type { UploadLimits } from './upload-form.ts';

export const API_PREFIX = '/api/v1';

export interface AppContext {
  auth: AuthService;
  tracks: TracksService;
  registrations: TrackRegistrationService;
  chain: ChainService;
  earnings: EarningsService;
  fanRewards: FanRewardsService;
  claims: ClaimsService;
  history: HistoryService;
  subscriptions: SubscriptionsService;
  sessionKeys: SessionKeysService;
  plays: PlaysService;
  comments: CommentsService;
  playlists: PlaylistsService;
  moderation: ModerationService;
  profiles: ProfilesService;
  social: SocialService;
  notifications: NotificationsService;
  search: SearchService;
  discovery: DiscoveryService;
  insights: InsightsService;
  fanDrops: FanDropsService;
  apps: AppsService;
  blobs: BlobStore;
  /** Signs and checks pagination cursors. */
  cursors: CursorCodec;
  /** A fresh temp path on the same file system as the blob store's staging area. */
  tempPath: (suffix: string) => string;
  uploadLimits: UploadLimits;
  version: string;
  /** Origin clients reach the node at, e.g. http://127.0.0.1:4000 */
  publicUrl: string;
  database: 'sqlite' | 'postgres';
  storage: 'fs' | 's3';
  /** Folder of the built web app, served at /; without it the node serves the API only. */
  webRoot?: string | undefined;
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export async function buildApp(context: AppContext, logger: FastifyBaseLogger | false): Promise<App> {
  const app = Fastify({
    loggerInstance: logger === false ? undefined : logger,
    logger: logger === false ? false : undefined,
    // Behind a reverse proxy the operator sets this; locally there is none to trust.
    trustProxy: false,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  } as Parameters<typeof Fastify>[0]).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  app.addSchema(ErrorResponse);
  app.addSchema(Track);
  app.addSchema(Comment);
  app.addSchema(PlaylistSummary);
  app.addSchema(Playlist);
  app.addSchema(UserSummary);
  app.addSchema(Profile);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Fairstream API',
        version: context.version,
        description: 'Upload, stream and (in later versions) settle music plays on a public ledger.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'Session token from POST /api/v1/auth/login',
          },
          cookie: { type: 'apiKey', in: 'cookie', name: 'fairstream_session' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transform: ({ schema, url, route }) => {
      const form = (route.config as { multipartForm?: unknown } | undefined)?.multipartForm;
      if (!form) return { schema, url };
      return { schema: { ...schema, consumes: ['multipart/form-data'], body: form }, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(cookie);
  // preservePath: a name with path parts is refused with a clear message instead of being silently cut.
  await app.register(multipart, { throwFileSizeLimit: true, preservePath: true });

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: { code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` },
    });
  });

  app.addHook('onRequest', authenticate(context.auth));
  await app.register(
    async (api) => {
      await api.register(healthRoutes(context));
      await api.register(authRoutes(context));
      await api.register(trackRoutes(context));
      await api.register(streamRoutes(context));
      await api.register(chainRoutes(context));
      await api.register(rulesRoutes());
      await api.register(epochsRoutes(context));
      await api.register(fanRewardsRoutes(context));
      await api.register(claimRoutes(context));
      await api.register(historyRoutes(context));
      await api.register(subscriptionRoutes(context));
      await api.register(playRoutes(context));
      await api.register(commentRoutes(context));
      await api.register(playlistRoutes(context));
      await api.register(moderationRoutes(context));
      await api.register(profileRoutes(context));
      await api.register(socialRoutes(context));
      await api.register(notificationRoutes(context));
      await api.register(searchRoutes(context));
      await api.register(discoveryRoutes(context));
      await api.register(insightsRoutes(context));
      await api.register(dropRoutes(context));
      await api.register(appRoutes(context));
      await api.register(oembedRoutes(context));
    },
    { prefix: API_PREFIX },
  );
  // Share links: HTML pages outside the API.
  await app.register(sharePageRoutes(context));
  if (context.webRoot !== undefined) {
    await app.register(webAppRoutes({ root: context.webRoot, publicUrl: context.publicUrl }));
  }
  return app;
}

function errorHandler(error: FastifyError | AppError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) {
    const fields = { code: error.code, status: error.status, reason: error.message };
    // A 5xx is the node's trouble (the chain unreachable, say), not the caller's: the operator sees why.
    if (error.status >= 500) request.log.warn({ ...fields, err: error.cause }, 'request failed');
    else request.log.info(fields, 'request refused');
    return reply
      .code(error.status)
      .headers(error.headers)
      .send({ error: { code: error.code, message: error.message } });
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const message = `Invalid ${fastifyError.validationContext ?? 'request'}: ${fastifyError.message}`;
    request.log.info({ reason: message }, 'request refused');
    return reply.code(400).send({ error: { code: 'invalid_request', message } });
  }
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    request.log.info({ reason: fastifyError.message }, 'request refused');
    return reply.code(413).send({
      error: {
        code: 'payload_too_large',
        message: `The request body is larger than this endpoint accepts (${request.routeOptions.bodyLimit ?? 'its limit'} bytes); send less`,
      },
    });
  }
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    request.log.info({ reason: fastifyError.message, code: fastifyError.code }, 'request refused');
    return reply.code(fastifyError.statusCode).send({
      error: { code: (fastifyError.code ?? 'bad_request').toLowerCase(), message: fastifyError.message },
    });
  }
  request.log.error({ err: error }, 'request failed');
  return reply.code(500).send({
    error: {
      code: 'internal_error',
      message: 'The node failed to handle this request; it was logged. Try again later.',
    },
  });
}
