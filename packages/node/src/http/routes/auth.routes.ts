import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../app.ts';
import { requireAccount, SESSION_COOKIE } from '../authenticate.ts';
import { errorResponses } from '../schemas.ts';

const Session = Type.Object({
  address: Type.String({ description: 'Lower-case wallet address' }),
  expiresAt: Type.Integer({ description: 'Unix milliseconds' }),
});

export function authRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async function auth(app) {
    app.get(
      '/auth/nonce',
      {
        schema: {
          operationId: 'getAuthNonce',
          tags: ['auth'],
          summary: 'A single-use nonce for a Sign-In with Ethereum (EIP-4361) message',
          response: {
            200: Type.Object({
              nonce: Type.String(),
              expiresAt: Type.Integer(),
              domain: Type.String({ description: 'The domain the message must name' }),
              uri: Type.String({ description: 'The URI the message should name' }),
              chainId: Type.Integer(),
            }),
          },
        },
      },
      async () => ({
        ...(await context.auth.issueNonce()),
        domain: context.auth.domain,
        uri: context.publicUrl,
        chainId: context.auth.chainId,
      }),
    );

    app.post(
      '/auth/login',
      {
        schema: {
          operationId: 'login',
          tags: ['auth'],
          summary: 'Exchange a signed EIP-4361 message for a session (bearer token and cookie)',
          body: Type.Object(
            {
              message: Type.String({ maxLength: 4096 }),
              signature: Type.String({ pattern: '^0x[0-9a-fA-F]+$', maxLength: 1000 }),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ token: Type.String(), ...Session.properties }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const session = await context.auth.login(request.body.message, request.body.signature);
        reply.setCookie(SESSION_COOKIE, session.token, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: context.publicUrl.startsWith('https:'),
          expires: new Date(session.expiresAt),
        });
        return session;
      },
    );

    app.get(
      '/auth/session',
      {
        schema: {
          operationId: 'getSession',
          tags: ['auth'],
          summary: 'The signed-in account',
          security: [{ bearer: [] }, { cookie: [] }],
          response: { 200: Type.Object({ address: Type.String() }), ...errorResponses },
        },
      },
      async (request) => ({ address: requireAccount(request) }),
    );

    app.post(
      '/auth/logout',
      {
        schema: {
          operationId: 'logout',
          tags: ['auth'],
          summary: 'End the current session',
          security: [{ bearer: [] }, { cookie: [] }],
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        requireAccount(request);
        await context.auth.logout(request.sessionToken!);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.code(204).send(null);
      },
    );
  };
}
