import type { SignedAppRegistration } from '@fairstream/protocol';
import type { Kysely } from 'kysely';
import type { Db } from '../db/database.ts';
import type { AppRewardTable, AppTable, Database } from '../db/schema.ts';

/** An epoch's app rewards as the compute step found them. */
export interface AppEpochOutcome {
  /** JSON of { version, sharePpm, budget, spent }. */
  summary: string;
  byApp: { appId: string; owner: string; countedPlays: number; listeners: number; amount: bigint }[];
}

export type AppRow = AppTable;
export type AppRewardRow = AppRewardTable;

const ROWS_PER_STATEMENT = 500;

/** Registered apps, and what each delivered and earned per settled epoch. */
export class AppsRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Stores a registration; false when the app id is taken (the first registration keeps it). */
  async insert(registration: SignedAppRegistration, now: number): Promise<boolean> {
    const result = await this.#db
      .insertInto('apps')
      .values({
        app_id: registration.appId,
        name: registration.name,
        owner: registration.owner,
        chain_id: registration.chainId,
        registered_at: registration.registeredAt,
        signature: registration.signature,
        created_at: now,
      })
      .onConflict((conflict) => conflict.column('app_id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async find(appId: string): Promise<AppRow | undefined> {
    return this.#db.selectFrom('apps').selectAll().where('app_id', '=', appId).executeTakeFirst();
  }

  /** The registered apps among these ids (unknown ones are absent). */
  async findMany(appIds: readonly string[]): Promise<AppRow[]> {
    if (appIds.length === 0) return [];
    const rows: AppRow[] = [];
    for (let start = 0; start < appIds.length; start += ROWS_PER_STATEMENT) {
      rows.push(
        ...(await this.#db
          .selectFrom('apps')
          .selectAll()
          .where('app_id', 'in', appIds.slice(start, start + ROWS_PER_STATEMENT))
          .execute()),
      );
    }
    return rows.sort((a, b) => (a.app_id < b.app_id ? -1 : a.app_id > b.app_id ? 1 : 0));
  }

  async ofOwner(owner: string): Promise<AppRow[]> {
    return this.#db.selectFrom('apps').selectAll().where('owner', '=', owner).orderBy('app_id').execute();
  }

  /** An app's earnings per settled epoch, newest first. */
  async rewardsOfApp(appId: string, limit: number): Promise<AppRewardRow[]> {
    return this.#db
      .selectFrom('app_rewards')
      .innerJoin('epochs', 'epochs.n', 'app_rewards.epoch')
      .selectAll('app_rewards')
      .where('app_rewards.app_id', '=', appId)
      .where('epochs.state', 'in', ['claim', 'done'])
      .orderBy('app_rewards.epoch', 'desc')
      .limit(limit)
      .execute();
  }

  /** An owner's app earnings in published epochs (the wallet history's causes). */
  async rewardsOfOwner(owner: string): Promise<AppRewardRow[]> {
    return this.#db
      .selectFrom('app_rewards')
      .innerJoin('epochs', 'epochs.n', 'app_rewards.epoch')
      .selectAll('app_rewards')
      .where('app_rewards.owner', '=', owner)
      .where('epochs.state', 'in', ['claim', 'done'])
      .orderBy('app_rewards.epoch')
      .orderBy('app_rewards.app_id')
      .execute();
  }

  /** An epoch's app rows (published or not). */
  async ofEpoch(n: number): Promise<AppRewardRow[]> {
    return this.#db.selectFrom('app_rewards').selectAll().where('epoch', '=', n).orderBy('app_id').execute();
  }

  /** Replaces an epoch's app rows and summary (none: the epoch pays no app), inside the caller's transaction. */
  static async saveEpoch(trx: Kysely<Database>, n: number, outcome: AppEpochOutcome | undefined) {
    await trx.deleteFrom('app_rewards').where('epoch', '=', n).execute();
    await trx
      .updateTable('epochs')
      .set({ app_rewards: outcome?.summary ?? null })
      .where('n', '=', n)
      .execute();
    if (!outcome) return;
    const rows = outcome.byApp.map((app) => ({
      epoch: n,
      app_id: app.appId,
      owner: app.owner,
      counted_plays: app.countedPlays,
      listeners: app.listeners,
      amount: app.amount.toString(),
    }));
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT)
      await trx
        .insertInto('app_rewards')
        .values(rows.slice(start, start + ROWS_PER_STATEMENT))
        .execute();
  }
}
