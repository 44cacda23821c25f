import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { REPORT_REASONS } from '../../services/moderation.service.ts';
import { toTrackView } from '../../services/tracks.service.ts';
import { API_PREFIX, type AppContext } from '../app.ts';
import { requireAccount, viewerOf } from '../authenticate.ts';
import {
  errorRef,
  errorResponses,
  IdParams,
  PageQuery,
  ShareQuery,
  TrackIdParams,
  trackRef,
} from '../schemas.ts';

const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];

const ReportBody = Type.Object(
  {
    reason: Type.Union(
      REPORT_REASONS.map((reason) => Type.Literal(reason)),
      { description: REPORT_REASONS.join(', ') },
    ),
    note: Type.Optional(
      Type.String({
        maxLength: 1000,
        description: 'What is wrong, at most 1,000 characters (required for "other")',
      }),
    ),
  },
  { additionalProperties: false },
);

const FiledReport = Type.Object({
  id: Type.String(),
  target: Type.Object({
    kind: Type.Union([Type.Literal('track'), Type.Literal('comment')]),
    id: Type.String(),
  }),
  reason: Type.String(),
  note: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Integer({ description: 'Unix milliseconds' }),
});

const Report = Type.Object({
  id: Type.String(),
  reporter: Type.String(),
  target: Type.Object({
    kind: Type.Union([Type.Literal('track'), Type.Literal('comment')]),
    id: Type.String(),
    trackId: Type.String({ description: 'The track itself, or the track the comment is on' }),
  }),
  reason: Type.String(),
  note: Type.Union([Type.String(), Type.Null()]),
  state: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  outcome: Type.Union([
    Type.Literal('track_delisted'),
    Type.Literal('comment_removed'),
    Type.Literal('dismissed'),
    Type.Null(),
  ]),
  closedBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Integer(),
  closedAt: Type.Union([Type.Integer(), Type.Null()]),
  track: Type.Union(
    [Type.Object({ title: Type.String(), owner: Type.String(), delisted: Type.Boolean() }), Type.Null()],
    { description: 'The track as it is now (null once deleted)' },
  ),
  comment: Type.Union(
    [
      Type.Object({
        author: Type.String(),
        text: Type.Union([Type.String(), Type.Null()]),
        deleted: Type.Boolean(),
      }),
      Type.Null(),
    ],
    { description: 'For a comment report: the comment as it is now' },
  ),
});

export function moderationRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  const view = (track: Parameters<typeof toTrackView>[0]) =>
    toTrackView(track, `${context.publicUrl}${API_PREFIX}`);

  return async function moderation(app) {
    app.post(
      '/tracks/:id/reports',
      {
        schema: {
          operationId: 'reportTrack',
          tags: ['moderation'],
          summary: "Report a track to the node's operators",
          description: 'One open report per reporter and track (409 already_reported).',
          security,
          params: TrackIdParams,
          querystring: Type.Object(ShareQuery),
          body: ReportBody,
          response: { 201: FiledReport, ...errorResponses, 410: errorRef },
        },
      },
      async (request, reply) => {
        const address = requireAccount(request);
        const report = await context.moderation.reportTrack(
          request.params.id,
          { address, shareToken: request.query.share },
          request.body,
        );
        return reply.code(201).send(report);
      },
    );

    app.post(
      '/comments/:id/reports',
      {
        schema: {
          operationId: 'reportComment',
          tags: ['moderation'],
          summary: "Report a comment to the node's operators",
          description: 'One open report per reporter and comment (409 already_reported).',
          security,
          params: IdParams,
          querystring: Type.Object(ShareQuery),
          body: ReportBody,
          response: { 201: FiledReport, ...errorResponses },
        },
      },
      async (request, reply) => {
        const address = requireAccount(request);
        const report = await context.moderation.reportComment(
          request.params.id,
          { address, shareToken: request.query.share },
          request.body,
        );
        return reply.code(201).send(report);
      },
    );

    app.get(
      '/moderation/reports',
      {
        schema: {
          operationId: 'listReports',
          tags: ['moderation'],
          summary: 'Reports, newest first (operators only)',
          security,
          querystring: Type.Object({
            state: Type.Optional(
              Type.Union([Type.Literal('open'), Type.Literal('closed')], { default: 'open' }),
            ),
            ...PageQuery,
          }),
          response: {
            200: Type.Object({
              reports: Type.Array(Report),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        requireAccount(request);
        const { state = 'open', cursor, limit = 20 } = request.query;
        return context.moderation.listReports({ state, cursor, limit }, viewerOf(request));
      },
    );

    app.post(
      '/moderation/reports/:id/dismiss',
      {
        schema: {
          operationId: 'dismissReport',
          tags: ['moderation'],
          summary: 'Close a report without acting on it (operators only)',
          security,
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        requireAccount(request);
        await context.moderation.dismiss(request.params.id, viewerOf(request));
        return reply.code(204).send(null);
      },
    );

    app.put(
      '/moderation/tracks/:id/delisting',
      {
        schema: {
          operationId: 'delistTrack',
          tags: ['moderation'],
          summary: 'Delist a track (operators only)',
          description:
            'The track leaves every listing, and its page, comments and streams answer 410 track_delisted ' +
            'to everyone but its owner, who sees the reason on the track. Closes the open reports about it. ' +
            'Delisting again replaces the reason.',
          security,
          params: TrackIdParams,
          body: Type.Object(
            {
              reason: Type.String({
                minLength: 1,
                maxLength: 500,
                description: "Why, for the track's owner: 1 to 500 characters",
              }),
            },
            { additionalProperties: false },
          ),
          response: { 200: trackRef, ...errorResponses },
        },
      },
      async (request) => {
        requireAccount(request);
        return view(
          await context.moderation.delist(request.params.id, viewerOf(request), request.body.reason),
        );
      },
    );

    app.delete(
      '/moderation/tracks/:id/delisting',
      {
        schema: {
          operationId: 'relistTrack',
          tags: ['moderation'],
          summary: 'List a delisted track again (operators only)',
          security,
          params: TrackIdParams,
          response: { 200: trackRef, ...errorResponses },
        },
      },
      async (request) => {
        requireAccount(request);
        return view(await context.moderation.relist(request.params.id, viewerOf(request)));
      },
    );
  };
}
