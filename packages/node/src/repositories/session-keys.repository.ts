import type { Db } from '../db/database.ts';
import type { SessionKeyDelegationTable, SessionKeyTable } from '../db/schema.ts';

export type SessionKeyRow = SessionKeyTable;
export type SessionKeyDelegationRow = SessionKeyDelegationTable;
export type SessionKeyFacts = Pick<
  SessionKeyTable,
  'public_key' | 'address' | 'expires_at' | 'revoked_at'
> & {
  /** When the key's first delegation was issued: reports that ended earlier are not covered. */
  first_issued_at: number;
};

export class SessionKeysRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async find(publicKey: string): Promise<SessionKeyRow | undefined> {
    return this.#db
      .selectFrom('session_keys')
      .selectAll()
      .where('public_key', '=', publicKey)
      .executeTakeFirst();
  }

  /** What checking a report needs, for many keys in one query. */
  async findMany(publicKeys: string[]): Promise<SessionKeyFacts[]> {
    if (publicKeys.length === 0) return [];
    const rows = await this.#db
      .selectFrom('session_keys')
      .select(['public_key', 'address', 'expires_at', 'revoked_at'])
      .select((eb) =>
        eb
          .selectFrom('session_key_delegations as d')
          .select((inner) => inner.fn.min('d.issued_at').as('first'))
          .whereRef('d.public_key', '=', 'session_keys.public_key')
          .as('first_issued_at'),
      )
      .where('public_key', 'in', publicKeys)
      .execute();
    // Postgres answers bigint aggregates as text.
    return rows.map((row) => ({ ...row, first_issued_at: Number(row.first_issued_at ?? 0) }));
  }

  /**
   * Stores a delegation, or renews the same address's live delegation of the same key, and keeps
   * the signed delegation in the key's history. Answers the row as it stands afterwards: a key held
   * by another address, or revoked, is left as it was (and nothing is added to its history), and the
   * caller tells from the answer. One upsert statement, so two racing delegations cannot both win.
   */
  async upsert(row: SessionKeyRow, delegation: SessionKeyDelegationRow): Promise<SessionKeyRow> {
    return this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('session_keys')
        .values(row)
        .onConflict((conflict) =>
          conflict
            .column('public_key')
            .doUpdateSet({
              expires_at: row.expires_at,
              delegation_message: row.delegation_message,
              delegation_signature: row.delegation_signature,
            })
            .where('session_keys.address', '=', row.address)
            .where('session_keys.revoked_at', 'is', null),
        )
        .execute();
      const stored = await trx
        .selectFrom('session_keys')
        .selectAll()
        .where('public_key', '=', row.public_key)
        .executeTakeFirstOrThrow();
      if (stored.address === row.address && stored.revoked_at === null) {
        await trx
          .insertInto('session_key_delegations')
          .values(delegation)
          .onConflict((conflict) => conflict.columns(['public_key', 'issued_at', 'expires_at']).doNothing())
          .execute();
      }
      return stored;
    });
  }

  /** True when this call revoked a live key of this address. */
  async revoke(publicKey: string, address: string, now: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('session_keys')
      .set({ revoked_at: now })
      .where('public_key', '=', publicKey)
      .where('address', '=', address)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
