import { allocateSplit } from '@fairstream/protocol';

/** FairToken is an OpenZeppelin ERC-20 with the standard 18 decimals. */
export const FAIR_DECIMALS = 18;

export interface SplitShare {
  address: string;
  ppm: number;
  percent: string;
}

export interface SplitRow extends SplitShare {
  /** What this recipient gets of each amount, in base units, in the order `amounts` were given. */
  amounts: bigint[];
}

/**
 * What each recipient of a split gets of the given amounts (base units), divided exactly as the
 * ledger divides a track's earnings and tips (SplitLib.allocate, `allocateSplit` in the protocol):
 * each gets its share rounded down, and the few base units left over go to the first recipient in
 * registry order (the lowest address). Rows come back in the order they were given.
 */
export function splitPreview(splits: readonly SplitShare[], amounts: readonly bigint[]): SplitRow[] {
  if (splits.length === 0) return [];
  const registryOrder = splits
    .map((split, index) => ({ split, index }))
    .sort((a, b) => compareAddresses(a.split.address, b.split.address));
  const rows: SplitRow[] = splits.map((split) => ({ ...split, amounts: [] }));
  for (const amount of amounts) {
    const parts = allocateSplit(
      amount,
      registryOrder.map(({ split }) => split.ppm),
    );
    registryOrder.forEach(({ index }, k) => {
      rows[index]!.amounts.push(parts[k]!);
    });
  }
  return rows;
}

function compareAddresses(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Largest share first, then by address, so the table reads from who gets most. */
export function bySharesDescending<T extends SplitShare>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => b.ppm - a.ppm || compareAddresses(a.address, b.address));
}
