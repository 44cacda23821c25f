import type { Track } from '@fairstream/sdk';

/** Every URL of a track with the share-link token, so a holder of the link can load and play it. */
export function withShare(track: Track, share: string | undefined): Track {
  if (!share) return track;
  const add = (url: string) => {
    const parsed = new URL(url, window.location.origin);
    parsed.searchParams.set('share', share);
    return parsed.toString();
  };
  return {
    ...track,
    renditions: track.renditions.map((r) => ({ ...r, url: add(r.url) })),
    cover: track.cover.map((c) => ({ ...c, url: add(c.url) })),
    waveformUrl: track.waveformUrl && add(track.waveformUrl),
  };
}
