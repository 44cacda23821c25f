import type { Comment, Track } from '@fairstream/sdk';
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { api, errorMessage, FairstreamApiError, unwrap } from '../api.ts';
import { AddToPlaylist } from '../components/add-to-playlist.tsx';
import { Comments } from '../components/comments.tsx';
import { genreHref } from '../components/genre-links.tsx';
import { SharePanel } from '../components/share-panel.tsx';
import { FAIR_DECIMALS } from '../components/split-preview.ts';
import { SplitTable } from '../components/split-table.tsx';
import { artistLabel, coverSrcSet, coverUrl } from '../components/track-list.tsx';
import { withShare } from '../components/track-urls.ts';
import { useDocumentTitle } from '../components/use-document-title.ts';
import { UserLink } from '../components/user-link.tsx';
import { Waveform } from '../components/waveform.tsx';
import { formatDuration, formatUnits, shortAddress } from '../lib/format.ts';
import { usePlayer } from '../player/player.tsx';
import { Link, useLocation } from '../router.tsx';
import { useSession } from '../session/session.tsx';
import '../components/listening.css';
import { TipButton } from '../wallet/tip-button.tsx';

const POLL_MS = 2000;

// Only a track's owner promotes it: the chain actions it brings load when that owner visits.
const PromotePanel = lazy(() => import('../wallet/promote-panel.tsx'));

type Loaded =
  | { kind: 'loading' }
  | { kind: 'ready'; track: Track }
  | { kind: 'missing' }
  | { kind: 'delisted'; message: string }
  | { kind: 'error'; message: string };

/**
 * A track: cover, who made it, the waveform with its playhead and comment markers, play, repost,
 * favorite, add to playlist, the split as who gets what, sharing, and comments. Hidden and unknown
 * tracks get the same "not found".
 */
export default function TrackPage({ id }: { id: string }) {
  const { query } = useLocation();
  const share = query.get('share') ?? undefined;
  const session = useSession();
  const viewer = session.address;
  const player = usePlayer();
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const [moments, setMoments] = useState<Comment[]>([]);
  const [momentsVersion, setMomentsVersion] = useState(0);
  const [fullAccess, setFullAccess] = useState<boolean>();

  const track = loaded.kind === 'ready' ? loaded.track : undefined;
  useDocumentTitle(
    track ? `${track.title} · ${artistLabel(track)}` : loaded.kind === 'missing' ? 'Not found' : undefined,
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: `viewer` is here to reload after signing in or out (owners see more).
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async (first: boolean) => {
      try {
        const found = await api
          .GET('/api/v1/tracks/{id}', { params: { path: { id }, query: { share } } })
          .then(unwrap);
        if (!live) return;
        setLoaded({ kind: 'ready', track: withShare(found, share) });
        if (found.state === 'processing') timer = setTimeout(() => void load(false), POLL_MS);
      } catch (cause) {
        if (!live) return;
        if (cause instanceof FairstreamApiError && cause.status === 404) setLoaded({ kind: 'missing' });
        else if (cause instanceof FairstreamApiError && cause.status === 410)
          setLoaded({ kind: 'delisted', message: cause.message });
        else if (first) setLoaded({ kind: 'error', message: errorMessage(cause) });
        else timer = setTimeout(() => void load(false), POLL_MS * 2);
      }
    };
    setLoaded((before) => (before.kind === 'ready' && before.track.id === id ? before : { kind: 'loading' }));
    void load(true);
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [id, share, viewer]);

  // Comments pinned to moments, for the markers on the waveform.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `momentsVersion` asks for a re-read after a comment changes.
  useEffect(() => {
    if (track?.state !== 'ready') return;
    let live = true;
    (async () => {
      const all: Comment[] = [];
      let cursor: string | undefined;
      // Up to 500 markers: more would not fit a waveform anyway.
      for (let page = 0; page < 5; page++) {
        const body = await api
          .GET('/api/v1/tracks/{id}/comments', {
            params: { path: { id: track.id }, query: { order: 'moment', limit: 100, cursor, share } },
          })
          .then(unwrap);
        all.push(...body.comments.filter((comment) => !comment.deleted));
        if (!body.nextCursor) break;
        cursor = body.nextCursor;
      }
      if (live) setMoments(all);
    })().catch(() => undefined);
    return () => {
      live = false;
    };
  }, [track?.id, track?.state, share, momentsVersion]);

  // A token-gated track plays in full only to holders: ask the stream (one byte) whether this viewer is one.
  const gatedId = track?.state === 'ready' && track.access.kind === 'token' ? track.id : undefined;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `viewer` is here because access depends on the signed-in wallet.
  useEffect(() => {
    setFullAccess(undefined);
    if (!gatedId) return;
    let live = true;
    api
      .GET('/api/v1/tracks/{id}/stream', {
        params: { path: { id: gatedId }, query: { format: 'opus', share } },
        headers: { Range: 'bytes=0-0' },
        parseAs: 'blob',
      })
      .then(
        (result) => live && setFullAccess(result.response.ok),
        () => live && setFullAccess(false),
      );
    return () => {
      live = false;
    };
  }, [gatedId, share, viewer]);

  const playable = useRef<Track | undefined>(undefined);
  playable.current =
    track && track.access.kind === 'token' && fullAccess === false
      ? { ...track, renditions: track.renditions.filter((r) => r.format === 'preview') }
      : track;

  const current = track !== undefined && player.current?.id === track.id;
  const seek = useCallback(
    (ms: number) => {
      const target = playable.current;
      if (!target) return;
      if (player.current?.id !== target.id) player.play(target, [target]);
      player.seek(ms);
    },
    [player],
  );

  if (loaded.kind === 'loading') return <p className="muted">Loading…</p>;
  if (loaded.kind === 'missing') return <TrackNotFound />;
  if (loaded.kind === 'delisted') {
    return (
      <section className="message">
        <h1>Track removed</h1>
        <p>{loaded.message}</p>
        <p>
          <Link href="/">Go home</Link>
        </p>
      </section>
    );
  }
  if (loaded.kind === 'error') {
    return (
      <section className="message">
        <h1>Could not load this track</h1>
        <p role="alert">{loaded.message}</p>
      </section>
    );
  }

  const t = loaded.track;
  const isOwner = viewer !== undefined && viewer === t.owner;
  const ready = t.state === 'ready';
  const position = current ? player.positionMs : undefined;
  // The toggles start over from what the node says whenever that changes (signing in, say).
  const socialKey = `${viewer}:${JSON.stringify(t.social ?? null)}`;

  return (
    <article className="track-page" aria-labelledby="track-title">
      <div className="track-hero">
        {coverUrl(t, 480) ? (
          <img
            className="cover-large"
            src={coverUrl(t, 480)}
            srcSet={coverSrcSet(t, [480, 1000])}
            sizes="(max-width: 640px) calc(100vw - 1.5rem), 320px"
            alt={`Cover of ${t.title}`}
            width={320}
            height={320}
          />
        ) : (
          <span className="cover-large cover-empty" aria-hidden="true" />
        )}
        <div className="track-heading">
          <p className="eyebrow">
            Track
            {t.visibility === 'hidden' && <span className="badge">Hidden</span>}
            {t.access.kind === 'token' && <span className="badge">Token-gated</span>}
          </p>
          <h1 id="track-title">{t.title}</h1>
          <p className="track-by">
            by{' '}
            {t.artistName ? (
              <Link href={`/u/${t.owner}`}>{t.artistName}</Link>
            ) : (
              <UserLink address={t.owner} />
            )}
          </p>
          <dl className="facts">
            {t.genre && (
              <div>
                <dt>Genre</dt>
                <dd>
                  <Link href={genreHref(t.genre)} className="genre-name">
                    {t.genre}
                  </Link>
                </dd>
              </div>
            )}
            {t.releaseDate && (
              <div>
                <dt>Released</dt>
                <dd>
                  <time dateTime={t.releaseDate}>{formatDate(t.releaseDate)}</time>
                </dd>
              </div>
            )}
            <div>
              <dt>Length</dt>
              <dd>{formatDuration(t.durationMs)}</dd>
            </div>
            <div>
              <dt>Counted plays</dt>
              <dd title="Plays that met the play rule: at least 30 s (or half the track) heard">
                {t.countedPlays.toLocaleString('en')}
              </dd>
            </div>
          </dl>
          {t.tags.length > 0 && (
            <ul className="tags" aria-label="Tags">
              {t.tags.map((tag) => (
                <li key={tag}>
                  <Link href={`/search?q=${encodeURIComponent(tag)}`} className="chip">
                    #{tag}
                  </Link>
                </li>
              ))}
            </ul>
          )}
          <div className="track-actions" data-slot="track-actions">
            <button
              type="button"
              className="play-large"
              disabled={!ready}
              onClick={() =>
                current
                  ? player.toggle()
                  : playable.current && player.play(playable.current, [playable.current])
              }
            >
              {current && player.playing ? '❚❚ Pause' : '▶ Play'}
            </button>
            {ready && <SocialToggle key={`repost:${socialKey}`} kind="repost" track={t} viewer={viewer} />}
            {ready && (
              <SocialToggle key={`favorite:${socialKey}`} kind="favorite" track={t} viewer={viewer} />
            )}
            {ready && viewer && <AddToPlaylist track={t} viewer={viewer} />}
            {ready && <TipButton track={t} />}
            {isOwner && (
              <Suspense fallback={null}>
                <PromotePanel track={t} />
              </Suspense>
            )}
          </div>
        </div>
      </div>

      {t.delisted && (
        <p role="alert" className="notice">
          This node's operator delisted this track: {t.delisted.reason}. Only you can see it.
        </p>
      )}

      {t.access.kind === 'token' && (
        <GateNotice track={t} fullAccess={fullAccess} signedIn={viewer !== undefined} />
      )}

      {t.state !== 'ready' ? (
        <Processing track={t} />
      ) : (
        <Waveform
          title={t.title}
          durationMs={t.durationMs}
          waveformUrl={t.waveformUrl}
          positionMs={position}
          comments={moments}
          onSeek={seek}
          onMarker={(ids) => {
            const element = document.getElementById(`comment-${ids[0]}`);
            element?.scrollIntoView({ block: 'center', behavior: 'smooth' });
          }}
        />
      )}

      {t.description && (
        <section aria-labelledby="about-heading">
          <h2 id="about-heading">About</h2>
          <p className="description">{t.description}</p>
        </section>
      )}

      <section aria-labelledby="split-heading">
        <h2 id="split-heading">Who gets what</h2>
        <SplitTable track={t} />
      </section>

      {ready && <SharePanel track={t} isOwner={isOwner} />}

      {ready && (
        <Comments
          track={t}
          share={share}
          viewer={viewer}
          moment={position}
          onSeek={seek}
          onChanged={() => setMomentsVersion((n) => n + 1)}
          onTrack={(updated) =>
            setLoaded({ kind: 'ready', track: withShare({ ...updated, social: t.social }, share) })
          }
        />
      )}
    </article>
  );
}

/** The same page for a track that does not exist and one hidden from this viewer. */
function TrackNotFound() {
  return (
    <section className="message">
      <h1>Track not found</h1>
      <p>
        There is no track at this address, or it is not shared with you. <Link href="/">Go home</Link> or
        search for it.
      </p>
    </section>
  );
}

function formatDate(date: string): string {
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime())) return date;
  return parsed.toLocaleDateString('en', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
}

function SocialToggle({
  kind,
  track,
  viewer,
}: {
  kind: 'repost' | 'favorite';
  track: Track;
  viewer: string | undefined;
}) {
  const [on, setOn] = useState(kind === 'repost' ? !!track.social?.reposted : !!track.social?.favorited);
  const [count, setCount] = useState(
    kind === 'repost' ? (track.social?.reposts ?? 0) : (track.social?.favorites ?? 0),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const label = kind === 'repost' ? 'Repost' : 'Favorite';
  const noun =
    kind === 'repost' ? (count === 1 ? 'repost' : 'reposts') : count === 1 ? 'favorite' : 'favorites';

  const toggle = async () => {
    if (!viewer) {
      setError(`Sign in to ${kind} this track.`);
      return;
    }
    setBusy(true);
    setError(undefined);
    const path = kind === 'repost' ? '/api/v1/tracks/{id}/repost' : '/api/v1/tracks/{id}/favorite';
    try {
      if (on) {
        await api.DELETE(path, { params: { path: { id: track.id } } }).then(unwrap);
        setOn(false);
        setCount((n) => Math.max(0, n - 1));
      } else {
        const counts = await api.PUT(path, { params: { path: { id: track.id } } }).then(unwrap);
        setOn(true);
        setCount(kind === 'repost' ? counts.reposts : counts.favorites);
      }
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  };

  return (
    <span className="social-toggle">
      <button
        type="button"
        className={on ? 'toggle on' : 'toggle'}
        aria-pressed={viewer ? on : undefined}
        disabled={busy}
        onClick={() => void toggle()}
      >
        <span aria-hidden="true">{kind === 'repost' ? '⟲' : on ? '♥' : '♡'}</span> {label}
        <span className="count">
          {count.toLocaleString('en')}
          <span className="visually-hidden"> {noun}</span>
        </span>
      </button>
      {error && (
        <span role="alert" className="small">
          {error}
        </span>
      )}
    </span>
  );
}

function GateNotice({
  track,
  fullAccess,
  signedIn,
}: {
  track: Track;
  fullAccess: boolean | undefined;
  signedIn: boolean;
}) {
  const { chain } = useSession();
  const token = track.access.token ?? '';
  const isFair = chain?.contracts.FairToken?.toLowerCase() === token.toLowerCase();
  const needed = track.access.minBalance ?? '0';
  return (
    <section className="notice gate" aria-labelledby="gate-heading">
      <h2 id="gate-heading">Token-gated</h2>
      <p>
        The whole track plays to wallets holding at least{' '}
        <strong>{isFair ? `${formatUnits(needed, FAIR_DECIMALS)} FAIR` : `${needed} base units`}</strong> of
        the token{' '}
        <Link href={`/explorer/accounts/${token}`} title={token}>
          <code>{shortAddress(token)}</code>
        </Link>
        {isFair ? ' (FAIR)' : ''}. Everyone else hears its 30-second preview.
      </p>
      <p className="muted">
        {fullAccess === undefined
          ? 'Checking your access…'
          : fullAccess
            ? 'Your wallet holds enough: the whole track plays.'
            : signedIn
              ? 'Your wallet does not hold enough: the preview plays.'
              : 'Sign in with a wallet that holds enough to hear it all; until then the preview plays.'}
      </p>
    </section>
  );
}

const STAGE_NAMES: Record<string, string> = {
  validate: 'Checking the audio',
  transcode: 'Making the streaming versions',
  loudness: 'Measuring loudness',
  waveform: 'Drawing the waveform',
  artwork: 'Sizing the cover art',
  register: 'Registering on the ledger',
  publish: 'Publishing',
};

function Processing({ track }: { track: Track }) {
  return (
    <section aria-labelledby="processing-heading" className="card">
      <h2 id="processing-heading">{track.state === 'failed' ? 'Processing failed' : 'Processing'}</h2>
      {track.failure ? (
        <p role="alert">{track.failure.message}</p>
      ) : (
        <p className="muted" aria-live="polite">
          This track is being prepared; this page updates by itself.
        </p>
      )}
      <ol className="stages">
        {track.stages.map((stage) => (
          <li key={stage.name} className={`stage stage-${stage.state}`}>
            <span className="stage-name">{STAGE_NAMES[stage.name] ?? stage.name}</span>
            <span className="stage-state">{stage.state}</span>
            <progress
              max={1}
              // Running without a measure yet: an indeterminate bar rather than an empty one.
              value={
                stage.state === 'done'
                  ? 1
                  : stage.state === 'running' && stage.progress === 0
                    ? undefined
                    : stage.progress
              }
              aria-label={`${STAGE_NAMES[stage.name] ?? stage.name}: ${stage.state}`}
            />
          </li>
        ))}
      </ol>
    </section>
  );
}
