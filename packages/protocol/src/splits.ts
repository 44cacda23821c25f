/**
 * Collaborator splits. Percentages are what people type; parts per million are what the ledger
 * stores (TrackRegistry requires shares summing to exactly 1,000,000), so a percentage may carry at
 * most four decimals and is converted without floating point.
 */

export const PPM_TOTAL = 1_000_000;
export const MAX_SPLIT_RECIPIENTS = 100;
const PERCENT_PATTERN = /^(\d{1,3})(?:\.(\d{1,4}))?$/;
const ADDRESS_PATTERN = /^0x[0-9a-fA-F]{40}$/;

export interface SplitInput {
  address: string;
  percent: string | number;
}

export interface Split {
  /** Lower-case 0x address. */
  address: string;
  /** Share in parts per million; all shares of a track sum to PPM_TOTAL. */
  ppm: number;
}

export class SplitError extends Error {
  override name = 'SplitError';
}

/** Converts "12.5" (or 12.5) to 125000 ppm exactly; rejects more than four decimals. */
export function percentToPpm(percent: string | number): number {
  const text = typeof percent === 'number' ? String(percent) : percent.trim();
  const match = PERCENT_PATTERN.exec(text);
  if (!match) {
    throw new SplitError(
      `"${String(percent).slice(0, 20)}" is not a percentage: use a number from 0 to 100 with at most four decimals`,
    );
  }
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(4, '0'));
  return whole * 10_000 + fraction;
}

/** Formats ppm as the shortest exact percentage string ("60", "33.3333"). */
export function ppmToPercent(ppm: number): string {
  const whole = Math.floor(ppm / 10_000);
  const fraction = String(ppm % 10_000)
    .padStart(4, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/**
 * Validates a split as the ledger will: unique addresses, each share above zero, at most 100
 * recipients, shares summing to exactly 100%. Returns recipients sorted by address, the order
 * TrackRegistry requires.
 */
export function validateSplits(inputs: readonly SplitInput[]): Split[] {
  if (inputs.length === 0) throw new SplitError('A split needs at least one recipient');
  if (inputs.length > MAX_SPLIT_RECIPIENTS) {
    throw new SplitError(
      `A split may have at most ${MAX_SPLIT_RECIPIENTS} recipients; this one has ${inputs.length}`,
    );
  }
  const seen = new Set<string>();
  const splits: Split[] = [];
  for (const input of inputs) {
    if (typeof input?.address !== 'string' || !ADDRESS_PATTERN.test(input.address)) {
      throw new SplitError(
        `"${String(input?.address).slice(0, 50)}" is not a wallet address (0x and 40 hex digits)`,
      );
    }
    const address = input.address.toLowerCase();
    if (seen.has(address))
      throw new SplitError(`${address} appears twice in the split; list each recipient once`);
    seen.add(address);
    const ppm = percentToPpm(input.percent);
    if (ppm === 0) throw new SplitError(`${address} has a share of 0%; every recipient needs more than 0%`);
    splits.push({ address, ppm });
  }
  const total = splits.reduce((sum, split) => sum + split.ppm, 0);
  if (total !== PPM_TOTAL) {
    throw new SplitError(`The split adds up to ${ppmToPercent(total)}%; it must add up to exactly 100%`);
  }
  return splits.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}
