/**
 * The one error the API turns into a response: an HTTP status, a stable machine-readable code and a
 * message that tells the caller what to fix. Everything else becomes a 500 and is logged.
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  readonly code: string;
  /** Response headers the refusal needs, such as Retry-After on a 429. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options);
    this.status = status;
    this.code = code;
    this.headers = options?.headers ?? {};
  }
}

export const badRequest = (code: string, message: string, cause?: unknown) =>
  new AppError(400, code, message, { cause });
export const unauthorized = (
  message = 'Sign in first: get a nonce from /api/v1/auth/nonce and POST /api/v1/auth/login',
) => new AppError(401, 'unauthorized', message);
export const forbidden = (message: string, code = 'forbidden') => new AppError(403, code, message);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} was not found`);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
/** A resource that existed and was taken down on purpose (e.g. a delisted track): not coming back by retrying. */
export const gone = (code: string, message: string) => new AppError(410, code, message);
export const payloadTooLarge = (message: string) => new AppError(413, 'payload_too_large', message);
export const unprocessable = (code: string, message: string, cause?: unknown) =>
  new AppError(422, code, message, { cause });
/** `retryAfterMs` becomes the Retry-After header in whole seconds (at least 1). */
export const tooManyRequests = (code: string, message: string, retryAfterMs: number) =>
  new AppError(429, code, message, {
    headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  });
