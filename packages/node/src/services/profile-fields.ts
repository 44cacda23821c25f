import { badRequest } from '../errors.ts';

export const HANDLE_MIN = 3;
export const HANDLE_MAX = 30;
export const DISPLAY_NAME_MAX = 50;
export const BIO_MAX = 1000;
export const LINKS_MAX = 5;
export const LINK_LABEL_MAX = 40;
export const LINK_URL_MAX = 500;

/**
 * Handles that would be confusing or dangerous in someone's hands: they read as the platform
 * speaking, or collide with paths of the web app and the API (fairstream.example/<handle>).
 */
export const RESERVED_HANDLES: ReadonlySet<string> = new Set([
  'about',
  'account',
  'accounts',
  'admin',
  'administrator',
  'api',
  'app',
  'auth',
  'blobs',
  'dashboard',
  'discover',
  'docs',
  'earnings',
  'embed',
  'epochs',
  'explore',
  'fairstream',
  'favorites',
  'feed',
  'genres',
  'health',
  'help',
  'home',
  'library',
  'login',
  'logout',
  'me',
  'moderator',
  'new',
  'notifications',
  'null',
  'oembed',
  'official',
  'operator',
  'playlists',
  'privacy',
  'register',
  'root',
  'rules',
  'search',
  'security',
  'settings',
  'share',
  'signin',
  'signup',
  'staff',
  'status',
  'support',
  'system',
  'terms',
  'tracks',
  'trending',
  'undefined',
  'upload',
  'user',
  'users',
  'wallet',
  'www',
]);

const HANDLE_SHAPE = /^[a-z0-9_.]+$/i;

/** The lower-case form under which a handle is unique. */
export function handleKey(handle: string): string {
  return handle.toLowerCase();
}

/**
 * A handle as typed (case is kept for display, uniqueness ignores it): 3–30 letters, digits, `_`
 * or `.`, not starting or ending with a dot, no two dots in a row, not reserved.
 */
export function parseHandle(value: string): string {
  const handle = value.trim();
  const invalid = (why: string) =>
    badRequest(
      'invalid_handle',
      `handle ${why}: use ${HANDLE_MIN}–${HANDLE_MAX} characters of a-z, 0-9, _ and . (not starting or ending with a dot)`,
    );
  if (RESERVED_HANDLES.has(handleKey(handle))) {
    throw badRequest('reserved_handle', `The handle "${handle}" is reserved; choose another one`);
  }
  if (handle.length < HANDLE_MIN) throw invalid(`"${handle}" is too short`);
  if (handle.length > HANDLE_MAX) throw invalid(`is ${handle.length} characters long`);
  if (!HANDLE_SHAPE.test(handle)) throw invalid(`"${handle}" contains other characters`);
  if (handle.startsWith('.') || handle.endsWith('.')) throw invalid(`"${handle}" starts or ends with a dot`);
  if (handle.includes('..')) throw invalid(`"${handle}" has two dots in a row`);
  return handle;
}

/** A display name: one line of text, 1–50 characters once trimmed. */
export function parseDisplayName(value: string): string {
  const name = value.normalize('NFC').trim();
  if (name.length === 0 || name.length > DISPLAY_NAME_MAX) {
    throw badRequest(
      'invalid_display_name',
      `displayName must be 1–${DISPLAY_NAME_MAX} characters (it is ${name.length}); send null to remove it`,
    );
  }
  if (hasControlCharacters(name, false)) {
    throw badRequest(
      'invalid_display_name',
      'displayName must be one line of text without control characters',
    );
  }
  return name;
}

/**
 * A bio: plain text (clients show it as text, never as HTML), line breaks allowed, at most 1000
 * characters once trimmed; an empty bio is no bio.
 */
export function parseBio(value: string): string | null {
  const bio = value.normalize('NFC').replace(/\r\n?/g, '\n').trim();
  if (bio.length > BIO_MAX) {
    throw badRequest('invalid_bio', `bio must be at most ${BIO_MAX} characters (it is ${bio.length})`);
  }
  if (hasControlCharacters(bio, true)) {
    throw badRequest('invalid_bio', 'bio must be plain text: no control characters other than line breaks');
  }
  return bio.length === 0 ? null : bio;
}

export interface ProfileLink {
  label: string;
  url: string;
}

/** Up to 5 links, each an http(s) URL with a label of 1–40 characters. */
export function parseLinks(value: readonly { label: string; url: string }[]): ProfileLink[] {
  if (value.length > LINKS_MAX) {
    throw badRequest('invalid_links', `Send at most ${LINKS_MAX} links (got ${value.length})`);
  }
  return value.map((link, i) => {
    const label = link.label.normalize('NFC').trim();
    if (label.length === 0 || label.length > LINK_LABEL_MAX || hasControlCharacters(label, false)) {
      throw badRequest(
        'invalid_links',
        `links[${i}].label must be one line of 1–${LINK_LABEL_MAX} characters`,
      );
    }
    const raw = link.url.trim();
    let url: URL | undefined;
    try {
      url = raw.length <= LINK_URL_MAX ? new URL(raw) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '') {
      throw badRequest(
        'invalid_links',
        `links[${i}].url must be an http:// or https:// address of at most ${LINK_URL_MAX} characters, e.g. https://example.com/me`,
      );
    }
    if (url.username || url.password) {
      throw badRequest('invalid_links', `links[${i}].url must not carry a user name or password`);
    }
    return { label, url: url.href };
  });
}

function hasControlCharacters(text: string, allowNewlines: boolean): boolean {
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (allowNewlines && (char === '\n' || char === '\t')) continue;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0) || code === 0x2028 || code === 0x2029) return true;
  }
  return false;
}
