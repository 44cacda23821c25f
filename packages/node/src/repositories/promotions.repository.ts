import type { Db } from '../db/database.ts';
import { isListed } from './tracks.repository.ts';

/** A Promoted event as the ledger indexer stored it; times in Unix ms. */
export interface PromotedRow {
  ledgerTrackId: string;
  startsAt: number;
  endsAt: number;
}

/** Promotions as the ledger indexer stored their `Promoted` events, and the tracks they name. */
export class PromotionsRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Promoted events mined at or after `since` (Unix ms). Promotions refuses any period ending more
   * than 90 days after the block that bought it, so every promotion running now was bought in the
   * last 90 days: the caller passes now − 90 days and never reads older events.
   */
  async promotedSince(chainId: number, since: number): Promise<PromotedRow[]> {
    const rows = await this.#db
      .selectFrom('chain_events')
      .select(['args'])
      .where('chain_id', '=', chainId)
      .where('event', '=', 'Promoted')
      .where('contract', '=', 'Promotions')
      .where('block_time', '>=', since)
      .execute();
    return rows.map((row) => {
      const args = JSON.parse(row.args) as Record<string, string>;
      return {
        ledgerTrackId: String(args.trackId).toLowerCase(),
        startsAt: Number(args.startsAt) * 1000,
        endsAt: Number(args.endsAt) * 1000,
      };
    });
  }

  /** The block time (Unix ms) of the newest indexed event: the chain's clock is at least there. */
  async newestBlockTime(chainId: number): Promise<number | undefined> {
    const row = await this.#db
      .selectFrom('chain_events')
      .select('block_time')
      .where('chain_id', '=', chainId)
      .orderBy('block_number', 'desc')
      .orderBy('log_index', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? Number(row.block_time) : undefined;
  }

  /**
   * Of these ledger track ids, the tracks anyone may be shown in the promoted slot: listed (ready,
   * public, not delisted) and not token-gated (the slot is the same for every viewer, and a gated
   * track would be one most of them cannot play). Keys lower-case, values node track ids.
   */
  async showable(ledgerIds: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (ledgerIds.length === 0) return found;
    const rows = await this.#db
      .selectFrom('tracks')
      .select(['id', 'chain_track_id'])
      .where('chain_track_id', 'in', [...ledgerIds])
      .where(isListed)
      .where('access_kind', '=', 'free')
      .execute();
    for (const row of rows) if (row.chain_track_id) found.set(row.chain_track_id.toLowerCase(), row.id);
    return found;
  }
}
