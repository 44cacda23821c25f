import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { API_PREFIX, type AppContext } from '../app.ts';
import { requireAccount } from '../authenticate.ts';
import { errorResponses } from '../schemas.ts';
import { NotificationPage, PageQuery } from '../social-schemas.ts';
import { toUserSummaryView } from '../social-views.ts';

const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];

export function notificationRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  const apiBase = `${context.publicUrl}${API_PREFIX}`;

  return async function notifications(app) {
    app.get(
      '/me/notifications',
      {
        schema: {
          operationId: 'listNotifications',
          tags: ['notifications'],
          summary: 'Your notifications, newest first, with the unread count',
          security,
          querystring: PageQuery,
          response: { 200: NotificationPage, ...errorResponses },
        },
      },
      async (request) => {
        const { cursor, limit = 20 } = request.query;
        const page = await context.notifications.list(requireAccount(request), { cursor, limit });
        return {
          notifications: page.items.map((item) => ({
            ...item,
            actor: item.actor && toUserSummaryView(item.actor, apiBase),
          })),
          unreadCount: page.unreadCount,
          nextCursor: page.nextCursor,
        };
      },
    );

    app.post(
      '/me/notifications/read',
      {
        bodyLimit: 16 * 1024,
        schema: {
          operationId: 'markNotificationsRead',
          tags: ['notifications'],
          summary: 'Mark all your notifications read, or some by id',
          description:
            'Send `{ "all": true }` or `{ "ids": [...] }` (1 to 100); ids that are not yours change nothing.',
          security,
          body: Type.Object(
            {
              all: Type.Optional(Type.Literal(true)),
              ids: Type.Optional(
                Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 100 }),
              ),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              marked: Type.Integer({ description: 'How many were unread and are read now' }),
              unreadCount: Type.Integer(),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => context.notifications.markRead(requireAccount(request), request.body),
    );
  };
}
