import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MAX_QUERY_CHARS, SEARCH_TYPES } from '../../services/search.service.ts';
import { toTrackView } from '../../services/tracks.service.ts';
import { API_PREFIX, type AppContext } from '../app.ts';
import { viewerOf } from '../authenticate.ts';
import { errorResponses, trackRef } from '../schemas.ts';

export function searchRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  const apiBase = `${context.publicUrl}${API_PREFIX}`;
  return async function search(app) {
    app.get(
      '/search',
      {
        schema: {
          operationId: 'search',
          tags: ['discovery'],
          summary: 'Search tracks by title, artist, tags and genre, as you type and forgiving typos',
          description:
            'The last word matches as a prefix unless q ends with a space; words that match nothing are ' +
            'corrected to similar ones when exact matches are few. Ranked by relevance and counted plays. ' +
            'Hidden and delisted tracks appear only to their owner and collaborators.',
          querystring: Type.Object({
            q: Type.String({ minLength: 1, maxLength: MAX_QUERY_CHARS, description: 'What to search for' }),
            type: Type.Optional(
              Type.Union(
                SEARCH_TYPES.map((type) => Type.Literal(type)),
                { default: 'tracks', description: 'What to search: tracks (handles once profiles exist)' },
              ),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
            cursor: Type.Optional(
              Type.String({ maxLength: 200, description: 'nextCursor of the previous page' }),
            ),
          }),
          response: {
            200: Type.Object({
              type: Type.Literal('tracks'),
              tracks: Type.Array(trackRef),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { q, type = 'tracks', limit = 20, cursor } = request.query;
        const page = await context.search.search({ q, type, limit, cursor }, viewerOf(request));
        return {
          type,
          tracks: page.tracks.map((track) => toTrackView(track, apiBase)),
          nextCursor: page.nextCursor,
        };
      },
    );
  };
}
