import type { Db } from '../db/database.ts';

/** A track as the wallet history names it: its node id, title and whether anyone may see it. */
export interface HistoryTrack {
  id: string;
  title: string;
  /** False for hidden tracks: their title is not shown in a public history. */
  listed: boolean;
}

/** Rows per IN list: far below SQLite's and Postgres's parameter limits. */
const IDS_PER_STATEMENT = 500;

/**
 * What the wallet history reads besides the indexed events: the tracks a ledger track id or a node
 * track id names, the handles of counterparties, and each epoch's cumulative payout leaves (which
 * say which epochs a claim paid for).
 */
export class HistoryRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Tracks by their TrackRegistry id (keccak256 of the node id), lower-case keys. */
  async tracksByLedgerId(ledgerIds: readonly string[]): Promise<Map<string, HistoryTrack>> {
    const tracks = new Map<string, HistoryTrack>();
    const unique = [...new Set(ledgerIds.map((id) => id.toLowerCase()))];
    for (let start = 0; start < unique.length; start += IDS_PER_STATEMENT) {
      const rows = await this.#db
        .selectFrom('tracks')
        .select(['id', 'title', 'visibility', 'chain_track_id'])
        .where('chain_track_id', 'in', unique.slice(start, start + IDS_PER_STATEMENT))
        .execute();
      for (const row of rows) {
        if (row.chain_track_id) {
          tracks.set(row.chain_track_id.toLowerCase(), {
            id: row.id,
            title: row.title,
            listed: row.visibility === 'public',
          });
        }
      }
    }
    return tracks;
  }

  /** Tracks by node id. */
  async tracksById(ids: readonly string[]): Promise<Map<string, HistoryTrack>> {
    const tracks = new Map<string, HistoryTrack>();
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += IDS_PER_STATEMENT) {
      const rows = await this.#db
        .selectFrom('tracks')
        .select(['id', 'title', 'visibility'])
        .where('id', 'in', unique.slice(start, start + IDS_PER_STATEMENT))
        .execute();
      for (const row of rows)
        tracks.set(row.id, { id: row.id, title: row.title, listed: row.visibility === 'public' });
    }
    return tracks;
  }

  /** Fan drops (as published to this node: GET /drops/{id}) by id: their creator and reason. */
  async drops(ids: readonly string[]): Promise<Map<string, { creator: string; reason: string }>> {
    const drops = new Map<string, { creator: string; reason: string }>();
    const unique = [...new Set(ids)].filter((id) => /^[0-9]{1,15}$/.test(id)).map(Number);
    for (let start = 0; start < unique.length; start += IDS_PER_STATEMENT) {
      const rows = await this.#db
        .selectFrom('fan_drops')
        .select(['drop_id', 'creator', 'reason'])
        .where('drop_id', 'in', unique.slice(start, start + IDS_PER_STATEMENT))
        .execute();
      for (const row of rows)
        drops.set(String(row.drop_id), { creator: row.creator.toLowerCase(), reason: row.reason });
    }
    return drops;
  }

  /** Profile handles of these (lower-case) addresses; accounts without a handle are absent. */
  async handles(addresses: readonly string[]): Promise<Map<string, string>> {
    const handles = new Map<string, string>();
    const unique = [...new Set(addresses)];
    for (let start = 0; start < unique.length; start += IDS_PER_STATEMENT) {
      const rows = await this.#db
        .selectFrom('profiles')
        .select(['address', 'handle'])
        .where('address', 'in', unique.slice(start, start + IDS_PER_STATEMENT))
        .execute();
      for (const row of rows) if (row.handle) handles.set(row.address, row.handle);
    }
    return handles;
  }

  /**
   * Epochs whose payout root is on the chain ('claim' or 'done'), at or below `atOrBelow`, newest
   * first: the roots a claim may have been paid against.
   */
  async publishedEpochs(atOrBelow: number, limit: number): Promise<number[]> {
    const rows = await this.#db
      .selectFrom('epochs')
      .select('n')
      .where('n', '<=', atOrBelow)
      .where('state', 'in', ['claim', 'done'])
      .orderBy('n', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => Number(row.n));
  }

  /** An account's cumulative amount of a token in an epoch's payout tree (undefined: no leaf). */
  async leaf(epoch: number, account: string, token: string): Promise<bigint | undefined> {
    const row = await this.#db
      .selectFrom('epoch_allocations')
      .select('amount')
      .where('epoch', '=', epoch)
      .where('kind', '=', 'leaf')
      .where('account', '=', account.toLowerCase())
      .where('token', '=', token.toLowerCase())
      .where('track_id', '=', '')
      .executeTakeFirst();
    return row ? BigInt(row.amount) : undefined;
  }

  /** An epoch's recorded totals (JSON of decimal strings), or undefined before it was computed. */
  async epochTotals(epoch: number): Promise<Record<string, string> | undefined> {
    const row = await this.#db
      .selectFrom('epochs')
      .select('totals')
      .where('n', '=', epoch)
      .executeTakeFirst();
    return row?.totals ? (JSON.parse(row.totals) as Record<string, string>) : undefined;
  }

  /** An account's fan-reward awards paid by one epoch, in rule order as stored. */
  async fanAwards(
    epoch: number,
    account: string,
  ): Promise<{ rule: string; reason: string; amount: bigint }[]> {
    const rows = await this.#db
      .selectFrom('fan_rewards')
      .select(['rule', 'reason', 'amount'])
      .where('epoch', '=', epoch)
      .where('account', '=', account.toLowerCase())
      .orderBy('rule')
      .orderBy('period')
      .execute();
    return rows.map((row) => ({ rule: row.rule, reason: row.reason, amount: BigInt(row.amount) }));
  }

  /** What an owner's apps earned in one epoch, with their names. */
  async appRewards(
    epoch: number,
    owner: string,
  ): Promise<{ appId: string; name: string | null; countedPlays: number; amount: bigint }[]> {
    const rows = await this.#db
      .selectFrom('app_rewards')
      .leftJoin('apps', 'apps.app_id', 'app_rewards.app_id')
      .select(['app_rewards.app_id', 'apps.name', 'app_rewards.counted_plays', 'app_rewards.amount'])
      .where('app_rewards.epoch', '=', epoch)
      .where('app_rewards.owner', '=', owner.toLowerCase())
      .orderBy('app_rewards.app_id')
      .execute();
    return rows.map((row) => ({
      appId: row.app_id,
      name: row.name ?? null,
      countedPlays: row.counted_plays,
      amount: BigInt(row.amount),
    }));
  }
}
