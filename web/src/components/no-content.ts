import { unwrap } from '../api.ts';

/**
 * For calls answered with 204 No Content (deletes, unfollows): the SDK's `unwrap` wants a body, so
 * this only throws the node's error when the call failed.
 */
export function expectNoContent(result: { data?: unknown; error?: unknown; response: Response }): void {
  if (!result.response.ok) unwrap(result);
}
