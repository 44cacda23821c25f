import type { TrackRecord } from '../repositories/tracks.repository.ts';
import { API_PREFIX } from './app.ts';

/**
 * The HTML a shared link unfurls to (Open Graph, Twitter cards, oEmbed discovery) and the embeddable
 * player. Every value that came from a user is escaped with `html` before it is written, attributes
 * included; nothing else is interpolated.
 */

export const EMBED_SIZE = { width: 480, height: 152 } as const;

export function html(value: string | number): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export interface ShareUrls {
  page: string;
  embed: string;
  oembed: string;
  api: string;
  preview: string;
  cover: string | null;
  coverSmall: string | null;
}

export function shareUrls(track: TrackRecord, publicUrl: string): ShareUrls {
  const api = `${publicUrl}${API_PREFIX}`;
  const page = `${publicUrl}/t/${encodeURIComponent(track.id)}`;
  const cover = (variant: string) => {
    const asset = track.assets.find((a) => a.kind === 'cover' && a.variant === variant);
    return asset ? `${api}/blobs/${asset.cid}` : null;
  };
  return {
    page,
    embed: `${publicUrl}/embed/${encodeURIComponent(track.id)}`,
    oembed: `${api}/oembed?url=${encodeURIComponent(page)}&format=json`,
    api: `${api}/tracks/${encodeURIComponent(track.id)}`,
    preview: `${api}/tracks/${encodeURIComponent(track.id)}/stream?format=preview`,
    cover: cover('1000.jpeg'),
    coverSmall: cover('150.jpeg'),
  };
}

/** Who made it, as the page shows it: the artist name, else the uploader's short address. */
export function artistOf(track: TrackRecord): string {
  return track.artist_name ?? `${track.owner.slice(0, 6)}…${track.owner.slice(-4)}`;
}

/** What may be played in full: free tracks stream to anyone; a token-gated one embeds its preview. */
function audioSources(track: TrackRecord, urls: ShareUrls, publicUrl: string) {
  if (track.access_kind === 'token') return [{ src: urls.preview, type: 'audio/mp4' }];
  const api = `${publicUrl}${API_PREFIX}/tracks/${encodeURIComponent(track.id)}/stream`;
  return (['opus', 'aac'] as const).flatMap((format) => {
    const asset = track.assets.find((a) => a.kind === format && a.variant === '');
    return asset ? [{ src: `${api}?format=${format}`, type: asset.mime }] : [];
  });
}

/** The head tags a shared track link unfurls by: title, description, oEmbed, Open Graph, Twitter card. */
export function trackHeadTags(track: TrackRecord, publicUrl: string): string {
  const urls = shareUrls(track, publicUrl);
  const artist = artistOf(track);
  const description = describe(track);
  const meta = (attribute: 'property' | 'name', key: string, value: string | number | null) =>
    value === null ? '' : `<meta ${attribute}="${key}" content="${html(value)}">\n`;
  return `<title>${html(`${track.title} — ${artist}`)} · Fairstream</title>
<meta name="description" content="${html(description)}">
<link rel="canonical" href="${html(urls.page)}">
<link rel="alternate" type="application/json+oembed" href="${html(urls.oembed)}" title="${html(track.title)}">
${meta('property', 'og:site_name', 'Fairstream')}${meta('property', 'og:type', 'music.song')}${meta('property', 'og:title', track.title)}${meta('property', 'og:description', description)}${meta('property', 'og:url', urls.page)}${meta('property', 'og:image', urls.cover)}${urls.cover ? meta('property', 'og:image:type', 'image/jpeg') : ''}${meta('property', 'og:audio', urls.preview)}${meta('property', 'og:audio:type', 'audio/mp4')}${meta('property', 'music:duration', Math.round(track.duration_ms / 1000))}${meta('name', 'twitter:card', 'player')}${meta('name', 'twitter:title', track.title)}${meta('name', 'twitter:description', description)}${meta('name', 'twitter:image', urls.cover)}${meta('name', 'twitter:player', urls.embed)}${meta('name', 'twitter:player:width', EMBED_SIZE.width)}${meta('name', 'twitter:player:height', EMBED_SIZE.height)}${meta('name', 'twitter:player:stream', urls.preview)}${meta('name', 'twitter:player:stream:content_type', 'audio/mp4')}`;
}

function describe(track: TrackRecord): string {
  return [`by ${artistOf(track)}`, track.genre, formatDuration(track.duration_ms)]
    .filter(Boolean)
    .join(' · ');
}

/**
 * The web app's own index.html with the track's head tags in place of its title: people who open a
 * shared link get the app's track page, link previews get the tags.
 */
export function appTrackPage(appIndex: string, track: TrackRecord, publicUrl: string): string {
  return appIndex.replace(/<title>[^<]*<\/title>/, () => trackHeadTags(track, publicUrl));
}

/** The page a shared link shows when the node runs without the web app. */
export function trackPage(track: TrackRecord, publicUrl: string): string {
  const urls = shareUrls(track, publicUrl);
  const description = describe(track);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${trackHeadTags(track, publicUrl)}<style>
body{font-family:system-ui,sans-serif;margin:0;padding:2rem;background:#111;color:#eee}
main{max-width:32rem;margin:auto}img{width:100%;height:auto;border-radius:8px}audio{width:100%}a{color:#9cf}
</style>
</head>
<body>
<main>
${urls.cover ? `<img src="${html(urls.cover)}" alt="${html(`Cover of ${track.title}`)}">\n` : ''}<h1>${html(track.title)}</h1>
<p>${html(description)}</p>
${player(track, urls, publicUrl)}
<p><a href="${html(urls.api)}">Track data (JSON)</a></p>
</main>
</body>
</html>
`;
}

export function embedPage(track: TrackRecord, publicUrl: string): string {
  const urls = shareUrls(track, publicUrl);
  const artist = artistOf(track);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(`${track.title} — ${artist}`)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#111;color:#eee;overflow:hidden}
.p{display:flex;gap:12px;align-items:center;padding:12px;height:128px;box-sizing:border-box}
img{width:104px;height:104px;border-radius:6px;flex:none}.m{min-width:0;flex:1}
.t{font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.a{opacity:.7;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}audio{width:100%;margin-top:8px}
a{color:inherit;text-decoration:none}
</style>
</head>
<body>
<div class="p">
${urls.coverSmall ? `<img src="${html(urls.coverSmall)}" alt="">\n` : ''}<div class="m">
<div class="t"><a href="${html(urls.page)}" target="_blank" rel="noopener">${html(track.title)}</a></div>
<div class="a">${html(artist)}</div>
${player(track, urls, publicUrl)}
</div>
</div>
</body>
</html>
`;
}

function player(track: TrackRecord, urls: ShareUrls, publicUrl: string): string {
  const sources = audioSources(track, urls, publicUrl)
    .map((source) => `<source src="${html(source.src)}" type="${html(source.type)}">`)
    .join('');
  return `<audio controls preload="none">${sources}</audio>`;
}

export const NOT_FOUND_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>
<body><p>Not found</p></body></html>
`;

/**
 * Only this node's origin for images and audio; the embed page may be framed anywhere (that is its
 * purpose), the track page nowhere.
 */
export function pageHeaders(publicUrl: string, framing: 'anywhere' | 'nowhere'): Record<string, string> {
  const origin = new URL(publicUrl).origin;
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Content-Security-Policy': [
      "default-src 'none'",
      `img-src ${origin}`,
      `media-src ${origin}`,
      "style-src 'unsafe-inline'",
      "base-uri 'none'",
      "form-action 'none'",
      `frame-ancestors ${framing === 'anywhere' ? '*' : "'none'"}`,
    ].join('; '),
  };
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
