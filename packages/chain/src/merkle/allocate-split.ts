/** A split's shares are parts per million of this. */
export const SPLIT_TOTAL_PPM = 1_000_000n;

/**
 * Divides `amount` by a split exactly as SplitLib.allocate does on-chain (Tips uses it; payouts must
 * agree with it to the base unit): every recipient gets floor(amount × share / 1e6), and the remainder,
 * at most n − 1 base units, goes to the FIRST recipient (the lowest address). The parts sum to
 * `amount`. `shares` must be a valid split (each > 0, summing to 1,000,000).
 */
export function allocateSplit(amount: bigint, shares: readonly (number | bigint)[]): bigint[] {
  if (shares.length === 0) throw new Error('A split needs at least one recipient');
  if (amount < 0n) throw new Error('Cannot allocate a negative amount');
  const sum = shares.reduce<bigint>((total, share) => total + BigInt(share), 0n);
  if (sum !== SPLIT_TOTAL_PPM) throw new Error(`The shares sum to ${sum}, not ${SPLIT_TOTAL_PPM}`);
  const parts = shares.map((share) => (amount * BigInt(share)) / SPLIT_TOTAL_PPM);
  const rest = parts.slice(1).reduce((total, part) => total + part, 0n);
  parts[0] = amount - rest;
  return parts;
}
