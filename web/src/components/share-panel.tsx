import type { Track } from '@fairstream/sdk';
import { useEffect, useState } from 'react';
import { api, errorMessage, unwrap } from '../api.ts';
import { timeAgo } from '../lib/format.ts';
import { CopyField } from './copy-field.tsx';

/** The node's embeddable player is 480 × 152 (share-pages.ts EMBED_SIZE). */
const EMBED = { width: 480, height: 152 };

export function embedCode(origin: string, track: Pick<Track, 'id' | 'title'>): string {
  const title = `${track.title} on Fairstream`.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return (
    `<iframe src="${origin}/embed/${encodeURIComponent(track.id)}" width="${EMBED.width}" height="${EMBED.height}" ` +
    `frameborder="0" allow="autoplay; encrypted-media" loading="lazy" title="${title}"></iframe>`
  );
}

interface ShareLink {
  id: string;
  createdAt: number;
  revokedAt: number | null;
}

/**
 * Share a track: its link and, for a public track, the embed code. The owner of a hidden track also
 * makes and revokes share links, which let anyone holding one see and play it.
 */
export function SharePanel({ track, isOwner }: { track: Track; isOwner: boolean }) {
  const origin = window.location.origin;
  const hidden = track.visibility === 'hidden';
  return (
    <section aria-labelledby="share-heading" className="share-panel">
      <h2 id="share-heading">Share</h2>
      {!hidden ? (
        <>
          <CopyField label="Link" value={`${origin}/t/${track.id}`} />
          <CopyField label="Embed code" value={embedCode(origin, track)} multiline />
        </>
      ) : (
        <p className="muted">
          This track is hidden: its plain link opens only for you and your collaborators, and it cannot be
          embedded. {isOwner ? 'Make a share link to let others play it.' : ''}
        </p>
      )}
      {isOwner && hidden && <ShareLinks track={track} />}
    </section>
  );
}

function ShareLinks({ track }: { track: Track }) {
  const [links, setLinks] = useState<ShareLink[]>();
  const [created, setCreated] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api
      .GET('/api/v1/tracks/{id}/share-links', { params: { path: { id: track.id } } })
      .then(unwrap)
      .then(
        (body) => live && setLinks(body.links),
        (cause: unknown) => live && setError(errorMessage(cause)),
      );
    return () => {
      live = false;
    };
  }, [track.id]);

  const create = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const link = await api
        .POST('/api/v1/tracks/{id}/share-links', { params: { path: { id: track.id } } })
        .then(unwrap);
      setCreated(`${window.location.origin}/t/${track.id}?share=${encodeURIComponent(link.token)}`);
      setLinks((list) => [{ id: link.id, createdAt: link.createdAt, revokedAt: null }, ...(list ?? [])]);
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (linkId: string) => {
    setError(undefined);
    try {
      await api
        .DELETE('/api/v1/tracks/{id}/share-links/{linkId}', { params: { path: { id: track.id, linkId } } })
        .then(unwrap);
      setLinks((list) =>
        list?.map((link) => (link.id === linkId ? { ...link, revokedAt: Date.now() } : link)),
      );
    } catch (cause) {
      setError(errorMessage(cause));
    }
  };

  return (
    <div className="share-links">
      <h3>Share links</h3>
      <button type="button" onClick={() => void create()} disabled={busy}>
        {busy ? 'Making a link…' : 'Make a share link'}
      </button>
      {created && (
        <div className="notice">
          <CopyField label="New share link (shown once: copy it now)" value={created} />
        </div>
      )}
      {error && <p role="alert">{error}</p>}
      {links && links.length > 0 && (
        <ul className="plain-list" aria-label="Share links">
          {links.map((link) => (
            <li key={link.id} className="row">
              <span>
                Link <code>{link.id.slice(0, 8)}</code>, made {timeAgo(link.createdAt)}
                {link.revokedAt !== null && <span className="badge">revoked</span>}
              </span>
              {link.revokedAt === null && (
                <button
                  type="button"
                  className="secondary"
                  onClick={() => void revoke(link.id)}
                  aria-label={`Revoke link ${link.id.slice(0, 8)}`}
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
