import type { components } from '@fairstream/sdk';
import { useEffect, useState } from 'react';
import { api, unwrap } from '../api.ts';
import { shortAddress } from '../lib/format.ts';
import { Link } from '../router.tsx';

export type UserSummary = components['schemas']['UserSummary'];

/** Accounts looked up by address, once per page load: comments and splits name the same few people. */
const summaries = new Map<string, Promise<UserSummary>>();

export function lookupUser(address: string): Promise<UserSummary> {
  const key = address.toLowerCase();
  let summary = summaries.get(key);
  if (!summary) {
    summary = api
      .GET('/api/v1/users/{handleOrAddress}', {
        params: { path: { handleOrAddress: key }, query: { limit: 1 } },
      })
      .then(unwrap)
      .then(({ address, handle, displayName, avatar }) => ({ address, handle, displayName, avatar }));
    summary.catch(() => summaries.delete(key));
    summaries.set(key, summary);
  }
  return summary;
}

/** Keeps an account already in hand (a list of followers, a saved profile) for later lookups. */
export function rememberUser(user: UserSummary): void {
  summaries.set(user.address.toLowerCase(), Promise.resolve(user));
}

/** The account's name as people know it: display name, else @handle, else its short address. */
export function userLabel(user: Pick<UserSummary, 'address' | 'handle' | 'displayName'>): string {
  return user.displayName?.trim() || (user.handle ? `@${user.handle}` : shortAddress(user.address));
}

export function userHref(user: Pick<UserSummary, 'address' | 'handle'>): string {
  return `/u/${encodeURIComponent(user.handle ?? user.address)}`;
}

/** A link to an account's profile, named by handle (`prefer="handle"`) or display name. */
export function UserLink({
  address,
  user,
  prefer = 'name',
  className,
}: {
  address: string;
  user?: UserSummary | undefined;
  prefer?: 'name' | 'handle';
  className?: string;
}) {
  const [summary, setSummary] = useState<UserSummary | undefined>(user);
  useEffect(() => {
    if (user) {
      setSummary(user);
      return;
    }
    let live = true;
    lookupUser(address).then(
      (found) => live && setSummary(found),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [address, user]);
  const known = summary ?? { address: address.toLowerCase(), handle: null, displayName: null };
  const label =
    prefer === 'handle'
      ? known.handle
        ? `@${known.handle}`
        : shortAddress(known.address)
      : userLabel(known);
  return (
    <Link href={userHref(known)} title={known.address} className={className}>
      {label}
    </Link>
  );
}

/** An account's picture at 150 or 480 px, or its initial on a tinted disc when it has none. */
export function Avatar({ user, size }: { user: UserSummary; size: number }) {
  const pick = (px: number) =>
    user.avatar.find((image) => image.variant === `${px}.webp`) ??
    user.avatar.find((image) => image.variant.startsWith(`${px}.`));
  const small = pick(150);
  const large = pick(480);
  if (!small && !large) {
    const initial = (user.displayName?.trim() || user.handle || user.address.slice(2))
      .charAt(0)
      .toUpperCase();
    const hue = Number.parseInt(user.address.slice(2, 6), 16) % 360;
    return (
      <span
        className="avatar avatar-empty"
        aria-hidden="true"
        style={{ width: size, height: size, fontSize: size / 2.4, background: `hsl(${hue} 35% 32%)` }}
      >
        {initial}
      </span>
    );
  }
  return (
    <img
      className="avatar"
      src={(small ?? large)!.url}
      srcSet={[small && `${small.url} 150w`, large && `${large.url} 480w`].filter(Boolean).join(', ')}
      sizes={`${size}px`}
      alt=""
      width={size}
      height={size}
      loading="lazy"
    />
  );
}
