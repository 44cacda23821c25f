import type { Db } from '../db/database.ts';

export interface Session {
  address: string;
  expiresAt: number;
}

export class AuthRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async createNonce(nonce: string, now: number, expiresAt: number): Promise<void> {
    await this.#db
      .insertInto('auth_nonces')
      .values({ nonce, created_at: now, expires_at: expiresAt, used_at: null })
      .execute();
  }

  /**
   * Marks a nonce used if it exists, is unused and unexpired; true when this call consumed it.
   * One conditional UPDATE, so two concurrent logins with the same nonce cannot both win.
   */
  async consumeNonce(nonce: string, now: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('auth_nonces')
      .set({ used_at: now })
      .where('nonce', '=', nonce)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async deleteExpiredNonces(now: number): Promise<void> {
    await this.#db.deleteFrom('auth_nonces').where('expires_at', '<', now).execute();
  }

  async ensureAccount(address: string, now: number): Promise<void> {
    await this.#db
      .insertInto('accounts')
      .values({ address, created_at: now })
      .onConflict((conflict) => conflict.column('address').doNothing())
      .execute();
  }

  async createSession(tokenHash: string, address: string, now: number, expiresAt: number): Promise<void> {
    await this.#db
      .insertInto('sessions')
      .values({ token_hash: tokenHash, address, created_at: now, expires_at: expiresAt, revoked_at: null })
      .execute();
  }

  async findSession(tokenHash: string, now: number): Promise<Session | undefined> {
    const row = await this.#db
      .selectFrom('sessions')
      .select(['address', 'expires_at'])
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row && { address: row.address, expiresAt: row.expires_at };
  }

  async revokeSession(tokenHash: string, now: number): Promise<void> {
    await this.#db
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('token_hash', '=', tokenHash)
      .execute();
  }
}
