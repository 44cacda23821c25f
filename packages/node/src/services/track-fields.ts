import { type Split, SplitError, validateSplits } from '@fairstream/protocol';
import { badRequest } from '../errors.ts';

/** Raw text fields of an upload or a PATCH, exactly as the client sent them. */
export type RawFields = Record<string, string | undefined>;

export interface TrackFields {
  title?: string;
  artistName?: string | null;
  genre?: string | null;
  description?: string | null;
  tags?: string[];
  releaseDate?: string | null;
  visibility?: 'public' | 'hidden';
}

export interface AccessRule {
  kind: 'free' | 'token';
  token: string | null;
  minBalance: string | null;
}

const LIMITS = { title: 200, artistName: 200, genre: 50, description: 5000, tag: 40, tags: 20 } as const;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Fields an upload or a PATCH may set; anything else is refused rather than silently ignored. */
export const METADATA_FIELDS = [
  'title',
  'artistName',
  'genre',
  'description',
  'tags',
  'releaseDate',
  'visibility',
];
export const UPLOAD_FIELDS = [
  ...METADATA_FIELDS,
  'access',
  'gateToken',
  'gateMinBalance',
  'splits',
  'registration',
];

/** Who sends the track's TrackRegistry registration: the node (default, paying the gas) or the artist. */
export type RegistrationMode = 'node' | 'artist';

export function parseRegistration(raw: string | undefined): RegistrationMode {
  if (raw === undefined || raw === 'node') return 'node';
  if (raw === 'artist') return 'artist';
  throw badRequest(
    'invalid_registration',
    `registration must be "node" (the node registers the track on the ledger and pays the gas) or "artist" (you send the registration from your wallet); got "${raw.slice(0, 40)}"`,
  );
}

export function rejectUnknownFields(fields: object, allowed: readonly string[]): void {
  const unknown = Object.keys(fields).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw badRequest(
      'unknown_field',
      `Unknown field ${unknown.join(', ')}; allowed fields are ${allowed.join(', ')}`,
    );
  }
}

/** Validates metadata text; returns only the fields that were present. */
export function parseTrackFields(raw: RawFields, now = new Date()): TrackFields {
  const fields: TrackFields = {};
  if (raw.title !== undefined) {
    const title = raw.title.trim();
    if (title === '') throw badRequest('invalid_title', 'title must not be empty');
    fields.title = limited('title', title, LIMITS.title);
  }
  if (raw.artistName !== undefined)
    fields.artistName = optionalText('artistName', raw.artistName, LIMITS.artistName);
  if (raw.genre !== undefined)
    fields.genre = optionalText('genre', raw.genre, LIMITS.genre)?.toLowerCase() ?? null;
  if (raw.description !== undefined) {
    fields.description = optionalText('description', raw.description, LIMITS.description);
  }
  if (raw.tags !== undefined) fields.tags = parseTags(raw.tags);
  if (raw.releaseDate !== undefined) fields.releaseDate = parseReleaseDate(raw.releaseDate, now);
  if (raw.visibility !== undefined) {
    if (raw.visibility !== 'public' && raw.visibility !== 'hidden') {
      throw badRequest('invalid_visibility', 'visibility must be "public" or "hidden"');
    }
    fields.visibility = raw.visibility;
  }
  return fields;
}

export function parseAccess(raw: RawFields): AccessRule {
  const kind = raw.access ?? (raw.gateToken ? 'token' : 'free');
  if (kind === 'free') {
    if (raw.gateToken || raw.gateMinBalance) {
      throw badRequest('invalid_access', 'gateToken and gateMinBalance only apply when access is "token"');
    }
    return { kind: 'free', token: null, minBalance: null };
  }
  if (kind !== 'token') throw badRequest('invalid_access', 'access must be "free" or "token"');
  if (!raw.gateToken || !ADDRESS.test(raw.gateToken)) {
    throw badRequest(
      'invalid_gate_token',
      'A token gate needs gateToken: the token contract address (0x and 40 hex digits)',
    );
  }
  const minBalance = raw.gateMinBalance ?? '1';
  if (!/^[1-9]\d{0,77}$/.test(minBalance)) {
    throw badRequest(
      'invalid_gate_min_balance',
      'gateMinBalance must be a whole number of the token base units, at least 1 (e.g. 1000000000000000000 for 1 token of 18 decimals)',
    );
  }
  return { kind: 'token', token: raw.gateToken.toLowerCase(), minBalance };
}

/** Splits arrive as JSON `[{"address","percent"}]`; without them the uploader receives 100%. */
export function parseSplits(raw: string | undefined, owner: string): Split[] {
  if (raw === undefined || raw.trim() === '') return [{ address: owner, ppm: 1_000_000 }];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw badRequest('invalid_splits', 'splits must be JSON like [{"address":"0x…","percent":60}, …]', error);
  }
  if (!Array.isArray(parsed)) {
    throw badRequest('invalid_splits', 'splits must be a JSON array of {"address","percent"} objects');
  }
  try {
    return validateSplits(parsed);
  } catch (error) {
    if (error instanceof SplitError) throw badRequest('invalid_splits', error.message, error);
    throw error;
  }
}

function limited(name: string, value: string, max: number): string {
  if (value.length > max)
    throw badRequest(`invalid_${name}`, `${name} is ${value.length} characters; at most ${max} are allowed`);
  if (hasControlCharacters(value)) {
    throw badRequest(`invalid_${name}`, `${name} contains control characters; remove them`);
  }
  return value;
}

function optionalText(name: string, value: string, max: number): string | null {
  const trimmed = value.trim();
  return trimmed === '' ? null : limited(name, trimmed, max);
}

function parseTags(raw: string): string[] {
  let list: unknown;
  if (raw.trim().startsWith('[')) {
    try {
      list = JSON.parse(raw);
    } catch (error) {
      throw badRequest(
        'invalid_tags',
        'tags must be a JSON array of strings or a comma-separated list',
        error,
      );
    }
  } else {
    list = raw.split(',');
  }
  if (!Array.isArray(list) || !list.every((tag) => typeof tag === 'string')) {
    throw badRequest('invalid_tags', 'tags must be a JSON array of strings or a comma-separated list');
  }
  const tags = [...new Set(list.map((tag) => tag.trim().toLowerCase()).filter((tag) => tag !== ''))];
  if (tags.length > LIMITS.tags)
    throw badRequest('invalid_tags', `At most ${LIMITS.tags} tags are allowed; got ${tags.length}`);
  for (const tag of tags) limited('tags', tag, LIMITS.tag);
  return tags;
}

function parseReleaseDate(raw: string, now: Date): string | null {
  const text = raw.trim();
  if (text === '') return null;
  const date = new Date(`${text}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(text) ||
    Number.isNaN(date.getTime()) ||
    date.toISOString().slice(0, 10) !== text
  ) {
    throw badRequest('invalid_release_date', 'releaseDate must be a calendar date written YYYY-MM-DD');
  }
  const latest = new Date(now.getTime() + 366 * 24 * 3600 * 1000);
  if (date.getUTCFullYear() < 1860 || date > latest) {
    throw badRequest(
      'invalid_release_date',
      'releaseDate must be between 1860-01-01 and one year from today',
    );
  }
  return text;
}

/** Control characters other than tab and line breaks never belong in metadata text. */
function hasControlCharacters(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return true;
    if (code === 0x7f) return true;
  }
  return false;
}
