import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';

/** The position after which a newest-first page continues: the last item's time and tie-breakers. */
export interface Keyset {
  at: number;
  keys: readonly string[];
}

/**
 * Rows strictly after `before` in `ORDER BY at DESC, keys… DESC` order. The redundant `at <= …`
 * bounds the index range scan, so a deep page costs as much as the first one.
 */
// biome-ignore lint/suspicious/noExplicitAny: any table's builder; column names are checked by the callers' queries.
export function olderThan<EB extends ExpressionBuilder<any, any>>(
  eb: EB,
  atColumn: string,
  keyColumns: readonly string[],
  before: Keyset,
): Expression<SqlBool> {
  const tieBreak = (i: number): Expression<SqlBool> => {
    const column = keyColumns[i]!;
    const key = before.keys[i]!;
    if (i === keyColumns.length - 1) return eb(column, '<', key);
    return eb.or([eb(column, '<', key), eb.and([eb(column, '=', key), tieBreak(i + 1)])]);
  };
  return eb.and([
    eb(atColumn, '<=', before.at),
    eb.or([eb(atColumn, '<', before.at), eb.and([eb(atColumn, '=', before.at), tieBreak(0)])]),
  ]);
}

/** A unique-index violation on SQLite or Postgres (a race another request won). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; errcode?: unknown };
  if (e?.code === '23505') return true;
  return typeof e?.message === 'string' && /UNIQUE constraint failed/.test(e.message);
}
