import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MAX_QUERY_CHARS } from '../../services/search.service.ts';
import { toTrackView } from '../../services/tracks.service.ts';
import { API_PREFIX, type AppContext } from '../app.ts';
import { viewerOf } from '../authenticate.ts';
import { errorResponses, trackRef } from '../schemas.ts';
import { userSummaryRef } from '../social-schemas.ts';
import { toUserSummaryView } from '../social-views.ts';

export function searchRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  const apiBase = `${context.publicUrl}${API_PREFIX}`;
  return async function search(app) {
    app.get(
      '/search',
      {
        schema: {
          operationId: 'search',
          tags: ['discovery'],
          summary: 'Search tracks (title, artist, tags, genre) or accounts (handles), as you type',
          description:
            'Tracks: the last word matches as a prefix unless q ends with a space; words that match nothing ' +
            'are corrected to similar ones when exact matches are few. Ranked by relevance and counted plays. ' +
            'Hidden and delisted tracks appear only to their owner and collaborators. Users (type=users): ' +
            'handles starting with q (a leading @ is ignored), most followed first; when fewer than 10 start with ' +
            'it and q has 3 characters or more, up to 20 handles whose start is 1 edit away (q of up to 5 ' +
            'characters) or 2 follow them, fewest edits first, then most followed; `tracks` is then empty.',
          querystring: Type.Object({
            q: Type.String({ minLength: 1, maxLength: MAX_QUERY_CHARS, description: 'What to search for' }),
            type: Type.Optional(
              Type.Union([Type.Literal('tracks'), Type.Literal('users')], {
                default: 'tracks',
                description: 'What to search: tracks, or users by handle',
              }),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
            cursor: Type.Optional(
              Type.String({ maxLength: 200, description: 'nextCursor of the previous page' }),
            ),
          }),
          response: {
            200: Type.Object({
              type: Type.Union([Type.Literal('tracks'), Type.Literal('users')]),
              tracks: Type.Array(
                Type.Intersect([
                  trackRef,
                  Type.Object({
                    promoted: Type.Boolean({
                      description:
                        'The promoted slot: a track the query matches whose artist paid (burned FAIR) to show it; always first, on the first page, at most one, in addition to `limit`, shown labeled',
                    }),
                    promotedUntil: Type.Union([Type.Integer(), Type.Null()], {
                      description: 'When the promotion ends, Unix ms; null unless promoted',
                    }),
                  }),
                ]),
              ),
              users: Type.Array(userSummaryRef, { description: 'For type=users; empty otherwise' }),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { q, type = 'tracks', limit = 20, cursor } = request.query;
        if (type === 'users') {
          const page = await context.search.searchUsers({ q, limit, cursor });
          return {
            type,
            tracks: [],
            users: page.users.map((user) => toUserSummaryView(user, apiBase)),
            nextCursor: page.nextCursor,
          };
        }
        const page = await context.search.search({ q, type, limit, cursor }, viewerOf(request));
        return {
          type,
          tracks: page.tracks.map((track, i) => {
            const promoted = i === 0 && page.promoted?.trackId === track.id ? page.promoted : null;
            return {
              ...toTrackView(track, apiBase),
              promoted: promoted !== null,
              promotedUntil: promoted?.promotedUntil ?? null,
            };
          }),
          users: [],
          nextCursor: page.nextCursor,
        };
      },
    );
  };
}
