import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { unauthorized } from '../errors.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { Viewer } from '../services/tracks.service.ts';

export const SESSION_COOKIE = 'fairstream_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** Lower-case wallet address of the signed-in account, if any. */
    account: string | undefined;
    sessionToken: string | undefined;
  }
}

/**
 * Resolves the session from a bearer token or the session cookie. A bearer token that does not
 * resolve is an error (the client meant to be signed in); a stale cookie is simply ignored.
 */
export function authenticate(auth: AuthService): onRequestHookHandler {
  return async function authenticateSession(request: FastifyRequest, _reply: FastifyReply) {
    request.account = undefined;
    request.sessionToken = undefined;
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer ([A-Za-z0-9_-]{10,100})$/.exec(header);
      if (!match) throw unauthorized('The Authorization header must be "Bearer <session token>"');
      const account = await auth.authenticate(match[1]!);
      if (!account) throw unauthorized('The session has expired or was signed out; sign in again');
      request.account = account;
      request.sessionToken = match[1];
      return;
    }
    const cookie = request.cookies?.[SESSION_COOKIE];
    if (cookie) {
      request.account = await auth.authenticate(cookie);
      if (request.account) request.sessionToken = cookie;
    }
  };
}

export function requireAccount(request: FastifyRequest): string {
  if (!request.account) throw unauthorized();
  return request.account;
}

export function viewerOf(request: FastifyRequest, shareToken?: string): Viewer {
  return { address: request.account, shareToken };
}
