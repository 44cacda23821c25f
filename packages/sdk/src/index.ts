import createClient, { type Client } from 'openapi-fetch';
import { createSiweMessage } from 'viem/siwe';
import type { components, operations, paths } from './schema.ts';

export type { components, paths } from './schema.ts';
export type Track = components['schemas']['Track'];
/** The exact TrackRegistry.register arguments of a track (GET /tracks/{id}/registration). */
export type TrackRegistration =
  operations['getTrackRegistration']['responses'][200]['content']['application/json'];
export type Comment = components['schemas']['Comment'];
export type Playlist = components['schemas']['Playlist'];
export type PlaylistSummary = components['schemas']['PlaylistSummary'];
export type ApiError = components['schemas']['ErrorResponse']['error'];
export type FairstreamClient = Client<paths>;

export interface ClientOptions {
  /** The node's origin, e.g. http://127.0.0.1:4000 */
  baseUrl: string;
  /** Session token from signIn. */
  token?: string | undefined;
  fetch?: typeof fetch;
}

/** A typed client for the Fairstream HTTP API, generated from the node's OpenAPI spec. */
export function createFairstreamClient(options: ClientOptions): FairstreamClient {
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/$/, ''),
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    ...(options.fetch && { fetch: options.fetch }),
  });
}

/** The error a failed API call carries: the API's code and message, and the HTTP status. */
export class FairstreamApiError extends Error {
  override name = 'FairstreamApiError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, error: Partial<ApiError> | undefined, fallback: string) {
    super(error?.message ?? fallback);
    this.status = status;
    this.code = error?.code ?? `http_${status}`;
  }
}

/**
 * Unwraps an openapi-fetch result, throwing FairstreamApiError for an error response. A 204 (a
 * delete, an unfollow) has no body: it unwraps to undefined, as its schema says.
 */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.status === 204 && result.error === undefined) return result.data as T;
  if (result.error !== undefined || result.data === undefined) {
    const body = result.error as { error?: ApiError } | undefined;
    throw new FairstreamApiError(result.response.status, body?.error, `HTTP ${result.response.status}`);
  }
  return result.data;
}

export interface MessageSigner {
  address: `0x${string}`;
  signMessage(args: { message: string }): Promise<`0x${string}`>;
}

/** Signs in with Ethereum (EIP-4361) and returns the session token and its expiry. */
export async function signIn(
  client: FairstreamClient,
  signer: MessageSigner,
  options: { statement?: string } = {},
) {
  const nonce = unwrap(await client.GET('/api/v1/auth/nonce'));
  const message = createSiweMessage({
    domain: nonce.domain,
    address: signer.address,
    uri: nonce.uri,
    version: '1',
    chainId: nonce.chainId,
    nonce: nonce.nonce,
    statement: options.statement ?? 'Sign in to Fairstream',
    issuedAt: new Date(),
    expirationTime: new Date(nonce.expiresAt),
  });
  const signature = await signer.signMessage({ message });
  return unwrap(await client.POST('/api/v1/auth/login', { body: { message, signature } }));
}

export {
  type MultipartPart,
  multipartBody,
  type TrackUploadFields,
  trackUploadForm,
  uploadTrack,
  uploadTrackWithProgress,
} from './multipart.ts';
export { createSessionKey, delegateSessionKey, type SessionKey, signReport } from './player.ts';
export {
  type PermitSigner,
  type SubscriptionTerms,
  signSubscriptionPermit,
  subscribe,
} from './subscriptions.ts';
