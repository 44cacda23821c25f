import { PostgresAdapter } from 'kysely';

/** The few places that need engine-specific SQL (full-text search) ask which engine they talk to. */
export function isPostgres(db: { getExecutor(): { readonly adapter: unknown } }): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
