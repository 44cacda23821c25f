import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type {
  AllocationKind,
  EpochAllocationTable,
  EpochState,
  EpochTable,
  PlayReportTable,
  SessionKeyDelegationTable,
  SettledPlayTable,
} from '../db/schema.ts';
import { type AppEpochOutcome, AppsRepository } from './apps.repository.ts';
import { afterCountedPlaysChanged, applyEpochCountedPlays } from './discovery.repository.ts';
import { type FanEpochOutcome, FanRewardsRepository } from './fan-rewards.repository.ts';

export type EpochRow = EpochTable;
export type SettledPlayRow = SettledPlayTable;
export type AllocationRow = EpochAllocationTable;

/** Fields a step may set when it commits; the state always moves with them. */
export type EpochPatch = Partial<
  Pick<
    EpochTable,
    'release_tx' | 'publish_tx' | 'data_cid' | 'payout_root' | 'plays_root' | 'totals' | 'claim_txs'
  >
>;

export interface AccountAmount {
  account: string;
  token: string;
  amount: bigint;
}

/** Rows per INSERT statement: far below SQLite's and Postgres's parameter limits. */
const ROWS_PER_STATEMENT = 500;

/**
 * The settlement worker's durable state. Every method that moves an epoch to its next step does so
 * in ONE transaction with that step's results, so a crash leaves either the step undone or done.
 */
export class SettlementRepository {
  readonly #db: Db;
  /** Fan rewards' state and facts, on the same database (written with the compute step's commit). */
  readonly fans: FanRewardsRepository;
  readonly apps: AppsRepository;
  constructor(db: Db) {
    this.#db = db;
    this.fans = new FanRewardsRepository(db);
    this.apps = new AppsRepository(db);
  }

  async findEpoch(n: number): Promise<EpochRow | undefined> {
    return this.#db.selectFrom('epochs').selectAll().where('n', '=', n).executeTakeFirst();
  }

  async listEpochs(): Promise<EpochRow[]> {
    return this.#db.selectFrom('epochs').selectAll().orderBy('n').execute();
  }

  /** The oldest epoch whose settlement is not finished, else the newest epoch (finished), else none. */
  async currentEpoch(): Promise<EpochRow | undefined> {
    const open = await this.#db
      .selectFrom('epochs')
      .selectAll()
      .where('state', 'not in', ['done', 'empty'])
      .orderBy('n')
      .limit(1)
      .executeTakeFirst();
    if (open) return open;
    return this.#db.selectFrom('epochs').selectAll().orderBy('n', 'desc').limit(1).executeTakeFirst();
  }

  /** Opens an epoch at 'judge'; a no-op when it exists (another tick or node opened it). */
  async openEpoch(n: number, startsAt: number, endsAt: number, now: number): Promise<void> {
    await this.#db
      .insertInto('epochs')
      .values({ n, state: 'judge', starts_at: startsAt, ends_at: endsAt, attempts: 0, updated_at: now })
      .onConflict((conflict) => conflict.column('n').doNothing())
      .execute();
  }

  /** Commits a step: the new state, its results, and a cleared error. */
  async advance(n: number, state: EpochState, patch: EpochPatch = {}, now = Date.now()): Promise<void> {
    await this.#advance(this.#db, n, state, patch, now);
  }

  async recordError(n: number, error: string, now = Date.now()): Promise<void> {
    await this.#db
      .updateTable('epochs')
      .set((eb) => ({ error: error.slice(0, 2000), attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('n', '=', n)
      .execute();
  }

  /** For operators and tests: runs a step again (every step is safe to redo). */
  async rewind(n: number, state: EpochState, now = Date.now()): Promise<void> {
    await this.#db.updateTable('epochs').set({ state, updated_at: now }).where('n', '=', n).execute();
  }

  /**
   * Reports of plays not judged yet whose earliest report started before `endsAt` (and not before
   * `since`, which bounds the scan): the plays an epoch settles. A play whose reports arrive after
   * its own epoch closed is settled by the next epoch instead of being lost. Plays judged by
   * `epoch` itself count as unjudged, so redoing that epoch's judge step judges them again (and
   * saveVerdicts replaces their verdicts) instead of finding nothing and erasing them.
   */
  async unjudgedReports(since: number, endsAt: number, epoch?: number): Promise<PlayReportTable[]> {
    const starts = this.#db
      .selectFrom('play_reports')
      .select('play_id')
      .where('started_at', '>=', since)
      .where('started_at', '<', endsAt)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('plays')
              .select(sql.lit(1).as('one'))
              .whereRef('plays.play_id', '=', 'play_reports.play_id')
              .$if(epoch !== undefined, (query) => query.where('plays.epoch', '<>', epoch!)),
          ),
        ),
      )
      .distinct();
    return this.#db
      .selectFrom('play_reports')
      .selectAll()
      .where('play_id', 'in', starts)
      .orderBy('play_id')
      .orderBy('started_at')
      .orderBy('id')
      .execute();
  }

  /** Counted plays per (listener, track, day) among those days, from epochs other than `epoch`. */
  async countedOnDays(epoch: number, days: string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (days.length === 0) return counts;
    const rows = await this.#db
      .selectFrom('plays')
      .select(['listener', 'track_id', 'day', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('verdict', '=', 'counted')
      .where('epoch', '<>', epoch)
      .where('day', 'in', days)
      .groupBy(['listener', 'track_id', 'day'])
      .execute();
    for (const row of rows) counts.set(dailyKey(row.listener, row.track_id, row.day), Number(row.n));
    return counts;
  }

  /**
   * Stores an epoch's verdicts (replacing an earlier attempt's) and moves it to 'release'. The
   * counted-play aggregates, trending and search's popularity order change in the same transaction:
   * what a replaced attempt added is withdrawn first, so redoing the judge step never counts twice.
   */
  async saveVerdicts(n: number, plays: SettledPlayRow[], now = Date.now()): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const withdrawn = await applyEpochCountedPlays(trx, n, -1);
      await trx.deleteFrom('plays').where('epoch', '=', n).execute();
      for (let start = 0; start < plays.length; start += ROWS_PER_STATEMENT) {
        await trx
          .insertInto('plays')
          .values(plays.slice(start, start + ROWS_PER_STATEMENT))
          .execute();
      }
      const added = await applyEpochCountedPlays(trx, n, 1);
      await afterCountedPlaysChanged(trx, [...withdrawn, ...added], withdrawn.length > 0, now);
      await this.#advance(trx, n, 'release', {}, now);
    });
  }

  async playsOfEpoch(n: number, verdict?: 'counted' | 'not_counted'): Promise<SettledPlayRow[]> {
    let query = this.#db.selectFrom('plays').selectAll().where('epoch', '=', n);
    if (verdict) query = query.where('verdict', '=', verdict);
    return query.orderBy('first_started_at').orderBy('play_id').execute();
  }

  async reportsOfPlays(playIds: string[]): Promise<PlayReportTable[]> {
    const rows: PlayReportTable[] = [];
    for (let start = 0; start < playIds.length; start += ROWS_PER_STATEMENT) {
      rows.push(
        ...(await this.#db
          .selectFrom('play_reports')
          .selectAll()
          .where('play_id', 'in', playIds.slice(start, start + ROWS_PER_STATEMENT))
          .execute()),
      );
    }
    return rows.sort((a, b) =>
      a.play_id === b.play_id
        ? a.started_at - b.started_at || compare(a.id, b.id)
        : compare(a.play_id, b.play_id),
    );
  }

  /** Every delegation stored for these session keys (renewals included), by key, oldest first. */
  async delegationsOfKeys(publicKeys: string[]): Promise<SessionKeyDelegationTable[]> {
    const rows: SessionKeyDelegationTable[] = [];
    for (let start = 0; start < publicKeys.length; start += ROWS_PER_STATEMENT) {
      rows.push(
        ...(await this.#db
          .selectFrom('session_key_delegations')
          .selectAll()
          .where('public_key', 'in', publicKeys.slice(start, start + ROWS_PER_STATEMENT))
          .execute()),
      );
    }
    return rows.sort(
      (a, b) =>
        compare(a.public_key, b.public_key) || a.issued_at - b.issued_at || a.expires_at - b.expires_at,
    );
  }

  /** Track facts for judging and splitting: duration, owner and split, by track id. */
  async trackFacts(
    trackIds: string[],
  ): Promise<Map<string, { durationMs: number; owner: string; splits: { address: string; ppm: number }[] }>> {
    const facts = new Map<
      string,
      { durationMs: number; owner: string; splits: { address: string; ppm: number }[] }
    >();
    if (trackIds.length === 0) return facts;
    const tracks = await this.#db
      .selectFrom('tracks')
      .select(['id', 'owner', 'duration_ms'])
      .where('id', 'in', trackIds)
      .execute();
    for (const track of tracks) {
      facts.set(track.id, { durationMs: track.duration_ms, owner: track.owner, splits: [] });
    }
    const splits = await this.#db
      .selectFrom('track_splits')
      .select(['track_id', 'address', 'ppm'])
      .where('track_id', 'in', trackIds)
      .orderBy('track_id')
      .orderBy('address')
      .execute();
    for (const split of splits)
      facts.get(split.track_id)?.splits.push({ address: split.address, ppm: split.ppm });
    return facts;
  }

  async allocations(n: number, kind: AllocationKind): Promise<AllocationRow[]> {
    return this.#db
      .selectFrom('epoch_allocations')
      .selectAll()
      .where('epoch', '=', n)
      .where('kind', '=', kind)
      .orderBy('account')
      .orderBy('token')
      .orderBy('track_id')
      .execute();
  }

  /**
   * Replaces the rows of these kinds for the epoch; with `state`, commits the step in the same
   * transaction, and with `state.fanRewards` replaces what the epoch found about fan rewards too
   * (null: nothing), so awards are written exactly when the allocations that pay them are.
   */
  async saveAllocations(
    n: number,
    kinds: AllocationKind[],
    rows: AllocationRow[],
    state?: {
      state: EpochState;
      patch?: EpochPatch;
      fanRewards?: FanEpochOutcome | null;
      appRewards?: AppEpochOutcome | null;
    },
    now = Date.now(),
  ): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      if (kinds.length > 0)
        await trx.deleteFrom('epoch_allocations').where('epoch', '=', n).where('kind', 'in', kinds).execute();
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        await trx
          .insertInto('epoch_allocations')
          .values(rows.slice(start, start + ROWS_PER_STATEMENT))
          .execute();
      }
      if (state?.fanRewards !== undefined)
        await FanRewardsRepository.saveEpoch(trx, n, state.fanRewards ?? undefined, now);
      if (state?.appRewards !== undefined)
        await AppsRepository.saveEpoch(trx, n, state.appRewards ?? undefined);
      if (state) await this.#advance(trx, n, state.state, state.patch ?? {}, now);
    });
  }

  /** The cumulative payout leaves after the last published epoch. */
  async cumulative(): Promise<AccountAmount[]> {
    const rows = await this.#db
      .selectFrom('payout_cumulative')
      .selectAll()
      .orderBy('account')
      .orderBy('token')
      .execute();
    return rows.map((row) => ({ account: row.account, token: row.token, amount: BigInt(row.amount) }));
  }

  async carried(): Promise<{ subscriber: string; amount: bigint }[]> {
    const rows = await this.#db.selectFrom('carried').selectAll().orderBy('subscriber').execute();
    return rows.map((row) => ({ subscriber: row.subscriber, amount: BigInt(row.amount) }));
  }

  /**
   * Closes an epoch's money in one transaction: after a publish the cumulative leaves become the
   * epoch's, and in any case the carried balances become what the epoch carried on. An epoch closed
   * 'empty' publishes nothing, so whatever an earlier attempt found about its fan rewards goes.
   */
  async closeMoney(
    n: number,
    state: EpochState,
    patch: EpochPatch,
    money: { leaves?: AccountAmount[]; carried: { subscriber: string; amount: bigint }[] },
    now = Date.now(),
  ): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      if (money.leaves) {
        await trx.deleteFrom('payout_cumulative').execute();
        const rows = money.leaves.map((leaf) => ({
          account: leaf.account,
          token: leaf.token,
          amount: leaf.amount.toString(),
        }));
        for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
          await trx
            .insertInto('payout_cumulative')
            .values(rows.slice(start, start + ROWS_PER_STATEMENT))
            .execute();
        }
      }
      if (state === 'empty') {
        await FanRewardsRepository.saveEpoch(trx, n, undefined, now);
        await AppsRepository.saveEpoch(trx, n, undefined);
      }
      await trx.deleteFrom('carried').execute();
      const carried = money.carried
        .filter((entry) => entry.amount > 0n)
        .map((entry) => ({ subscriber: entry.subscriber, amount: entry.amount.toString() }));
      for (let start = 0; start < carried.length; start += ROWS_PER_STATEMENT) {
        await trx
          .insertInto('carried')
          .values(carried.slice(start, start + ROWS_PER_STATEMENT))
          .execute();
      }
      await this.#advance(trx, n, state, patch, now);
    });
  }

  // --- Read-only queries for the epochs and earnings API ---------------------------------------

  /** A page of epochs, newest first, below `before` (exclusive) when given. */
  async epochsPage(before: number | undefined, limit: number): Promise<EpochRow[]> {
    let query = this.#db.selectFrom('epochs').selectAll();
    if (before !== undefined) query = query.where('n', '<', before);
    return query.orderBy('n', 'desc').limit(limit).execute();
  }

  /** Judged plays of an epoch by verdict. */
  async verdictCounts(n: number): Promise<{ counted: number; notCounted: number }> {
    const rows = await this.#db
      .selectFrom('plays')
      .select(['verdict', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('epoch', '=', n)
      .groupBy('verdict')
      .execute();
    const count = (verdict: string) => Number(rows.find((row) => row.verdict === verdict)?.n ?? 0);
    return { counted: count('counted'), notCounted: count('not_counted') };
  }

  /** Counted plays of an epoch per (listener, track): what the money was divided by. */
  async countedPairs(n: number): Promise<{ listener: string; trackId: string; plays: number }[]> {
    const rows = await this.#db
      .selectFrom('plays')
      .select(['listener', 'track_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('epoch', '=', n)
      .where('verdict', '=', 'counted')
      .groupBy(['listener', 'track_id'])
      .execute();
    return rows.map((row) => ({ listener: row.listener, trackId: row.track_id, plays: Number(row.n) }));
  }

  /** Allocation rows of these kinds for these epochs (amounts are summed by the caller, as bigints). */
  async allocationsOf(epochs: number[], kinds: AllocationKind[]): Promise<AllocationRow[]> {
    if (epochs.length === 0) return [];
    return this.#db
      .selectFrom('epoch_allocations')
      .selectAll()
      .where('epoch', 'in', epochs)
      .where('kind', 'in', kinds)
      .orderBy('epoch')
      .orderBy('kind')
      .orderBy('account')
      .orderBy('token')
      .orderBy('track_id')
      .execute();
  }

  /** Epochs (ascending) in which an account was paid (stablecoin payout or FAIR reward). */
  async epochsPaying(account: string): Promise<number[]> {
    const rows = await this.#db
      .selectFrom('epoch_allocations')
      .select('epoch')
      .where('account', '=', account.toLowerCase())
      .where('kind', 'in', ['payout', 'reward'])
      .distinct()
      .orderBy('epoch')
      .execute();
    return rows.map((row) => row.epoch);
  }

  /** Epochs that reached 'done' above `after`, ascending. */
  async doneEpochsAfter(after: number): Promise<EpochRow[]> {
    return this.#db
      .selectFrom('epochs')
      .selectAll()
      .where('state', '=', 'done')
      .where('n', '>', after)
      .orderBy('n')
      .execute();
  }

  /** The highest epoch number in 'done', or -1. */
  async lastDoneEpoch(): Promise<number> {
    const row = await this.#db
      .selectFrom('epochs')
      .select('n')
      .where('state', '=', 'done')
      .orderBy('n', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.n ?? -1;
  }

  /** Epochs whose payout root is on the chain (state 'claim' or 'done'), newest first. */
  async publishedEpochs(limit: number): Promise<EpochRow[]> {
    return this.#db
      .selectFrom('epochs')
      .selectAll()
      .where('state', 'in', ['claim', 'done'])
      .orderBy('n', 'desc')
      .limit(limit)
      .execute();
  }

  /** Track titles by id (tracks that still exist). */
  async trackTitles(trackIds: string[]): Promise<Map<string, string>> {
    const titles = new Map<string, string>();
    for (let start = 0; start < trackIds.length; start += ROWS_PER_STATEMENT) {
      const rows = await this.#db
        .selectFrom('tracks')
        .select(['id', 'title'])
        .where('id', 'in', trackIds.slice(start, start + ROWS_PER_STATEMENT))
        .execute();
      for (const row of rows) titles.set(row.id, row.title);
    }
    return titles;
  }

  async #advance(db: Db, n: number, state: EpochState, patch: EpochPatch, now: number): Promise<void> {
    await db
      .updateTable('epochs')
      .set({ ...patch, state, error: null, attempts: 0, updated_at: now })
      .where('n', '=', n)
      .execute();
  }
}

export function dailyKey(listener: string, trackId: string, day: string): string {
  return `${listener.toLowerCase()}|${trackId}|${day}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
