import type { paths } from '@fairstream/sdk';
import { Link } from '../router.tsx';
import { FollowButton } from './follow-button.tsx';
import { LoadMore } from './load-more.tsx';
import type { Paged } from './use-paged.ts';
import { Avatar, userHref, userLabel } from './user-link.tsx';

export type ListedUser =
  paths['/api/v1/users/{handleOrAddress}/followers']['get']['responses'][200]['content']['application/json']['users'][number];

/** Accounts (followers, following), each with a follow button, and "Load more". */
export function UserList({
  paged,
  label,
  empty,
  viewer,
}: {
  paged: Paged<ListedUser>;
  label: string;
  empty: string;
  viewer: string | undefined;
}) {
  if (paged.loading) return <p className="muted">Loading…</p>;
  return (
    <>
      {paged.items.length === 0 && !paged.error ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul className="user-list" aria-label={label}>
          {paged.items.map((user) => (
            <li key={user.address} className="user-row">
              <Avatar user={user} size={40} />
              <span className="user-card-text">
                <Link href={userHref(user)} className="user-card-name">
                  {userLabel(user)}
                </Link>
                {user.handle && user.displayName && <span className="muted small">@{user.handle}</span>}
              </span>
              <FollowButton
                target={user.address}
                name={userLabel(user)}
                following={user.followedByViewer}
                viewer={viewer}
              />
            </li>
          ))}
        </ul>
      )}
      <LoadMore paged={paged} what="accounts" />
    </>
  );
}
