import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** Node-wide settings written by migrations (e.g. the cursor signing key). */
export class SettingsRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async get(key: string): Promise<string> {
    const row = await this.#db
      .selectFrom('node_settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) throw new Error(`The database has no node setting "${key}": run the migrations`);
    return row.value;
  }
}
