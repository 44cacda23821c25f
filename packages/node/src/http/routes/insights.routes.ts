import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import { INSIGHT_BUCKETS } from '../../services/insights.service.ts';
import type { AppContext } from '../app.ts';
import { requireAccount, viewerOf } from '../authenticate.ts';
import { errorResponses, TrackIdParams } from '../schemas.ts';
import { LIVE_HEARTBEAT_MS, LIVE_POLL_MS } from './epochs.routes.ts';

const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];

const InsightsQuery = Type.Object({
  from: Type.Optional(
    Type.Integer({ minimum: 0, description: 'Unix ms (default: 30 days, or 48 hours, before to)' }),
  ),
  to: Type.Optional(Type.Integer({ minimum: 1, description: 'Unix ms, exclusive (default: now)' })),
  bucket: Type.Optional(
    Type.Union(
      INSIGHT_BUCKETS.map((bucket) => Type.Literal(bucket)),
      { default: 'day' },
    ),
  ),
});

const Insights = Type.Object({
  trackId: Type.String(),
  from: Type.Integer({ description: 'Start of the first bucket (Unix ms)' }),
  to: Type.Integer({ description: 'End of the last bucket, exclusive' }),
  bucket: Type.String(),
  countedPlays: Type.Integer({ description: 'All time' }),
  plays: Type.Integer({ description: 'Counted plays in the range' }),
  uniqueListeners: Type.Integer({
    description: 'Listeners with a counted play on the UTC days the range touches',
  }),
  timeline: Type.Array(
    Type.Object({
      at: Type.Integer(),
      plays: Type.Integer(),
      listeners: Type.Optional(
        Type.Integer({
          description: 'Distinct listeners with a counted play that UTC day (day buckets only)',
        }),
      ),
    }),
  ),
  topFans: Type.Array(
    Type.Object({
      rank: Type.Integer(),
      address: Type.Union([Type.String(), Type.Null()], {
        description: 'null for a fan who chose not to be named (PUT /me/privacy)',
      }),
      plays: Type.Integer(),
    }),
  ),
  bySource: Type.Array(Type.Object({ source: Type.String(), plays: Type.Integer() })),
  throughEpoch: Type.Integer({ description: 'The newest epoch whose plays are included (-1: none yet)' }),
});

const Privacy = Type.Object({
  hideFromTopFans: Type.Boolean(),
  updatedAt: Type.Union([Type.Integer(), Type.Null()]),
});

export function insightsRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async function insights(app) {
    const streams = new Set<() => void>();
    app.addHook('onClose', async () => {
      for (const cleanup of [...streams]) cleanup();
    });

    app.get(
      '/tracks/:id/insights',
      {
        schema: {
          operationId: 'getTrackInsights',
          tags: ['insights'],
          summary:
            "A track's counted plays over time, unique listeners, top fans and plays by source (its artists only)",
          security,
          params: TrackIdParams,
          querystring: InsightsQuery,
          response: { 200: Insights, ...errorResponses },
        },
      },
      async (request) => {
        requireAccount(request);
        return context.insights.insights(request.params.id, viewerOf(request), request.query);
      },
    );

    app.get(
      '/tracks/:id/insights/live',
      {
        schema: {
          operationId: 'streamTrackInsights',
          tags: ['insights'],
          summary:
            'Server-sent events: an `insights` event (JSON as GET …/insights) now and after each epoch is judged',
          security,
          params: TrackIdParams,
          querystring: InsightsQuery,
          response: { 200: Type.String({ description: 'text/event-stream' }), ...errorResponses },
        },
      },
      async (request, reply) => {
        requireAccount(request);
        const viewer = viewerOf(request);
        const { id } = request.params;
        // Refusals (403, 404, a bad range) are answered as JSON before the stream opens.
        let figures = await context.insights.insights(id, viewer, request.query);
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-cache, no-transform',
          Connection: 'keep-alive',
          'X-Accel-Buffering': 'no',
        });
        let last = figures.throughEpoch;
        const send = () => raw.write(`event: insights\nid: ${last}\ndata: ${JSON.stringify(figures)}\n\n`);
        send();
        let closed = false;
        let polling = false;
        const poll = async () => {
          if (closed || polling) return;
          polling = true;
          try {
            const judged = await context.insights.lastJudgedEpoch();
            if (judged <= last || closed) return;
            figures = await context.insights.insights(id, viewer, request.query);
            last = Math.max(judged, figures.throughEpoch);
            if (!closed) send();
          } catch (error) {
            // Access gone (track hidden from them, deleted): the stream ends; anything else retries.
            if (error instanceof AppError) cleanup();
            else request.log.warn({ err: error }, 'live insights poll failed; trying again');
          } finally {
            polling = false;
          }
        };
        const poller = setInterval(() => void poll(), LIVE_POLL_MS);
        const heartbeat = setInterval(() => {
          if (!closed) raw.write(': heartbeat\n\n');
        }, LIVE_HEARTBEAT_MS);
        const cleanup = () => {
          if (closed) return;
          closed = true;
          clearInterval(poller);
          clearInterval(heartbeat);
          if (!raw.writableEnded) raw.end();
        };
        raw.on('close', cleanup);
        streams.add(cleanup);
        raw.on('close', () => streams.delete(cleanup));
        raw.on('error', cleanup);
      },
    );

    app.get(
      '/me/privacy',
      {
        schema: {
          operationId: 'getPrivacy',
          tags: ['insights'],
          summary: 'Your privacy choices',
          security,
          response: { 200: Privacy, ...errorResponses },
        },
      },
      async (request) => context.insights.fanPrivacy(requireAccount(request)),
    );

    app.put(
      '/me/privacy',
      {
        schema: {
          operationId: 'setPrivacy',
          tags: ['insights'],
          summary: "Choose whether artists see you by address among their tracks' top fans",
          description:
            'With hideFromTopFans true your plays still count, and appear among top fans without your address.',
          security,
          body: Type.Object({ hideFromTopFans: Type.Boolean() }, { additionalProperties: false }),
          response: { 200: Privacy, ...errorResponses },
        },
      },
      async (request) => context.insights.setFanPrivacy(requireAccount(request), request.body),
    );
  };
}
