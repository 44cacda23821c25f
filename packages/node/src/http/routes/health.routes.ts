import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../app.ts';

export function healthRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async function health(app) {
    app.get(
      '/health',
      {
        schema: {
          operationId: 'getHealth',
          tags: ['node'],
          summary: 'Whether the node is up, and what it runs on',
          response: {
            200: Type.Object({
              status: Type.Literal('ok'),
              version: Type.String(),
              database: Type.String(),
              storage: Type.String(),
              uptimeSeconds: Type.Integer(),
            }),
          },
        },
      },
      async () => ({
        status: 'ok' as const,
        version: context.version,
        database: context.database,
        storage: context.storage,
        uptimeSeconds: Math.floor(process.uptime()),
      }),
    );
  };
}
