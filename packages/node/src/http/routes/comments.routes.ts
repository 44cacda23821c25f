import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toTrackView } from '../../services/tracks.service.ts';
import { API_PREFIX, type AppContext } from '../app.ts';
import { requireAccount, viewerOf } from '../authenticate.ts';
import {
  CommentText,
  commentRef,
  errorRef,
  errorResponses,
  IdParams,
  PageQuery,
  ShareQuery,
  TrackIdParams,
  trackRef,
} from '../schemas.ts';

const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];
const trackErrors = { ...errorResponses, 410: errorRef };

export function commentRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async function comments(app) {
    app.get(
      '/tracks/:id/comments',
      {
        schema: {
          operationId: 'listComments',
          tags: ['comments'],
          summary: "A track's comments: newest first, or those at a moment in track order",
          description:
            'Top-level comments, each with its replyCount (list replies with GET /comments/{id}/replies). ' +
            'order=moment lists only comments pinned to a moment, from the start of the track. A deleted ' +
            'comment appears as a placeholder while replies remain under it. A hidden track (without ' +
            'access) is 404 like an unknown one; a delisted one is 410.',
          params: TrackIdParams,
          querystring: Type.Object({
            order: Type.Optional(
              Type.Union([Type.Literal('time'), Type.Literal('moment')], { default: 'time' }),
            ),
            ...PageQuery,
            ...ShareQuery,
          }),
          response: {
            200: Type.Object({
              comments: Type.Array(commentRef),
              commentsEnabled: Type.Boolean({ description: 'False while the owner has turned comments off' }),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...trackErrors,
          },
        },
      },
      async (request) => {
        const { order = 'time', cursor, limit = 20, share } = request.query;
        return context.comments.list(request.params.id, { order, cursor, limit }, viewerOf(request, share));
      },
    );

    app.post(
      '/tracks/:id/comments',
      {
        schema: {
          operationId: 'createComment',
          tags: ['comments'],
          summary: 'Comment on a track, at a moment of it, or reply to a comment',
          description:
            'With parentId, a reply: a reply to a reply is filed under the same top-level comment. ' +
            'Refused with 403 comments_off while the owner has turned comments off, 403 track_delisted on ' +
            'a delisted track, and 429 rate_limited (with Retry-After) past 10 comments a minute or 100 a day.',
          security,
          params: TrackIdParams,
          querystring: Type.Object(ShareQuery),
          body: Type.Object(
            {
              text: CommentText,
              atMs: Type.Optional(
                Type.Integer({
                  minimum: 0,
                  description: "A moment of the track in ms from its start, within the track's duration",
                }),
              ),
              parentId: Type.Optional(
                Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'The comment this replies to' }),
              ),
            },
            { additionalProperties: false },
          ),
          response: { 201: commentRef, ...trackErrors, 429: errorRef },
        },
      },
      async (request, reply) => {
        const address = requireAccount(request);
        const comment = await context.comments.create(
          request.params.id,
          { address, shareToken: request.query.share },
          request.body,
        );
        return reply.code(201).send(comment);
      },
    );

    app.put(
      '/tracks/:id/comment-settings',
      {
        schema: {
          operationId: 'setCommentsEnabled',
          tags: ['comments'],
          summary: 'Turn comments on a track off or on (owner only)',
          description:
            'While off, existing comments stay visible and new comments, replies and edits are refused.',
          security,
          params: TrackIdParams,
          body: Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false }),
          response: { 200: trackRef, ...trackErrors },
        },
      },
      async (request) => {
        requireAccount(request);
        const track = await context.tracks.setCommentsEnabled(
          request.params.id,
          viewerOf(request),
          request.body.enabled,
        );
        return toTrackView(track, `${context.publicUrl}${API_PREFIX}`);
      },
    );

    app.get(
      '/comments/:id',
      {
        schema: {
          operationId: 'getComment',
          tags: ['comments'],
          summary: 'One comment (404 unless you may see its track)',
          params: IdParams,
          querystring: Type.Object(ShareQuery),
          response: { 200: commentRef, ...errorResponses },
        },
      },
      async (request) => context.comments.get(request.params.id, viewerOf(request, request.query.share)),
    );

    app.get(
      '/comments/:id/replies',
      {
        schema: {
          operationId: 'listReplies',
          tags: ['comments'],
          summary: 'The replies under a top-level comment, oldest first',
          params: IdParams,
          querystring: Type.Object({ ...PageQuery, ...ShareQuery }),
          response: {
            200: Type.Object({
              replies: Type.Array(commentRef),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { cursor, limit = 20, share } = request.query;
        return context.comments.replies(request.params.id, { cursor, limit }, viewerOf(request, share));
      },
    );

    app.patch(
      '/comments/:id',
      {
        schema: {
          operationId: 'editComment',
          tags: ['comments'],
          summary: "Edit a comment's text (its author only, while comments are on)",
          security,
          params: IdParams,
          body: Type.Object({ text: CommentText }, { additionalProperties: false }),
          response: { 200: commentRef, ...errorResponses },
        },
      },
      async (request) => {
        requireAccount(request);
        return context.comments.edit(request.params.id, viewerOf(request), request.body.text);
      },
    );

    app.delete(
      '/comments/:id',
      {
        schema: {
          operationId: 'deleteComment',
          tags: ['comments'],
          summary: "Delete a comment (its author, the track's owner, or an operator)",
          description:
            'The text is erased; a comment with replies stays as a "deleted" placeholder. Open reports ' +
            'about it are closed.',
          security,
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        requireAccount(request);
        await context.comments.delete(request.params.id, viewerOf(request));
        return reply.code(204).send(null);
      },
    );
  };
}
