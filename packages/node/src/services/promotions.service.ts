import type { PromotionsRepository } from '../repositories/promotions.repository.ts';

/** Promotions never end more than 90 days after they are bought (Promotions.MAX_DAYS). */
const MAX_PROMOTION_MS = 90 * 24 * 3_600_000;
/** The promoted track changes at most this often when several promotions run at once. */
export const PROMOTION_ROTATION_MS = 3_600_000;

/** A track whose promotion runs now. */
export interface RunningPromotion {
  /** Node track id. */
  trackId: string;
  ledgerTrackId: string;
  /** When its promotion (with every extension bought so far) ends, Unix ms. */
  promotedUntil: number;
}

/**
 * The promoted slot of trending and search: at most one track, shown first and labeled, whose
 * promotion (a Promoted event of the Promotions contract, as the ledger indexer stored it) runs
 * now. Only listed, ungated tracks are shown. When several run, they take turns by the hour: the
 * running ones sorted by ledger track id, the one at (hours since the epoch) mod (how many run).
 * The slot is display only: it never counts a play or changes a trending score.
 */
export class PromotionsService {
  readonly #repo: PromotionsRepository;
  readonly #chainId: number;
  readonly #now: () => number;

  constructor(repo: PromotionsRepository, options: { chainId: number; now?: () => number }) {
    this.#repo = repo;
    this.#chainId = options.chainId;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Every showable track whose promotion runs now, by ledger track id. Read afresh each time (two
   * small indexed queries): a track hidden or delisted a moment ago must leave the slot at once.
   */
  async running(): Promise<RunningPromotion[]> {
    const now = await this.#chainNow();
    // A day of slack covers block times a little behind the node's clock.
    const events = await this.#repo.promotedSince(this.#chainId, now - MAX_PROMOTION_MS - 86_400_000);
    // A bought period extends the running one from its end, so a track's periods are contiguous:
    // it runs when one of them holds now, until the latest end.
    const until = new Map<string, number>();
    for (const event of events) {
      if (event.startsAt <= now && now < event.endsAt) until.set(event.ledgerTrackId, 0);
    }
    for (const event of events) {
      const current = until.get(event.ledgerTrackId);
      if (current !== undefined && event.endsAt > current) until.set(event.ledgerTrackId, event.endsAt);
    }
    const showable = await this.#repo.showable([...until.keys()]);
    const running = [...until.entries()]
      .flatMap(([ledgerTrackId, promotedUntil]) => {
        const trackId = showable.get(ledgerTrackId);
        return trackId ? [{ trackId, ledgerTrackId, promotedUntil }] : [];
      })
      .sort((a, b) => (a.ledgerTrackId < b.ledgerTrackId ? -1 : 1));
    return running;
  }

  /**
   * Now as Promotions judges a period: by block time. The node's clock, unless the chain's is ahead
   * of it (a dev chain whose clock was moved forward): then the newest indexed block's time.
   */
  async #chainNow(): Promise<number> {
    const now = this.#now();
    const newest = await this.#repo.newestBlockTime(this.#chainId);
    return newest !== undefined && newest > now ? newest : now;
  }

  /**
   * The promoted track to show now, of those `eligible` accepts (search: those the query matches);
   * undefined when none runs.
   */
  async pick(eligible: (promotion: RunningPromotion) => boolean = () => true) {
    const candidates = (await this.running()).filter(eligible);
    if (candidates.length === 0) return undefined;
    return candidates[Math.floor(this.#now() / PROMOTION_ROTATION_MS) % candidates.length];
  }
}
