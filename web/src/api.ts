import { createFairstreamClient, FairstreamApiError, type FairstreamClient, unwrap } from '@fairstream/sdk';

/**
 * The node that served this page. Signed-in calls ride on the session cookie the node sets at
 * sign-in (same origin), so no token is ever kept in script-readable storage.
 */
export const api: FairstreamClient = createFairstreamClient({ baseUrl: window.location.origin });

export { FairstreamApiError, unwrap };

/** What to tell a person about a failed call: the node's own message, which says what to fix. */
export function errorMessage(error: unknown): string {
  if (error instanceof FairstreamApiError) return error.message;
  if (error instanceof TypeError)
    return 'The node could not be reached. Check that it is running, then try again.';
  if (error instanceof Error) return error.message;
  return String(error);
}
