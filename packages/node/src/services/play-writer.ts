import type { PlayReportRow } from '../repositories/plays.repository.ts';

export interface PlayWriterOptions {
  /** How long the first rows of a batch wait for company before the batch is committed. */
  maxDelayMs?: number;
  /** A batch this large is committed at once. */
  maxRows?: number;
}

interface Waiter {
  rows: PlayReportRow[];
  resolve: (stored: Set<string>) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for accepted playback reports. Requests hand over their rows and wait; rows from
 * all requests that arrive within a couple of milliseconds (or while the previous commit runs)
 * are committed in ONE transaction, and each request's promise resolves only after that commit,
 * so an acknowledged report survives a kill -9. One durable commit serves many requests, which is
 * what lets ingestion outrun the cost of an fsync per request.
 */
export class PlayWriter {
  readonly #insert: (rows: PlayReportRow[]) => Promise<Set<string>>;
  readonly #maxDelayMs: number;
  readonly #maxRows: number;
  #pending: Waiter[] = [];
  #pendingRows = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;
  /** Commits so far and rows per commit, for logs and benchmarks. */
  readonly stats = { commits: 0, rows: 0, largestBatch: 0 };

  constructor(insert: (rows: PlayReportRow[]) => Promise<Set<string>>, options: PlayWriterOptions = {}) {
    this.#insert = insert;
    this.#maxDelayMs = options.maxDelayMs ?? 2;
    this.#maxRows = options.maxRows ?? 5000;
  }

  /**
   * Resolves, once the rows are committed, with the ids this call stored; an id missing from the
   * answer was already stored (by an earlier request, or earlier in the same batch).
   */
  write(rows: PlayReportRow[]): Promise<Set<string>> {
    if (this.#closed) return Promise.reject(new Error('the play writer is closed'));
    if (rows.length === 0) return Promise.resolve(new Set());
    const promise = new Promise<Set<string>>((resolve, reject) => {
      this.#pending.push({ rows, resolve, reject });
    });
    this.#pendingRows += rows.length;
    this.#schedule();
    return promise;
  }

  /** Commits what is pending and refuses new rows. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#flushing || this.#pending.length > 0) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = undefined;
      if (!this.#flushing) this.#flush();
      await this.#flushing;
    }
  }

  #schedule(): void {
    // While a commit runs, rows gather for the next one, which starts as soon as it ends.
    if (this.#flushing) return;
    if (this.#pendingRows >= this.#maxRows) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#flush();
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, this.#maxDelayMs);
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#pendingRows = 0;
    this.#flushing = this.#commit(batch).finally(() => {
      this.#flushing = undefined;
      if (this.#pending.length > 0) this.#flush();
    });
  }

  async #commit(batch: Waiter[]): Promise<void> {
    // The same id twice in one batch (a retry racing its original): the first one is stored.
    const unique = new Map<string, PlayReportRow>();
    for (const waiter of batch)
      for (const row of waiter.rows) if (!unique.has(row.id)) unique.set(row.id, row);
    let stored: Set<string>;
    try {
      stored = await this.#insert([...unique.values()]);
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
      return;
    }
    this.stats.commits += 1;
    this.stats.rows += stored.size;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, unique.size);
    for (const waiter of batch) {
      const mine = new Set<string>();
      for (const row of waiter.rows) {
        // Each stored id is credited once, to the first waiter that handed it over.
        if (stored.delete(row.id)) mine.add(row.id);
      }
      waiter.resolve(mine);
    }
  }
}
