/**
 * The split editor's arithmetic: percentages as typed become parts per million exactly as the node
 * parses them (@fairstream/protocol), and the preview divides money with the same functions
 * settlement runs, so what the artist sees is what the ledger will pay.
 */
import {
  allocate,
  PPM_TOTAL,
  percentToPpm,
  ppmToPercent,
  type Split,
  SplitError,
  validateSplits,
} from '@fairstream/protocol';

export interface SplitRowInput {
  key: string;
  /** What the person typed: an address or a handle. */
  recipient: string;
  /** The resolved wallet address, once known. */
  address: string | undefined;
  /** Why the recipient could not be resolved (unknown handle, still looking it up…). */
  recipientError?: string | undefined;
  percent: string;
}

export interface SplitCheck {
  /** Sum of the shares that parse, in ppm. */
  totalPpm: number;
  /** Problems per row key: the percentage or the recipient. */
  rowErrors: Map<string, string>;
  /** What stops the upload, in one sentence; undefined when the split is valid. */
  problem: string | undefined;
  /** The split as the ledger will hold it (recipients ascending), when valid. */
  splits: Split[] | undefined;
}

/** "33.3333" (or "33.3333 %") → 333333 ppm; a message saying what to type otherwise. */
export function parsePercent(text: string): { ppm: number } | { error: string } {
  const trimmed = text.trim().replace(/\s*%$/, '');
  if (trimmed === '') return { error: 'Enter a percentage' };
  try {
    const ppm = percentToPpm(trimmed);
    if (ppm > PPM_TOTAL) return { error: 'A share cannot be more than 100%' };
    if (ppm === 0) return { error: 'A share must be more than 0%' };
    return { ppm };
  } catch (error) {
    if (error instanceof SplitError)
      return { error: 'Use a number from 0 to 100 with at most four decimals' };
    throw error;
  }
}

/** "The shares add up to 90%: 10% is not assigned yet." — or undefined at exactly 100%. */
export function describeTotal(totalPpm: number): string | undefined {
  if (totalPpm === PPM_TOTAL) return undefined;
  const total = ppmToPercent(totalPpm);
  if (totalPpm < PPM_TOTAL) {
    return `The shares add up to ${total}%: ${ppmToPercent(PPM_TOTAL - totalPpm)}% is not assigned yet. They must add up to exactly 100%.`;
  }
  return `The shares add up to ${total}%: ${ppmToPercent(totalPpm - PPM_TOTAL)}% too much. They must add up to exactly 100%.`;
}

export function checkSplit(rows: readonly SplitRowInput[]): SplitCheck {
  const rowErrors = new Map<string, string>();
  let totalPpm = 0;
  const seen = new Map<string, string>();
  for (const row of rows) {
    const percent = parsePercent(row.percent);
    if ('error' in percent) rowErrors.set(row.key, percent.error);
    else totalPpm += percent.ppm;
    let recipientError = row.recipientError;
    if (!recipientError && !row.address) recipientError = 'Enter a wallet address (0x…) or a handle';
    if (!recipientError && row.address) {
      const address = row.address.toLowerCase();
      const first = seen.get(address);
      if (first !== undefined) recipientError = `Already in the split (${first}); list each recipient once`;
      else seen.set(address, row.recipient.trim() || address);
    }
    if (recipientError) {
      const percentError = rowErrors.get(row.key);
      rowErrors.set(row.key, percentError ? `${recipientError}. Share: ${percentError}` : recipientError);
    }
  }
  const result = (problem: string | undefined, splits?: Split[]): SplitCheck => ({
    totalPpm,
    rowErrors,
    problem,
    splits,
  });
  if (rows.length === 0) return result('Add at least one recipient.');
  if (rows.length > 100) return result(`A split has at most 100 recipients; this one has ${rows.length}.`);
  const sum = describeTotal(totalPpm);
  if (rowErrors.size > 0) {
    const n = rowErrors.size;
    return result(
      `${n === 1 ? 'One recipient needs' : `${n} recipients need`} fixing.${sum ? ` ${sum}` : ''}`,
    );
  }
  if (sum) return result(sum);
  try {
    return result(
      undefined,
      validateSplits(
        rows.map((row) => ({ address: row.address!, percent: row.percent.trim().replace(/\s*%$/, '') })),
      ),
    );
  } catch (error) {
    if (error instanceof SplitError) return result(error.message);
    throw error;
  }
}

/** The `splits` field of POST /tracks: exact percentage strings, never floats. */
export function splitsField(splits: readonly Split[]): string {
  return JSON.stringify(
    splits.map((split) => ({ address: split.address, percent: ppmToPercent(split.ppm) })),
  );
}

export interface PreviewLine {
  address: string;
  ppm: number;
  amount: bigint;
}

export interface PayoutPreview {
  /** What the subscriber paid for the period. */
  price: bigint;
  /** The platform fee taken from it (to stakers). */
  fee: bigint;
  /** What this track earned from that subscriber. */
  trackAmount: bigint;
  /** Each recipient's part of trackAmount, in registry order. */
  lines: PreviewLine[];
}

const SUBSCRIBER = 'subscriber';
const THIS_TRACK = 'this-track';
const OTHER_TRACKS = 'other-tracks';

/**
 * What one subscriber's period pays this track's recipients, by the settlement's own `allocate`:
 * the price less the fee, divided among the tracks the subscriber played by counted plays, the
 * track's part by its split (remainder to the first recipient). `playsOfThisTrack` of
 * `totalPlays` counted plays that period were of this track; the rest of other tracks.
 */
export function previewPayout(
  splits: readonly Split[],
  options: { price: bigint; feePpm: number; playsOfThisTrack: number; totalPlays: number },
): PayoutPreview {
  const { price, feePpm, playsOfThisTrack, totalPlays } = options;
  if (!(playsOfThisTrack >= 1 && totalPlays >= playsOfThisTrack)) {
    throw new RangeError('totalPlays must be at least playsOfThisTrack, which must be at least 1');
  }
  const plays = [
    ...Array.from({ length: playsOfThisTrack }, () => ({ listener: SUBSCRIBER, trackId: THIS_TRACK })),
    ...Array.from({ length: totalPlays - playsOfThisTrack }, () => ({
      listener: SUBSCRIBER,
      trackId: OTHER_TRACKS,
    })),
  ];
  const allocation = allocate({
    subscribers: [{ address: SUBSCRIBER, amount: price }],
    plays,
    tracks: new Map([
      [
        THIS_TRACK,
        { recipients: splits.map((split) => split.address), sharesPpm: splits.map((split) => split.ppm) },
      ],
      [OTHER_TRACKS, { recipients: [OTHER_TRACKS], sharesPpm: [PPM_TOTAL] }],
    ]),
    feePpm,
    feeRecipient: 'platform-fee',
  });
  return {
    price,
    fee: allocation.fee,
    trackAmount: allocation.byTrack.get(THIS_TRACK) ?? 0n,
    lines: splits.map((split) => ({
      address: split.address,
      ppm: split.ppm,
      amount: allocation.byRecipient.get(split.address) ?? 0n,
    })),
  };
}
