import { useState } from 'react';
import { api, errorMessage, unwrap } from '../api.ts';

/**
 * Follow or unfollow an account. Hidden for yourself; signed out, it says to sign in. `onChange`
 * gets the new state and, after a follow, the follower count the node answered.
 */
export function FollowButton({
  target,
  name,
  following,
  viewer,
  onChange,
}: {
  /** Address (or handle) to follow. */
  target: string;
  /** How the account is called, for the button's accessible name. */
  name: string;
  following: boolean;
  viewer: string | undefined;
  onChange?(following: boolean, followers?: number): void;
}) {
  const [state, setState] = useState(following);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  if (viewer && viewer.toLowerCase() === target.toLowerCase()) return null;
  if (!viewer) return <span className="muted small">Sign in to follow</span>;

  const toggle = async () => {
    setBusy(true);
    setError(undefined);
    try {
      if (state) {
        await api
          .DELETE('/api/v1/users/{handleOrAddress}/follow', { params: { path: { handleOrAddress: target } } })
          .then(unwrap);
        setState(false);
        onChange?.(false);
      } else {
        const result = await api
          .PUT('/api/v1/users/{handleOrAddress}/follow', { params: { path: { handleOrAddress: target } } })
          .then(unwrap);
        setState(true);
        onChange?.(true, result.followers);
      }
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  };

  return (
    <span className="follow">
      <button
        type="button"
        className={state ? 'secondary' : undefined}
        onClick={() => void toggle()}
        disabled={busy}
      >
        {state ? 'Unfollow' : 'Follow'}
        <span className="visually-hidden"> {name}</span>
      </button>
      {error && (
        <span role="alert" className="small">
          {error}
        </span>
      )}
    </span>
  );
}
