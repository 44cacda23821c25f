/**
 * Whether Postgres and SQLite store `text` exactly as given: Postgres refuses NUL characters, and
 * an unpaired UTF-16 surrogate cannot be encoded as UTF-8 (it would come back as U+FFFD).
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

/** In a /u pattern a valid pair is one code point, so only lone surrogates match \p{Cs}. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Length in characters (code points), as people count them, not UTF-16 units. */
export function characters(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
