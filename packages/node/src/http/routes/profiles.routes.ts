import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { badRequest } from '../../errors.ts';
import { API_PREFIX, type AppContext } from '../app.ts';
import { requireAccount, viewerOf } from '../authenticate.ts';
import { errorResponses } from '../schemas.ts';
import { HandleOrAddressParams, ProfileInput, ProfilePage, profileRef } from '../social-schemas.ts';
import { toProfileView, toSocialTrackView } from '../social-views.ts';
import { discard, receiveUpload } from '../upload-form.ts';

const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];

/** A profile is a few short fields: anything near the node-wide 1 MB limit is a mistake or an attack. */
const PROFILE_BODY_LIMIT = 64 * 1024;

export function profileRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  const apiBase = `${context.publicUrl}${API_PREFIX}`;

  return async function profiles(app) {
    app.put(
      '/me/profile',
      {
        bodyLimit: PROFILE_BODY_LIMIT,
        schema: {
          operationId: 'updateProfile',
          tags: ['profiles'],
          summary: 'Set your handle, display name, bio or links',
          description:
            'Creates your profile or changes it: fields left out stay as they are, null removes one, ' +
            '`links` replaces the whole list. A handle is 3–30 characters of a-z, 0-9, _ and . (not ' +
            'starting or ending with a dot), unique whatever its case; 409 handle_taken when someone ' +
            'else holds it, 400 reserved_handle for names such as admin or fairstream.',
          security,
          body: ProfileInput,
          response: { 200: profileRef, ...errorResponses },
        },
      },
      async (request) => {
        const address = requireAccount(request);
        const profile = await context.profiles.update(address, request.body);
        request.log.info({ address, fields: Object.keys(request.body) }, 'profile updated');
        return toProfileView(profile, apiBase);
      },
    );

    app.post(
      '/me/avatar',
      {
        config: {
          multipartForm: Type.Object({
            avatar: Type.String({
              format: 'binary',
              description: 'A JPEG, PNG or WebP image of at least 100×100 px, at most 20 MB',
            }),
          }),
        },
        schema: {
          operationId: 'uploadAvatar',
          tags: ['profiles'],
          summary: 'Upload your avatar (multipart "avatar"); it is stored at 150 and 480 px, WebP and JPEG',
          security,
          response: { 200: profileRef, ...errorResponses },
        },
      },
      async (request) => {
        const address = requireAccount(request);
        const upload = await receiveUpload(request, context.tempPath, context.uploadLimits, {
          limits: { avatar: context.uploadLimits.imageBytes },
          main: 'avatar',
          hint: 'send the image as "avatar"',
        });
        try {
          const avatar = upload.files.avatar;
          if (!avatar) throw badRequest('missing_avatar', 'The upload needs an "avatar" file part');
          if (Object.keys(upload.fields).length > 0) {
            throw badRequest(
              'unknown_field',
              `Unexpected field "${Object.keys(upload.fields)[0]}"; send only the "avatar" file`,
            );
          }
          const profile = await context.profiles.setAvatar(address, avatar);
          request.log.info({ address }, 'avatar uploaded');
          return toProfileView(profile, apiBase);
        } finally {
          await discard(upload.tempPaths);
        }
      },
    );

    app.delete(
      '/me/avatar',
      {
        schema: {
          operationId: 'deleteAvatar',
          tags: ['profiles'],
          summary: 'Remove your avatar',
          security,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        await context.profiles.removeAvatar(requireAccount(request));
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/users/:handleOrAddress',
      {
        schema: {
          operationId: 'getUser',
          tags: ['profiles'],
          summary: 'A profile page: the profile, follower counts, tracks and reposts',
          description:
            'By handle (any case) or by address; every address has a page, bare when it has no profile. ' +
            'Tracks and reposted tracks are listed ones only (ready, public, not delisted), except ' +
            "that an owner sees all of their own tracks. `limit` sizes both lists' first page.",
          params: HandleOrAddressParams,
          querystring: Type.Object({
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
          }),
          response: { 200: ProfilePage, ...errorResponses },
        },
      },
      async (request) => {
        const page = await context.social.profilePage(
          request.params.handleOrAddress,
          viewerOf(request),
          request.query.limit ?? 20,
        );
        return {
          ...toProfileView(page, apiBase),
          followers: page.followers,
          following: page.following,
          followedByViewer: page.followedByViewer,
          tracks: {
            items: page.tracks.items.map((item) => toSocialTrackView(item, apiBase)),
            nextCursor: page.tracks.nextCursor,
          },
          reposts: {
            items: page.reposts.items.map((item) => ({
              at: item.at,
              track: toSocialTrackView(item, apiBase),
            })),
            nextCursor: page.reposts.nextCursor,
          },
        };
      },
    );
  };
}
