/**
 * Integer division of an amount by weights, exact to the base unit. Everything in an epoch is
 * divided with these two rules so that payouts add up exactly to what was funded: no dust is lost.
 */

/** A split's shares are parts per million of this. */
export const SPLIT_TOTAL_PPM = 1_000_000n;

export class AllocationError extends Error {
  override name = 'AllocationError';
}

/**
 * Largest-remainder (Hamilton) apportionment of `total` by `weights`: each item first gets
 * floor(total × weight / Σweights); the units left over (fewer than the number of items) go one each
 * to the items with the largest remainders (total × weight mod Σweights), ties to the LOWER INDEX,
 * so callers order items by their tie-break key (trackId, address) before calling. Parts sum to
 * `total` exactly, each is within one unit of its exact quota, and an item of weight 0 gets 0.
 * All weights zero: only a total of 0 can be divided (into zeros).
 */
export function largestRemainder(total: bigint, weights: readonly (bigint | number)[]): bigint[] {
  if (total < 0n) throw new AllocationError(`Cannot divide a negative amount (${total})`);
  let numbers = true;
  let numberSum = 0;
  for (const weight of weights) {
    if (typeof weight === 'number') {
      if (!Number.isSafeInteger(weight)) throw new AllocationError(`Weight ${weight} is not a whole number`);
      if (weight < 0) throw new AllocationError(`Weight ${weight} is negative`);
      numberSum += weight;
    } else {
      if (weight < 0n) throw new AllocationError(`Weight ${weight} is negative`);
      numbers = false;
    }
  }
  // The same arithmetic in doubles when every product total × weight is a safe integer: an epoch
  // divides ~10^6 small amounts, and bigint arithmetic there is most of its time and garbage.
  if (numbers && Number.isSafeInteger(numberSum) && total <= BigInt(Number.MAX_SAFE_INTEGER)) {
    const small = Number(total);
    if (numberSum === 0 || small <= Math.floor(Number.MAX_SAFE_INTEGER / numberSum)) {
      return largestRemainderSafe(small, weights as readonly number[], numberSum);
    }
  }
  const big = weights.map((weight) => BigInt(weight));
  let sum = 0n;
  for (const weight of big) sum += weight;
  if (sum === 0n) return nothingToWeigh(total, weights.length);
  const parts: bigint[] = new Array(big.length);
  const remainders: bigint[] = new Array(big.length);
  let given = 0n;
  for (let i = 0; i < big.length; i++) {
    const product = total * big[i]!;
    const part = product / sum;
    parts[i] = part;
    remainders[i] = product - part * sum;
    given += part;
  }
  // Σ remainders = Σweights × leftover and each remainder < Σweights, so more than `leftover` items
  // have a positive remainder: the units never reach an item of weight 0.
  const leftover = Number(total - given);
  if (leftover > 0) {
    const order: number[] = [];
    for (let i = 0; i < remainders.length; i++) if (remainders[i]! > 0n) order.push(i);
    order.sort((a, b) => {
      const ra = remainders[a]!;
      const rb = remainders[b]!;
      return ra > rb ? -1 : ra < rb ? 1 : a - b;
    });
    for (let k = 0; k < leftover; k++) parts[order[k]!]! += 1n;
  }
  return parts;
}

/** largestRemainder when total × Σweights is a safe integer, so every product and quotient below is exact. */
function largestRemainderSafe(total: number, weights: readonly number[], sum: number): bigint[] {
  if (sum === 0) return nothingToWeigh(BigInt(total), weights.length);
  const parts: number[] = new Array(weights.length);
  const remainders: number[] = new Array(weights.length);
  let leftover = total;
  for (let i = 0; i < weights.length; i++) {
    const product = total * weights[i]!;
    // Exact: were product / sum (true value k − r/sum, r ≥ 1) rounded up to k, then r/sum < k·2^-53,
    // so r·(2^53 − 1) < product ≤ 2^53 − 1, impossible for r ≥ 1.
    const part = Math.floor(product / sum);
    const remainder = product - part * sum;
    parts[i] = part;
    remainders[i] = remainder;
    leftover -= part;
  }
  if (leftover > 0) {
    const order: number[] = [];
    for (let i = 0; i < remainders.length; i++) if (remainders[i]! > 0) order.push(i);
    order.sort((a, b) => remainders[b]! - remainders[a]! || a - b);
    for (let k = 0; k < leftover; k++) parts[order[k]!]! += 1;
  }
  return parts.map((part) => BigInt(part));
}

function nothingToWeigh(total: bigint, count: number): bigint[] {
  if (total === 0n) return new Array<bigint>(count).fill(0n);
  throw new AllocationError(`Cannot divide ${total} among ${count} items that all weigh nothing`);
}

/**
 * Divides `amount` by a split exactly as SplitLib.allocate does on-chain (and chain's
 * allocateSplit): every recipient gets floor(amount × share / 1e6) and the remainder, at most n − 1
 * base units, goes to the FIRST recipient (the lowest address, as TrackRegistry sorts them).
 * Reimplemented here so that protocol stays free of the project's other packages; tests hold it to
 * the same vectors. `shares` must be a valid split (each > 0, summing to 1,000,000).
 */
export function allocateSplit(amount: bigint, shares: readonly (number | bigint)[]): bigint[] {
  if (shares.length === 0) throw new AllocationError('A split needs at least one recipient');
  if (amount < 0n) throw new AllocationError('Cannot allocate a negative amount');
  let sum = 0n;
  for (const share of shares) {
    if (typeof share === 'number' && !Number.isSafeInteger(share)) {
      throw new AllocationError(`Share ${share} is not a whole number of ppm`);
    }
    if (BigInt(share) <= 0n) throw new AllocationError(`Share ${share} must be above 0`);
    sum += BigInt(share);
  }
  if (sum !== SPLIT_TOTAL_PPM) throw new AllocationError(`The shares sum to ${sum}, not ${SPLIT_TOTAL_PPM}`);
  const parts = shares.map((share) => (amount * BigInt(share)) / SPLIT_TOTAL_PPM);
  let rest = 0n;
  for (let i = 1; i < parts.length; i++) rest += parts[i]!;
  parts[0] = amount - rest;
  return parts;
}
