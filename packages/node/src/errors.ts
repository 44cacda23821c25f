/**
 * The one error the API turns into a response: an HTTP status, a stable machine-readable code and a
 * message that tells the caller what to fix. Everything else becomes a 500 and is logged.
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.code = code;
  }
}

export const badRequest = (code: string, message: string, cause?: unknown) =>
  new AppError(400, code, message, { cause });
export const unauthorized = (
  message = 'Sign in first: get a nonce from /api/v1/auth/nonce and POST /api/v1/auth/login',
) => new AppError(401, 'unauthorized', message);
export const forbidden = (message: string) => new AppError(403, 'forbidden', message);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} was not found`);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const payloadTooLarge = (message: string) => new AppError(413, 'payload_too_large', message);
export const unprocessable = (code: string, message: string, cause?: unknown) =>
  new AppError(422, code, message, { cause });
