import type { Db } from '../db/database.ts';
import type { JobTable } from '../db/schema.ts';

export type Job = Pick<JobTable, 'id' | 'kind' | 'payload' | 'attempts'>;

/**
 * A durable job queue in the database: a job is committed with the work it belongs to, survives a
 * crash, and is claimed with a conditional UPDATE so two workers never run it at once.
 */
export class JobsRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async claimNext(kind: string, now: number): Promise<Job | undefined> {
    for (;;) {
      const candidate = await this.#db
        .selectFrom('jobs')
        .select(['id', 'kind', 'payload', 'attempts'])
        .where('kind', '=', kind)
        .where('state', '=', 'queued')
        .where((eb) => eb.or([eb('run_after', 'is', null), eb('run_after', '<=', now)]))
        .orderBy('created_at')
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      if (!candidate) return undefined;
      const claimed = await this.#db
        .updateTable('jobs')
        .set({ state: 'running', locked_at: now, attempts: candidate.attempts + 1, updated_at: now })
        .where('id', '=', candidate.id)
        .where('state', '=', 'queued')
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 1) return { ...candidate, attempts: candidate.attempts + 1 };
    }
  }

  /** Puts back jobs a crashed or stopped process was running (locked before `staleBefore`). */
  async requeueStale(staleBefore: number, now: number): Promise<number> {
    const result = await this.#db
      .updateTable('jobs')
      .set({ state: 'queued', locked_at: null, updated_at: now })
      .where('state', '=', 'running')
      .where('locked_at', '<', staleBefore)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async heartbeat(id: string, now: number): Promise<void> {
    await this.#db
      .updateTable('jobs')
      .set({ locked_at: now })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .execute();
  }

  async complete(id: string, now: number): Promise<void> {
    await this.#db
      .updateTable('jobs')
      .set({ state: 'done', locked_at: null, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  async fail(id: string, error: string, now: number): Promise<void> {
    await this.#db
      .updateTable('jobs')
      .set({ state: 'failed', last_error: error, locked_at: null, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Puts a job back to wait for something outside the node (an artist's transaction) without
   * holding a worker: it is not claimed again before `runAfter`, and waiting is not a failed attempt.
   */
  async waitUntil(id: string, runAfter: number, now: number): Promise<void> {
    await this.#db
      .updateTable('jobs')
      .set((eb) => ({
        state: 'queued',
        locked_at: null,
        run_after: runAfter,
        attempts: eb('attempts', '-', 1),
        updated_at: now,
      }))
      .where('id', '=', id)
      .execute();
  }

  async retryLater(id: string, error: string, now: number): Promise<void> {
    await this.#db
      .updateTable('jobs')
      .set({ state: 'queued', last_error: error, locked_at: null, updated_at: now })
      .where('id', '=', id)
      .execute();
  }
}
