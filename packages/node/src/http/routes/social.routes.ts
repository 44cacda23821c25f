import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Page, SocialTrack } from '../../services/social.service.ts';
import { API_PREFIX, type AppContext } from '../app.ts';
import { requireAccount, viewerOf } from '../authenticate.ts';
import { errorResponses, TrackIdParams } from '../schemas.ts';
import {
  DatedTrackPage,
  FeedPage,
  HandleOrAddressParams,
  PageQuery,
  TrackSocial,
  UserPage,
} from '../social-schemas.ts';
import { toSocialTrackView, toUserSummaryView } from '../social-views.ts';

const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];

export function socialRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  const apiBase = `${context.publicUrl}${API_PREFIX}`;
  const userPage = (page: Awaited<ReturnType<AppContext['social']['accounts']>>) => ({
    users: page.items.map((user) => ({
      ...toUserSummaryView(user, apiBase),
      at: user.at,
      followedByViewer: user.followedByViewer,
    })),
    nextCursor: page.nextCursor,
  });
  const datedTrackPage = (page: Page<SocialTrack & { at: number }>) => ({
    items: page.items.map((item) => ({ at: item.at, track: toSocialTrackView(item, apiBase) })),
    nextCursor: page.nextCursor,
  });

  return async function social(app) {
    app.put(
      '/users/:handleOrAddress/follow',
      {
        schema: {
          operationId: 'followUser',
          tags: ['social'],
          summary: 'Follow an account (idempotent: following twice is one follow)',
          description: 'Any address can be followed, with or without a profile. Following yourself is a 400.',
          security,
          params: HandleOrAddressParams,
          response: {
            200: Type.Object({
              address: Type.String({ description: 'The followed address' }),
              following: Type.Literal(true),
              followers: Type.Integer({ description: 'Its follower count now' }),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const follower = requireAccount(request);
        const result = await context.social.follow(follower, request.params.handleOrAddress);
        request.log.info({ follower, followee: result.address }, 'followed');
        return { address: result.address, following: true as const, followers: result.followers };
      },
    );

    app.delete(
      '/users/:handleOrAddress/follow',
      {
        schema: {
          operationId: 'unfollowUser',
          tags: ['social'],
          summary: 'Stop following an account (idempotent)',
          security,
          params: HandleOrAddressParams,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        await context.social.unfollow(requireAccount(request), request.params.handleOrAddress);
        return reply.code(204).send(null);
      },
    );

    for (const list of ['followers', 'following'] as const) {
      app.get(
        `/users/:handleOrAddress/${list}`,
        {
          schema: {
            operationId: list === 'followers' ? 'listFollowers' : 'listFollowing',
            tags: ['social'],
            summary:
              list === 'followers'
                ? 'Who follows an account, newest first'
                : 'Whom an account follows, newest first',
            params: HandleOrAddressParams,
            querystring: PageQuery,
            response: { 200: UserPage, ...errorResponses },
          },
        },
        async (request) => {
          const { cursor, limit = 20 } = request.query;
          return userPage(
            await context.social.accounts(list, request.params.handleOrAddress, request.account, {
              cursor,
              limit,
            }),
          );
        },
      );
    }

    for (const kind of ['repost', 'favorite'] as const) {
      const plural = `${kind}s` as const;
      app.get(
        `/users/:handleOrAddress/${plural}`,
        {
          schema: {
            operationId: kind === 'repost' ? 'listUserReposts' : 'listUserFavorites',
            tags: ['social'],
            summary: `What an account ${kind === 'repost' ? 'reposted' : 'favorited'}, newest first`,
            description: 'Listed tracks only (ready, public, not delisted), plus your own tracks.',
            params: HandleOrAddressParams,
            querystring: PageQuery,
            response: { 200: DatedTrackPage, ...errorResponses },
          },
        },
        async (request) => {
          const { cursor, limit = 20 } = request.query;
          return datedTrackPage(
            await context.social.accountTracks(kind, request.params.handleOrAddress, request.account, {
              cursor,
              limit,
            }),
          );
        },
      );

      app.put(
        `/tracks/:id/${kind}`,
        {
          schema: {
            operationId: kind === 'repost' ? 'repostTrack' : 'favoriteTrack',
            tags: ['social'],
            summary: `${kind === 'repost' ? 'Repost' : 'Favorite'} a track (idempotent)`,
            description:
              'A hidden track you may not see answers 404, exactly like an unknown one. Answers the ' +
              "track's counts.",
            security,
            params: TrackIdParams,
            response: { 200: TrackSocial, ...errorResponses },
          },
        },
        async (request) => {
          const account = requireAccount(request);
          const social = await context.social.act(kind, account, request.params.id);
          request.log.info({ account, trackId: request.params.id }, `${kind} added`);
          return { trackId: request.params.id, ...social };
        },
      );

      app.delete(
        `/tracks/:id/${kind}`,
        {
          schema: {
            operationId: kind === 'repost' ? 'unrepostTrack' : 'unfavoriteTrack',
            tags: ['social'],
            summary: `Undo a ${kind} (idempotent)`,
            security,
            params: TrackIdParams,
            response: { 204: Type.Null(), ...errorResponses },
          },
        },
        async (request, reply) => {
          await context.social.undo(kind, requireAccount(request), request.params.id);
          return reply.code(204).send(null);
        },
      );

      app.get(
        `/tracks/:id/${kind === 'repost' ? 'reposters' : 'favoriters'}`,
        {
          schema: {
            operationId: kind === 'repost' ? 'listReposters' : 'listFavoriters',
            tags: ['social'],
            summary: `Who ${kind === 'repost' ? 'reposted' : 'favorited'} a track, newest first`,
            params: TrackIdParams,
            querystring: PageQuery,
            response: { 200: UserPage, ...errorResponses },
          },
        },
        async (request) => {
          const { cursor, limit = 20 } = request.query;
          return userPage(
            await context.social.trackActors(kind, request.params.id, viewerOf(request), { cursor, limit }),
          );
        },
      );
    }

    app.get(
      '/me/feed',
      {
        schema: {
          operationId: 'getFeed',
          tags: ['social'],
          summary: 'Tracks and reposts of the accounts you follow, newest first',
          description:
            'Only listed tracks (ready, public, not delisted) appear, whoever posted or reposted them.',
          security,
          querystring: PageQuery,
          response: { 200: FeedPage, ...errorResponses },
        },
      },
      async (request) => {
        const { cursor, limit = 20 } = request.query;
        const page = await context.social.feed(requireAccount(request), { cursor, limit });
        return {
          items: page.items.map((item) => ({
            type: item.type,
            at: item.at,
            actor: toUserSummaryView(item.actor, apiBase),
            track: toSocialTrackView(item.item, apiBase),
          })),
          nextCursor: page.nextCursor,
        };
      },
    );
  };
}
