/**
 * Search text, the same on every database: the node tokenizes titles, artists, tags and genres
 * itself and hands each engine (SQLite FTS5, Postgres tsvector) plain lower-case words without
 * diacritics, so both find exactly the same words and the ranking (in JS) sees them as they did.
 * Postgres's own parser would split words by the server's locale (a C locale drops every non-ASCII
 * letter); FTS5's unicode61 would agree with this tokenizer only by luck.
 */

/** Words longer than this are cut: nobody types them, and they bloat the indexes. */
export const MAX_TERM_LENGTH = 40;
/** Vocabulary terms (the typo-tolerance dictionary) have at least this many characters. */
export const MIN_FUZZY_LENGTH = 3;

const SEPARATORS = /[^\p{L}\p{N}]+/u;
const MARKS = /\p{M}+/gu;

/** Lower case, compatibility-decomposed, without combining marks: "Beyoncé" → "beyonce". */
export function normalize(text: string): string {
  return text.normalize('NFKD').replace(MARKS, '').toLowerCase();
}

/** The words of a text: runs of letters and digits after `normalize`. */
export function terms(text: string): string[] {
  return normalize(text)
    .split(SEPARATORS)
    .filter((term) => term !== '')
    .map((term) => term.slice(0, MAX_TERM_LENGTH));
}

/** What a track is found by, one field of words each. */
export interface SearchDocument {
  title: string[];
  artist: string[];
  tags: string[];
  genre: string[];
}

export function searchDocument(track: {
  title: string;
  artist_name: string | null;
  tags: string;
  genre: string | null;
}): SearchDocument {
  let tags: string[] = [];
  try {
    const parsed: unknown = JSON.parse(track.tags);
    if (Array.isArray(parsed)) tags = parsed.filter((tag): tag is string => typeof tag === 'string');
  } catch {
    // Not JSON: the column always is, but a bad row must not stop indexing the rest.
  }
  return {
    title: terms(track.title),
    artist: terms(track.artist_name ?? ''),
    tags: tags.flatMap(terms),
    genre: terms(track.genre ?? ''),
  };
}

/** Distinct words of a document long enough to be corrected to. */
export function vocabularyOf(document: SearchDocument): string[] {
  const all = [...document.title, ...document.artist, ...document.tags, ...document.genre];
  return [...new Set(all.filter((term) => [...term].length >= MIN_FUZZY_LENGTH))];
}

/** A parsed query: its words, and whether the last one is still being typed (a prefix). */
export interface ParsedQuery {
  terms: string[];
  lastIsPrefix: boolean;
}

export function parseQuery(q: string): ParsedQuery {
  const words = terms(q);
  // "night dr" is still typing "dr"; "night dr " has finished it.
  const lastIsPrefix = words.length > 0 && !/[^\p{L}\p{N}\p{M}]$/u.test(q);
  return { terms: words, lastIsPrefix };
}

/**
 * Trigrams of a word as pg_trgm makes them (two spaces before, one after, so short words and word
 * starts carry weight); a word still being typed gets no trailing space: its end is unknown.
 */
export function trigrams(term: string, prefix = false): string[] {
  const chars = [' ', ' ', ...term, ...(prefix ? [] : [' '])];
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) grams.add(chars.slice(i, i + 3).join(''));
  return [...grams];
}

/**
 * The trigrams to look a typed word up by: all of them for short words; from 4 letters on, without
 * the first ("  n" is shared by every word starting with n, so it costs the most and tells least).
 */
export function lookupTrigrams(term: string, prefix = false): string[] {
  const grams = trigrams(term, prefix);
  return [...term].length >= 4 ? grams.slice(1) : grams;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), by code point. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > max) return max + 1;
  let previous2: number[] = [];
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        value = Math.min(value, previous2[j - 2]! + 1);
      }
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
    previous2 = previous;
    previous = current;
  }
  return previous[t.length]!;
}

/** Edits a word of this length may carry and still be recognized: 1 up to 5 letters, then 2. */
export function allowedEdits(length: number): number {
  return length < MIN_FUZZY_LENGTH ? 0 : length <= 5 ? 1 : 2;
}

/**
 * How far a typed word is from a dictionary word: for a word still being typed, from the
 * dictionary word's start of about the same length ("nigt" is one edit from "nigh", so from
 * "night"). Infinity when the word is too short to correct.
 */
export function typoDistance(typed: string, candidate: string, prefix: boolean): number {
  const max = allowedEdits([...typed].length);
  if (max === 0) return Number.POSITIVE_INFINITY;
  if (!prefix) return editDistance(typed, candidate, max);
  const chars = [...candidate];
  const length = [...typed].length;
  let best = Number.POSITIVE_INFINITY;
  for (const cut of [length - 1, length, length + 1]) {
    if (cut < 1 || cut > chars.length) continue;
    best = Math.min(best, editDistance(typed, chars.slice(0, cut).join(''), max));
  }
  return best;
}
