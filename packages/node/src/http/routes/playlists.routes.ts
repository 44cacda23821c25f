import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { PlaylistView } from '../../services/playlists.service.ts';
import { toTrackView } from '../../services/tracks.service.ts';
import { API_PREFIX, type AppContext } from '../app.ts';
import { requireAccount, viewerOf } from '../authenticate.ts';
import {
  errorRef,
  errorResponses,
  IdParams,
  PageQuery,
  playlistRef,
  playlistSummaryRef,
  TrackIdParams,
} from '../schemas.ts';

const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];
const trackErrors = { ...errorResponses, 410: errorRef };

const Title = Type.String({ minLength: 1, maxLength: 200, description: '1 to 200 characters' });
const Description = Type.Union([Type.String({ maxLength: 5000 }), Type.Null()], {
  description: 'At most 5,000 characters; null or empty clears it',
});
const Visibility = Type.Union([Type.Literal('public'), Type.Literal('hidden')], {
  description: 'A hidden playlist exists only for its owner',
});
const Position = Type.Integer({
  minimum: 0,
  description: "0-based position among all of the playlist's tracks",
});
const EntryParams = Type.Object({
  ...IdParams.properties,
  trackId: TrackIdParams.properties.id,
});

export function playlistRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  const view = (playlist: PlaylistView) => ({
    ...playlist,
    items: playlist.items.map((item) => ({
      ...item,
      track: toTrackView(item.track, `${context.publicUrl}${API_PREFIX}`),
    })),
  });

  return async function playlists(app) {
    app.post(
      '/playlists',
      {
        schema: {
          operationId: 'createPlaylist',
          tags: ['playlists'],
          summary: 'Create a playlist, or an album (a playlist of your own tracks)',
          security,
          body: Type.Object(
            {
              title: Title,
              description: Type.Optional(Description),
              visibility: Type.Optional(Visibility),
              kind: Type.Optional(Type.Union([Type.Literal('playlist'), Type.Literal('album')])),
            },
            { additionalProperties: false },
          ),
          response: { 201: playlistRef, ...errorResponses },
        },
      },
      async (request, reply) => {
        const owner = requireAccount(request);
        return reply.code(201).send(view(await context.playlists.create(owner, request.body)));
      },
    );

    app.get(
      '/playlists',
      {
        schema: {
          operationId: 'listPlaylists',
          tags: ['playlists'],
          summary:
            "One account's playlists and albums, newest first (hidden ones only for the account itself)",
          querystring: Type.Object({
            owner: Type.String({ pattern: '^0x[0-9a-fA-F]{40}$', description: 'Wallet address' }),
            kind: Type.Optional(Type.Union([Type.Literal('playlist'), Type.Literal('album')])),
            ...PageQuery,
          }),
          response: {
            200: Type.Object({
              playlists: Type.Array(playlistSummaryRef),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { owner, kind, cursor, limit = 20 } = request.query;
        return context.playlists.list({ owner, kind, cursor, limit }, viewerOf(request));
      },
    );

    app.get(
      '/playlists/:id',
      {
        schema: {
          operationId: 'getPlaylist',
          tags: ['playlists'],
          summary: 'A playlist with its tracks in order (tracks you may not see are left out)',
          params: IdParams,
          response: { 200: playlistRef, ...errorResponses },
        },
      },
      async (request) => view(await context.playlists.get(request.params.id, viewerOf(request))),
    );

    app.patch(
      '/playlists/:id',
      {
        schema: {
          operationId: 'updatePlaylist',
          tags: ['playlists'],
          summary: 'Rename, describe, or change the visibility of a playlist (owner only)',
          security,
          params: IdParams,
          body: Type.Object(
            {
              title: Type.Optional(Title),
              description: Type.Optional(Description),
              visibility: Type.Optional(Visibility),
            },
            { additionalProperties: false },
          ),
          response: { 200: playlistRef, ...errorResponses },
        },
      },
      async (request) => {
        requireAccount(request);
        return view(await context.playlists.update(request.params.id, viewerOf(request), request.body));
      },
    );

    app.delete(
      '/playlists/:id',
      {
        schema: {
          operationId: 'deletePlaylist',
          tags: ['playlists'],
          summary: 'Delete a playlist (owner only); its tracks are untouched',
          security,
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        requireAccount(request);
        await context.playlists.delete(request.params.id, viewerOf(request));
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/playlists/:id/tracks',
      {
        schema: {
          operationId: 'addPlaylistTrack',
          tags: ['playlists'],
          summary: 'Add a track you can see (owner only; an album takes only your own tracks)',
          description:
            'At position (default: the end); the tracks after it move down. A track is in a playlist at ' +
            'most once (409 already_in_playlist); a playlist holds at most 500 tracks.',
          security,
          params: IdParams,
          body: Type.Object(
            { trackId: TrackIdParams.properties.id, position: Type.Optional(Position) },
            { additionalProperties: false },
          ),
          response: { 200: playlistRef, ...trackErrors },
        },
      },
      async (request) => {
        requireAccount(request);
        const { trackId, position } = request.body;
        return view(
          await context.playlists.addTrack(request.params.id, viewerOf(request), trackId, position),
        );
      },
    );

    app.patch(
      '/playlists/:id/tracks/:trackId',
      {
        schema: {
          operationId: 'movePlaylistTrack',
          tags: ['playlists'],
          summary: 'Move a track to a position (owner only)',
          security,
          params: EntryParams,
          body: Type.Object({ position: Position }, { additionalProperties: false }),
          response: { 200: playlistRef, ...errorResponses },
        },
      },
      async (request) => {
        requireAccount(request);
        const { id, trackId } = request.params;
        return view(await context.playlists.moveTrack(id, viewerOf(request), trackId, request.body.position));
      },
    );

    app.delete(
      '/playlists/:id/tracks/:trackId',
      {
        schema: {
          operationId: 'removePlaylistTrack',
          tags: ['playlists'],
          summary: 'Remove a track from a playlist (owner only)',
          security,
          params: EntryParams,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        requireAccount(request);
        await context.playlists.removeTrack(request.params.id, viewerOf(request), request.params.trackId);
        return reply.code(204).send(null);
      },
    );
  };
}
