import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toTrackView } from '../../services/tracks.service.ts';
import { API_PREFIX, type AppContext } from '../app.ts';
import { requireAccount, viewerOf } from '../authenticate.ts';
import {
  errorRef,
  errorResponses,
  ShareQuery,
  TrackIdParams,
  TrackMetadataPatch,
  TrackRegistration,
  TrackUploadForm,
  trackRef,
} from '../schemas.ts';
import { discard, receiveUpload } from '../upload-form.ts';

const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];

export function trackRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  const view = (track: Parameters<typeof toTrackView>[0]) =>
    toTrackView(track, `${context.publicUrl}${API_PREFIX}`);

  return async function tracks(app) {
    app.post(
      '/tracks',
      {
        config: { multipartForm: TrackUploadForm },
        schema: {
          operationId: 'uploadTrack',
          tags: ['tracks'],
          summary: 'Upload a track (multipart); it is processed in the background',
          description:
            'Answers 202 with the track in state "processing" once the audio is validated and stored. ' +
            'Poll GET /tracks/{id} for progress per stage until it is "ready" or "failed".',
          security,
          response: { 202: trackRef, ...errorResponses },
        },
      },
      async (request, reply) => {
        const owner = requireAccount(request);
        const upload = await receiveUpload(request, context.tempPath, context.uploadLimits);
        try {
          const audio = upload.files.audio;
          if (!audio) {
            return reply.code(400).send({
              error: { code: 'missing_audio', message: 'The upload needs an "audio" file part' },
            });
          }
          const track = await context.tracks.upload({
            owner,
            audio,
            cover: upload.files.cover,
            fields: upload.fields,
          });
          request.log.info({ trackId: track.id, owner }, 'track uploaded');
          return reply.code(202).send(view(track));
        } finally {
          await discard(upload.tempPaths);
        }
      },
    );

    app.get(
      '/tracks',
      {
        schema: {
          operationId: 'listTracks',
          tags: ['tracks'],
          summary: 'Ready public tracks, newest first (an owner listing their own also sees the rest)',
          querystring: Type.Object({
            owner: Type.Optional(Type.String({ pattern: '^0x[0-9a-fA-F]{40}$' })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
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
        const { owner, cursor, limit = 20 } = request.query;
        const page = await context.tracks.list({ owner, cursor, limit }, viewerOf(request));
        return { tracks: page.tracks.map(view), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/tracks/:id',
      {
        schema: {
          operationId: 'getTrack',
          tags: ['tracks'],
          summary: 'A track with its processing progress, renditions, split and social counts',
          description:
            'A hidden or unfinished track is 404 for anyone who may not see it; a track delisted by an ' +
            'operator is 410 track_delisted for everyone but its owner, who sees `delisted` with the reason.',
          params: TrackIdParams,
          querystring: Type.Object(ShareQuery),
          response: { 200: trackRef, ...errorResponses, 410: errorRef },
        },
      },
      async (request) => {
        const track = await context.tracks.get(request.params.id, viewerOf(request, request.query.share));
        const social = await context.social.trackSocial([track.id], request.account);
        return { ...view(track), social: social.get(track.id) };
      },
    );

    app.get(
      '/tracks/:id/registration',
      {
        schema: {
          operationId: 'getTrackRegistration',
          tags: ['tracks'],
          summary:
            'The exact TrackRegistry.register arguments for a track, and whether it is registered (owner only)',
          description:
            'For an artist who registers their own track (uploaded with registration "artist"): send ' +
            'register(ledgerTrackId, metadataDigest, access, recipients, shares) to `registry` from the ' +
            'owner wallet. The register stage completes once the entry is on the ledger and matches; an ' +
            'entry that differs in any field fails the track. Others get 404 for a track they may not see.',
          security,
          params: TrackIdParams,
          response: { 200: TrackRegistration, 503: Type.Ref('ErrorResponse'), ...errorResponses },
        },
      },
      async (request) => {
        requireAccount(request);
        return context.registrations.registrationOf(request.params.id, viewerOf(request));
      },
    );

    app.patch(
      '/tracks/:id',
      {
        schema: {
          operationId: 'updateTrack',
          tags: ['tracks'],
          summary: "Change a track's metadata or visibility (owner only)",
          security,
          params: TrackIdParams,
          body: TrackMetadataPatch,
          response: { 200: trackRef, ...errorResponses },
        },
      },
      async (request) => {
        requireAccount(request);
        const { tags, ...rest } = request.body;
        const raw = {
          ...rest,
          ...(tags !== undefined && { tags: Array.isArray(tags) ? JSON.stringify(tags) : tags }),
        };
        return view(await context.tracks.update(request.params.id, viewerOf(request), raw));
      },
    );

    app.delete(
      '/tracks/:id',
      {
        schema: {
          operationId: 'deleteTrack',
          tags: ['tracks'],
          summary: 'Delete a track and its media (owner only)',
          security,
          params: TrackIdParams,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        requireAccount(request);
        await context.tracks.delete(request.params.id, viewerOf(request));
        return reply.code(204).send(null);
      },
    );

    const ShareLink = Type.Object({
      id: Type.String(),
      createdAt: Type.Integer(),
      revokedAt: Type.Union([Type.Integer(), Type.Null()]),
    });

    app.post(
      '/tracks/:id/share-links',
      {
        schema: {
          operationId: 'createShareLink',
          tags: ['tracks'],
          summary: 'A revocable link that lets anyone holding it see and stream a hidden track',
          security,
          params: TrackIdParams,
          response: {
            201: Type.Object({
              id: Type.String(),
              token: Type.String(),
              url: Type.String(),
              createdAt: Type.Integer(),
            }),
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        requireAccount(request);
        const link = await context.tracks.createShareLink(request.params.id, viewerOf(request));
        const url = `${context.publicUrl}${API_PREFIX}/tracks/${request.params.id}?share=${link.token}`;
        return reply.code(201).send({ ...link, url });
      },
    );

    app.get(
      '/tracks/:id/share-links',
      {
        schema: {
          operationId: 'listShareLinks',
          tags: ['tracks'],
          summary: "A track's share links (owner only; tokens are not shown again)",
          security,
          params: TrackIdParams,
          response: { 200: Type.Object({ links: Type.Array(ShareLink) }), ...errorResponses },
        },
      },
      async (request) => {
        requireAccount(request);
        return { links: await context.tracks.listShareLinks(request.params.id, viewerOf(request)) };
      },
    );

    app.delete(
      '/tracks/:id/share-links/:linkId',
      {
        schema: {
          operationId: 'revokeShareLink',
          tags: ['tracks'],
          summary: 'Revoke a share link',
          security,
          params: Type.Object({ ...TrackIdParams.properties, linkId: Type.String({ maxLength: 64 }) }),
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        requireAccount(request);
        await context.tracks.revokeShareLink(request.params.id, request.params.linkId, viewerOf(request));
        return reply.code(204).send(null);
      },
    );
  };
}
