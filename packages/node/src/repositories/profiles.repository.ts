import { type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database, ProfileAvatarTable, ProfileTable } from '../db/schema.ts';
import { type HandleCandidate, handleIndexFor } from './search/handle-index.ts';

export type ProfileRow = ProfileTable;
export type AvatarRow = Omit<ProfileAvatarTable, 'address'>;

export interface ProfileRecord extends ProfileRow {
  avatar: AvatarRow[];
}

/** The fields a profile update sets; absent fields are kept. */
export type ProfileUpdate = Partial<
  Pick<ProfileRow, 'handle' | 'handle_key' | 'display_name' | 'bio' | 'links'>
>;

export class ProfilesRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async find(address: string): Promise<ProfileRecord | undefined> {
    const row = await this.#db
      .selectFrom('profiles')
      .selectAll()
      .where('address', '=', address)
      .executeTakeFirst();
    return row && { ...row, avatar: await this.#avatar(address) };
  }

  async addressOfHandle(handleKey: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('profiles')
      .select('address')
      .where('handle_key', '=', handleKey)
      .executeTakeFirst();
    return row?.address;
  }

  /**
   * Creates or updates a profile. A handle someone else holds fails on the unique index (the
   * caller checks first; the index settles a race). A handle set, changed or removed changes the
   * handle search index in the same transaction.
   */
  async save(address: string, update: ProfileUpdate, now: number): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('profiles')
        .values({
          address,
          handle: update.handle ?? null,
          handle_key: update.handle_key ?? null,
          display_name: update.display_name ?? null,
          bio: update.bio ?? null,
          links: update.links ?? '[]',
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('address').doUpdateSet({ ...update, updated_at: now }))
        .execute();
      if (update.handle_key !== undefined) {
        await handleIndexFor(trx).put(trx, address, update.handle_key);
      }
    });
  }

  /**
   * Replaces an account's avatar (none when `avatar` is empty) and returns the CIDs of the old one
   * that nothing uses any more (no avatar, no track asset), for the caller to delete.
   */
  async replaceAvatar(address: string, avatar: AvatarRow[], now: number): Promise<string[]> {
    return this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('profiles')
        .values({
          address,
          handle: null,
          handle_key: null,
          display_name: null,
          bio: null,
          links: '[]',
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('address').doUpdateSet({ updated_at: now }))
        .execute();
      const old = (
        await trx.selectFrom('profile_avatars').select('cid').where('address', '=', address).execute()
      ).map((row) => row.cid);
      await trx.deleteFrom('profile_avatars').where('address', '=', address).execute();
      if (avatar.length > 0) {
        await trx
          .insertInto('profile_avatars')
          .values(avatar.map((row) => ({ address, ...row })))
          .execute();
      }
      return unused(trx, old);
    });
  }

  /** Those of `cids` that no avatar and no track asset uses. */
  async unusedCids(cids: readonly string[]): Promise<string[]> {
    return unused(this.#db, cids);
  }

  /** An avatar blob by CID: avatars are public, so this is all serving one needs. */
  async avatarBlob(cid: string): Promise<AvatarRow | undefined> {
    return this.#db
      .selectFrom('profile_avatars')
      .select(['variant', 'cid', 'mime', 'size'])
      .where('cid', '=', cid)
      .limit(1)
      .executeTakeFirst();
  }

  /**
   * Addresses whose handle starts with `prefix` (lower case), most followed first, from `offset`:
   * a range over the unique handle index, so a few letters typed read only the handles that start
   * with them.
   */
  async addressesByHandlePrefix(prefix: string, offset: number, limit: number): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('profiles')
      .leftJoin('account_counts', 'account_counts.address', 'profiles.address')
      .select('profiles.address')
      .where(handleStartsWith(prefix))
      .orderBy((eb) => eb.fn.coalesce('account_counts.followers', eb.lit(0)), 'desc')
      .orderBy('profiles.handle_key')
      .offset(offset)
      .limit(limit)
      .execute();
    return rows.map((row) => row.address);
  }

  /** How many handles start with `prefix` (lower case), counting no further than `atMost`. */
  async countHandlesByPrefix(prefix: string, atMost: number): Promise<number> {
    const rows = await this.#db
      .selectFrom('profiles')
      .select('profiles.handle_key')
      .where(handleStartsWith(prefix))
      .limit(atMost)
      .execute();
    return rows.length;
  }

  /**
   * Accounts whose handle looks like the start of `typed` (lower case) by shared trigrams, most
   * similar first, at most `limit`, with their followers: candidates for a typo's edit distance.
   */
  async similarHandles(typed: string, limit: number): Promise<HandleCandidate[]> {
    return handleIndexFor(this.#db).similar(this.#db, typed, limit);
  }

  /** Handle, display name and avatar of many accounts in two queries (accounts without a profile are absent). */
  async summaries(
    addresses: readonly string[],
  ): Promise<Map<string, Pick<ProfileRow, 'handle' | 'display_name'> & { avatar: AvatarRow[] }>> {
    const result = new Map<string, Pick<ProfileRow, 'handle' | 'display_name'> & { avatar: AvatarRow[] }>();
    const unique = [...new Set(addresses)];
    if (unique.length === 0) return result;
    const rows = await this.#db
      .selectFrom('profiles')
      .select(['address', 'handle', 'display_name'])
      .where('address', 'in', unique)
      .execute();
    for (const row of rows)
      result.set(row.address, { handle: row.handle, display_name: row.display_name, avatar: [] });
    if (rows.length === 0) return result;
    const avatars = await this.#db
      .selectFrom('profile_avatars')
      .select(['address', 'variant', 'cid', 'mime', 'size'])
      .where(
        'address',
        'in',
        rows.map((row) => row.address),
      )
      .orderBy('address')
      .orderBy('variant')
      .execute();
    for (const { address, ...avatar } of avatars) result.get(address)?.avatar.push(avatar);
    return result;
  }

  async #avatar(address: string): Promise<AvatarRow[]> {
    return this.#db
      .selectFrom('profile_avatars')
      .select(['variant', 'cid', 'mime', 'size'])
      .where('address', '=', address)
      .orderBy('variant')
      .execute();
  }
}

/**
 * The handle starts with `prefix`: a range over the unique handle index; under a linguistic
 * collation (Postgres en_US, say) the range may also admit handles that only sort there, so the
 * exact prefix is checked too.
 */
function handleStartsWith(prefix: string) {
  return (eb: ExpressionBuilder<Database, 'profiles'>) =>
    eb.and([
      eb('profiles.handle_key', '>=', prefix),
      eb('profiles.handle_key', '<', `${prefix}\u{10ffff}`),
      sql<SqlBool>`profiles.handle_key like ${`${prefix.replace(/[\\%_]/g, '\\$&')}%`} escape '\\'`,
    ]);
}

async function unused(db: Kysely<Database>, cids: readonly string[]): Promise<string[]> {
  const candidates = [...new Set(cids)];
  if (candidates.length === 0) return [];
  const used = new Set([
    ...(await db.selectFrom('profile_avatars').select('cid').where('cid', 'in', candidates).execute()).map(
      (row) => row.cid,
    ),
    ...(await db.selectFrom('track_assets').select('cid').where('cid', 'in', candidates).execute()).map(
      (row) => row.cid,
    ),
  ]);
  return candidates.filter((cid) => !used.has(cid));
}
