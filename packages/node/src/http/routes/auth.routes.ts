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

    const SessionKey = Type.Object({
      sessionKey: Type.String(),
      address: Type.String(),
      expiresAt: Type.Integer({ description: 'Unix milliseconds' }),
      createdAt: Type.Integer({ description: 'Unix milliseconds' }),
      message: Type.String({ description: 'The delegation message the wallet signed' }),
    });

    app.post(
      '/auth/session-keys',
      {
        schema: {
          operationId: 'delegateSessionKey',
          tags: ['auth', 'plays'],
          summary: 'Delegate an Ed25519 session key to sign your playback reports',
          description:
            'The wallet signs (personal_sign) the delegation message that ' +
            "@fairstream/protocol's sessionKeyDelegationMessage builds from the domain and chainId of " +
            'GET /auth/nonce, the wallet address, the key, issuedAt and expiresAt; the node rebuilds ' +
            'the same text to verify it, and answers it as `message`. A delegation lasts at most 30 ' +
            'days; delegating the same key again renews it.',
          security: [{ bearer: [] }, { cookie: [] }],
          body: Type.Object(
            {
              sessionKey: Type.String({
                maxLength: 200,
                description: 'Ed25519 public key, 64 lower-case hex characters, no 0x',
              }),
              issuedAt: Type.Integer({ description: 'Unix milliseconds, as in the signed message' }),
              expiresAt: Type.Integer({ description: 'Unix milliseconds, at most 30 days ahead' }),
              signature: Type.String({
                maxLength: 1000,
                description: "The wallet's 0x-prefixed EIP-191 signature of the delegation message",
              }),
            },
            { additionalProperties: false },
          ),
          response: { 201: SessionKey, ...errorResponses },
        },
      },
      async (request, reply) => {
        const address = requireAccount(request);
        const key = await context.sessionKeys.delegate({ address, ...request.body });
        request.log.info({ address, sessionKey: key.sessionKey }, 'session key delegated');
        return reply.code(201).send(key);
      },
    );

    app.delete(
      '/auth/session-keys/:key',
      {
        schema: {
          operationId: 'revokeSessionKey',
          tags: ['auth', 'plays'],
          summary: 'Revoke a session key: reports it signs that end from now on are rejected',
          security: [{ bearer: [] }, { cookie: [] }],
          params: Type.Object({ key: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }) }),
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const address = requireAccount(request);
        await context.sessionKeys.revoke(request.params.key, address);
        return reply.code(204).send(null);
      },
    );
  };
}
