/** A track promotion's arithmetic and wording, as the Promotions contract sets them. Pure: unit-tested. */
import type { Track } from '@fairstream/sdk';

/** The longest promotion Promotions sells (its MAX_DAYS), used until the chain has answered. */
export const MAX_PROMOTION_DAYS = 90;

export type ParsedDays = { days: number } | { error: string };

/** Whole days from 1 to `maxDays`, as typed: "3" → 3; "0", "2.5", "91", "" are refused with a reason. */
export function parseDays(text: string, maxDays = MAX_PROMOTION_DAYS): ParsedDays {
  const trimmed = text.trim();
  const range = `a whole number of days from 1 to ${maxDays}`;
  if (trimmed === '') return { error: `Enter ${range}.` };
  if (!/^\d{1,3}$/.test(trimmed)) return { error: `“${trimmed.slice(0, 12)}” is not ${range}.` };
  const days = Number(trimmed);
  if (days < 1) return { error: `A promotion lasts at least 1 day: enter ${range}.` };
  if (days > maxDays) return { error: `A promotion lasts at most ${maxDays} days: enter ${range}.` };
  return { days };
}

/** What `days` cost at `pricePerDay` (FAIR base units), exactly as Promotions.quote computes it. */
export function promotionCost(pricePerDay: bigint, days: number): bigint {
  return pricePerDay * BigInt(days);
}

/**
 * When bought days would start and end (Unix ms): from now, or from the end of a running promotion,
 * which they extend. Undefined when the promotion would end more than `maxDays` from now, which the
 * contract refuses (PeriodTooLong).
 */
export function promotionWindow(
  promotedUntilSeconds: bigint,
  days: number,
  nowMs: number,
  maxDays = MAX_PROMOTION_DAYS,
): { startsAt: number; endsAt: number } | undefined {
  const running = Number(promotedUntilSeconds) * 1000;
  const startsAt = Math.max(running, nowMs);
  const endsAt = startsAt + days * 86_400_000;
  return endsAt > nowMs + maxDays * 86_400_000 ? undefined : { startsAt, endsAt };
}

/** Why a track cannot be promoted yet, or undefined when it can (it is on the ledger). */
export function notPromotableReason(track: Pick<Track, 'state' | 'ledger'>): string | undefined {
  if (track.state === 'failed') return 'its processing failed, so it was never put on the ledger.';
  if (track.state !== 'ready')
    return 'it is still being processed; once it is registered on the ledger you can promote it.';
  if (!track.ledger)
    return 'it is not registered on the ledger yet (the promotion is bought there, for its ledger id).';
  return undefined;
}
