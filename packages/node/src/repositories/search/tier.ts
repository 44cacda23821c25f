/**
 * A track's popularity tier, which both search indexes order their documents by (most played
 * first): four steps per doubling of its counted plays, so 0 plays is tier 0, 1 is 4, 7 is 12, 63 is
 * 24 and 10 million is 93. Coarse on purpose: a track's tier changes at most about 90 times in its
 * life, so keeping the index in play order costs next to nothing at settlement.
 */
const TIER_STEPS_PER_DOUBLING = 4;

export function tierOf(countedPlays: number): number {
  return Math.floor(TIER_STEPS_PER_DOUBLING * Math.log2(1 + Math.max(0, countedPlays)));
}
