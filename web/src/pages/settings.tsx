import type { paths } from '@fairstream/sdk';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { api, errorMessage, FairstreamApiError, unwrap } from '../api.ts';
import { LoadMore } from '../components/load-more.tsx';
import { FAIR_DECIMALS } from '../components/split-preview.ts';
import { useDocumentTitle } from '../components/use-document-title.ts';
import { usePaged } from '../components/use-paged.ts';
import { Avatar, rememberUser, UserLink, type UserSummary, userHref } from '../components/user-link.tsx';
import { formatDuration, formatUnits, timeAgo } from '../lib/format.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session/session.tsx';
import '../components/listening.css';

type Profile = paths['/api/v1/me/profile']['put']['responses'][200]['content']['application/json'];
type Notification =
  paths['/api/v1/me/notifications']['get']['responses'][200]['content']['application/json']['notifications'][number];

/** The node's profile limits (profile-fields.ts); the node checks them and its message says what to fix. */
const LINKS_MAX = 5;
const BIO_MAX = 1000;

/** Your profile, picture, privacy and notifications. */
export default function SettingsPage() {
  const session = useSession();
  useDocumentTitle('Settings');
  if (session.loading) return <p className="muted">Loading…</p>;
  if (!session.address) {
    return (
      <section className="message">
        <h1>Settings</h1>
        <p>Sign in with the button at the top of the page to edit your profile, privacy and notifications.</p>
      </section>
    );
  }
  return <Settings key={session.address} address={session.address} />;
}

function Settings({ address }: { address: string }) {
  const [profile, setProfile] = useState<Profile>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    api
      .GET('/api/v1/users/{handleOrAddress}', {
        params: { path: { handleOrAddress: address }, query: { limit: 1 } },
      })
      .then(unwrap)
      .then(
        ({ address: a, handle, displayName, avatar, bio, links }) =>
          live && setProfile({ address: a, handle, displayName, avatar, bio, links }),
        (cause: unknown) => live && setError(errorMessage(cause)),
      );
    return () => {
      live = false;
    };
  }, [address]);

  const saved = (next: Profile) => {
    setProfile(next);
    rememberUser(next);
  };

  return (
    <div className="stack settings-page">
      <div>
        <h1>Settings</h1>
        <nav aria-label="Settings sections" className="row">
          <a href="#profile-heading">Profile</a>
          <a href="#picture-heading">Picture</a>
          <a href="#privacy-heading">Privacy</a>
          <a href="#notifications-heading">Notifications</a>
          {profile && <Link href={userHref(profile)}>View your profile</Link>}
        </nav>
      </div>
      {error && <p role="alert">{error}</p>}
      {profile ? (
        <>
          <ProfileForm profile={profile} onSaved={saved} />
          <AvatarForm profile={profile} onSaved={saved} />
        </>
      ) : (
        !error && <p className="muted">Loading your profile…</p>
      )}
      <PrivacyForm />
      <Notifications />
    </div>
  );
}

type Field = 'handle' | 'displayName' | 'bio' | 'links';

function fieldOf(code: string): Field | undefined {
  if (code.includes('handle')) return 'handle';
  if (code === 'invalid_display_name') return 'displayName';
  if (code === 'invalid_bio') return 'bio';
  if (code === 'invalid_links') return 'links';
  return undefined;
}

function ProfileForm({ profile, onSaved }: { profile: Profile; onSaved(profile: Profile): void }) {
  const [handle, setHandle] = useState(profile.handle ?? '');
  const [displayName, setDisplayName] = useState(profile.displayName ?? '');
  const [bio, setBio] = useState(profile.bio ?? '');
  const [links, setLinks] = useState(profile.links.map((link) => ({ ...link, key: crypto.randomUUID() })));
  const [error, setError] = useState<{ field: Field | undefined; message: string }>();
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setStatus('');
    try {
      const next = await api
        .PUT('/api/v1/me/profile', {
          body: {
            handle: handle.trim() || null,
            displayName: displayName.trim() || null,
            bio: bio.trim() || null,
            links: links
              .filter((link) => link.label.trim() || link.url.trim())
              .map(({ label, url }) => ({ label, url })),
          },
        })
        .then(unwrap);
      onSaved(next);
      setStatus('Profile saved.');
    } catch (cause) {
      const field = cause instanceof FairstreamApiError ? fieldOf(cause.code) : undefined;
      setError({ field, message: errorMessage(cause) });
      form.current?.querySelector<HTMLElement>(`[data-field="${field ?? 'form'}"]`)?.focus();
    } finally {
      setBusy(false);
    }
  };

  const invalid = (field: Field) => (error?.field === field ? true : undefined);
  const described = (field: Field, hint: string) => (error?.field === field ? `${hint} profile-error` : hint);

  return (
    <section aria-labelledby="profile-heading" className="card">
      <h2 id="profile-heading">Profile</h2>
      <form ref={form} onSubmit={(event) => void submit(event)} className="form-grid" noValidate>
        <div>
          <label htmlFor="profile-handle">Handle</label>
          <div className="prefixed">
            <span aria-hidden="true">@</span>
            <input
              id="profile-handle"
              data-field="handle"
              value={handle}
              onChange={(event) => setHandle(event.target.value)}
              autoComplete="username"
              spellCheck={false}
              aria-invalid={invalid('handle')}
              aria-describedby={described('handle', 'handle-hint')}
            />
          </div>
          <p id="handle-hint" className="muted small">
            3–30 characters: a–z, 0–9, _ and . (not first or last). Your page will be at /u/
            {handle.trim() || 'handle'}.
          </p>
        </div>
        <div>
          <label htmlFor="profile-name">Display name</label>
          <input
            id="profile-name"
            data-field="displayName"
            value={displayName}
            onChange={(event) => setDisplayName(event.target.value)}
            autoComplete="nickname"
            aria-invalid={invalid('displayName')}
            aria-describedby={described('displayName', 'name-hint')}
          />
          <p id="name-hint" className="muted small">
            Up to 50 characters, shown instead of your handle.
          </p>
        </div>
        <div>
          <label htmlFor="profile-bio">Bio</label>
          <textarea
            id="profile-bio"
            data-field="bio"
            rows={4}
            value={bio}
            onChange={(event) => setBio(event.target.value)}
            aria-invalid={invalid('bio')}
            aria-describedby={described('bio', 'bio-hint')}
          />
          <p id="bio-hint" className="muted small">
            Plain text, {bio.length.toLocaleString('en')} / {BIO_MAX.toLocaleString('en')} characters.
          </p>
        </div>
        <fieldset data-field="links" tabIndex={-1} aria-describedby={described('links', 'links-hint')}>
          <legend>Links</legend>
          <p id="links-hint" className="muted small">
            Up to {LINKS_MAX} http:// or https:// links, each with a label.
          </p>
          {links.map((link, i) => (
            <div key={link.key} className="link-row">
              <div>
                <label htmlFor={`link-label-${link.key}`}>Link {i + 1} label</label>
                <input
                  id={`link-label-${link.key}`}
                  value={link.label}
                  onChange={(event) =>
                    setLinks((all) =>
                      all.map((l) => (l.key === link.key ? { ...l, label: event.target.value } : l)),
                    )
                  }
                  aria-invalid={invalid('links')}
                />
              </div>
              <div>
                <label htmlFor={`link-url-${link.key}`}>Link {i + 1} address</label>
                <input
                  id={`link-url-${link.key}`}
                  type="url"
                  inputMode="url"
                  placeholder="https://"
                  value={link.url}
                  onChange={(event) =>
                    setLinks((all) =>
                      all.map((l) => (l.key === link.key ? { ...l, url: event.target.value } : l)),
                    )
                  }
                  aria-invalid={invalid('links')}
                />
              </div>
              <button
                type="button"
                className="secondary"
                aria-label={`Remove link ${i + 1}`}
                onClick={() => setLinks((all) => all.filter((l) => l.key !== link.key))}
              >
                Remove
              </button>
            </div>
          ))}
          {links.length < LINKS_MAX && (
            <button
              type="button"
              className="secondary"
              onClick={() => setLinks((all) => [...all, { label: '', url: '', key: crypto.randomUUID() }])}
            >
              Add a link
            </button>
          )}
        </fieldset>
        {error && (
          <p id="profile-error" role="alert" data-field="form" tabIndex={-1}>
            {error.message}
          </p>
        )}
        <div className="row">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save profile'}
          </button>
          <span role="status" aria-live="polite" className="muted">
            {status}
          </span>
        </div>
      </form>
    </section>
  );
}

function AvatarForm({ profile, onSaved }: { profile: Profile; onSaved(profile: Profile): void }) {
  const [file, setFile] = useState<File>();
  const [preview, setPreview] = useState<string>();
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();

  useEffect(() => {
    if (!file) {
      setPreview(undefined);
      return;
    }
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const upload = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) {
      setError('Choose an image first (JPEG, PNG or WebP, at least 100×100 px).');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const form = new FormData();
      form.append('avatar', file, file.name);
      const next = await api
        .POST('/api/v1/me/avatar', { body: { avatar: '' }, bodySerializer: () => form })
        .then(unwrap);
      onSaved(next);
      setFile(undefined);
      if (input.current) input.current.value = '';
      setStatus('Picture saved.');
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.DELETE('/api/v1/me/avatar').then(unwrap);
      onSaved({ ...profile, avatar: [] });
      setStatus('Picture removed.');
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  };

  const shown: UserSummary = profile;
  return (
    <section aria-labelledby="picture-heading" className="card">
      <h2 id="picture-heading">Picture</h2>
      <form onSubmit={(event) => void upload(event)} className="avatar-form">
        {preview ? (
          <img
            src={preview}
            alt="Your new avatar, not saved yet"
            width={120}
            height={120}
            className="avatar"
          />
        ) : (
          <Avatar user={shown} size={120} />
        )}
        <div className="stack-small">
          <label htmlFor={inputId}>Choose an image</label>
          <input
            id={inputId}
            ref={input}
            type="file"
            accept="image/jpeg,image/png,image/webp"
            onChange={(event) => {
              setError(undefined);
              setStatus('');
              setFile(event.target.files?.[0]);
            }}
            aria-describedby="avatar-hint"
          />
          <p id="avatar-hint" className="muted small">
            JPEG, PNG or WebP, at least 100×100 px, at most 20 MB. It is shown square.
          </p>
          <div className="row">
            <button type="submit" disabled={busy || !file}>
              {busy ? 'Uploading…' : 'Upload picture'}
            </button>
            {profile.avatar.length > 0 && (
              <button type="button" className="secondary" onClick={() => void remove()} disabled={busy}>
                Remove picture
              </button>
            )}
          </div>
          {error && <p role="alert">{error}</p>}
          <span role="status" aria-live="polite" className="muted">
            {status}
          </span>
        </div>
      </form>
    </section>
  );
}

function PrivacyForm() {
  const [hidden, setHidden] = useState<boolean>();
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState('');
  useEffect(() => {
    let live = true;
    api
      .GET('/api/v1/me/privacy')
      .then(unwrap)
      .then(
        (privacy) => live && setHidden(privacy.hideFromTopFans),
        (cause: unknown) => live && setError(errorMessage(cause)),
      );
    return () => {
      live = false;
    };
  }, []);
  const change = async (value: boolean) => {
    setError(undefined);
    setStatus('');
    setHidden(value);
    try {
      const saved = await api.PUT('/api/v1/me/privacy', { body: { hideFromTopFans: value } }).then(unwrap);
      setHidden(saved.hideFromTopFans);
      setStatus('Saved.');
    } catch (cause) {
      setHidden(!value);
      setError(errorMessage(cause));
    }
  };
  return (
    <section aria-labelledby="privacy-heading" className="card">
      <h2 id="privacy-heading">Privacy</h2>
      {hidden === undefined && !error ? (
        <p className="muted">Loading…</p>
      ) : (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={hidden ?? false}
            disabled={hidden === undefined}
            onChange={(event) => void change(event.target.checked)}
          />
          Don't name me among artists' top fans
        </label>
      )}
      <p className="muted small">Your plays count either way; artists then see them without your address.</p>
      {error && <p role="alert">{error}</p>}
      <span role="status" aria-live="polite" className="muted">
        {status}
      </span>
    </section>
  );
}

function Notifications() {
  const { chain } = useSession();
  const [unread, setUnread] = useState(0);
  const [error, setError] = useState<string>();
  const paged = usePaged<Notification>('notifications', (cursor) =>
    api
      .GET('/api/v1/me/notifications', { params: { query: { cursor, limit: 20 } } })
      .then(unwrap)
      .then((page) => {
        setUnread(page.unreadCount);
        return { items: page.notifications, nextCursor: page.nextCursor };
      }),
  );

  const markRead = async (body: { all: true } | { ids: string[] }) => {
    setError(undefined);
    try {
      const result = await api.POST('/api/v1/me/notifications/read', { body }).then(unwrap);
      const now = Date.now();
      paged.setItems((items) =>
        items.map((item) =>
          item.readAt === null && ('all' in body || body.ids.includes(item.id))
            ? { ...item, readAt: now }
            : item,
        ),
      );
      setUnread(result.unreadCount);
    } catch (cause) {
      setError(errorMessage(cause));
    }
  };

  const tokenName = (token: string) => {
    const lower = token.toLowerCase();
    if (chain?.contracts.FairToken?.toLowerCase() === lower)
      return { symbol: 'FAIR', decimals: FAIR_DECIMALS };
    if (chain?.contracts.TestStablecoin?.toLowerCase() === lower) return { symbol: 'tUSD', decimals: 6 };
    return undefined;
  };

  return (
    <section aria-labelledby="notifications-heading" className="card">
      <div className="section-head">
        <h2 id="notifications-heading">
          Notifications {unread > 0 && <span className="badge unread-badge">{unread} unread</span>}
        </h2>
        {unread > 0 && (
          <button type="button" className="secondary" onClick={() => void markRead({ all: true })}>
            Mark all read
          </button>
        )}
      </div>
      {error && <p role="alert">{error}</p>}
      {paged.loading ? (
        <p className="muted">Loading…</p>
      ) : paged.items.length === 0 && !paged.error ? (
        <p className="muted">
          Nothing yet: follows, reposts, favorites, comments, replies and payouts show here.
        </p>
      ) : (
        <ul className="notification-list" aria-label="Notifications">
          {paged.items.map((item) => (
            <li key={item.id} className={item.readAt === null ? 'notification unread' : 'notification'}>
              {item.readAt === null && <span className="visually-hidden">Unread: </span>}
              <span className="notification-text">
                <NotificationText item={item} tokenName={tokenName} />
              </span>
              <time className="muted small" dateTime={new Date(item.createdAt).toISOString()}>
                {timeAgo(item.createdAt)}
              </time>
              {item.readAt === null && (
                <button
                  type="button"
                  className="link-button"
                  onClick={() => void markRead({ ids: [item.id] })}
                >
                  Mark read
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <LoadMore paged={paged} what="notifications" />
    </section>
  );
}

function NotificationText({
  item,
  tokenName,
}: {
  item: Notification;
  tokenName(token: string): { symbol: string; decimals: number } | undefined;
}) {
  const actor = item.actor ? (
    <UserLink address={item.actor.address} user={item.actor} />
  ) : (
    <span>Someone</span>
  );
  const track = item.track ? (
    <Link href={`/t/${item.track.id}`}>{item.track.title}</Link>
  ) : (
    <span>a track</span>
  );
  const data = item.data ?? {};
  switch (item.kind) {
    case 'follow':
      return <>{actor} followed you</>;
    case 'repost':
      return (
        <>
          {actor} reposted {track}
        </>
      );
    case 'favorite':
      return (
        <>
          {actor} favorited {track}
        </>
      );
    case 'comment':
      return (
        <>
          {actor} commented on {track}
          {typeof data.atMs === 'number' && <> at {formatDuration(data.atMs)}</>}
        </>
      );
    case 'reply':
      return (
        <>
          {actor} replied to your comment on {track}
        </>
      );
    case 'payout': {
      const token = typeof data.token === 'string' ? tokenName(data.token) : undefined;
      const amount = String(data.amount ?? '0');
      return (
        <>
          Epoch <Link href={`/explorer/epochs/${data.epoch}`}>{String(data.epoch)}</Link> paid you{' '}
          <strong>
            {token ? `${formatUnits(amount, token.decimals)} ${token.symbol}` : `${amount} base units`}
          </strong>
        </>
      );
    }
    default:
      return <>{String(item.kind)}</>;
  }
}
