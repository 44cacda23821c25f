import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { TRENDING_SPAN_NAMES } from '../../services/discovery.service.ts';
import { toTrackView } from '../../services/tracks.service.ts';
import { API_PREFIX, type AppContext } from '../app.ts';
import { errorResponses, trackRef } from '../schemas.ts';

const Genre = Type.String({ maxLength: 100, description: 'A genre (as GET /genres lists them)' });

export function discoveryRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  const apiBase = `${context.publicUrl}${API_PREFIX}`;
  return async function discovery(app) {
    app.get(
      '/trending',
      {
        schema: {
          operationId: 'getTrending',
          tags: ['discovery'],
          summary: 'Trending tracks: counted plays with exponential time decay, overall or per genre',
          description:
            'score = Σ over the span’s hourly buckets of counted plays × 2^(−age / halfLife), age from the ' +
            "bucket's start: day (24 h, half-life 6 h), week (7 days, half-life 2 days), month (30 days, " +
            'half-life 7 days). Refreshed when each epoch is judged. The first item may be the promoted slot ' +
            '(`promoted: true`): a listed, ungated track whose promotion runs now, in addition to `limit`, in a ' +
            "genre's chart only when of that genre; it never changes scores or counted plays.",
          querystring: Type.Object({
            window: Type.Optional(
              Type.Union(
                TRENDING_SPAN_NAMES.map((span) => Type.Literal(span)),
                { default: 'week' },
              ),
            ),
            genre: Type.Optional(Genre),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
          }),
          response: {
            200: Type.Object({
              window: Type.String(),
              genre: Type.Union([Type.String(), Type.Null()]),
              halfLifeHours: Type.Number(),
              items: Type.Array(
                Type.Object({
                  score: Type.Number({ description: 'Decayed counted plays, as of now' }),
                  spanPlays: Type.Integer({ description: 'Counted plays in the window, undecayed' }),
                  track: trackRef,
                  promoted: Type.Boolean({
                    description:
                      'The promoted slot: a track whose artist paid (burned FAIR) to show it here; always first, at most one, shown labeled',
                  }),
                  promotedUntil: Type.Union([Type.Integer(), Type.Null()], {
                    description: 'When the promotion ends, Unix ms; null unless promoted',
                  }),
                }),
              ),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { window = 'week', genre, limit = 20 } = request.query;
        const chart = await context.discovery.trending({ span: window, genre, limit });
        return {
          window: chart.span,
          genre: chart.genre,
          halfLifeHours: chart.halfLifeHours,
          items: chart.items.map((item) => ({ ...item, track: toTrackView(item.track, apiBase) })),
        };
      },
    );

    app.get(
      '/releases',
      {
        schema: {
          operationId: 'listReleases',
          tags: ['discovery'],
          summary:
            'New releases: listed tracks by release date (else the time they became ready), newest first',
          querystring: Type.Object({
            genre: Type.Optional(Genre),
            cursor: Type.Optional(
              Type.String({ maxLength: 200, description: 'nextCursor of the previous page' }),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
          }),
          response: {
            200: Type.Object({
              tracks: Type.Array(trackRef),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { genre, cursor, limit = 20 } = request.query;
        const page = await context.discovery.releases({ genre, cursor, limit });
        return {
          tracks: page.tracks.map((track) => toTrackView(track, apiBase)),
          nextCursor: page.nextCursor,
        };
      },
    );

    app.get(
      '/genres',
      {
        schema: {
          operationId: 'listGenres',
          tags: ['discovery'],
          summary: 'Genres with the number of listed tracks in each, most first (up to a minute old)',
          response: {
            200: Type.Object({
              genres: Type.Array(Type.Object({ genre: Type.String(), tracks: Type.Integer() })),
            }),
            ...errorResponses,
          },
        },
      },
      async () => ({ genres: await context.discovery.genres() }),
    );
  };
}
